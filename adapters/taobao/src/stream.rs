//! The TMC push stream: how to log in, what each frame from TMC means, and
//! what goes back.
//!
//! TMC pushes an app's messages over one WebSocket per app key and group
//! ([`tmc_frame`] has the frame format). The session, as the SDKs run it:
//!
//! 1. The client opens `ws://mc.api.taobao.com/` and sends a `CONNECT` frame
//!    with `app_key`, `group_name`, `timestamp` (ms), `sign` and `sdk`; `sign`
//!    is the TOP md5 signature of the first three with the app secret.
//! 2. TMC answers `CONNECTACK`: an error status refuses the login; otherwise
//!    its token header is the session token.
//! 3. TMC pushes each message as a `SEND` frame carrying the token and the
//!    message fields as custom headers (`id`, `topic`, `content`, `time`,
//!    `nick`, `userid`, `publisher`, …).
//! 4. The client confirms each message with a `SEND` frame `__kind = 2`
//!    (confirm) and the message `id`; an unconfirmed message is delivered
//!    again. Clients may also send `__kind = 1` (pull request) to ask for
//!    waiting messages; the Java SDK does so every 30 s "as compensation,
//!    since TMC pushes".
//!
//! The contract's functions are stateless, so the token is never stored:
//! a confirm carries the token of the frame it confirms (top-link servers
//! stamp every frame they send with the session's token), and one pull
//! request goes out right after the login, when the token is at hand.
//! Periodic pulls would need the token without a frame to take it from, so
//! `tick-ms` is 0 and `stream-tick` sends nothing; TMC's own pushes carry
//! the messages.

use orderhub_adapter_kit::KitError;

use crate::bindings::orderhub::adapter::types::{
    Account, AdapterError, Event, OutboundRequest, StreamFrame, StreamReply, StreamSession,
};
use crate::request;
use crate::tmc::{self, PubTime, TmcMessage};
use crate::tmc_frame::{self, Frame, MessageType, Value, kind};
use crate::top_sign::{self, SignMethod};

/// The production TMC endpoint.
pub const DEFAULT_STREAM_URL: &str = "ws://mc.api.taobao.com/";
/// The group every app has; others are created in the TMC console.
pub const DEFAULT_GROUP: &str = "default";
/// What the login names as the client library (the SDKs send their own
/// names; the server only records it).
pub const SDK: &str = "orderhub-taobao";

/// How to open the account's stream: the URL and the signed `CONNECT` frame.
pub fn open(account: &Account, now: i64) -> Result<StreamSession, KitError> {
    let app_key = request::credential(account, "app_key").ok_or_else(|| {
        KitError::MissingCredential("app_key: the TOP app key is needed to log in to TMC".into())
    })?;
    let secret = request::app_secret(account)?;
    let group = request::credential(account, "tmc_group").unwrap_or(DEFAULT_GROUP);
    let url = stream_url(account)?;
    let timestamp = now.to_string();
    let sign = connect_sign(app_key, group, &timestamp, secret);
    let hello = tmc_frame::encode(&tmc_frame::connect(app_key, group, &timestamp, &sign, SDK))?;
    Ok(StreamSession {
        connect: OutboundRequest {
            method: "GET".into(),
            url,
            query: vec![],
            headers: vec![],
            body: vec![],
        },
        hello: vec![StreamFrame::Binary(hello)],
        tick_ms: 0,
    })
}

/// The login signature: UPPER md5(secret + "app_key" + key + "group_name" +
/// group + "timestamp" + ms + secret) — the TOP rule over those three fields.
pub fn connect_sign(app_key: &str, group: &str, timestamp: &str, secret: &str) -> String {
    top_sign::sign(
        [
            ("app_key", app_key),
            ("group_name", group),
            ("timestamp", timestamp),
        ],
        secret,
        SignMethod::Md5,
    )
}

/// The `stream_url` credential (a test server or the sandbox), else production.
fn stream_url(account: &Account) -> Result<String, KitError> {
    match request::credential(account, "stream_url") {
        None => Ok(DEFAULT_STREAM_URL.into()),
        Some(url) if url.starts_with("ws://") || url.starts_with("wss://") => Ok(url.into()),
        Some(url) => Err(KitError::invalid(
            "credentials.stream_url",
            format_args!("{url:?} is not a ws:// or wss:// URL"),
        )),
    }
}

/// What one frame from TMC means. Frames that cannot be decoded are errors.
pub fn receive(frame: &StreamFrame) -> Result<StreamReply, KitError> {
    let bytes = match frame {
        StreamFrame::Binary(bytes) => bytes,
        StreamFrame::Text(_) => {
            return Err(KitError::MalformedPayload(
                "a text frame: TMC frames are binary (the top-link protocol), never text".into(),
            ));
        }
    };
    let frame = tmc_frame::decode(bytes)?;
    match frame.message_type {
        MessageType::ConnectAck => connect_ack(&frame),
        MessageType::Send if is_data(&frame) => data(&frame),
        // Error replies (the Java SDK only logs them), other kinds, `SENDACK`
        // replies to requests this adapter never makes, and a `CONNECT`
        // the server has no reason to send: nothing to do.
        _ => Ok(control(vec![], None)),
    }
}

/// Frames for the `tick-ms` timer: none (see the module documentation).
pub fn tick() -> Vec<StreamFrame> {
    Vec::new()
}

fn control(send: Vec<StreamFrame>, close: Option<String>) -> StreamReply {
    StreamReply {
        message: false,
        id: None,
        events: Ok(vec![]),
        send,
        ack: vec![],
        close,
    }
}

/// The login's answer. Failure as top-link reads it: a status code above 0,
/// a status phrase, or no token.
fn connect_ack(frame: &Frame) -> Result<StreamReply, KitError> {
    if frame.is_error() {
        return Ok(control(
            vec![],
            Some(format!(
                "TMC refused the login: status {} {:?}",
                frame.status_code, frame.status_phrase
            )),
        ));
    }
    if frame.token.is_empty() {
        return Ok(control(
            vec![],
            Some("TMC answered the login without a session token".into()),
        ));
    }
    let pull = tmc_frame::encode(&tmc_frame::pull_request(&frame.token))?;
    Ok(control(vec![StreamFrame::Binary(pull)], None))
}

/// A `SEND` from TMC is a data message unless it reports an error or names
/// another kind (`__kind` is 3 for data; a frame without it counts as data,
/// as every SDK treats TMC's `SEND` frames).
fn is_data(frame: &Frame) -> bool {
    !frame.is_error()
        && match frame.get(kind::FIELD) {
            None | Some(Value::Void) => true,
            Some(value) => value.as_i64() == Some(i64::from(kind::DATA)),
        }
}

/// A data message: its events (or why they cannot be read) and its confirm.
fn data(frame: &Frame) -> Result<StreamReply, KitError> {
    let ack = match frame.get("id") {
        None | Some(Value::Void) => vec![],
        Some(id) => {
            let confirm = tmc_frame::confirm(&frame.token, id.clone());
            vec![StreamFrame::Binary(tmc_frame::encode(&confirm)?)]
        }
    };
    let id = match frame.get("id") {
        Some(Value::Text(text)) if !text.is_empty() => Some(text.clone()),
        Some(value) => value.as_i64().map(|n| n.to_string()),
        None => None,
    };
    Ok(StreamReply {
        message: true,
        id,
        events: events(frame).map_err(AdapterError::from),
        send: vec![],
        ack,
        close: None,
    })
}

/// A data frame's fields as the message the relay path also normalizes.
fn events(frame: &Frame) -> Result<Vec<Event>, KitError> {
    let id = match frame.get("id") {
        None | Some(Value::Void) => None,
        Some(Value::Text(text)) => Some(text.clone()),
        Some(value) => Some(
            value
                .as_i64()
                .ok_or_else(|| not_expected("id", value, "an integer"))?
                .to_string(),
        ),
    };
    let content = match frame.get("content") {
        None | Some(Value::Void) => None,
        Some(Value::Text(text)) => Some(text.as_str()),
        Some(Value::Bytes(_)) => {
            return Err(KitError::Unsupported(
                "content arrived gzip-compressed (a byte array); this adapter reads TMC content only as text"
                    .into(),
            ));
        }
        Some(value) => return Err(not_expected("content", value, "text")),
    };
    let topic = match frame.get("topic") {
        None | Some(Value::Void) => None,
        Some(Value::Text(text)) => Some(text.as_str()),
        Some(value) => return Err(not_expected("topic", value, "text")),
    };
    let pub_time = match frame.get("time") {
        None | Some(Value::Void) => None,
        Some(Value::Date(at) | Value::Int64(at)) => Some(PubTime::Millis(*at)),
        Some(Value::Text(text)) => Some(PubTime::Local(text)),
        Some(value) => return Err(not_expected("time", value, "a date")),
    };
    tmc::events(&TmcMessage {
        topic,
        content,
        id: id.as_deref(),
        pub_time,
    })
}

fn not_expected(field: &str, value: &Value, expected: &str) -> KitError {
    KitError::invalid(
        field,
        format_args!("the frame gives {value:?}, not {expected}"),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bindings::orderhub::adapter::types::{EventBody, Field, StatusDomain};

    /// 2024-04-01 08:00:00 +08:00.
    const NOW: i64 = 1_711_929_600_000;
    const TOKEN: &str = "00000000-0000-4000-8000-000000000001";
    const CONTENT: &str = r#"{"tid":123456789,"status":"WAIT_SELLER_SEND_GOODS"}"#;

    fn account(extra: &[(&str, &str)]) -> Account {
        let field = |n: &str, v: &str| Field {
            name: n.into(),
            value: v.into(),
        };
        let mut credentials = vec![field("app_key", "12345678")];
        credentials.extend(extra.iter().map(|(n, v)| field(n, v)));
        Account {
            id: "shop".into(),
            secrets: vec!["sandbox-app-secret-0001".into()],
            credentials,
        }
    }

    fn binary(frame: &StreamFrame) -> &[u8] {
        match frame {
            StreamFrame::Binary(bytes) => bytes,
            StreamFrame::Text(text) => panic!("a text frame: {text}"),
        }
    }

    /// The README's example data message.
    fn data_frame() -> Frame {
        let mut frame = Frame::new(MessageType::Send)
            .with(kind::FIELD, Value::Byte(kind::DATA))
            .with("id", Value::Int64(1001))
            .with("topic", Value::Text("taobao_trade_TradeBuyerPay".into()))
            .with("content", Value::Text(CONTENT.into()))
            .with("time", Value::Date(1_711_929_570_000))
            .with("nick", Value::Text("sandbox_shop".into()))
            .with("userid", Value::Int64(2_200_123_456_789));
        frame.token = TOKEN.into();
        frame
    }

    fn connect_ack_frame(token: &str) -> Frame {
        let mut frame = Frame::new(MessageType::ConnectAck);
        frame.token = token.into();
        frame
    }

    fn receive_frame(frame: &Frame) -> Result<StreamReply, KitError> {
        receive(&StreamFrame::Binary(tmc_frame::encode(frame).unwrap()))
    }

    /// Sixteen bytes a line: offset, then the bytes in hex.
    fn hex_dump(bytes: &[u8]) -> String {
        bytes
            .chunks(16)
            .enumerate()
            .map(|(i, line)| {
                let hex: Vec<String> = line.iter().map(|b| format!("{b:02x}")).collect();
                format!("{:04x}  {}\n", i * 16, hex.join(" "))
            })
            .collect()
    }

    #[test]
    fn the_login_signature_matches_a_computed_vector() {
        // md5("sandbox-app-secret-0001app_key12345678group_namedefault
        // timestamp1711929600000sandbox-app-secret-0001"), upper-case hex,
        // computed with Python's hashlib.
        assert_eq!(
            connect_sign(
                "12345678",
                "default",
                "1711929600000",
                "sandbox-app-secret-0001"
            ),
            "01F1859BA6CAD9D9E87B805F8D68502A"
        );
    }

    #[test]
    fn open_signs_the_login_and_defaults_url_and_group() {
        let session = open(&account(&[]), NOW).unwrap();
        assert_eq!(session.connect.method, "GET");
        assert_eq!(session.connect.url, "ws://mc.api.taobao.com/");
        assert!(session.connect.query.is_empty() && session.connect.headers.is_empty());
        assert_eq!(session.tick_ms, 0);
        assert_eq!(session.hello.len(), 1);
        let login = tmc_frame::decode(binary(&session.hello[0])).unwrap();
        assert_eq!(
            login,
            tmc_frame::connect(
                "12345678",
                "default",
                "1711929600000",
                "01F1859BA6CAD9D9E87B805F8D68502A",
                "orderhub-taobao"
            )
        );

        let test_server = account(&[
            ("stream_url", "ws://127.0.0.1:9000/"),
            ("tmc_group", "orders"),
        ]);
        let session = open(&test_server, NOW).unwrap();
        assert_eq!(session.connect.url, "ws://127.0.0.1:9000/");
        let login = tmc_frame::decode(binary(&session.hello[0])).unwrap();
        assert_eq!(
            login.get("group_name"),
            Some(&Value::Text("orders".into())),
            "the group comes from tmc_group"
        );
        assert_eq!(
            login.get("sign"),
            Some(&Value::Text(connect_sign(
                "12345678",
                "orders",
                "1711929600000",
                "sandbox-app-secret-0001"
            )))
        );
        assert!(tick().is_empty());
    }

    #[test]
    fn open_refuses_missing_credentials_and_non_websocket_urls() {
        let mut no_key = account(&[]);
        no_key.credentials.clear();
        assert!(
            matches!(open(&no_key, NOW), Err(KitError::MissingCredential(m)) if m.starts_with("app_key"))
        );
        let mut no_secret = account(&[]);
        no_secret.secrets.clear();
        assert!(
            matches!(open(&no_secret, NOW), Err(KitError::MissingCredential(m)) if m.starts_with("secret"))
        );
        let http = account(&[("stream_url", "http://127.0.0.1:9000/")]);
        assert!(
            matches!(open(&http, NOW), Err(KitError::InvalidField(m)) if m.starts_with("credentials.stream_url"))
        );
    }

    #[test]
    fn a_good_connect_ack_is_control_and_pulls_once() {
        let reply = receive_frame(&connect_ack_frame(TOKEN)).unwrap();
        assert!(!reply.message);
        assert_eq!(reply.events, Ok(vec![]));
        assert_eq!(reply.close, None);
        assert!(reply.ack.is_empty());
        assert_eq!(
            reply.send,
            vec![StreamFrame::Binary(
                tmc_frame::encode(&tmc_frame::pull_request(TOKEN)).unwrap()
            )]
        );
    }

    #[test]
    fn a_failed_connect_ack_closes_with_the_reason() {
        let mut refused = Frame::new(MessageType::ConnectAck);
        refused.status_code = 401;
        refused.status_phrase = "invalid sign".into();
        let reply = receive_frame(&refused).unwrap();
        assert!(!reply.message);
        assert_eq!(
            reply.close.as_deref(),
            Some("TMC refused the login: status 401 \"invalid sign\"")
        );
        let phrase_only = {
            let mut f = Frame::new(MessageType::ConnectAck);
            f.status_phrase = "app not subscribed".into();
            f.token = TOKEN.into();
            f
        };
        assert!(receive_frame(&phrase_only).unwrap().close.is_some());
        let no_token = receive_frame(&connect_ack_frame("")).unwrap();
        assert_eq!(
            no_token.close.as_deref(),
            Some("TMC answered the login without a session token")
        );
    }

    #[test]
    fn a_data_message_gives_the_relay_events_and_a_confirm() {
        let reply = receive_frame(&data_frame()).unwrap();
        assert!(reply.message);
        assert_eq!(reply.close, None);
        assert!(reply.send.is_empty());
        assert_eq!(
            reply.ack,
            vec![StreamFrame::Binary(
                tmc_frame::encode(&tmc_frame::confirm(TOKEN, Value::Int64(1001))).unwrap()
            )]
        );
        let events = reply.events.unwrap();
        assert_eq!(events.len(), 1);
        let event = &events[0];
        assert_eq!(event.event_id.as_deref(), Some("1001"));
        assert_eq!(event.topic, "taobao_trade_TradeBuyerPay");
        assert_eq!(event.occurred_at, Some(1_711_929_570_000));
        let status = event.status.as_ref().unwrap();
        assert_eq!(
            (status.domain, status.value.as_str()),
            (StatusDomain::Order, "WAIT_SELLER_SEND_GOODS")
        );
        match &event.body {
            EventBody::Order(order) => assert_eq!(order.external_id, "123456789"),
            other => panic!("{other:?}"),
        }

        // The same message through the relay form gives the same events.
        let relayed = tmc::normalize(
            orderhub_adapter_kit::http::encode_form([
                ("topic", "taobao_trade_TradeBuyerPay"),
                ("content", CONTENT),
                ("id", "1001"),
                ("pub_time", "2024-04-01 07:59:30"),
            ])
            .as_bytes(),
        )
        .unwrap();
        assert_eq!(relayed, events);
    }

    #[test]
    fn unreadable_content_is_a_kept_message_that_is_still_confirmed() {
        let mut bad = data_frame();
        bad.content.retain(|(n, _)| n != "content");
        bad = bad.with("content", Value::Text("{\"tid\":".into()));
        let reply = receive_frame(&bad).unwrap();
        assert!(reply.message);
        assert!(matches!(
            reply.events,
            Err(AdapterError::MalformedPayload(_))
        ));
        assert_eq!(reply.ack.len(), 1);

        let mut gzipped = data_frame();
        gzipped.content.retain(|(n, _)| n != "content");
        gzipped = gzipped.with("content", Value::Bytes(vec![0x1f, 0x8b, 8, 0]));
        let reply = receive_frame(&gzipped).unwrap();
        assert!(matches!(reply.events, Err(AdapterError::Unsupported(m)) if m.contains("gzip")));
        assert_eq!(reply.ack.len(), 1);

        let mut other_topic = data_frame();
        other_topic.content.retain(|(n, _)| n != "topic");
        other_topic = other_topic.with("topic", Value::Text("taobao_item_ItemAdd".into()));
        let reply = receive_frame(&other_topic).unwrap();
        assert!(matches!(reply.events, Err(AdapterError::Unsupported(_))));
        assert_eq!(reply.ack.len(), 1);
    }

    #[test]
    fn a_message_without_kind_is_data_and_one_without_id_has_no_confirm() {
        let mut plain = data_frame();
        plain.content.retain(|(n, _)| n != kind::FIELD && n != "id");
        let reply = receive_frame(&plain).unwrap();
        assert!(reply.message);
        assert!(reply.ack.is_empty());
        assert_eq!(reply.events.unwrap()[0].event_id, None);
    }

    #[test]
    fn error_replies_and_other_kinds_are_control() {
        let mut error = Frame::new(MessageType::Send);
        error.status_code = 500;
        error.token = TOKEN.into();
        let reply = receive_frame(&error).unwrap();
        assert!(!reply.message && reply.close.is_none() && reply.ack.is_empty());
        let pull = receive_frame(&tmc_frame::pull_request(TOKEN)).unwrap();
        assert!(!pull.message);
        let ack = receive_frame(&Frame::new(MessageType::SendAck)).unwrap();
        assert!(!ack.message);
    }

    #[test]
    fn undecodable_and_text_frames_are_errors() {
        assert!(
            matches!(receive(&StreamFrame::Text("{}".into())), Err(KitError::MalformedPayload(m)) if m.contains("binary"))
        );
        let bytes = tmc_frame::encode(&data_frame()).unwrap();
        for len in [0, 1, 2, 10, bytes.len() - 1] {
            assert!(matches!(
                receive(&StreamFrame::Binary(bytes[..len].to_vec())),
                Err(KitError::MalformedPayload(_))
            ));
        }
    }

    #[test]
    fn the_readme_shows_these_exact_frames() {
        let readme = include_str!("../README.md");
        let session = open(&account(&[]), NOW).unwrap();
        let frames = [
            ("connect", binary(&session.hello[0]).to_vec()),
            ("data", tmc_frame::encode(&data_frame()).unwrap()),
            (
                "confirm",
                tmc_frame::encode(&tmc_frame::confirm(TOKEN, Value::Int64(1001))).unwrap(),
            ),
            (
                "connect ack",
                tmc_frame::encode(&connect_ack_frame(TOKEN)).unwrap(),
            ),
            (
                "pull request",
                tmc_frame::encode(&tmc_frame::pull_request(TOKEN)).unwrap(),
            ),
        ];
        for (name, bytes) in frames {
            let dump = hex_dump(&bytes);
            assert!(
                readme.contains(&dump),
                "the README lacks the {name} frame:\n{dump}"
            );
        }
        let mut refused = Frame::new(MessageType::ConnectAck);
        refused.status_code = 401;
        refused.status_phrase = "invalid sign".into();
        let dump = hex_dump(&tmc_frame::encode(&refused).unwrap());
        assert!(
            readme.contains(&dump),
            "the README lacks the refusal:\n{dump}"
        );
    }
}
