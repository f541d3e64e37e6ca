//! The outbox: ship confirmations waiting to be sent to channels.
//!
//! A confirmation is queued in the same transaction as the parcel report
//! that calls for it (`orderhub_apply::apply`), once per (order, parcel), so
//! at most one is ever sent successfully for a parcel. A sender claims due
//! items for a while (a lease), so two hosts never send the same item at the
//! same time; a host that dies mid-send lets the lease run out and the item
//! is tried again.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::ConfirmationRequest;

/// Where a confirmation stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OutboxState {
    /// Waiting to be sent (again).
    Pending,
    /// The channel accepted it.
    Sent,
    /// The channel's adapter does not confirm shipments (a carrier, an ERP,
    /// a platform without the API): nothing to send.
    Skipped,
    /// Given up: a permanent refusal, or every attempt failed.
    Failed,
}

impl OutboxState {
    pub fn as_str(self) -> &'static str {
        match self {
            OutboxState::Pending => "pending",
            OutboxState::Sent => "sent",
            OutboxState::Skipped => "skipped",
            OutboxState::Failed => "failed",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        [Self::Pending, Self::Sent, Self::Skipped, Self::Failed]
            .into_iter()
            .find(|s| s.as_str() == text)
    }
}

/// One queued confirmation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OutboxItem {
    pub id: i64,
    #[serde(flatten)]
    pub request: ConfirmationRequest,
    pub state: OutboxState,
    /// Sending attempts so far.
    pub attempts: i64,
    pub next_attempt_at: DateTime<Utc>,
    /// The last failure, or why the item was skipped.
    pub last_error: Option<String>,
    pub updated_at: DateTime<Utc>,
}

/// What became of one sending attempt.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SendResult {
    Sent,
    Skipped(String),
    /// Try again at the given time.
    Retry {
        error: String,
        at: DateTime<Utc>,
    },
    Failed(String),
}

impl SendResult {
    /// The state, the error column and the next attempt time it writes.
    pub fn columns(&self, now: DateTime<Utc>) -> (OutboxState, Option<&str>, DateTime<Utc>) {
        match self {
            SendResult::Sent => (OutboxState::Sent, None, now),
            SendResult::Skipped(why) => (OutboxState::Skipped, Some(why), now),
            SendResult::Retry { error, at } => (OutboxState::Pending, Some(error), *at),
            SendResult::Failed(error) => (OutboxState::Failed, Some(error), now),
        }
    }
}
