//! Keeping platforms' push streams connected (Taobao TMC, the Pinduoduo
//! message service).
//!
//! Some platforms push order changes only over a WebSocket. For every
//! account with an `[accounts.stream]` section, one task keeps that
//! connection: the adapter signs the handshake (`stream-open`), the host
//! connects — only to a host the adapter declares or the account's
//! `stream_url` names — and sends the adapter's login frames. Each frame the
//! platform sends goes through the pipeline (`Pipeline::ingest_frame`): the
//! adapter reads it, a message is committed raw with its events, and only
//! then are its acknowledgements sent, so a message lost between receipt and
//! commit is redelivered by the platform. A message whose content cannot be
//! read is kept as a dead letter (replayable after a fix) and acknowledged.
//!
//! A connection that goes quiet is not trusted: the host pings every
//! `keepalive_secs` and gives the connection up when nothing at all (a frame
//! or a pong) has arrived for `idle_limit_secs`, since a peer that vanished
//! without closing the TCP connection would otherwise hold the session
//! forever.
//!
//! When the connection drops, the platform ends the session or the store
//! fails, the task reconnects after a wait that doubles from
//! `reconnect_min_ms` up to `reconnect_max_secs`, and starts from
//! `reconnect_min_ms` again once a session has carried a message. Each
//! session asks the registry for the adapter, so an adapter swapped while
//! connected takes over at the next frame.

pub mod entry;

use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use orderhub_core::model::StreamFrame;
use reqwest::Url;
use tokio::task::JoinHandle;
use tokio_tungstenite::tungstenite::{self, Message, client::IntoClientRequest};

use crate::config::StreamSettings;
use crate::pipeline::{Pipeline, PipelineError};
use crate::poll::allow_list;
use crate::poll::http::host_of;
use crate::runtime::CallError;

/// How long connecting and the WebSocket handshake may take.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(20);

/// Why a session ended.
#[derive(Debug, thiserror::Error)]
pub enum SessionError {
    #[error("stream-open: {0}")]
    Open(CallError),
    #[error("stream-tick: {0}")]
    Tick(CallError),
    #[error("{url} is not a ws:// or wss:// URL")]
    BadUrl { url: String },
    #[error("{host} is not an allowed host for this account (allowed: {allowed})")]
    NotAllowed { host: String, allowed: String },
    #[error("connecting to {origin}: {message}")]
    Connect { origin: String, message: String },
    #[error("connecting to {origin} timed out")]
    ConnectTimeout { origin: String },
    #[error("the connection to {origin} failed: {message}")]
    Transport { origin: String, message: String },
    #[error("{origin} closed the connection{reason}")]
    Closed { origin: String, reason: String },
    #[error("the platform ended the session: {0}")]
    Ended(String),
    #[error("{origin} sent nothing, not even a pong, for {silent:?}")]
    Silent { origin: String, silent: Duration },
    #[error(transparent)]
    Pipeline(#[from] PipelineError),
}

/// What one session did before it ended.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct SessionReport {
    /// Messages committed (new or redelivered).
    pub messages: u64,
}

/// Keeps one account's push stream connected.
#[derive(Clone)]
pub struct Consumer {
    pipeline: Pipeline,
    adapter: String,
    account: String,
    settings: StreamSettings,
}

impl Consumer {
    pub fn new(pipeline: Pipeline, adapter: &str, account: &str, settings: StreamSettings) -> Self {
        Consumer {
            pipeline,
            adapter: adapter.to_string(),
            account: account.to_string(),
            settings,
        }
    }

    /// Connects, reads and reconnects until the task is aborted.
    pub async fn run(self) {
        let mut wait = self.settings.reconnect_min;
        loop {
            let mut report = SessionReport::default();
            let ended = self.session(&mut report).await;
            if report.messages > 0 {
                wait = self.settings.reconnect_min;
            }
            let Err(e) = ended;
            tracing::warn!(
                adapter = self.adapter,
                account = self.account,
                messages = report.messages,
                retry_in = ?wait,
                "push stream ended: {e}"
            );
            tokio::time::sleep(wait).await;
            wait = (wait * 2).min(self.settings.reconnect_max);
        }
    }

    /// One connection, from the signed handshake to its end; it only ever
    /// ends with the reason why.
    pub async fn session(
        &self,
        report: &mut SessionReport,
    ) -> Result<std::convert::Infallible, SessionError> {
        let (adapter, account) = self.pipeline.resolve(&self.adapter, &self.account)?;
        let opened = {
            let (adapter, data) = (adapter.clone(), account.data.clone());
            self.pipeline
                .blocking(move || adapter.stream_open(&data, chrono::Utc::now()))
                .await?
        };
        let session = opened.map_err(SessionError::Open)?.0;
        let url = stream_url(&session.connect.url, &session.connect.query)?;
        let origin = entry::origin(url.as_str());
        let host = url.host_str().unwrap_or_default().to_ascii_lowercase();
        let mut allowed = allow_list(&adapter, &account);
        if let Some(own) = account
            .data
            .credentials
            .iter()
            .find(|(name, _)| name == "stream_url")
            .and_then(|(_, url)| host_of(url))
        {
            allowed.declared.push(own);
        }
        if !allowed.allows(&host) {
            return Err(SessionError::NotAllowed {
                host,
                allowed: allowed.declared.join(", "),
            });
        }

        let mut request =
            url.as_str()
                .into_client_request()
                .map_err(|e| SessionError::Connect {
                    origin: origin.clone(),
                    message: e.to_string(),
                })?;
        for (name, value) in &session.connect.headers {
            let (Ok(name), Ok(value)) = (
                tungstenite::http::HeaderName::from_bytes(name.as_bytes()),
                tungstenite::http::HeaderValue::from_str(value),
            ) else {
                return Err(SessionError::Connect {
                    origin,
                    message: format!("the adapter's header {name:?} is not a valid HTTP header"),
                });
            };
            request.headers_mut().insert(name, value);
        }
        ensure_crypto_provider();
        let connecting = tokio_tungstenite::connect_async(request);
        let (mut socket, _) = tokio::time::timeout(CONNECT_TIMEOUT, connecting)
            .await
            .map_err(|_| SessionError::ConnectTimeout {
                origin: origin.clone(),
            })?
            .map_err(|e| SessionError::Connect {
                origin: origin.clone(),
                message: e.to_string(),
            })?;
        tracing::info!(
            adapter = self.adapter,
            account = self.account,
            origin,
            "push stream connected"
        );
        let transport = |e: tungstenite::Error| SessionError::Transport {
            origin: origin.clone(),
            message: e.to_string(),
        };
        for frame in session.hello {
            socket.send(message(frame)).await.map_err(transport)?;
        }

        let tick_every = Duration::from_millis(u64::from(session.tick_ms));
        let mut ticks = tokio::time::interval(if tick_every.is_zero() {
            Duration::from_secs(3600)
        } else {
            tick_every
        });
        ticks.tick().await;
        let mut keepalive = tokio::time::interval(self.settings.keepalive);
        keepalive.tick().await;
        let mut heard = tokio::time::Instant::now();
        loop {
            tokio::select! {
                received = socket.next() => {
                    heard = tokio::time::Instant::now();
                    let frame = match received {
                        None => return Err(SessionError::Closed { origin, reason: String::new() }),
                        Some(Err(e)) => return Err(transport(e)),
                        Some(Ok(Message::Text(text))) => StreamFrame::Text(text.to_string()),
                        Some(Ok(Message::Binary(bytes))) => StreamFrame::Binary(bytes.to_vec()),
                        Some(Ok(Message::Close(close))) => {
                            let reason = close
                                .map(|c| format!(" ({} {})", c.code, c.reason))
                                .unwrap_or_default();
                            return Err(SessionError::Closed { origin, reason });
                        }
                        // Pings are answered by tungstenite itself.
                        Some(Ok(_)) => continue,
                    };
                    let outcome = self
                        .pipeline
                        .ingest_frame(&self.adapter, &self.account, origin.clone(), frame)
                        .await?;
                    for frame in outcome.send {
                        socket.send(message(frame)).await.map_err(transport)?;
                    }
                    if outcome.stored.is_some() {
                        report.messages += 1;
                    }
                    // Sent only now: the message is committed.
                    for frame in outcome.ack {
                        socket.send(message(frame)).await.map_err(transport)?;
                    }
                    if let Some(reason) = outcome.close {
                        let _ = socket.close(None).await;
                        return Err(SessionError::Ended(reason));
                    }
                }
                _ = keepalive.tick() => {
                    if heard.elapsed() >= self.settings.idle_limit {
                        let _ = socket.close(None).await;
                        return Err(SessionError::Silent { origin, silent: heard.elapsed() });
                    }
                    socket.send(Message::Ping(Vec::new().into())).await.map_err(transport)?;
                }
                _ = ticks.tick(), if !tick_every.is_zero() => {
                    let (adapter, data) = (adapter.clone(), account.data.clone());
                    let frames = self
                        .pipeline
                        .blocking(move || adapter.stream_tick(&data, chrono::Utc::now()))
                        .await?
                        .map_err(SessionError::Tick)?
                        .0;
                    for frame in frames {
                        socket.send(message(frame)).await.map_err(transport)?;
                    }
                }
            }
        }
    }
}

/// The adapter's URL with its query, when it is a WebSocket URL.
fn stream_url(base: &str, query: &[(String, String)]) -> Result<Url, SessionError> {
    let bad = || SessionError::BadUrl {
        url: entry::origin(base),
    };
    let mut url = Url::parse(base).map_err(|_| bad())?;
    if !matches!(url.scheme(), "ws" | "wss") || url.host_str().is_none() {
        return Err(bad());
    }
    if !query.is_empty() {
        let mut pairs = url.query_pairs_mut();
        for (name, value) in query {
            pairs.append_pair(name, value);
        }
    }
    Ok(url)
}

fn message(frame: StreamFrame) -> Message {
    match frame {
        StreamFrame::Text(text) => Message::text(text),
        StreamFrame::Binary(bytes) => Message::binary(bytes),
    }
}

/// `wss://` needs a process-wide rustls provider; the host uses ring, as
/// reqwest does. Installing twice is harmless (the second is refused).
fn ensure_crypto_provider() {
    let _ = rustls::crypto::ring::default_provider().install_default();
}

/// Starts one task per account with a push stream; aborting the handles
/// stops them.
pub fn spawn(pipeline: Pipeline) -> Vec<JoinHandle<()>> {
    let accounts: Vec<_> = pipeline
        .config
        .accounts
        .iter()
        .filter_map(|a| {
            a.stream
                .clone()
                .map(|s| (a.adapter.clone(), a.data.id.clone(), s))
        })
        .collect();
    accounts
        .into_iter()
        .map(|(adapter, account, settings)| {
            tracing::info!(adapter, account, "push stream scheduled");
            let consumer = Consumer::new(pipeline.clone(), &adapter, &account, settings);
            tokio::spawn(consumer.run())
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stream_urls_take_the_query_and_refuse_other_schemes() {
        let url = stream_url("ws://127.0.0.1:9/tmc", &[("a".into(), "1 2".into())]).unwrap();
        assert_eq!(url.as_str(), "ws://127.0.0.1:9/tmc?a=1+2");
        assert!(matches!(
            stream_url("https://mc.api.taobao.com/", &[]),
            Err(SessionError::BadUrl { url }) if url == "https://mc.api.taobao.com"
        ));
        assert!(stream_url("not a url", &[]).is_err());
    }
}
