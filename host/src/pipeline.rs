//! The one path every inbound payload takes (architecture §1):
//! verify on raw bytes → idempotency check → normalize → status-map →
//! commit the raw request, its events and their effect in one transaction →
//! the reply the platform expects.
//!
//! Webhooks, push-stream messages and replays share it, so a replayed entry
//! is treated exactly like a fresh delivery. A stream message carries no
//! signature of its own (the session's login was signed), so it is read by
//! `stream-receive` instead of `verify` and `normalize`. Adapter calls and store commits are blocking; they run on
//! tokio's blocking pool, bounded by a semaphore sized to the instance pool.

use std::sync::Arc;

use chrono::Utc;
use orderhub_apply::derive;
use orderhub_core::keys;
use orderhub_core::model::{Event, HttpReply, RawRequest, StreamFrame};
use tokio::sync::Semaphore;

use crate::config::{Account, Config};
use crate::poll;
use crate::runtime::{CallError, LoadedAdapter, Registry};
use crate::store::{AuthFailure, Committed, Delivery, OrderStore, Outcome, StoreError};
use crate::stream;

/// Why the pipeline could not finish. Adapter misbehaviour is not here: it
/// dead-letters the delivery instead.
#[derive(Debug, thiserror::Error)]
pub enum PipelineError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("no adapter {0:?} is installed")]
    UnknownAdapter(String),
    #[error("no account {account:?} is configured for adapter {adapter:?}")]
    UnknownAccount { adapter: String, account: String },
    #[error("the adapter call was cancelled: {0}")]
    Cancelled(String),
}

/// What happened to one webhook delivery.
#[derive(Debug)]
pub enum WebhookOutcome {
    /// Stored (applied or dead-lettered): reply 2xx with the adapter's reply.
    Accepted {
        reply: HttpReply,
        committed: Committed,
    },
    /// Already stored earlier: reply 2xx, nothing new was written.
    Duplicate { reply: HttpReply, inbox_id: i64 },
    /// Verification failed: reply 401, nothing stored but the audit record.
    Unauthorized { kind: String, message: String },
    /// The adapter crashed while verifying: reply 503 so the platform retries.
    VerifyFailed { kind: String, message: String },
}

/// What became of one push-stream frame, and what to send back.
#[derive(Debug, Default)]
pub struct FrameOutcome {
    /// Frames to send at once.
    pub send: Vec<StreamFrame>,
    /// Frames to send now that the message is committed (acknowledgements).
    pub ack: Vec<StreamFrame>,
    /// The platform ended the session; why.
    pub close: Option<String>,
    /// The inbox row, when the frame was a message (or unreadable) and is stored.
    pub stored: Option<Committed>,
}

/// Shared state of the pipeline.
#[derive(Clone)]
pub struct Pipeline {
    pub config: Arc<Config>,
    pub registry: Arc<Registry>,
    pub store: Arc<dyn OrderStore>,
    permits: Arc<Semaphore>,
}

impl Pipeline {
    pub fn new(config: Arc<Config>, registry: Arc<Registry>, store: Arc<dyn OrderStore>) -> Self {
        let permits = Arc::new(Semaphore::new(config.max_concurrent_calls as usize));
        Pipeline {
            config,
            registry,
            store,
            permits,
        }
    }

    pub(crate) fn resolve(
        &self,
        adapter: &str,
        account: &str,
    ) -> Result<(Arc<LoadedAdapter>, Account), PipelineError> {
        let loaded = self
            .registry
            .get(adapter)
            .ok_or_else(|| PipelineError::UnknownAdapter(adapter.to_string()))?;
        let account =
            self.config
                .account(adapter, account)
                .ok_or_else(|| PipelineError::UnknownAccount {
                    adapter: adapter.to_string(),
                    account: account.to_string(),
                })?;
        Ok((loaded, account.clone()))
    }

    /// Runs blocking work under the concurrency limit.
    pub(crate) async fn blocking<T: Send + 'static>(
        &self,
        work: impl FnOnce() -> T + Send + 'static,
    ) -> Result<T, PipelineError> {
        let _permit = self
            .permits
            .clone()
            .acquire_owned()
            .await
            .map_err(|e| PipelineError::Cancelled(e.to_string()))?;
        tokio::task::spawn_blocking(work)
            .await
            .map_err(|e| PipelineError::Cancelled(e.to_string()))
    }

    /// Takes one webhook delivery through the whole pipeline.
    pub async fn ingest_webhook(
        &self,
        adapter_id: &str,
        account_id: &str,
        request: RawRequest,
        remote: Option<String>,
    ) -> Result<WebhookOutcome, PipelineError> {
        let (adapter, account) = self.resolve(adapter_id, account_id)?;
        let store = self.store.clone();
        let account_name = account_id.to_string();
        self.blocking(move || {
            ingest_blocking(
                &adapter,
                &account,
                &account_name,
                request,
                remote,
                store.as_ref(),
            )
        })
        .await?
    }

    /// Takes one push-stream frame through the pipeline: the adapter reads it,
    /// a message is committed with its events (or as a dead letter), and only
    /// then are its acknowledgements handed back to be sent. A frame the
    /// adapter cannot read at all is kept as a dead letter and acknowledged
    /// by nothing, so the platform redelivers it.
    pub async fn ingest_frame(
        &self,
        adapter_id: &str,
        account_id: &str,
        origin: String,
        frame: StreamFrame,
    ) -> Result<FrameOutcome, PipelineError> {
        let (adapter, account) = self.resolve(adapter_id, account_id)?;
        let store = self.store.clone();
        let account_name = account_id.to_string();
        self.blocking(move || {
            ingest_frame_blocking(
                &adapter,
                &account,
                &account_name,
                &origin,
                frame,
                store.as_ref(),
            )
        })
        .await?
    }

    /// Re-runs a stored inbox entry through the adapter installed now.
    pub async fn replay(&self, inbox_id: i64) -> Result<Committed, PipelineError> {
        let store = self.store.clone();
        let entry = store
            .inbox_entry(inbox_id)?
            .ok_or(StoreError::NoSuchInboxEntry(inbox_id))?;
        let (adapter, account) = self.resolve(&entry.adapter, &entry.account)?;
        self.blocking(move || {
            let outcome = derive_events(&adapter, &account, &entry.key, &entry.request);
            Ok(store.recommit(inbox_id, outcome)?)
        })
        .await?
    }
}

fn ingest_blocking(
    adapter: &LoadedAdapter,
    account: &Account,
    account_id: &str,
    request: RawRequest,
    remote: Option<String>,
    store: &dyn OrderStore,
) -> Result<WebhookOutcome, PipelineError> {
    let now = Utc::now();
    if let Err(error) = adapter.verify(&request, &account.data, now) {
        let (kind, message) = (error.kind().to_string(), error.to_string());
        tracing::warn!(
            adapter = adapter.id(),
            account = account_id,
            kind,
            remote,
            "webhook rejected: {message}"
        );
        store.record_auth_failure(AuthFailure {
            at: now,
            adapter: adapter.id().to_string(),
            account: account_id.to_string(),
            kind: kind.clone(),
            message: message.clone(),
            remote,
        })?;
        return Ok(match error {
            CallError::Adapter(_) => WebhookOutcome::Unauthorized { kind, message },
            _ => WebhookOutcome::VerifyFailed { kind, message },
        });
    }

    let key = keys::delivery_key(adapter.id(), account_id, None, &request.body);
    if let Some(inbox_id) = store.inbox_id_of(&key)? {
        return Ok(WebhookOutcome::Duplicate {
            reply: acknowledge(adapter, &request),
            inbox_id,
        });
    }
    let outcome = derive_events(adapter, account, &key, &request);
    if let Outcome::Dead { kind, message } = &outcome {
        tracing::warn!(
            adapter = adapter.id(),
            account = account_id,
            kind,
            "delivery dead-lettered: {message}"
        );
    }
    let committed = store.commit(Delivery {
        key,
        adapter: adapter.id().to_string(),
        account: account_id.to_string(),
        received_at: now,
        request: request.clone(),
        outcome,
    })?;
    let reply = acknowledge(adapter, &request);
    if committed.duplicate {
        return Ok(WebhookOutcome::Duplicate {
            reply,
            inbox_id: committed.inbox_id,
        });
    }
    Ok(WebhookOutcome::Accepted { reply, committed })
}

fn ingest_frame_blocking(
    adapter: &LoadedAdapter,
    account: &Account,
    account_id: &str,
    origin: &str,
    frame: StreamFrame,
    store: &dyn OrderStore,
) -> Result<FrameOutcome, PipelineError> {
    let now = Utc::now();
    let request = stream::entry::encode(origin, &frame);
    let body_key = keys::delivery_key(adapter.id(), account_id, None, &request.body);
    let (mut outcome, stored, key) = match adapter.stream_receive(&frame, &account.data, now) {
        Ok((reply, _)) if !reply.message => {
            let outcome = FrameOutcome {
                send: reply.send,
                ack: reply.ack,
                close: reply.close,
                stored: None,
            };
            return Ok(outcome);
        }
        Ok((reply, _)) => {
            let key =
                keys::delivery_key(adapter.id(), account_id, reply.id.as_deref(), &request.body);
            let stored = match reply.events {
                Ok(events) => map_events(adapter, account, events, EventKeys::ByDelivery(&key)),
                Err(e) => dead("stream-receive", &CallError::Adapter(e)),
            };
            let outcome = FrameOutcome {
                send: reply.send,
                ack: reply.ack,
                close: reply.close,
                stored: None,
            };
            (outcome, stored, key)
        }
        Err(e) => (
            FrameOutcome::default(),
            dead("stream-receive", &e),
            body_key,
        ),
    };
    if let Outcome::Dead { kind, message } = &stored {
        tracing::warn!(
            adapter = adapter.id(),
            account = account_id,
            kind,
            "stream message dead-lettered: {message}"
        );
    }
    // A redelivered message is already stored; it is acknowledged again.
    outcome.stored = Some(store.commit(Delivery {
        key,
        adapter: adapter.id().to_string(),
        account: account_id.to_string(),
        received_at: now,
        request,
        outcome: stored,
    })?);
    Ok(outcome)
}

/// Normalizes a raw request and maps every event's status; any adapter error
/// or crash becomes a dead-letter outcome that keeps the raw request. A
/// stored poll page (replayed) goes through `poll-response` instead.
pub fn derive_events(
    adapter: &LoadedAdapter,
    account: &Account,
    delivery_key: &str,
    request: &RawRequest,
) -> Outcome {
    if stream::entry::is_stream(request) {
        let frame = stream::entry::decode(request);
        return match adapter.stream_receive(&frame, &account.data, Utc::now()) {
            Ok((reply, _)) => match reply.events {
                Ok(events) => map_events(
                    adapter,
                    account,
                    events,
                    EventKeys::ByDelivery(delivery_key),
                ),
                Err(e) => dead("stream-receive", &CallError::Adapter(e)),
            },
            Err(e) => dead("stream-receive", &e),
        };
    }
    if poll::entry::is_poll(request) {
        let (cursor, reply) = poll::entry::decode(request);
        return match adapter.poll_response(cursor.as_deref(), &reply, &account.data, Utc::now()) {
            Ok((page, _)) => map_events(adapter, account, page.events, EventKeys::ByContent),
            Err(e) => dead("poll-response", &e),
        };
    }
    match adapter.normalize(request, &account.data) {
        Ok((events, _)) => map_events(
            adapter,
            account,
            events,
            EventKeys::ByDelivery(delivery_key),
        ),
        Err(e) => dead("normalize", &e),
    }
}

pub use orderhub_apply::derive::EventKeys;

/// Maps each event's status and keys it (`orderhub_apply::derive`); a
/// status-map failure dead-letters the whole delivery.
pub fn map_events(
    adapter: &LoadedAdapter,
    account: &Account,
    events: Vec<Event>,
    keys_by: EventKeys<'_>,
) -> Outcome {
    let mapped = derive::map_events(
        adapter.id(),
        &account.data.id,
        &account.carriers,
        events,
        keys_by,
        |status| adapter.status_map(status).map(|(mapping, _)| mapping),
    );
    match mapped {
        Ok(mapped) => Outcome::Events(mapped),
        Err(e) => dead("status-map", &e),
    }
}

pub(crate) fn dead(stage: &str, error: &CallError) -> Outcome {
    Outcome::Dead {
        kind: error.kind().to_string(),
        message: derive::dead_message(stage, error),
    }
}

/// The adapter's reply, or a plain 200 when the adapter cannot give one:
/// the delivery is stored either way, so the platform must not retry.
fn acknowledge(adapter: &LoadedAdapter, request: &RawRequest) -> HttpReply {
    match adapter.acknowledge(request) {
        Ok((reply, _)) if (200..300).contains(&reply.status) => reply,
        Ok((reply, _)) => {
            tracing::warn!(
                adapter = adapter.id(),
                status = reply.status,
                "acknowledge returned a non-2xx reply; sending 200"
            );
            HttpReply {
                status: 200,
                ..reply
            }
        }
        Err(e) => {
            tracing::warn!(adapter = adapter.id(), "acknowledge failed: {e}");
            HttpReply {
                status: 200,
                headers: vec![],
                body: b"ok".to_vec(),
            }
        }
    }
}
