//! Turning a verified request into canonical events.
//!
//! Two bodies arrive at the callback URL, both signed the same way:
//!
//! - a push, `{"shop_id", "code", "timestamp", "data"}`: code 3 (order
//!   status) becomes an order event carrying the new status, code 4
//!   (tracking number) a shipment event; other codes are refused as
//!   `unsupported` so they are kept rather than silently dropped;
//! - a relayed `v2.order.get_order_detail` response (recognised by
//!   `response.order_list`), which gives one full order event per order.
//!
//! Pushes carry no message id; the host derives idempotency from the body.

use orderhub_adapter_kit::KitError;
use orderhub_adapter_kit::json::{self, Fields};

use crate::bindings::orderhub::adapter::types::{Event, EventBody, Shipment};
use crate::order;

pub const STATUS_TOPIC: &str = "order_status_push";
pub const TRACKING_TOPIC: &str = "order_trackingno_push";
pub const DETAIL_TOPIC: &str = "v2.order.get_order_detail";

pub fn all_topics() -> Vec<String> {
    [
        STATUS_TOPIC,
        TRACKING_TOPIC,
        DETAIL_TOPIC,
        crate::poll::POLL_TOPIC,
    ]
    .iter()
    .map(|t| t.to_string())
    .collect()
}

/// Events of one verified body.
pub fn normalize(body: &[u8]) -> Result<Vec<Event>, KitError> {
    let value = json::parse(body)?;
    let root = Fields::of(&value, "")?;
    if root.optional("code").is_some() {
        return push(&root).map(|event| vec![event]);
    }
    if let Some(response) = root.opt_object("response")
        && response.optional("order_list").is_some()
    {
        return response
            .objects("order_list")?
            .iter()
            .map(|o| order::order_event(o, DETAIL_TOPIC))
            .collect();
    }
    Err(KitError::MissingField(
        "code (a push) or response.order_list (a relayed get_order_detail response)".into(),
    ))
}

fn push(root: &Fields<'_>) -> Result<Event, KitError> {
    let code = root.integer("code")?;
    let sent_at = order::opt_seconds(root, "timestamp")?;
    match code {
        3 => {
            let data = root.object("data")?;
            let external_id = data.string("ordersn")?;
            let status = data.string("status")?;
            let updated_at = order::opt_seconds(&data, "update_time")?;
            Ok(Event {
                event_id: None,
                topic: STATUS_TOPIC.into(),
                occurred_at: updated_at.or(sent_at),
                status: Some(order::order_status(status)),
                body: EventBody::Order(crate::bindings::orderhub::adapter::types::Order {
                    updated_at,
                    ..order::bare(external_id)
                }),
            })
        }
        4 => {
            let data = root.object("data")?;
            Ok(Event {
                event_id: None,
                topic: TRACKING_TOPIC.into(),
                occurred_at: sent_at,
                status: None,
                body: EventBody::Shipment(Shipment {
                    // The push does not name the carrier; the order detail does.
                    carrier: String::new(),
                    tracking_number: data.string("tracking_no")?,
                    order_external_id: Some(data.string("ordersn")?),
                    checkpoints: vec![],
                    signed: false,
                    warehouse: None,
                    lines: vec![],
                }),
            })
        }
        other => Err(KitError::Unsupported(format!(
            "push code {other} is not handled (3 order status and 4 tracking number are)"
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bindings::orderhub::adapter::types::Order;

    const DETAIL: &str = include_str!("../testdata/shopee-order-get-order-detail-response.json");

    fn only_order(events: &[Event]) -> &Order {
        match events {
            [
                Event {
                    body: EventBody::Order(order),
                    ..
                },
            ] => order,
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn the_official_detail_sample_is_a_full_order() {
        let events = normalize(DETAIL.as_bytes()).unwrap();
        let order = only_order(&events);
        assert_eq!(order.external_id, "2404098R48U37H");
        assert_eq!(
            (order.currency.as_str(), order.total_minor),
            ("VND", Some(32119))
        );
        assert_eq!(order.created_at, Some(1_712_601_591_000));
        assert_eq!(events[0].occurred_at, Some(1_713_139_948_000));
        assert_eq!(
            events[0].status.as_ref().map(|s| s.value.as_str()),
            Some("COMPLETED")
        );
        let receiver = order.receiver.as_ref().unwrap();
        assert!(receiver.masked);
        assert_eq!(receiver.name.as_deref(), Some("P******n"));
        let line = &order.lines[0];
        assert_eq!(line.sku.as_deref(), Some("QAZ-SADOER-05"));
        assert_eq!(
            (line.unit_price_minor, line.discount_minor),
            (Some(300000), Some(252000))
        );
    }

    #[test]
    fn pushes() {
        let status = br#"{"shop_id":1,"code":3,"timestamp":1712800001,"data":{"ordersn":"A","status":"SHIPPED","update_time":1712800000}}"#;
        let events = normalize(status).unwrap();
        assert_eq!(events[0].occurred_at, Some(1_712_800_000_000));
        assert_eq!(only_order(&events).external_id, "A");
        let tracking = br#"{"shop_id":1,"code":4,"timestamp":1712800001,"data":{"ordersn":"A","tracking_no":"SPXVN1"}}"#;
        match &normalize(tracking).unwrap()[0].body {
            EventBody::Shipment(s) => assert_eq!(s.tracking_number, "SPXVN1"),
            other => panic!("{other:?}"),
        }
        assert!(matches!(
            normalize(br#"{"code":1,"data":{}}"#),
            Err(KitError::Unsupported(_))
        ));
    }

    #[test]
    fn bad_bodies_are_typed() {
        assert!(matches!(
            normalize(b"{\"code\":3,"),
            Err(KitError::MalformedPayload(_))
        ));
        assert!(matches!(
            normalize(br#"{"code":3,"data":{"status":"SHIPPED"}}"#),
            Err(KitError::MissingField(m)) if m.contains("ordersn")
        ));
        assert!(matches!(normalize(b"{}"), Err(KitError::MissingField(_))));
    }
}
