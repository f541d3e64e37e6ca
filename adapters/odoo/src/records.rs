//! Odoo records (`stock.picking`, `sale.order`) as canonical events.
//!
//! `search_read` returns `false` for empty fields, `[id, "display name"]` for
//! many2one fields, and datetimes as `yyyy-MM-dd HH:mm:ss` in UTC.
//!
//! A delivery order (`stock.picking` of type outgoing) with a tracking
//! reference is a shipment: `carrier_tracking_ref` may hold several numbers
//! joined by commas (the delivery module appends a parcel's number to the
//! pickings it spans), and each becomes its own shipment. One without a
//! tracking reference still moves its sale order (e.g. `done` → shipped).
//! Orders are named by the sale order's `name` (a picking's `sale_id` /
//! `origin` holds it); the channel's reference (`client_order_ref`) is the
//! order's `display_id`.

use chrono::FixedOffset;
use orderhub_adapter_kit::json::{Fields, scalar_text};
use orderhub_adapter_kit::{KitError, time};
use serde_json::Value;

use crate::bindings::orderhub::adapter::types::{
    Event, EventBody, Order, PlatformStatus, Shipment, StatusDomain,
};

pub(crate) const TOPIC_PICKING: &str = "odoo_stock_picking";
pub(crate) const TOPIC_ORDER: &str = "odoo_sale_order";

fn utc() -> FixedOffset {
    FixedOffset::east_opt(0).unwrap_or_else(time::shanghai)
}

/// A text field; Odoo's `false` and blank count as absent.
pub(crate) fn text(record: &Fields<'_>, key: &str) -> Option<String> {
    match record.optional(key)? {
        Value::Bool(_) => None,
        v => scalar_text(v)
            .map(|s| s.trim().to_string())
            .filter(|s| !s.is_empty()),
    }
}

/// The display name of a many2one field (`[id, "name"]`).
pub(crate) fn many2one_name(record: &Fields<'_>, key: &str) -> Option<String> {
    match record.optional(key)? {
        Value::Array(pair) => pair.get(1).and_then(scalar_text).filter(|s| !s.is_empty()),
        _ => None,
    }
}

/// A UTC datetime field, when set.
pub(crate) fn datetime(record: &Fields<'_>, key: &str) -> Result<Option<i64>, KitError> {
    text(record, key)
        .map(|t| time::parse_local(&t, utc(), &record.path_of(key)))
        .transpose()
}

fn state(record: &Fields<'_>, domain: StatusDomain) -> Option<PlatformStatus> {
    text(record, "state").map(|value| PlatformStatus {
        domain,
        value,
        context: vec![],
    })
}

fn sparse_order(
    external_id: String,
    display_id: Option<String>,
    currency: String,
    updated_at: Option<i64>,
) -> Order {
    Order {
        external_id,
        display_id,
        created_at: None,
        updated_at,
        currency,
        total_minor: None,
        subtotal_minor: None,
        shipping_minor: None,
        discount_minor: None,
        tax_minor: None,
        buyer: None,
        receiver: None,
        lines: vec![],
        presale: false,
        note: None,
    }
}

/// The events of one `sale.order`.
pub(crate) fn sale_order(record: &Fields<'_>) -> Result<Vec<Event>, KitError> {
    let name = record.string("name")?;
    let written = datetime(record, "write_date")?;
    let order = Order {
        created_at: datetime(record, "date_order")?,
        ..sparse_order(
            name,
            text(record, "client_order_ref"),
            many2one_name(record, "currency_id").unwrap_or_default(),
            written,
        )
    };
    Ok(vec![Event {
        event_id: None,
        topic: TOPIC_ORDER.into(),
        occurred_at: written,
        status: state(record, StatusDomain::Order),
        body: EventBody::Order(order),
    }])
}

/// The events of one outgoing `stock.picking`.
pub(crate) fn picking(record: &Fields<'_>) -> Result<Vec<Event>, KitError> {
    record.string("name")?;
    let written = datetime(record, "write_date")?;
    let at = match datetime(record, "date_done")? {
        Some(t) => Some(t),
        None => written,
    };
    let status = state(record, StatusDomain::Fulfillment);
    let order_id = many2one_name(record, "sale_id").or_else(|| text(record, "origin"));
    let Some(refs) = text(record, "carrier_tracking_ref") else {
        return Ok(order_id
            .map(|id| {
                vec![Event {
                    event_id: None,
                    topic: TOPIC_PICKING.into(),
                    occurred_at: at,
                    status: status.clone(),
                    body: EventBody::Order(sparse_order(id, None, String::new(), None)),
                }]
            })
            .unwrap_or_default());
    };
    let carrier = many2one_name(record, "carrier_id").unwrap_or_default();
    let warehouse = many2one_name(record, "location_id");
    Ok(refs
        .split(',')
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .map(|tracking_number| Event {
            event_id: None,
            topic: TOPIC_PICKING.into(),
            occurred_at: at,
            status: status.clone(),
            body: EventBody::Shipment(Shipment {
                carrier: carrier.clone(),
                tracking_number: tracking_number.into(),
                order_external_id: order_id.clone(),
                checkpoints: vec![],
                signed: false,
                warehouse: warehouse.clone(),
                lines: vec![],
            }),
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_picking_with_two_tracking_numbers_gives_two_shipments() {
        let v = json!({"id": 7, "name": "WH/OUT/00007", "state": "done", "origin": "S00012", "sale_id": [12, "S00012"],
            "carrier_id": [3, "DHL Express"], "carrier_tracking_ref": "JD014600003,JD014600004",
            "location_id": [8, "WH/Stock"], "write_date": "2024-03-05 10:00:00", "date_done": "2024-03-05 09:58:00"});
        let f = Fields::of(&v, "result[0]").unwrap();
        let e = picking(&f).unwrap();
        assert_eq!(e.len(), 2);
        let EventBody::Shipment(s) = &e[1].body else {
            panic!()
        };
        assert_eq!(s.tracking_number, "JD014600004");
        assert_eq!(s.carrier, "DHL Express");
        assert_eq!(s.order_external_id.as_deref(), Some("S00012"));
        assert_eq!(e[0].occurred_at, Some(1_709_632_680_000));
    }

    #[test]
    fn false_fields_are_absent() {
        let v = json!({"id": 8, "name": "WH/OUT/00008", "state": "assigned", "origin": false, "sale_id": false,
            "carrier_tracking_ref": false, "write_date": "2024-03-05 10:00:00"});
        let f = Fields::of(&v, "r").unwrap();
        assert!(picking(&f).unwrap().is_empty());
    }
}
