//! `action-result` reads any reply a platform could send to an action.
//!
//! For a sample ship confirmation, the platform's reply is generated with
//! the statuses that matter (200, 400, 429, 500, 503) and bodies an adapter
//! must survive: empty, broken or oddly shaped JSON, and random bytes. Every
//! call must return an outcome within the adapter's limits (`action-result`
//! has no error to return, so a trap or a limit hit is the only failure),
//! and a 429 or 503 with an empty body must not read as done: that is
//! throttling or an outage, and "done" would drop the action for good.

use orderhub_core::model::{Action, ActionOutcome, HttpReply, ShipmentConfirmation};

use super::Lcg;
use super::probe::{Failures, Probe, printable};

/// The statuses every reply body is sent with.
pub const STATUSES: &[u16] = &[200, 400, 429, 500, 503];

/// Statuses that, with an empty body, can only mean "try again later".
const NOT_DONE_WHEN_EMPTY: &[u16] = &[429, 503];

/// Bodies that are not the JSON a platform documents.
const GARBAGE: &[&[u8]] = &[
    b"{",
    b"{\"code\":",
    b"[[[[",
    b"null",
    b"\"ok\"",
    b"{\"success\":\"maybe\",\"code\":[],\"data\":{\"msg\":{}}}",
    b"{\"error_response\":{\"code\":null,\"sub_code\":7}}",
    b"<html><body>502 Bad Gateway</body></html>",
];

/// A ship confirmation like those the host sends: one with every line, one with a line list.
pub fn sample_actions() -> Vec<Action> {
    let whole = ShipmentConfirmation {
        order_external_id: "1001".into(),
        carrier: "sf".into(),
        tracking_number: "SF1234567890".into(),
        line_ids: vec![],
    };
    let some_lines = ShipmentConfirmation {
        line_ids: vec!["1001-1".into(), "1001-2".into()],
        ..whole.clone()
    };
    vec![
        Action::ConfirmShipment(whole),
        Action::ConfirmShipment(some_lines),
    ]
}

/// Every reply the check sends: each status with each body.
pub fn replies() -> Vec<HttpReply> {
    let mut bodies: Vec<Vec<u8>> = vec![vec![]];
    bodies.extend(GARBAGE.iter().map(|b| b.to_vec()));
    let mut rng = Lcg(0x000a_c710);
    for len in [1, 17, 256, 4096] {
        bodies.push((0..len).map(|_| (rng.next() & 0xff) as u8).collect());
    }
    let mut out = Vec::new();
    for status in STATUSES {
        for body in &bodies {
            out.push(HttpReply {
                status: *status,
                headers: vec![("Content-Type".into(), "application/json".into())],
                body: body.clone(),
            });
        }
    }
    out
}

fn outcome_name(outcome: &ActionOutcome) -> &'static str {
    match outcome {
        ActionOutcome::Done => "done",
        ActionOutcome::Retry(_) => "retry",
        ActionOutcome::Refused(_) => "refused",
    }
}

/// Runs every sample action against every generated reply.
pub fn action_result_reads_any_reply(adapter: &dyn Probe) -> Result<(), String> {
    let mut failures = Failures::default();
    let mut tried = 0;
    for action in sample_actions() {
        for reply in replies() {
            tried += 1;
            let body = printable(&reply.body);
            match adapter.action_result(&action, &reply) {
                Ok(ActionOutcome::Done)
                    if reply.body.is_empty() && NOT_DONE_WHEN_EMPTY.contains(&reply.status) =>
                {
                    failures.push(format!(
                        "status {} with an empty body read as done: throttling or an \
                         outage is never done (retry)",
                        reply.status
                    ));
                }
                Ok(_) => {}
                Err(e) => failures.push(format!("status {}, body {body}: {e}", reply.status)),
            }
        }
    }
    if failures.is_empty() {
        return Ok(());
    }
    let overview = empty_body_outcomes(adapter)
        .into_iter()
        .map(|(status, read)| format!("{status} → {read}"))
        .collect::<Vec<_>>()
        .join(", ");
    failures
        .into_result(|n| format!("{n} of {tried} replies were read wrongly:"))
        .map_err(|report| format!("{report}\nwith an empty body it reads {overview}"))
}

/// What the adapter makes of each status with an empty body: `done`,
/// `retry`, `refused`, or the error of the call.
pub fn empty_body_outcomes(adapter: &dyn Probe) -> Vec<(u16, String)> {
    let action = &sample_actions()[0];
    STATUSES
        .iter()
        .map(|status| {
            let reply = HttpReply {
                status: *status,
                headers: vec![],
                body: vec![],
            };
            let read = match adapter.action_result(action, &reply) {
                Ok(outcome) => outcome_name(&outcome).to_string(),
                Err(e) => e.to_string(),
            };
            (*status, read)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::super::probe::tests::Fake;
    use super::*;
    use crate::runtime::CallError;

    #[test]
    fn replies_cover_every_status_with_every_body() {
        let replies = replies();
        assert_eq!(replies.len(), STATUSES.len() * (1 + GARBAGE.len() + 4));
        assert!(replies.iter().any(|r| r.status == 429 && r.body.is_empty()));
        assert!(
            replies
                .iter()
                .any(|r| r.status == 503 && r.body.len() == 4096)
        );
        // Deterministic: a failure reproduces.
        assert_eq!(replies, super::replies());
    }

    #[test]
    fn reading_by_status_passes() {
        assert_eq!(action_result_reads_any_reply(&Fake::default()), Ok(()));
        assert_eq!(
            empty_body_outcomes(&Fake::default()),
            vec![
                (200, "done".to_string()),
                (400, "refused".to_string()),
                (429, "retry".to_string()),
                (500, "retry".to_string()),
                (503, "retry".to_string()),
            ]
        );
    }

    #[test]
    fn done_on_an_empty_throttled_reply_fails() {
        let always_done = Fake {
            action_result: |_, _| Ok(ActionOutcome::Done),
            ..Fake::default()
        };
        let report = action_result_reads_any_reply(&always_done).unwrap_err();
        // Two actions × (429, 503) with an empty body.
        assert!(report.starts_with("4 of "), "{report}");
        assert!(
            report.contains("status 429 with an empty body read as done"),
            "{report}"
        );
        assert!(
            report.contains("status 503 with an empty body read as done"),
            "{report}"
        );
    }

    #[test]
    fn a_trap_on_one_reply_is_named() {
        let traps_on_html = Fake {
            action_result: |_, reply| {
                if reply.body.starts_with(b"<html>") && reply.status == 500 {
                    Err(CallError::Trap {
                        adapter: "fake".into(),
                        message: "unreachable executed".into(),
                    })
                } else {
                    Ok(ActionOutcome::Retry("x".into()))
                }
            },
            ..Fake::default()
        };
        let report = action_result_reads_any_reply(&traps_on_html).unwrap_err();
        assert!(report.starts_with("2 of "), "{report}");
        assert!(
            report.contains(
                "status 500, body \"<html><body>502 Bad Gateway</body></html>\" (41 bytes): adapter fake trapped: unreachable executed"
            ),
            "{report}"
        );
    }
}
