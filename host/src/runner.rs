//! `orderhub adapter run`: one adapter function on a JSON input, JSON out.
//!
//! The JSON forms are documented in `docs/adapter-runner.md`; fixtures wrap
//! the same inputs, so this module is also how the conformance suite calls
//! adapters.

use base64::Engine as _;
use chrono::{DateTime, Utc};
use orderhub_core::model::{
    AccountData, Action, HttpReply, OutboundRequest, PlatformStatus, RawRequest, StatusDomain,
    StreamFrame,
};
use serde_json::{Map, Value, json};

use crate::runtime::{CallError, CallStats, LoadedAdapter};

/// The functions of the contract, by their WIT names.
pub const FUNCTIONS: &[&str] = &[
    "metadata",
    "verify",
    "sign",
    "normalize",
    "status-map",
    "acknowledge",
    "poll-request",
    "poll-response",
    "outbound-action",
    "action-result",
    "cursor-at",
    "stream-open",
    "stream-receive",
    "stream-tick",
];

/// A failed run, printed as `{kind, message}`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{kind}: {message}")]
pub struct RunError {
    pub kind: String,
    pub message: String,
    /// 1: the adapter refused; 2: it crashed or hit a limit; 3: bad input or component.
    pub exit_code: i32,
}

impl RunError {
    pub fn invalid_input(message: impl Into<String>) -> Self {
        RunError {
            kind: "invalid-input".into(),
            message: message.into(),
            exit_code: 3,
        }
    }

    pub fn to_json(&self) -> Value {
        json!({"kind": self.kind, "message": self.message})
    }
}

impl From<CallError> for RunError {
    fn from(e: CallError) -> Self {
        let exit_code = if e.adapter_error().is_some() { 1 } else { 2 };
        let message = match &e {
            CallError::Adapter(a) => a.message.clone(),
            other => other.to_string(),
        };
        RunError {
            kind: e.kind().to_string(),
            message,
            exit_code,
        }
    }
}

/// Runs `function` of `adapter` on `input`.
pub fn run(
    adapter: &LoadedAdapter,
    function: &str,
    input: &Value,
) -> Result<(Value, CallStats), RunError> {
    let obj = match input {
        Value::Object(map) => map.clone(),
        Value::Null => Map::new(),
        _ => return Err(RunError::invalid_input("the input must be a JSON object")),
    };
    let stats_only = |s: CallStats| s;
    match function {
        "metadata" => Ok((
            serde_json::to_value(adapter.metadata()).map_err(internal)?,
            CallStats::default(),
        )),
        "verify" => {
            let stats = adapter.verify(&raw_request(&obj)?, &account(&obj)?, now(&obj)?)?;
            Ok((json!({"ok": true}), stats_only(stats)))
        }
        "normalize" => {
            let (events, stats) = adapter.normalize(&raw_request(&obj)?, &account(&obj)?)?;
            Ok((json!({"events": events}), stats))
        }
        "acknowledge" => {
            let (reply, stats) = adapter.acknowledge(&raw_request(&obj)?)?;
            Ok((reply_json(&reply), stats))
        }
        "status-map" => {
            let (mapping, stats) = adapter.status_map(&platform_status(&obj)?)?;
            Ok((serde_json::to_value(mapping).map_err(internal)?, stats))
        }
        "sign" => {
            let draft = obj
                .get("request")
                .ok_or_else(|| RunError::invalid_input("sign needs a \"request\" object"))?;
            let (signed, stats) =
                adapter.sign(&outbound_request(draft)?, &account(&obj)?, now(&obj)?)?;
            Ok((outbound_json(&signed), stats))
        }
        "poll-request" => {
            let (request, stats) =
                adapter.poll_request(cursor(&obj)?.as_deref(), &account(&obj)?, now(&obj)?)?;
            Ok((outbound_json(&request), stats))
        }
        "poll-response" => {
            let response = obj.get("response").ok_or_else(|| {
                RunError::invalid_input("poll-response needs a \"response\" object")
            })?;
            let (page, stats) = adapter.poll_response(
                cursor(&obj)?.as_deref(),
                &reply(response)?,
                &account(&obj)?,
                now(&obj)?,
            )?;
            Ok((serde_json::to_value(page).map_err(internal)?, stats))
        }
        "outbound-action" => {
            let (request, stats) =
                adapter.outbound_action(&action(&obj)?, &account(&obj)?, now(&obj)?)?;
            Ok((outbound_json(&request), stats))
        }
        "action-result" => {
            let response = obj.get("response").ok_or_else(|| {
                RunError::invalid_input("action-result needs a \"response\" object")
            })?;
            let (outcome, stats) = adapter.action_result(&action(&obj)?, &reply(response)?)?;
            Ok((serde_json::to_value(outcome).map_err(internal)?, stats))
        }
        "cursor-at" => {
            let since = time_field(&obj, "since")?
                .ok_or_else(|| RunError::invalid_input("cursor-at needs \"since\" (RFC 3339)"))?;
            let (cursor, stats) = adapter.cursor_at(since, &account(&obj)?, now(&obj)?)?;
            Ok((json!({"cursor": cursor}), stats))
        }
        "stream-open" => {
            let (session, stats) = adapter.stream_open(&account(&obj)?, now(&obj)?)?;
            let out = json!({
                "connect": outbound_json(&session.connect),
                "hello": frames_json(&session.hello),
                "tick_ms": session.tick_ms,
            });
            Ok((out, stats))
        }
        "stream-receive" => {
            let frame = frame(obj.get("frame"))?;
            let (reply, stats) = adapter.stream_receive(&frame, &account(&obj)?, now(&obj)?)?;
            let mut out = json!({
                "message": reply.message,
                "id": reply.id,
                "send": frames_json(&reply.send),
                "ack": frames_json(&reply.ack),
                "close": reply.close,
            });
            match reply.events {
                Ok(events) => out["events"] = json!(events),
                Err(e) => {
                    out["events_error"] = json!({"kind": e.kind.as_str(), "message": e.message})
                }
            }
            Ok((out, stats))
        }
        "stream-tick" => {
            let (frames, stats) = adapter.stream_tick(&account(&obj)?, now(&obj)?)?;
            Ok((json!({"frames": frames_json(&frames)}), stats))
        }
        other => Err(RunError::invalid_input(format!(
            "unknown function {other:?}; expected one of {}",
            FUNCTIONS.join(", ")
        ))),
    }
}

fn internal(e: serde_json::Error) -> RunError {
    RunError {
        kind: "internal".into(),
        message: e.to_string(),
        exit_code: 3,
    }
}

/// `[name, value]` pairs from an object, an array of pairs, or an array of `{name, value}`.
pub fn pairs(value: Option<&Value>, what: &str) -> Result<Vec<(String, String)>, RunError> {
    let text = |v: &Value| match v {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    };
    let bad = || {
        RunError::invalid_input(format!(
            "{what} must be an object or an array of [name, value] pairs"
        ))
    };
    match value {
        None | Some(Value::Null) => Ok(vec![]),
        Some(Value::Object(map)) => map
            .iter()
            .map(|(k, v)| Ok((k.clone(), text(v).ok_or_else(bad)?)))
            .collect(),
        Some(Value::Array(items)) => items
            .iter()
            .map(|item| match item {
                Value::Array(pair) if pair.len() == 2 => Ok((
                    text(&pair[0]).ok_or_else(bad)?,
                    text(&pair[1]).ok_or_else(bad)?,
                )),
                Value::Object(o) => Ok((
                    o.get("name").and_then(text).ok_or_else(bad)?,
                    o.get("value").and_then(text).ok_or_else(bad)?,
                )),
                _ => Err(bad()),
            })
            .collect(),
        Some(_) => Err(bad()),
    }
}

fn body(obj: &Map<String, Value>) -> Result<Vec<u8>, RunError> {
    match (obj.get("body"), obj.get("body_base64")) {
        (Some(Value::String(s)), None) => Ok(s.as_bytes().to_vec()),
        (None | Some(Value::Null), Some(Value::String(b))) => {
            base64::engine::general_purpose::STANDARD
                .decode(b)
                .map_err(|e| RunError::invalid_input(format!("body_base64: {e}")))
        }
        (None | Some(Value::Null), None) => Ok(vec![]),
        (Some(_), Some(_)) => Err(RunError::invalid_input(
            "give either body or body_base64, not both",
        )),
        _ => Err(RunError::invalid_input(
            "body must be a string (use body_base64 for bytes)",
        )),
    }
}

fn string_field(obj: &Map<String, Value>, key: &str, default: &str) -> Result<String, RunError> {
    match obj.get(key) {
        None | Some(Value::Null) => Ok(default.to_string()),
        Some(Value::String(s)) => Ok(s.clone()),
        Some(_) => Err(RunError::invalid_input(format!("{key} must be a string"))),
    }
}

/// The request-as-received fields of a runner input.
pub fn raw_request(obj: &Map<String, Value>) -> Result<RawRequest, RunError> {
    Ok(RawRequest {
        method: string_field(obj, "method", "POST")?,
        url: string_field(obj, "url", "/")?,
        headers: pairs(obj.get("headers"), "headers")?,
        body: body(obj)?,
    })
}

/// The account fields: an `account` object, or `secrets`/`credentials`/`account_id` at the top level.
pub fn account(obj: &Map<String, Value>) -> Result<AccountData, RunError> {
    let (src, id_key) = match obj.get("account") {
        Some(Value::Object(a)) => (a, "id"),
        _ => (obj, "account_id"),
    };
    let secrets = match src.get("secrets") {
        None | Some(Value::Null) => vec![],
        Some(Value::Array(items)) => items
            .iter()
            .map(|s| {
                s.as_str()
                    .map(str::to_string)
                    .ok_or_else(|| RunError::invalid_input("secrets must be strings"))
            })
            .collect::<Result<_, _>>()?,
        Some(_) => {
            return Err(RunError::invalid_input(
                "secrets must be an array of strings",
            ));
        }
    };
    Ok(AccountData {
        id: string_field(src, id_key, "runner")?,
        secrets,
        credentials: pairs(src.get("credentials"), "credentials")?,
    })
}

/// `now`, or the current time.
pub fn now(obj: &Map<String, Value>) -> Result<DateTime<Utc>, RunError> {
    Ok(time_field(obj, "now")?.unwrap_or_else(Utc::now))
}

/// An RFC 3339 time field, when present.
fn time_field(obj: &Map<String, Value>, key: &str) -> Result<Option<DateTime<Utc>>, RunError> {
    match obj.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => DateTime::parse_from_rfc3339(s)
            .map(|t| Some(t.with_timezone(&Utc)))
            .map_err(|e| RunError::invalid_input(format!("{key}: {s:?} is not RFC 3339 ({e})"))),
        Some(_) => Err(RunError::invalid_input(format!(
            "{key} must be an RFC 3339 string"
        ))),
    }
}

fn action(obj: &Map<String, Value>) -> Result<Action, RunError> {
    serde_json::from_value(obj.get("action").cloned().unwrap_or(Value::Null))
        .map_err(|e| RunError::invalid_input(format!("action: {e}")))
}

/// A frame: `{"text": "…"}` or `{"binary_base64": "…"}`.
fn frame(value: Option<&Value>) -> Result<StreamFrame, RunError> {
    let bad = || RunError::invalid_input("frame must be {\"text\": …} or {\"binary_base64\": …}");
    let obj = value.and_then(Value::as_object).ok_or_else(bad)?;
    match (obj.get("text"), obj.get("binary_base64")) {
        (Some(Value::String(t)), None) => Ok(StreamFrame::Text(t.clone())),
        (None, Some(Value::String(b))) => base64::engine::general_purpose::STANDARD
            .decode(b)
            .map(StreamFrame::Binary)
            .map_err(|e| RunError::invalid_input(format!("frame.binary_base64: {e}"))),
        _ => Err(bad()),
    }
}

/// The JSON form of frames, as `frame` reads them.
pub fn frames_json(frames: &[StreamFrame]) -> Value {
    Value::Array(
        frames
            .iter()
            .map(|f| match f {
                StreamFrame::Text(t) => json!({"text": t}),
                StreamFrame::Binary(b) => {
                    json!({"binary_base64": base64::engine::general_purpose::STANDARD.encode(b)})
                }
            })
            .collect(),
    )
}

fn cursor(obj: &Map<String, Value>) -> Result<Option<String>, RunError> {
    match obj.get("cursor") {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.clone())),
        Some(_) => Err(RunError::invalid_input("cursor must be a string or null")),
    }
}

fn platform_status(obj: &Map<String, Value>) -> Result<PlatformStatus, RunError> {
    let domain: StatusDomain = serde_json::from_value(
        obj.get("domain").cloned().unwrap_or(Value::Null),
    )
    .map_err(|_| {
        RunError::invalid_input(
            "domain must be one of order, payment, fulfillment, refund, presale, tracking",
        )
    })?;
    let value = match obj.get("value") {
        Some(Value::String(s)) => s.clone(),
        Some(Value::Number(n)) => n.to_string(),
        _ => return Err(RunError::invalid_input("value must be a string")),
    };
    Ok(PlatformStatus {
        domain,
        value,
        context: pairs(obj.get("context"), "context")?,
    })
}

fn outbound_request(value: &Value) -> Result<OutboundRequest, RunError> {
    let obj = value
        .as_object()
        .ok_or_else(|| RunError::invalid_input("request must be an object"))?;
    Ok(OutboundRequest {
        method: string_field(obj, "method", "GET")?,
        url: string_field(obj, "url", "")?,
        query: pairs(obj.get("query"), "query")?,
        headers: pairs(obj.get("headers"), "headers")?,
        body: body(obj)?,
    })
}

fn reply(value: &Value) -> Result<HttpReply, RunError> {
    let obj = value
        .as_object()
        .ok_or_else(|| RunError::invalid_input("response must be an object"))?;
    let status = obj.get("status").and_then(Value::as_u64).unwrap_or(200);
    Ok(HttpReply {
        status: u16::try_from(status)
            .map_err(|_| RunError::invalid_input("response.status is out of range"))?,
        headers: pairs(obj.get("headers"), "response.headers")?,
        body: body(obj)?,
    })
}

fn body_json(body: &[u8]) -> (&'static str, Value) {
    match std::str::from_utf8(body) {
        Ok(text) => ("body", Value::String(text.to_string())),
        Err(_) => (
            "body_base64",
            Value::String(base64::engine::general_purpose::STANDARD.encode(body)),
        ),
    }
}

fn pairs_json(pairs: &[(String, String)]) -> Value {
    Value::Array(pairs.iter().map(|(k, v)| json!([k, v])).collect())
}

/// The JSON form of an outbound request.
pub fn outbound_json(r: &OutboundRequest) -> Value {
    let (key, body) = body_json(&r.body);
    let mut obj = json!({"method": r.method, "url": r.url, "query": pairs_json(&r.query), "headers": pairs_json(&r.headers)});
    obj[key] = body;
    obj
}

/// The JSON form of an HTTP reply.
pub fn reply_json(r: &HttpReply) -> Value {
    let (key, body) = body_json(&r.body);
    let mut obj = json!({"status": r.status, "headers": pairs_json(&r.headers)});
    obj[key] = body;
    obj
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn frames_read_back_as_written() {
        let frames = vec![
            StreamFrame::Text("{\"commandType\":\"HeartBeat\"}".into()),
            StreamFrame::Binary(vec![2, 0, 0, 0, 255]),
        ];
        let json = frames_json(&frames);
        assert_eq!(
            json,
            json!([
                {"text": "{\"commandType\":\"HeartBeat\"}"},
                {"binary_base64": "AgAAAP8="}
            ])
        );
        let back: Vec<StreamFrame> = json
            .as_array()
            .unwrap()
            .iter()
            .map(|f| frame(Some(f)).unwrap())
            .collect();
        assert_eq!(back, frames);
        assert_eq!(
            frame(Some(&json!({"text": "a", "binary_base64": "AA=="}))),
            Err(RunError::invalid_input(
                "frame must be {\"text\": …} or {\"binary_base64\": …}"
            ))
        );
    }

    #[test]
    fn times_are_rfc3339() {
        let obj = json!({"since": "2024-04-01T08:00:00+08:00", "now": 5})
            .as_object()
            .cloned()
            .unwrap();
        assert_eq!(
            time_field(&obj, "since").unwrap().map(|t| t.to_rfc3339()),
            Some("2024-04-01T00:00:00+00:00".into())
        );
        assert_eq!(time_field(&obj, "missing").unwrap(), None);
        assert!(time_field(&obj, "now").is_err());
    }
}
