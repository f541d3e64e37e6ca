//! An `/channels/ec/order/get` order object as a canonical order event.
//!
//! Prices are integers in fen (the sample's `product_price` is exactly
//! `sku_cnt × sale_price`), times are Unix seconds, and `order_id` is a
//! uint64 that may exceed 2^53, so it is read as text.

use orderhub_adapter_kit::json::Fields;
use orderhub_adapter_kit::{KitError, money, time};

use crate::bindings::orderhub::adapter::types::{
    Address, Event, EventBody, Order, OrderLine, Party, PlatformStatus, StatusDomain,
};

/// Every WeChat Channels order is in renminbi.
pub const CURRENCY: &str = "CNY";

/// An optional amount in fen.
pub fn opt_fen(fields: &Fields, key: &str) -> Result<Option<i64>, KitError> {
    fields
        .optional(key)
        .map(|v| money::minor_units_value(v, &fields.path_of(key)))
        .transpose()
}

/// An optional Unix-seconds time as UTC milliseconds.
pub fn opt_time(fields: &Fields, key: &str) -> Result<Option<i64>, KitError> {
    fields
        .optional(key)
        .map(|v| time::unix_seconds_value(v, &fields.path_of(key)))
        .transpose()
}

/// The order's event, under `topic`.
pub fn event(order: &Fields, topic: &str) -> Result<Event, KitError> {
    let external_id = order.string("order_id")?;
    let status = order.string("status")?;
    let updated_at = opt_time(order, "update_time")?;
    let detail = order.opt_object("order_detail");
    let price = detail.as_ref().and_then(|d| d.opt_object("price_info"));
    let amount = |key: &str| match &price {
        Some(p) => opt_fen(p, key),
        None => Ok(None),
    };
    let lines = match &detail {
        Some(d) => d
            .objects("product_infos")?
            .iter()
            .map(line)
            .collect::<Result<_, _>>()?,
        None => vec![],
    };
    let receiver = detail
        .as_ref()
        .and_then(|d| d.opt_object("delivery_info"))
        .and_then(|d| d.opt_object("address_info"))
        .map(|a| receiver(&a));
    let note = detail
        .as_ref()
        .and_then(|d| d.opt_object("ext_info"))
        .and_then(|e| notes(&e));
    Ok(Event {
        event_id: None,
        topic: topic.into(),
        occurred_at: updated_at,
        status: Some(PlatformStatus {
            domain: StatusDomain::Order,
            value: status,
            context: vec![],
        }),
        body: EventBody::Order(Order {
            external_id,
            display_id: None,
            created_at: opt_time(order, "create_time")?,
            updated_at,
            currency: CURRENCY.into(),
            total_minor: amount("order_price")?,
            subtotal_minor: amount("product_price")?,
            shipping_minor: amount("freight")?,
            discount_minor: amount("discounted_price")?,
            tax_minor: None,
            buyer: None,
            receiver,
            lines,
            presale: false,
            note,
        }),
    })
}

fn line(item: &Fields) -> Result<OrderLine, KitError> {
    let count = item.integer("sku_cnt")?;
    let quantity = u32::try_from(count)
        .map_err(|_| KitError::invalid(&item.path_of("sku_cnt"), "not a valid quantity"))?;
    let sku_id = item.opt_string("sku_id");
    Ok(OrderLine {
        sku: item.opt_string("sku_code").or_else(|| sku_id.clone()),
        external_id: sku_id,
        title: item.opt_string("title"),
        quantity,
        unit_price_minor: opt_fen(item, "sale_price")?,
        discount_minor: None,
        status: None,
    })
}

/// The receiver; WeChat hides the real phone behind a virtual number when
/// `virtual_order_tel_number` is set, so the party is then marked masked.
fn receiver(address: &Fields) -> Party {
    Party {
        name: address.opt_string("user_name"),
        phone: address.opt_string("tel_number"),
        email: None,
        address: Some(Address {
            country: None,
            province: address.opt_string("province_name"),
            city: address.opt_string("city_name"),
            district: address.opt_string("county_name"),
            street: address.opt_string("detail_info"),
            postal_code: address.opt_string("postal_code"),
        }),
        masked: address.opt_string("virtual_order_tel_number").is_some(),
    }
}

fn notes(ext: &Fields) -> Option<String> {
    let parts: Vec<String> = [("buyer", "customer_notes"), ("seller", "merchant_notes")]
        .iter()
        .filter_map(|(who, key)| ext.opt_string(key).map(|n| format!("{who}: {n}")))
        .collect();
    (!parts.is_empty()).then(|| parts.join("; "))
}
