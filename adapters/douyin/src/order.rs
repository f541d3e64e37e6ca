//! A Douyin shop order object (`shop_order_detail`, an element of
//! `shop_order_list`) as a canonical order.
//!
//! Amounts are fen integers (numbers, or numeric strings in some SDK
//! fixtures); times are Unix seconds. Receiver fields are encrypted or masked
//! by the platform (`encrypt_post_*`, decrypted only through
//! `order.batchDecrypt`), so they are kept as given and marked `masked`.

use orderhub_adapter_kit::json::{Fields, scalar_text};
use orderhub_adapter_kit::{KitError, money, time};

use crate::bindings::orderhub::adapter::types::{
    Address, Event, EventBody, Field, Order, OrderLine, Party, PlatformStatus, StatusDomain,
};

/// Every Douyin shop amount is in Chinese yuan.
pub const CURRENCY: &str = "CNY";

/// `trade_type` of a deposit presale (定金预售).
const TRADE_TYPE_DEPOSIT_PRESALE: &str = "2";

/// An optional fen amount.
pub fn opt_fen(fields: &Fields, key: &str) -> Result<Option<i64>, KitError> {
    fields
        .optional(key)
        .map(|v| money::minor_units_value(v, &fields.path_of(key)))
        .transpose()
}

/// An optional Unix-seconds time, in UTC milliseconds. `0` means "not yet".
pub fn opt_time(fields: &Fields, key: &str) -> Result<Option<i64>, KitError> {
    let value = fields
        .optional(key)
        .map(|v| time::unix_seconds_value(v, &fields.path_of(key)))
        .transpose()?;
    Ok(value.filter(|ms| *ms > 0))
}

fn opt_text(fields: &Fields, key: &str) -> Option<String> {
    fields.opt_string(key)
}

fn region_name(addr: &Fields, key: &str) -> Option<String> {
    addr.opt_object(key).and_then(|r| r.opt_string("name"))
}

fn receiver(order: &Fields) -> Option<Party> {
    let address = order.opt_object("post_addr").map(|addr| Address {
        country: Some("CN".into()),
        province: region_name(&addr, "province"),
        city: region_name(&addr, "city"),
        district: region_name(&addr, "town"),
        street: {
            let parts: Vec<String> = [
                region_name(&addr, "street"),
                addr.opt_string("encrypt_detail")
                    .or_else(|| addr.opt_string("detail")),
            ]
            .into_iter()
            .flatten()
            .collect();
            (!parts.is_empty()).then(|| parts.join(" "))
        },
        postal_code: None,
    });
    let name =
        opt_text(order, "encrypt_post_receiver").or_else(|| opt_text(order, "mask_post_receiver"));
    let phone = opt_text(order, "encrypt_post_tel").or_else(|| opt_text(order, "mask_post_tel"));
    if name.is_none() && phone.is_none() && address.is_none() {
        return None;
    }
    Some(Party {
        name,
        phone,
        email: None,
        address,
        masked: true,
    })
}

fn line(sku: &Fields) -> Result<OrderLine, KitError> {
    let quantity = sku.integer("item_num")?;
    let quantity = u32::try_from(quantity)
        .map_err(|_| KitError::invalid(&sku.path_of("item_num"), "not a valid quantity"))?;
    Ok(OrderLine {
        external_id: sku.opt_string("order_id"),
        sku: sku
            .opt_string("out_sku_id")
            .or_else(|| sku.opt_string("sku_id")),
        title: sku.opt_string("product_name"),
        quantity,
        unit_price_minor: opt_fen(sku, "origin_amount")?,
        discount_minor: opt_fen(sku, "promotion_amount")?,
        status: sku.opt_string("order_status").map(|value| PlatformStatus {
            domain: StatusDomain::Order,
            value,
            context: vec![],
        }),
    })
}

/// The order's status: `main_status` is the finer value (it has partial
/// payment, partial shipment and refund endings), `order_status` the coarse one.
pub fn status(order: &Fields) -> Option<PlatformStatus> {
    let main = order.opt_string("main_status");
    let coarse = order.opt_string("order_status");
    let value = main.clone().or_else(|| coarse.clone())?;
    let mut context = Vec::new();
    if main.is_some()
        && let Some(coarse) = coarse
    {
        context.push(Field {
            name: "order_status".into(),
            value: coarse,
        });
    }
    if let Some(trade_type) = order.opt_string("trade_type") {
        context.push(Field {
            name: "trade_type".into(),
            value: trade_type,
        });
    }
    Some(PlatformStatus {
        domain: StatusDomain::Order,
        value,
        context,
    })
}

fn note(order: &Fields) -> Option<String> {
    let parts: Vec<String> = [
        order
            .opt_string("buyer_words")
            .map(|w| format!("buyer: {w}")),
        order
            .opt_string("seller_words")
            .map(|w| format!("seller: {w}")),
    ]
    .into_iter()
    .flatten()
    .collect();
    (!parts.is_empty()).then(|| parts.join("\n"))
}

/// The canonical order of one order object.
pub fn order(fields: &Fields) -> Result<Order, KitError> {
    let lines = fields
        .objects("sku_order_list")?
        .iter()
        .map(line)
        .collect::<Result<Vec<_>, _>>()?;
    let presale = fields.opt_string("trade_type").as_deref() == Some(TRADE_TYPE_DEPOSIT_PRESALE)
        || !fields.opt_array("order_phase_list").is_empty();
    Ok(Order {
        external_id: fields.string("order_id")?,
        display_id: None,
        created_at: opt_time(fields, "create_time")?,
        updated_at: opt_time(fields, "update_time")?,
        currency: CURRENCY.into(),
        total_minor: opt_fen(fields, "pay_amount")?,
        subtotal_minor: None,
        shipping_minor: opt_fen(fields, "post_amount")?,
        discount_minor: opt_fen(fields, "promotion_amount")?,
        tax_minor: None,
        buyer: None,
        receiver: receiver(fields),
        lines,
        presale,
        note: note(fields),
    })
}

/// One order object as an event of `topic`. The id joins the order id and its
/// update time, so the same snapshot seen twice is recorded once.
pub fn event(fields: &Fields, topic: &str) -> Result<Event, KitError> {
    let order = order(fields)?;
    let update = fields.optional("update_time").and_then(scalar_text);
    Ok(Event {
        event_id: update.map(|u| format!("{}:{u}", order.external_id)),
        topic: topic.into(),
        occurred_at: order.updated_at.or(order.created_at),
        status: status(fields),
        body: EventBody::Order(order),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample(name: &str) -> serde_json::Value {
        let text = match name {
            "detail" => include_str!("../testdata/douyin-order-orderDetail-response.json"),
            _ => include_str!("../testdata/douyin-order-searchList-response.json"),
        };
        serde_json::from_str(text).unwrap()
    }

    #[test]
    fn detail_sample_with_string_numbers() {
        let value = sample("detail");
        let root = Fields::of(&value, "").unwrap();
        let detail = root
            .object("data")
            .unwrap()
            .object("shop_order_detail")
            .unwrap();
        let o = order(&detail).unwrap();
        assert_eq!(o.external_id, "4781320682406083640");
        assert_eq!(o.total_minor, Some(500));
        assert_eq!(o.shipping_minor, Some(10));
        assert_eq!(o.created_at, Some(1_617_355_413_000));
        assert!(o.presale);
        let receiver = o.receiver.unwrap();
        assert!(receiver.masked);
        assert_eq!(receiver.name.as_deref(), Some("张三"));
        assert_eq!(o.lines.first().map(|l| l.quantity), Some(2));
        assert_eq!(status(&detail).map(|s| s.value).as_deref(), Some("103"));
    }

    #[test]
    fn search_list_sample_with_number_values() {
        let value = sample("list");
        let root = Fields::of(&value, "").unwrap();
        let list = root
            .object("data")
            .unwrap()
            .objects("shop_order_list")
            .unwrap();
        let first = list.first().unwrap();
        let e = event(first, "order/searchList").unwrap();
        assert_eq!(
            e.event_id.as_deref(),
            Some("4781320682406083640:1617355413")
        );
        let EventBody::Order(o) = e.body else {
            panic!("not an order")
        };
        assert_eq!(o.lines.first().and_then(|l| l.unit_price_minor), Some(100));
    }

    #[test]
    fn missing_order_id_is_named() {
        let value = serde_json::json!({"pay_amount": 1});
        let f = Fields::of(&value, "data.shop_order_detail").unwrap();
        assert_eq!(
            order(&f).unwrap_err(),
            KitError::MissingField("data.shop_order_detail.order_id".into())
        );
    }
}
