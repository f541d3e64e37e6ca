//! One order of `open.order.cursor.list` as a canonical order.
//!
//! An order is `{orderBaseInfo, orderItemInfo, …}`: `orderBaseInfo` holds the
//! id `oid`, `status`, times in ms and the fees; `orderItemInfo` the item
//! (`skuId`, `skuNick`, `itemTitle`, `num`, `price`). Item prices are
//! documented in fen; the order-level fees are read in fen as well (the
//! platform does not state that unit).

use orderhub_adapter_kit::{KitError, json, money, time};
use serde_json::Value;

use crate::bindings::orderhub::adapter::types::{Order, OrderLine, PlatformStatus, StatusDomain};
use crate::message::CURRENCY;

fn opt_millis(fields: &json::Fields<'_>, key: &str) -> Result<Option<i64>, KitError> {
    fields
        .optional(key)
        .map(|v| time::unix_millis_value(v, &fields.path_of(key)))
        .transpose()
}

fn opt_fen(fields: &json::Fields<'_>, key: &str) -> Result<Option<i64>, KitError> {
    fields
        .optional(key)
        .map(|v| money::minor_units_value(v, &fields.path_of(key)))
        .transpose()
}

fn line(item: &json::Fields<'_>) -> Result<OrderLine, KitError> {
    let quantity = match item.optional("num") {
        Some(_) => {
            let n = item.integer("num")?;
            u32::try_from(n)
                .map_err(|_| KitError::invalid(&item.path_of("num"), "not a quantity"))?
        }
        None => 1,
    };
    Ok(OrderLine {
        external_id: item
            .opt_string("skuId")
            .or_else(|| item.opt_string("itemId")),
        sku: item.opt_string("skuNick"),
        title: item.opt_string("itemTitle"),
        quantity,
        unit_price_minor: opt_fen(item, "price")?,
        discount_minor: None,
        status: None,
    })
}

/// The order, its status and its update time.
pub fn order(value: &Value, path: &str) -> Result<(Order, Option<PlatformStatus>), KitError> {
    let root = json::Fields::of(value, path)?;
    let base = root.object("orderBaseInfo")?;
    let items = match root.optional("orderItemInfo") {
        Some(Value::Array(_)) => root.objects("orderItemInfo")?,
        Some(_) => vec![root.object("orderItemInfo")?],
        None => vec![],
    };
    let lines = items.iter().map(line).collect::<Result<Vec<_>, _>>()?;
    let status = base
        .optional("status")
        .and_then(json::scalar_text)
        .map(|value| PlatformStatus {
            domain: StatusDomain::Order,
            value,
            context: vec![],
        });
    let order = Order {
        external_id: base.string("oid")?,
        display_id: None,
        created_at: opt_millis(&base, "createTime")?,
        updated_at: opt_millis(&base, "updateTime")?,
        currency: CURRENCY.into(),
        total_minor: opt_fen(&base, "totalFee")?,
        subtotal_minor: None,
        shipping_minor: opt_fen(&base, "expressFee")?,
        discount_minor: opt_fen(&base, "discountFee")?,
        tax_minor: None,
        buyer: None,
        receiver: None,
        lines,
        presale: root.optional("orderStepInfo").is_some(),
        note: base.opt_string("remark"),
    };
    Ok((order, status))
}
