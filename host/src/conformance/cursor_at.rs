//! `cursor-at` gives a cursor `poll-request` accepts, and never traps.
//!
//! Reconciliation asks an adapter for the cursor that reads every change
//! since an instant, and polls from it. So `cursor-at(now - 1 hour)` must
//! either say `unsupported` (the adapter is not polled) or give a cursor
//! from which `poll-request` builds a request without an error. Called with
//! other instants — now, tomorrow, the Unix epoch, long before it, the year
//! 9999 — it may refuse with a typed error, but it must not trap or hit a
//! limit.

use chrono::{DateTime, Duration, TimeZone as _, Utc};
use orderhub_core::model::AdapterErrorKind;

use super::probe::{Failures, Probe, Sample};
use crate::runtime::CallError;

/// The instants `cursor-at` is also called with, only to see it does not trap.
fn edge_instants(now: DateTime<Utc>) -> Vec<(&'static str, DateTime<Utc>)> {
    let at = |y, m, d| Utc.with_ymd_and_hms(y, m, d, 0, 0, 0).single();
    let mut out = vec![
        ("now", now),
        ("a day after now", now + Duration::days(1)),
        ("a year before now", now - Duration::days(365)),
    ];
    out.extend(
        [
            ("the Unix epoch", at(1970, 1, 1)),
            ("1900-01-01", at(1900, 1, 1)),
            ("9999-12-31", at(9999, 12, 31)),
        ]
        .into_iter()
        .filter_map(|(name, t)| t.map(|t| (name, t))),
    );
    out
}

fn is_unsupported(e: &CallError) -> bool {
    e.adapter_error()
        .is_some_and(|a| a.kind == AdapterErrorKind::Unsupported)
}

/// Runs the check with the sample's account and time.
pub fn cursor_at_polls(adapter: &dyn Probe, sample: &Sample) -> Result<(), String> {
    let (account, now) = (&sample.account, sample.now);
    let mut failures = Failures::default();
    let since = now - Duration::hours(1);
    match adapter.cursor_at(since, account, now) {
        Err(e) if is_unsupported(&e) => {}
        Err(e) => failures.push(format!(
            "cursor-at(now - 1h = {since}) must give a cursor or unsupported, got {e}"
        )),
        Ok(cursor) => {
            if let Err(e) = adapter.poll_request(Some(&cursor), account, now) {
                failures.push(format!(
                    "cursor-at(now - 1h = {since}) gave {cursor:?}, which poll-request refuses: {e}"
                ));
            }
        }
    }
    for (name, since) in edge_instants(now) {
        match adapter.cursor_at(since, account, now) {
            Ok(_) | Err(CallError::Adapter(_)) => {}
            Err(e) => failures.push(format!("cursor-at({name} = {since}): {e}")),
        }
    }
    failures.into_result(|n| format!("{n} failure(s), with {} and now = {now}:", sample.origin))
}

#[cfg(test)]
mod tests {
    use super::super::probe::tests::Fake;
    use super::*;
    use orderhub_core::model::{AdapterError, OutboundRequest};

    fn sample() -> Sample {
        super::super::probe::tests::test_sample("the account of fixture poll-first")
    }

    fn typed(kind: AdapterErrorKind, message: &str) -> CallError {
        CallError::Adapter(AdapterError {
            kind,
            message: message.into(),
        })
    }

    #[test]
    fn unsupported_passes() {
        assert_eq!(cursor_at_polls(&Fake::default(), &sample()), Ok(()));
    }

    #[test]
    fn a_cursor_poll_request_accepts_passes() {
        let polled = Fake {
            cursor_at: |since, _| Ok(since.timestamp_millis().to_string()),
            poll_request: |cursor| match cursor {
                Some(c) if c.parse::<i64>().is_ok() => Ok(OutboundRequest {
                    method: "GET".into(),
                    url: "https://api.example.com/orders".into(),
                    query: vec![("since".into(), c.into())],
                    headers: vec![],
                    body: vec![],
                }),
                _ => Err(typed(AdapterErrorKind::InvalidField, "cursor")),
            },
            ..Fake::default()
        };
        assert_eq!(cursor_at_polls(&polled, &sample()), Ok(()));
    }

    #[test]
    fn a_cursor_poll_request_refuses_fails() {
        let mismatched = Fake {
            cursor_at: |_, _| Ok("page-7".into()),
            poll_request: |_| Err(typed(AdapterErrorKind::InvalidField, "cursor is not JSON")),
            ..Fake::default()
        };
        assert_eq!(
            cursor_at_polls(&mismatched, &sample()),
            Err("1 failure(s), with the account of fixture poll-first and now = 2024-04-01 10:00:00 UTC:\n\
                 cursor-at(now - 1h = 2024-04-01 09:00:00 UTC) gave \"page-7\", which poll-request refuses: invalid-field: cursor is not JSON"
                .to_string())
        );
    }

    #[test]
    fn another_typed_error_an_hour_back_fails() {
        let refuses = Fake {
            cursor_at: |_, _| Err(typed(AdapterErrorKind::MissingCredential, "app_key")),
            ..Fake::default()
        };
        let report = cursor_at_polls(&refuses, &sample()).unwrap_err();
        assert!(
            report.ends_with("must give a cursor or unsupported, got missing-credential: app_key"),
            "{report}"
        );
    }

    #[test]
    fn a_trap_on_an_old_instant_fails() {
        let traps_before_epoch = Fake {
            cursor_at: |since, _| {
                if since.timestamp_millis() < 0 {
                    Err(CallError::Trap {
                        adapter: "fake".into(),
                        message: "attempt to subtract with overflow".into(),
                    })
                } else {
                    Err(typed(AdapterErrorKind::Unsupported, "not polled"))
                }
            },
            ..Fake::default()
        };
        let report = cursor_at_polls(&traps_before_epoch, &sample()).unwrap_err();
        assert!(
            report.contains(
                "cursor-at(1900-01-01 = 1900-01-01 00:00:00 UTC): adapter fake trapped: attempt to subtract with overflow"
            ),
            "{report}"
        );
        assert!(report.starts_with("1 failure(s)"), "{report}");
    }
}
