//! A Pinduoduo order object as a canonical order, and its status.
//!
//! The same order shape comes back from `pdd.order.information.get`
//! (`order_info`) and from each entry of
//! `pdd.order.number.list.increment.get` (`order_sn_list[]`). Amounts are
//! yuan as JSON numbers (`11.01`), read through their decimal text so no
//! float arithmetic touches them; times are `yyyy-MM-dd HH:mm:ss` in
//! Asia/Shanghai, with `""` for "not yet". Receiver name, phone and address
//! are ciphertext for third-party apps (and empty once the order shipped or is
//! under risk review), next to `*_mask` fields with masked plain text; what
//! arrives is kept exactly as given.

use orderhub_adapter_kit::json::Fields;
use orderhub_adapter_kit::{KitError, money, time};

use crate::bindings::orderhub::adapter::types::{
    Address, Event, EventBody, Field, Order, OrderLine, Party, PlatformStatus, StatusDomain,
};
use crate::status::{
    AFTER_SALES_STATUS, CONFIRM_STATUS, REFUND_STATUS, RISK_CONTROL_STATUS, STEP_TRADE_STATUS,
};

/// Pinduoduo orders are in renminbi.
pub const CURRENCY: &str = "CNY";

/// An optional yuan amount in fen.
pub fn yuan(fields: &Fields<'_>, key: &str) -> Result<Option<i64>, KitError> {
    match fields.optional(key) {
        // An empty string is how the platform leaves an amount out.
        Some(serde_json::Value::String(s)) if s.trim().is_empty() => Ok(None),
        Some(value) => money::decimal_value_minor(value, 2, &fields.path_of(key)).map(Some),
        None => Ok(None),
    }
}

/// An optional Asia/Shanghai time as a UTC instant; `""` is absent.
pub fn local_time(fields: &Fields<'_>, key: &str) -> Result<Option<i64>, KitError> {
    match fields.opt_string(key) {
        Some(text) => time::parse_local(&text, time::shanghai(), &fields.path_of(key)).map(Some),
        None => Ok(None),
    }
}

/// Whether a personal value arrived masked (`张*`, `186****3376`) or as
/// ciphertext (the platform's encrypted values start with `~` or, for
/// searchable fields, `$`).
fn looks_protected(text: &str) -> bool {
    text.contains('*') || text.starts_with('~') || text.starts_with('$')
}

/// The value of `key`, else of its masked twin `mask_key`; the flag says
/// whether the masked twin was used.
fn plain_or_mask(fields: &Fields<'_>, key: &str, mask_key: &str) -> Option<(String, bool)> {
    fields
        .opt_string(key)
        .map(|v| (v, false))
        .or_else(|| fields.opt_string(mask_key).map(|v| (v, true)))
}

/// The receiver, kept exactly as given.
fn receiver(order: &Fields<'_>) -> Option<Party> {
    let name = plain_or_mask(order, "receiver_name", "receiver_name_mask");
    let phone = plain_or_mask(order, "receiver_phone", "receiver_phone_mask");
    // `receiver_address` is the street part; older responses only have
    // `address`, the whole address in one line.
    let street = plain_or_mask(order, "receiver_address", "receiver_address_mask")
        .or_else(|| plain_or_mask(order, "address", "address_mask"));
    let masked = [&name, &phone, &street]
        .iter()
        .filter_map(|part| part.as_ref())
        .any(|(text, from_mask)| *from_mask || looks_protected(text));
    let address = Address {
        country: order.opt_string("country"),
        province: order.opt_string("province"),
        city: order.opt_string("city"),
        district: order.opt_string("town"),
        street: street.map(|(text, _)| text),
        postal_code: None,
    };
    let has_address = [
        &address.country,
        &address.province,
        &address.city,
        &address.district,
        &address.street,
    ]
    .iter()
    .any(|part| part.is_some());
    if name.is_none() && phone.is_none() && !has_address {
        return None;
    }
    Some(Party {
        name: name.map(|(text, _)| text),
        phone: phone.map(|(text, _)| text),
        email: None,
        address: has_address.then_some(address),
        masked,
    })
}

/// The buyer's message and the seller's memo, when present.
fn note(order: &Fields<'_>) -> Option<String> {
    let parts: Vec<String> = [("buyer message", "buyer_memo"), ("seller memo", "remark")]
        .iter()
        .filter_map(|(label, key)| order.opt_string(key).map(|text| format!("{label}: {text}")))
        .collect();
    (!parts.is_empty()).then(|| parts.join("\n"))
}

/// Whether the order is a presale: a presale item (`is_pre_sale`, ships
/// at `pre_sale_time`) or a deposit order (`trade_type = 1`, with
/// `step_order_info`).
fn is_presale(order: &Fields<'_>) -> bool {
    order.opt_bool("is_pre_sale") == Some(true)
        || order.opt_string("trade_type").as_deref() == Some("1")
        || order.opt_object("step_order_info").is_some()
}

/// One `item_list` entry as an order line. The platform has no line id; the
/// SKU id identifies the line within its order.
fn line(item: &Fields<'_>) -> Result<OrderLine, KitError> {
    let quantity = item.integer("goods_count")?;
    let quantity = u32::try_from(quantity).map_err(|_| {
        KitError::invalid(
            &item.path_of("goods_count"),
            format_args!("{quantity} is not a quantity"),
        )
    })?;
    let sku_id = item.opt_string("sku_id");
    // The merchant's own SKU code identifies the SKU in an ERP; the
    // platform's SKU id is the fallback for items without one.
    let sku = item.opt_string("outer_id").or_else(|| sku_id.clone());
    Ok(OrderLine {
        external_id: sku_id,
        sku,
        title: item.opt_string("goods_name"),
        quantity,
        unit_price_minor: yuan(item, "goods_price")?,
        discount_minor: None,
        status: None,
    })
}

/// The order's status: `order_status` with the other status fields as
/// context (`confirm_status` as the value when there is no `order_status`).
pub fn status(order: &Fields<'_>) -> Option<PlatformStatus> {
    let step = order
        .opt_object("step_order_info")
        .and_then(|info| info.opt_string(STEP_TRADE_STATUS));
    let mut context: Vec<Field> = [
        CONFIRM_STATUS,
        RISK_CONTROL_STATUS,
        REFUND_STATUS,
        AFTER_SALES_STATUS,
    ]
    .iter()
    .filter_map(|name| {
        order.opt_string(name).map(|value| Field {
            name: (*name).to_string(),
            value,
        })
    })
    .chain(step.map(|value| Field {
        name: STEP_TRADE_STATUS.to_string(),
        value,
    }))
    .collect();
    if let Some(value) = order.opt_string("order_status") {
        return Some(PlatformStatus {
            domain: StatusDomain::Order,
            value,
            context,
        });
    }
    let at = context.iter().position(|f| f.name == CONFIRM_STATUS)?;
    let value = context.remove(at).value;
    Some(PlatformStatus {
        domain: StatusDomain::Payment,
        value,
        context,
    })
}

/// A full order object as an order.
pub fn order(order: &Fields<'_>) -> Result<Order, KitError> {
    let lines = order
        .objects("item_list")?
        .iter()
        .map(line)
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Order {
        external_id: order.string("order_sn")?,
        display_id: None,
        created_at: local_time(order, "created_time")?,
        updated_at: local_time(order, "updated_at")?,
        currency: CURRENCY.into(),
        total_minor: yuan(order, "pay_amount")?,
        subtotal_minor: yuan(order, "goods_amount")?,
        shipping_minor: yuan(order, "postage")?,
        discount_minor: yuan(order, "discount_amount")?,
        tax_minor: None,
        // The platform gives third-party apps no buyer identity.
        buyer: None,
        receiver: receiver(order),
        lines,
        presale: is_presale(order),
        note: note(order),
    })
}

/// An order event for a full order object; the event time is the order's
/// `updated_at` unless the caller knows better.
pub fn order_event(
    fields: &Fields<'_>,
    topic: &str,
    event_id: Option<String>,
    occurred_at: Option<i64>,
) -> Result<Event, KitError> {
    let order = order(fields)?;
    Ok(Event {
        event_id,
        topic: topic.into(),
        occurred_at: occurred_at.or(order.updated_at),
        status: status(fields),
        body: EventBody::Order(order),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const SAMPLE: &str = include_str!("../testdata/pinduoduo-order-information-get-response.json");

    fn context<'a>(status: &'a PlatformStatus, name: &str) -> Option<&'a str> {
        status
            .context
            .iter()
            .find(|f| f.name == name)
            .map(|f| f.value.as_str())
    }

    #[test]
    fn the_documented_sample_becomes_an_order() {
        let value: serde_json::Value = serde_json::from_str(SAMPLE).unwrap();
        let root = Fields::of(&value, "").unwrap();
        let info = root
            .object("order_info_get_response")
            .unwrap()
            .object("order_info")
            .unwrap();
        let order = order(&info).unwrap();
        assert_eq!(order.external_id, "180831-481803633911509");
        assert_eq!(order.currency, "CNY");
        assert_eq!(order.total_minor, Some(1101));
        assert_eq!(order.subtotal_minor, Some(1101));
        assert_eq!(order.shipping_minor, Some(0));
        assert_eq!(order.discount_minor, Some(0));
        // 2018-08-31 10:42:33 +08:00 = 2018-08-31T02:42:33Z.
        assert_eq!(order.created_at, Some(1_535_683_353_000));
        assert_eq!(order.updated_at, Some(1_535_683_353_000));
        assert!(!order.presale);
        assert_eq!(order.note, None);
        assert_eq!(order.lines.len(), 1);
        let line = &order.lines[0];
        assert_eq!(line.external_id.as_deref(), Some("51972265894"));
        assert_eq!(line.sku.as_deref(), Some("51972265894"));
        assert_eq!(line.quantity, 1);
        assert_eq!(line.unit_price_minor, Some(1101));
        let receiver = order.receiver.unwrap();
        // The 2018 sample predates encryption: plain values, not masked.
        assert!(!receiver.masked);
        assert_eq!(receiver.name.as_deref(), Some("展护卫"));
        assert_eq!(receiver.phone.as_deref(), Some("18667163376"));
        let address = receiver.address.unwrap();
        assert_eq!(address.district.as_deref(), Some("长宁区"));
        assert_eq!(
            address.street.as_deref(),
            Some("上海市上海市长宁区娄山关路533号金虹桥国际中心28楼拼多多")
        );
        let status = status(&info).unwrap();
        assert_eq!(
            (status.domain, status.value.as_str()),
            (StatusDomain::Order, "1")
        );
        assert_eq!(context(&status, REFUND_STATUS), Some("1"));
        assert_eq!(context(&status, AFTER_SALES_STATUS), Some("0"));
        assert_eq!(context(&status, CONFIRM_STATUS), None);
    }

    #[test]
    fn encrypted_receivers_and_deposit_orders() {
        let value = serde_json::json!({
            "order_sn": "240401-1", "order_status": 1, "confirm_status": 1, "trade_type": 1,
            "risk_control_status": 0,
            "step_order_info": {"step_trade_status": 1, "step_paid_fee": 30.0},
            "receiver_name": "~AgAAAAFZ0dNr7oeHtwAB0Q==~0~", "receiver_phone": "",
            "receiver_phone_mask": "186****3376", "receiver_address_mask": "娄山关路***",
            "pay_amount": 88.5, "postage": "", "item_list": []
        });
        let info = Fields::of(&value, "order").unwrap();
        let order = order(&info).unwrap();
        assert!(order.presale);
        assert_eq!(order.total_minor, Some(8850));
        assert_eq!(order.shipping_minor, None);
        let receiver = order.receiver.unwrap();
        assert!(receiver.masked);
        assert_eq!(receiver.phone.as_deref(), Some("186****3376"));
        let status = status(&info).unwrap();
        assert_eq!(context(&status, STEP_TRADE_STATUS), Some("1"));
        assert_eq!(context(&status, RISK_CONTROL_STATUS), Some("0"));
    }

    #[test]
    fn confirm_status_stands_in_for_a_missing_order_status() {
        let value = serde_json::json!({"order_sn": "x", "confirm_status": 2, "refund_status": 4});
        let info = Fields::of(&value, "").unwrap();
        let status = status(&info).unwrap();
        assert_eq!(
            (status.domain, status.value.as_str()),
            (StatusDomain::Payment, "2")
        );
        assert_eq!(context(&status, REFUND_STATUS), Some("4"));
        assert_eq!(context(&status, CONFIRM_STATUS), None);
    }

    #[test]
    fn bad_fields_are_named() {
        let value = serde_json::json!({"order_sn": "x", "pay_amount": 1.234});
        let info = Fields::of(&value, "order").unwrap();
        assert!(
            matches!(order(&info), Err(KitError::InvalidField(m)) if m.starts_with("order.pay_amount"))
        );
        let value = serde_json::json!({"pay_amount": 1.0});
        let info = Fields::of(&value, "order").unwrap();
        assert_eq!(
            order(&info).err(),
            Some(KitError::MissingField("order.order_sn".into()))
        );
        let value = serde_json::json!({"order_sn": "x", "item_list": [{"goods_count": -1}]});
        let info = Fields::of(&value, "order").unwrap();
        assert!(
            matches!(order(&info), Err(KitError::InvalidField(m)) if m.starts_with("order.item_list[0].goods_count"))
        );
        let value = serde_json::json!({"order_sn": "x", "created_time": "31/08/2018"});
        let info = Fields::of(&value, "order").unwrap();
        assert!(
            matches!(order(&info), Err(KitError::InvalidField(m)) if m.starts_with("order.created_time"))
        );
    }
}
