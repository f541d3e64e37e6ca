//! Push bodies (and relayed order responses) as canonical events.
//!
//! Three JSON shapes reach the push endpoint:
//!
//! - a plaintext (or compatible-mode) event `{ToUserName, FromUserName,
//!   CreateTime, MsgType:"event", Event, order_info{order_id, …}}`;
//! - a safe-mode body holding only `Encrypt`: decrypting it needs
//!   AES-256-CBC, which this adapter does not carry, so it is `unsupported`;
//! - a relayed `/channels/ec/order/get` response (`{errcode, order}`), so a
//!   full order can be recorded without waiting for a poll.
//!
//! XML bodies (the push's other data format) are `unsupported`: the shop
//! must choose JSON as the push data format.

use orderhub_adapter_kit::KitError;
use orderhub_adapter_kit::json::{self, Fields};

use crate::bindings::orderhub::adapter::types::{
    Event, EventBody, Order, PlatformStatus, StatusDomain,
};
use crate::order::{self, CURRENCY, opt_time};
use crate::{api, topics};

/// The events of a verified push body.
pub fn normalize(body: &[u8]) -> Result<Vec<Event>, KitError> {
    let trimmed = body.trim_ascii_start();
    if trimmed.first() == Some(&b'<') {
        return Err(KitError::Unsupported(
            "XML push bodies: configure the push data format as JSON".into(),
        ));
    }
    let value = json::parse(body)?;
    let root = Fields::of(&value, "")?;
    if root.optional("order").is_some() {
        api::check_error(&root)?;
        return Ok(vec![order::event(
            &root.object("order")?,
            topics::ORDER_GET,
        )?]);
    }
    if root.optional("Event").is_none() && root.optional("Encrypt").is_some() {
        return Err(KitError::Unsupported(
            "safe-mode push: decrypting Encrypt needs AES-256-CBC with the EncodingAESKey, \
             which this adapter does not implement; use plaintext or compatible mode"
                .into(),
        ));
    }
    if root.string("MsgType")? != "event" {
        return Ok(vec![]);
    }
    let name = root.string("Event")?;
    let Some(topic) = topics::find(&name) else {
        return Ok(vec![]);
    };
    Ok(vec![push_event(&root, topic)?])
}

/// One order event: the order id and the status the event implies.
fn push_event(root: &Fields, topic: &topics::Topic) -> Result<Event, KitError> {
    let info = root.object("order_info")?;
    let external_id = info.string("order_id")?;
    let occurred_at = Some(root_time(root)?);
    let implied = match topic.event {
        "channels_ec_order_deliver" => match info.integer("finish_delivery")? {
            1 => Some("30"),
            0 => Some("21"),
            other => {
                return Err(KitError::invalid(
                    &info.path_of("finish_delivery"),
                    format_args!("{other} is neither 0 nor 1"),
                ));
            }
        },
        _ => topic.implied,
    };
    Ok(Event {
        event_id: None,
        topic: topic.event.into(),
        occurred_at,
        status: implied.map(|value| PlatformStatus {
            domain: StatusDomain::Order,
            value: value.into(),
            context: vec![],
        }),
        body: EventBody::Order(Order {
            external_id,
            display_id: None,
            created_at: None,
            updated_at: occurred_at,
            currency: CURRENCY.into(),
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
    })
}

fn root_time(root: &Fields) -> Result<i64, KitError> {
    opt_time(root, "CreateTime")?.ok_or_else(|| KitError::MissingField("CreateTime".into()))
}

#[cfg(test)]
mod tests {
    use super::*;

    const SAMPLE: &[u8] = include_bytes!("../testdata/ec-order-get-response.json");

    fn order_of(event: &Event) -> &Order {
        match &event.body {
            EventBody::Order(o) => o,
            _ => panic!("not an order"),
        }
    }

    #[test]
    fn relayed_sample_order() {
        let events = normalize(SAMPLE).unwrap();
        assert_eq!(events.len(), 1);
        let order = order_of(&events[0]);
        assert_eq!(order.external_id, "37423523451235145");
        assert_eq!(order.total_minor, Some(10500));
        assert_eq!(order.subtotal_minor, Some(20000));
        assert_eq!(order.shipping_minor, Some(500));
        assert_eq!(order.discount_minor, Some(10000));
        assert_eq!(order.created_at, Some(1_658_505_600_000));
        assert_eq!(order.lines[0].quantity, 10);
        assert_eq!(order.lines[0].unit_price_minor, Some(2000));
        assert_eq!(events[0].status.as_ref().unwrap().value, "20");
        let receiver = order.receiver.as_ref().unwrap();
        assert_eq!(receiver.name.as_deref(), Some("陈先生"));
        assert!(!receiver.masked);
    }

    #[test]
    fn big_numeric_order_id_stays_exact() {
        let body = br#"{"ToUserName":"gh_*","FromUserName":"OPENID","CreateTime":1662480000,"MsgType":"event","Event":"channels_ec_order_deliver","order_info":{"order_id":3705115058471208928,"finish_delivery":0}}"#;
        let events = normalize(body).unwrap();
        assert_eq!(order_of(&events[0]).external_id, "3705115058471208928");
        assert_eq!(events[0].status.as_ref().unwrap().value, "21");
        assert_eq!(events[0].occurred_at, Some(1_662_480_000_000));
    }

    #[test]
    fn safe_mode_xml_and_other_events() {
        assert!(matches!(
            normalize(br#"{"ToUserName":"gh_*","Encrypt":"abc"}"#),
            Err(KitError::Unsupported(_))
        ));
        assert!(matches!(
            normalize(b"<xml></xml>"),
            Err(KitError::Unsupported(_))
        ));
        let other = br#"{"CreateTime":1,"MsgType":"event","Event":"channels_ec_vip_join"}"#;
        assert_eq!(normalize(other), Ok(vec![]));
        let missing = br#"{"CreateTime":1,"MsgType":"event","Event":"channels_ec_order_pay","order_info":{}}"#;
        assert_eq!(
            normalize(missing),
            Err(KitError::MissingField("order_info.order_id".into()))
        );
    }
}
