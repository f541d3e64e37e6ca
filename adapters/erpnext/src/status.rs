//! ERPNext's document statuses and what they mean canonically.
//!
//! Three families, told apart by domain:
//!
//! - `order`: the Sales Order `status` (Draft … Closed), and its `docstatus`
//!   (`0` draft, `1` submitted, `2` cancelled) when the payload has no status;
//! - `fulfillment`: the Delivery Note `status` (Draft … Closed) and its
//!   `docstatus`, and the Shipment doctype's `status` (Submitted, Booked —
//!   Draft, Cancelled and Completed mean the same as on a Delivery Note);
//! - `tracking`: the Shipment doctype's `tracking_status`.
//!
//! Value lists: Sales Order and Delivery Note from the status rules in
//! `erpnext/controllers/status_updater.py` (and the doctypes' `status`
//! options); Shipment from `erpnext/stock/doctype/shipment/shipment.json`.
//! This table is the single source for `status-map`, the declared statuses
//! and the README table (a unit test keeps the README in step).

use orderhub_adapter_kit::KitError;

use crate::bindings::orderhub::adapter::types::{
    AfterSaleStatus as A, DeclaredStatus, HoldChange, OrderStatus as O, PlatformStatus,
    StatusDomain, StatusMapping, TrackingStatus as T,
};

/// What a status does to the order's exception hold.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Hold {
    Untouched,
    Set(&'static str),
    Clear,
}

/// The domains of this table, as a `const`-friendly copy of `StatusDomain`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Domain {
    Order,
    Fulfillment,
    Tracking,
}

/// One documented status value.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Row {
    pub domain: Domain,
    pub value: &'static str,
    pub meaning: &'static str,
    pub lifecycle: Option<O>,
    pub hold: Hold,
    pub after_sale: Option<A>,
    pub tracking: Option<T>,
}

const fn row(
    domain: Domain,
    value: &'static str,
    meaning: &'static str,
    lifecycle: Option<O>,
    hold: Hold,
) -> Row {
    Row {
        domain,
        value,
        meaning,
        lifecycle,
        hold,
        after_sale: None,
        tracking: None,
    }
}

const fn track(value: &'static str, meaning: &'static str, tracking: T) -> Row {
    Row {
        domain: Domain::Tracking,
        value,
        meaning,
        lifecycle: None,
        hold: Hold::Untouched,
        after_sale: None,
        tracking: Some(tracking),
    }
}

/// The hold `On Hold` sets.
pub(crate) const ON_HOLD_REASON: &str = "Sales Order put on hold in ERPNext";
/// The hold a cancelled delivery sets: the goods did not leave after all.
pub(crate) const DELIVERY_CANCELLED_REASON: &str = "delivery cancelled in ERPNext";

use Domain::{Fulfillment as F, Order as Ord};

/// Every documented value.
pub(crate) const ROWS: &[Row] = &[
    // Sales Order status.
    row(
        Ord,
        "Draft",
        "Sales Order saved, not submitted",
        None,
        Hold::Untouched,
    ),
    row(
        Ord,
        "On Hold",
        "Sales Order put on hold",
        None,
        Hold::Set(ON_HOLD_REASON),
    ),
    row(
        Ord,
        "To Deliver and Bill",
        "submitted; nothing delivered or billed yet",
        Some(O::Allocated),
        Hold::Clear,
    ),
    row(
        Ord,
        "To Deliver",
        "billed, not delivered yet",
        Some(O::Allocated),
        Hold::Clear,
    ),
    row(
        Ord,
        "To Bill",
        "delivered, not billed yet",
        Some(O::Shipped),
        Hold::Clear,
    ),
    row(
        Ord,
        "Completed",
        "delivered and billed",
        Some(O::Shipped),
        Hold::Clear,
    ),
    row(
        Ord,
        "Cancelled",
        "Sales Order cancelled (docstatus 2)",
        Some(O::Cancelled),
        Hold::Untouched,
    ),
    row(
        Ord,
        "Closed",
        "Sales Order closed by hand",
        Some(O::Closed),
        Hold::Untouched,
    ),
    row(Ord, "0", "docstatus 0: draft", None, Hold::Untouched),
    row(
        Ord,
        "1",
        "docstatus 1: submitted",
        Some(O::Allocated),
        Hold::Untouched,
    ),
    row(
        Ord,
        "2",
        "docstatus 2: cancelled",
        Some(O::Cancelled),
        Hold::Untouched,
    ),
    // Delivery Note (and Shipment) status.
    row(
        F,
        "Draft",
        "Delivery Note / Shipment saved, not submitted",
        None,
        Hold::Untouched,
    ),
    row(
        F,
        "To Bill",
        "Delivery Note submitted (goods out), not billed",
        Some(O::Shipped),
        Hold::Untouched,
    ),
    row(
        F,
        "Completed",
        "Delivery Note billed / Shipment completed",
        Some(O::Shipped),
        Hold::Untouched,
    ),
    Row {
        after_sale: Some(A::Returned),
        ..row(
            F,
            "Return Issued",
            "the delivered goods were returned in full",
            None,
            Hold::Untouched,
        )
    },
    row(
        F,
        "Cancelled",
        "Delivery Note / Shipment cancelled",
        None,
        Hold::Set(DELIVERY_CANCELLED_REASON),
    ),
    row(
        F,
        "Closed",
        "Delivery Note closed (no further billing)",
        Some(O::Shipped),
        Hold::Untouched,
    ),
    row(
        F,
        "Submitted",
        "Shipment submitted, not booked with the carrier",
        None,
        Hold::Untouched,
    ),
    row(
        F,
        "Booked",
        "Shipment booked with the carrier",
        Some(O::Shipped),
        Hold::Untouched,
    ),
    row(
        F,
        "0",
        "docstatus 0: Delivery Note draft",
        None,
        Hold::Untouched,
    ),
    row(
        F,
        "1",
        "docstatus 1: Delivery Note submitted",
        Some(O::Shipped),
        Hold::Untouched,
    ),
    row(
        F,
        "2",
        "docstatus 2: Delivery Note cancelled",
        None,
        Hold::Set(DELIVERY_CANCELLED_REASON),
    ),
    // Shipment tracking_status.
    track("In Progress", "Shipment on its way", T::InTransit),
    track("Delivered", "Shipment delivered", T::Delivered),
    track("Returned", "Shipment returned to the sender", T::Returned),
    track("Lost", "Shipment lost", T::Exception),
];

fn domain_of(domain: StatusDomain) -> Option<Domain> {
    match domain {
        StatusDomain::Order => Some(Domain::Order),
        StatusDomain::Fulfillment => Some(Domain::Fulfillment),
        StatusDomain::Tracking => Some(Domain::Tracking),
        _ => None,
    }
}

/// The WIT domain of a table domain.
pub(crate) fn wit_domain(domain: Domain) -> StatusDomain {
    match domain {
        Domain::Order => StatusDomain::Order,
        Domain::Fulfillment => StatusDomain::Fulfillment,
        Domain::Tracking => StatusDomain::Tracking,
    }
}

/// Maps one status; anything undocumented is refused.
pub(crate) fn status_map(status: &PlatformStatus) -> Result<StatusMapping, KitError> {
    let domain = domain_of(status.domain);
    let row = ROWS
        .iter()
        .find(|r| Some(r.domain) == domain && r.value == status.value)
        .ok_or_else(|| {
            KitError::UnknownStatus(format!(
                "{:?} {:?} is not a documented ERPNext status",
                status.domain, status.value
            ))
        })?;
    Ok(StatusMapping {
        lifecycle: row.lifecycle,
        hold: match row.hold {
            Hold::Untouched => None,
            Hold::Set(reason) => Some(HoldChange::Set(reason.into())),
            Hold::Clear => Some(HoldChange::Clear),
        },
        after_sale: row.after_sale,
        tracking: row.tracking,
        deposit_paid: false,
        partial: false,
    })
}

/// The statuses metadata declares.
pub(crate) fn declared() -> Vec<DeclaredStatus> {
    ROWS.iter()
        .map(|r| DeclaredStatus {
            domain: wit_domain(r.domain),
            value: r.value.into(),
            description: r.meaning.into(),
        })
        .collect()
}

#[cfg(test)]
fn lifecycle_name(status: O) -> &'static str {
    match status {
        O::PendingPayment => "pending_payment",
        O::Paid => "paid",
        O::Allocated => "allocated",
        O::Shipped => "shipped",
        O::InTransit => "in_transit",
        O::Delivered => "delivered",
        O::Completed => "completed",
        O::Cancelled => "cancelled",
        O::Closed => "closed",
    }
}

#[cfg(test)]
fn after_sale_name(status: A) -> &'static str {
    match status {
        A::None => "none",
        A::Requested => "requested",
        A::Refunding => "refunding",
        A::Refunded => "refunded",
        A::Returned => "returned",
    }
}

#[cfg(test)]
fn tracking_name(status: T) -> &'static str {
    match status {
        T::InfoReceived => "info_received",
        T::PickedUp => "picked_up",
        T::InTransit => "in_transit",
        T::OutForDelivery => "out_for_delivery",
        T::DeliveryFailed => "delivery_failed",
        T::AvailableForPickup => "available_for_pickup",
        T::Delivered => "delivered",
        T::Returning => "returning",
        T::Returned => "returned",
        T::Exception => "exception",
        T::Expired => "expired",
    }
}

/// The README status table, rendered from [`ROWS`].
#[cfg(test)]
pub(crate) fn readme_table() -> String {
    let mut out = String::from(
        "<!-- status-table -->\n| domain | value | canonical | platform meaning |\n|---|---|---|---|\n",
    );
    for r in ROWS {
        let mut parts: Vec<String> = Vec::new();
        if let Some(l) = r.lifecycle {
            parts.push(lifecycle_name(l).into());
        }
        match r.hold {
            Hold::Untouched => {}
            Hold::Set(reason) => parts.push(format!("hold: {reason}")),
            Hold::Clear => parts.push("hold cleared".into()),
        }
        if let Some(a) = r.after_sale {
            parts.push(format!("after-sale: {}", after_sale_name(a)));
        }
        if let Some(t) = r.tracking {
            parts.push(format!("tracking: {}", tracking_name(t)));
        }
        let canonical = if parts.is_empty() {
            "—".to_string()
        } else {
            parts.join(", ")
        };
        let domain = match r.domain {
            Domain::Order => "order",
            Domain::Fulfillment => "fulfillment",
            Domain::Tracking => "tracking",
        };
        out.push_str(&format!(
            "| {domain} | `{}` | {canonical} | {} |\n",
            r.value, r.meaning
        ));
    }
    out.push_str("<!-- /status-table -->");
    out
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
    fn same_value_differs_by_domain() {
        let so = status_map(&status(StatusDomain::Order, "Cancelled")).unwrap();
        assert_eq!(so.lifecycle, Some(O::Cancelled));
        let dn = status_map(&status(StatusDomain::Fulfillment, "Cancelled")).unwrap();
        assert_eq!(dn.lifecycle, None);
        assert!(matches!(dn.hold, Some(HoldChange::Set(_))));
        let t = status_map(&status(StatusDomain::Tracking, "Delivered")).unwrap();
        assert_eq!(t.tracking, Some(T::Delivered));
    }

    #[test]
    fn unknown_values_are_refused() {
        for (d, v) in [
            (StatusDomain::Order, "Return Issued"),
            (StatusDomain::Tracking, ""),
            (StatusDomain::Refund, "Completed"),
        ] {
            assert!(matches!(
                status_map(&status(d, v)),
                Err(KitError::UnknownStatus(_))
            ));
        }
    }

    #[test]
    fn every_declared_status_maps() {
        for d in declared() {
            assert!(
                status_map(&status(d.domain, &d.value)).is_ok(),
                "{}",
                d.value
            );
        }
    }

    #[test]
    fn readme_table_is_current() {
        let readme = include_str!("../README.md");
        assert!(
            readme.contains(&readme_table()),
            "README status table is out of date; expected:\n{}",
            readme_table()
        );
    }
}
