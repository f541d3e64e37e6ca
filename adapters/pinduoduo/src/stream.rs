//! The message service (PMC) as the host's own push stream.
//!
//! Pinduoduo pushes messages over one WebSocket per app. The connection is
//! authenticated by its URL, `{endpoint}/{client_id}/{timestamp_ms}/{sign}`
//! (see [`crate::pdd_sign::handshake`]); nothing is sent to log in. After
//! that, every frame either way is JSON text:
//!
//! - the platform sends `Common` frames (one message each), `HeartBeat`
//!   frames, and `Fail` frames when it refuses or ends the session, whose
//!   `message.content` says why;
//! - the client acknowledges each `Common` frame with an `Ack` frame naming
//!   its `id`, `sendTime`, `type` and `mallID`, and sends a `HeartBeat` frame
//!   every five seconds. A message that is not acknowledged is delivered
//!   again, so the acknowledgement goes in the reply's `ack` list: the host
//!   sends it only once the message is stored.
//!
//! Both client frames are written exactly as the public PMC clients write
//! them (field order included), because the platform publishes no schema:
//! `{"id":…,"commandType":"Ack","time":…,"sendTime":…,"type":"…","mallID":…}`
//! and `{"commandType":"HeartBeat","time":…}`, times in Unix milliseconds.
//!
//! A `Common` frame's events come from [`crate::message::common_events`],
//! the same reading the relay path uses, so a message gives the same events
//! whichever way it arrives.

use orderhub_adapter_kit::KitError;
use orderhub_adapter_kit::json::Fields;
use serde_json::{Map, Value};

use crate::bindings::orderhub::adapter::types::{
    Account, AdapterError, OutboundRequest, StreamFrame, StreamReply, StreamSession,
};
use crate::{message, request};

/// The production message-service endpoint.
pub const DEFAULT_STREAM_URL: &str = "wss://message-api.pinduoduo.com/message";

/// How often the client sends a `HeartBeat` frame, in milliseconds: every
/// five seconds, as the public PMC clients do.
pub const HEARTBEAT_MS: u32 = 5_000;

/// The endpoint: the `stream_url` credential, else production.
fn endpoint(account: &Account) -> Result<String, KitError> {
    let url = request::credential(account, "stream_url")
        .unwrap_or(DEFAULT_STREAM_URL)
        .trim();
    if url.starts_with("wss://") || url.starts_with("ws://") {
        Ok(url.trim_end_matches('/').to_string())
    } else {
        Err(KitError::invalid(
            "credentials.stream_url",
            format_args!("{url:?} is not a ws:// or wss:// URL"),
        ))
    }
}

/// How to connect the account's stream: the signed URL, nothing to send
/// first, a heartbeat every [`HEARTBEAT_MS`].
pub fn open(account: &Account, now: i64) -> Result<StreamSession, KitError> {
    let secret = request::client_secret(account)?;
    let client = request::client_id(account)?;
    let url = request::handshake_url(&endpoint(account)?, client, &now.to_string(), secret);
    Ok(StreamSession {
        connect: OutboundRequest {
            method: "GET".into(),
            url,
            query: vec![],
            headers: vec![],
            body: vec![],
        },
        hello: vec![],
        tick_ms: HEARTBEAT_MS,
    })
}

/// The frames to send on each tick: one heartbeat.
pub fn tick(now: i64) -> Vec<StreamFrame> {
    vec![StreamFrame::Text(heartbeat(now))]
}

/// `{"commandType":"HeartBeat","time":<now>}`.
pub fn heartbeat(now: i64) -> String {
    format!(r#"{{"commandType":"HeartBeat","time":{now}}}"#)
}

/// Reads one frame the platform sent.
pub fn receive(frame: &StreamFrame, account: &Account, now: i64) -> Result<StreamReply, KitError> {
    let text = match frame {
        StreamFrame::Text(text) => text,
        StreamFrame::Binary(bytes) => {
            return Err(KitError::MalformedPayload(format!(
                "a binary frame of {} bytes; the message service sends JSON text",
                bytes.len()
            )));
        }
    };
    let value = serde_json::from_str::<Value>(text)
        .map_err(|e| KitError::MalformedPayload(format!("the frame is not JSON: {e}")))?;
    let root = Fields::of(&value, "")
        .map_err(|_| KitError::MalformedPayload("the frame is not a JSON object".into()))?;
    let command = root
        .opt_string("commandType")
        .ok_or_else(|| KitError::MalformedPayload("the frame has no commandType".into()))?;
    match command.as_str() {
        "Common" => {
            let ack = ack(&root, now)?;
            let events = message::common_events(&root, account).map_err(AdapterError::from);
            Ok(StreamReply {
                message: true,
                id: message_id(&value),
                events,
                send: vec![],
                ack: vec![StreamFrame::Text(ack)],
                close: None,
            })
        }
        // The platform's heartbeats and acknowledgements need no answer.
        "HeartBeat" | "Ack" => Ok(control(None)),
        "Fail" => {
            let reason = message::fail_reason(&root);
            let reason = if reason.is_empty() {
                text.chars().take(200).collect()
            } else {
                reason
            };
            Ok(control(Some(format!(
                "the message service sent Fail: {reason}"
            ))))
        }
        other => Err(KitError::invalid(
            "commandType",
            format_args!("{other:?} is not Common, HeartBeat, Ack or Fail"),
        )),
    }
}

/// A frame that is not a message: nothing to keep, send or acknowledge.
/// The frame's `id` as text (numbers beyond 2^53 stay exact).
fn message_id(frame: &Value) -> Option<String> {
    match frame.get("id")? {
        Value::Number(n) => Some(n.to_string()),
        Value::String(s) if !s.is_empty() => Some(s.clone()),
        _ => None,
    }
}

fn control(close: Option<String>) -> StreamReply {
    StreamReply {
        message: false,
        id: None,
        events: Ok(vec![]),
        send: vec![],
        ack: vec![],
        close,
    }
}

/// The `Ack` frame for a `Common` frame:
/// `{"id":…,"commandType":"Ack","time":<now>,"sendTime":…,"type":"…","mallID":…}`.
///
/// `id`, `sendTime` and `mallID` are copied as the JSON values they arrived
/// as, so ids beyond 2^53 stay exact. `id` is required: the platform matches
/// the acknowledgement by it. A missing `sendTime`, `type` or `mallID` is
/// written as `0`, `""` or `0`, which is what the public clients send for a
/// field they did not receive.
fn ack(root: &Fields<'_>, now: i64) -> Result<String, KitError> {
    let id = match root.required("id")? {
        id @ (Value::Number(_) | Value::String(_)) => id.clone(),
        _ => return Err(KitError::invalid("id", "expected a number")),
    };
    let scalar = |value: Option<&Value>, absent: Value| match value {
        Some(v @ (Value::Number(_) | Value::String(_))) => v.clone(),
        _ => absent,
    };
    let message = root.opt_object("message");
    let field = |key: &str| message.as_ref().and_then(|m| m.optional(key));
    let mut ack = Map::new();
    ack.insert("id".into(), id);
    ack.insert("commandType".into(), "Ack".into());
    ack.insert("time".into(), now.into());
    ack.insert(
        "sendTime".into(),
        scalar(root.optional("sendTime"), 0.into()),
    );
    ack.insert("type".into(), scalar(field("type"), "".into()));
    ack.insert("mallID".into(), scalar(field("mallID"), 0.into()));
    Ok(Value::Object(ack).to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bindings::orderhub::adapter::types::{EventBody, Field, StatusDomain};

    /// 2024-04-01 00:00:00 UTC.
    const NOW: i64 = 1_711_929_600_000;

    fn account(credentials: &[(&str, &str)]) -> Account {
        Account {
            id: "shop".into(),
            secrets: vec!["secret".into()],
            credentials: credentials
                .iter()
                .map(|(n, v)| Field {
                    name: (*n).into(),
                    value: (*v).into(),
                })
                .collect(),
        }
    }

    fn text(frame: &str) -> StreamFrame {
        StreamFrame::Text(frame.into())
    }

    const TRADE: &str = r#"{"id":7354931207653261313,"commandType":"Common","time":1711929593000,"sendTime":1711929595000,"message":{"type":"pdd_trade_TradeConfirmed","mallID":100200300,"content":"{\"mall_id\":100200300,\"tid\":\"240401-384756192837465\"}"}}"#;

    #[test]
    fn open_signs_the_url_with_the_published_vector() {
        let session = open(&account(&[("client_id", "app")]), 1_700_000_000_000).unwrap();
        assert_eq!(
            session.connect.url,
            "wss://message-api.pinduoduo.com/message/app/1700000000000/\
             OTgxODMwNDI2NWZiN2NiNzA2NzIxOTI0ZjJlMDMxMjE%3D"
        );
        assert_eq!(session.connect.method, "GET");
        assert_eq!((session.hello.len(), session.tick_ms), (0, 5_000));
        let local = open(
            &account(&[
                ("client_id", "app"),
                ("stream_url", "ws://127.0.0.1:9137/message/"),
            ]),
            1_700_000_000_000,
        )
        .unwrap();
        assert_eq!(
            local.connect.url,
            "ws://127.0.0.1:9137/message/app/1700000000000/\
             OTgxODMwNDI2NWZiN2NiNzA2NzIxOTI0ZjJlMDMxMjE%3D"
        );
    }

    #[test]
    fn open_needs_credentials_and_a_websocket_url() {
        assert!(matches!(
            open(&account(&[]), NOW),
            Err(KitError::MissingCredential(m)) if m.starts_with("client_id")
        ));
        let mut no_secret = account(&[("client_id", "app")]);
        no_secret.secrets.clear();
        assert!(matches!(
            open(&no_secret, NOW),
            Err(KitError::MissingCredential(m)) if m.starts_with("secret")
        ));
        assert!(matches!(
            open(&account(&[("client_id", "app"), ("stream_url", "https://x/message")]), NOW),
            Err(KitError::InvalidField(m)) if m.starts_with("credentials.stream_url")
        ));
    }

    #[test]
    fn tick_sends_one_heartbeat() {
        assert_eq!(
            tick(NOW),
            vec![text(r#"{"commandType":"HeartBeat","time":1711929600000}"#)]
        );
    }

    #[test]
    fn a_common_frame_is_a_message_with_events_and_an_ack() {
        let reply = receive(&text(TRADE), &account(&[("mall_id", "100200300")]), NOW).unwrap();
        assert!(reply.message);
        assert_eq!(
            reply.ack,
            vec![text(
                r#"{"id":7354931207653261313,"commandType":"Ack","time":1711929600000,"sendTime":1711929595000,"type":"pdd_trade_TradeConfirmed","mallID":100200300}"#
            )]
        );
        assert!(reply.send.is_empty());
        assert_eq!(reply.close, None);
        let events = reply.events.unwrap();
        assert_eq!(events.len(), 1);
        assert_eq!(events[0].event_id.as_deref(), Some("7354931207653261313"));
        assert_eq!(events[0].topic, "pdd_trade_TradeConfirmed");
        let status = events[0].status.as_ref().unwrap();
        assert_eq!(
            (status.domain, status.value.as_str()),
            (StatusDomain::Payment, "1")
        );
        match &events[0].body {
            EventBody::Order(order) => assert_eq!(order.external_id, "240401-384756192837465"),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn the_stream_and_the_relay_read_a_frame_alike() {
        let acct = account(&[]);
        let streamed = receive(&text(TRADE), &acct, NOW).unwrap().events.unwrap();
        let relayed = message::normalize(TRADE.as_bytes(), &acct).unwrap();
        assert_eq!(streamed, relayed);
    }

    #[test]
    fn ids_up_to_2_pow_64_and_string_ids_are_echoed_exactly() {
        let big = TRADE.replace("7354931207653261313", "18446744073709551615");
        let reply = receive(&text(&big), &account(&[]), NOW).unwrap();
        assert!(
            matches!(&reply.ack[0], StreamFrame::Text(a) if a.starts_with(r#"{"id":18446744073709551615,"#))
        );
        let quoted = TRADE.replace("7354931207653261313", "\"42\"");
        let reply = receive(&text(&quoted), &account(&[]), NOW).unwrap();
        assert!(matches!(&reply.ack[0], StreamFrame::Text(a) if a.starts_with(r#"{"id":"42","#)));
    }

    #[test]
    fn unreadable_content_is_still_a_message_and_still_acknowledged() {
        let bad = r#"{"id":1,"commandType":"Common","sendTime":2,"message":{"type":"pdd_trade_TradeSellerShip","mallID":3,"content":"{\"tid\":"}}"#;
        let reply = receive(&text(bad), &account(&[]), NOW).unwrap();
        assert!(reply.message);
        assert!(matches!(
            reply.events,
            Err(AdapterError::MalformedPayload(_))
        ));
        assert_eq!(
            reply.ack,
            vec![text(
                r#"{"id":1,"commandType":"Ack","time":1711929600000,"sendTime":2,"type":"pdd_trade_TradeSellerShip","mallID":3}"#
            )]
        );
        // A type the adapter does not handle, or another shop's message, is
        // kept as a dead letter and acknowledged too.
        let goods = r#"{"id":5,"commandType":"Common","sendTime":6,"message":{"type":"pdd_goods_GoodsAdd","mallID":7,"content":"{}"}}"#;
        let reply = receive(&text(goods), &account(&[]), NOW).unwrap();
        assert!(matches!(reply.events, Err(AdapterError::Unsupported(_))));
        assert_eq!(reply.ack.len(), 1);
        let other_shop = receive(&text(TRADE), &account(&[("mall_id", "1")]), NOW).unwrap();
        assert!(
            matches!(other_shop.events, Err(AdapterError::InvalidField(m)) if m.starts_with("message.mallID"))
        );
        assert_eq!(other_shop.ack.len(), 1);
        // Without its message the ack names what it can.
        let bare = receive(
            &text(r#"{"id":9,"commandType":"Common"}"#),
            &account(&[]),
            NOW,
        )
        .unwrap();
        assert!(matches!(bare.events, Err(AdapterError::MissingField(m)) if m == "message"));
        assert_eq!(
            bare.ack,
            vec![text(
                r#"{"id":9,"commandType":"Ack","time":1711929600000,"sendTime":0,"type":"","mallID":0}"#
            )]
        );
    }

    #[test]
    fn heartbeats_and_acks_from_the_platform_are_control_frames() {
        for frame in [
            r#"{"commandType":"HeartBeat","time":1711929600000}"#,
            r#"{"commandType":"HeartBeat"}"#,
            r#"{"id":1,"commandType":"Ack","time":1711929600000}"#,
        ] {
            let reply = receive(&text(frame), &account(&[]), NOW).unwrap();
            assert!(!reply.message, "{frame}");
            assert_eq!(reply.events, Ok(vec![]));
            assert!(reply.send.is_empty() && reply.ack.is_empty());
            assert_eq!(reply.close, None);
        }
    }

    #[test]
    fn a_fail_frame_closes_the_session_with_its_reason() {
        let fail =
            r#"{"commandType":"Fail","time":1711929600000,"message":{"content":"sign error"}}"#;
        let reply = receive(&text(fail), &account(&[]), NOW).unwrap();
        assert!(!reply.message);
        assert!(reply.ack.is_empty());
        assert_eq!(
            reply.close.as_deref(),
            Some("the message service sent Fail: sign error")
        );
        let bare = receive(&text(r#"{"commandType":"Fail"}"#), &account(&[]), NOW).unwrap();
        assert_eq!(
            bare.close.as_deref(),
            Some(r#"the message service sent Fail: {"commandType":"Fail"}"#)
        );
    }

    #[test]
    fn garbage_is_a_malformed_frame() {
        for frame in ["{\"id\":1,", "[1,2]", "\"HeartBeat\"", r#"{"id":1}"#] {
            assert!(
                matches!(
                    receive(&text(frame), &account(&[]), NOW),
                    Err(KitError::MalformedPayload(_))
                ),
                "{frame}"
            );
        }
        assert!(matches!(
            receive(&StreamFrame::Binary(vec![0x7b, 0x7d]), &account(&[]), NOW),
            Err(KitError::MalformedPayload(m)) if m.contains("binary")
        ));
        assert!(matches!(
            receive(&text(r#"{"commandType":"Push"}"#), &account(&[]), NOW),
            Err(KitError::InvalidField(m)) if m.starts_with("commandType")
        ));
        assert!(matches!(
            receive(&text(r#"{"commandType":"Common","message":{}}"#), &account(&[]), NOW),
            Err(KitError::MissingField(m)) if m == "id"
        ));
        assert!(matches!(
            receive(&text(r#"{"id":[1],"commandType":"Common"}"#), &account(&[]), NOW),
            Err(KitError::InvalidField(m)) if m.starts_with("id")
        ));
    }
}
