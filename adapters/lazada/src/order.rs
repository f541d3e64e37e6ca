//! A Lazada order object (from `/order/get` or `/orders/get`) as a canonical
//! order event.
//!
//! Amounts are decimal strings in the site currency: `price` is the items'
//! total before vouchers and shipping, `voucher` the total of platform and
//! seller vouchers, `shipping_fee` what the buyer pays for shipping. Times
//! carry their offset (`2014-10-15 18:36:05 +0800` or ISO 8601). Items are
//! not part of these responses (they come from `/order/items/get`), so the
//! order's item statuses travel as the event's status.

use orderhub_adapter_kit::{KitError, json::Fields, money, time};

use crate::bindings::orderhub::adapter::types::{
    Address, Event, EventBody, Field, Order, Party, PlatformStatus, StatusDomain,
};
use crate::site::Site;
use crate::status;

fn amount(order: &Fields<'_>, key: &str, exponent: u32) -> Result<Option<i64>, KitError> {
    order
        .optional(key)
        .map(|v| money::decimal_value_minor(v, exponent, &order.path_of(key)))
        .transpose()
}

fn instant(order: &Fields<'_>, key: &str) -> Result<Option<i64>, KitError> {
    order
        .opt_string(key)
        .map(|text| time::parse_rfc3339(&text, &order.path_of(key)))
        .transpose()
}

/// Whether Lazada masked a value (it replaces digits with `*`).
fn is_masked(value: &Option<String>) -> bool {
    value.as_deref().is_some_and(|v| v.contains('*'))
}

fn full_name(first: Option<String>, last: Option<String>) -> Option<String> {
    let name = [first, last]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join(" ");
    (!name.trim().is_empty()).then(|| name.trim().to_string())
}

/// A party from an `address_billing` / `address_shipping` object; `name`,
/// when given, wins over the address's own names (the buyer's account name
/// is a better buyer name than the billing contact's).
fn party(address: &Fields<'_>, name: Option<String>) -> Party {
    let phone = address.opt_string("phone");
    let name = name.or_else(|| {
        full_name(
            address.opt_string("first_name"),
            address.opt_string("last_name"),
        )
    });
    Party {
        masked: is_masked(&phone) || is_masked(&address.opt_string("phone2")),
        name,
        phone,
        email: None,
        address: Some(Address {
            country: address.opt_string("country"),
            province: None,
            city: address.opt_string("city"),
            // Lazada spells the key both ways in its own samples.
            district: address
                .opt_string("addressDistrict")
                .or_else(|| address.opt_string("addressDsitrict")),
            street: address.opt_string("address1"),
            postal_code: address.opt_string("post_code"),
        }),
    }
}

/// The event status for an order's item statuses: the most advanced one,
/// with all of them as `statuses` context when they differ.
fn order_status(order: &Fields<'_>) -> Result<Option<PlatformStatus>, KitError> {
    let mut values: Vec<String> = Vec::new();
    for (i, value) in order.opt_array("statuses").iter().enumerate() {
        let text = orderhub_adapter_kit::json::scalar_text(value).ok_or_else(|| {
            KitError::invalid(
                &format!("{}[{i}]", order.path_of("statuses")),
                "expected a string",
            )
        })?;
        if !values.contains(&text) {
            values.push(text);
        }
    }
    let Some(top) = values
        .iter()
        .max_by_key(|v| status::rank(&v.to_ascii_lowercase()).map_or(0, |r| r + 1))
        .cloned()
    else {
        return Ok(None);
    };
    let context = if values.len() > 1 {
        vec![Field {
            name: "statuses".into(),
            value: values.join(","),
        }]
    } else {
        vec![]
    };
    Ok(Some(PlatformStatus {
        domain: StatusDomain::Order,
        value: top,
        context,
    }))
}

/// One order object as an event with the given topic.
pub fn event(order: &Fields<'_>, site: Site, topic: &str) -> Result<Event, KitError> {
    let external_id = order.string("order_id")?;
    let exponent = money::currency_exponent(site.currency);
    let subtotal = amount(order, "price", exponent)?;
    let shipping = amount(order, "shipping_fee", exponent)?;
    let discount = amount(order, "voucher", exponent)?;
    let total = match subtotal {
        Some(price) => Some(
            price
                .checked_add(shipping.unwrap_or(0))
                .and_then(|t| t.checked_sub(discount.unwrap_or(0)))
                .ok_or_else(|| KitError::invalid(&order.path_of("price"), "total out of range"))?,
        ),
        None => None,
    };
    let updated_at = instant(order, "updated_at")?;
    let buyer_name = full_name(
        order.opt_string("customer_first_name"),
        order.opt_string("customer_last_name"),
    );
    let buyer = match order.opt_object("address_billing") {
        Some(billing) => Some(party(&billing, buyer_name)),
        None => buyer_name.map(|name| Party {
            name: Some(name),
            phone: None,
            email: None,
            address: None,
            masked: false,
        }),
    };
    let receiver = order
        .opt_object("address_shipping")
        .map(|shipping| party(&shipping, None));
    let display_id = order
        .opt_string("order_number")
        .filter(|n| *n != external_id);
    let status = order_status(order)?;
    Ok(Event {
        event_id: Some(format!(
            "{external_id}:{}",
            updated_at.map_or_else(String::new, |t| t.to_string())
        )),
        topic: topic.to_string(),
        occurred_at: updated_at,
        status,
        body: EventBody::Order(Order {
            external_id,
            display_id,
            created_at: instant(order, "created_at")?,
            updated_at,
            currency: site.currency.to_string(),
            total_minor: total,
            subtotal_minor: subtotal,
            shipping_minor: shipping,
            discount_minor: discount,
            tax_minor: None,
            buyer,
            receiver,
            lines: vec![],
            presale: false,
            note: order.opt_string("buyer_note"),
        }),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::site;

    #[test]
    fn the_order_get_sample() {
        let value: serde_json::Value =
            serde_json::from_str(include_str!("../testdata/lazada-order-get-response.json"))
                .unwrap_or_default();
        let data = Fields::of(&value, "").and_then(|root| root.object("data"));
        let event = data.and_then(|d| event(&d, site::SITES[0], "order/get"));
        let Ok(Event {
            body: EventBody::Order(order),
            occurred_at,
            status,
            ..
        }) = event
        else {
            panic!("the sample must normalize: {event:?}");
        };
        assert_eq!(order.external_id, "16090");
        assert_eq!(order.display_id.as_deref(), Some("300034416"));
        assert_eq!(order.currency, "SGD");
        assert_eq!(order.total_minor, Some(9900));
        // 2014-10-15 18:36:05 +08:00 == 10:36:05Z.
        assert_eq!(occurred_at, Some(1_413_369_365_000));
        assert_eq!(status, None);
        assert!(order.buyer.is_some_and(|b| b.masked));
    }

    #[test]
    fn several_item_statuses_pick_the_most_advanced() {
        let value = serde_json::json!({"order_id": "1", "statuses": ["pending", "shipped"]});
        let fields = Fields::of(&value, "");
        let status = fields.and_then(|f| order_status(&f)).ok().flatten();
        assert_eq!(status.as_ref().map(|s| s.value.as_str()), Some("shipped"));
        assert_eq!(status.map(|s| s.context.len()), Some(1));
    }

    #[test]
    fn idr_has_no_decimals() {
        let value =
            serde_json::json!({"order_id": "1", "price": "150000.00", "shipping_fee": "9000"});
        let id = site::SITES[4];
        let event = Fields::of(&value, "").and_then(|f| event(&f, id, "orders/get"));
        let Ok(Event {
            body: EventBody::Order(order),
            ..
        }) = event
        else {
            panic!("{event:?}");
        };
        assert_eq!(
            (order.currency.as_str(), order.total_minor),
            ("IDR", Some(159_000))
        );
    }
}
