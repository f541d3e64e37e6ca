//! Shopify order objects to canonical order events.
//!
//! The same object arrives as a webhook body (`orders/*` topics) and as an
//! element of a polled `{"orders": [...]}` page, so both paths use this one
//! translation.
//!
//! Choices worth knowing:
//! - money is read from the shop-currency fields (`total_price`,
//!   `subtotal_price`, `total_discounts`, `total_tax`,
//!   `total_shipping_price_set.shop_money`), all in `currency`; the
//!   `current_*` fields are not used because they already subtract refunds,
//!   which the canonical model tracks on the after-sale dimension instead;
//! - a line's discount is the sum of its `discount_allocations` (where order
//!   level discount codes land); the legacy `total_discount` is the fallback;
//! - the buyer is the customer (name), the order's `email`/`phone` and the
//!   billing address; the receiver is the shipping address;
//! - the event's status is `financial_status` in the payment domain with the
//!   other three status inputs as context (see [`crate::status`]).

use orderhub_adapter_kit::json::Fields;
use orderhub_adapter_kit::{KitError, money};

use crate::bindings::orderhub::adapter::types::{
    Address, Event, EventBody, Field, Order, OrderLine, Party, PlatformStatus, StatusDomain,
};
use crate::fields::{opt_amount, opt_instant};
use crate::status::{CANCELLED, CLOSED, FULFILLMENT_STATUS, UNFULFILLED};

/// Builds the canonical event for one Shopify order object.
pub fn event(order: &Fields<'_>, topic: &str, event_id: Option<String>) -> Result<Event, KitError> {
    let canonical = translate(order)?;
    Ok(Event {
        event_id,
        topic: topic.to_string(),
        occurred_at: canonical.updated_at.or(canonical.created_at),
        status: payment_status(order),
        body: EventBody::Order(canonical),
    })
}

/// The canonical order snapshot.
fn translate(order: &Fields<'_>) -> Result<Order, KitError> {
    let external_id = order.string("id")?;
    let currency = currency(order)?;
    let exponent = money::currency_exponent(&currency);
    let shipping = match order
        .opt_object("total_shipping_price_set")
        .and_then(|set| set.opt_object("shop_money"))
    {
        Some(shop_money) => opt_amount(&shop_money, "amount", exponent)?,
        None => None,
    };
    let lines = order
        .objects("line_items")?
        .iter()
        .map(|line| order_line(line, exponent))
        .collect::<Result<_, _>>()?;
    Ok(Order {
        external_id,
        display_id: order.opt_string("name"),
        created_at: opt_instant(order, "created_at")?,
        updated_at: opt_instant(order, "updated_at")?,
        total_minor: opt_amount(order, "total_price", exponent)?,
        subtotal_minor: opt_amount(order, "subtotal_price", exponent)?,
        shipping_minor: shipping,
        discount_minor: opt_amount(order, "total_discounts", exponent)?,
        tax_minor: opt_amount(order, "total_tax", exponent)?,
        buyer: buyer(order),
        receiver: order
            .opt_object("shipping_address")
            .map(|a| address_party(&a, None)),
        lines,
        // Shopify has no presale order type; a part-paid order is reported
        // through the payment status (deposit paid) instead.
        presale: false,
        note: order.opt_string("note"),
        currency,
    })
}

/// The shop currency; amounts are only meaningful with it.
fn currency(order: &Fields<'_>) -> Result<String, KitError> {
    let currency = order.string("currency")?.trim().to_ascii_uppercase();
    if currency.len() == 3 && currency.bytes().all(|b| b.is_ascii_uppercase()) {
        Ok(currency)
    } else {
        Err(KitError::invalid(
            &order.path_of("currency"),
            format_args!("{currency:?} is not an ISO 4217 code"),
        ))
    }
}

/// One `line_items[]` entry.
fn order_line(line: &Fields<'_>, exponent: u32) -> Result<OrderLine, KitError> {
    let quantity = line.integer("quantity")?;
    let quantity = u32::try_from(quantity).map_err(|_| {
        KitError::invalid(
            &line.path_of("quantity"),
            format_args!("{quantity} is not a valid quantity"),
        )
    })?;
    Ok(OrderLine {
        external_id: line.opt_string("id"),
        sku: line.opt_string("sku"),
        // `name` is the product title with the variant title ("IPod Nano -
        // 8gb - green"), which is what tells two lines of one product apart.
        title: line.opt_string("name").or_else(|| line.opt_string("title")),
        quantity,
        unit_price_minor: opt_amount(line, "price", exponent)?,
        discount_minor: line_discount(line, exponent)?,
        status: None,
    })
}

/// The discount allocated to a line: the sum of `discount_allocations`, or
/// the legacy `total_discount` when there are none.
fn line_discount(line: &Fields<'_>, exponent: u32) -> Result<Option<i64>, KitError> {
    let allocations = line.objects("discount_allocations")?;
    if allocations.is_empty() {
        return opt_amount(line, "total_discount", exponent);
    }
    let mut total: i64 = 0;
    for allocation in &allocations {
        let amount = money::decimal_value_minor(
            allocation.required("amount")?,
            exponent,
            &allocation.path_of("amount"),
        )?;
        total = total.checked_add(amount).ok_or_else(|| {
            KitError::invalid(
                &line.path_of("discount_allocations"),
                "the allocations add up beyond range",
            )
        })?;
    }
    Ok(Some(total))
}

/// The buyer: the customer's name, the order's contact details and the
/// billing address. `None` when the order names nobody (e.g. customer data
/// withheld from the app).
fn buyer(order: &Fields<'_>) -> Option<Party> {
    let customer = order.opt_object("customer");
    let billing = order.opt_object("billing_address");
    let party = Party {
        name: customer
            .as_ref()
            .and_then(person_name)
            .or_else(|| billing.as_ref().and_then(person_name)),
        phone: order
            .opt_string("phone")
            .or_else(|| customer.as_ref().and_then(|c| c.opt_string("phone"))),
        email: order
            .opt_string("email")
            .or_else(|| order.opt_string("contact_email"))
            .or_else(|| customer.as_ref().and_then(|c| c.opt_string("email"))),
        address: billing.as_ref().map(address),
        masked: false,
    };
    let empty = party.name.is_none()
        && party.phone.is_none()
        && party.email.is_none()
        && party.address.is_none();
    (!empty).then_some(party)
}

/// A party built from a Shopify address object (which carries name and phone).
fn address_party(fields: &Fields<'_>, email: Option<String>) -> Party {
    Party {
        name: person_name(fields),
        phone: fields.opt_string("phone"),
        email,
        address: Some(address(fields)),
        // Shopify sends addresses in clear text; apps without access to
        // protected customer data get the fields left out, not masked.
        masked: false,
    }
}

/// `name`, else `first_name last_name`.
fn person_name(fields: &Fields<'_>) -> Option<String> {
    fields.opt_string("name").or_else(|| {
        let parts: Vec<String> = ["first_name", "last_name"]
            .iter()
            .filter_map(|k| fields.opt_string(k))
            .collect();
        (!parts.is_empty()).then(|| parts.join(" "))
    })
}

/// A Shopify address: the ISO country code (stable across languages), the
/// province name, and `address1`/`address2` joined as the street.
fn address(fields: &Fields<'_>) -> Address {
    let street: Vec<String> = ["address1", "address2"]
        .iter()
        .filter_map(|k| fields.opt_string(k))
        .collect();
    Address {
        country: fields
            .opt_string("country_code")
            .or_else(|| fields.opt_string("country")),
        province: fields
            .opt_string("province")
            .or_else(|| fields.opt_string("province_code")),
        city: fields.opt_string("city"),
        district: None,
        street: (!street.is_empty()).then(|| street.join(", ")),
        postal_code: fields.opt_string("zip"),
    }
}

/// `financial_status` with the fields that refine it, or `None` when the
/// order has no financial status at all.
fn payment_status(order: &Fields<'_>) -> Option<PlatformStatus> {
    let value = order.opt_string("financial_status")?;
    let flag = |key: &str| {
        if order.opt_string(key).is_some() {
            "true"
        } else {
            "false"
        }
    };
    let context = vec![
        Field {
            name: FULFILLMENT_STATUS.into(),
            value: order
                .opt_string("fulfillment_status")
                .unwrap_or_else(|| UNFULFILLED.into()),
        },
        Field {
            name: CANCELLED.into(),
            value: flag("cancelled_at").into(),
        },
        Field {
            name: CLOSED.into(),
            value: flag("closed_at").into(),
        },
    ];
    Some(PlatformStatus {
        domain: StatusDomain::Payment,
        value,
        context,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::{Value, json};

    const SAMPLE: &str = include_str!("../testdata/shopify-order-rest-2024-04.json");

    /// The bare order object, as a webhook body carries it.
    fn sample() -> Value {
        let wrapped: Value = serde_json::from_str(SAMPLE).unwrap();
        wrapped["order"].clone()
    }

    fn order_of(event: &Event) -> &Order {
        match &event.body {
            EventBody::Order(order) => order,
            other => panic!("expected an order, got {other:?}"),
        }
    }

    #[test]
    fn shopify_sample_order_translates_exactly() {
        let v = sample();
        let event = event(
            &Fields::of(&v, "").unwrap(),
            "orders/updated",
            Some("wh-1".into()),
        )
        .unwrap();
        assert_eq!(event.event_id.as_deref(), Some("wh-1"));
        // 2008-01-10T11:00:00-05:00 == 2008-01-10T16:00:00Z.
        assert_eq!(event.occurred_at, Some(1_199_980_800_000));
        let order = order_of(&event);
        assert_eq!(order.external_id, "450789469");
        assert_eq!(order.display_id.as_deref(), Some("#1001"));
        assert_eq!(order.currency, "USD");
        assert_eq!(
            (
                order.total_minor,
                order.subtotal_minor,
                order.discount_minor,
                order.tax_minor,
                order.shipping_minor
            ),
            (Some(59894), Some(59700), Some(1000), Some(1194), Some(0))
        );
        assert_eq!(order.lines.len(), 3);
        let first = &order.lines[0];
        assert_eq!(first.external_id.as_deref(), Some("466157049"));
        assert_eq!(first.sku.as_deref(), Some("IPOD2008GREEN"));
        assert_eq!(first.title.as_deref(), Some("IPod Nano - 8gb - green"));
        assert_eq!(
            (first.quantity, first.unit_price_minor, first.discount_minor),
            (1, Some(19900), Some(334))
        );
        let line_discounts: Vec<_> = order.lines.iter().map(|l| l.discount_minor).collect();
        assert_eq!(line_discounts, vec![Some(334), Some(333), Some(333)]);

        let buyer = order.buyer.as_ref().unwrap();
        assert_eq!(buyer.name.as_deref(), Some("Bob Norman"));
        assert_eq!(buyer.email.as_deref(), Some("bob.norman@mail.example.com"));
        assert_eq!(buyer.phone.as_deref(), Some("+557734881234"));
        let receiver = order.receiver.as_ref().unwrap();
        assert_eq!(receiver.phone.as_deref(), Some("+1(502)-459-2181"));
        let address = receiver.address.as_ref().unwrap();
        assert_eq!(address.country.as_deref(), Some("US"));
        assert_eq!(address.province.as_deref(), Some("Kentucky"));
        assert_eq!(address.street.as_deref(), Some("Chestnut Street 92"));
        assert_eq!(address.postal_code.as_deref(), Some("40202"));

        let status = event.status.unwrap();
        assert_eq!(status.value, "partially_refunded");
        let context: Vec<(&str, &str)> = status
            .context
            .iter()
            .map(|f| (f.name.as_str(), f.value.as_str()))
            .collect();
        assert_eq!(
            context,
            vec![
                ("fulfillment_status", "null"),
                ("cancelled", "false"),
                ("closed", "false")
            ]
        );
    }

    #[test]
    fn zero_decimal_currency_uses_its_exponent() {
        let v = json!({"id": 1, "currency": "JPY", "total_price": "1500", "line_items": [
            {"id": 2, "quantity": 3, "price": "500", "discount_allocations": []}
        ]});
        let event = event(&Fields::of(&v, "").unwrap(), "orders/create", None).unwrap();
        let order = order_of(&event);
        assert_eq!(order.total_minor, Some(1500));
        assert_eq!(order.lines[0].unit_price_minor, Some(500));
        assert_eq!(order.lines[0].discount_minor, None);
        assert!(order.buyer.is_none() && order.receiver.is_none() && event.status.is_none());
    }

    #[test]
    fn missing_and_invalid_fields_are_named() {
        let no_id = json!({"currency": "USD"});
        assert_eq!(
            event(&Fields::of(&no_id, "").unwrap(), "orders/create", None).unwrap_err(),
            KitError::MissingField("id".into())
        );
        let bad_qty = json!({"id": 1, "currency": "USD", "line_items": [{"quantity": -1}]});
        assert!(matches!(
            event(&Fields::of(&bad_qty, "orders[4]").unwrap(), "orders/updated", None),
            Err(KitError::InvalidField(m)) if m.starts_with("orders[4].line_items[0].quantity")
        ));
        let bad_currency = json!({"id": 1, "currency": "US$"});
        assert!(matches!(
            event(&Fields::of(&bad_currency, "").unwrap(), "orders/create", None),
            Err(KitError::InvalidField(m)) if m.starts_with("currency")
        ));
    }

    #[test]
    fn cancelled_and_closed_orders_say_so_in_the_context() {
        let v = json!({"id": 1, "currency": "USD", "financial_status": "refunded", "fulfillment_status": "fulfilled",
                       "cancelled_at": "2024-04-02T09:00:00-05:00", "closed_at": "2024-04-02T09:00:00-05:00"});
        let status = event(&Fields::of(&v, "").unwrap(), "orders/cancelled", None)
            .unwrap()
            .status
            .unwrap();
        let values: Vec<&str> = status.context.iter().map(|f| f.value.as_str()).collect();
        assert_eq!(values, vec!["fulfilled", "true", "true"]);
    }
}
