//! Lazada's order-item statuses and what they mean canonically.
//!
//! Lazada keeps a status on every order item; an order's `statuses[]` is the
//! set of its items' statuses. One table here is the single source for
//! `status-map`, the declared statuses and the README table. When an order
//! carries several item statuses, the event's status gets the others as
//! `statuses` context and the mapping is marked `partial`.

use orderhub_adapter_kit::KitError;

use crate::bindings::orderhub::adapter::types::{
    AfterSaleStatus, DeclaredStatus, HoldChange, OrderStatus, PlatformStatus, StatusDomain,
    StatusMapping, TrackingStatus,
};

/// Item statuses, least advanced first (the order used to pick an order's
/// representative status), with what the platform documents them to mean.
pub const ITEM_STATUSES: [(&str, &str); 23] = [
    ("unpaid", "created, waiting for payment"),
    (
        "pending",
        "paid (or cash on delivery), waiting for the seller",
    ),
    ("topack", "waiting for the seller to pack"),
    ("packed", "packed by the seller"),
    ("repacked", "packed again after a package change"),
    (
        "toship",
        "packed, waiting to be handed to the logistics provider",
    ),
    ("ready_to_ship", "ready to ship, waiting for pick-up"),
    (
        "ready_to_ship_pending",
        "ready to ship, pick-up being arranged",
    ),
    ("shipping", "being handed over to the logistics provider"),
    ("shipped", "shipped by the logistics provider"),
    ("failed_delivery", "a delivery attempt failed"),
    ("delivered", "delivered to the buyer"),
    ("confirmed", "receipt confirmed by the buyer"),
    ("lost", "lost"),
    ("lost_by_3pl", "lost by the logistics provider"),
    ("damaged_by_3pl", "damaged by the logistics provider"),
    ("shipped_back", "being shipped back to the seller"),
    ("shipped_back_success", "shipped back to the seller"),
    ("shipped_back_failed", "shipping back to the seller failed"),
    ("package_scrapped", "package scrapped"),
    ("failed", "failed (not delivered)"),
    ("returned", "returned by the buyer"),
    ("canceled", "canceled"),
];

/// Every status `status-map` accepts, for the metadata.
pub fn declared() -> Vec<DeclaredStatus> {
    ITEM_STATUSES
        .iter()
        .map(|(value, description)| DeclaredStatus {
            domain: StatusDomain::Order,
            value: (*value).to_string(),
            description: (*description).to_string(),
        })
        .collect()
}

/// The position of a status in [`ITEM_STATUSES`], if known.
pub fn rank(value: &str) -> Option<usize> {
    ITEM_STATUSES.iter().position(|(v, _)| *v == value)
}

fn none() -> StatusMapping {
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
        ..none()
    }
}

fn hold(reason: &str, tracking: Option<TrackingStatus>) -> StatusMapping {
    StatusMapping {
        hold: Some(HoldChange::Set(reason.to_string())),
        tracking,
        ..none()
    }
}

/// What one item status means. Lazada sends lower-case values; case is
/// ignored because the push documentation is not consistent about it.
fn base(value: &str) -> Option<StatusMapping> {
    use OrderStatus as O;
    Some(match value.to_ascii_lowercase().as_str() {
        "unpaid" => lifecycle(O::PendingPayment),
        "pending" | "topack" => lifecycle(O::Paid),
        "packed" | "repacked" | "toship" | "ready_to_ship" | "ready_to_ship_pending" => {
            lifecycle(O::Allocated)
        }
        "shipping" | "shipped" => lifecycle(O::Shipped),
        "delivered" => StatusMapping {
            tracking: Some(TrackingStatus::Delivered),
            ..lifecycle(O::Delivered)
        },
        "confirmed" => lifecycle(O::Completed),
        "failed_delivery" => hold("delivery failed", Some(TrackingStatus::DeliveryFailed)),
        "lost" => hold("package lost", Some(TrackingStatus::Exception)),
        "lost_by_3pl" => hold(
            "package lost by the logistics provider",
            Some(TrackingStatus::Exception),
        ),
        "damaged_by_3pl" => hold(
            "package damaged by the logistics provider",
            Some(TrackingStatus::Exception),
        ),
        "shipped_back" => hold(
            "package being shipped back to the seller",
            Some(TrackingStatus::Returning),
        ),
        "shipped_back_failed" => hold(
            "shipping back to the seller failed",
            Some(TrackingStatus::Exception),
        ),
        "shipped_back_success" => StatusMapping {
            tracking: Some(TrackingStatus::Returned),
            ..lifecycle(O::Closed)
        },
        "package_scrapped" | "failed" => lifecycle(O::Closed),
        "canceled" => lifecycle(O::Cancelled),
        "returned" => StatusMapping {
            after_sale: Some(AfterSaleStatus::Returned),
            ..none()
        },
        _ => return None,
    })
}

/// `status-map`: the canonical meaning of one Lazada status.
///
/// A `statuses` context (comma-separated item statuses of the same order)
/// that names any other status marks the mapping `partial`: only some items
/// reached it.
pub fn map(status: &PlatformStatus) -> Result<StatusMapping, KitError> {
    if status.domain != StatusDomain::Order {
        return Err(KitError::UnknownStatus(format!(
            "lazada has no {:?} statuses (item statuses use the order domain): {:?}",
            status.domain, status.value
        )));
    }
    let mut mapping = base(status.value.trim())
        .ok_or_else(|| KitError::UnknownStatus(format!("order item status {:?}", status.value)))?;
    let others = status
        .context
        .iter()
        .filter(|f| f.name == "statuses")
        .flat_map(|f| f.value.split(','))
        .map(str::trim)
        .any(|s| !s.is_empty() && !s.eq_ignore_ascii_case(status.value.trim()));
    mapping.partial = others && mapping.lifecycle.is_some();
    Ok(mapping)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bindings::orderhub::adapter::types::Field;

    fn order(value: &str) -> PlatformStatus {
        PlatformStatus {
            domain: StatusDomain::Order,
            value: value.into(),
            context: vec![],
        }
    }

    #[test]
    fn every_declared_status_maps() {
        for declared in declared() {
            assert!(map(&order(&declared.value)).is_ok(), "{}", declared.value);
        }
    }

    #[test]
    fn lifecycle_positions() {
        let at = |v: &str| map(&order(v)).ok().and_then(|m| m.lifecycle);
        assert_eq!(at("unpaid"), Some(OrderStatus::PendingPayment));
        assert_eq!(at("pending"), Some(OrderStatus::Paid));
        assert_eq!(at("ready_to_ship"), Some(OrderStatus::Allocated));
        assert_eq!(at("shipped"), Some(OrderStatus::Shipped));
        assert_eq!(at("confirmed"), Some(OrderStatus::Completed));
        assert_eq!(at("canceled"), Some(OrderStatus::Cancelled));
        assert_eq!(at("lost_by_3pl"), None);
    }

    #[test]
    fn returned_is_an_after_sale_state() {
        let m = map(&order("returned")).ok();
        assert_eq!(
            m.and_then(|m| m.after_sale),
            Some(AfterSaleStatus::Returned)
        );
    }

    #[test]
    fn other_item_statuses_make_it_partial() {
        let mut status = order("shipped");
        status.context = vec![Field {
            name: "statuses".into(),
            value: "pending,shipped".into(),
        }];
        assert!(map(&status).is_ok_and(|m| m.partial));
        status.context[0].value = "shipped".into();
        assert!(map(&status).is_ok_and(|m| !m.partial));
    }

    #[test]
    fn unknown_values_and_domains_are_refused() {
        assert!(matches!(
            map(&order("on_the_moon")),
            Err(KitError::UnknownStatus(_))
        ));
        let refund = PlatformStatus {
            domain: StatusDomain::Refund,
            value: "returned".into(),
            context: vec![],
        };
        assert!(matches!(map(&refund), Err(KitError::UnknownStatus(_))));
    }
}
