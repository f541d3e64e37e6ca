//! ERPNext documents (Sales Order, Delivery Note, Shipment) as canonical
//! events.
//!
//! Webhook payloads are whatever the operator's `webhook_json` template
//! renders (the README gives the templates this module reads); REST poll
//! rows have the same top-level field names. Both meet here.
//!
//! Orders are named by the channel's order reference when ERPNext has it —
//! `po_no` (Customer's Purchase Order No), which ERPNext copies from the
//! Sales Order to its Delivery Notes — and by the Sales Order's `name`
//! otherwise, so a Delivery Note's events land on its Sales Order's order.
//! Order lines are the Sales Order Item rows (`name`), which Delivery Note
//! Item rows point back to (`so_detail`).
//!
//! Frappe datetimes (`modified`) have no zone: they are in the site's time
//! zone, configured as the `utc_offset` credential; without it times are
//! left out rather than guessed. A Jinja template renders Python's `None`
//! as the text `None`; such values count as absent.

use chrono::FixedOffset;
use orderhub_adapter_kit::json::{Fields, scalar_text};
use orderhub_adapter_kit::{KitError, money, time};

use crate::bindings::orderhub::adapter::types::{
    Event, EventBody, Field, Order, OrderLine, PlatformStatus, Shipment, ShippedLine, StatusDomain,
};

pub(crate) const SALES_ORDER: &str = "Sales Order";
pub(crate) const DELIVERY_NOTE: &str = "Delivery Note";
pub(crate) const SHIPMENT: &str = "Shipment";

/// An optional text field; blank and Jinja's `None` count as absent.
pub(crate) fn text(doc: &Fields<'_>, key: &str) -> Option<String> {
    doc.opt_string(key)
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty() && s != "None")
}

/// A zone-less Frappe datetime, in the site's offset when known.
fn datetime(
    doc: &Fields<'_>,
    key: &str,
    zone: Option<FixedOffset>,
) -> Result<Option<i64>, KitError> {
    match (text(doc, key), zone) {
        (Some(t), Some(zone)) => time::parse_local(&t, zone, &doc.path_of(key)).map(Some),
        _ => Ok(None),
    }
}

/// A quantity: a non-negative whole number (`2`, `2.0`, `"2"`).
fn quantity(item: &Fields<'_>, key: &str) -> Result<u32, KitError> {
    let value = item.required(key)?;
    let raw = scalar_text(value).unwrap_or_default();
    let whole = raw.strip_suffix(".0").unwrap_or(&raw).trim();
    whole.parse::<u32>().map_err(|_| {
        KitError::invalid(
            &item.path_of(key),
            format_args!("{raw:?} is not a whole quantity"),
        )
    })
}

/// The document's status: `status`, else `docstatus`, in `domain`.
fn status(doc: &Fields<'_>, domain: StatusDomain) -> Option<PlatformStatus> {
    let docstatus = doc.optional("docstatus").and_then(scalar_text);
    match text(doc, "status") {
        Some(value) => Some(PlatformStatus {
            domain,
            value,
            context: docstatus
                .map(|d| {
                    vec![Field {
                        name: "docstatus".into(),
                        value: d,
                    }]
                })
                .unwrap_or_default(),
        }),
        None => docstatus.map(|value| PlatformStatus {
            domain,
            value,
            context: vec![],
        }),
    }
}

/// The events one document gives; `topic` names where it came from.
pub(crate) fn events(
    doc: &Fields<'_>,
    topic: &str,
    zone: Option<FixedOffset>,
) -> Result<Vec<Event>, KitError> {
    let doctype = doc.string("doctype")?;
    match doctype.as_str() {
        SALES_ORDER => sales_order(doc, topic, zone).map(|e| vec![e]),
        DELIVERY_NOTE => delivery_note(doc, topic, zone),
        SHIPMENT => shipment(doc, topic, zone),
        other => Err(KitError::invalid(
            &doc.path_of("doctype"),
            format_args!("{other:?} is not Sales Order, Delivery Note or Shipment"),
        )),
    }
}

fn sales_order(
    doc: &Fields<'_>,
    topic: &str,
    zone: Option<FixedOffset>,
) -> Result<Event, KitError> {
    let name = doc.string("name")?;
    let modified = datetime(doc, "modified", zone)?;
    let currency = text(doc, "currency").unwrap_or_default();
    let exponent = money::currency_exponent(&currency);
    let total = match doc.optional("grand_total") {
        Some(v) if !currency.is_empty() => Some(money::decimal_value_minor(
            v,
            exponent,
            &doc.path_of("grand_total"),
        )?),
        _ => None,
    };
    let lines = doc
        .objects("items")?
        .iter()
        .map(|item| {
            Ok(OrderLine {
                external_id: text(item, "name"),
                sku: text(item, "item_code"),
                title: text(item, "item_name"),
                quantity: quantity(item, "qty")?,
                unit_price_minor: None,
                discount_minor: None,
                status: None,
            })
        })
        .collect::<Result<Vec<_>, KitError>>()?;
    Ok(Event {
        event_id: None,
        topic: topic.into(),
        occurred_at: modified,
        status: status(doc, StatusDomain::Order),
        body: EventBody::Order(Order {
            external_id: text(doc, "po_no").unwrap_or_else(|| name.clone()),
            display_id: Some(name),
            created_at: None,
            updated_at: modified,
            currency,
            total_minor: total,
            subtotal_minor: None,
            shipping_minor: None,
            discount_minor: None,
            tax_minor: None,
            buyer: None,
            receiver: None,
            lines,
            presale: false,
            note: None,
        }),
    })
}

/// A sparse order event: only the order's id, for a status that concerns it.
fn order_status_event(
    order_id: String,
    topic: &str,
    occurred_at: Option<i64>,
    status: Option<PlatformStatus>,
) -> Event {
    Event {
        event_id: None,
        topic: topic.into(),
        occurred_at,
        status,
        body: EventBody::Order(Order {
            external_id: order_id,
            display_id: None,
            created_at: None,
            updated_at: None,
            currency: String::new(),
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
        }),
    }
}

/// A Delivery Note with a tracking number (`lr_no`) is a shipment; one
/// without still moves its order (e.g. submitted → shipped). A note naming
/// neither a tracking number nor an order says nothing OrderHub can record.
fn delivery_note(
    doc: &Fields<'_>,
    topic: &str,
    zone: Option<FixedOffset>,
) -> Result<Vec<Event>, KitError> {
    doc.string("name")?;
    let items = doc.objects("items")?;
    let order_id =
        text(doc, "po_no").or_else(|| items.iter().find_map(|i| text(i, "against_sales_order")));
    let modified = datetime(doc, "modified", zone)?;
    let status = status(doc, StatusDomain::Fulfillment);
    let Some(tracking_number) = text(doc, "lr_no") else {
        return Ok(order_id
            .map(|id| vec![order_status_event(id, topic, modified, status)])
            .unwrap_or_default());
    };
    let carrier = text(doc, "transporter")
        .or_else(|| text(doc, "transporter_name"))
        .ok_or_else(|| KitError::MissingField(doc.path_of("transporter")))?;
    let lines = items
        .iter()
        .map(|item| {
            Ok(ShippedLine {
                line_external_id: text(item, "so_detail"),
                sku: text(item, "item_code"),
                quantity: quantity(item, "qty")?,
            })
        })
        .collect::<Result<Vec<_>, KitError>>()?;
    let warehouse =
        text(doc, "set_warehouse").or_else(|| items.iter().find_map(|i| text(i, "warehouse")));
    Ok(vec![Event {
        event_id: None,
        topic: topic.into(),
        occurred_at: modified,
        status,
        body: EventBody::Shipment(Shipment {
            carrier,
            tracking_number,
            order_external_id: order_id,
            checkpoints: vec![],
            signed: false,
            warehouse,
            lines,
        }),
    }])
}

/// The Shipment doctype: a parcel booked with a carrier (`awb_number`).
fn shipment(
    doc: &Fields<'_>,
    topic: &str,
    zone: Option<FixedOffset>,
) -> Result<Vec<Event>, KitError> {
    doc.string("name")?;
    let Some(tracking_number) = text(doc, "awb_number") else {
        // Not booked yet: no parcel to follow.
        return Ok(vec![]);
    };
    let carrier =
        text(doc, "carrier").ok_or_else(|| KitError::MissingField(doc.path_of("carrier")))?;
    let tracking_status = text(doc, "tracking_status");
    let status = match &tracking_status {
        Some(value) => Some(PlatformStatus {
            domain: StatusDomain::Tracking,
            value: value.clone(),
            context: text(doc, "tracking_status_info")
                .map(|info| {
                    vec![Field {
                        name: "tracking_status_info".into(),
                        value: info,
                    }]
                })
                .unwrap_or_default(),
        }),
        None => status(doc, StatusDomain::Fulfillment),
    };
    Ok(vec![Event {
        event_id: None,
        topic: topic.into(),
        occurred_at: datetime(doc, "modified", zone)?,
        status,
        body: EventBody::Shipment(Shipment {
            carrier,
            tracking_number,
            order_external_id: text(doc, "po_no"),
            checkpoints: vec![],
            signed: tracking_status.as_deref() == Some("Delivered"),
            warehouse: None,
            lines: vec![],
        }),
    }])
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn zone() -> Option<FixedOffset> {
        FixedOffset::east_opt(8 * 3600)
    }

    #[test]
    fn delivery_note_with_tracking_is_a_shipment() {
        let v = json!({"doctype": "Delivery Note", "name": "MAT-DN-2024-00012", "status": "To Bill", "docstatus": 1,
            "modified": "2024-03-05 14:30:00.123456", "po_no": "#1001", "lr_no": "1Z999", "transporter": "UPS",
            "set_warehouse": "None", "items": [{"item_code": "SKU-1", "qty": 2.0, "so_detail": "a1b2", "warehouse": "Stores - AC"}]});
        let f = Fields::of(&v, "").unwrap();
        let e = events(&f, "Delivery Note", zone()).unwrap();
        let EventBody::Shipment(s) = &e[0].body else {
            panic!()
        };
        assert_eq!(s.carrier, "UPS");
        assert_eq!(s.order_external_id.as_deref(), Some("#1001"));
        assert_eq!(s.warehouse.as_deref(), Some("Stores - AC"));
        assert_eq!(s.lines[0].quantity, 2);
        assert_eq!(e[0].occurred_at, Some(1_709_620_200_123));
        let st = e[0].status.as_ref().unwrap();
        assert_eq!(st.value, "To Bill");
        assert!(matches!(st.domain, StatusDomain::Fulfillment));
    }

    #[test]
    fn times_need_the_site_offset() {
        let v = json!({"doctype": "Sales Order", "name": "SO-1", "status": "Draft", "modified": "2024-03-05 14:30:00", "items": []});
        let f = Fields::of(&v, "").unwrap();
        assert_eq!(events(&f, "t", None).unwrap()[0].occurred_at, None);
    }

    #[test]
    fn unknown_doctypes_are_refused() {
        let v = json!({"doctype": "Item", "name": "x"});
        let f = Fields::of(&v, "").unwrap();
        assert!(matches!(
            events(&f, "t", zone()),
            Err(KitError::InvalidField(_))
        ));
    }
}
