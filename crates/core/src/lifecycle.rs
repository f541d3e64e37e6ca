//! The order state machine.
//!
//! Webhooks arrive late, twice and out of order, and polls overlap with them.
//! The rules here make the result independent of arrival order:
//!
//! - the lifecycle only moves forward (`pending_payment < paid < … < completed`);
//!   an older status arriving after a newer one changes nothing;
//! - `cancelled` and `closed` are terminal: reachable from any open state, left by nothing;
//! - the exception hold and the after-sale dimension are not ordered, so the
//!   latest change by platform event time wins (a change without a time is
//!   taken as it comes);
//! - every event is kept in the timeline whether or not it changed anything —
//!   that is the caller's job; this module only says what changes.

use serde::{Deserialize, Serialize};

use crate::model::{
    AfterSaleStatus, HoldChange, Instant, OrderStatus, StatusMapping, TrackingStatus,
};

/// The canonical status of one order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrderState {
    pub status: OrderStatus,
    /// Only some lines reached `status` (e.g. shipped partially).
    pub partial: bool,
    /// The reason of the current exception hold, if any.
    pub hold: Option<String>,
    pub after_sale: AfterSaleStatus,
    /// A presale deposit is paid and the balance is not.
    pub deposit_paid: bool,
    /// Event time of the last hold change applied.
    pub hold_changed_at: Option<Instant>,
    /// Event time of the last after-sale change applied.
    pub after_sale_changed_at: Option<Instant>,
}

impl OrderState {
    /// The state of an order seen for the first time, before any mapping applies.
    pub fn new() -> Self {
        OrderState {
            status: OrderStatus::PendingPayment,
            partial: false,
            hold: None,
            after_sale: AfterSaleStatus::None,
            deposit_paid: false,
            hold_changed_at: None,
            after_sale_changed_at: None,
        }
    }
}

impl Default for OrderState {
    fn default() -> Self {
        Self::new()
    }
}

/// What applying one mapping did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Transition {
    pub state: OrderState,
    /// True when anything in the state changed.
    pub changed: bool,
    /// Why the lifecycle did not move, when the mapping asked it to and it did not.
    pub lifecycle_refused: Option<&'static str>,
}

/// Whether the lifecycle may go from `current` to `next`.
pub fn lifecycle_allows(current: OrderStatus, next: OrderStatus) -> Result<(), &'static str> {
    if current.is_terminal() {
        Err("the order is already in a terminal state")
    } else if next.is_terminal() {
        Ok(())
    } else if next < current {
        Err("older status than the current one (late or out-of-order event)")
    } else {
        Ok(())
    }
}

/// A later time, or no time at all, may overwrite a dimension last changed at `last`.
fn is_not_older(event_at: Option<Instant>, last: Option<Instant>) -> bool {
    match (event_at, last) {
        (Some(at), Some(last)) => at >= last,
        _ => true,
    }
}

/// Applies one status mapping, from an event that happened at `event_at`, to `current`.
pub fn apply(
    current: &OrderState,
    mapping: &StatusMapping,
    event_at: Option<Instant>,
) -> Transition {
    let mut next = current.clone();
    let mut lifecycle_refused = None;

    if let Some(status) = mapping.lifecycle {
        match lifecycle_allows(current.status, status) {
            Ok(())
                if status > current.status || status.is_terminal() && status != current.status =>
            {
                next.status = status;
                next.partial = mapping.partial;
            }
            // The same position again: a full shipment completes a partial one,
            // but a late "partial" never undoes a full one.
            Ok(()) => next.partial = current.partial && mapping.partial,
            Err(why) => lifecycle_refused = Some(why),
        }
    }
    if next.status >= OrderStatus::Paid && !next.status.is_terminal() {
        next.deposit_paid = false;
    } else if mapping.deposit_paid && next.status == OrderStatus::PendingPayment {
        next.deposit_paid = true;
    }

    if let Some(change) = &mapping.hold
        && is_not_older(event_at, current.hold_changed_at)
    {
        next.hold = match change {
            HoldChange::Set(reason) => Some(reason.clone()),
            HoldChange::Clear => None,
        };
        next.hold_changed_at = event_at.or(current.hold_changed_at);
    }

    if let Some(after_sale) = mapping.after_sale
        && is_not_older(event_at, current.after_sale_changed_at)
    {
        next.after_sale = after_sale;
        next.after_sale_changed_at = event_at.or(current.after_sale_changed_at);
    }

    let changed = next.status != current.status
        || next.partial != current.partial
        || next.hold != current.hold
        || next.after_sale != current.after_sale
        || next.deposit_paid != current.deposit_paid;
    Transition {
        state: next,
        changed,
        lifecycle_refused,
    }
}

/// Whether a shipment's tracking may go from `current` to `next`: never back
/// to an earlier stage of delivery (a late in-transit scan after delivered).
pub fn tracking_allows(current: Option<TrackingStatus>, next: TrackingStatus) -> bool {
    current.is_none_or(|c| next.rank() >= c.rank())
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{TimeZone, Utc};

    fn to(status: OrderStatus) -> StatusMapping {
        StatusMapping {
            lifecycle: Some(status),
            ..Default::default()
        }
    }

    fn at(secs: i64) -> Option<Instant> {
        Some(Utc.timestamp_opt(secs, 0).unwrap())
    }

    #[test]
    fn moves_forward_and_never_back() {
        let s = OrderState::new();
        let paid = apply(&s, &to(OrderStatus::Paid), None);
        assert!(paid.changed);
        assert_eq!(paid.state.status, OrderStatus::Paid);
        let shipped = apply(&paid.state, &to(OrderStatus::Shipped), None);
        assert_eq!(shipped.state.status, OrderStatus::Shipped);
        let late = apply(&shipped.state, &to(OrderStatus::Paid), None);
        assert!(!late.changed);
        assert_eq!(late.state.status, OrderStatus::Shipped);
        assert_eq!(
            late.lifecycle_refused,
            Some("older status than the current one (late or out-of-order event)")
        );
    }

    #[test]
    fn terminal_states_are_final() {
        let s = apply(&OrderState::new(), &to(OrderStatus::Cancelled), None).state;
        assert_eq!(s.status, OrderStatus::Cancelled);
        let after = apply(&s, &to(OrderStatus::Paid), None);
        assert!(!after.changed);
        assert_eq!(after.state.status, OrderStatus::Cancelled);
        let shipped = OrderState {
            status: OrderStatus::Shipped,
            ..OrderState::new()
        };
        assert_eq!(
            apply(&shipped, &to(OrderStatus::Closed), None).state.status,
            OrderStatus::Closed
        );
    }

    #[test]
    fn partial_shipment_is_completed_by_a_full_one_and_not_undone() {
        let partial = StatusMapping {
            lifecycle: Some(OrderStatus::Shipped),
            partial: true,
            ..Default::default()
        };
        let s = apply(
            &OrderState {
                status: OrderStatus::Paid,
                ..OrderState::new()
            },
            &partial,
            None,
        )
        .state;
        assert!(s.partial);
        let full = apply(&s, &to(OrderStatus::Shipped), None).state;
        assert!(!full.partial);
        let late_partial = apply(&full, &partial, None);
        assert!(!late_partial.state.partial && !late_partial.changed);
    }

    #[test]
    fn hold_keeps_the_lifecycle_position_and_latest_change_wins() {
        let s = OrderState {
            status: OrderStatus::Paid,
            ..OrderState::new()
        };
        let set = StatusMapping {
            hold: Some(HoldChange::Set("risk control".into())),
            ..Default::default()
        };
        let held = apply(&s, &set, at(100)).state;
        assert_eq!(
            (held.status, held.hold.as_deref()),
            (OrderStatus::Paid, Some("risk control"))
        );
        let clear = StatusMapping {
            hold: Some(HoldChange::Clear),
            ..Default::default()
        };
        // A clear that happened before the hold was set is stale.
        assert_eq!(
            apply(&held, &clear, at(50)).state.hold.as_deref(),
            Some("risk control")
        );
        assert_eq!(apply(&held, &clear, at(150)).state.hold, None);
    }

    #[test]
    fn deposit_marker_is_cleared_once_paid() {
        let deposit = StatusMapping {
            lifecycle: Some(OrderStatus::PendingPayment),
            deposit_paid: true,
            ..Default::default()
        };
        let s = apply(&OrderState::new(), &deposit, None).state;
        assert!(s.deposit_paid && s.status == OrderStatus::PendingPayment);
        assert!(!apply(&s, &to(OrderStatus::Paid), None).state.deposit_paid);
    }

    #[test]
    fn tracking_never_goes_back_and_drives_the_order() {
        assert!(!tracking_allows(
            Some(TrackingStatus::Delivered),
            TrackingStatus::InTransit
        ));
        assert!(tracking_allows(
            Some(TrackingStatus::InTransit),
            TrackingStatus::Delivered
        ));
        assert!(tracking_allows(None, TrackingStatus::InfoReceived));
    }
}
