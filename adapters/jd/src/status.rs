//! JD's order states and what they mean canonically.
//!
//! One family: the POP order state `order_state` / `orderState` (`order`
//! domain). JD's refund and after-sale states are not established from a
//! source yet, so no other domain is accepted. The table here is the single
//! source for `status-map`, the declared statuses and the README table.

use orderhub_adapter_kit::KitError;

use crate::bindings::orderhub::adapter::types::{
    DeclaredStatus, HoldChange, OrderStatus, PlatformStatus, StatusDomain, StatusMapping,
};

/// The reason of the hold `POP_ORDER_PAUSE` and `PAUSE` set.
pub const PAUSE_REASON: &str = "order paused by the platform";
/// The reason of the hold `LOCKED` sets.
pub const LOCKED_REASON: &str = "order locked by the platform";

/// Order states and what they are documented to mean.
pub const ORDER_STATES: [(&str, &str); 12] = [
    (
        "WAIT_SELLER_STOCK_OUT",
        "paid, waiting for the seller to ship (待出库)",
    ),
    (
        "WAIT_SEND_CODE",
        "virtual goods, waiting for the code to be sent",
    ),
    (
        "WAIT_SELLER_DELIVERY",
        "cross-border, waiting for domestic dispatch",
    ),
    (
        "WAIT_GOODS_RECEIVE_CONFIRM",
        "shipped, waiting for the buyer to confirm receipt",
    ),
    (
        "SEND_TO_DISTRIBUTION_CENER",
        "LBP/SOPL: sent to the distribution centre",
    ),
    (
        "DISTRIBUTION_CENTER_RECEIVED",
        "LBP/SOPL: received by the distribution centre",
    ),
    ("RECEIPTS_CONFIRM", "LBP/SOPL: receipt confirmed"),
    ("FINISHED_L", "order finished"),
    ("TRADE_CANCELED", "order cancelled"),
    ("LOCKED", "order locked"),
    ("POP_ORDER_PAUSE", "order paused"),
    ("PAUSE", "order paused"),
];

/// Every status `status-map` accepts, for the metadata.
pub fn declared() -> Vec<DeclaredStatus> {
    ORDER_STATES
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

fn hold(reason: &str) -> StatusMapping {
    StatusMapping {
        hold: Some(HoldChange::Set(reason.to_string())),
        ..mapping()
    }
}

/// Maps one platform status to its canonical meaning.
pub fn map(status: &PlatformStatus) -> Result<StatusMapping, KitError> {
    match status.domain {
        StatusDomain::Order => order_state(&status.value),
        _ => Err(KitError::UnknownStatus(format!(
            "JD statuses are order states (domain order); value {:?} is in another domain",
            status.value
        ))),
    }
}

fn order_state(value: &str) -> Result<StatusMapping, KitError> {
    use OrderStatus as O;
    Ok(match value {
        // The "may ship now" states; an order leaves a pause or a lock by
        // returning to one of them, so they lift the hold.
        "WAIT_SELLER_STOCK_OUT" | "WAIT_SEND_CODE" | "WAIT_SELLER_DELIVERY" => StatusMapping {
            hold: Some(HoldChange::Clear),
            ..lifecycle(O::Paid)
        },
        "WAIT_GOODS_RECEIVE_CONFIRM" | "SEND_TO_DISTRIBUTION_CENER" => lifecycle(O::Shipped),
        "DISTRIBUTION_CENTER_RECEIVED" => lifecycle(O::InTransit),
        "RECEIPTS_CONFIRM" => lifecycle(O::Delivered),
        "FINISHED_L" => lifecycle(O::Completed),
        "TRADE_CANCELED" => lifecycle(O::Cancelled),
        // A pause or a lock says nothing about how far the order got.
        "POP_ORDER_PAUSE" | "PAUSE" => hold(PAUSE_REASON),
        "LOCKED" => hold(LOCKED_REASON),
        other => {
            return Err(KitError::UnknownStatus(format!(
                "order state {other:?} is not a JD order state"
            )));
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn status(domain: StatusDomain, value: &str) -> PlatformStatus {
        PlatformStatus {
            domain,
            value: value.into(),
            context: vec![],
        }
    }

    #[test]
    fn every_declared_status_maps() {
        for declared in declared() {
            let s = status(declared.domain, &declared.value);
            assert!(map(&s).is_ok(), "{} does not map", declared.value);
        }
    }

    #[test]
    fn holds_and_lifecycle() {
        let m = map(&status(StatusDomain::Order, "POP_ORDER_PAUSE")).unwrap();
        assert_eq!(
            (m.lifecycle, m.hold),
            (None, Some(HoldChange::Set(PAUSE_REASON.into())))
        );
        let m = map(&status(StatusDomain::Order, "WAIT_SELLER_STOCK_OUT")).unwrap();
        assert_eq!(
            (m.lifecycle, m.hold),
            (Some(OrderStatus::Paid), Some(HoldChange::Clear))
        );
        let m = map(&status(StatusDomain::Order, "TRADE_CANCELED")).unwrap();
        assert_eq!(m.lifecycle, Some(OrderStatus::Cancelled));
    }

    #[test]
    fn unknown_values_and_other_domains_are_unknown_status() {
        for s in [
            status(StatusDomain::Order, "WAIT_BUYER_PAY"),
            status(StatusDomain::Order, ""),
            status(StatusDomain::Refund, "FINISHED_L"),
        ] {
            assert!(
                matches!(map(&s), Err(KitError::UnknownStatus(_))),
                "{}",
                s.value
            );
        }
    }
}
