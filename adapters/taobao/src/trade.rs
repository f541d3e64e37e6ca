//! A TOP trade object as a canonical order.
//!
//! The same `Trade` shape comes back from `taobao.trade.fullinfo.get` and
//! `taobao.trades.sold.increment.get` (the latter with the fields asked for),
//! and a TMC trade message's content carries a few of its fields. Amounts are
//! yuan decimal strings, times `yyyy-MM-dd HH:mm:ss` in GMT+8, ids numbers
//! that may exceed 2^53 (read as exact text, `*_str` preferred when given).
//! Receiver name, phone and address are documented as encrypted for
//! third-party apps, so they are kept as given and marked masked.

use orderhub_adapter_kit::json::Fields;
use orderhub_adapter_kit::{KitError, money, time};

use crate::bindings::orderhub::adapter::types::{
    Address, Event, EventBody, Field, Order, OrderLine, Party, PlatformStatus, StatusDomain,
};

/// Taobao trades are in renminbi.
pub const CURRENCY: &str = "CNY";

/// An id that may exceed 2^53: `<key>_str` when the payload has it, else `<key>`.
pub fn id(fields: &Fields<'_>, key: &str) -> Result<String, KitError> {
    match fields.opt_string(&format!("{key}_str")) {
        Some(text) => Ok(text),
        None => fields.string(key),
    }
}

/// An optional yuan amount in fen.
pub fn yuan(fields: &Fields<'_>, key: &str) -> Result<Option<i64>, KitError> {
    match fields.optional(key) {
        // An empty string is how TOP leaves an amount out.
        Some(serde_json::Value::String(s)) if s.trim().is_empty() => Ok(None),
        Some(value) => money::decimal_value_minor(value, 2, &fields.path_of(key)).map(Some),
        None => Ok(None),
    }
}

/// An optional GMT+8 time as a UTC instant.
pub fn local_time(fields: &Fields<'_>, key: &str) -> Result<Option<i64>, KitError> {
    match fields.opt_string(key) {
        Some(text) => time::parse_local(&text, time::shanghai(), &fields.path_of(key)).map(Some),
        None => Ok(None),
    }
}

/// The buyer as the nick given; nicks shown as `t**1` are masked.
pub fn buyer(fields: &Fields<'_>) -> Option<Party> {
    let nick = fields.opt_string("buyer_nick")?;
    let masked = nick.contains('*');
    Some(Party {
        name: Some(nick),
        phone: None,
        email: None,
        address: None,
        masked,
    })
}

/// The trade status, with the presale status as context when there is one.
pub fn status(trade: &Fields<'_>) -> Option<PlatformStatus> {
    let step = trade.opt_string("step_trade_status");
    match trade.opt_string("status") {
        Some(value) => Some(PlatformStatus {
            domain: StatusDomain::Order,
            value,
            context: step
                .map(|value| {
                    vec![Field {
                        name: "step_trade_status".into(),
                        value,
                    }]
                })
                .unwrap_or_default(),
        }),
        None => step.map(|value| PlatformStatus {
            domain: StatusDomain::Presale,
            value,
            context: vec![],
        }),
    }
}

/// Whether the trade is a presale (deposit + balance) trade.
pub fn is_presale(fields: &Fields<'_>) -> bool {
    fields.opt_string("type").as_deref() == Some("step")
        || fields.opt_string("step_trade_status").is_some()
}

/// A full trade object as an order.
pub fn order(trade: &Fields<'_>) -> Result<Order, KitError> {
    let lines = match trade.opt_object("orders") {
        Some(orders) => orders
            .objects("order")?
            .iter()
            .map(line)
            .collect::<Result<Vec<_>, _>>()?,
        None => Vec::new(),
    };
    Ok(Order {
        external_id: id(trade, "tid")?,
        display_id: None,
        created_at: local_time(trade, "created")?,
        updated_at: local_time(trade, "modified")?,
        currency: CURRENCY.into(),
        total_minor: yuan(trade, "payment")?,
        subtotal_minor: yuan(trade, "total_fee")?,
        shipping_minor: yuan(trade, "post_fee")?,
        discount_minor: yuan(trade, "discount_fee")?,
        tax_minor: None,
        buyer: buyer(trade),
        receiver: receiver(trade),
        lines,
        presale: is_presale(trade),
        note: note(trade),
    })
}

/// The receiver, kept exactly as given.
fn receiver(trade: &Fields<'_>) -> Option<Party> {
    let raw = |key: &str| trade.opt_string(key);
    let address = Address {
        country: raw("receiver_country"),
        province: raw("receiver_state"),
        city: raw("receiver_city"),
        district: raw("receiver_district"),
        street: raw("receiver_address"),
        postal_code: raw("receiver_zip"),
    };
    let name = raw("receiver_name");
    let phone = raw("receiver_mobile").or_else(|| raw("receiver_phone"));
    let has_address = [
        &address.country,
        &address.province,
        &address.city,
        &address.district,
        &address.street,
        &address.postal_code,
    ]
    .iter()
    .any(|part| part.is_some());
    if name.is_none() && phone.is_none() && !has_address {
        return None;
    }
    Some(Party {
        name,
        phone,
        email: None,
        address: has_address.then_some(address),
        // Name, phone and detailed address are encrypted or desensitised for
        // third-party apps; what arrives is not the plain value.
        masked: true,
    })
}

/// The buyer's message and the seller's memo, when present.
fn note(trade: &Fields<'_>) -> Option<String> {
    let parts: Vec<String> = [
        ("buyer message", "buyer_message"),
        ("seller memo", "seller_memo"),
    ]
    .iter()
    .filter_map(|(label, key)| trade.opt_string(key).map(|text| format!("{label}: {text}")))
    .collect();
    (!parts.is_empty()).then(|| parts.join("\n"))
}

/// One sub-order as an order line.
fn line(sub: &Fields<'_>) -> Result<OrderLine, KitError> {
    let quantity = sub.integer("num")?;
    let quantity = u32::try_from(quantity).map_err(|_| {
        KitError::invalid(
            &sub.path_of("num"),
            format_args!("{quantity} is not a quantity"),
        )
    })?;
    // The merchant's own codes identify the SKU in an ERP; the platform's
    // SKU id is the fallback for items without one.
    let sku = sub
        .opt_string("outer_sku_id")
        .or_else(|| sub.opt_string("outer_iid"))
        .or_else(|| sub.opt_string("sku_id"));
    let status = sub.opt_string("status").map(|value| PlatformStatus {
        domain: StatusDomain::Order,
        value,
        context: sub
            .opt_string("refund_status")
            .map(|value| {
                vec![Field {
                    name: "refund_status".into(),
                    value,
                }]
            })
            .unwrap_or_default(),
    });
    Ok(OrderLine {
        external_id: Some(id(sub, "oid")?),
        sku,
        title: sub.opt_string("title"),
        quantity,
        unit_price_minor: yuan(sub, "price")?,
        discount_minor: yuan(sub, "discount_fee")?,
        status,
    })
}

/// An order event for a full trade object.
pub fn order_event(
    trade: &Fields<'_>,
    topic: &str,
    event_id: Option<String>,
    occurred_at: Option<i64>,
) -> Result<Event, KitError> {
    let order = order(trade)?;
    Ok(Event {
        event_id,
        topic: topic.into(),
        occurred_at: occurred_at.or(order.updated_at),
        status: status(trade),
        body: EventBody::Order(order),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const SAMPLE: &str = include_str!("../testdata/taobao-trade-fullinfo-get-response.json");

    #[test]
    fn the_fullinfo_sample_becomes_an_order() {
        let value: serde_json::Value = serde_json::from_str(SAMPLE).unwrap();
        let root = Fields::of(&value, "").unwrap();
        let trade = root
            .object("trade_fullinfo_get_response")
            .unwrap()
            .object("trade")
            .unwrap();
        let order = order(&trade).unwrap();
        assert_eq!(order.external_id, "500001084");
        assert_eq!(order.total_minor, Some(32358));
        assert_eq!(order.subtotal_minor, Some(48800));
        assert_eq!(order.shipping_minor, Some(0));
        assert_eq!(order.discount_minor, Some(1042));
        // 2017-07-28 14:18:32 +08:00
        assert_eq!(order.created_at, Some(1_501_222_712_000));
        assert_eq!(order.lines.len(), 2);
        assert_eq!(order.lines[0].external_id.as_deref(), Some("500001083"));
        assert_eq!(order.lines[0].sku.as_deref(), Some("B-C352-F301-356M"));
        assert_eq!(order.lines[0].unit_price_minor, Some(10000));
        assert_eq!(order.lines[1].discount_minor, Some(3000));
        let receiver = order.receiver.unwrap();
        assert!(receiver.masked);
        assert_eq!(receiver.name.as_deref(), Some("王小贝10048"));
        assert_eq!(
            receiver.address.unwrap().province.as_deref(),
            Some("陕西省")
        );
        assert_eq!(
            order.note.as_deref(),
            Some("buyer message: 周末配送 \nseller memo: 改为发顺丰")
        );
        assert!(!order.presale);
        let status = status(&trade).unwrap();
        assert_eq!(status.value, "WAIT_SELLER_SEND_GOODS");
    }

    #[test]
    fn big_ids_stay_exact_and_str_ids_win() {
        let value = serde_json::json!({"tid": 4_011_876_543_210_987_654_u64, "orders": {"order": [{"oid": 1, "oid_str": "2", "num": 1}]}});
        let trade = Fields::of(&value, "").unwrap();
        let order = order(&trade).unwrap();
        assert_eq!(order.external_id, "4011876543210987654");
        assert_eq!(order.lines[0].external_id.as_deref(), Some("2"));
    }

    #[test]
    fn bad_fields_are_named() {
        let value = serde_json::json!({"tid": 1, "payment": "1.234"});
        let trade = Fields::of(&value, "trade").unwrap();
        assert!(
            matches!(order(&trade), Err(KitError::InvalidField(m)) if m.starts_with("trade.payment"))
        );
        let value = serde_json::json!({"payment": "1.00"});
        let trade = Fields::of(&value, "trade").unwrap();
        assert_eq!(
            order(&trade).err(),
            Some(KitError::MissingField("trade.tid".into()))
        );
        let value = serde_json::json!({"tid": 1, "orders": {"order": [{"oid": 1, "num": -1}]}});
        let trade = Fields::of(&value, "trade").unwrap();
        assert!(
            matches!(order(&trade), Err(KitError::InvalidField(m)) if m.starts_with("trade.orders.order[0].num"))
        );
    }
}
