//! Shopee's order statuses and what they mean canonically.
//!
//! One family: the order status (`order_status` of an order, `status` of an
//! order-status push). The table here is the single source for `status-map`,
//! the declared statuses and the README table.

use orderhub_adapter_kit::KitError;

use crate::bindings::orderhub::adapter::types::{
    AfterSaleStatus, DeclaredStatus, HoldChange, OrderStatus, PlatformStatus, StatusDomain,
    StatusMapping,
};

/// Order statuses and what the platform documents them to mean.
pub const ORDER_STATUSES: [(&str, &str); 12] = [
    ("UNPAID", "placed, not paid yet"),
    ("READY_TO_SHIP", "paid, the seller can arrange shipment"),
    (
        "PENDING",
        "paid but held by the platform (pending_terms: system, KYC, arrange-shipment)",
    ),
    (
        "INVOICE_PENDING",
        "paid, waiting for the seller's invoice before shipping",
    ),
    (
        "PROCESSED",
        "shipment arranged, tracking number obtained from the 3PL",
    ),
    (
        "RETRY_SHIP",
        "the 3PL pickup failed, shipment must be arranged again",
    ),
    ("SHIPPED", "handed to the 3PL"),
    (
        "TO_CONFIRM_RECEIVE",
        "received by the buyer, to be confirmed",
    ),
    ("COMPLETED", "order completed"),
    (
        "IN_CANCEL",
        "a cancellation was requested and awaits the seller's response",
    ),
    ("CANCELLED", "order cancelled"),
    (
        "TO_RETURN",
        "the buyer asked to return the goods / for a refund",
    ),
];

pub const PENDING_REASON: &str = "held by the platform (PENDING)";
pub const INVOICE_REASON: &str = "waiting for the seller's invoice";
pub const RETRY_SHIP_REASON: &str = "pickup failed, shipment to be arranged again";
pub const IN_CANCEL_REASON: &str = "cancellation requested";

/// Every status `status-map` accepts, for the metadata.
pub fn declared() -> Vec<DeclaredStatus> {
    ORDER_STATUSES
        .iter()
        .map(|(value, description)| DeclaredStatus {
            domain: StatusDomain::Order,
            value: (*value).to_string(),
            description: (*description).to_string(),
        })
        .collect()
}

fn mapping() -> StatusMapping {
    StatusMapping {
        lifecycle: None,
        hold: None,
        after_sale: None,
        tracking: None,
        deposit_paid: false,
        partial: false,
    }
}

fn lifecycle(status: OrderStatus) -> StatusMapping {
    StatusMapping {
        lifecycle: Some(status),
        ..mapping()
    }
}

fn held(status: Option<OrderStatus>, reason: &str) -> StatusMapping {
    StatusMapping {
        lifecycle: status,
        hold: Some(HoldChange::Set(reason.to_string())),
        ..mapping()
    }
}

/// A forward state that a held order moves to once the platform lets it go.
fn cleared(status: OrderStatus) -> StatusMapping {
    StatusMapping {
        hold: Some(HoldChange::Clear),
        ..lifecycle(status)
    }
}

/// Maps one platform status to its canonical meaning.
pub fn map(status: &PlatformStatus) -> Result<StatusMapping, KitError> {
    if status.domain != StatusDomain::Order {
        return Err(KitError::UnknownStatus(format!(
            "Shopee has order statuses only (value {:?}); use the order domain",
            status.value
        )));
    }
    use OrderStatus as O;
    Ok(match status.value.as_str() {
        "UNPAID" => lifecycle(O::PendingPayment),
        // The states a PENDING, INVOICE_PENDING, RETRY_SHIP or IN_CANCEL
        // order returns to when the platform releases it, so they lift the hold.
        "READY_TO_SHIP" => cleared(O::Paid),
        "PROCESSED" => cleared(O::Allocated),
        "SHIPPED" => cleared(O::Shipped),
        "PENDING" => held(Some(O::Paid), PENDING_REASON),
        "INVOICE_PENDING" => held(Some(O::Paid), INVOICE_REASON),
        "RETRY_SHIP" => held(Some(O::Allocated), RETRY_SHIP_REASON),
        // A request, not yet a cancellation: the seller may still refuse it.
        "IN_CANCEL" => held(None, IN_CANCEL_REASON),
        "TO_CONFIRM_RECEIVE" => lifecycle(O::Delivered),
        "COMPLETED" => lifecycle(O::Completed),
        "CANCELLED" => lifecycle(O::Cancelled),
        "TO_RETURN" => StatusMapping {
            after_sale: Some(AfterSaleStatus::Requested),
            ..mapping()
        },
        other => {
            return Err(KitError::UnknownStatus(format!(
                "order status {other:?} is not a Shopee order status"
            )));
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn order(value: &str) -> PlatformStatus {
        PlatformStatus {
            domain: StatusDomain::Order,
            value: value.into(),
            context: vec![],
        }
    }

    #[test]
    fn every_declared_status_maps() {
        for (value, _) in ORDER_STATUSES {
            assert!(map(&order(value)).is_ok(), "{value}");
        }
    }

    #[test]
    fn holds_and_lifecycle() {
        let pending = map(&order("PENDING")).unwrap();
        assert_eq!(pending.lifecycle, Some(OrderStatus::Paid));
        assert_eq!(pending.hold, Some(HoldChange::Set(PENDING_REASON.into())));
        let ready = map(&order("READY_TO_SHIP")).unwrap();
        assert_eq!(ready.hold, Some(HoldChange::Clear));
        let in_cancel = map(&order("IN_CANCEL")).unwrap();
        assert_eq!(in_cancel.lifecycle, None);
        assert_eq!(
            map(&order("TO_RETURN")).unwrap().after_sale,
            Some(AfterSaleStatus::Requested)
        );
    }

    #[test]
    fn unknown_values_and_domains_are_refused() {
        assert!(matches!(
            map(&order("ready_to_ship")),
            Err(KitError::UnknownStatus(_))
        ));
        let refund = PlatformStatus {
            domain: StatusDomain::Refund,
            value: "COMPLETED".into(),
            context: vec![],
        };
        assert!(matches!(map(&refund), Err(KitError::UnknownStatus(_))));
    }
}
