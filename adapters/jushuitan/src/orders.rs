//! One JuShuiTan order (an element of `data.orders` in the order query's
//! answer) as canonical events.
//!
//! Every order gives an `order` event carrying the ERP `status` (with the
//! channel's `shop_status` as context); an order with a tracking number
//! (`l_id`) also gives a `shipment` event, so the hub learns the parcel, the
//! warehouse it left from (`wms_co_id`) and which lines it holds.
//!
//! Both events name the order by the channel's order number `so_id` (线上单号),
//! so they land on the same order as the channel's own events; an order
//! without one (a manual ERP order) falls back to JuShuiTan's `o_id`. All
//! times are `yyyy-MM-dd HH:mm:ss` in China Standard Time.

use orderhub_adapter_kit::json::{Fields, scalar_text};
use orderhub_adapter_kit::{KitError, money, time};
use serde_json::Value;

use crate::bindings::orderhub::adapter::types::{
    Event, EventBody, Field, Order, OrderLine, PlatformStatus, Shipment, ShippedLine, StatusDomain,
};

/// The topic of events read through the order query.
pub(crate) const TOPIC: &str = "jushuitan_order_query";

/// JuShuiTan states amounts in yuan unless `currency` says otherwise.
const DEFAULT_CURRENCY: &str = "CNY";

/// The order's canonical id: `so_id`, else `o_id`.
fn order_id(order: &Fields<'_>) -> Result<String, KitError> {
    match order.opt_string("so_id") {
        Some(so_id) => Ok(so_id),
        None => order.string("o_id"),
    }
}

/// A local time field, when present.
fn local_time(order: &Fields<'_>, key: &str) -> Result<Option<i64>, KitError> {
    order
        .opt_string(key)
        .map(|t| time::parse_local(&t, time::shanghai(), &order.path_of(key)))
        .transpose()
}

/// An amount field in the order's currency, when present and not blank.
fn amount(order: &Fields<'_>, key: &str, exponent: u32) -> Result<Option<i64>, KitError> {
    match order.optional(key) {
        None => Ok(None),
        Some(Value::String(s)) if s.trim().is_empty() => Ok(None),
        Some(v) => money::decimal_value_minor(v, exponent, &order.path_of(key)).map(Some),
    }
}

/// A quantity: a non-negative whole number, given as a number (`2`, `2.0`)
/// or numeric text.
pub(crate) fn quantity(item: &Fields<'_>, key: &str) -> Result<u32, KitError> {
    let value = item.required(key)?;
    let text = scalar_text(value).unwrap_or_default();
    let whole = text.strip_suffix(".0").unwrap_or(&text).trim();
    whole.parse::<u32>().map_err(|_| {
        KitError::invalid(
            &item.path_of(key),
            format_args!("{text:?} is not a whole quantity"),
        )
    })
}

/// The order's status as sent: the ERP `status` with `shop_status` as
/// context; `shop_status` alone when the ERP status is absent.
fn status(order: &Fields<'_>) -> Option<PlatformStatus> {
    let shop_status = order.opt_string("shop_status");
    match order.opt_string("status") {
        Some(value) => Some(PlatformStatus {
            domain: StatusDomain::Order,
            value,
            context: shop_status
                .map(|s| {
                    vec![Field {
                        name: "shop_status".into(),
                        value: s,
                    }]
                })
                .unwrap_or_default(),
        }),
        None => shop_status.map(|value| PlatformStatus {
            domain: StatusDomain::Order,
            value,
            context: vec![],
        }),
    }
}

/// The canonical events of one order.
pub(crate) fn events(order: &Fields<'_>) -> Result<Vec<Event>, KitError> {
    let id = order_id(order)?;
    let modified = local_time(order, "modified")?;
    let status = status(order);
    let currency = order
        .opt_string("currency")
        .unwrap_or_else(|| DEFAULT_CURRENCY.into());
    let exponent = money::currency_exponent(&currency);
    let items = order.objects("items")?;
    let lines = items
        .iter()
        .map(|item| {
            Ok(OrderLine {
                external_id: item
                    .opt_string("outer_oi_id")
                    .or_else(|| item.opt_string("oi_id")),
                sku: item.opt_string("sku_id"),
                title: item.opt_string("name"),
                quantity: quantity(item, "qty")?,
                unit_price_minor: amount(item, "price", exponent)?,
                discount_minor: None,
                // `item_status` is left out: its values are not order states.
                status: None,
            })
        })
        .collect::<Result<Vec<_>, KitError>>()?;
    let body = Order {
        external_id: id.clone(),
        display_id: order.opt_string("o_id"),
        created_at: match local_time(order, "created")? {
            Some(t) => Some(t),
            None => local_time(order, "order_date")?,
        },
        updated_at: modified,
        currency,
        total_minor: amount(order, "pay_amount", exponent)?,
        subtotal_minor: None,
        shipping_minor: amount(order, "freight", exponent)?,
        discount_minor: None,
        tax_minor: None,
        buyer: None,
        receiver: None,
        lines,
        presale: false,
        note: order.opt_string("remark"),
    };
    let mut events = vec![Event {
        event_id: None,
        topic: TOPIC.into(),
        occurred_at: modified,
        status: status.clone(),
        body: EventBody::Order(body),
    }];
    if let Some(tracking_number) = order.opt_string("l_id") {
        let carrier = order
            .opt_string("lc_id")
            .or_else(|| order.opt_string("logistics_company"))
            .ok_or_else(|| KitError::MissingField(order.path_of("lc_id")))?;
        let shipped = items
            .iter()
            .map(|item| {
                Ok(ShippedLine {
                    line_external_id: item.opt_string("outer_oi_id"),
                    sku: item.opt_string("sku_id"),
                    quantity: quantity(item, "qty")?,
                })
            })
            .collect::<Result<Vec<_>, KitError>>()?;
        events.push(Event {
            event_id: None,
            topic: TOPIC.into(),
            occurred_at: match local_time(order, "send_date")? {
                Some(t) => Some(t),
                None => modified,
            },
            status,
            body: EventBody::Shipment(Shipment {
                carrier,
                tracking_number,
                order_external_id: Some(id),
                checkpoints: vec![],
                signed: false,
                warehouse: order.opt_string("wms_co_id"),
                lines: shipped,
            }),
        });
    }
    Ok(events)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_sent_order_gives_an_order_and_a_shipment() {
        let v = json!({
            "o_id": 38852, "so_id": "20210928", "status": "Sent", "shop_status": "WAIT_BUYER_CONFIRM_GOODS",
            "l_id": "YT123", "lc_id": "YTO", "logistics_company": "圆通速递", "wms_co_id": 0,
            "send_date": "2021-09-28 17:00:00", "modified": "2021-09-28 16:08:13",
            "pay_amount": 223.0, "freight": "4.00",
            "items": [{"sku_id": "CY001", "qty": 2, "outer_oi_id": "201911", "price": 111.5}]
        });
        let f = Fields::of(&v, "data.orders[0]").unwrap();
        let events = events(&f).unwrap();
        assert_eq!(events.len(), 2);
        let EventBody::Order(o) = &events[0].body else {
            panic!()
        };
        assert_eq!(o.external_id, "20210928");
        assert_eq!(o.display_id.as_deref(), Some("38852"));
        assert_eq!(o.total_minor, Some(22300));
        assert_eq!(o.shipping_minor, Some(400));
        assert_eq!(events[0].occurred_at, Some(1_632_816_493_000));
        let EventBody::Shipment(s) = &events[1].body else {
            panic!()
        };
        assert_eq!(s.carrier, "YTO");
        assert_eq!(s.warehouse.as_deref(), Some("0"));
        assert_eq!(s.lines[0].quantity, 2);
        assert_eq!(s.order_external_id.as_deref(), Some("20210928"));
        assert_eq!(events[1].occurred_at, Some(1_632_819_600_000));
    }

    #[test]
    fn bad_quantities_name_the_field() {
        let v = json!({"o_id": 1, "status": "WaitPay", "items": [{"qty": 1.5}]});
        let f = Fields::of(&v, "o").unwrap();
        assert_eq!(
            events(&f).unwrap_err(),
            KitError::InvalidField("o.items[0].qty: \"1.5\" is not a whole quantity".into())
        );
    }
}
