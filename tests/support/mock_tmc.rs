//! A mock Taobao TMC server on loopback: a real WebSocket server speaking the
//! binary top-link frames (version 2) that `adapters/taobao/README.md`
//! describes. It checks the login's signature, hands out a session token,
//! pushes data messages and redelivers every message not confirmed, on the
//! next connection, as TMC does.
//!
//! The codec here is written from the README's layout, independently of the
//! adapter's own, and the login signature is computed with the RustCrypto
//! MD5, so a session the mock accepts shows the adapter follows the layout
//! and the signing rule rather than agreeing with itself.

use std::collections::BTreeSet;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::extract::State;
use axum::extract::ws::{Message, WebSocket, WebSocketUpgrade};
use axum::response::Response;
use axum::routing::get;
use futures_util::{SinkExt, StreamExt};
use md5::{Digest, Md5};

const CONNECT: u8 = 0;
const CONNECT_ACK: u8 = 1;
const SEND: u8 = 2;

/// The session token the mock hands out.
pub const TOKEN: &str = "00000000-0000-4000-8000-000000000001";

/// One value of a custom header, in the formats the mock uses.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Value {
    Text(String),
    Byte(u8),
    Int64(i64),
    Date(i64),
    /// Any other format, kept raw.
    Other(u8),
}

/// A decoded frame: message type, status code and phrase, token, custom headers.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Frame {
    pub message_type: u8,
    pub status_code: i32,
    pub status_phrase: String,
    pub token: String,
    pub fields: Vec<(String, Value)>,
}

impl Frame {
    pub fn get(&self, name: &str) -> Option<&Value> {
        self.fields.iter().find(|(n, _)| n == name).map(|(_, v)| v)
    }

    fn text(&self, name: &str) -> String {
        match self.get(name) {
            Some(Value::Text(t)) => t.clone(),
            _ => String::new(),
        }
    }
}

fn counted(out: &mut Vec<u8>, text: &str) {
    out.extend_from_slice(&(text.len() as i32).to_le_bytes());
    out.extend_from_slice(text.as_bytes());
}

/// Encodes a frame: version 2, type, token, status, custom headers, end.
pub fn encode(frame: &Frame) -> Vec<u8> {
    let mut out = vec![2, frame.message_type];
    if frame.status_code > 0 {
        out.extend_from_slice(&2u16.to_le_bytes());
        out.extend_from_slice(&frame.status_code.to_le_bytes());
    }
    if !frame.status_phrase.is_empty() {
        out.extend_from_slice(&3u16.to_le_bytes());
        counted(&mut out, &frame.status_phrase);
    }
    if !frame.token.is_empty() {
        out.extend_from_slice(&5u16.to_le_bytes());
        counted(&mut out, &frame.token);
    }
    for (name, value) in &frame.fields {
        out.extend_from_slice(&1u16.to_le_bytes());
        counted(&mut out, name);
        match value {
            Value::Text(t) => {
                out.push(1);
                counted(&mut out, t);
            }
            Value::Byte(b) => out.extend_from_slice(&[2, *b]),
            Value::Int64(n) => {
                out.push(5);
                out.extend_from_slice(&n.to_le_bytes());
            }
            Value::Date(ms) => {
                out.push(6);
                out.extend_from_slice(&ms.to_le_bytes());
            }
            Value::Other(format) => out.push(*format),
        }
    }
    out.extend_from_slice(&[0, 0]);
    out
}

struct Reader<'a>(&'a [u8]);

impl Reader<'_> {
    fn take(&mut self, n: usize) -> Option<&[u8]> {
        if self.0.len() < n {
            return None;
        }
        let (head, rest) = self.0.split_at(n);
        self.0 = rest;
        Some(head)
    }
    fn i32(&mut self) -> Option<i32> {
        Some(i32::from_le_bytes(self.take(4)?.try_into().ok()?))
    }
    fn i64(&mut self) -> Option<i64> {
        Some(i64::from_le_bytes(self.take(8)?.try_into().ok()?))
    }
    fn string(&mut self) -> Option<String> {
        let len = self.i32()?;
        if len <= 0 {
            return Some(String::new());
        }
        String::from_utf8(self.take(len as usize)?.to_vec()).ok()
    }
}

/// Decodes a client frame; `None` for anything outside the layout.
pub fn decode(bytes: &[u8]) -> Option<Frame> {
    let mut r = Reader(bytes);
    let head = r.take(2)?;
    if head[0] != 2 {
        return None;
    }
    let mut frame = Frame {
        message_type: head[1],
        ..Default::default()
    };
    loop {
        let header = u16::from_le_bytes(r.take(2)?.try_into().ok()?);
        match header {
            0 => return Some(frame),
            1 => {
                let name = r.string()?;
                let format = r.take(1)?[0];
                let value = match format {
                    1 => Value::Text(r.string()?),
                    2 => Value::Byte(r.take(1)?[0]),
                    5 => Value::Int64(r.i64()?),
                    6 => Value::Date(r.i64()?),
                    other => Value::Other(other),
                };
                frame.fields.push((name, value));
            }
            2 => frame.status_code = r.i32()?,
            3 => frame.status_phrase = r.string()?,
            4 => {
                r.i32()?;
            }
            5 => frame.token = r.string()?,
            _ => return None,
        }
    }
}

/// The login signature TMC checks.
pub fn login_sign(secret: &str, app_key: &str, group: &str, timestamp: &str) -> String {
    let text = format!("{secret}app_key{app_key}group_name{group}timestamp{timestamp}{secret}");
    hex::encode_upper(Md5::digest(text.as_bytes()))
}

/// The mock's state; tests read and change it while the host is connected.
#[derive(Debug, Default)]
pub struct Tmc {
    pub app_key: String,
    pub secret: String,
    /// Messages in push order: (id, topic, content JSON text).
    pub messages: Vec<(i64, String, String)>,
    pub confirmed: BTreeSet<i64>,
    /// Logins accepted, and refused for a bad signature or app key.
    pub logins: u32,
    pub refused: u32,
    /// Pull requests received.
    pub pulls: u32,
    /// Ids pushed, repeats included.
    pub pushed: Vec<i64>,
    /// Client frames the mock could not read.
    pub unreadable: u32,
}

pub type SharedTmc = Arc<Mutex<Tmc>>;

fn lock(tmc: &SharedTmc) -> std::sync::MutexGuard<'_, Tmc> {
    tmc.lock().unwrap_or_else(|p| p.into_inner())
}

/// Starts the mock on a free loopback port; returns its state and the
/// `stream_url` to configure.
pub async fn start(app_key: &str, secret: &str) -> std::io::Result<(SharedTmc, String)> {
    let listener = tokio::net::TcpListener::bind(SocketAddr::from(([127, 0, 0, 1], 0))).await?;
    let addr = listener.local_addr()?;
    let tmc: SharedTmc = Arc::new(Mutex::new(Tmc {
        app_key: app_key.into(),
        secret: secret.into(),
        ..Default::default()
    }));
    let app = axum::Router::new()
        .route("/", get(connect))
        .with_state(tmc.clone());
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    Ok((tmc, format!("ws://{addr}/")))
}

async fn connect(State(tmc): State<SharedTmc>, upgrade: WebSocketUpgrade) -> Response {
    upgrade.on_upgrade(move |socket| session(tmc, socket))
}

fn data_frame(id: i64, topic: &str, content: &str) -> Vec<u8> {
    encode(&Frame {
        message_type: SEND,
        token: TOKEN.into(),
        fields: vec![
            ("__kind".into(), Value::Byte(3)),
            ("id".into(), Value::Int64(id)),
            ("topic".into(), Value::Text(topic.into())),
            ("content".into(), Value::Text(content.into())),
            (
                "time".into(),
                Value::Date(chrono::Utc::now().timestamp_millis()),
            ),
        ],
        ..Default::default()
    })
}

async fn session(tmc: SharedTmc, socket: WebSocket) {
    let (mut sink, mut stream) = socket.split();
    // The login comes first.
    let login = match stream.next().await {
        Some(Ok(Message::Binary(bytes))) => decode(&bytes),
        _ => None,
    };
    let Some(login) = login.filter(|f| f.message_type == CONNECT) else {
        lock(&tmc).unreadable += 1;
        return;
    };
    let accepted = {
        let mut t = lock(&tmc);
        let expected = login_sign(
            &t.secret,
            &t.app_key,
            &login.text("group_name"),
            &login.text("timestamp"),
        );
        let ok = login.text("app_key") == t.app_key && login.text("sign") == expected;
        if ok {
            t.logins += 1;
        } else {
            t.refused += 1;
        }
        ok
    };
    let ack = if accepted {
        Frame {
            message_type: CONNECT_ACK,
            token: TOKEN.into(),
            ..Default::default()
        }
    } else {
        Frame {
            message_type: CONNECT_ACK,
            status_code: 401,
            status_phrase: "invalid sign".into(),
            ..Default::default()
        }
    };
    if sink
        .send(Message::Binary(encode(&ack).into()))
        .await
        .is_err()
        || !accepted
    {
        let _ = sink.close().await;
        return;
    }
    let mut pushed_here = BTreeSet::new();
    loop {
        let due: Vec<(i64, Vec<u8>)> = {
            let t = lock(&tmc);
            t.messages
                .iter()
                .filter(|(id, _, _)| !t.confirmed.contains(id) && !pushed_here.contains(id))
                .map(|(id, topic, content)| (*id, data_frame(*id, topic, content)))
                .collect()
        };
        for (id, bytes) in due {
            if sink.send(Message::Binary(bytes.into())).await.is_err() {
                return;
            }
            pushed_here.insert(id);
            lock(&tmc).pushed.push(id);
        }
        match tokio::time::timeout(Duration::from_millis(20), stream.next()).await {
            Err(_) => continue,
            Ok(None) | Ok(Some(Err(_))) | Ok(Some(Ok(Message::Close(_)))) => return,
            Ok(Some(Ok(Message::Binary(bytes)))) => record(&tmc, &bytes),
            // WebSocket keepalives, answered by the server itself.
            Ok(Some(Ok(Message::Ping(_) | Message::Pong(_)))) => {}
            Ok(Some(Ok(_))) => lock(&tmc).unreadable += 1,
        }
    }
}

fn record(tmc: &SharedTmc, bytes: &[u8]) {
    let mut t = lock(tmc);
    let Some(frame) = decode(bytes).filter(|f| f.message_type == SEND && f.token == TOKEN) else {
        t.unreadable += 1;
        return;
    };
    match (frame.get("__kind"), frame.get("id")) {
        (Some(Value::Byte(1)), _) => t.pulls += 1,
        (Some(Value::Byte(2)), Some(Value::Int64(id))) => {
            t.confirmed.insert(*id);
        }
        _ => t.unreadable += 1,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_login_sign_matches_the_documented_example() {
        assert_eq!(
            login_sign(
                "sandbox-app-secret-0001",
                "12345678",
                "default",
                "1711929600000"
            ),
            "01F1859BA6CAD9D9E87B805F8D68502A"
        );
    }

    #[test]
    fn the_login_answer_matches_the_documented_bytes() {
        let ack = encode(&Frame {
            message_type: CONNECT_ACK,
            token: TOKEN.into(),
            ..Default::default()
        });
        let mut expected = vec![0x02, 0x01, 0x05, 0x00, 0x24, 0x00, 0x00, 0x00];
        expected.extend_from_slice(TOKEN.as_bytes());
        expected.extend_from_slice(&[0, 0]);
        assert_eq!(ack, expected);
        assert_eq!(decode(&ack).unwrap().token, TOKEN);
    }
}
