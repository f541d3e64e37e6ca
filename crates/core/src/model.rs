//! The canonical model in Rust, with the JSON form used by the runner, the
//! fixtures, the CLI and the store.
//!
//! The types mirror `wit/adapter.wit` one to one; names are snake_case in
//! JSON, enum values too (`pending_payment`), and instants are RFC 3339 UTC
//! strings. Variants are tagged with `"type"`.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// A UTC instant.
pub type Instant = DateTime<Utc>;

/// Which dimension of platform state a status value belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StatusDomain {
    Order,
    Payment,
    Fulfillment,
    Refund,
    Presale,
    Tracking,
}

/// A status value as the platform sent it, with refining context fields.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlatformStatus {
    pub domain: StatusDomain,
    pub value: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub context: Vec<(String, String)>,
}

/// The canonical order lifecycle. The derive order is the lifecycle order;
/// `Cancelled` and `Closed` are terminal side states, handled apart.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OrderStatus {
    PendingPayment,
    Paid,
    Allocated,
    Shipped,
    InTransit,
    Delivered,
    Completed,
    Cancelled,
    Closed,
}

impl OrderStatus {
    /// The snake_case name, as stored and shown.
    pub fn as_str(self) -> &'static str {
        match self {
            OrderStatus::PendingPayment => "pending_payment",
            OrderStatus::Paid => "paid",
            OrderStatus::Allocated => "allocated",
            OrderStatus::Shipped => "shipped",
            OrderStatus::InTransit => "in_transit",
            OrderStatus::Delivered => "delivered",
            OrderStatus::Completed => "completed",
            OrderStatus::Cancelled => "cancelled",
            OrderStatus::Closed => "closed",
        }
    }

    /// Parses the snake_case name.
    pub fn parse(text: &str) -> Option<Self> {
        serde_json::from_value(serde_json::Value::String(text.to_string())).ok()
    }

    /// True for the states no event leaves.
    pub fn is_terminal(self) -> bool {
        matches!(self, OrderStatus::Cancelled | OrderStatus::Closed)
    }
}

/// The after-sale dimension.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AfterSaleStatus {
    None,
    Requested,
    Refunding,
    Refunded,
    Returned,
}

impl AfterSaleStatus {
    /// The snake_case name.
    pub fn as_str(self) -> &'static str {
        match self {
            AfterSaleStatus::None => "none",
            AfterSaleStatus::Requested => "requested",
            AfterSaleStatus::Refunding => "refunding",
            AfterSaleStatus::Refunded => "refunded",
            AfterSaleStatus::Returned => "returned",
        }
    }

    /// Parses the snake_case name.
    pub fn parse(text: &str) -> Option<Self> {
        serde_json::from_value(serde_json::Value::String(text.to_string())).ok()
    }
}

/// Canonical carrier tracking states.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TrackingStatus {
    InfoReceived,
    PickedUp,
    InTransit,
    OutForDelivery,
    DeliveryFailed,
    AvailableForPickup,
    Delivered,
    Returning,
    Returned,
    Exception,
    Expired,
}

impl TrackingStatus {
    /// The snake_case name.
    pub fn as_str(self) -> &'static str {
        match self {
            TrackingStatus::InfoReceived => "info_received",
            TrackingStatus::PickedUp => "picked_up",
            TrackingStatus::InTransit => "in_transit",
            TrackingStatus::OutForDelivery => "out_for_delivery",
            TrackingStatus::DeliveryFailed => "delivery_failed",
            TrackingStatus::AvailableForPickup => "available_for_pickup",
            TrackingStatus::Delivered => "delivered",
            TrackingStatus::Returning => "returning",
            TrackingStatus::Returned => "returned",
            TrackingStatus::Exception => "exception",
            TrackingStatus::Expired => "expired",
        }
    }

    /// Parses the snake_case name.
    pub fn parse(text: &str) -> Option<Self> {
        serde_json::from_value(serde_json::Value::String(text.to_string())).ok()
    }

    /// How far along delivery a tracking state is; later scans never move a
    /// shipment to a lower rank (a late "in transit" after "delivered").
    pub fn rank(self) -> u8 {
        match self {
            TrackingStatus::InfoReceived => 0,
            TrackingStatus::PickedUp => 1,
            TrackingStatus::InTransit => 2,
            TrackingStatus::OutForDelivery
            | TrackingStatus::DeliveryFailed
            | TrackingStatus::AvailableForPickup
            | TrackingStatus::Exception
            | TrackingStatus::Expired => 3,
            TrackingStatus::Delivered => 4,
            TrackingStatus::Returning => 5,
            TrackingStatus::Returned => 6,
        }
    }
}

/// Setting or clearing an exception hold.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", content = "reason", rename_all = "snake_case")]
pub enum HoldChange {
    Set(String),
    Clear,
}

/// What one platform status means canonically.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct StatusMapping {
    pub lifecycle: Option<OrderStatus>,
    pub hold: Option<HoldChange>,
    pub after_sale: Option<AfterSaleStatus>,
    pub tracking: Option<TrackingStatus>,
    #[serde(default)]
    pub deposit_paid: bool,
    #[serde(default)]
    pub partial: bool,
}

/// A postal address as given.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Address {
    pub country: Option<String>,
    pub province: Option<String>,
    pub city: Option<String>,
    pub district: Option<String>,
    pub street: Option<String>,
    pub postal_code: Option<String>,
}

/// A buyer or receiver as given; `masked` when the platform masked any value.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Party {
    pub name: Option<String>,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub address: Option<Address>,
    #[serde(default)]
    pub masked: bool,
}

/// One order line; money in minor units.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrderLine {
    pub external_id: Option<String>,
    pub sku: Option<String>,
    pub title: Option<String>,
    pub quantity: u32,
    pub unit_price_minor: Option<i64>,
    pub discount_minor: Option<i64>,
    pub status: Option<PlatformStatus>,
}

/// An order snapshot.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Order {
    pub external_id: String,
    pub display_id: Option<String>,
    pub created_at: Option<Instant>,
    pub updated_at: Option<Instant>,
    pub currency: String,
    pub total_minor: Option<i64>,
    pub subtotal_minor: Option<i64>,
    pub shipping_minor: Option<i64>,
    pub discount_minor: Option<i64>,
    pub tax_minor: Option<i64>,
    pub buyer: Option<Party>,
    pub receiver: Option<Party>,
    #[serde(default)]
    pub lines: Vec<OrderLine>,
    #[serde(default)]
    pub presale: bool,
    pub note: Option<String>,
}

/// One carrier scan.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Checkpoint {
    pub at: Option<Instant>,
    pub description: String,
    pub location: Option<String>,
    pub status: Option<PlatformStatus>,
}

/// A shipment or tracking update.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Shipment {
    pub carrier: String,
    pub tracking_number: String,
    pub order_external_id: Option<String>,
    #[serde(default)]
    pub checkpoints: Vec<Checkpoint>,
    #[serde(default)]
    pub signed: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub warehouse: Option<String>,
    /// Lines in this parcel; empty means the whole order or unknown.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub lines: Vec<ShippedLine>,
}

/// One order line in a parcel.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ShippedLine {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub line_external_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sku: Option<String>,
    pub quantity: u32,
}

/// A stock level.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InventoryLevel {
    pub sku: String,
    pub warehouse: Option<String>,
    pub available: i64,
}

/// A refund or after-sale case.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AfterSale {
    pub external_id: String,
    pub order_external_id: String,
    pub amount_minor: Option<i64>,
    pub currency: Option<String>,
    pub reason: Option<String>,
}

/// What an event is about.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum EventBody {
    Order(Box<Order>),
    Shipment(Shipment),
    Inventory(InventoryLevel),
    AfterSale(AfterSale),
}

/// One canonical event.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Event {
    pub event_id: Option<String>,
    pub topic: String,
    pub occurred_at: Option<Instant>,
    pub status: Option<PlatformStatus>,
    pub body: EventBody,
}

/// One page of a poll.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PollPage {
    pub events: Vec<Event>,
    pub next_cursor: Option<String>,
    pub more: bool,
}

/// The kind of system an adapter connects to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AdapterKind {
    Channel,
    Carrier,
    Erp,
}

/// A credential an adapter needs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CredentialSpec {
    pub name: String,
    pub description: String,
    pub secret: bool,
    pub required: bool,
}

/// A status value an adapter declares.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeclaredStatus {
    pub domain: StatusDomain,
    pub value: String,
    pub description: String,
}

/// An adapter's self-description.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Metadata {
    pub id: String,
    pub kind: AdapterKind,
    pub version: String,
    pub description: String,
    pub credentials: Vec<CredentialSpec>,
    pub outbound_hosts: Vec<String>,
    pub topics: Vec<String>,
    pub statuses: Vec<DeclaredStatus>,
    /// What one call needs, as the adapter declares it (contract 0.2).
    #[serde(default)]
    pub limits: DeclaredLimits,
}

/// Per-call limits an adapter declares; `None` leaves the host's value.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeclaredLimits {
    pub wall_clock_ms: Option<u32>,
    pub fuel: Option<u64>,
    pub memory_bytes: Option<u64>,
    pub input_bytes: Option<u64>,
    pub output_bytes: Option<u64>,
}

/// What a platform's reply to an outbound action means, as its adapter reads it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "outcome", content = "reason", rename_all = "snake_case")]
pub enum ActionOutcome {
    /// The platform performed the action.
    Done,
    /// A temporary failure; try again later.
    Retry(String),
    /// Refused for good.
    Refused(String),
}

/// One WebSocket frame of a push stream.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StreamFrame {
    Text(String),
    Binary(Vec<u8>),
}

impl StreamFrame {
    /// The frame's payload bytes.
    pub fn bytes(&self) -> &[u8] {
        match self {
            StreamFrame::Text(t) => t.as_bytes(),
            StreamFrame::Binary(b) => b,
        }
    }
}

/// How to connect an account's push stream.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StreamSession {
    /// The signed WebSocket URL, query and headers.
    pub connect: OutboundRequest,
    /// Frames to send once connected.
    pub hello: Vec<StreamFrame>,
    /// How often to ask for tick frames; zero for never.
    pub tick_ms: u32,
}

/// What to do with one frame a platform sent on a push stream.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StreamReply {
    /// A platform message (kept raw and applied) rather than a control frame.
    pub message: bool,
    /// The platform's message id: a message is stored once per id.
    pub id: Option<String>,
    /// The message's events, or why they cannot be read.
    pub events: Result<Vec<Event>, AdapterError>,
    /// Frames to send at once.
    pub send: Vec<StreamFrame>,
    /// Frames to send once the message is committed.
    pub ack: Vec<StreamFrame>,
    /// The platform ended the session; the reason.
    pub close: Option<String>,
}

/// A ship confirmation to push back to a channel.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ShipmentConfirmation {
    pub order_external_id: String,
    pub carrier: String,
    pub tracking_number: String,
    #[serde(default)]
    pub line_ids: Vec<String>,
}

/// Outbound actions.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Action {
    ConfirmShipment(ShipmentConfirmation),
}

/// The kind of an adapter error, as named in the contract.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum AdapterErrorKind {
    MissingSignature,
    BadSignature,
    StaleTimestamp,
    MissingCredential,
    MalformedPayload,
    MissingField,
    InvalidField,
    UnknownStatus,
    Unsupported,
}

impl AdapterErrorKind {
    /// The contract's kebab-case name.
    pub fn as_str(self) -> &'static str {
        match self {
            AdapterErrorKind::MissingSignature => "missing-signature",
            AdapterErrorKind::BadSignature => "bad-signature",
            AdapterErrorKind::StaleTimestamp => "stale-timestamp",
            AdapterErrorKind::MissingCredential => "missing-credential",
            AdapterErrorKind::MalformedPayload => "malformed-payload",
            AdapterErrorKind::MissingField => "missing-field",
            AdapterErrorKind::InvalidField => "invalid-field",
            AdapterErrorKind::UnknownStatus => "unknown-status",
            AdapterErrorKind::Unsupported => "unsupported",
        }
    }

    /// True for the errors that mean "this request is not authentic".
    pub fn is_authentication(self) -> bool {
        matches!(
            self,
            AdapterErrorKind::MissingSignature
                | AdapterErrorKind::BadSignature
                | AdapterErrorKind::StaleTimestamp
        )
    }
}

/// A typed error returned by an adapter (not a trap).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[error("{kind}: {message}", kind = kind.as_str())]
pub struct AdapterError {
    pub kind: AdapterErrorKind,
    pub message: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lifecycle_order_is_the_documented_one() {
        use OrderStatus::*;
        let ordered = [
            PendingPayment,
            Paid,
            Allocated,
            Shipped,
            InTransit,
            Delivered,
            Completed,
        ];
        assert!(ordered.windows(2).all(|w| w[0] < w[1]));
        assert!(Cancelled.is_terminal() && Closed.is_terminal() && !Completed.is_terminal());
    }

    #[test]
    fn json_form_is_snake_case_and_tagged() {
        let event = Event {
            event_id: Some("e1".into()),
            topic: "orders/paid".into(),
            occurred_at: Some(
                DateTime::parse_from_rfc3339("2024-01-01T00:00:00Z")
                    .unwrap()
                    .into(),
            ),
            status: Some(PlatformStatus {
                domain: StatusDomain::Payment,
                value: "paid".into(),
                context: vec![],
            }),
            body: EventBody::Inventory(InventoryLevel {
                sku: "A".into(),
                warehouse: None,
                available: 3,
            }),
        };
        let json = serde_json::to_value(&event).unwrap();
        assert_eq!(json["body"]["type"], "inventory");
        assert_eq!(json["occurred_at"], "2024-01-01T00:00:00Z");
        assert_eq!(json["status"]["domain"], "payment");
        assert_eq!(
            OrderStatus::parse("in_transit"),
            Some(OrderStatus::InTransit)
        );
        assert_eq!(OrderStatus::InTransit.as_str(), "in_transit");
        let hold = serde_json::to_value(HoldChange::Set("risk".into())).unwrap();
        assert_eq!(hold, serde_json::json!({"type": "set", "reason": "risk"}));
    }
}

/// An HTTP request exactly as received (the contract's `http-request`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RawRequest {
    pub method: String,
    /// Path and query as received.
    pub url: String,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

/// An outbound request (the contract's `outbound-request`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OutboundRequest {
    pub method: String,
    pub url: String,
    pub query: Vec<(String, String)>,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

/// An HTTP response (the contract's `http-response`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct HttpReply {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

/// One account as handed to an adapter (the contract's `account`).
#[derive(Clone, Default, PartialEq, Eq)]
pub struct AccountData {
    pub id: String,
    /// Signing secrets, newest first.
    pub secrets: Vec<String>,
    pub credentials: Vec<(String, String)>,
}

/// Secrets never reach logs through `Debug`.
impl std::fmt::Debug for AccountData {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AccountData")
            .field("id", &self.id)
            .field(
                "secrets",
                &format_args!("[{} redacted]", self.secrets.len()),
            )
            .field(
                "credentials",
                &self.credentials.iter().map(|(k, _)| k).collect::<Vec<_>>(),
            )
            .finish()
    }
}
