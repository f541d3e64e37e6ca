//! Turning one relayed message into canonical events.
//!
//! The relay form (see [`crate::relay`]) carries a `topic` and a `content`
//! JSON text. Three topics are understood:
//!
//! - `jd_order`: `content` is one order object;
//! - `jingdong.pop.order.get`: `content` is that API's whole answer;
//! - `jingdong.pop.order.search`: `content` is that API's whole answer, one
//!   event per order.
//!
//! Other topics are acknowledged and recorded as nothing, so a relay that
//! forwards more than orders does not make the host retry forever.

use orderhub_adapter_kit::json::{self, Fields};
use orderhub_adapter_kit::{KitError, http};

use crate::bindings::orderhub::adapter::types::Event;
use crate::order;
use crate::relay;
use crate::response;

/// The topic of a single relayed order object.
pub const ORDER_TOPIC: &str = "jd_order";
/// The topic of a relayed `jingdong.pop.order.get` answer.
pub const GET_TOPIC: &str = "jingdong.pop.order.get";
/// The topic of a relayed `jingdong.pop.order.search` answer (also the
/// topic of polled orders).
pub const SEARCH_TOPIC: &str = "jingdong.pop.order.search";

/// The topics the adapter understands.
pub fn topics() -> Vec<String> {
    [ORDER_TOPIC, GET_TOPIC, SEARCH_TOPIC]
        .iter()
        .map(|t| (*t).to_string())
        .collect()
}

/// Normalizes a verified relay body.
pub fn normalize(body: &[u8]) -> Result<Vec<Event>, KitError> {
    let fields = relay::parse(body)?;
    let topic = http::form_value(&fields, "topic")
        .filter(|t| !t.is_empty())
        .ok_or_else(|| KitError::MissingField("form field `topic`".into()))?;
    if !topics().iter().any(|t| t == topic) {
        return Ok(vec![]);
    }
    let id = http::form_value(&fields, "id")
        .filter(|t| !t.is_empty())
        .map(str::to_string);
    let content = http::form_value(&fields, "content")
        .ok_or_else(|| KitError::MissingField("form field `content`".into()))?;
    // The content is the message itself: unparsable content is a malformed
    // payload, not one bad field of a good one.
    let value = json::parse(content.as_bytes()).map_err(|e| match e {
        KitError::MalformedPayload(m) => {
            KitError::MalformedPayload(format!("form field `content`: {m}"))
        }
        other => other,
    })?;
    let root = Fields::of(&value, "content")?;
    match topic {
        GET_TOPIC => {
            response::raise_error(&root)?;
            let envelope = root.object(response::GET_ENVELOPE)?;
            let info = response::get(&envelope)?;
            Ok(vec![order::order_event(&info, topic, id)?])
        }
        SEARCH_TOPIC => {
            response::raise_error(&root)?;
            let envelope = root.object(response::SEARCH_ENVELOPE)?;
            let page = response::search(&envelope)?;
            page.orders
                .iter()
                .map(|info| {
                    // One message, several orders: each event needs its own id.
                    let event_id = match &id {
                        Some(id) => Some(format!("{id}/{}", info.string("orderId")?)),
                        None => None,
                    };
                    order::order_event(info, topic, event_id)
                })
                .collect()
        }
        _ => Ok(vec![order::order_event(&root, topic, id)?]),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bindings::orderhub::adapter::types::EventBody;

    fn body(fields: &[(&str, &str)]) -> Vec<u8> {
        http::encode_form(fields.iter().copied()).into_bytes()
    }

    #[test]
    fn single_order_and_search_answers() {
        let events = normalize(&body(&[
            ("topic", ORDER_TOPIC),
            ("id", "m1"),
            (
                "content",
                r#"{"orderId":"9","orderState":"FINISHED_L","orderPayment":"5.00"}"#,
            ),
        ]))
        .unwrap();
        assert_eq!(events.len(), 1);
        assert_eq!(events[0].event_id.as_deref(), Some("m1"));
        assert_eq!(
            events[0].status.as_ref().map(|s| s.value.as_str()),
            Some("FINISHED_L")
        );
        let EventBody::Order(order) = &events[0].body else {
            panic!("not an order")
        };
        assert_eq!(order.total_minor, Some(500));

        let search = r#"{"jingdong_pop_order_search_responce":{"code":"0","searchorderinfo_result":{"orderTotal":2,"orderInfoList":[{"orderId":"1"},{"orderId":"2"}]}}}"#;
        let events = normalize(&body(&[
            ("topic", SEARCH_TOPIC),
            ("id", "m2"),
            ("content", search),
        ]))
        .unwrap();
        let ids: Vec<_> = events
            .iter()
            .map(|e| e.event_id.clone().unwrap_or_default())
            .collect();
        assert_eq!(ids, ["m2/1", "m2/2"]);
    }

    #[test]
    fn errors_and_other_topics() {
        assert_eq!(
            normalize(&body(&[("topic", "jd_ware"), ("content", "{")])),
            Ok(vec![])
        );
        assert!(matches!(
            normalize(&body(&[
                ("topic", ORDER_TOPIC),
                ("content", "{\"orderId\":")
            ])),
            Err(KitError::MalformedPayload(_))
        ));
        assert_eq!(
            normalize(&body(&[("topic", ORDER_TOPIC), ("content", "{}")])).err(),
            Some(KitError::MissingField("content.orderId".into()))
        );
        assert!(matches!(
            normalize(&body(&[("content", "{}")])),
            Err(KitError::MissingField(_))
        ));
    }
}
