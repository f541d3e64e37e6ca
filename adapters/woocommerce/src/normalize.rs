//! Webhook deliveries to canonical events, routed by `X-WC-Webhook-Topic`.
//!
//! `order.created`, `order.updated` and `order.restored` carry the REST v3
//! order object; `order.deleted` (the order went to the trash) carries only
//! `{"id": …}`.
//!
//! **Event ids.** WooCommerce computes `X-WC-Webhook-Delivery-ID` as
//! `wp_hash(webhook id . current Unix second)` for each delivery, and never
//! re-sends a delivery: a failed one only counts towards disabling the
//! webhook (`WC_Webhook::deliver`, `log_delivery`, `failed_delivery`). The id
//! is therefore not stable across anything, and two deliveries of one webhook
//! in the same second — two orders saved together, which the background
//! queue does — share it. Used alone as the event id, it would make the host
//! drop the second order as a duplicate. The event id is the delivery id (so
//! an event can be found in the store's webhook delivery log) joined with
//! the first 16 hex digits of the body's SHA-256, which is unique per content.
//! Without a delivery id the event has none, and the host keys it by the body.

use orderhub_adapter_kit::json::{self, Fields};
use orderhub_adapter_kit::{KitError, sig};

use crate::bindings::orderhub::adapter::types::{Event, HttpRequest};
use crate::fields::header;
use crate::order;

/// The header naming what the webhook is about.
pub const TOPIC_HEADER: &str = "X-WC-Webhook-Topic";
/// The header identifying one delivery.
pub const DELIVERY_ID_HEADER: &str = "X-WC-Webhook-Delivery-ID";

/// The topic whose body is only the id of an order moved to the trash.
pub const DELETED_TOPIC: &str = "order.deleted";
/// Every topic handled.
pub const TOPICS: &[&str] = &[
    "order.created",
    "order.updated",
    DELETED_TOPIC,
    "order.restored",
];

/// Turns one verified webhook into canonical events.
pub fn normalize(request: &HttpRequest) -> Result<Vec<Event>, KitError> {
    let topic = header(&request.headers, TOPIC_HEADER)
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .ok_or_else(|| KitError::MissingField(format!("header {TOPIC_HEADER}")))?;
    if !TOPICS.contains(&topic) {
        return Err(KitError::Unsupported(format!(
            "{TOPIC_HEADER} {topic:?} is not handled (handled: {})",
            TOPICS.join(", ")
        )));
    }
    let body = json::parse(&request.body)?;
    let root = Fields::of(&body, "")?;
    let event_id = event_id(request);
    if topic == DELETED_TOPIC {
        Ok(vec![order::trashed(&root, topic, event_id)?])
    } else {
        order::events(&root, topic, event_id)
    }
}

/// `<delivery id>-<first 16 hex digits of SHA-256(body)>`, or `None` without
/// a delivery id.
fn event_id(request: &HttpRequest) -> Option<String> {
    let delivery = header(&request.headers, DELIVERY_ID_HEADER)
        .map(str::trim)
        .filter(|id| !id.is_empty())?;
    let digest = sig::hex_lower(&sig::sha256(&request.body));
    Some(format!(
        "{delivery}-{}",
        digest.get(..16).unwrap_or(&digest)
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bindings::orderhub::adapter::types::EventBody;
    use crate::fields::field;

    fn request(topic: Option<&str>, delivery: Option<&str>, body: &str) -> HttpRequest {
        let mut headers = vec![];
        if let Some(t) = topic {
            headers.push(field(TOPIC_HEADER, t));
        }
        if let Some(d) = delivery {
            headers.push(field("x-wc-webhook-delivery-id", d));
        }
        HttpRequest {
            method: "POST".into(),
            url: "/".into(),
            headers,
            body: body.as_bytes().to_vec(),
        }
    }

    #[test]
    fn order_topics_give_an_order_event_keyed_by_delivery_and_body() {
        let body = r#"{"id":7,"currency":"USD","status":"pending"}"#;
        let events = normalize(&request(Some("order.created"), Some("abc123"), body)).unwrap();
        assert_eq!(events.len(), 1);
        // SHA-256 of the body, computed independently, begins 395e3f84fb8f7139.
        assert_eq!(
            events[0].event_id.as_deref(),
            Some("abc123-395e3f84fb8f7139")
        );
        assert_eq!(events[0].topic, "order.created");
        assert!(matches!(&events[0].body, EventBody::Order(o) if o.external_id == "7"));
        // Same delivery id, other content: another event id.
        let other = normalize(&request(
            Some("order.created"),
            Some("abc123"),
            r#"{"id":8,"currency":"USD","status":"pending"}"#,
        ))
        .unwrap();
        assert_ne!(other[0].event_id, events[0].event_id);
        let anonymous = normalize(&request(Some("order.created"), None, body)).unwrap();
        assert_eq!(anonymous[0].event_id, None);
    }

    #[test]
    fn deleted_orders_are_trashed() {
        let events =
            normalize(&request(Some("order.deleted"), Some("d"), r#"{"id":727}"#)).unwrap();
        assert_eq!(events.len(), 1);
        assert_eq!(events[0].status.as_ref().unwrap().value, "trash");
    }

    #[test]
    fn refusals_are_typed() {
        assert!(matches!(
            normalize(&request(Some("product.updated"), None, "{}")),
            Err(KitError::Unsupported(_))
        ));
        assert_eq!(
            normalize(&request(None, None, "{}")),
            Err(KitError::MissingField("header X-WC-Webhook-Topic".into()))
        );
        for bad in ["", "{\"id\":", "webhook_id=3", "[1]"] {
            assert!(
                matches!(
                    normalize(&request(Some("order.updated"), None, bad)),
                    Err(KitError::MalformedPayload(_))
                ),
                "{bad}"
            );
        }
        assert_eq!(
            normalize(&request(Some("order.updated"), None, "{}")),
            Err(KitError::MissingField("id".into()))
        );
    }
}
