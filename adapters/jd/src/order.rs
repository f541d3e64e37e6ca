//! A JD POP order object as a canonical order.
//!
//! The shape is the `OrderSearchInfo` of `jingdong.pop.order.search` and
//! `jingdong.pop.order.get` as the public SDKs name it: `orderId`,
//! `orderState`, amounts as yuan decimal strings (`orderTotalPrice` goods
//! total, `orderPayment` what the buyer pays, `freightPrice`,
//! `sellerDiscount`), times `yyyy-MM-dd HH:mm:ss` in GMT+8 (`orderStartTime`,
//! `modified`), `consigneeInfo` and `itemInfoList`. Consignee name, phone and
//! address are masked or encrypted for third-party apps, so they are kept as
//! given and marked masked.

use orderhub_adapter_kit::json::Fields;
use orderhub_adapter_kit::{KitError, money, time};

use crate::bindings::orderhub::adapter::types::{
    Address, Event, EventBody, Order, OrderLine, Party, PlatformStatus, StatusDomain,
};

/// JD POP orders are in renminbi.
pub const CURRENCY: &str = "CNY";

/// An optional yuan amount in fen; an empty string counts as absent.
fn yuan(fields: &Fields<'_>, key: &str) -> Result<Option<i64>, KitError> {
    match fields.optional(key) {
        Some(serde_json::Value::String(s)) if s.trim().is_empty() => Ok(None),
        Some(value) => money::decimal_value_minor(value, 2, &fields.path_of(key)).map(Some),
        None => Ok(None),
    }
}

/// An optional GMT+8 time as a UTC instant.
fn local_time(fields: &Fields<'_>, key: &str) -> Result<Option<i64>, KitError> {
    match fields.opt_string(key) {
        Some(text) => time::parse_local(&text, time::shanghai(), &fields.path_of(key)).map(Some),
        None => Ok(None),
    }
}

/// The order state as an `order`-domain platform status.
pub fn status(order: &Fields<'_>) -> Option<PlatformStatus> {
    order.opt_string("orderState").map(|value| PlatformStatus {
        domain: StatusDomain::Order,
        value,
        context: vec![],
    })
}

/// An order object as a canonical order.
pub fn order(info: &Fields<'_>) -> Result<Order, KitError> {
    let lines = info
        .objects("itemInfoList")?
        .iter()
        .map(line)
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Order {
        external_id: info.string("orderId")?,
        display_id: None,
        created_at: local_time(info, "orderStartTime")?,
        updated_at: local_time(info, "modified")?,
        currency: CURRENCY.into(),
        total_minor: yuan(info, "orderPayment")?,
        subtotal_minor: yuan(info, "orderTotalPrice")?,
        shipping_minor: yuan(info, "freightPrice")?,
        discount_minor: yuan(info, "sellerDiscount")?,
        tax_minor: None,
        buyer: None,
        receiver: info.opt_object("consigneeInfo").and_then(|c| consignee(&c)),
        lines,
        presale: false,
        note: note(info),
    })
}

/// The consignee, kept exactly as given.
fn consignee(info: &Fields<'_>) -> Option<Party> {
    let raw = |key: &str| info.opt_string(key);
    let address = Address {
        country: None,
        province: raw("province"),
        city: raw("city"),
        district: raw("county"),
        street: raw("fullAddress"),
        postal_code: None,
    };
    let name = raw("fullname");
    let phone = raw("mobile").or_else(|| raw("telephone"));
    let has_address = [
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
        name,
        phone,
        email: None,
        address: has_address.then_some(address),
        // JD masks or encrypts the consignee for third-party apps; what
        // arrives is not the plain value.
        masked: true,
    })
}

/// The buyer's remark and the seller's remark, when present.
fn note(info: &Fields<'_>) -> Option<String> {
    let parts: Vec<String> = [
        ("buyer remark", "orderRemark"),
        ("seller remark", "venderRemark"),
    ]
    .iter()
    .filter_map(|(label, key)| info.opt_string(key).map(|text| format!("{label}: {text}")))
    .collect();
    (!parts.is_empty()).then(|| parts.join("\n"))
}

/// One item as an order line. JD items have no line id of their own; the
/// SKU id identifies the line within the order.
fn line(item: &Fields<'_>) -> Result<OrderLine, KitError> {
    let quantity = item.integer("itemTotal")?;
    let quantity = u32::try_from(quantity).map_err(|_| {
        KitError::invalid(
            &item.path_of("itemTotal"),
            format_args!("{quantity} is not a quantity"),
        )
    })?;
    let sku_id = item.opt_string("skuId");
    Ok(OrderLine {
        external_id: sku_id.clone(),
        // The merchant's own code identifies the SKU in an ERP; JD's SKU id
        // is the fallback.
        sku: item.opt_string("outerSkuId").or(sku_id),
        title: item.opt_string("skuName"),
        quantity,
        unit_price_minor: yuan(item, "jdPrice")?,
        discount_minor: None,
        status: None,
    })
}

/// An order event for an order object.
pub fn order_event(
    info: &Fields<'_>,
    topic: &str,
    event_id: Option<String>,
) -> Result<Event, KitError> {
    let order = order(info)?;
    Ok(Event {
        event_id,
        topic: topic.into(),
        occurred_at: order.updated_at,
        status: status(info),
        body: EventBody::Order(order),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_order_object_becomes_an_order() {
        let value = serde_json::json!({
            "orderId": "230415123456789",
            "orderState": "WAIT_SELLER_STOCK_OUT",
            "orderTotalPrice": "199.00",
            "orderPayment": "189.50",
            "freightPrice": "0.50",
            "sellerDiscount": "10.00",
            "orderStartTime": "2024-04-01 07:30:00",
            "modified": "2024-04-01 07:31:00",
            "orderRemark": "请尽快发货",
            "consigneeInfo": {"fullname": "张**", "mobile": "138****0000", "province": "北京",
                "city": "北京市", "county": "朝阳区", "fullAddress": "北京朝阳区****"},
            "itemInfoList": [{"skuId": "100012345678", "skuName": "保温杯", "itemTotal": "2",
                "jdPrice": "99.50", "outerSkuId": "CUP-01"}]
        });
        let order = order(&Fields::of(&value, "order").unwrap()).unwrap();
        assert_eq!(order.external_id, "230415123456789");
        assert_eq!(
            (
                order.total_minor,
                order.subtotal_minor,
                order.shipping_minor,
                order.discount_minor
            ),
            (Some(18950), Some(19900), Some(50), Some(1000))
        );
        // 2024-04-01 07:30:00 +08:00
        assert_eq!(order.created_at, Some(1_711_927_800_000));
        assert_eq!(order.lines[0].sku.as_deref(), Some("CUP-01"));
        assert_eq!(order.lines[0].external_id.as_deref(), Some("100012345678"));
        assert_eq!(
            (order.lines[0].quantity, order.lines[0].unit_price_minor),
            (2, Some(9950))
        );
        let receiver = order.receiver.unwrap();
        assert!(receiver.masked);
        assert_eq!(
            receiver.address.unwrap().district.as_deref(),
            Some("朝阳区")
        );
        assert_eq!(order.note.as_deref(), Some("buyer remark: 请尽快发货"));
    }

    #[test]
    fn bad_fields_are_named() {
        let value = serde_json::json!({"orderId": 1, "orderPayment": "1.234"});
        let info = Fields::of(&value, "order").unwrap();
        assert!(
            matches!(order(&info), Err(KitError::InvalidField(m)) if m.starts_with("order.orderPayment"))
        );
        let value = serde_json::json!({"orderPayment": "1.00"});
        let info = Fields::of(&value, "order").unwrap();
        assert_eq!(
            order(&info).err(),
            Some(KitError::MissingField("order.orderId".into()))
        );
        let value = serde_json::json!({"orderId": 1, "itemInfoList": [{"itemTotal": "-1"}]});
        let info = Fields::of(&value, "order").unwrap();
        assert!(
            matches!(order(&info), Err(KitError::InvalidField(m)) if m.starts_with("order.itemInfoList[0].itemTotal"))
        );
    }
}
