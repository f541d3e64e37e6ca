//! Deliveries and events built by hand, as an adapter would produce them.

use chrono::{DateTime, Utc};
use orderhub_core::model::{
    AfterSale, AfterSaleStatus, Checkpoint, Event, EventBody, HoldChange, InventoryLevel, Order,
    OrderStatus, RawRequest, Shipment, StatusMapping, TrackingStatus,
};
use orderhub_host::store::{Delivery, MappedEvent, Outcome};

pub const ADAPTER: &str = "shop";
pub const ACCOUNT: &str = "main";

/// An instant on 2024-04-01 at `hh:mm` UTC.
pub fn at(hh_mm: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(&format!("2024-04-01T{hh_mm}:00Z"))
        .expect("test time")
        .with_timezone(&Utc)
}

pub fn event_key(event_id: &str) -> String {
    format!("{ADAPTER}:{ACCOUNT}:id:{event_id}")
}

pub fn delivery_key(name: &str) -> String {
    format!("{ADAPTER}:{ACCOUNT}:sha256:{name}")
}

pub fn mapped(
    event_id: &str,
    topic: &str,
    when: Option<&str>,
    body: EventBody,
    mapping: Option<StatusMapping>,
) -> MappedEvent {
    MappedEvent {
        key: event_key(event_id),
        event: Event {
            event_id: Some(event_id.to_string()),
            topic: topic.to_string(),
            occurred_at: when.map(at),
            status: None,
            body,
        },
        mapping,
    }
}

pub fn lifecycle(status: OrderStatus) -> StatusMapping {
    StatusMapping {
        lifecycle: Some(status),
        ..Default::default()
    }
}

pub fn hold(change: HoldChange) -> StatusMapping {
    StatusMapping {
        hold: Some(change),
        ..Default::default()
    }
}

/// An order snapshot event at `when` (`hh:mm`, or `None` for no time).
pub fn order_event(
    order: &str,
    event_id: &str,
    topic: &str,
    when: Option<&str>,
    mapping: StatusMapping,
) -> MappedEvent {
    let body = EventBody::Order(Box::new(Order {
        external_id: order.to_string(),
        display_id: Some(format!("#{order}")),
        updated_at: when.map(at),
        currency: "USD".into(),
        total_minor: Some(12_345),
        ..Default::default()
    }));
    mapped(event_id, topic, when, body, Some(mapping))
}

pub fn after_sale_event(
    order: &str,
    event_id: &str,
    when: &str,
    status: AfterSaleStatus,
) -> MappedEvent {
    let body = EventBody::AfterSale(AfterSale {
        external_id: format!("refund-{event_id}"),
        order_external_id: order.to_string(),
        amount_minor: Some(500),
        currency: Some("USD".into()),
        reason: Some("damaged".into()),
    });
    let mapping = StatusMapping {
        after_sale: Some(status),
        ..Default::default()
    };
    mapped(event_id, "refunds/update", Some(when), body, Some(mapping))
}

pub fn checkpoint(when: &str, description: &str) -> Checkpoint {
    Checkpoint {
        at: Some(at(when)),
        description: description.to_string(),
        location: Some("Hangzhou".into()),
        status: None,
    }
}

/// A carrier scan of `tracking` (carrier `sf`) for `order`.
pub fn shipment_event(
    tracking: &str,
    order: &str,
    event_id: &str,
    when: &str,
    status: TrackingStatus,
    checkpoints: Vec<Checkpoint>,
) -> MappedEvent {
    let body = EventBody::Shipment(Shipment {
        carrier: "sf".into(),
        tracking_number: tracking.to_string(),
        order_external_id: Some(order.to_string()),
        checkpoints,
        signed: status == TrackingStatus::Delivered,
        warehouse: None,
        lines: vec![],
    });
    mapped(
        event_id,
        "tracking/push",
        Some(when),
        body,
        Some(tracked(status)),
    )
}

/// What a carrier adapter's status-map says of a scan.
pub fn tracked(status: TrackingStatus) -> StatusMapping {
    StatusMapping {
        tracking: Some(status),
        ..Default::default()
    }
}

pub fn inventory_event(
    event_id: &str,
    sku: &str,
    warehouse: Option<&str>,
    available: i64,
    when: &str,
) -> MappedEvent {
    let body = EventBody::Inventory(InventoryLevel {
        sku: sku.to_string(),
        warehouse: warehouse.map(str::to_string),
        available,
    });
    mapped(event_id, "inventory/update", Some(when), body, None)
}

/// The raw request of a delivery: its name in the body, and bytes that are not UTF-8.
pub fn request(name: &str) -> RawRequest {
    let mut body = format!("{{\"delivery\":\"{name}\"}}").into_bytes();
    body.extend_from_slice(&[0xff, 0x00, 0x80]);
    RawRequest {
        method: "POST".into(),
        url: format!("/webhooks/{ADAPTER}/{ACCOUNT}"),
        headers: vec![
            ("Content-Type".into(), "application/json".into()),
            ("X-Delivery".into(), name.to_string()),
        ],
        body,
    }
}

pub fn delivery(name: &str, events: Vec<MappedEvent>) -> Delivery {
    Delivery {
        key: delivery_key(name),
        adapter: ADAPTER.into(),
        account: ACCOUNT.into(),
        received_at: at("12:00"),
        request: request(name),
        outcome: Outcome::Events(events),
    }
}

/// A delivery from another system than the channel.
pub fn delivery_from(
    adapter: &str,
    account: &str,
    name: &str,
    events: Vec<MappedEvent>,
) -> Delivery {
    Delivery {
        key: format!("{adapter}:{account}:sha256:{name}"),
        adapter: adapter.into(),
        account: account.into(),
        ..delivery(name, events)
    }
}

pub fn dead_delivery(name: &str, kind: &str, message: &str) -> Delivery {
    Delivery {
        outcome: Outcome::Dead {
            kind: kind.into(),
            message: message.into(),
        },
        ..delivery(name, vec![])
    }
}
