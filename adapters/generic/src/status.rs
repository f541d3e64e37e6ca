//! The status table: OrderHub's own canonical values, namespaced by domain.
//!
//! A sender using this adapter already speaks OrderHub's vocabulary, so the
//! table is an identity on each dimension rather than a translation:
//!
//! - `order`: the nine lifecycle values, plus `on_hold` (sets the exception
//!   hold, reason in context `reason`) and `hold_cleared` (clears it). A hold
//!   does not move the lifecycle. Context `partial=true` on a lifecycle value
//!   says only some lines reached it (e.g. `shipped` for a split shipment).
//! - `refund`: the five after-sale values.
//! - `tracking`: the eleven carrier tracking values. They say nothing about
//!   the order directly; the host derives what a tracking state means for the
//!   order, the same way for every carrier.
//! - `presale`: `deposit_paid`, a presale order whose deposit is paid and
//!   whose balance is not (lifecycle `pending_payment` with the marker).
//!
//! Anything else is refused: unknown values with `unknown-status`, context
//! that does not apply with `invalid-field`, so a sender's mistake never
//! turns into a plausible-looking default.

use orderhub_adapter_kit::KitError;

use crate::bindings::orderhub::adapter::types::{
    AfterSaleStatus, Field, HoldChange, OrderStatus, PlatformStatus, StatusDomain, StatusMapping,
    TrackingStatus,
};

/// Context name: only some lines reached the lifecycle value (`true`/`false`).
pub const PARTIAL: &str = "partial";
/// Context name: why an order is put on hold.
pub const REASON: &str = "reason";
/// The hold reason recorded when `on_hold` comes without one.
pub const DEFAULT_HOLD_REASON: &str = "no reason given";
/// The order-domain value that sets the hold.
pub const ON_HOLD: &str = "on_hold";
/// The order-domain value that clears the hold.
pub const HOLD_CLEARED: &str = "hold_cleared";
/// The presale value.
pub const DEPOSIT_PAID: &str = "deposit_paid";

/// Order-domain values and what they mean.
pub const ORDER_STATUSES: &[(&str, &str)] = &[
    ("pending_payment", "created, waiting for the buyer to pay"),
    ("paid", "paid, not yet handed to a warehouse"),
    (
        "allocated",
        "stock allocated, the warehouse is picking and packing",
    ),
    ("shipped", "handed to the carrier"),
    ("in_transit", "the carrier is moving the parcel"),
    ("delivered", "delivered to the buyer"),
    (
        "completed",
        "the sale is complete (confirmed, or the return window passed)",
    ),
    ("cancelled", "cancelled before completion"),
    (
        "closed",
        "closed without completing (unpaid, fully refunded)",
    ),
    (ON_HOLD, "exception hold set; context reason says why"),
    (HOLD_CLEARED, "the exception is resolved"),
];

/// Refund-domain values and what they mean.
pub const REFUND_STATUSES: &[(&str, &str)] = &[
    (
        "none",
        "no after-sale case, or the case was withdrawn or refused",
    ),
    ("requested", "the buyer asked for a refund or a return"),
    ("refunding", "the refund is agreed and in progress"),
    ("refunded", "the money went back to the buyer"),
    ("returned", "the goods came back to the seller"),
];

/// Tracking-domain values and what they mean.
pub const TRACKING_STATUSES: &[(&str, &str)] = &[
    (
        "info_received",
        "the carrier has the shipment data, no parcel yet",
    ),
    ("picked_up", "the carrier picked the parcel up"),
    ("in_transit", "moving through the carrier's network"),
    ("out_for_delivery", "with the courier for delivery"),
    ("delivery_failed", "a delivery attempt failed"),
    (
        "available_for_pickup",
        "waiting at a locker or pickup point",
    ),
    ("delivered", "delivered and signed for"),
    ("returning", "on its way back to the sender"),
    ("returned", "back with the sender"),
    ("exception", "a problem the carrier must resolve"),
    ("expired", "tracking stopped without delivery"),
];

/// Presale-domain values and what they mean.
pub const PRESALE_STATUSES: &[(&str, &str)] =
    &[(DEPOSIT_PAID, "presale deposit paid, balance not yet paid")];

/// Maps one status; see the module documentation for the rules.
pub fn map(status: &PlatformStatus) -> Result<StatusMapping, KitError> {
    let value = status.value.as_str();
    let context = Context::read(&status.context)?;
    match status.domain {
        StatusDomain::Order => order(value, &context),
        StatusDomain::Refund => {
            let after_sale =
                after_sale(value).ok_or_else(|| unknown("refund", value, REFUND_STATUSES))?;
            context.allow_none("refund", value)?;
            Ok(StatusMapping {
                after_sale: Some(after_sale),
                ..empty()
            })
        }
        StatusDomain::Tracking => {
            let tracking =
                tracking(value).ok_or_else(|| unknown("tracking", value, TRACKING_STATUSES))?;
            context.allow_none("tracking", value)?;
            Ok(StatusMapping {
                tracking: Some(tracking),
                ..empty()
            })
        }
        StatusDomain::Presale => {
            if value != DEPOSIT_PAID {
                return Err(unknown("presale", value, PRESALE_STATUSES));
            }
            context.allow_none("presale", value)?;
            Ok(StatusMapping {
                lifecycle: Some(OrderStatus::PendingPayment),
                deposit_paid: true,
                ..empty()
            })
        }
        StatusDomain::Payment | StatusDomain::Fulfillment => Err(KitError::UnknownStatus(format!(
            "{value:?}: this adapter's statuses are in the order, refund, tracking and presale domains"
        ))),
    }
}

fn order(value: &str, context: &Context<'_>) -> Result<StatusMapping, KitError> {
    match value {
        ON_HOLD => {
            forbid(PARTIAL, context.partial, value)?;
            let reason = context.reason.unwrap_or(DEFAULT_HOLD_REASON);
            Ok(StatusMapping {
                hold: Some(HoldChange::Set(reason.to_string())),
                ..empty()
            })
        }
        HOLD_CLEARED => {
            context.allow_none("order", value)?;
            Ok(StatusMapping {
                hold: Some(HoldChange::Clear),
                ..empty()
            })
        }
        _ => {
            let lifecycle =
                lifecycle(value).ok_or_else(|| unknown("order", value, ORDER_STATUSES))?;
            forbid(REASON, context.reason, value)?;
            let partial = match context.partial {
                None | Some("false") => false,
                Some("true") => true,
                Some(other) => {
                    return Err(KitError::invalid(
                        "context partial",
                        format_args!("{other:?} is not true or false"),
                    ));
                }
            };
            Ok(StatusMapping {
                lifecycle: Some(lifecycle),
                partial,
                ..empty()
            })
        }
    }
}

/// The context fields this table knows, first occurrence of each.
struct Context<'a> {
    partial: Option<&'a str>,
    reason: Option<&'a str>,
}

impl<'a> Context<'a> {
    fn read(fields: &'a [Field]) -> Result<Self, KitError> {
        let mut context = Context {
            partial: None,
            reason: None,
        };
        for field in fields {
            let slot = match field.name.as_str() {
                PARTIAL => &mut context.partial,
                REASON => &mut context.reason,
                other => {
                    return Err(KitError::invalid(
                        &format!("context {other}"),
                        "unknown context field (known: partial, reason)",
                    ));
                }
            };
            let value = field.value.trim();
            if slot.is_none() && !value.is_empty() {
                *slot = Some(value);
            }
        }
        Ok(context)
    }

    /// Refuses any context at all.
    fn allow_none(&self, domain: &str, value: &str) -> Result<(), KitError> {
        forbid(PARTIAL, self.partial, value)
            .and_then(|()| forbid(REASON, self.reason, value))
            .map_err(|e| match e {
                KitError::InvalidField(m) => {
                    KitError::InvalidField(format!("{m} ({domain} domain)"))
                }
                other => other,
            })
    }
}

/// Refuses a context field the value does not take.
fn forbid(name: &str, given: Option<&str>, value: &str) -> Result<(), KitError> {
    match given {
        Some(_) => Err(KitError::invalid(
            &format!("context {name}"),
            format_args!("does not apply to {value:?}"),
        )),
        None => Ok(()),
    }
}

fn empty() -> StatusMapping {
    StatusMapping {
        lifecycle: None,
        hold: None,
        after_sale: None,
        tracking: None,
        deposit_paid: false,
        partial: false,
    }
}

fn unknown(domain: &str, value: &str, table: &[(&str, &str)]) -> KitError {
    let known: Vec<&str> = table.iter().map(|(v, _)| *v).collect();
    KitError::UnknownStatus(format!(
        "{domain} status {value:?} is not one of {}",
        known.join(", ")
    ))
}

/// The lifecycle value of a canonical name.
pub fn lifecycle(value: &str) -> Option<OrderStatus> {
    Some(match value {
        "pending_payment" => OrderStatus::PendingPayment,
        "paid" => OrderStatus::Paid,
        "allocated" => OrderStatus::Allocated,
        "shipped" => OrderStatus::Shipped,
        "in_transit" => OrderStatus::InTransit,
        "delivered" => OrderStatus::Delivered,
        "completed" => OrderStatus::Completed,
        "cancelled" => OrderStatus::Cancelled,
        "closed" => OrderStatus::Closed,
        _ => return None,
    })
}

fn after_sale(value: &str) -> Option<AfterSaleStatus> {
    Some(match value {
        "none" => AfterSaleStatus::None,
        "requested" => AfterSaleStatus::Requested,
        "refunding" => AfterSaleStatus::Refunding,
        "refunded" => AfterSaleStatus::Refunded,
        "returned" => AfterSaleStatus::Returned,
        _ => return None,
    })
}

fn tracking(value: &str) -> Option<TrackingStatus> {
    Some(match value {
        "info_received" => TrackingStatus::InfoReceived,
        "picked_up" => TrackingStatus::PickedUp,
        "in_transit" => TrackingStatus::InTransit,
        "out_for_delivery" => TrackingStatus::OutForDelivery,
        "delivery_failed" => TrackingStatus::DeliveryFailed,
        "available_for_pickup" => TrackingStatus::AvailableForPickup,
        "delivered" => TrackingStatus::Delivered,
        "returning" => TrackingStatus::Returning,
        "returned" => TrackingStatus::Returned,
        "exception" => TrackingStatus::Exception,
        "expired" => TrackingStatus::Expired,
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn status(domain: StatusDomain, value: &str, context: &[(&str, &str)]) -> PlatformStatus {
        PlatformStatus {
            domain,
            value: value.into(),
            context: context
                .iter()
                .map(|(n, v)| Field {
                    name: (*n).into(),
                    value: (*v).into(),
                })
                .collect(),
        }
    }

    #[test]
    fn every_table_value_maps_without_context() {
        for (domain, table) in [
            (StatusDomain::Order, ORDER_STATUSES),
            (StatusDomain::Refund, REFUND_STATUSES),
            (StatusDomain::Tracking, TRACKING_STATUSES),
            (StatusDomain::Presale, PRESALE_STATUSES),
        ] {
            for (value, _) in table {
                assert!(map(&status(domain, value, &[])).is_ok(), "{value}");
            }
        }
    }

    #[test]
    fn lifecycle_values_and_partial() {
        let m = map(&status(
            StatusDomain::Order,
            "shipped",
            &[(PARTIAL, "true")],
        ))
        .unwrap();
        assert_eq!(m.lifecycle, Some(OrderStatus::Shipped));
        assert!(m.partial && m.hold.is_none() && m.after_sale.is_none());
        let m = map(&status(
            StatusDomain::Order,
            "completed",
            &[(PARTIAL, "false")],
        ))
        .unwrap();
        assert_eq!(m.lifecycle, Some(OrderStatus::Completed));
        assert!(!m.partial);
        assert!(matches!(
            map(&status(StatusDomain::Order, "shipped", &[(PARTIAL, "yes")])),
            Err(KitError::InvalidField(m)) if m.starts_with("context partial")
        ));
    }

    #[test]
    fn hold_set_with_or_without_reason_and_cleared() {
        let m = map(&status(
            StatusDomain::Order,
            ON_HOLD,
            &[(REASON, "address check")],
        ))
        .unwrap();
        assert_eq!(m.hold, Some(HoldChange::Set("address check".into())));
        assert!(m.lifecycle.is_none());
        let m = map(&status(StatusDomain::Order, ON_HOLD, &[])).unwrap();
        assert_eq!(m.hold, Some(HoldChange::Set(DEFAULT_HOLD_REASON.into())));
        let m = map(&status(StatusDomain::Order, HOLD_CLEARED, &[])).unwrap();
        assert_eq!(m.hold, Some(HoldChange::Clear));
        assert!(matches!(
            map(&status(StatusDomain::Order, ON_HOLD, &[(PARTIAL, "true")])),
            Err(KitError::InvalidField(_))
        ));
        assert!(matches!(
            map(&status(StatusDomain::Order, "paid", &[(REASON, "x")])),
            Err(KitError::InvalidField(_))
        ));
    }

    #[test]
    fn other_domains() {
        let m = map(&status(StatusDomain::Refund, "refunding", &[])).unwrap();
        assert_eq!(m.after_sale, Some(AfterSaleStatus::Refunding));
        assert!(m.lifecycle.is_none());
        let m = map(&status(StatusDomain::Tracking, "available_for_pickup", &[])).unwrap();
        assert_eq!(m.tracking, Some(TrackingStatus::AvailableForPickup));
        assert!(m.lifecycle.is_none() && m.hold.is_none());
        let m = map(&status(StatusDomain::Presale, DEPOSIT_PAID, &[])).unwrap();
        assert_eq!(m.lifecycle, Some(OrderStatus::PendingPayment));
        assert!(m.deposit_paid);
        assert!(matches!(
            map(&status(
                StatusDomain::Refund,
                "refunded",
                &[(PARTIAL, "true")]
            )),
            Err(KitError::InvalidField(_))
        ));
    }

    #[test]
    fn unknown_values_domains_and_context_names_are_refused() {
        for (domain, value) in [
            (StatusDomain::Order, "WAIT_SELLER_SEND_GOODS"),
            (StatusDomain::Order, "Paid"),
            (StatusDomain::Order, "deposit_paid"),
            (StatusDomain::Refund, "paid"),
            (StatusDomain::Tracking, "shipped"),
            (StatusDomain::Presale, "balance_paid"),
            (StatusDomain::Payment, "paid"),
            (StatusDomain::Fulfillment, "delivered"),
        ] {
            assert!(
                matches!(
                    map(&status(domain, value, &[])),
                    Err(KitError::UnknownStatus(_))
                ),
                "{value}"
            );
        }
        assert!(matches!(
            map(&status(StatusDomain::Order, "paid", &[("fulfillment_status", "x")])),
            Err(KitError::InvalidField(m)) if m.contains("fulfillment_status")
        ));
    }
}
