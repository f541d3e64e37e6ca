//! A mock Pinduoduo message service on loopback: a real WebSocket server
//! that checks the signed handshake path, pushes `Common` message frames and
//! redelivers every message not acknowledged, the way the platform does, on
//! the next connection.
//!
//! The signature is computed here with the RustCrypto crates, not with the
//! adapter's code (`base64(md5hex(client_id + timestamp + client_secret))`,
//! per `adapters/pinduoduo/README.md`), so a login the mock accepts shows the
//! adapter follows the platform's rule. Acknowledgements are recognised by
//! `commandType: "Ack"` and the message `id`; anything else the client sends
//! is recorded as it came.

use std::collections::BTreeSet;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::extract::ws::{Message, WebSocket, WebSocketUpgrade};
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use base64::Engine as _;
use futures_util::{SinkExt, StreamExt};
use md5::{Digest, Md5};
use serde_json::{Value, json};

/// What the mock does on the next connections, in the order they arrive.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Session {
    /// Push every unacknowledged message, then keep the connection.
    Normal,
    /// Push every unacknowledged message, then close at once, before any
    /// acknowledgement can arrive.
    DropAfterPush,
    /// Answer the login with a `Fail` frame naming this reason, then close.
    Fail(String),
    /// Accept the login, then neither send nor read anything (so no pong
    /// either), as a peer that vanished without closing the connection.
    Silent,
}

/// The mock's state; tests read and change it while the host is connected.
#[derive(Debug, Default)]
pub struct MessageService {
    pub client_id: String,
    pub client_secret: String,
    /// Messages in push order: (id, topic, content JSON).
    pub messages: Vec<(u64, String, Value)>,
    /// Ids acknowledged by the client.
    pub acked: BTreeSet<u64>,
    /// Every id acknowledged, repeats included, in arrival order.
    pub acks: Vec<u64>,
    /// Every frame the client sent that is not an acknowledgement.
    pub other_frames: Vec<String>,
    /// Logins accepted (connections opened).
    pub connections: u32,
    /// Handshakes refused for a bad signature or client id.
    pub refused: u32,
    /// Ids pushed, repeats included, in push order.
    pub pushed: Vec<u64>,
    /// Scripted sessions; `Normal` once it is empty.
    pub sessions: Vec<Session>,
}

pub type SharedService = Arc<Mutex<MessageService>>;

fn lock(service: &SharedService) -> std::sync::MutexGuard<'_, MessageService> {
    service.lock().unwrap_or_else(|p| p.into_inner())
}

/// Starts the mock on a free loopback port; returns its state and the
/// `stream_url` to configure (`ws://127.0.0.1:PORT/message`).
pub async fn start(
    client_id: &str,
    client_secret: &str,
) -> std::io::Result<(SharedService, String)> {
    start_on(
        SocketAddr::from(([127, 0, 0, 1], 0)),
        client_id,
        client_secret,
    )
    .await
}

/// Starts the mock on `addr`.
pub async fn start_on(
    addr: SocketAddr,
    client_id: &str,
    client_secret: &str,
) -> std::io::Result<(SharedService, String)> {
    let listener = tokio::net::TcpListener::bind(addr).await?;
    let addr = listener.local_addr()?;
    let service: SharedService = Arc::new(Mutex::new(MessageService {
        client_id: client_id.into(),
        client_secret: client_secret.into(),
        ..Default::default()
    }));
    let app = axum::Router::new()
        .route("/message/{client_id}/{timestamp}/{sign}", get(connect))
        .with_state(service.clone());
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    Ok((service, format!("ws://{addr}/message")))
}

/// The handshake signature of the message service.
pub fn handshake_sign(client_id: &str, timestamp: &str, secret: &str) -> String {
    let digest = Md5::digest(format!("{client_id}{timestamp}{secret}").as_bytes());
    base64::engine::general_purpose::STANDARD.encode(hex::encode(digest))
}

async fn connect(
    State(service): State<SharedService>,
    Path((client_id, timestamp, sign)): Path<(String, String, String)>,
    upgrade: WebSocketUpgrade,
) -> Response {
    let (expected_id, secret) = {
        let s = lock(&service);
        (s.client_id.clone(), s.client_secret.clone())
    };
    if client_id != expected_id || sign != handshake_sign(&client_id, &timestamp, &secret) {
        lock(&service).refused += 1;
        return (StatusCode::UNAUTHORIZED, "bad sign").into_response();
    }
    upgrade.on_upgrade(move |socket| session(service, socket))
}

fn frame(id: u64, topic: &str, content: &Value) -> String {
    let now = chrono::Utc::now().timestamp_millis();
    json!({
        "id": id,
        "commandType": "Common",
        "time": now,
        "sendTime": now,
        "message": {
            "type": topic,
            "mallID": content.get("mall_id").cloned().unwrap_or(Value::Null),
            "content": content.to_string(),
        }
    })
    .to_string()
}

async fn session(service: SharedService, socket: WebSocket) {
    let script = {
        let mut s = lock(&service);
        s.connections += 1;
        if s.sessions.is_empty() {
            Session::Normal
        } else {
            s.sessions.remove(0)
        }
    };
    if script == Session::Silent {
        tokio::time::sleep(Duration::from_secs(3600)).await;
        drop(socket);
        return;
    }
    let (mut sink, mut stream) = socket.split();
    if let Session::Fail(reason) = &script {
        let fail =
            json!({"commandType": "Fail", "time": 0, "message": {"content": reason}}).to_string();
        let _ = sink.send(Message::Text(fail.into())).await;
        let _ = sink.close().await;
        return;
    }
    // Ids pushed on this connection: a message is pushed once per
    // connection, and again on the next one while it is not acknowledged.
    let mut pushed_here = BTreeSet::new();
    loop {
        let due: Vec<(u64, String)> = {
            let s = lock(&service);
            s.messages
                .iter()
                .filter(|(id, _, _)| !s.acked.contains(id) && !pushed_here.contains(id))
                .map(|(id, topic, content)| (*id, frame(*id, topic, content)))
                .collect()
        };
        for (id, text) in due {
            if sink.send(Message::Text(text.into())).await.is_err() {
                return;
            }
            pushed_here.insert(id);
            lock(&service).pushed.push(id);
        }
        if script == Session::DropAfterPush {
            let _ = sink.close().await;
            return;
        }
        match tokio::time::timeout(Duration::from_millis(20), stream.next()).await {
            Err(_) => continue,
            Ok(None) | Ok(Some(Err(_))) => return,
            Ok(Some(Ok(Message::Text(text)))) => record(&service, text.as_str()),
            Ok(Some(Ok(Message::Close(_)))) => return,
            Ok(Some(Ok(_))) => {}
        }
    }
}

fn record(service: &SharedService, text: &str) {
    let parsed: Value = serde_json::from_str(text).unwrap_or(Value::Null);
    let id = parsed["id"]
        .as_u64()
        .or_else(|| parsed["id"].as_str().and_then(|s| s.parse().ok()));
    let mut s = lock(service);
    match (parsed["commandType"].as_str(), id) {
        (Some("Ack"), Some(id)) => {
            s.acked.insert(id);
            s.acks.push(id);
        }
        _ => s.other_frames.push(text.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_handshake_sign_matches_the_published_vector() {
        // The published vector: client_id `app`, secret `secret`, ts 1700000000000.
        assert_eq!(
            handshake_sign("app", "1700000000000", "secret"),
            "OTgxODMwNDI2NWZiN2NiNzA2NzIxOTI0ZjJlMDMxMjE="
        );
    }
}
