//! One TMC message as canonical events.
//!
//! A message reaches the adapter two ways — as the relay form posted to the
//! webhook ([`normalize`]) or as a data frame on the push stream
//! (`stream.rs`) — and both hand its fields to [`events`], so one message
//! gives the same events whichever way it came. Every message becomes exactly one event whose id is the message `id` and
//! whose topic is the TMC topic. Trade topics give an `order` event built from
//! the message content, refund topics an `after_sale` event, and OrderHub's
//! own `taobao_trade_TradeFullInfo` topic a full order from a relayed
//! `taobao.trade.fullinfo.get` response. The event time is the message's
//! `pub_time`, else the content's `modified`.

use orderhub_adapter_kit::json::Fields;
use orderhub_adapter_kit::{KitError, http, time};

use crate::bindings::orderhub::adapter::types::{
    AfterSale, Event, EventBody, Field, Order, PlatformStatus, StatusDomain,
};
use crate::relay;
use crate::topics::{self, Kind};
use crate::trade;

/// One TMC message, however it arrived: the relay form's fields or a
/// decoded push-stream frame. Empty values count as absent.
#[derive(Debug, Clone, Copy)]
pub struct TmcMessage<'a> {
    pub topic: Option<&'a str>,
    /// The content: JSON text, exactly as TMC delivered it.
    pub content: Option<&'a str>,
    /// The message id, as decimal text.
    pub id: Option<&'a str>,
    pub pub_time: Option<PubTime<'a>>,
}

/// When TMC published a message, in the form its carrier gives it.
#[derive(Debug, Clone, Copy)]
pub enum PubTime<'a> {
    /// `yyyy-MM-dd HH:mm:ss` in GMT+8 (the relay form's `pub_time`).
    Local(&'a str),
    /// Milliseconds since the epoch (the stream frame's `time`, a date value).
    Millis(i64),
}

/// Normalizes a verified relay form.
pub fn normalize(body: &[u8]) -> Result<Vec<Event>, KitError> {
    let fields = relay::parse(body)?;
    let text = |name: &str| http::form_value(&fields, name).filter(|v| !v.is_empty());
    events(&TmcMessage {
        topic: text("topic"),
        content: text("content"),
        id: text("id"),
        pub_time: text("pub_time").map(PubTime::Local),
    })
}

/// One TMC message as its events: the one normalization behind the relay
/// form and the push stream.
pub fn events(message: &TmcMessage<'_>) -> Result<Vec<Event>, KitError> {
    let topic = present(message.topic).ok_or_else(|| KitError::MissingField("topic".into()))?;
    let kind = topics::kind(topic).ok_or_else(|| {
        KitError::Unsupported(format!(
            "topic {topic:?} is not a Taobao trade or refund topic this adapter handles"
        ))
    })?;
    let content =
        present(message.content).ok_or_else(|| KitError::MissingField("content".into()))?;
    let content: serde_json::Value = serde_json::from_str(content)
        .map_err(|e| KitError::MalformedPayload(format!("content is not valid JSON: {e}")))?;
    let content = Fields::of(&content, "content")?;
    let envelope = Envelope {
        topic,
        id: present(message.id).map(str::to_string),
        pub_time: match message.pub_time {
            Some(PubTime::Local(text)) if !text.is_empty() => {
                Some(time::parse_local(text, time::shanghai(), "pub_time")?)
            }
            Some(PubTime::Millis(at)) => Some(at),
            _ => None,
        },
    };
    let event = match kind {
        Kind::Trade => trade_event(&envelope, &content)?,
        Kind::Refund => refund_event(&envelope, &content)?,
        Kind::FullInfo => {
            let trade = content
                .object("trade_fullinfo_get_response")?
                .object("trade")?;
            trade::order_event(&trade, topic, envelope.id, envelope.pub_time)?
        }
    };
    Ok(vec![event])
}

/// A value that is there and not empty.
fn present(value: Option<&str>) -> Option<&str> {
    value.filter(|v| !v.is_empty())
}

/// The envelope fields every event takes something from.
struct Envelope<'a> {
    topic: &'a str,
    id: Option<String>,
    pub_time: Option<i64>,
}

impl Envelope<'_> {
    fn occurred_at(&self, content: &Fields<'_>) -> Result<Option<i64>, KitError> {
        match self.pub_time {
            Some(at) => Ok(Some(at)),
            None => trade::local_time(content, "modified"),
        }
    }
}

fn trade_event(message: &Envelope<'_>, content: &Fields<'_>) -> Result<Event, KitError> {
    let status = trade::status(content).or_else(|| {
        topics::implied_trade_status(message.topic).map(|(domain, value)| PlatformStatus {
            domain,
            value: value.into(),
            context: vec![],
        })
    });
    let order = Order {
        external_id: trade::id(content, "tid")?,
        display_id: None,
        created_at: None,
        updated_at: trade::local_time(content, "modified")?,
        currency: trade::CURRENCY.into(),
        total_minor: trade::yuan(content, "payment")?,
        subtotal_minor: None,
        shipping_minor: trade::yuan(content, "post_fee")?,
        discount_minor: None,
        tax_minor: None,
        buyer: trade::buyer(content),
        receiver: None,
        // A message names at most the one sub-order it is about, without
        // quantities: not enough for a line.
        lines: vec![],
        presale: trade::is_presale(content),
        note: content
            .opt_string("seller_memo")
            .map(|memo| format!("seller memo: {memo}")),
    };
    Ok(Event {
        event_id: message.id.clone(),
        topic: message.topic.into(),
        occurred_at: message.occurred_at(content)?,
        status,
        body: EventBody::Order(order),
    })
}

fn refund_event(message: &Envelope<'_>, content: &Fields<'_>) -> Result<Event, KitError> {
    let bill_type = content.opt_string("bill_type");
    let value = content.opt_string("status").or_else(|| {
        topics::implied_refund_status(message.topic, bill_type.as_deref()).map(str::to_string)
    });
    let status = value.map(|value| PlatformStatus {
        domain: StatusDomain::Refund,
        value,
        context: bill_type
            .clone()
            .map(|value| {
                vec![Field {
                    name: "bill_type".into(),
                    value,
                }]
            })
            .unwrap_or_default(),
    });
    let after_sale = AfterSale {
        external_id: trade::id(content, "refund_id")?,
        order_external_id: trade::id(content, "tid")?,
        amount_minor: trade::yuan(content, "refund_fee")?,
        currency: Some(trade::CURRENCY.into()),
        reason: content.opt_string("reason"),
    };
    Ok(Event {
        event_id: message.id.clone(),
        topic: message.topic.into(),
        occurred_at: message.occurred_at(content)?,
        status,
        body: EventBody::AfterSale(after_sale),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn body(fields: &[(&str, &str)]) -> Vec<u8> {
        http::encode_form(fields.iter().copied()).into_bytes()
    }

    fn order(event: &Event) -> &Order {
        match &event.body {
            EventBody::Order(order) => order,
            other => panic!("not an order: {other:?}"),
        }
    }

    #[test]
    fn trade_message_with_status() {
        let events = normalize(&body(&[
            ("topic", "taobao_trade_TradeChanged"),
            ("id", "2110700041190474001"),
            ("pub_time", "2024-04-01 10:00:00"),
            (
                "content",
                r#"{"buyer_nick":"t**1","payment":"88.50","oid":4011876543210987654,"tid":4011876543210987654,"status":"WAIT_BUYER_PAY","type":"step","step_trade_status":"FRONT_PAID_FINAL_NOPAID","seller_nick":"shop"}"#,
            ),
        ]))
        .unwrap();
        assert_eq!(events.len(), 1);
        let event = &events[0];
        assert_eq!(event.event_id.as_deref(), Some("2110700041190474001"));
        assert_eq!(event.occurred_at, Some(1_711_936_800_000));
        let status = event.status.as_ref().unwrap();
        assert_eq!(
            (status.domain, status.value.as_str()),
            (StatusDomain::Order, "WAIT_BUYER_PAY")
        );
        assert_eq!(status.context[0].value, "FRONT_PAID_FINAL_NOPAID");
        let order = order(event);
        assert_eq!(order.external_id, "4011876543210987654");
        assert_eq!(order.total_minor, Some(8850));
        assert!(order.presale);
        assert!(order.buyer.as_ref().unwrap().masked);
    }

    #[test]
    fn topics_without_status_imply_one_or_none() {
        let pay = normalize(&body(&[
            ("topic", "taobao_trade_TradeBuyerPay"),
            ("content", r#"{"tid":1,"buyer_nick":"alice"}"#),
        ]))
        .unwrap();
        let status = pay[0].status.as_ref().unwrap();
        assert_eq!(status.value, "WAIT_SELLER_SEND_GOODS");
        assert!(!order(&pay[0]).buyer.as_ref().unwrap().masked);
        assert_eq!(pay[0].event_id, None);
        let close = normalize(&body(&[
            ("topic", "taobao_trade_TradeClose"),
            ("content", r#"{"tid":1}"#),
        ]))
        .unwrap();
        assert_eq!(close[0].status, None);
    }

    #[test]
    fn refund_message() {
        let events = normalize(&body(&[
            ("topic", "taobao_refund_RefundSuccess"),
            ("id", "9"),
            ("content", r#"{"refund_id":77,"tid":1,"oid":2,"refund_fee":"12.30","bill_type":"return_bill","modified":"2024-04-01 10:00:00"}"#),
        ]))
        .unwrap();
        let event = &events[0];
        assert_eq!(event.occurred_at, Some(1_711_936_800_000));
        let status = event.status.as_ref().unwrap();
        assert_eq!(
            (status.domain, status.value.as_str()),
            (StatusDomain::Refund, "SUCCESS")
        );
        assert_eq!(status.context[0].value, "return_bill");
        match &event.body {
            EventBody::AfterSale(a) => {
                assert_eq!(
                    (a.external_id.as_str(), a.order_external_id.as_str()),
                    ("77", "1")
                );
                assert_eq!(a.amount_minor, Some(1230));
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn errors_are_typed_and_named() {
        let missing = normalize(&body(&[
            ("topic", "taobao_refund_RefundCreated"),
            ("content", r#"{"tid":1}"#),
        ]));
        assert_eq!(
            missing.err(),
            Some(KitError::MissingField("content.refund_id".into()))
        );
        let bad_json = normalize(&body(&[
            ("topic", "taobao_trade_TradeCreate"),
            ("content", "{\"tid\":"),
        ]));
        assert!(matches!(bad_json, Err(KitError::MalformedPayload(_))));
        let no_topic = normalize(&body(&[("content", "{}")]));
        assert_eq!(no_topic.err(), Some(KitError::MissingField("topic".into())));
        let other = normalize(&body(&[
            ("topic", "taobao_item_ItemAdd"),
            ("content", "{}"),
        ]));
        assert!(matches!(other, Err(KitError::Unsupported(_))));
        let not_object = normalize(&body(&[
            ("topic", "taobao_trade_TradeCreate"),
            ("content", "[1]"),
        ]));
        assert!(matches!(not_object, Err(KitError::InvalidField(_))));
        assert!(normalize(&[0xff, 0xfe]).is_err());
    }
}
