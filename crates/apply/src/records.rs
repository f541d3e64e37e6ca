//! The records a delivery is made of and the rows it writes: what every
//! store backend (SQLite and PostgreSQL in the native host, Spin's SQLite in
//! the Spin component) reads and writes, defined once.

use chrono::{DateTime, Utc};
use orderhub_core::lifecycle::OrderState;
use orderhub_core::model::{Event, RawRequest, StatusMapping, TrackingStatus};
use serde::{Deserialize, Serialize};

/// An event ready to apply: the canonical event, its idempotency key and what
/// its platform status means.
#[derive(Debug, Clone)]
pub struct MappedEvent {
    pub key: String,
    pub event: Event,
    pub mapping: Option<StatusMapping>,
}

/// What became of a delivery before it reached the store.
#[derive(Debug, Clone)]
pub enum Outcome {
    /// Normalized and mapped: apply these events.
    Events(Vec<MappedEvent>),
    /// The adapter refused or crashed: keep the raw request with the error.
    Dead { kind: String, message: String },
}

impl Outcome {
    /// The inbox columns this outcome writes: state, error kind, error message.
    pub fn inbox_columns(&self) -> (InboxState, Option<&str>, Option<&str>) {
        match self {
            Outcome::Events(_) => (InboxState::Applied, None, None),
            Outcome::Dead { kind, message } => (InboxState::Dead, Some(kind), Some(message)),
        }
    }
}

/// One delivery (webhook request, poll page, replayed entry) to commit.
#[derive(Debug, Clone)]
pub struct Delivery {
    pub key: String,
    pub adapter: String,
    pub account: String,
    pub received_at: DateTime<Utc>,
    pub request: RawRequest,
    pub outcome: Outcome,
}

/// What committing a delivery did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Committed {
    pub inbox_id: i64,
    /// The key was already in the inbox: nothing was written.
    pub duplicate: bool,
    /// Events newly written to timelines.
    pub events_recorded: usize,
    /// Of those, events that changed an order or shipment.
    pub events_applied: usize,
    pub dead: bool,
}

/// The state of an inbox entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum InboxState {
    Applied,
    Dead,
}

impl InboxState {
    pub fn as_str(self) -> &'static str {
        match self {
            InboxState::Applied => "applied",
            InboxState::Dead => "dead",
        }
    }

    /// Parses the stored name.
    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "applied" => Some(InboxState::Applied),
            "dead" => Some(InboxState::Dead),
            _ => None,
        }
    }
}

/// One entry of a timeline.
#[derive(Debug, Clone, Serialize)]
pub struct TimelineEntry {
    pub event_key: String,
    pub inbox_id: i64,
    pub recorded_at: DateTime<Utc>,
    pub event: Event,
    pub mapping: Option<StatusMapping>,
    /// Whether the event changed the order/shipment.
    pub applied: bool,
    /// Why it did not, when it did not.
    pub note: Option<String>,
}

/// A stored order with its canonical state.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct OrderRecord {
    pub adapter: String,
    pub account: String,
    pub external_id: String,
    #[serde(flatten)]
    pub state: OrderState,
    pub customer_key: Option<String>,
    pub snapshot: Option<orderhub_core::model::Order>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// Event time of the newest snapshot applied.
    pub snapshot_at: Option<DateTime<Utc>>,
}

/// A stored shipment.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ShipmentRecord {
    pub carrier: String,
    pub tracking_number: String,
    pub adapter: String,
    pub account: String,
    /// The order reference the parcel was reported with (once linked, the
    /// linked order's external id).
    pub order_external_id: Option<String>,
    /// The adapter and account of the order the parcel is linked to; `None`
    /// while it waits for an order the store has not seen.
    #[serde(default)]
    pub order_adapter: Option<String>,
    #[serde(default)]
    pub order_account: Option<String>,
    pub tracking: Option<TrackingStatus>,
    pub snapshot: orderhub_core::model::Shipment,
    pub updated_at: DateTime<Utc>,
}

/// A channel to be told that its order shipped: a parcel of the order was
/// reported by another system (an ERP, a WMS, a carrier). Hosts that send
/// confirmations keep these in an outbox, one per (order, parcel).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConfirmationRequest {
    pub order_adapter: String,
    pub order_account: String,
    pub order_external_id: String,
    /// Canonical carrier id.
    pub carrier: String,
    pub tracking_number: String,
    /// The channel's ids of the order lines in the parcel; empty: the whole order.
    pub line_ids: Vec<String>,
    pub requested_at: DateTime<Utc>,
}
