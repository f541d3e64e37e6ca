//! Webhook deliveries to canonical events, routed by `X-Shopify-Topic`.
//!
//! Order topics carry the bare order object and become one order event;
//! fulfillment topics carry the bare fulfillment object and become a shipment
//! event. `X-Shopify-Webhook-Id` is the same on every retry of one delivery,
//! which makes it the event id the host deduplicates on.

use orderhub_adapter_kit::KitError;
use orderhub_adapter_kit::json::{self, Fields};

use crate::bindings::orderhub::adapter::types::{Event, HttpRequest};
use crate::fields::header;
use crate::{fulfillment, order};

/// The header naming what the webhook is about.
pub const TOPIC_HEADER: &str = "X-Shopify-Topic";
/// The header identifying one delivery (stable across retries).
pub const WEBHOOK_ID_HEADER: &str = "X-Shopify-Webhook-Id";

/// Order topics: the body is an order.
pub const ORDER_TOPICS: &[&str] = &[
    "orders/create",
    "orders/updated",
    "orders/paid",
    "orders/cancelled",
    "orders/fulfilled",
    "orders/partially_fulfilled",
];
/// Fulfillment topics: the body is a fulfillment.
pub const FULFILLMENT_TOPICS: &[&str] = &["fulfillments/create", "fulfillments/update"];

/// Turns one verified webhook into canonical events.
pub fn normalize(request: &HttpRequest) -> Result<Vec<Event>, KitError> {
    let topic = header(&request.headers, TOPIC_HEADER)
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .ok_or_else(|| KitError::MissingField(format!("header {TOPIC_HEADER}")))?;
    let is_order = ORDER_TOPICS.contains(&topic);
    if !is_order && !FULFILLMENT_TOPICS.contains(&topic) {
        return Err(KitError::Unsupported(format!(
            "{TOPIC_HEADER} {topic:?} is not handled (handled: {}, {})",
            ORDER_TOPICS.join(", "),
            FULFILLMENT_TOPICS.join(", ")
        )));
    }
    let body = json::parse(&request.body)?;
    let root = Fields::of(&body, "")?;
    let event_id = header(&request.headers, WEBHOOK_ID_HEADER)
        .map(str::trim)
        .filter(|id| !id.is_empty())
        .map(String::from);
    if is_order {
        Ok(vec![order::event(&root, topic, event_id)?])
    } else {
        fulfillment::events(&root, topic, event_id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bindings::orderhub::adapter::types::{EventBody, Field};

    fn request(topic: Option<&str>, body: &str) -> HttpRequest {
        let mut headers = vec![Field {
            name: "x-shopify-webhook-id".into(),
            value: "b54557e4-0001".into(),
        }];
        if let Some(t) = topic {
            headers.push(Field {
                name: TOPIC_HEADER.into(),
                value: t.into(),
            });
        }
        HttpRequest {
            method: "POST".into(),
            url: "/".into(),
            headers,
            body: body.as_bytes().to_vec(),
        }
    }

    #[test]
    fn order_topics_give_one_order_event_with_the_webhook_id() {
        let events = normalize(&request(
            Some("orders/paid"),
            r#"{"id":7,"currency":"USD"}"#,
        ))
        .unwrap();
        assert_eq!(events.len(), 1);
        assert_eq!(events[0].event_id.as_deref(), Some("b54557e4-0001"));
        assert_eq!(events[0].topic, "orders/paid");
        assert!(matches!(&events[0].body, EventBody::Order(o) if o.external_id == "7"));
    }

    #[test]
    fn fulfillment_topics_give_shipments() {
        let body = r#"{"id":1,"order_id":7,"tracking_company":"UPS","tracking_number":"1Z"}"#;
        let events = normalize(&request(Some("fulfillments/update"), body)).unwrap();
        assert!(matches!(&events[0].body, EventBody::Shipment(s) if s.tracking_number == "1Z"));
    }

    #[test]
    fn refusals_are_typed() {
        assert!(matches!(
            normalize(&request(Some("orders/delete"), "{}")),
            Err(KitError::Unsupported(_))
        ));
        assert_eq!(
            normalize(&request(None, "{}")),
            Err(KitError::MissingField("header X-Shopify-Topic".into()))
        );
        assert!(matches!(
            normalize(&request(Some("orders/paid"), "")),
            Err(KitError::MalformedPayload(_))
        ));
        assert!(matches!(
            normalize(&request(Some("orders/paid"), "{\"id\":")),
            Err(KitError::MalformedPayload(_))
        ));
        assert!(matches!(
            normalize(&request(Some("orders/paid"), "[1]")),
            Err(KitError::MalformedPayload(_))
        ));
        assert_eq!(
            normalize(&request(Some("orders/paid"), "{}")),
            Err(KitError::MissingField("id".into()))
        );
    }
}
