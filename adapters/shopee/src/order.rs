//! An order object of `v2.order.get_order_detail` as a canonical order event.
//!
//! Amounts are decimal numbers in the unit of the order's `currency` (VND has
//! no minor unit, MYR and SGD have cents), so they are converted with that
//! currency's exponent, never through floats. Times are Unix seconds. The
//! recipient is masked by the platform and kept exactly as given.

use orderhub_adapter_kit::json::Fields;
use orderhub_adapter_kit::{KitError, money, time};
use serde_json::Value;

use crate::bindings::orderhub::adapter::types::{
    Address, Event, EventBody, Order, OrderLine, Party, PlatformStatus, StatusDomain,
};

/// The order status as a platform status.
pub fn order_status(value: String) -> PlatformStatus {
    PlatformStatus {
        domain: StatusDomain::Order,
        value,
        context: vec![],
    }
}

/// An optional Unix-seconds field in milliseconds.
pub fn opt_seconds(fields: &Fields<'_>, key: &str) -> Result<Option<i64>, KitError> {
    match fields.optional(key) {
        None | Some(Value::Null) => Ok(None),
        Some(value) => time::unix_seconds_value(value, &fields.path_of(key)).map(Some),
    }
}

/// An order with nothing but its id and currency, for messages that carry
/// only a status.
pub fn bare(external_id: String) -> Order {
    Order {
        external_id,
        display_id: None,
        created_at: None,
        updated_at: None,
        currency: String::new(),
        total_minor: None,
        subtotal_minor: None,
        shipping_minor: None,
        discount_minor: None,
        tax_minor: None,
        buyer: None,
        receiver: None,
        lines: vec![],
        presale: false,
        note: None,
    }
}

fn amount(fields: &Fields<'_>, key: &str, exponent: u32) -> Result<Option<i64>, KitError> {
    match fields.optional(key) {
        None | Some(Value::Null) => Ok(None),
        Some(value) => money::decimal_value_minor(value, exponent, &fields.path_of(key)).map(Some),
    }
}

fn receiver(address: &Fields<'_>) -> Party {
    let text = |key: &str| address.opt_string(key);
    Party {
        name: text("name"),
        phone: text("phone"),
        email: None,
        address: Some(Address {
            country: text("region"),
            province: text("state"),
            city: text("city"),
            district: text("district"),
            street: text("full_address"),
            postal_code: text("zipcode"),
        }),
        // The platform masks the recipient ("P******n", "******64").
        masked: true,
    }
}

fn line(item: &Fields<'_>, exponent: u32) -> Result<OrderLine, KitError> {
    let quantity = item.integer("model_quantity_purchased")?;
    let quantity = u32::try_from(quantity).map_err(|_| {
        KitError::invalid(
            &item.path_of("model_quantity_purchased"),
            format_args!("{quantity} is not a quantity"),
        )
    })?;
    let original = amount(item, "model_original_price", exponent)?;
    let discounted = amount(item, "model_discounted_price", exponent)?;
    let discount = match (original, discounted) {
        (Some(o), Some(d)) => o
            .checked_sub(d)
            .and_then(|each| each.checked_mul(i64::from(quantity))),
        _ => None,
    };
    // item_id alone repeats across the variations of one product.
    let external_id = match (item.opt_string("item_id"), item.opt_string("model_id")) {
        (Some(item_id), Some(model_id)) => Some(format!("{item_id}-{model_id}")),
        (item_id, _) => item_id,
    };
    Ok(OrderLine {
        external_id,
        sku: item
            .opt_string("model_sku")
            .or_else(|| item.opt_string("item_sku")),
        title: item.opt_string("item_name"),
        quantity,
        unit_price_minor: original.or(discounted),
        discount_minor: discount,
        status: None,
    })
}

fn note(order: &Fields<'_>) -> Option<String> {
    let parts: Vec<String> = [
        ("buyer message", order.opt_string("message_to_seller")),
        ("seller note", order.opt_string("note")),
    ]
    .into_iter()
    .filter_map(|(label, text)| text.map(|t| format!("{label}: {t}")))
    .collect();
    (!parts.is_empty()).then(|| parts.join("\n"))
}

/// One order object as an event under `topic`.
pub fn order_event(order: &Fields<'_>, topic: &str) -> Result<Event, KitError> {
    let external_id = order.string("order_sn")?;
    let currency = order.string("currency")?.to_ascii_uppercase();
    if currency.len() != 3 || !currency.bytes().all(|b| b.is_ascii_alphabetic()) {
        return Err(KitError::invalid(
            &order.path_of("currency"),
            format_args!("{currency:?} is not an ISO 4217 code"),
        ));
    }
    let exponent = money::currency_exponent(&currency);
    let status = order.opt_string("order_status").map(order_status);
    let updated_at = opt_seconds(order, "update_time")?;
    let lines = order
        .objects("item_list")?
        .iter()
        .map(|item| line(item, exponent))
        .collect::<Result<Vec<_>, _>>()?;
    let buyer = order.opt_string("buyer_username").map(|name| Party {
        name: Some(name),
        phone: None,
        email: None,
        address: None,
        masked: false,
    });
    Ok(Event {
        event_id: None,
        topic: topic.to_string(),
        occurred_at: updated_at,
        status,
        body: EventBody::Order(Order {
            created_at: opt_seconds(order, "create_time")?,
            updated_at,
            currency,
            total_minor: amount(order, "total_amount", exponent)?,
            buyer,
            receiver: order.opt_object("recipient_address").map(|a| receiver(&a)),
            lines,
            note: note(order),
            ..bare(external_id)
        }),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cents_currencies_use_their_exponent() {
        let value = serde_json::json!({
            "order_sn": "X1", "currency": "myr", "total_amount": 12.5,
            "item_list": [{"item_id": 1, "model_id": 2, "model_quantity_purchased": 2,
                           "model_original_price": 10, "model_discounted_price": 7.25}]
        });
        let event = order_event(&Fields::of(&value, "").unwrap(), "t").unwrap();
        let EventBody::Order(order) = event.body else {
            panic!("not an order")
        };
        assert_eq!(
            (order.currency.as_str(), order.total_minor),
            ("MYR", Some(1250))
        );
        assert_eq!(order.lines[0].unit_price_minor, Some(1000));
        assert_eq!(order.lines[0].discount_minor, Some(550));
        assert_eq!(order.lines[0].external_id.as_deref(), Some("1-2"));
    }

    #[test]
    fn bad_values_name_the_field() {
        let value = serde_json::json!({"order_sn": "X1", "currency": "VND", "total_amount": 1.5});
        assert!(matches!(
            order_event(&Fields::of(&value, "").unwrap(), "t"),
            Err(KitError::InvalidField(m)) if m.contains("total_amount")
        ));
        let value = serde_json::json!({"order_sn": "X1"});
        assert!(matches!(
            order_event(&Fields::of(&value, "").unwrap(), "t"),
            Err(KitError::MissingField(m)) if m.contains("currency")
        ));
    }
}
