//! A Youzan `full_order_info` as a canonical order.
//!
//! The same object arrives in a trade push's `msg` and in each entry of
//! `youzan.trades.sold.get`. Amounts are yuan decimal strings, times
//! `yyyy-MM-dd HH:mm:ss` in Asia/Shanghai (an empty string meaning "not
//! yet"), and the buyer's and receiver's names and phones may be masked or
//! encrypted by Youzan's data-security rules, so they are kept as given.

use orderhub_adapter_kit::json::{Fields, scalar_text};
use orderhub_adapter_kit::{KitError, money, time};
use serde_json::Value;

use crate::bindings::orderhub::adapter::types::{
    Address, Order, OrderLine, Party, PlatformStatus, StatusDomain,
};

/// Youzan trades are in renminbi.
pub const CURRENCY: &str = "CNY";

/// An optional yuan amount in fen; an empty string counts as absent.
pub fn yuan(fields: &Fields<'_>, key: &str) -> Result<Option<i64>, KitError> {
    match fields.optional(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) if s.trim().is_empty() => Ok(None),
        Some(value) => money::decimal_value_minor(value, 2, &fields.path_of(key)).map(Some),
    }
}

/// An optional Shanghai time as a UTC instant; an empty string counts as absent.
pub fn local_time(fields: &Fields<'_>, key: &str) -> Result<Option<i64>, KitError> {
    match fields.opt_string(key) {
        Some(text) if !text.trim().is_empty() => {
            time::parse_local(&text, time::shanghai(), &fields.path_of(key)).map(Some)
        }
        _ => Ok(None),
    }
}

/// A text value (string or number) as given, empty counting as absent.
pub fn text(fields: &Fields<'_>, key: &str) -> Option<String> {
    fields
        .optional(key)
        .and_then(scalar_text)
        .filter(|t| !t.trim().is_empty())
}

/// A required id (string or number), exact as text.
pub fn required_id(fields: &Fields<'_>, key: &str) -> Result<String, KitError> {
    text(fields, key).ok_or_else(|| KitError::MissingField(fields.path_of(key)))
}

fn masked(values: &[&Option<String>]) -> bool {
    values
        .iter()
        .any(|v| v.as_deref().is_some_and(|t| t.contains('*')))
}

/// What a trade says about itself: the canonical order and its status.
pub struct Trade {
    pub order: Order,
    pub status: Option<PlatformStatus>,
    pub updated_at: Option<i64>,
}

/// Reads a `full_order_info` object.
pub fn from_full_order_info(info: &Fields<'_>) -> Result<Trade, KitError> {
    let order_info = info.object("order_info")?;
    let tid = required_id(&order_info, "tid")?;
    let created_at = local_time(&order_info, "created")?;
    let updated_at = local_time(&order_info, "update_time")?;

    let (total, subtotal, shipping) = match info.opt_object("pay_info") {
        Some(pay) => (
            yuan(&pay, "payment")?,
            yuan(&pay, "total_fee")?,
            yuan(&pay, "post_fee")?,
        ),
        None => (None, None, None),
    };

    let buyer = info.opt_object("buyer_info").map(|b| {
        let name = text(&b, "fans_nickname");
        let phone = text(&b, "buyer_phone");
        Party {
            masked: masked(&[&name, &phone]),
            name,
            phone,
            email: None,
            address: None,
        }
    });
    let receiver = info.opt_object("address_info").map(|a| {
        let name = text(&a, "receiver_name");
        let phone = text(&a, "receiver_tel");
        let street = text(&a, "delivery_address");
        Party {
            masked: masked(&[&name, &phone, &street]),
            name,
            phone,
            email: None,
            address: Some(Address {
                country: Some("CN".into()),
                province: text(&a, "delivery_province"),
                city: text(&a, "delivery_city"),
                district: text(&a, "delivery_district"),
                street,
                postal_code: text(&a, "delivery_postal_code"),
            }),
        }
    });

    let mut lines = Vec::new();
    for line in info.objects("orders")? {
        lines.push(line_of(&line)?);
    }

    let note = info
        .opt_object("remark_info")
        .and_then(|r| text(&r, "buyer_message"));

    let status = order_info.opt_string("status").map(|value| PlatformStatus {
        domain: StatusDomain::Order,
        value,
        context: Vec::new(),
    });

    Ok(Trade {
        order: Order {
            external_id: tid,
            display_id: None,
            created_at,
            updated_at,
            currency: CURRENCY.into(),
            total_minor: total,
            subtotal_minor: subtotal,
            shipping_minor: shipping,
            discount_minor: None,
            tax_minor: None,
            buyer,
            receiver,
            lines,
            presale: false,
            note,
        },
        status,
        updated_at,
    })
}

/// The trade-level `refund_state` code, when given.
pub fn refund_state(info: &Fields<'_>) -> Option<String> {
    info.opt_object("order_info")
        .and_then(|o| o.optional("refund_state").and_then(scalar_text))
}

fn line_of(line: &Fields<'_>) -> Result<OrderLine, KitError> {
    let quantity = line.integer("num")?;
    let quantity = u32::try_from(quantity)
        .map_err(|_| KitError::invalid(&line.path_of("num"), "not a line quantity"))?;
    Ok(OrderLine {
        external_id: text(line, "oid"),
        sku: text(line, "outer_sku_id").or_else(|| text(line, "sku_id")),
        title: text(line, "title"),
        quantity,
        unit_price_minor: yuan(line, "price")?,
        discount_minor: None,
        status: None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const SAMPLE: &str = include_str!("../testdata/youzan-push-trade-msg-decoded.json");

    #[test]
    fn reads_the_published_sample() {
        let value: Value = serde_json::from_str(SAMPLE).unwrap();
        let root = Fields::of(&value, "").unwrap();
        let trade = from_full_order_info(&root.object("full_order_info").unwrap()).unwrap();
        let order = trade.order;
        assert_eq!(order.external_id, "E20180825151213075100007");
        assert_eq!(order.total_minor, Some(8900));
        assert_eq!(order.shipping_minor, Some(0));
        // 2018-08-25 15:12:13 +08:00.
        assert_eq!(order.created_at, Some(1_535_181_133_000));
        assert_eq!(trade.updated_at, Some(1_535_181_140_000));
        assert_eq!(order.lines.len(), 1);
        assert_eq!(order.lines[0].sku.as_deref(), Some("0000013"));
        assert_eq!(
            order.lines[0].external_id.as_deref(),
            Some("1467904813679773657")
        );
        assert_eq!(order.lines[0].unit_price_minor, Some(8900));
        let receiver = order.receiver.unwrap();
        assert!(receiver.masked);
        assert_eq!(receiver.name.as_deref(), Some("***REDACTED***"));
        assert_eq!(
            trade.status.map(|s| s.value).as_deref(),
            Some("WAIT_SELLER_SEND_GOODS")
        );
    }

    #[test]
    fn missing_tid_is_named() {
        let value: Value =
            serde_json::json!({"order_info": {"status": "TRADE_PAID"}, "orders": []});
        let info = Fields::of(&value, "full_order_info").unwrap();
        assert_eq!(
            from_full_order_info(&info).err(),
            Some(KitError::MissingField(
                "full_order_info.order_info.tid".into()
            ))
        );
    }
}
