//! Push bodies (and relayed order responses) as canonical events.
//!
//! Four shapes reach the push endpoint:
//!
//! - a plaintext event `{ToUserName, FromUserName, CreateTime,
//!   MsgType:"event", Event, order_info{order_id, …}}`;
//! - a safe-mode body holding only `Encrypt` (JSON, or the XML `<Encrypt>`
//!   element): it is decrypted ([`crate::safe_mode`]) and the message inside
//!   is read as a plaintext push;
//! - a compatible-mode body with both: when an EncodingAESKey is configured
//!   the encrypted copy is used (only it is covered by `msg_signature`),
//!   otherwise the plaintext fields;
//! - a relayed `/channels/ec/order/get` response (`{errcode, order}`), so a
//!   full order can be recorded without waiting for a poll.
//!
//! XML messages are read only far enough to skip those that are not order
//! events; XML order events are `unsupported`: the shop must choose JSON as
//! the push data format.

use orderhub_adapter_kit::KitError;
use orderhub_adapter_kit::json::{self, Fields};

use crate::bindings::orderhub::adapter::types::{
    Account, Event, EventBody, Order, PlatformStatus, StatusDomain,
};
use crate::order::{self, CURRENCY, opt_time};
use crate::push_sign::xml_element;
use crate::{api, safe_mode, topics};

/// The events of a verified push body.
pub fn normalize(body: &[u8], account: &Account) -> Result<Vec<Event>, KitError> {
    let Some((encrypt, has_plaintext)) = encrypted_part(body)? else {
        return plain(body);
    };
    if has_plaintext && !safe_mode::configured(account) {
        // Compatible mode without a key: the plaintext copy is all there is.
        return plain(body);
    }
    let message = safe_mode::decrypt(&encrypt, account)?;
    plain(&message)
}

/// The `Encrypt` field when the body has one, and whether plaintext message
/// fields sit beside it (compatible mode).
fn encrypted_part(body: &[u8]) -> Result<Option<(String, bool)>, KitError> {
    if is_xml(body) {
        let text = std::str::from_utf8(body)
            .map_err(|_| KitError::MalformedPayload("the body is not UTF-8".into()))?;
        return Ok(xml_element(text, "Encrypt")
            .map(|e| (e.to_string(), xml_element(text, "MsgType").is_some())));
    }
    let value = json::parse(body)?;
    let root = Fields::of(&value, "")?;
    if root.optional("Encrypt").is_none() {
        return Ok(None);
    }
    Ok(Some((
        root.string("Encrypt")?,
        root.optional("MsgType").is_some(),
    )))
}

fn is_xml(body: &[u8]) -> bool {
    body.trim_ascii_start().first() == Some(&b'<')
}

/// A plaintext push (or the message decrypted from a safe-mode one).
fn plain(body: &[u8]) -> Result<Vec<Event>, KitError> {
    if is_xml(body) {
        return plain_xml(body);
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
    if root.string("MsgType")? != "event" {
        return Ok(vec![]);
    }
    let name = root.string("Event")?;
    let Some(topic) = topics::find(&name) else {
        return Ok(vec![]);
    };
    Ok(vec![push_event(&root, topic)?])
}

/// XML messages: those that are not order events record nothing; order
/// events in XML are not read.
fn plain_xml(body: &[u8]) -> Result<Vec<Event>, KitError> {
    let text = std::str::from_utf8(body)
        .map_err(|_| KitError::MalformedPayload("the body is not UTF-8".into()))?;
    let unsupported = || {
        KitError::Unsupported(
            "XML order pushes are not read: configure the push data format as JSON".into(),
        )
    };
    let msg_type = xml_element(text, "MsgType").ok_or_else(unsupported)?;
    if msg_type != "event" {
        return Ok(vec![]);
    }
    match xml_element(text, "Event") {
        Some(name) if topics::find(name).is_none() => Ok(vec![]),
        _ => Err(unsupported()),
    }
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

    fn account() -> Account {
        Account {
            id: "t".into(),
            secrets: vec!["tok".into()],
            credentials: vec![],
        }
    }

    fn normalize(body: &[u8]) -> Result<Vec<Event>, KitError> {
        super::normalize(body, &account())
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
        // Safe mode without an EncodingAESKey cannot be read.
        assert!(matches!(
            normalize(br#"{"ToUserName":"gh_*","Encrypt":"abc"}"#),
            Err(KitError::MissingCredential(_))
        ));
        assert!(matches!(
            normalize(b"<xml><Encrypt><![CDATA[abc]]></Encrypt></xml>"),
            Err(KitError::MissingCredential(_))
        ));
        // Compatible mode without a key falls back to the plaintext copy.
        let compatible = br#"{"CreateTime":1,"MsgType":"event","Event":"channels_ec_order_pay","order_info":{"order_id":"7"},"Encrypt":"abc"}"#;
        assert_eq!(normalize(compatible).unwrap().len(), 1);
        assert!(matches!(
            normalize(b"<xml></xml>"),
            Err(KitError::Unsupported(_))
        ));
        let xml_order = b"<xml><MsgType><![CDATA[event]]></MsgType><Event><![CDATA[channels_ec_order_pay]]></Event></xml>";
        assert!(matches!(
            normalize(xml_order),
            Err(KitError::Unsupported(_))
        ));
        let xml_text = b"<xml><MsgType><![CDATA[text]]></MsgType><Content>hi</Content></xml>";
        assert_eq!(normalize(xml_text), Ok(vec![]));
        let other = br#"{"CreateTime":1,"MsgType":"event","Event":"channels_ec_vip_join"}"#;
        assert_eq!(normalize(other), Ok(vec![]));
        let missing = br#"{"CreateTime":1,"MsgType":"event","Event":"channels_ec_order_pay","order_info":{}}"#;
        assert_eq!(
            normalize(missing),
            Err(KitError::MissingField("order_info.order_id".into()))
        );
    }
}
