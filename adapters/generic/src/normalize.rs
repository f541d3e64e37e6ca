//! The payload envelope and its translation into one canonical event.
//!
//! Every request carries one JSON document (the shape Standard Webhooks
//! recommends: a dotted `type`, a time, and `data`):
//!
//! ```json
//! {"type": "order.upsert", "occurred_at": "2024-04-01T08:00:00+08:00",
//!  "status": "shipped", "partial": true, "data": {…}}
//! ```
//!
//! `type` picks how `data` is read and which status domain `status` is in;
//! `partial` and `hold_reason` become the status context (`partial`,
//! `reason`). The status is checked against the status table here, so a
//! sender learns of a typo from the reply to the very request that had it.
//! Keys this adapter does not know are ignored at every level: senders may
//! add their own metadata (the specification suggests exactly that), and a
//! newer sender keeps working with an older adapter.

use orderhub_adapter_kit::KitError;
use orderhub_adapter_kit::json::{self, Fields};

use crate::after_sale::after_sale;
use crate::bindings::orderhub::adapter::types::{
    Event, EventBody, Field, HttpRequest, PlatformStatus, StatusDomain,
};
use crate::fields::{at, flag, header, opt_instant, opt_text, text};
use crate::inventory::inventory;
use crate::order::order;
use crate::scheme::ID_HEADER;
use crate::shipment::shipment;
use crate::status::{self, DEPOSIT_PAID, ON_HOLD, PARTIAL, REASON};

/// The event types, in the spelling of the payload's `type` (and the topic).
pub const TYPES: &[&str] = &[
    ORDER_UPSERT,
    SHIPMENT_UPDATE,
    INVENTORY_LEVEL,
    AFTER_SALE_UPDATE,
];
const ORDER_UPSERT: &str = "order.upsert";
const SHIPMENT_UPDATE: &str = "shipment.update";
const INVENTORY_LEVEL: &str = "inventory.level";
const AFTER_SALE_UPDATE: &str = "after_sale.update";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Order,
    Shipment,
    Inventory,
    AfterSale,
}

impl Kind {
    fn parse(name: &str) -> Result<Self, KitError> {
        match name {
            ORDER_UPSERT => Ok(Kind::Order),
            SHIPMENT_UPDATE => Ok(Kind::Shipment),
            INVENTORY_LEVEL => Ok(Kind::Inventory),
            AFTER_SALE_UPDATE => Ok(Kind::AfterSale),
            other => Err(KitError::Unsupported(format!(
                "type {other:?} is not handled; this adapter understands {}",
                TYPES.join(", ")
            ))),
        }
    }
}

/// The one event a verified request carries.
pub fn normalize(request: &HttpRequest) -> Result<Vec<Event>, KitError> {
    let root_value = json::parse(&request.body)?;
    let root = Fields::of(&root_value, "")?;
    let topic = text(&root, "type")?;
    let kind = Kind::parse(&topic)?;
    let occurred_at = opt_instant(&root, "occurred_at")?
        .ok_or_else(|| KitError::MissingField("occurred_at".into()))?;
    let status = event_status(&root, kind)?;
    let data = root.object("data")?;
    let value = status.as_ref().map(|s| s.value.as_str());
    let body = match kind {
        Kind::Order => EventBody::Order(order(&data, value == Some(DEPOSIT_PAID))?),
        Kind::Shipment => EventBody::Shipment(shipment(&data, value == Some("delivered"))?),
        Kind::Inventory => EventBody::Inventory(inventory(&data)?),
        Kind::AfterSale => EventBody::AfterSale(after_sale(&data)?),
    };
    let event_id = header(&request.headers, ID_HEADER)
        .map(str::trim)
        .filter(|id| !id.is_empty())
        .map(str::to_string);
    Ok(vec![Event {
        event_id,
        topic,
        occurred_at: Some(occurred_at),
        status,
        body,
    }])
}

/// The event's status: `status` in the type's domain, with `partial` and
/// `hold_reason` as context. Inventory levels have no status.
fn event_status(root: &Fields<'_>, kind: Kind) -> Result<Option<PlatformStatus>, KitError> {
    let partial = flag(root, "partial")?;
    let reason = opt_text(root, "hold_reason")?;
    let domain = match kind {
        Kind::Inventory => {
            if let Some(key) = ["status", "partial", "hold_reason"]
                .into_iter()
                .find(|key| root.optional(key).is_some())
            {
                return Err(KitError::invalid(
                    key,
                    "inventory.level events carry no status",
                ));
            }
            return Ok(None);
        }
        Kind::Order => StatusDomain::Order,
        Kind::Shipment => StatusDomain::Tracking,
        Kind::AfterSale => StatusDomain::Refund,
    };
    let value = text(root, "status")?;
    // `deposit_paid` is the one presale value; it arrives on order events.
    let domain = if kind == Kind::Order && value == DEPOSIT_PAID {
        StatusDomain::Presale
    } else {
        domain
    };
    if reason.is_some() && value != ON_HOLD {
        return Err(KitError::invalid(
            "hold_reason",
            format_args!("only status {ON_HOLD} takes a hold reason (status is {value:?})"),
        ));
    }
    let mut context = Vec::new();
    if partial {
        context.push(Field {
            name: PARTIAL.into(),
            value: "true".into(),
        });
    }
    if let Some(reason) = reason {
        context.push(Field {
            name: REASON.into(),
            value: reason,
        });
    }
    let status = PlatformStatus {
        domain,
        value,
        context,
    };
    status::map(&status).map_err(|e| at("status", e))?;
    Ok(Some(status))
}

#[cfg(test)]
mod tests {
    use super::*;

    const ORDER_SAMPLE: &str = include_str!("../testdata/order-upsert.json");

    fn request(body: &str) -> HttpRequest {
        HttpRequest {
            method: "POST".into(),
            url: "/webhooks/generic/main".into(),
            headers: vec![Field {
                name: "webhook-id".into(),
                value: "msg_2KWPBgLlAfxdpx2AI54pPJ85f4W".into(),
            }],
            body: body.as_bytes().to_vec(),
        }
    }

    fn one(body: &str) -> Event {
        normalize(&request(body)).unwrap().remove(0)
    }

    #[test]
    fn the_documented_order_example() {
        let event = one(ORDER_SAMPLE);
        assert_eq!(
            event.event_id.as_deref(),
            Some("msg_2KWPBgLlAfxdpx2AI54pPJ85f4W")
        );
        assert_eq!(event.topic, "order.upsert");
        assert_eq!(event.occurred_at, Some(1_711_933_500_000));
        let status = event.status.unwrap();
        assert_eq!(
            (status.domain, status.value.as_str()),
            (StatusDomain::Order, "paid")
        );
        let EventBody::Order(order) = event.body else {
            panic!("expected an order");
        };
        assert_eq!(order.external_id, "MP20240401000123");
        assert_eq!(order.total_minor, Some(25800));
        assert_eq!(order.lines.len(), 2);
    }

    #[test]
    fn status_domains_follow_the_type() {
        let e = one(
            r#"{"type":"shipment.update","occurred_at":"2024-04-02T01:00:00Z","status":"delivered",
                       "data":{"carrier":"SF","tracking_number":"SF1"}}"#,
        );
        assert_eq!(e.status.as_ref().unwrap().domain, StatusDomain::Tracking);
        let EventBody::Shipment(s) = e.body else {
            panic!()
        };
        assert!(s.signed);
        let e = one(
            r#"{"type":"order.upsert","occurred_at":"2024-04-02T01:00:00Z","status":"deposit_paid",
                       "data":{"external_id":"P1","currency":"CNY"}}"#,
        );
        assert_eq!(e.status.as_ref().unwrap().domain, StatusDomain::Presale);
        let EventBody::Order(o) = e.body else {
            panic!()
        };
        assert!(o.presale);
        let e = one(
            r#"{"type":"after_sale.update","occurred_at":"2024-04-02T01:00:00Z","status":"requested",
                       "data":{"external_id":"R1","order_external_id":"P1"}}"#,
        );
        assert_eq!(e.status.unwrap().domain, StatusDomain::Refund);
        let e = one(
            r#"{"type":"inventory.level","occurred_at":"2024-04-02T01:00:00Z",
                       "data":{"sku":"A","available":3}}"#,
        );
        assert!(e.status.is_none());
        // Tracking values are checked against the tracking table.
        assert!(matches!(
            normalize(&request(r#"{"type":"shipment.update","occurred_at":"2024-04-02T01:00:00Z","status":"shipped",
                                   "data":{"carrier":"SF","tracking_number":"SF1"}}"#)),
            Err(KitError::UnknownStatus(m)) if m.starts_with("status:")
        ));
    }

    #[test]
    fn partial_and_hold_reason_become_context() {
        let e = one(
            r#"{"type":"order.upsert","occurred_at":"2024-04-02T01:00:00Z","status":"shipped","partial":true,
                       "data":{"external_id":"P1","currency":"CNY"}}"#,
        );
        let context = e.status.unwrap().context;
        assert_eq!(
            (context[0].name.as_str(), context[0].value.as_str()),
            ("partial", "true")
        );
        let e = one(
            r#"{"type":"order.upsert","occurred_at":"2024-04-02T01:00:00Z","status":"on_hold",
                       "hold_reason":"address check","data":{"external_id":"P1","currency":"CNY"}}"#,
        );
        assert_eq!(e.status.unwrap().context[0].value, "address check");
        assert!(matches!(
            normalize(&request(r#"{"type":"order.upsert","occurred_at":"2024-04-02T01:00:00Z","status":"paid",
                                   "hold_reason":"x","data":{"external_id":"P1","currency":"CNY"}}"#)),
            Err(KitError::InvalidField(m)) if m.starts_with("hold_reason")
        ));
        assert!(matches!(
            normalize(&request(r#"{"type":"inventory.level","occurred_at":"2024-04-02T01:00:00Z","status":"paid",
                                   "data":{"sku":"A","available":3}}"#)),
            Err(KitError::InvalidField(m)) if m.starts_with("status")
        ));
    }

    #[test]
    fn envelope_errors() {
        for (body, want) in [
            ("{\"type\":", KitError::MalformedPayload(String::new())),
            ("[1]", KitError::MalformedPayload(String::new())),
            (
                r#"{"occurred_at":"2024-04-02T01:00:00Z"}"#,
                KitError::MissingField("type".into()),
            ),
            (
                r#"{"type":"order.upsert","status":"paid","data":{}}"#,
                KitError::MissingField("occurred_at".into()),
            ),
            (
                r#"{"type":"order.upsert","occurred_at":"2024-04-02T01:00:00Z","data":{}}"#,
                KitError::MissingField("status".into()),
            ),
            (
                r#"{"type":"order.upsert","occurred_at":"2024-04-02T01:00:00Z","status":"paid"}"#,
                KitError::MissingField("data".into()),
            ),
            (
                r#"{"type":"order.deleted","occurred_at":"2024-04-02T01:00:00Z","data":{}}"#,
                KitError::Unsupported(String::new()),
            ),
        ] {
            let got = normalize(&request(body)).unwrap_err();
            match (&got, &want) {
                (KitError::MalformedPayload(_), KitError::MalformedPayload(_))
                | (KitError::Unsupported(_), KitError::Unsupported(_)) => {}
                _ => assert_eq!(got, want, "{body}"),
            }
        }
    }

    #[test]
    fn no_id_header_leaves_the_event_id_to_the_host() {
        let mut req = request(
            r#"{"type":"inventory.level","occurred_at":"2024-04-02T01:00:00Z","data":{"sku":"A","available":3}}"#,
        );
        req.headers.clear();
        assert!(normalize(&req).unwrap()[0].event_id.is_none());
    }
}
