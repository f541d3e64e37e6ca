//! Shopify fulfillment objects (`fulfillments/create`, `fulfillments/update`)
//! to canonical shipment events.
//!
//! A fulfillment is one parcel of an order: the carrier (`tracking_company`),
//! the tracking number, the carrier's latest `shipment_status` and the
//! fulfillment's own `status`. Shopify reports `shipment_status: null` until a
//! carrier event arrives; the event then carries `confirmed`, which Shopify
//! documents as the default when no other information is available.
//!
//! A fulfillment without any tracking number (marked fulfilled by hand, local
//! delivery) has no parcel to follow, so it yields no event: the order topics
//! (`orders/fulfilled`, `orders/partially_fulfilled`, `orders/updated`) already
//! carry the order's fulfilment state.

use orderhub_adapter_kit::KitError;
use orderhub_adapter_kit::json::{Fields, scalar_text};

use crate::bindings::orderhub::adapter::types::{
    Event, EventBody, Field, PlatformStatus, Shipment, ShippedLine, StatusDomain,
};
use crate::fields::opt_instant;
use crate::status::{DEFAULT_SHIPMENT_STATUS, FULFILLMENT_STATE};

/// The shipment event for one fulfillment, or none when it has no tracking number.
pub fn events(
    fulfillment: &Fields<'_>,
    topic: &str,
    event_id: Option<String>,
) -> Result<Vec<Event>, KitError> {
    // The id is not part of the shipment, but a payload without it is not a
    // fulfillment at all.
    fulfillment.string("id")?;
    let Some(tracking_number) = tracking_number(fulfillment) else {
        return Ok(Vec::new());
    };
    let shipment_status = fulfillment
        .opt_string("shipment_status")
        .unwrap_or_else(|| DEFAULT_SHIPMENT_STATUS.into());
    let context = fulfillment
        .opt_string("status")
        .map(|state| {
            vec![Field {
                name: FULFILLMENT_STATE.into(),
                value: state,
            }]
        })
        .unwrap_or_default();
    let occurred_at = match opt_instant(fulfillment, "updated_at")? {
        Some(at) => Some(at),
        None => opt_instant(fulfillment, "created_at")?,
    };
    Ok(vec![Event {
        event_id,
        topic: topic.to_string(),
        occurred_at,
        body: EventBody::Shipment(Shipment {
            // Shopify leaves `tracking_company` null for carriers it does not
            // know; the shipment then names no carrier rather than a guess.
            carrier: fulfillment
                .opt_string("tracking_company")
                .unwrap_or_default(),
            tracking_number,
            order_external_id: fulfillment.opt_string("order_id"),
            checkpoints: Vec::new(),
            // Delivered to the door or collected by the customer.
            signed: matches!(shipment_status.as_str(), "delivered" | "picked_up"),
            warehouse: fulfillment.opt_string("location_id"),
            lines: shipped_lines(fulfillment)?,
        }),
        status: Some(PlatformStatus {
            domain: StatusDomain::Fulfillment,
            value: shipment_status,
            context,
        }),
    }])
}

/// The fulfillment's `line_items`: which order lines went into this parcel.
fn shipped_lines(fulfillment: &Fields<'_>) -> Result<Vec<ShippedLine>, KitError> {
    fulfillment
        .objects("line_items")?
        .iter()
        .map(|line| {
            Ok(ShippedLine {
                line_external_id: line.optional("id").and_then(scalar_text),
                sku: line.opt_string("sku"),
                quantity: line.count("quantity")?,
            })
        })
        .collect()
}

/// `tracking_number`, else the first of `tracking_numbers`, without the
/// surrounding whitespace merchants paste along with it.
fn tracking_number(fulfillment: &Fields<'_>) -> Option<String> {
    let first = fulfillment.optional("tracking_number").into_iter();
    let rest = fulfillment.opt_array("tracking_numbers").iter();
    first
        .chain(rest)
        .filter_map(scalar_text)
        .map(|n| n.trim().to_string())
        .find(|n| !n.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn shipment_of(event: &Event) -> &Shipment {
        match &event.body {
            EventBody::Shipment(s) => s,
            other => panic!("expected a shipment, got {other:?}"),
        }
    }

    #[test]
    fn a_new_fulfillment_is_a_confirmed_shipment() {
        // Shopify's own mocked fulfillment (shopify-api-js 2024-04 fulfillment test_2).
        let v = json!({"id": 1069019863, "order_id": 450789469, "status": "success",
            "created_at": "2024-04-02T09:01:34-05:00", "updated_at": "2024-04-02T09:01:34-05:00",
            "tracking_company": "TNT", "shipment_status": null, "tracking_number": "123456789",
            "tracking_numbers": ["123456789"]});
        let events = events(
            &Fields::of(&v, "").unwrap(),
            "fulfillments/create",
            Some("wh".into()),
        )
        .unwrap();
        assert_eq!(events.len(), 1);
        let event = &events[0];
        // 09:01:34 at -05:00 is 14:01:34Z.
        assert_eq!(event.occurred_at, Some(1_712_066_494_000));
        let status = event.status.as_ref().unwrap();
        assert_eq!(
            (status.domain, status.value.as_str()),
            (StatusDomain::Fulfillment, "confirmed")
        );
        assert_eq!(status.context[0].value, "success");
        let shipment = shipment_of(event);
        assert_eq!(shipment.carrier, "TNT");
        assert_eq!(shipment.tracking_number, "123456789");
        assert_eq!(shipment.order_external_id.as_deref(), Some("450789469"));
        assert!(!shipment.signed);
    }

    #[test]
    fn delivered_is_signed_and_tracking_numbers_is_the_fallback() {
        let v = json!({"id": 1, "order_id": 2, "shipment_status": "delivered", "tracking_company": null,
                       "tracking_number": " ", "tracking_numbers": ["", " MS1562678\n"]});
        let events = events(&Fields::of(&v, "").unwrap(), "fulfillments/update", None).unwrap();
        let shipment = shipment_of(&events[0]);
        assert!(shipment.signed);
        assert_eq!(
            (shipment.carrier.as_str(), shipment.tracking_number.as_str()),
            ("", "MS1562678")
        );
        assert!(events[0].status.as_ref().unwrap().context.is_empty());
    }

    #[test]
    fn untracked_fulfillments_yield_nothing_and_missing_ids_are_errors() {
        let untracked =
            json!({"id": 1, "order_id": 2, "tracking_number": null, "tracking_numbers": []});
        assert_eq!(
            events(
                &Fields::of(&untracked, "").unwrap(),
                "fulfillments/create",
                None
            ),
            Ok(vec![])
        );
        let no_id = json!({"order_id": 2, "tracking_number": "X"});
        assert_eq!(
            events(
                &Fields::of(&no_id, "").unwrap(),
                "fulfillments/create",
                None
            ),
            Err(KitError::MissingField("id".into()))
        );
    }
}
