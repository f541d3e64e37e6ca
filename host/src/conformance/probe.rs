//! What the checks of the contract's 0.2 functions call, and what they call
//! it with.
//!
//! The checks go through [`Probe`] rather than [`LoadedAdapter`] directly so
//! their rules can be unit-tested against small fakes that misbehave in one
//! precise way (trap on one status, accept a cursor they then refuse), which
//! no shipped component does on purpose.
//!
//! The inputs come from the adapter's fixtures: the account and time of a
//! poll-request case (it carries what polling needs), else of the first case
//! with an account; and the raw bodies of the webhook and poll-response
//! cases, which seed the malformed stream frames.

use std::path::Path;

use chrono::{DateTime, Utc};
use orderhub_core::model::{
    AccountData, Action, ActionOutcome, DeclaredLimits, HttpReply, OutboundRequest, StreamFrame,
    StreamReply,
};
use serde_json::{Map, Value};

use super::cursors::fixtures;
use super::webhook_input;
use crate::runner;
use crate::runtime::{CallError, LoadedAdapter};

/// The calls the 0.2 checks make.
pub trait Probe {
    /// `metadata().limits`.
    fn declared_limits(&self) -> DeclaredLimits;
    fn cursor_at(
        &self,
        since: DateTime<Utc>,
        account: &AccountData,
        now: DateTime<Utc>,
    ) -> Result<String, CallError>;
    fn poll_request(
        &self,
        cursor: Option<&str>,
        account: &AccountData,
        now: DateTime<Utc>,
    ) -> Result<OutboundRequest, CallError>;
    fn action_result(
        &self,
        action: &Action,
        response: &HttpReply,
    ) -> Result<ActionOutcome, CallError>;
    fn stream_receive(
        &self,
        frame: &StreamFrame,
        account: &AccountData,
        now: DateTime<Utc>,
    ) -> Result<StreamReply, CallError>;
}

impl Probe for LoadedAdapter {
    fn declared_limits(&self) -> DeclaredLimits {
        self.metadata().limits
    }

    fn cursor_at(
        &self,
        since: DateTime<Utc>,
        account: &AccountData,
        now: DateTime<Utc>,
    ) -> Result<String, CallError> {
        LoadedAdapter::cursor_at(self, since, account, now).map(|(cursor, _)| cursor)
    }

    fn poll_request(
        &self,
        cursor: Option<&str>,
        account: &AccountData,
        now: DateTime<Utc>,
    ) -> Result<OutboundRequest, CallError> {
        LoadedAdapter::poll_request(self, cursor, account, now).map(|(request, _)| request)
    }

    fn action_result(
        &self,
        action: &Action,
        response: &HttpReply,
    ) -> Result<ActionOutcome, CallError> {
        LoadedAdapter::action_result(self, action, response).map(|(outcome, _)| outcome)
    }

    fn stream_receive(
        &self,
        frame: &StreamFrame,
        account: &AccountData,
        now: DateTime<Utc>,
    ) -> Result<StreamReply, CallError> {
        LoadedAdapter::stream_receive(self, frame, account, now).map(|(reply, _)| reply)
    }
}

/// An account and a time to call with, and where they come from.
#[derive(Debug, Clone)]
pub struct Sample {
    pub account: AccountData,
    pub now: DateTime<Utc>,
    /// The fixture they were taken from, for report lines.
    pub origin: String,
}

/// The runner input of a fixture: a function case's `input`, or a webhook
/// case's flattened request.
fn runner_input(fixture: &Value) -> Option<Map<String, Value>> {
    let obj = fixture.as_object()?;
    if let Some(request) = obj.get("request").and_then(Value::as_object) {
        return match webhook_input(obj, request) {
            Value::Object(input) => Some(input),
            _ => None,
        };
    }
    obj.get("input")?.as_object().cloned()
}

fn has_account(input: &Map<String, Value>) -> bool {
    ["account", "secrets", "credentials", "account_id"]
        .iter()
        .any(|k| input.contains_key(*k))
}

/// The account and time to call with (see the module documentation); an
/// empty account at the current time when no fixture has one.
pub fn sample(fixtures_dir: Option<&Path>) -> Result<Sample, String> {
    let cases = match fixtures_dir {
        Some(dir) => fixtures(dir)?,
        None => vec![],
    };
    let is_poll = |f: &Value| f["function"].as_str() == Some("poll-request");
    let chosen = cases
        .iter()
        .filter(|(_, f)| is_poll(f))
        .chain(cases.iter().filter(|(_, f)| !is_poll(f)))
        .find_map(|(name, f)| {
            runner_input(f)
                .filter(has_account)
                .map(|input| (name, input))
        });
    let Some((name, input)) = chosen else {
        return Ok(Sample {
            account: AccountData {
                id: "conformance".into(),
                secrets: vec![],
                credentials: vec![],
            },
            now: Utc::now(),
            origin: "an empty account (no fixture has one)".into(),
        });
    };
    let account = runner::account(&input).map_err(|e| format!("fixture {name}: {e}"))?;
    let now = runner::now(&input).map_err(|e| format!("fixture {name}: {e}"))?;
    Ok(Sample {
        account,
        now,
        origin: format!("the account of fixture {name}"),
    })
}

/// The raw platform bodies of the fixtures: webhook request bodies and
/// poll-response reply bodies, in fixture order, without repeats.
pub fn bodies(fixtures_dir: Option<&Path>) -> Result<Vec<Vec<u8>>, String> {
    let Some(dir) = fixtures_dir else {
        return Ok(vec![]);
    };
    let mut out: Vec<Vec<u8>> = Vec::new();
    for (_, fixture) in fixtures(dir)? {
        let raw = match (fixture.get("request"), fixture["function"].as_str()) {
            (Some(_), _) => runner_input(&fixture),
            (None, Some("poll-response")) => fixture["input"]["response"].as_object().cloned(),
            _ => None,
        };
        let Some(body) = raw
            .and_then(|r| runner::raw_request(&r).ok())
            .map(|r| r.body)
        else {
            continue;
        };
        if !body.is_empty() && !out.contains(&body) {
            out.push(body);
        }
    }
    Ok(out)
}

/// Collects failures of one check: the first few in full, the rest counted.
#[derive(Debug, Default)]
pub struct Failures {
    shown: Vec<String>,
    total: usize,
}

impl Failures {
    /// How many failures are spelled out in the report.
    const SHOWN: usize = 5;

    pub fn push(&mut self, failure: String) {
        self.total += 1;
        if self.shown.len() < Self::SHOWN {
            self.shown.push(failure);
        }
    }

    pub fn is_empty(&self) -> bool {
        self.total == 0
    }

    /// `Ok` when nothing failed; else the failures, with `summary` first
    /// (given the count of failures).
    pub fn into_result(self, summary: impl FnOnce(usize) -> String) -> Result<(), String> {
        if self.total == 0 {
            return Ok(());
        }
        let mut lines = vec![summary(self.total)];
        lines.extend(self.shown);
        if self.total > Self::SHOWN {
            lines.push(format!("… and {} more", self.total - Self::SHOWN));
        }
        Err(lines.join("\n"))
    }
}

/// A short, printable excerpt of bytes for report lines.
pub fn printable(bytes: &[u8]) -> String {
    let text = String::from_utf8_lossy(&bytes[..bytes.len().min(60)]).into_owned();
    let suffix = if bytes.len() > 60 { "…" } else { "" };
    format!("{:?}{suffix} ({} bytes)", text, bytes.len())
}

#[cfg(test)]
pub mod tests {
    use super::*;
    use orderhub_core::model::{AdapterError, AdapterErrorKind};

    fn unsupported(what: &str) -> CallError {
        CallError::Adapter(AdapterError {
            kind: AdapterErrorKind::Unsupported,
            message: what.into(),
        })
    }

    /// The account and time the unit tests of the checks run with.
    pub fn test_sample(origin: &str) -> Sample {
        use chrono::TimeZone as _;
        Sample {
            account: AccountData {
                id: "main".into(),
                secrets: vec![],
                credentials: vec![],
            },
            now: Utc.with_ymd_and_hms(2024, 4, 1, 10, 0, 0).unwrap(),
            origin: origin.into(),
        }
    }

    /// An adapter made of one plain function per call; by default it is not
    /// polled, has no stream, and reads action replies by their status.
    pub struct Fake {
        pub limits: DeclaredLimits,
        pub cursor_at: fn(DateTime<Utc>, DateTime<Utc>) -> Result<String, CallError>,
        pub poll_request: fn(Option<&str>) -> Result<OutboundRequest, CallError>,
        pub action_result: fn(&Action, &HttpReply) -> Result<ActionOutcome, CallError>,
        pub stream_receive: fn(&StreamFrame) -> Result<StreamReply, CallError>,
    }

    impl Default for Fake {
        fn default() -> Self {
            Fake {
                limits: DeclaredLimits::default(),
                cursor_at: |_, _| Err(unsupported("not polled")),
                poll_request: |_| Err(unsupported("not polled")),
                action_result: |_, reply| {
                    Ok(match reply.status {
                        200..=299 => ActionOutcome::Done,
                        429 | 500..=599 => ActionOutcome::Retry(reply.status.to_string()),
                        _ => ActionOutcome::Refused(reply.status.to_string()),
                    })
                },
                stream_receive: |_| Err(unsupported("no stream")),
            }
        }
    }

    impl Probe for Fake {
        fn declared_limits(&self) -> DeclaredLimits {
            self.limits
        }

        fn cursor_at(
            &self,
            since: DateTime<Utc>,
            _account: &AccountData,
            now: DateTime<Utc>,
        ) -> Result<String, CallError> {
            (self.cursor_at)(since, now)
        }

        fn poll_request(
            &self,
            cursor: Option<&str>,
            _account: &AccountData,
            _now: DateTime<Utc>,
        ) -> Result<OutboundRequest, CallError> {
            (self.poll_request)(cursor)
        }

        fn action_result(
            &self,
            action: &Action,
            response: &HttpReply,
        ) -> Result<ActionOutcome, CallError> {
            (self.action_result)(action, response)
        }

        fn stream_receive(
            &self,
            frame: &StreamFrame,
            _account: &AccountData,
            _now: DateTime<Utc>,
        ) -> Result<StreamReply, CallError> {
            (self.stream_receive)(frame)
        }
    }

    fn write(dir: &Path, name: &str, fixture: Value) {
        std::fs::write(dir.join(name), fixture.to_string()).unwrap();
    }

    #[test]
    fn the_sample_account_is_a_poll_cases_first() {
        let dir = tempfile::tempdir().unwrap();
        write(
            dir.path(),
            "a-webhook.json",
            serde_json::json!({
                "request": {"body": "{\"id\":1}", "headers": {}},
                "account": {"id": "hook", "secrets": ["s"]},
                "now": "2024-04-01T00:00:00Z",
                "expect": {}
            }),
        );
        write(
            dir.path(),
            "b-poll.json",
            serde_json::json!({
                "function": "poll-request",
                "input": {"cursor": null, "account": {"id": "poller", "credentials": {"app_key": "k"}}, "now": "2024-04-02T00:00:00Z"},
                "expect": {}
            }),
        );
        write(
            dir.path(),
            "c-page.json",
            serde_json::json!({
                "function": "poll-response",
                "input": {"response": {"status": 200, "body": "{\"orders\":[]}"}},
                "expect": {}
            }),
        );
        let sample = sample(Some(dir.path())).unwrap();
        assert_eq!(sample.account.id, "poller");
        assert_eq!(
            sample.account.credentials,
            vec![("app_key".to_string(), "k".to_string())]
        );
        assert_eq!(sample.now.to_rfc3339(), "2024-04-02T00:00:00+00:00");
        assert_eq!(sample.origin, "the account of fixture b-poll");

        assert_eq!(
            bodies(Some(dir.path())).unwrap(),
            vec![b"{\"id\":1}".to_vec(), b"{\"orders\":[]}".to_vec()]
        );
        assert_eq!(sample_without_fixtures().account.id, "conformance");
    }

    fn sample_without_fixtures() -> Sample {
        sample(None).unwrap()
    }

    #[test]
    fn failures_show_five_and_count_the_rest() {
        let mut failures = Failures::default();
        assert!(failures.is_empty());
        for i in 0..7 {
            failures.push(format!("f{i}"));
        }
        assert_eq!(
            failures.into_result(|n| format!("{n} failed:")),
            Err("7 failed:\nf0\nf1\nf2\nf3\nf4\n… and 2 more".to_string())
        );
        assert_eq!(Failures::default().into_result(|_| unreachable!()), Ok(()));
    }
}
