//! The host side of the WIT contract: generated bindings and the conversions
//! between them and the canonical model of `orderhub-core`.
//!
//! Everything past this module speaks `orderhub_core::model`; the generated
//! types stay here so a contract change touches one file.

use chrono::{DateTime, TimeZone as _, Utc};
use orderhub_core::model as m;

wasmtime::component::bindgen!({
    path: "../wit",
    world: "adapter",
});

pub use exports::orderhub::adapter::connector::Guest as Connector;
use orderhub::adapter::types as w;

/// The contract version this host speaks; components must import and export
/// interfaces of this version.
pub const CONTRACT_VERSION: &str = "0.1.0";

/// The exported interface name a component must provide.
pub const CONNECTOR_EXPORT: &str = "orderhub:adapter/connector@0.1.0";

pub fn to_millis(t: DateTime<Utc>) -> i64 {
    t.timestamp_millis()
}

fn from_millis(ms: i64) -> Option<DateTime<Utc>> {
    Utc.timestamp_millis_opt(ms).single()
}

fn fields(pairs: &[(String, String)]) -> Vec<w::Field> {
    pairs
        .iter()
        .map(|(name, value)| w::Field {
            name: name.clone(),
            value: value.clone(),
        })
        .collect()
}

fn pairs(fields: Vec<w::Field>) -> Vec<(String, String)> {
    fields.into_iter().map(|f| (f.name, f.value)).collect()
}

impl From<&m::RawRequest> for w::HttpRequest {
    fn from(r: &m::RawRequest) -> Self {
        w::HttpRequest {
            method: r.method.clone(),
            url: r.url.clone(),
            headers: fields(&r.headers),
            body: r.body.clone(),
        }
    }
}

impl From<&m::AccountData> for w::Account {
    fn from(a: &m::AccountData) -> Self {
        w::Account {
            id: a.id.clone(),
            secrets: a.secrets.clone(),
            credentials: fields(&a.credentials),
        }
    }
}

impl From<&m::OutboundRequest> for w::OutboundRequest {
    fn from(r: &m::OutboundRequest) -> Self {
        w::OutboundRequest {
            method: r.method.clone(),
            url: r.url.clone(),
            query: fields(&r.query),
            headers: fields(&r.headers),
            body: r.body.clone(),
        }
    }
}

impl From<w::OutboundRequest> for m::OutboundRequest {
    fn from(r: w::OutboundRequest) -> Self {
        m::OutboundRequest {
            method: r.method,
            url: r.url,
            query: pairs(r.query),
            headers: pairs(r.headers),
            body: r.body,
        }
    }
}

impl From<&m::HttpReply> for w::HttpResponse {
    fn from(r: &m::HttpReply) -> Self {
        w::HttpResponse {
            status: r.status,
            headers: fields(&r.headers),
            body: r.body.clone(),
        }
    }
}

impl From<w::HttpResponse> for m::HttpReply {
    fn from(r: w::HttpResponse) -> Self {
        m::HttpReply {
            status: r.status,
            headers: pairs(r.headers),
            body: r.body,
        }
    }
}

impl From<w::AdapterError> for m::AdapterError {
    fn from(e: w::AdapterError) -> Self {
        use m::AdapterErrorKind as K;
        let (kind, message) = match e {
            w::AdapterError::MissingSignature(s) => (K::MissingSignature, s),
            w::AdapterError::BadSignature(s) => (K::BadSignature, s),
            w::AdapterError::StaleTimestamp(s) => (K::StaleTimestamp, s),
            w::AdapterError::MissingCredential(s) => (K::MissingCredential, s),
            w::AdapterError::MalformedPayload(s) => (K::MalformedPayload, s),
            w::AdapterError::MissingField(s) => (K::MissingField, s),
            w::AdapterError::InvalidField(s) => (K::InvalidField, s),
            w::AdapterError::UnknownStatus(s) => (K::UnknownStatus, s),
            w::AdapterError::Unsupported(s) => (K::Unsupported, s),
        };
        m::AdapterError { kind, message }
    }
}

fn domain_to_core(d: w::StatusDomain) -> m::StatusDomain {
    match d {
        w::StatusDomain::Order => m::StatusDomain::Order,
        w::StatusDomain::Payment => m::StatusDomain::Payment,
        w::StatusDomain::Fulfillment => m::StatusDomain::Fulfillment,
        w::StatusDomain::Refund => m::StatusDomain::Refund,
        w::StatusDomain::Presale => m::StatusDomain::Presale,
        w::StatusDomain::Tracking => m::StatusDomain::Tracking,
    }
}

fn domain_to_wit(d: m::StatusDomain) -> w::StatusDomain {
    match d {
        m::StatusDomain::Order => w::StatusDomain::Order,
        m::StatusDomain::Payment => w::StatusDomain::Payment,
        m::StatusDomain::Fulfillment => w::StatusDomain::Fulfillment,
        m::StatusDomain::Refund => w::StatusDomain::Refund,
        m::StatusDomain::Presale => w::StatusDomain::Presale,
        m::StatusDomain::Tracking => w::StatusDomain::Tracking,
    }
}

impl From<&m::PlatformStatus> for w::PlatformStatus {
    fn from(s: &m::PlatformStatus) -> Self {
        w::PlatformStatus {
            domain: domain_to_wit(s.domain),
            value: s.value.clone(),
            context: fields(&s.context),
        }
    }
}

impl From<w::PlatformStatus> for m::PlatformStatus {
    fn from(s: w::PlatformStatus) -> Self {
        m::PlatformStatus {
            domain: domain_to_core(s.domain),
            value: s.value,
            context: pairs(s.context),
        }
    }
}

impl From<w::OrderStatus> for m::OrderStatus {
    fn from(s: w::OrderStatus) -> Self {
        match s {
            w::OrderStatus::PendingPayment => m::OrderStatus::PendingPayment,
            w::OrderStatus::Paid => m::OrderStatus::Paid,
            w::OrderStatus::Allocated => m::OrderStatus::Allocated,
            w::OrderStatus::Shipped => m::OrderStatus::Shipped,
            w::OrderStatus::InTransit => m::OrderStatus::InTransit,
            w::OrderStatus::Delivered => m::OrderStatus::Delivered,
            w::OrderStatus::Completed => m::OrderStatus::Completed,
            w::OrderStatus::Cancelled => m::OrderStatus::Cancelled,
            w::OrderStatus::Closed => m::OrderStatus::Closed,
        }
    }
}

impl From<w::AfterSaleStatus> for m::AfterSaleStatus {
    fn from(s: w::AfterSaleStatus) -> Self {
        match s {
            w::AfterSaleStatus::None => m::AfterSaleStatus::None,
            w::AfterSaleStatus::Requested => m::AfterSaleStatus::Requested,
            w::AfterSaleStatus::Refunding => m::AfterSaleStatus::Refunding,
            w::AfterSaleStatus::Refunded => m::AfterSaleStatus::Refunded,
            w::AfterSaleStatus::Returned => m::AfterSaleStatus::Returned,
        }
    }
}

impl From<w::TrackingStatus> for m::TrackingStatus {
    fn from(s: w::TrackingStatus) -> Self {
        use m::TrackingStatus as T;
        match s {
            w::TrackingStatus::InfoReceived => T::InfoReceived,
            w::TrackingStatus::PickedUp => T::PickedUp,
            w::TrackingStatus::InTransit => T::InTransit,
            w::TrackingStatus::OutForDelivery => T::OutForDelivery,
            w::TrackingStatus::DeliveryFailed => T::DeliveryFailed,
            w::TrackingStatus::AvailableForPickup => T::AvailableForPickup,
            w::TrackingStatus::Delivered => T::Delivered,
            w::TrackingStatus::Returning => T::Returning,
            w::TrackingStatus::Returned => T::Returned,
            w::TrackingStatus::Exception => T::Exception,
            w::TrackingStatus::Expired => T::Expired,
        }
    }
}

impl From<w::StatusMapping> for m::StatusMapping {
    fn from(s: w::StatusMapping) -> Self {
        m::StatusMapping {
            lifecycle: s.lifecycle.map(Into::into),
            hold: s.hold.map(|h| match h {
                w::HoldChange::Set(reason) => m::HoldChange::Set(reason),
                w::HoldChange::Clear => m::HoldChange::Clear,
            }),
            after_sale: s.after_sale.map(Into::into),
            tracking: s.tracking.map(Into::into),
            deposit_paid: s.deposit_paid,
            partial: s.partial,
        }
    }
}

impl From<w::Address> for m::Address {
    fn from(a: w::Address) -> Self {
        m::Address {
            country: a.country,
            province: a.province,
            city: a.city,
            district: a.district,
            street: a.street,
            postal_code: a.postal_code,
        }
    }
}

impl From<w::Party> for m::Party {
    fn from(p: w::Party) -> Self {
        m::Party {
            name: p.name,
            phone: p.phone,
            email: p.email,
            address: p.address.map(Into::into),
            masked: p.masked,
        }
    }
}

impl From<w::OrderLine> for m::OrderLine {
    fn from(l: w::OrderLine) -> Self {
        m::OrderLine {
            external_id: l.external_id,
            sku: l.sku,
            title: l.title,
            quantity: l.quantity,
            unit_price_minor: l.unit_price_minor,
            discount_minor: l.discount_minor,
            status: l.status.map(Into::into),
        }
    }
}

impl From<w::Order> for m::Order {
    fn from(o: w::Order) -> Self {
        m::Order {
            external_id: o.external_id,
            display_id: o.display_id,
            created_at: o.created_at.and_then(from_millis),
            updated_at: o.updated_at.and_then(from_millis),
            currency: o.currency,
            total_minor: o.total_minor,
            subtotal_minor: o.subtotal_minor,
            shipping_minor: o.shipping_minor,
            discount_minor: o.discount_minor,
            tax_minor: o.tax_minor,
            buyer: o.buyer.map(Into::into),
            receiver: o.receiver.map(Into::into),
            lines: o.lines.into_iter().map(Into::into).collect(),
            presale: o.presale,
            note: o.note,
        }
    }
}

impl From<w::Checkpoint> for m::Checkpoint {
    fn from(c: w::Checkpoint) -> Self {
        m::Checkpoint {
            at: c.at.and_then(from_millis),
            description: c.description,
            location: c.location,
            status: c.status.map(Into::into),
        }
    }
}

impl From<w::EventBody> for m::EventBody {
    fn from(b: w::EventBody) -> Self {
        match b {
            w::EventBody::Order(o) => m::EventBody::Order(Box::new(o.into())),
            w::EventBody::Shipment(s) => m::EventBody::Shipment(m::Shipment {
                carrier: s.carrier,
                tracking_number: s.tracking_number,
                order_external_id: s.order_external_id,
                checkpoints: s.checkpoints.into_iter().map(Into::into).collect(),
                signed: s.signed,
                warehouse: s.warehouse,
                lines: s
                    .lines
                    .into_iter()
                    .map(|l| m::ShippedLine {
                        line_external_id: l.line_external_id,
                        sku: l.sku,
                        quantity: l.quantity,
                    })
                    .collect(),
            }),
            w::EventBody::Inventory(i) => m::EventBody::Inventory(m::InventoryLevel {
                sku: i.sku,
                warehouse: i.warehouse,
                available: i.available,
            }),
            w::EventBody::AfterSale(a) => m::EventBody::AfterSale(m::AfterSale {
                external_id: a.external_id,
                order_external_id: a.order_external_id,
                amount_minor: a.amount_minor,
                currency: a.currency,
                reason: a.reason,
            }),
        }
    }
}

impl From<w::Event> for m::Event {
    fn from(e: w::Event) -> Self {
        m::Event {
            event_id: e.event_id,
            topic: e.topic,
            occurred_at: e.occurred_at.and_then(from_millis),
            status: e.status.map(Into::into),
            body: e.body.into(),
        }
    }
}

impl From<w::PollPage> for m::PollPage {
    fn from(p: w::PollPage) -> Self {
        m::PollPage {
            events: p.events.into_iter().map(Into::into).collect(),
            next_cursor: p.next_cursor,
            more: p.more,
        }
    }
}

impl From<&m::Action> for w::Action {
    fn from(a: &m::Action) -> Self {
        match a {
            m::Action::ConfirmShipment(c) => w::Action::ConfirmShipment(w::ShipmentConfirmation {
                order_external_id: c.order_external_id.clone(),
                carrier: c.carrier.clone(),
                tracking_number: c.tracking_number.clone(),
                line_ids: c.line_ids.clone(),
            }),
        }
    }
}

impl From<w::AdapterMetadata> for m::Metadata {
    fn from(md: w::AdapterMetadata) -> Self {
        m::Metadata {
            id: md.id,
            kind: match md.kind {
                w::AdapterKind::Channel => m::AdapterKind::Channel,
                w::AdapterKind::Carrier => m::AdapterKind::Carrier,
                w::AdapterKind::Erp => m::AdapterKind::Erp,
            },
            version: md.version,
            description: md.description,
            credentials: md
                .credentials
                .into_iter()
                .map(|c| m::CredentialSpec {
                    name: c.name,
                    description: c.description,
                    secret: c.secret,
                    required: c.required,
                })
                .collect(),
            outbound_hosts: md.outbound_hosts,
            topics: md.topics,
            statuses: md
                .statuses
                .into_iter()
                .map(|s| m::DeclaredStatus {
                    domain: domain_to_core(s.domain),
                    value: s.value,
                    description: s.description,
                })
                .collect(),
        }
    }
}
