//! Message-service frames and relayed bodies as canonical events.
//!
//! A message-service frame is `{"id", "commandType", "time", "sendTime",
//! "message": {"type", "mallID", "content"}}`, whose `content` is JSON text.
//! A `Common` frame becomes one event: trade types an `order` event, refund
//! types an `after_sale` event, with the frame `id` as the event id (the
//! host's idempotency key). [`common_events`] does that one job for both
//! ways a frame reaches OrderHub — posted by the relay ([`normalize`]) or
//! read from the adapter's own push stream (`stream`) — so both give the
//! same events for the same frame.
//!
//! The relay carries two kinds of body, told apart by their top-level key:
//!
//! - a frame as above; `HeartBeat` and `Ack` frames carry nothing to record;
//! - a `pdd.order.information.get` response, `{"order_info_get_response":
//!   {"order_info": {…}}}`, which becomes a full `order` event.
//!
//! A relayed `error_response` is refused with the gateway's error.

use orderhub_adapter_kit::json::{self, Fields};
use orderhub_adapter_kit::{KitError, money, time};

use crate::bindings::orderhub::adapter::types::{
    Account, AfterSale, Event, EventBody, Order, PlatformStatus, StatusDomain,
};
use crate::topics::{self, Kind};
use crate::{gateway_error, order, request};

/// Normalizes a verified relay body.
pub fn normalize(body: &[u8], account: &Account) -> Result<Vec<Event>, KitError> {
    let value = json::parse(body)?;
    let root = Fields::of(&value, "")?;
    if let Some(response) = root.opt_object("order_info_get_response") {
        let info = response.object("order_info")?;
        return Ok(vec![order::order_event(
            &info,
            topics::FULL_ORDER_TOPIC,
            None,
            None,
        )?]);
    }
    if let Some(error) = root.opt_object("error_response") {
        return Err(gateway_error::from_response(&error));
    }
    if root.optional("message").is_none() && root.optional("commandType").is_none() {
        return Err(KitError::MalformedPayload(
            "the body is neither a message-service frame (`message`) nor an \
             `order_info_get_response`"
                .into(),
        ));
    }
    frame(&root, account)
}

/// A relayed message-service frame.
fn frame(root: &Fields<'_>, account: &Account) -> Result<Vec<Event>, KitError> {
    match root.opt_string("commandType").as_deref() {
        // Frames relayed without their command type are taken as messages.
        None | Some("Common") => common_events(root, account),
        Some("HeartBeat" | "Ack") => Ok(vec![]),
        Some("Fail") => Err(KitError::Unsupported(format!(
            "a Fail frame is the message service reporting an error, not an event: {}",
            fail_reason(root)
        ))),
        Some(other) => Err(KitError::invalid(
            "commandType",
            format_args!("{other:?} is not Common, HeartBeat, Ack or Fail"),
        )),
    }
}

/// What a `Fail` frame says went wrong: its `message.content`.
pub fn fail_reason(root: &Fields<'_>) -> String {
    root.opt_object("message")
        .and_then(|m| m.opt_string("content"))
        .unwrap_or_default()
}

/// The events of a `Common` frame (one event), whichever way it arrived.
pub fn common_events(root: &Fields<'_>, account: &Account) -> Result<Vec<Event>, KitError> {
    let message = root.object("message")?;
    let topic = message.string("type")?;
    check_mall(&message, account)?;
    let kind = topics::kind(&topic).ok_or_else(|| {
        KitError::Unsupported(format!(
            "message type {topic:?} is not a Pinduoduo trade or refund type this adapter handles"
        ))
    })?;
    let content_value;
    let content = match message.required("content")? {
        serde_json::Value::String(text) => {
            content_value = serde_json::from_str::<serde_json::Value>(text).map_err(|e| {
                KitError::MalformedPayload(format!("message.content is not valid JSON: {e}"))
            })?;
            Fields::of(&content_value, "message.content")?
        }
        other => Fields::of(other, "message.content")?,
    };
    let envelope = Envelope {
        topic: &topic,
        id: root.opt_string("id"),
        sent_at: root
            .optional("sendTime")
            .map(|v| time::unix_millis_value(v, "sendTime"))
            .transpose()?,
    };
    let event = match kind {
        Kind::Trade => trade_event(&envelope, &content)?,
        Kind::Refund => refund_event(&envelope, &content)?,
    };
    Ok(vec![event])
}

/// When the account names its shop (`mall_id`), a message for another shop
/// is refused: it was relayed to the wrong account.
fn check_mall(message: &Fields<'_>, account: &Account) -> Result<(), KitError> {
    match (
        request::credential(account, "mall_id"),
        message.opt_string("mallID"),
    ) {
        (Some(expected), Some(sent)) if sent != expected => Err(KitError::invalid(
            "message.mallID",
            format_args!("{sent} is not this account's mall_id {expected}"),
        )),
        _ => Ok(()),
    }
}

/// The frame fields every event takes something from.
struct Envelope<'a> {
    topic: &'a str,
    id: Option<String>,
    sent_at: Option<i64>,
}

impl Envelope<'_> {
    /// The content's `modified` (when the change happened), else the frame's
    /// `sendTime`.
    fn occurred_at(&self, content: &Fields<'_>) -> Result<Option<i64>, KitError> {
        match content.optional("modified") {
            Some(value) => modified(value, &content.path_of("modified")).map(Some),
            None => Ok(self.sent_at),
        }
    }
}

/// `modified` is Unix milliseconds in the messages seen; a value below 10^12
/// can only be seconds (10^12 ms is September 2001), so both read exactly.
fn modified(value: &serde_json::Value, field: &str) -> Result<i64, KitError> {
    let number = time::unix_millis_value(value, field)?;
    if (0..1_000_000_000_000).contains(&number) {
        time::unix_seconds_value(value, field)
    } else {
        Ok(number)
    }
}

fn trade_event(envelope: &Envelope<'_>, content: &Fields<'_>) -> Result<Event, KitError> {
    let status =
        topics::implied_trade_status(envelope.topic).map(|(domain, value)| PlatformStatus {
            domain,
            value: value.into(),
            context: vec![],
        });
    let order = Order {
        external_id: content.string("tid")?,
        display_id: None,
        created_at: None,
        updated_at: None,
        currency: order::CURRENCY.into(),
        total_minor: None,
        subtotal_minor: None,
        shipping_minor: None,
        discount_minor: None,
        tax_minor: None,
        buyer: None,
        receiver: None,
        // A message names the order only; lines come with the full order.
        lines: vec![],
        presale: false,
        note: None,
    };
    Ok(Event {
        event_id: envelope.id.clone(),
        topic: envelope.topic.into(),
        occurred_at: envelope.occurred_at(content)?,
        status,
        body: EventBody::Order(order),
    })
}

fn refund_event(envelope: &Envelope<'_>, content: &Fields<'_>) -> Result<Event, KitError> {
    let status = topics::implied_refund_status(envelope.topic).map(|value| PlatformStatus {
        domain: StatusDomain::Refund,
        value: value.into(),
        context: vec![],
    });
    // After-sale messages carry the amount in fen, as an integer.
    let amount = content
        .optional("refund_fee")
        .map(|v| money::minor_units_value(v, &content.path_of("refund_fee")))
        .transpose()?;
    let after_sale = AfterSale {
        external_id: content.string("refund_id")?,
        order_external_id: content.string("tid")?,
        amount_minor: amount,
        currency: Some(order::CURRENCY.into()),
        reason: content.opt_string("reason"),
    };
    Ok(Event {
        event_id: envelope.id.clone(),
        topic: envelope.topic.into(),
        occurred_at: envelope.occurred_at(content)?,
        status,
        body: EventBody::AfterSale(after_sale),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bindings::orderhub::adapter::types::Field;

    const SAMPLE: &str = include_str!("../testdata/pinduoduo-order-information-get-response.json");

    fn account(credentials: &[(&str, &str)]) -> Account {
        Account {
            id: "shop".into(),
            secrets: vec!["s".into()],
            credentials: credentials
                .iter()
                .map(|(n, v)| Field {
                    name: (*n).into(),
                    value: (*v).into(),
                })
                .collect(),
        }
    }

    fn frame_body(topic: &str, content: &str) -> Vec<u8> {
        serde_json::json!({
            "id": 9_007_199_254_740_993_u64, "commandType": "Common", "time": 1_711_929_590_000_i64,
            "sendTime": 1_711_929_595_000_i64,
            "message": {"type": topic, "mallID": 100, "content": content}
        })
        .to_string()
        .into_bytes()
    }

    #[test]
    fn trade_confirmed_is_a_paid_order() {
        let body = frame_body(
            "pdd_trade_TradeConfirmed",
            r#"{"mall_id":100,"tid":"240401-01"}"#,
        );
        let events = normalize(&body, &account(&[("mall_id", "100")])).unwrap();
        let event = &events[0];
        assert_eq!(event.event_id.as_deref(), Some("9007199254740993"));
        assert_eq!(event.occurred_at, Some(1_711_929_595_000));
        let status = event.status.as_ref().unwrap();
        assert_eq!(
            (status.domain, status.value.as_str()),
            (StatusDomain::Payment, "1")
        );
        match &event.body {
            EventBody::Order(order) => assert_eq!(order.external_id, "240401-01"),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn refund_messages_carry_fen_and_millisecond_times() {
        let body = frame_body(
            "pdd_refund_RefundCreated",
            r#"{"mall_id":171504183,"refund_fee":1990,"bill_type":1,"modified":1625637425016,"refund_id":7381745730,"operation":1000,"tid":"210707-339507978993455"}"#,
        );
        let events = normalize(&body, &account(&[])).unwrap();
        let event = &events[0];
        assert_eq!(event.occurred_at, Some(1_625_637_425_016));
        assert_eq!(event.status.as_ref().unwrap().value, "2");
        match &event.body {
            EventBody::AfterSale(a) => {
                assert_eq!(
                    (a.external_id.as_str(), a.order_external_id.as_str()),
                    ("7381745730", "210707-339507978993455")
                );
                assert_eq!(a.amount_minor, Some(1990));
            }
            other => panic!("{other:?}"),
        }
        let seconds = frame_body(
            "pdd_refund_RefundClosed",
            r#"{"refund_id":1,"tid":"t","modified":1625637425}"#,
        );
        let events = normalize(&seconds, &account(&[])).unwrap();
        assert_eq!(events[0].occurred_at, Some(1_625_637_425_000));
        let yuan = frame_body(
            "pdd_refund_RefundClosed",
            r#"{"refund_id":1,"tid":"t","refund_fee":19.9}"#,
        );
        assert!(matches!(
            normalize(&yuan, &account(&[])),
            Err(KitError::InvalidField(m)) if m.starts_with("message.content.refund_fee")
        ));
    }

    #[test]
    fn the_full_order_relay_uses_the_sample() {
        let events = normalize(SAMPLE.as_bytes(), &account(&[])).unwrap();
        let event = &events[0];
        assert_eq!(event.topic, topics::FULL_ORDER_TOPIC);
        assert_eq!(event.event_id, None);
        assert_eq!(event.occurred_at, Some(1_535_683_353_000));
    }

    #[test]
    fn control_frames_and_other_shops() {
        assert_eq!(
            normalize(br#"{"commandType":"HeartBeat"}"#, &account(&[])),
            Ok(vec![])
        );
        assert!(matches!(
            normalize(
                br#"{"commandType":"Fail","message":{"content":"auth"}}"#,
                &account(&[])
            ),
            Err(KitError::Unsupported(_))
        ));
        let body = frame_body("pdd_trade_TradeSellerShip", r#"{"tid":"x"}"#);
        assert!(matches!(
            normalize(&body, &account(&[("mall_id", "101")])),
            Err(KitError::InvalidField(m)) if m.starts_with("message.mallID")
        ));
        let goods = frame_body("pdd_goods_GoodsAdd", r#"{"goods_id":1}"#);
        assert!(matches!(
            normalize(&goods, &account(&[])),
            Err(KitError::Unsupported(_))
        ));
    }

    #[test]
    fn errors_are_typed_and_named() {
        let no_tid = frame_body("pdd_trade_TradeSellerShip", r#"{"mall_id":100}"#);
        assert_eq!(
            normalize(&no_tid, &account(&[])).err(),
            Some(KitError::MissingField("message.content.tid".into()))
        );
        let bad_content = frame_body("pdd_trade_TradeSellerShip", r#"{"tid":"#);
        assert!(matches!(
            normalize(&bad_content, &account(&[])),
            Err(KitError::MalformedPayload(_))
        ));
        assert!(matches!(
            normalize(b"{\"id\":1,", &account(&[])),
            Err(KitError::MalformedPayload(_))
        ));
        assert!(matches!(
            normalize(b"{\"orders\":[]}", &account(&[])),
            Err(KitError::MalformedPayload(_))
        ));
        assert!(matches!(
            normalize(br#"{"error_response":{"error_code":10019}}"#, &account(&[])),
            Err(KitError::MissingCredential(_))
        ));
        assert!(normalize(&[0xff, 0xfe], &account(&[])).is_err());
    }
}
