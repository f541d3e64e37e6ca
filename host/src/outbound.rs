//! Sending queued ship confirmations to the channels orders came from.
//!
//! When a parcel that another system reported (an ERP, a WMS, a carrier) is
//! linked to a channel order, the store queues a confirmation
//! (`store::outbox`). The sender claims due ones, asks the channel's adapter
//! for the request (`outbound-action`), and sends it through the same
//! allow-listed client as polls. The adapter reads the channel's answer
//! (`action-result`), because gateways such as Taobao's report refusals
//! inside a 200: done is success; a refusal (a typed adapter error, or the
//! channel refusing the request itself) is permanent; a retryable answer, a
//! transport failure or an adapter crash is retried with a doubling backoff
//! until `max_attempts`, then given up. Given-up confirmations show
//! on the order (`orderhub orders show`) and in `orderhub events list --dead`.

use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use orderhub_core::model::{Action, ActionOutcome, AdapterErrorKind, ShipmentConfirmation};
use serde::Serialize;

use crate::config::OutboxSettings;
use crate::pipeline::{Pipeline, PipelineError};
use crate::poll::allow_list;
use crate::poll::http::{FetchError, PlatformClient};
use crate::runtime::CallError;
use crate::store::outbox::{OutboxItem, SendResult};

/// How many confirmations one round claims at most.
const BATCH: usize = 32;

/// What one round of sending did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct SendReport {
    pub sent: usize,
    pub skipped: usize,
    pub retrying: usize,
    pub failed: usize,
}

/// Sends due confirmations through the pipeline's adapters.
#[derive(Clone)]
pub struct Sender {
    pipeline: Pipeline,
    client: Arc<PlatformClient>,
    settings: OutboxSettings,
}

impl Sender {
    pub fn new(pipeline: Pipeline, client: Arc<PlatformClient>) -> Self {
        let settings = pipeline.config.outbox.clone();
        Sender {
            pipeline,
            client,
            settings,
        }
    }

    /// Claims the confirmations due now (up to one batch) and tries to send
    /// each once; an item to retry waits for the next round.
    pub async fn send_due(&self) -> Result<SendReport, PipelineError> {
        let mut report = SendReport::default();
        let now = Utc::now();
        let lease = self.lease();
        let store = self.pipeline.store.clone();
        let due = self
            .pipeline
            .blocking(move || store.claim_confirmations(now, now + lease, BATCH))
            .await??;
        for item in due {
            let result = self.send(&item).await;
            match &result {
                SendResult::Sent => report.sent += 1,
                SendResult::Skipped(_) => report.skipped += 1,
                SendResult::Retry { error, .. } => {
                    report.retrying += 1;
                    tracing::warn!(
                        id = item.id,
                        order = item.request.order_external_id,
                        "confirmation will be retried: {error}"
                    );
                }
                SendResult::Failed(error) => {
                    report.failed += 1;
                    tracing::error!(
                        id = item.id,
                        order = item.request.order_external_id,
                        "confirmation failed: {error}"
                    );
                }
            }
            let store = self.pipeline.store.clone();
            let id = item.id;
            self.pipeline
                .blocking(move || store.finish_confirmation(id, result, Utc::now()))
                .await??;
        }
        Ok(report)
    }

    /// Long enough for every retry of one request.
    fn lease(&self) -> chrono::Duration {
        let polling = &self.pipeline.config.polling;
        let per_request = polling.timeout + polling.max_retry_after;
        let total = per_request * (polling.retries + 1) + Duration::from_secs(60);
        chrono::Duration::from_std(total).unwrap_or(chrono::Duration::hours(1))
    }

    async fn send(&self, item: &OutboxItem) -> SendResult {
        let r = &item.request;
        let (adapter, account) = match self.pipeline.resolve(&r.order_adapter, &r.order_account) {
            Ok(found) => found,
            // The adapter may be installed or the account configured again.
            Err(e) => return self.retry(item, e.to_string()),
        };
        let action = Action::ConfirmShipment(ShipmentConfirmation {
            order_external_id: r.order_external_id.clone(),
            carrier: r.carrier.clone(),
            tracking_number: r.tracking_number.clone(),
            line_ids: r.line_ids.clone(),
        });
        let (ad, acc, act) = (adapter.clone(), account.clone(), action.clone());
        let built = match self
            .pipeline
            .blocking(move || ad.outbound_action(&act, &acc.data, Utc::now()))
            .await
        {
            Ok(built) => built,
            Err(e) => return self.retry(item, e.to_string()),
        };
        let request = match built {
            Ok((request, _)) => request,
            Err(CallError::Adapter(e)) if e.kind == AdapterErrorKind::Unsupported => {
                return SendResult::Skipped(format!("{}: {}", adapter.id(), e.message));
            }
            // A typed refusal says the same on every attempt.
            Err(CallError::Adapter(e)) => {
                return SendResult::Failed(format!(
                    "outbound-action: {}: {}",
                    e.kind.as_str(),
                    e.message
                ));
            }
            Err(e) => return self.retry(item, format!("outbound-action: {e}")),
        };
        let allowed = allow_list(&adapter, &account);
        match self.client.fetch(adapter.id(), &allowed, &request).await {
            Ok(reply) => {
                let (ad, status) = (adapter.clone(), reply.status);
                let read = self
                    .pipeline
                    .blocking(move || ad.action_result(&action, &reply))
                    .await;
                match read {
                    Ok(Ok((ActionOutcome::Done, _))) => SendResult::Sent,
                    Ok(Ok((ActionOutcome::Refused(why), _))) => {
                        SendResult::Failed(format!("{} answered {status}: {why}", request.url))
                    }
                    Ok(Ok((ActionOutcome::Retry(why), _))) => {
                        self.retry(item, format!("{} answered {status}: {why}", request.url))
                    }
                    Ok(Err(e)) => self.retry(item, format!("action-result: {e}")),
                    Err(e) => self.retry(item, e.to_string()),
                }
            }
            Err(
                e @ (FetchError::Status { .. }
                | FetchError::Transport { .. }
                | FetchError::RateLimited { .. }),
            ) => self.retry(item, e.to_string()),
            Err(e) => SendResult::Failed(e.to_string()),
        }
    }

    /// Another attempt later, or none when this was the last one allowed.
    fn retry(&self, item: &OutboxItem, error: String) -> SendResult {
        let attempts = u32::try_from(item.attempts)
            .unwrap_or(u32::MAX)
            .saturating_add(1);
        if attempts >= self.settings.max_attempts {
            return SendResult::Failed(format!("{error} (gave up after {attempts} attempts)"));
        }
        let wait = self
            .settings
            .backoff
            .saturating_mul(1 << attempts.saturating_sub(1).min(16));
        SendResult::Retry {
            error,
            at: later(wait),
        }
    }
}

fn later(wait: Duration) -> DateTime<Utc> {
    Utc::now() + chrono::Duration::from_std(wait).unwrap_or(chrono::Duration::days(1))
}

/// Sends due confirmations every `[outbox] interval_secs` until aborted.
pub fn spawn(sender: Sender) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let every = sender.settings.interval;
        loop {
            let full = match sender.send_due().await {
                Ok(r) => r.sent + r.skipped + r.retrying + r.failed >= BATCH,
                Err(e) => {
                    tracing::warn!("sending confirmations: {e}");
                    false
                }
            };
            // A full batch may have left more due: go on at once.
            if !full {
                tokio::time::sleep(every).await;
            }
        }
    })
}
