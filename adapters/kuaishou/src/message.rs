//! Turning one decrypted push envelope into canonical events.
//!
//! The envelope is `{eventId, msgId, bizId, userId, openId, appKey, event,
//! info, status, createTime, updateTime, operator, test}`, where `info` is a
//! JSON *string* holding the event's own fields. Order events carry the order
//! id `oid` and (except `addOrder` and `totalFeeChange`) the new `status`;
//! after-sale events carry the refund. The event id is `msgId`, the only id
//! the platform documents as unique per delivery.

use orderhub_adapter_kit::{KitError, json, money, time};
use serde_json::Value;

use crate::bindings::orderhub::adapter::types::{
    AfterSale, Event, EventBody, Order, PlatformStatus, StatusDomain,
};
use crate::topics::{self, Topic};

/// The platform's only currency.
pub const CURRENCY: &str = "CNY";

/// The canonical events of one envelope (none for a heartbeat test message).
pub fn normalize(envelope: &Value) -> Result<Vec<Event>, KitError> {
    let root = json::Fields::of(envelope, "")?;
    // The platform's connectivity checks set `test`; they describe no order.
    if root.opt_bool("test") == Some(true) {
        return Ok(vec![]);
    }
    let event_name = root.string("event")?;
    let topic = topics::find(&event_name).ok_or_else(|| {
        KitError::Unsupported(format!(
            "event {event_name:?} is not handled by this adapter"
        ))
    })?;
    let msg_id = root.string("msgId")?;
    let occurred_at = match root.optional("updateTime").or(root.optional("createTime")) {
        Some(v) => Some(time::unix_millis_value(v, "updateTime")?),
        None => None,
    };
    let info_text = root.string("info")?;
    // `info` is the message itself, so unreadable JSON there is a malformed
    // payload rather than one bad field.
    let info_value = json::parse(info_text.as_bytes()).map_err(|e| match e {
        KitError::MalformedPayload(why) => KitError::MalformedPayload(format!("info: {why}")),
        other => other,
    })?;
    let info = json::Fields::of(&info_value, "info")?;
    let (status, body) = match topic {
        Topic::Order { implied_status } => order_event(&info, implied_status)?,
        Topic::Refund => refund_event(&info)?,
    };
    Ok(vec![Event {
        event_id: Some(msg_id),
        topic: event_name,
        occurred_at,
        status,
        body,
    }])
}

fn opt_millis(info: &json::Fields<'_>, key: &str) -> Result<Option<i64>, KitError> {
    info.optional(key)
        .map(|v| time::unix_millis_value(v, &info.path_of(key)))
        .transpose()
}

fn opt_fen(info: &json::Fields<'_>, key: &str) -> Result<Option<i64>, KitError> {
    info.optional(key)
        .map(|v| money::minor_units_value(v, &info.path_of(key)))
        .transpose()
}

fn order_event(
    info: &json::Fields<'_>,
    implied_status: Option<&str>,
) -> Result<(Option<PlatformStatus>, EventBody), KitError> {
    let oid = info.string("oid")?;
    let status = info
        .optional("status")
        .and_then(json::scalar_text)
        .or(implied_status.map(str::to_string))
        .map(|value| PlatformStatus {
            domain: StatusDomain::Order,
            value,
            context: vec![],
        });
    let order = Order {
        external_id: oid,
        display_id: None,
        created_at: opt_millis(info, "createTime")?,
        updated_at: opt_millis(info, "updateTime")?,
        currency: CURRENCY.into(),
        // `totalFee`/`expressFee` are read as fen: item prices are documented
        // in fen, the order-level unit is assumed to be the same.
        total_minor: opt_fen(info, "totalFee")?,
        subtotal_minor: None,
        shipping_minor: opt_fen(info, "expressFee")?,
        discount_minor: None,
        tax_minor: None,
        buyer: None,
        receiver: None,
        lines: vec![],
        presale: false,
        note: None,
    };
    Ok((status, EventBody::Order(order)))
}

fn refund_event(info: &json::Fields<'_>) -> Result<(Option<PlatformStatus>, EventBody), KitError> {
    let refund_id = info.string("refundId")?;
    let oid = info.string("oid")?;
    let status = info
        .optional("refundStatus")
        .and_then(json::scalar_text)
        .map(|value| PlatformStatus {
            domain: StatusDomain::Refund,
            value,
            context: vec![],
        });
    let after_sale = AfterSale {
        external_id: refund_id,
        order_external_id: oid,
        amount_minor: opt_fen(info, "refundFee")?,
        currency: Some(CURRENCY.into()),
        reason: info.opt_string("refundReasonDesc"),
    };
    Ok((status, EventBody::AfterSale(after_sale)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn envelope(event: &str, info: &str) -> Value {
        serde_json::json!({
            "eventId": "e1", "msgId": "m1", "appKey": "ks1", "event": event,
            "info": info, "status": 2, "createTime": 1_000, "updateTime": 2_000
        })
    }

    #[test]
    fn pay_success_carries_the_order_status() {
        let events = normalize(&envelope(
            "kwaishop_order_paySuccess",
            r#"{"oid":2607602240240301,"sellerId":1,"status":30,"updateTime":1773750945000}"#,
        ))
        .unwrap();
        let [event] = events.as_slice() else {
            panic!("one event")
        };
        assert_eq!(event.event_id.as_deref(), Some("m1"));
        assert_eq!(event.occurred_at, Some(2_000));
        assert_eq!(event.status.as_ref().map(|s| s.value.as_str()), Some("30"));
        let EventBody::Order(order) = &event.body else {
            panic!("order")
        };
        assert_eq!(order.external_id, "2607602240240301");
        assert_eq!(order.updated_at, Some(1_773_750_945_000));
    }

    #[test]
    fn delivering_without_status_implies_shipped() {
        let events = normalize(&envelope("kwaishop_order_delivering", r#"{"oid":5}"#)).unwrap();
        assert_eq!(
            events[0].status.as_ref().map(|s| s.value.as_str()),
            Some("40")
        );
    }

    #[test]
    fn refund_events_become_after_sales() {
        let events = normalize(&envelope(
            "kwaishop_aftersales_addRefund",
            r#"{"refundId":9,"oid":5,"refundStatus":10,"refundFee":1990}"#,
        ))
        .unwrap();
        let EventBody::AfterSale(a) = &events[0].body else {
            panic!("after-sale")
        };
        assert_eq!((a.external_id.as_str(), a.amount_minor), ("9", Some(1990)));
    }

    #[test]
    fn bad_inputs_are_typed_errors() {
        assert!(matches!(
            normalize(&envelope("kwaishop_order_paySuccess", "{not json")),
            Err(KitError::MalformedPayload(_))
        ));
        assert!(matches!(
            normalize(&envelope("kwaishop_order_paySuccess", r#"{"status":30}"#)),
            Err(KitError::MissingField(_))
        ));
        assert!(matches!(
            normalize(&envelope("kwaishop_item_add", "{}")),
            Err(KitError::Unsupported(_))
        ));
        let mut test = envelope("kwaishop_order_paySuccess", "{}");
        test["test"] = Value::Bool(true);
        assert_eq!(normalize(&test).unwrap(), vec![]);
    }
}
