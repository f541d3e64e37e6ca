//! The adapter as this component sees it: the imported
//! `orderhub:adapter/connector@0.1.0` interface, and the conversions between
//! its generated types and the canonical model of `orderhub-core`.
//!
//! In Spin the import is satisfied by a component dependency
//! (`[component.X.dependencies]` in `spin.toml`): the same adapter `.wasm`
//! the native host loads, composed in when the application starts. The
//! bindings are generated from `wit/` itself rather than with
//! `spin_sdk::dependencies!()`, which reads the `spin-dependencies.wit` that
//! `spin build` writes: building the component must not need Spin installed.
//! The conversions mirror the native host's (`host/src/runtime/bindings.rs`);
//! the generated types differ (guest imports here, wasmtime exports there),
//! the shapes do not.

use chrono::{DateTime, TimeZone as _, Utc};
use orderhub_core::model as m;

mod generated {
    spin_sdk::wit_bindgen::generate!({
        path: "../../wit",
        inline: "package orderhub:spin-webhooks; world webhooks { import orderhub:adapter/connector@0.1.0; }",
        world: "orderhub:spin-webhooks/webhooks",
        runtime_path: "spin_sdk::wit_bindgen::rt",
        generate_all,
    });
}

use generated::orderhub::adapter::connector;
use generated::orderhub::adapter::types as w;

/// The adapter's id, from its metadata.
pub fn id() -> String {
    connector::metadata().id
}

/// `verify` on the raw request.
pub fn verify(
    request: &m::RawRequest,
    account: &m::AccountData,
    now: DateTime<Utc>,
) -> Result<(), m::AdapterError> {
    connector::verify(&request.into(), &account.into(), now.timestamp_millis()).map_err(Into::into)
}

/// `normalize` on the raw request.
pub fn normalize(
    request: &m::RawRequest,
    account: &m::AccountData,
) -> Result<Vec<m::Event>, m::AdapterError> {
    connector::normalize(&request.into(), &account.into())
        .map(|events| events.into_iter().map(Into::into).collect())
        .map_err(Into::into)
}

/// `status-map` of one platform status.
pub fn status_map(status: &m::PlatformStatus) -> Result<m::StatusMapping, m::AdapterError> {
    connector::status_map(&status.into())
        .map(Into::into)
        .map_err(Into::into)
}

/// The reply the platform expects.
pub fn acknowledge(request: &m::RawRequest) -> m::HttpReply {
    connector::acknowledge(&request.into()).into()
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
