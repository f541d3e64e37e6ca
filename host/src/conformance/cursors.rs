//! Checks that span more than one call: event ids (where idempotency keys
//! come from) are the same when the same input is normalized twice, poll
//! cursors only move forward, and a cursor in the future yields nothing.
//!
//! Cursors are the adapter's own text, usually JSON. What "forward" means is
//! read from the instants a cursor names: every number that is a Unix time
//! (seconds or milliseconds) and every string that is an RFC 3339 or
//! `yyyy-MM-dd HH:mm:ss` time, at any depth. The earliest of them is the
//! cursor's position; a next cursor may not name an earlier one, and a
//! poll-request from a cursor in the future may not ask only for data before
//! it. Cursors naming no instant (page tokens, tracking numbers) are not
//! compared.

use std::path::{Path, PathBuf};

use chrono::{DateTime, NaiveDateTime, TimeZone as _, Utc};
use serde_json::{Map, Value};

use super::{load_json, webhook_input};
use crate::runner;
use crate::runtime::LoadedAdapter;

/// Every fixture file of a directory, parsed, in name order.
pub(super) fn fixtures(dir: &Path) -> Result<Vec<(String, Value)>, String> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .map_err(|e| format!("cannot read fixtures directory {}: {e}", dir.display()))?
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    files.sort();
    files
        .into_iter()
        .map(|path| {
            let name = path
                .file_stem()
                .map(|s| s.to_string_lossy().into_owned())
                .unwrap_or_default();
            load_json(&path).map(|v| (name, v))
        })
        .collect()
}

/// The call a fixture makes that produces events: `normalize` for a webhook
/// case that verifies, `poll-response` for a poll case.
fn event_call(fixture: &Value) -> Option<(&'static str, Map<String, Value>)> {
    let obj = fixture.as_object()?;
    if let Some(request) = obj.get("request").and_then(Value::as_object) {
        if fixture["expect"]["verify"].as_str().unwrap_or("ok") != "ok" {
            return None;
        }
        return match webhook_input(obj, request) {
            Value::Object(input) => Some(("normalize", input)),
            _ => None,
        };
    }
    match obj.get("function").and_then(Value::as_str) {
        Some("poll-response") => Some(("poll-response", obj.get("input")?.as_object()?.clone())),
        _ => None,
    }
}

fn event_ids(output: &Value) -> Vec<String> {
    output["events"]
        .as_array()
        .map(|events| {
            events
                .iter()
                .map(|e| e["event_id"].as_str().unwrap_or("-").to_string())
                .collect()
        })
        .unwrap_or_default()
}

/// The same input normalized twice gives the same events with the same ids.
pub fn stable_event_ids(adapter: &LoadedAdapter, dir: &Path) -> Result<(), String> {
    let mut failures = Vec::new();
    for (name, fixture) in fixtures(dir)? {
        let Some((function, input)) = event_call(&fixture) else {
            continue;
        };
        let input = Value::Object(input);
        let Ok((first, _)) = runner::run(adapter, function, &input) else {
            continue;
        };
        match runner::run(adapter, function, &input) {
            Ok((second, _)) if second == first => {}
            Ok((second, _)) => failures.push(format!(
                "{name}: {function} gave other events on the same input (event ids {:?}, then {:?})",
                event_ids(&first),
                event_ids(&second)
            )),
            Err(e) => failures.push(format!(
                "{name}: {function} succeeded, then failed on the same input: {e}"
            )),
        }
    }
    if failures.is_empty() {
        Ok(())
    } else {
        Err(failures.join("\n"))
    }
}

/// A value read as an instant, if it is one.
fn instant(value: &Value) -> Option<DateTime<Utc>> {
    match value {
        Value::Number(n) => {
            let n = n.as_i64()?;
            let ms = match n {
                1_000_000_000..100_000_000_000 => n.checked_mul(1000)?,
                1_000_000_000_000..100_000_000_000_000 => n,
                _ => return None,
            };
            Utc.timestamp_millis_opt(ms).single()
        }
        Value::String(s) => DateTime::parse_from_rfc3339(s)
            .map(|t| t.with_timezone(&Utc))
            .ok()
            .or_else(|| {
                NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M:%S%.f")
                    .ok()
                    .map(|t| t.and_utc())
            }),
        _ => None,
    }
}

fn instants(value: &Value, out: &mut Vec<DateTime<Utc>>) {
    match value {
        Value::Object(map) => map.values().for_each(|v| instants(v, out)),
        Value::Array(items) => items.iter().for_each(|v| instants(v, out)),
        // JSON inside text (a query parameter carrying a JSON document).
        Value::String(s) if s.starts_with(['{', '[']) => {
            if let Ok(inner) = serde_json::from_str::<Value>(s) {
                instants(&inner, out);
            }
        }
        other => out.extend(instant(other)),
    }
}

/// The earliest instant a cursor names: its position.
pub fn cursor_position(cursor: &str) -> Option<DateTime<Utc>> {
    let value = serde_json::from_str(cursor).unwrap_or_else(|_| Value::String(cursor.into()));
    let mut found = Vec::new();
    instants(&value, &mut found);
    found.into_iter().min()
}

/// A poll-response case: its name, its runner input and the cursor it gives.
type PollCase = (String, Map<String, Value>, String);

/// The poll-response cases that give a cursor.
fn poll_cases(dir: &Path) -> Result<Vec<PollCase>, String> {
    Ok(fixtures(dir)?
        .into_iter()
        .filter_map(|(name, fixture)| {
            let (function, input) = event_call(&fixture)?;
            let cursor = input.get("cursor")?.as_str()?.to_string();
            (function == "poll-response").then_some((name, input, cursor))
        })
        .collect())
}

/// Every poll case's next cursor is at or after the cursor it was given.
pub fn cursors_forward(adapter: &LoadedAdapter, dir: &Path) -> Result<(), String> {
    let mut failures = Vec::new();
    for (name, input, cursor) in poll_cases(dir)? {
        let Some(from) = cursor_position(&cursor) else {
            continue;
        };
        let Ok((page, _)) = runner::run(adapter, "poll-response", &Value::Object(input)) else {
            continue;
        };
        let Some(next) = page["next_cursor"].as_str() else {
            continue;
        };
        if let Some(to) = cursor_position(next)
            && to < from
        {
            failures.push(format!(
                "{name}: cursor {cursor} → {next} moves back from {from} to {to}"
            ));
        }
    }
    if failures.is_empty() {
        Ok(())
    } else {
        Err(failures.join("\n"))
    }
}

/// The instants a built request names: in its URL, query, headers and body
/// (JSON, a form, or plain text).
fn request_instants(request: &Value) -> Vec<DateTime<Utc>> {
    let mut found = Vec::new();
    instants(&request["query"], &mut found);
    instants(&request["headers"], &mut found);
    if let Some(url) = request["url"].as_str()
        && let Some((_, query)) = url.split_once('?')
    {
        for (_, v) in form_urlencoded::parse(query.as_bytes()) {
            found.extend(instant(&Value::String(v.into_owned())));
        }
    }
    if let Some(body) = request["body"].as_str() {
        match serde_json::from_str::<Value>(body) {
            Ok(json) => instants(&json, &mut found),
            Err(_) => {
                for (_, v) in form_urlencoded::parse(body.as_bytes()) {
                    let v = v.into_owned();
                    match serde_json::from_str::<Value>(&v) {
                        Ok(json) => instants(&json, &mut found),
                        Err(_) => found.extend(instant(&Value::String(v))),
                    }
                }
            }
        }
    }
    found
}

/// The latest instant a request asks for, when it lies before `position`
/// (instants within 14 hours of `now`, the request's own timestamp, aside).
fn asks_before(
    request: &Value,
    now: DateTime<Utc>,
    position: DateTime<Utc>,
) -> Option<DateTime<Utc>> {
    let stamp = chrono::Duration::hours(14);
    request_instants(request)
        .into_iter()
        .filter(|t| (*t - now).abs() > stamp)
        .max()
        .filter(|latest| *latest < position)
}

/// A poll from a cursor in the future (`now` a day before the cursor's
/// position) asks the platform for nothing that lies wholly before the
/// cursor: the latest instant its request names is at or after the cursor,
/// so the platform has nothing to return yet. Instants within 14 hours of
/// `now` are the request's own timestamp (signed in whatever zone the
/// platform uses) and are left out; a request naming no other instant (a
/// harmless `time.get`) asks for nothing. Refusing with a typed error is
/// also nothing.
pub fn future_cursor(adapter: &LoadedAdapter, dir: &Path) -> Result<(), String> {
    let mut failures = Vec::new();
    for (name, fixture) in fixtures(dir)? {
        if fixture["function"].as_str() != Some("poll-request") {
            continue;
        }
        let Some(mut input) = fixture["input"].as_object().cloned() else {
            continue;
        };
        let Some(cursor) = input
            .get("cursor")
            .and_then(Value::as_str)
            .map(str::to_string)
        else {
            continue;
        };
        let Some(position) = cursor_position(&cursor) else {
            continue;
        };
        let now = position - chrono::Duration::days(1);
        input.insert("now".into(), Value::String(now.to_rfc3339()));
        match runner::run(adapter, "poll-request", &Value::Object(input)) {
            Ok((request, _)) => {
                if let Some(latest) = asks_before(&request, now, position) {
                    failures.push(format!(
                        "{name}: with now {now}, cursor {cursor} asks for data up to {latest}, before the cursor"
                    ));
                }
            }
            Err(e) if e.exit_code == 1 => {}
            Err(e) => failures.push(format!("{name}: with a future cursor: {e}")),
        }
    }
    if failures.is_empty() {
        Ok(())
    } else {
        Err(failures.join("\n"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cursor_is_at_its_earliest_instant() {
        let at = |s: &str| cursor_position(s).map(|t| t.to_rfc3339());
        assert_eq!(
            at(r#"{"start":"2024-03-31 08:00:00","end":"2024-03-31 09:00:00","page":2}"#)
                .as_deref(),
            Some("2024-03-31T08:00:00+00:00")
        );
        assert_eq!(
            at(r#"{"after":1711843200000,"offset":0}"#).as_deref(),
            Some("2024-03-31T00:00:00+00:00")
        );
        assert_eq!(
            at(r#"{"start":1711926000,"page":1}"#).as_deref(),
            Some("2024-03-31T23:00:00+00:00")
        );
        assert_eq!(
            at("2024-04-01T00:00:00Z").as_deref(),
            Some("2024-04-01T00:00:00+00:00")
        );
        assert_eq!(at(r#"{"waybillCode":"JDV000123456789","id":33}"#), None);
        assert_eq!(at("page-token-abc"), None);
    }

    #[test]
    fn a_request_from_a_future_cursor_must_not_ask_only_for_the_past() {
        let t = |s: &str| DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc);
        let (now, position) = (t("2024-03-30T08:00:00Z"), t("2024-03-31T08:00:00Z"));
        // A window from the cursor on: nothing to return yet.
        let window = serde_json::json!({"url": "https://api.example.com/orders?start=2024-03-31T08:00:00Z&end=2024-03-31T08:30:00Z", "query": [], "headers": []});
        assert_eq!(asks_before(&window, now, position), None);
        // Only the signing timestamp (local time, eight hours ahead): a no-op call.
        let ping = serde_json::json!({"query": [["timestamp", "2024-03-30 16:00:00"]], "headers": [], "body": ""});
        assert_eq!(asks_before(&ping, now, position), None);
        // A reset to the last day, in a form body with a JSON parameter.
        let reset = serde_json::json!({"query": [], "headers": [], "body": "param_json=%7B%22start%22%3A1711699200%2C%22end%22%3A1711785600%7D&timestamp=1711785600"});
        assert_eq!(
            asks_before(&reset, now, position),
            Some(t("2024-03-29T08:00:00Z"))
        );
    }
}
