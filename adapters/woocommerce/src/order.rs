//! WooCommerce REST v3 order objects to canonical events.
//!
//! The same object arrives as a webhook body (`order.created`,
//! `order.updated`, `order.restored`) and as an element of a polled
//! `GET /wp-json/wc/v3/orders` page, so both paths use this one translation.
//! `order.deleted` carries only `{"id": …}` and has its own small builder.
//!
//! Choices worth knowing:
//! - money comes as decimal strings in the order's `currency`; it is read
//!   exactly, in that currency's minor units (2 for USD, 0 for JPY);
//! - `subtotal_minor` is the sum of the lines' `subtotal` (before discounts),
//!   which is what WooCommerce itself shows as the order's subtotal;
//! - a line's unit price is its `subtotal` divided by its quantity when that
//!   divides exactly, its discount `subtotal − total`. The line `price` field
//!   is not used: WooCommerce computes it as a float (`total / quantity`,
//!   after discounts) and it can carry any number of decimals;
//! - `total` is the amount charged; refunds are not subtracted from it but
//!   reported on the after-sale dimension and as one `after-sale` event per
//!   entry of `refunds[]` (event id `refund:<id>`, so each refund is recorded
//!   once however many deliveries repeat it);
//! - the buyer is the billing contact and address, the receiver the shipping
//!   one; both are given in clear text;
//! - the event's status is `status` in the order domain with `paid`,
//!   `completed` and `refund` as context (see [`crate::status`]).

use orderhub_adapter_kit::json::Fields;
use orderhub_adapter_kit::{KitError, money};

use crate::bindings::orderhub::adapter::types::{
    Address, AfterSale, Event, EventBody, Field, Order, OrderLine, Party, PlatformStatus,
    StatusDomain,
};
use crate::fields::{opt_amount, opt_gmt};
use crate::status::{COMPLETED, PAID, REFUND, Refund, TRASH};

/// The events for one full order object: the order, then one after-sale
/// event per refund.
pub fn events(
    order: &Fields<'_>,
    topic: &str,
    event_id: Option<String>,
) -> Result<Vec<Event>, KitError> {
    let canonical = translate(order)?;
    let exponent = money::currency_exponent(&canonical.currency);
    let refunds = refunds(order, &canonical, exponent)?;
    let refunded: i64 = refunds
        .iter()
        .filter_map(|r| r.amount_minor)
        .try_fold(0i64, i64::checked_add)
        .ok_or_else(|| {
            KitError::invalid(&order.path_of("refunds"), "the refunds add up beyond range")
        })?;
    let refund = match canonical.total_minor {
        _ if refunded == 0 => Refund::None,
        Some(total) if refunded < total => Refund::Partial,
        Some(_) => Refund::Full,
        // Without a total the share is unknown; any refund is then partial.
        None => Refund::Partial,
    };
    let mut events = Vec::with_capacity(1 + refunds.len());
    events.push(Event {
        event_id,
        topic: topic.to_string(),
        occurred_at: canonical.updated_at.or(canonical.created_at),
        status: order_status(order, refund),
        body: EventBody::Order(canonical),
    });
    events.extend(refunds.into_iter().map(|refund| Event {
        event_id: Some(format!("refund:{}", refund.external_id)),
        topic: topic.to_string(),
        // A refund summary carries no date of its own.
        occurred_at: None,
        status: None,
        body: EventBody::AfterSale(refund),
    }));
    Ok(events)
}

/// The event for `order.deleted`, whose body is only `{"id": …}`: the order
/// went to the trash. Nothing else is known, so the snapshot names the id
/// alone (the host keeps what earlier events brought).
pub fn trashed(
    body: &Fields<'_>,
    topic: &str,
    event_id: Option<String>,
) -> Result<Event, KitError> {
    let external_id = body.string("id")?;
    Ok(Event {
        event_id,
        topic: topic.to_string(),
        occurred_at: None,
        status: Some(PlatformStatus {
            domain: StatusDomain::Order,
            value: TRASH.into(),
            context: Vec::new(),
        }),
        body: EventBody::Order(Order {
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
            lines: Vec::new(),
            presale: false,
            note: None,
        }),
    })
}

/// The canonical order snapshot.
fn translate(order: &Fields<'_>) -> Result<Order, KitError> {
    let external_id = order.string("id")?;
    let currency = currency(order)?;
    let exponent = money::currency_exponent(&currency);
    let lines = order
        .objects("line_items")?
        .iter()
        .map(|line| order_line(line, exponent))
        .collect::<Result<Vec<_>, _>>()?;
    let subtotal = lines
        .iter()
        .map(|(_, subtotal)| *subtotal)
        .try_fold(0i64, |sum, subtotal| sum.checked_add(subtotal?));
    Ok(Order {
        // The number shown to people only when it differs from the id
        // (sequential-number extensions change it).
        display_id: order.opt_string("number").filter(|n| *n != external_id),
        external_id,
        created_at: opt_gmt(order, "date_created_gmt")?,
        updated_at: opt_gmt(order, "date_modified_gmt")?,
        total_minor: opt_amount(order, "total", exponent)?,
        subtotal_minor: subtotal,
        shipping_minor: opt_amount(order, "shipping_total", exponent)?,
        discount_minor: opt_amount(order, "discount_total", exponent)?,
        tax_minor: opt_amount(order, "total_tax", exponent)?,
        buyer: order.opt_object("billing").and_then(|b| party(&b)),
        receiver: order.opt_object("shipping").and_then(|s| party(&s)),
        lines: lines.into_iter().map(|(line, _)| line).collect(),
        // WooCommerce core has no presale (deposit) orders.
        presale: false,
        note: order.opt_string("customer_note"),
        currency,
    })
}

/// The order currency; amounts are only meaningful with it.
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

/// One `line_items[]` entry, with its subtotal (for the order subtotal).
fn order_line(line: &Fields<'_>, exponent: u32) -> Result<(OrderLine, Option<i64>), KitError> {
    let quantity = line.integer("quantity")?;
    let quantity = u32::try_from(quantity).map_err(|_| {
        KitError::invalid(
            &line.path_of("quantity"),
            format_args!("{quantity} is not a valid quantity"),
        )
    })?;
    let subtotal = opt_amount(line, "subtotal", exponent)?;
    let total = opt_amount(line, "total", exponent)?;
    let unit_price = subtotal.and_then(|s| {
        let q = i64::from(quantity);
        (q > 0 && s % q == 0).then(|| s / q)
    });
    let discount = match (subtotal, total) {
        (Some(s), Some(t)) => Some(s.checked_sub(t).ok_or_else(|| {
            KitError::invalid(&line.path_of("total"), "the discount is out of range")
        })?),
        _ => None,
    };
    Ok((
        OrderLine {
            external_id: line.opt_string("id"),
            sku: line.opt_string("sku"),
            // As WooCommerce sends it: product name with the variation's
            // attributes, HTML entities included (`&ndash;`).
            title: line.opt_string("name"),
            quantity,
            unit_price_minor: unit_price,
            discount_minor: discount,
            status: None,
        },
        subtotal,
    ))
}

/// The order's refunds as after-sale records; `total` is negative
/// (`"-5.00"`), the amount refunded is its absolute value.
fn refunds(
    order: &Fields<'_>,
    canonical: &Order,
    exponent: u32,
) -> Result<Vec<AfterSale>, KitError> {
    order
        .objects("refunds")?
        .iter()
        .map(|refund| {
            let path = refund.path_of("total");
            let amount = money::decimal_value_minor(refund.required("total")?, exponent, &path)?;
            Ok(AfterSale {
                external_id: refund.string("id")?,
                order_external_id: canonical.external_id.clone(),
                amount_minor: Some(
                    amount
                        .checked_abs()
                        .ok_or_else(|| KitError::invalid(&path, "out of range"))?,
                ),
                currency: Some(canonical.currency.clone()),
                reason: refund.opt_string("reason"),
            })
        })
        .collect()
}

/// A billing or shipping object as a party; `None` when it is entirely empty
/// (virtual goods have no shipping address).
fn party(fields: &Fields<'_>) -> Option<Party> {
    let name: Vec<String> = ["first_name", "last_name"]
        .iter()
        .filter_map(|k| fields.opt_string(k))
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
        .collect();
    let party = Party {
        name: (!name.is_empty())
            .then(|| name.join(" "))
            .or_else(|| fields.opt_string("company")),
        phone: fields.opt_string("phone"),
        email: fields.opt_string("email"),
        address: address(fields),
        // WooCommerce sends contact details in clear text.
        masked: false,
    };
    let empty = party.name.is_none()
        && party.phone.is_none()
        && party.email.is_none()
        && party.address.is_none();
    (!empty).then_some(party)
}

/// A WooCommerce address: ISO country code, `state` (a code such as `CA`),
/// `city`, `address_1, address_2` as the street, `postcode`.
fn address(fields: &Fields<'_>) -> Option<Address> {
    let street: Vec<String> = ["address_1", "address_2"]
        .iter()
        .filter_map(|k| fields.opt_string(k))
        .collect();
    let address = Address {
        country: fields.opt_string("country"),
        province: fields.opt_string("state"),
        city: fields.opt_string("city"),
        district: None,
        street: (!street.is_empty()).then(|| street.join(", ")),
        postal_code: fields.opt_string("postcode"),
    };
    let empty = address.country.is_none()
        && address.province.is_none()
        && address.city.is_none()
        && address.street.is_none()
        && address.postal_code.is_none();
    (!empty).then_some(address)
}

/// `status` with the facts that refine it, or `None` when the order has no
/// status at all.
fn order_status(order: &Fields<'_>, refund: Refund) -> Option<PlatformStatus> {
    let value = order.opt_string("status")?;
    let flag = |key: &str| {
        if order.opt_string(key).is_some() {
            "true"
        } else {
            "false"
        }
    };
    Some(PlatformStatus {
        domain: StatusDomain::Order,
        value,
        context: vec![
            Field {
                name: PAID.into(),
                value: flag("date_paid_gmt").into(),
            },
            Field {
                name: COMPLETED.into(),
                value: flag("date_completed_gmt").into(),
            },
            Field {
                name: REFUND.into(),
                value: refund.as_str().into(),
            },
        ],
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::{Value, json};

    const SAMPLE: &str = include_str!("../testdata/woocommerce-order-v3.json");

    fn sample() -> Value {
        serde_json::from_str(SAMPLE).unwrap()
    }

    fn order_of(event: &Event) -> &Order {
        match &event.body {
            EventBody::Order(order) => order,
            other => panic!("expected an order, got {other:?}"),
        }
    }

    fn context(event: &Event) -> Vec<(&str, &str)> {
        event
            .status
            .as_ref()
            .unwrap()
            .context
            .iter()
            .map(|f| (f.name.as_str(), f.value.as_str()))
            .collect()
    }

    #[test]
    fn woocommerce_sample_order_translates_exactly() {
        let v = sample();
        let events = events(
            &Fields::of(&v, "").unwrap(),
            "order.updated",
            Some("d".into()),
        )
        .unwrap();
        assert_eq!(events.len(), 1);
        let event = &events[0];
        assert_eq!(event.event_id.as_deref(), Some("d"));
        // date_modified_gmt 2017-03-22T19:28:08 (UTC).
        assert_eq!(event.occurred_at, Some(1_490_210_888_000));
        let status = event.status.as_ref().unwrap();
        assert_eq!(status.value, "processing");
        assert_eq!(
            context(event),
            vec![(PAID, "true"), (COMPLETED, "false"), (REFUND, "none")]
        );
        let order = order_of(event);
        assert_eq!(order.external_id, "727");
        // `number` equals the id.
        assert_eq!(order.display_id, None);
        assert_eq!(order.created_at, Some(1_490_210_882_000));
        assert_eq!(order.currency, "USD");
        assert_eq!(
            (
                order.total_minor,
                order.subtotal_minor,
                order.shipping_minor,
                order.discount_minor,
                order.tax_minor
            ),
            (Some(2935), Some(1800), Some(1000), Some(0), Some(135))
        );
        assert_eq!(order.note, None);
        assert!(!order.presale);
        let buyer = order.buyer.as_ref().unwrap();
        assert_eq!(buyer.name.as_deref(), Some("John Doe"));
        assert_eq!(buyer.email.as_deref(), Some("john.doe@example.com"));
        assert_eq!(buyer.phone.as_deref(), Some("(555) 555-5555"));
        let address = buyer.address.as_ref().unwrap();
        assert_eq!(
            (
                address.country.as_deref(),
                address.province.as_deref(),
                address.city.as_deref(),
                address.street.as_deref(),
                address.postal_code.as_deref()
            ),
            (
                Some("US"),
                Some("CA"),
                Some("San Francisco"),
                Some("969 Market"),
                Some("94103")
            )
        );
        let receiver = order.receiver.as_ref().unwrap();
        assert_eq!(receiver.name.as_deref(), Some("John Doe"));
        assert_eq!(receiver.email, None);
        assert_eq!(order.lines.len(), 2);
        let first = &order.lines[0];
        assert_eq!(
            (
                first.external_id.as_deref(),
                first.sku.as_deref(),
                first.quantity,
                first.unit_price_minor,
                first.discount_minor
            ),
            (Some("315"), None, 2, Some(300), Some(0))
        );
        let second = &order.lines[1];
        assert_eq!(second.sku.as_deref(), Some("Bar3"));
        assert_eq!(
            second.title.as_deref(),
            Some("Ship Your Idea &ndash; Color: Black, Size: M Test")
        );
        assert_eq!(second.unit_price_minor, Some(1200));
    }

    #[test]
    fn refunds_become_after_sale_events_and_context() {
        let mut v = sample();
        v["refunds"] = json!([
            {"id": 730, "reason": "Damaged in transit", "total": "-5.00"},
            {"id": 731, "reason": "", "total": "-1.35"}
        ]);
        let events = events(&Fields::of(&v, "").unwrap(), "order.updated", None).unwrap();
        assert_eq!(events.len(), 3);
        assert_eq!(context(&events[0])[2], (REFUND, "partial"));
        match &events[1].body {
            EventBody::AfterSale(refund) => {
                assert_eq!(refund.external_id, "730");
                assert_eq!(refund.order_external_id, "727");
                assert_eq!(refund.amount_minor, Some(500));
                assert_eq!(refund.currency.as_deref(), Some("USD"));
                assert_eq!(refund.reason.as_deref(), Some("Damaged in transit"));
            }
            other => panic!("expected an after-sale, got {other:?}"),
        }
        assert_eq!(events[1].event_id.as_deref(), Some("refund:730"));
        assert!(
            matches!(&events[2].body, EventBody::AfterSale(r) if r.reason.is_none() && r.amount_minor == Some(135))
        );

        v["refunds"] = json!([{"id": 732, "reason": "", "total": "-29.35"}]);
        let full = super::events(&Fields::of(&v, "").unwrap(), "order.updated", None).unwrap();
        assert_eq!(context(&full[0])[2], (REFUND, "full"));
    }

    #[test]
    fn zero_decimal_currencies_and_uneven_unit_prices() {
        let v = json!({"id": 9, "currency": "jpy", "total": "3300", "status": "pending",
            "line_items": [{"id": 1, "quantity": 3, "subtotal": "1000", "total": "900"}]});
        let events = events(&Fields::of(&v, "").unwrap(), "order.created", None).unwrap();
        let order = order_of(&events[0]);
        assert_eq!(order.currency, "JPY");
        assert_eq!(order.total_minor, Some(3300));
        // 1000 / 3 is not a whole number of yen.
        assert_eq!(order.lines[0].unit_price_minor, None);
        assert_eq!(order.lines[0].discount_minor, Some(100));
        assert_eq!(order.subtotal_minor, Some(1000));
        assert_eq!(order.buyer, None);
        assert_eq!(context(&events[0])[0], (PAID, "false"));
    }

    #[test]
    fn trashed_orders_carry_only_the_id() {
        let v = json!({"id": 727});
        let event = trashed(&Fields::of(&v, "").unwrap(), "order.deleted", None).unwrap();
        assert_eq!(event.status.as_ref().unwrap().value, TRASH);
        let order = order_of(&event);
        assert_eq!(
            (order.external_id.as_str(), order.currency.as_str()),
            ("727", "")
        );
        assert_eq!(
            trashed(&Fields::of(&json!({}), "").unwrap(), "order.deleted", None),
            Err(KitError::MissingField("id".into()))
        );
    }

    #[test]
    fn bad_fields_are_named() {
        let mut v = sample();
        v["line_items"][1]["quantity"] = json!(-1);
        assert!(matches!(
            events(&Fields::of(&v, "").unwrap(), "order.updated", None),
            Err(KitError::InvalidField(m)) if m.starts_with("line_items[1].quantity")
        ));
        let mut v = sample();
        v["total"] = json!("29.355");
        assert!(matches!(
            events(&Fields::of(&v, "").unwrap(), "order.updated", None),
            Err(KitError::InvalidField(m)) if m.starts_with("total")
        ));
        let mut v = sample();
        v["currency"] = json!("US$");
        assert!(matches!(
            events(&Fields::of(&v, "").unwrap(), "order.updated", None),
            Err(KitError::InvalidField(m)) if m.starts_with("currency")
        ));
        let mut v = sample();
        v["refunds"] = json!([{"id": 1}]);
        assert_eq!(
            events(&Fields::of(&v, "").unwrap(), "order.updated", None),
            Err(KitError::MissingField("refunds[0].total".into()))
        );
        let mut v = sample();
        v.as_object_mut().unwrap().remove("currency");
        assert_eq!(
            events(&Fields::of(&v, "").unwrap(), "order.updated", None),
            Err(KitError::MissingField("currency".into()))
        );
    }
}
