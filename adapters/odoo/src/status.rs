//! Odoo's record states and what they mean canonically.
//!
//! - `order` domain: `sale.order.state` — `draft` (Quotation), `sent`
//!   (Quotation Sent), `sale` (Sales Order), `cancel`, and `done` (Locked)
//!   from versions before 17;
//! - `fulfillment` domain: `stock.picking.state` — `draft`, `waiting`
//!   (Waiting Another Operation), `confirmed` (Waiting), `assigned` (Ready),
//!   `done`, `cancel`, and `partially_available` from versions before 12.
//!
//! This table is the single source for `status-map`, the declared statuses
//! and the README table (a unit test keeps the README in step).

use orderhub_adapter_kit::KitError;

use crate::bindings::orderhub::adapter::types::{
    DeclaredStatus, HoldChange, OrderStatus as O, PlatformStatus, StatusDomain, StatusMapping,
};

/// What a state does to the order's exception hold.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Hold {
    Untouched,
    Set(&'static str),
}

/// One documented state.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Row {
    /// True for `stock.picking` (fulfillment), false for `sale.order` (order).
    pub picking: bool,
    pub value: &'static str,
    pub meaning: &'static str,
    pub lifecycle: Option<O>,
    pub hold: Hold,
    pub partial: bool,
}

const fn order(value: &'static str, meaning: &'static str, lifecycle: Option<O>) -> Row {
    Row {
        picking: false,
        value,
        meaning,
        lifecycle,
        hold: Hold::Untouched,
        partial: false,
    }
}

const fn picking(value: &'static str, meaning: &'static str, lifecycle: Option<O>) -> Row {
    Row {
        picking: true,
        value,
        meaning,
        lifecycle,
        hold: Hold::Untouched,
        partial: false,
    }
}

/// The hold a cancelled delivery sets.
pub(crate) const PICKING_CANCELLED_REASON: &str = "delivery order cancelled in Odoo";

pub(crate) const ROWS: &[Row] = &[
    order("draft", "Quotation", None),
    order("sent", "Quotation Sent", None),
    order("sale", "Sales Order (confirmed)", Some(O::Allocated)),
    order("done", "Locked (versions before 17)", Some(O::Allocated)),
    order("cancel", "Cancelled", Some(O::Cancelled)),
    picking("draft", "Draft transfer", None),
    picking("waiting", "Waiting Another Operation", Some(O::Allocated)),
    picking(
        "confirmed",
        "Waiting (for availability)",
        Some(O::Allocated),
    ),
    Row {
        partial: true,
        ..picking(
            "partially_available",
            "Partially Available (versions before 12)",
            Some(O::Allocated),
        )
    },
    picking("assigned", "Ready", Some(O::Allocated)),
    picking("done", "Done: the goods left", Some(O::Shipped)),
    Row {
        hold: Hold::Set(PICKING_CANCELLED_REASON),
        ..picking("cancel", "Cancelled transfer", None)
    },
];

/// Maps one state; anything undocumented is refused.
pub(crate) fn status_map(status: &PlatformStatus) -> Result<StatusMapping, KitError> {
    let picking = match status.domain {
        StatusDomain::Order => false,
        StatusDomain::Fulfillment => true,
        _ => {
            return Err(KitError::UnknownStatus(format!(
                "{:?} {:?}: Odoo states are in the order (sale.order) and fulfillment (stock.picking) domains",
                status.domain, status.value
            )));
        }
    };
    let row = ROWS
        .iter()
        .find(|r| r.picking == picking && r.value == status.value)
        .ok_or_else(|| {
            KitError::UnknownStatus(format!(
                "{} state {:?} is not documented",
                if picking {
                    "stock.picking"
                } else {
                    "sale.order"
                },
                status.value
            ))
        })?;
    Ok(StatusMapping {
        lifecycle: row.lifecycle,
        hold: match row.hold {
            Hold::Untouched => None,
            Hold::Set(reason) => Some(HoldChange::Set(reason.into())),
        },
        after_sale: None,
        tracking: None,
        deposit_paid: false,
        partial: row.partial,
    })
}

/// The statuses metadata declares.
pub(crate) fn declared() -> Vec<DeclaredStatus> {
    ROWS.iter()
        .map(|r| DeclaredStatus {
            domain: if r.picking {
                StatusDomain::Fulfillment
            } else {
                StatusDomain::Order
            },
            value: r.value.into(),
            description: format!(
                "{}: {}",
                if r.picking {
                    "stock.picking"
                } else {
                    "sale.order"
                },
                r.meaning
            ),
        })
        .collect()
}

/// The README status table, rendered from [`ROWS`].
#[cfg(test)]
pub(crate) fn readme_table() -> String {
    let name = |l: O| match l {
        O::PendingPayment => "pending_payment",
        O::Paid => "paid",
        O::Allocated => "allocated",
        O::Shipped => "shipped",
        O::InTransit => "in_transit",
        O::Delivered => "delivered",
        O::Completed => "completed",
        O::Cancelled => "cancelled",
        O::Closed => "closed",
    };
    let mut out = String::from(
        "<!-- status-table -->\n| domain | value | canonical | platform meaning |\n|---|---|---|---|\n",
    );
    for r in ROWS {
        let mut parts: Vec<String> = Vec::new();
        if let Some(l) = r.lifecycle {
            parts.push(name(l).into());
        }
        if r.partial {
            parts.push("partial".into());
        }
        if let Hold::Set(reason) = r.hold {
            parts.push(format!("hold: {reason}"));
        }
        let canonical = if parts.is_empty() {
            "—".to_string()
        } else {
            parts.join(", ")
        };
        let (domain, model) = if r.picking {
            ("fulfillment", "stock.picking")
        } else {
            ("order", "sale.order")
        };
        out.push_str(&format!(
            "| {domain} | `{}` | {canonical} | {model}: {} |\n",
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
    fn the_same_value_differs_by_model() {
        assert_eq!(
            status_map(&status(StatusDomain::Order, "done"))
                .unwrap()
                .lifecycle,
            Some(O::Allocated)
        );
        assert_eq!(
            status_map(&status(StatusDomain::Fulfillment, "done"))
                .unwrap()
                .lifecycle,
            Some(O::Shipped)
        );
        assert!(
            status_map(&status(StatusDomain::Fulfillment, "partially_available"))
                .unwrap()
                .partial
        );
        assert!(matches!(
            status_map(&status(StatusDomain::Order, "assigned")),
            Err(KitError::UnknownStatus(_))
        ));
        assert!(matches!(
            status_map(&status(StatusDomain::Tracking, "done")),
            Err(KitError::UnknownStatus(_))
        ));
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
