//! Conversions between a generated WIT binding of the contract and the
//! canonical model.
//!
//! Every host that calls adapters has bindings generated from `wit/`: the
//! native host's by wasmtime, the Spin component's by wit-bindgen. The
//! generated types differ per crate but have the same shapes, so the
//! conversions are written once, as a macro each host expands over its own
//! `types` module: `orderhub_core::wit_model_conversions!(w);` after
//! `use …::orderhub::adapter::types as w;`.

/// Writes the `From` conversions between the binding module `$w` (the
/// generated `orderhub:adapter/types`) and [`crate::model`], plus the
/// private helpers they use (`from_millis`, `fields`, `pairs`, status-domain
/// mapping).
#[macro_export]
macro_rules! wit_model_conversions {
    ($w:ident) => {
        fn from_millis(ms: i64) -> Option<$crate::chrono::DateTime<$crate::chrono::Utc>> {
            <$crate::chrono::Utc as $crate::chrono::TimeZone>::timestamp_millis_opt(
                &$crate::chrono::Utc,
                ms,
            )
            .single()
        }

        fn fields(pairs: &[(String, String)]) -> Vec<$w::Field> {
            pairs
                .iter()
                .map(|(name, value)| $w::Field {
                    name: name.clone(),
                    value: value.clone(),
                })
                .collect()
        }

        fn pairs(fields: Vec<$w::Field>) -> Vec<(String, String)> {
            fields.into_iter().map(|f| (f.name, f.value)).collect()
        }

        impl From<&$crate::model::RawRequest> for $w::HttpRequest {
            fn from(r: &$crate::model::RawRequest) -> Self {
                $w::HttpRequest {
                    method: r.method.clone(),
                    url: r.url.clone(),
                    headers: fields(&r.headers),
                    body: r.body.clone(),
                }
            }
        }

        impl From<&$crate::model::AccountData> for $w::Account {
            fn from(a: &$crate::model::AccountData) -> Self {
                $w::Account {
                    id: a.id.clone(),
                    secrets: a.secrets.clone(),
                    credentials: fields(&a.credentials),
                }
            }
        }

        impl From<&$crate::model::OutboundRequest> for $w::OutboundRequest {
            fn from(r: &$crate::model::OutboundRequest) -> Self {
                $w::OutboundRequest {
                    method: r.method.clone(),
                    url: r.url.clone(),
                    query: fields(&r.query),
                    headers: fields(&r.headers),
                    body: r.body.clone(),
                }
            }
        }

        impl From<$w::OutboundRequest> for $crate::model::OutboundRequest {
            fn from(r: $w::OutboundRequest) -> Self {
                $crate::model::OutboundRequest {
                    method: r.method,
                    url: r.url,
                    query: pairs(r.query),
                    headers: pairs(r.headers),
                    body: r.body,
                }
            }
        }

        impl From<&$crate::model::HttpReply> for $w::HttpResponse {
            fn from(r: &$crate::model::HttpReply) -> Self {
                $w::HttpResponse {
                    status: r.status,
                    headers: fields(&r.headers),
                    body: r.body.clone(),
                }
            }
        }

        impl From<$w::HttpResponse> for $crate::model::HttpReply {
            fn from(r: $w::HttpResponse) -> Self {
                $crate::model::HttpReply {
                    status: r.status,
                    headers: pairs(r.headers),
                    body: r.body,
                }
            }
        }

        impl From<$w::AdapterError> for $crate::model::AdapterError {
            fn from(e: $w::AdapterError) -> Self {
                use $crate::model::AdapterErrorKind as K;
                let (kind, message) = match e {
                    $w::AdapterError::MissingSignature(s) => (K::MissingSignature, s),
                    $w::AdapterError::BadSignature(s) => (K::BadSignature, s),
                    $w::AdapterError::StaleTimestamp(s) => (K::StaleTimestamp, s),
                    $w::AdapterError::MissingCredential(s) => (K::MissingCredential, s),
                    $w::AdapterError::MalformedPayload(s) => (K::MalformedPayload, s),
                    $w::AdapterError::MissingField(s) => (K::MissingField, s),
                    $w::AdapterError::InvalidField(s) => (K::InvalidField, s),
                    $w::AdapterError::UnknownStatus(s) => (K::UnknownStatus, s),
                    $w::AdapterError::Unsupported(s) => (K::Unsupported, s),
                };
                $crate::model::AdapterError { kind, message }
            }
        }

        fn domain_to_core(d: $w::StatusDomain) -> $crate::model::StatusDomain {
            match d {
                $w::StatusDomain::Order => $crate::model::StatusDomain::Order,
                $w::StatusDomain::Payment => $crate::model::StatusDomain::Payment,
                $w::StatusDomain::Fulfillment => $crate::model::StatusDomain::Fulfillment,
                $w::StatusDomain::Refund => $crate::model::StatusDomain::Refund,
                $w::StatusDomain::Presale => $crate::model::StatusDomain::Presale,
                $w::StatusDomain::Tracking => $crate::model::StatusDomain::Tracking,
            }
        }

        fn domain_to_wit(d: $crate::model::StatusDomain) -> $w::StatusDomain {
            match d {
                $crate::model::StatusDomain::Order => $w::StatusDomain::Order,
                $crate::model::StatusDomain::Payment => $w::StatusDomain::Payment,
                $crate::model::StatusDomain::Fulfillment => $w::StatusDomain::Fulfillment,
                $crate::model::StatusDomain::Refund => $w::StatusDomain::Refund,
                $crate::model::StatusDomain::Presale => $w::StatusDomain::Presale,
                $crate::model::StatusDomain::Tracking => $w::StatusDomain::Tracking,
            }
        }

        impl From<&$crate::model::PlatformStatus> for $w::PlatformStatus {
            fn from(s: &$crate::model::PlatformStatus) -> Self {
                $w::PlatformStatus {
                    domain: domain_to_wit(s.domain),
                    value: s.value.clone(),
                    context: fields(&s.context),
                }
            }
        }

        impl From<$w::PlatformStatus> for $crate::model::PlatformStatus {
            fn from(s: $w::PlatformStatus) -> Self {
                $crate::model::PlatformStatus {
                    domain: domain_to_core(s.domain),
                    value: s.value,
                    context: pairs(s.context),
                }
            }
        }

        impl From<$w::OrderStatus> for $crate::model::OrderStatus {
            fn from(s: $w::OrderStatus) -> Self {
                match s {
                    $w::OrderStatus::PendingPayment => $crate::model::OrderStatus::PendingPayment,
                    $w::OrderStatus::Paid => $crate::model::OrderStatus::Paid,
                    $w::OrderStatus::Allocated => $crate::model::OrderStatus::Allocated,
                    $w::OrderStatus::Shipped => $crate::model::OrderStatus::Shipped,
                    $w::OrderStatus::InTransit => $crate::model::OrderStatus::InTransit,
                    $w::OrderStatus::Delivered => $crate::model::OrderStatus::Delivered,
                    $w::OrderStatus::Completed => $crate::model::OrderStatus::Completed,
                    $w::OrderStatus::Cancelled => $crate::model::OrderStatus::Cancelled,
                    $w::OrderStatus::Closed => $crate::model::OrderStatus::Closed,
                }
            }
        }

        impl From<$w::AfterSaleStatus> for $crate::model::AfterSaleStatus {
            fn from(s: $w::AfterSaleStatus) -> Self {
                match s {
                    $w::AfterSaleStatus::None => $crate::model::AfterSaleStatus::None,
                    $w::AfterSaleStatus::Requested => $crate::model::AfterSaleStatus::Requested,
                    $w::AfterSaleStatus::Refunding => $crate::model::AfterSaleStatus::Refunding,
                    $w::AfterSaleStatus::Refunded => $crate::model::AfterSaleStatus::Refunded,
                    $w::AfterSaleStatus::Returned => $crate::model::AfterSaleStatus::Returned,
                }
            }
        }

        impl From<$w::TrackingStatus> for $crate::model::TrackingStatus {
            fn from(s: $w::TrackingStatus) -> Self {
                use $crate::model::TrackingStatus as T;
                match s {
                    $w::TrackingStatus::InfoReceived => T::InfoReceived,
                    $w::TrackingStatus::PickedUp => T::PickedUp,
                    $w::TrackingStatus::InTransit => T::InTransit,
                    $w::TrackingStatus::OutForDelivery => T::OutForDelivery,
                    $w::TrackingStatus::DeliveryFailed => T::DeliveryFailed,
                    $w::TrackingStatus::AvailableForPickup => T::AvailableForPickup,
                    $w::TrackingStatus::Delivered => T::Delivered,
                    $w::TrackingStatus::Returning => T::Returning,
                    $w::TrackingStatus::Returned => T::Returned,
                    $w::TrackingStatus::Exception => T::Exception,
                    $w::TrackingStatus::Expired => T::Expired,
                }
            }
        }

        impl From<$w::StatusMapping> for $crate::model::StatusMapping {
            fn from(s: $w::StatusMapping) -> Self {
                $crate::model::StatusMapping {
                    lifecycle: s.lifecycle.map(Into::into),
                    hold: s.hold.map(|h| match h {
                        $w::HoldChange::Set(reason) => $crate::model::HoldChange::Set(reason),
                        $w::HoldChange::Clear => $crate::model::HoldChange::Clear,
                    }),
                    after_sale: s.after_sale.map(Into::into),
                    tracking: s.tracking.map(Into::into),
                    deposit_paid: s.deposit_paid,
                    partial: s.partial,
                }
            }
        }

        impl From<$w::Address> for $crate::model::Address {
            fn from(a: $w::Address) -> Self {
                $crate::model::Address {
                    country: a.country,
                    province: a.province,
                    city: a.city,
                    district: a.district,
                    street: a.street,
                    postal_code: a.postal_code,
                }
            }
        }

        impl From<$w::Party> for $crate::model::Party {
            fn from(p: $w::Party) -> Self {
                $crate::model::Party {
                    name: p.name,
                    phone: p.phone,
                    email: p.email,
                    address: p.address.map(Into::into),
                    masked: p.masked,
                }
            }
        }

        impl From<$w::OrderLine> for $crate::model::OrderLine {
            fn from(l: $w::OrderLine) -> Self {
                $crate::model::OrderLine {
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

        impl From<$w::Order> for $crate::model::Order {
            fn from(o: $w::Order) -> Self {
                $crate::model::Order {
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

        impl From<$w::Checkpoint> for $crate::model::Checkpoint {
            fn from(c: $w::Checkpoint) -> Self {
                $crate::model::Checkpoint {
                    at: c.at.and_then(from_millis),
                    description: c.description,
                    location: c.location,
                    status: c.status.map(Into::into),
                }
            }
        }

        impl From<$w::EventBody> for $crate::model::EventBody {
            fn from(b: $w::EventBody) -> Self {
                match b {
                    $w::EventBody::Order(o) => $crate::model::EventBody::Order(Box::new(o.into())),
                    $w::EventBody::Shipment(s) => {
                        $crate::model::EventBody::Shipment($crate::model::Shipment {
                            carrier: s.carrier,
                            tracking_number: s.tracking_number,
                            order_external_id: s.order_external_id,
                            checkpoints: s.checkpoints.into_iter().map(Into::into).collect(),
                            signed: s.signed,
                            warehouse: s.warehouse,
                            lines: s
                                .lines
                                .into_iter()
                                .map(|l| $crate::model::ShippedLine {
                                    line_external_id: l.line_external_id,
                                    sku: l.sku,
                                    quantity: l.quantity,
                                })
                                .collect(),
                        })
                    }
                    $w::EventBody::Inventory(i) => {
                        $crate::model::EventBody::Inventory($crate::model::InventoryLevel {
                            sku: i.sku,
                            warehouse: i.warehouse,
                            available: i.available,
                        })
                    }
                    $w::EventBody::AfterSale(a) => {
                        $crate::model::EventBody::AfterSale($crate::model::AfterSale {
                            external_id: a.external_id,
                            order_external_id: a.order_external_id,
                            amount_minor: a.amount_minor,
                            currency: a.currency,
                            reason: a.reason,
                        })
                    }
                }
            }
        }

        impl From<$w::Event> for $crate::model::Event {
            fn from(e: $w::Event) -> Self {
                $crate::model::Event {
                    event_id: e.event_id,
                    topic: e.topic,
                    occurred_at: e.occurred_at.and_then(from_millis),
                    status: e.status.map(Into::into),
                    body: e.body.into(),
                }
            }
        }

        impl From<$w::PollPage> for $crate::model::PollPage {
            fn from(p: $w::PollPage) -> Self {
                $crate::model::PollPage {
                    events: p.events.into_iter().map(Into::into).collect(),
                    next_cursor: p.next_cursor,
                    more: p.more,
                }
            }
        }

        impl From<&$crate::model::Action> for $w::Action {
            fn from(a: &$crate::model::Action) -> Self {
                match a {
                    $crate::model::Action::ConfirmShipment(c) => {
                        $w::Action::ConfirmShipment($w::ShipmentConfirmation {
                            order_external_id: c.order_external_id.clone(),
                            carrier: c.carrier.clone(),
                            tracking_number: c.tracking_number.clone(),
                            line_ids: c.line_ids.clone(),
                        })
                    }
                }
            }
        }

        impl From<$w::AdapterMetadata> for $crate::model::Metadata {
            fn from(md: $w::AdapterMetadata) -> Self {
                $crate::model::Metadata {
                    id: md.id,
                    kind: match md.kind {
                        $w::AdapterKind::Channel => $crate::model::AdapterKind::Channel,
                        $w::AdapterKind::Carrier => $crate::model::AdapterKind::Carrier,
                        $w::AdapterKind::Erp => $crate::model::AdapterKind::Erp,
                    },
                    version: md.version,
                    description: md.description,
                    credentials: md
                        .credentials
                        .into_iter()
                        .map(|c| $crate::model::CredentialSpec {
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
                        .map(|s| $crate::model::DeclaredStatus {
                            domain: domain_to_core(s.domain),
                            value: s.value,
                            description: s.description,
                        })
                        .collect(),
                    limits: $crate::model::DeclaredLimits {
                        wall_clock_ms: md.limits.wall_clock_ms,
                        fuel: md.limits.fuel,
                        memory_bytes: md.limits.memory_bytes,
                        input_bytes: md.limits.input_bytes,
                        output_bytes: md.limits.output_bytes,
                    },
                }
            }
        }

        impl From<$w::ActionOutcome> for $crate::model::ActionOutcome {
            fn from(o: $w::ActionOutcome) -> Self {
                match o {
                    $w::ActionOutcome::Done => $crate::model::ActionOutcome::Done,
                    $w::ActionOutcome::Retry(why) => $crate::model::ActionOutcome::Retry(why),
                    $w::ActionOutcome::Refused(why) => $crate::model::ActionOutcome::Refused(why),
                }
            }
        }

        impl From<&$crate::model::StreamFrame> for $w::StreamFrame {
            fn from(f: &$crate::model::StreamFrame) -> Self {
                match f {
                    $crate::model::StreamFrame::Text(t) => $w::StreamFrame::Text(t.clone()),
                    $crate::model::StreamFrame::Binary(b) => $w::StreamFrame::Binary(b.clone()),
                }
            }
        }

        impl From<$w::StreamFrame> for $crate::model::StreamFrame {
            fn from(f: $w::StreamFrame) -> Self {
                match f {
                    $w::StreamFrame::Text(t) => $crate::model::StreamFrame::Text(t),
                    $w::StreamFrame::Binary(b) => $crate::model::StreamFrame::Binary(b),
                }
            }
        }

        impl From<$w::StreamSession> for $crate::model::StreamSession {
            fn from(s: $w::StreamSession) -> Self {
                $crate::model::StreamSession {
                    connect: s.connect.into(),
                    hello: s.hello.into_iter().map(Into::into).collect(),
                    tick_ms: s.tick_ms,
                }
            }
        }

        impl From<$w::StreamReply> for $crate::model::StreamReply {
            fn from(r: $w::StreamReply) -> Self {
                $crate::model::StreamReply {
                    message: r.message,
                    id: r.id,
                    events: r
                        .events
                        .map(|events| events.into_iter().map(Into::into).collect())
                        .map_err(Into::into),
                    send: r.send.into_iter().map(Into::into).collect(),
                    ack: r.ack.into_iter().map(Into::into).collect(),
                    close: r.close,
                }
            }
        }
    };
}
