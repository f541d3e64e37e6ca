//! The status table: what Shopify's statuses mean canonically.
//!
//! **Orders (payment domain).** A Shopify order has no single status. Its
//! `financial_status` says where the money is, `fulfillment_status` where the
//! goods are, and `cancelled_at` / `closed_at` (archived) whether the merchant
//! ended it. Order events therefore carry `financial_status` as the value and
//! the other three as context: `fulfillment_status` (`null` when unfulfilled),
//! `cancelled` and `closed` (`true`/`false`). Absent context means unfulfilled,
//! not cancelled, not closed, so a bare value maps on its own. The rules, in
//! order:
//!
//! 1. cancelled, or `fulfillment_status` `restocked` (which Shopify defines as
//!    "every line item restocked and the order canceled") → `cancelled`;
//! 2. anything fulfilled → `shipped` (`partial` when `partial`), or
//!    `completed` once the merchant closed (archived) the order;
//! 3. nothing fulfilled: `refunded` or `voided` → `closed` (the money went back
//!    or was never captured, and nothing shipped: the sale is over — the same
//!    reading as a trade closed after a full refund); `paid` or
//!    `partially_refunded` → `paid`, or `completed` when archived;
//!    `pending`, `authorized`, `expired` → `pending_payment` (funds not
//!    captured), or `closed` when archived; `partially_paid` → the same, with
//!    the deposit-paid marker (part of the amount was captured, the balance is
//!    outstanding).
//!
//! The after-sale dimension follows the money alone: `refunded` → refunded,
//! `partially_refunded` → refunding (some money went back and the case may
//! go on; only a full refund is final), anything else → none.
//!
//! **Fulfillments (fulfillment domain).** A fulfillment event carries the
//! carrier's `shipment_status` (`confirmed` when Shopify has none yet — its
//! documented default) and the fulfillment's own `status` as context.
//! Fulfillments still with a fulfillment service (`pending`, `open`) mean the
//! warehouse is working (`allocated`); `cancelled`, `error` and `failure` put
//! the order on hold; a `success` fulfillment maps its shipment status onto
//! lifecycle, tracking and hold the way carrier tracking does.

use orderhub_adapter_kit::KitError;

use crate::bindings::orderhub::adapter::types::{
    AfterSaleStatus, HoldChange, OrderStatus, PlatformStatus, StatusDomain, StatusMapping,
    TrackingStatus,
};

/// Context name: the order's `fulfillment_status`.
pub const FULFILLMENT_STATUS: &str = "fulfillment_status";
/// Context name: whether `cancelled_at` is set.
pub const CANCELLED: &str = "cancelled";
/// Context name: whether `closed_at` is set (the order is archived).
pub const CLOSED: &str = "closed";
/// How an unfulfilled order's `fulfillment_status` (JSON `null`) is written.
pub const UNFULFILLED: &str = "null";
/// Context name on fulfillment statuses: the fulfillment's own `status`.
pub const FULFILLMENT_STATE: &str = "status";
/// The shipment status used when Shopify has none yet; Shopify documents
/// `CONFIRMED` as "the default value when no other information is available".
pub const DEFAULT_SHIPMENT_STATUS: &str = "confirmed";

/// Every `financial_status` accepted, with what Shopify documents it to mean.
pub const FINANCIAL_STATUSES: &[(&str, &str)] = &[
    (
        "pending",
        "The payment provider needs time to complete the payment, or a manual payment method is used.",
    ),
    (
        "authorized",
        "The payment is authorized but not yet captured (manual capture).",
    ),
    (
        "partially_paid",
        "A payment smaller than the order total was captured; the balance is outstanding.",
    ),
    (
        "paid",
        "Payment was captured, or the order was marked as paid.",
    ),
    (
        "partially_refunded",
        "Part of the amount paid was refunded to the customer.",
    ),
    (
        "refunded",
        "The full amount paid was refunded to the customer.",
    ),
    ("voided", "An authorized, uncaptured payment was cancelled."),
    (
        "expired",
        "The authorization expired before the payment was captured.",
    ),
];

/// Every `shipment_status` accepted, with what Shopify documents it to mean.
pub const SHIPMENT_STATUSES: &[(&str, &str)] = &[
    ("label_purchased", "A shipping label has been purchased."),
    (
        "label_printed",
        "A purchased shipping label has been printed.",
    ),
    (
        "confirmed",
        "The fulfillment is confirmed; the default when no other information is available.",
    ),
    ("carrier_picked_up", "The carrier picked the shipment up."),
    ("in_transit", "The shipment is in transit."),
    ("out_for_delivery", "The shipment is out for delivery."),
    (
        "ready_for_pickup",
        "The shipment is ready to be picked up by the customer.",
    ),
    ("picked_up", "The customer picked the shipment up."),
    ("delivered", "The shipment was delivered."),
    (
        "attempted_delivery",
        "A delivery was attempted but not completed.",
    ),
    ("delayed", "The shipment is delayed."),
    (
        "failure",
        "The carrier reported a failure (e.g. invalid tracking number, shipment cancelled).",
    ),
];

/// Maps one Shopify status, refused with `unknown-status` when the value is
/// not in the tables above.
pub fn map(status: &PlatformStatus) -> Result<StatusMapping, KitError> {
    match status.domain {
        StatusDomain::Payment => {
            let financial = Financial::parse(&status.value)?;
            Ok(payment(financial, &PaymentContext::parse(status)?))
        }
        StatusDomain::Fulfillment => {
            let shipment = Shipment::parse(&status.value)?;
            Ok(fulfillment(shipment, FulfillmentState::parse(status)?))
        }
        other => Err(KitError::UnknownStatus(format!(
            "Shopify statuses are in the payment and fulfillment domains, not {other:?} (value {:?})",
            status.value
        ))),
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Financial {
    Pending,
    Authorized,
    Expired,
    PartiallyPaid,
    Paid,
    PartiallyRefunded,
    Refunded,
    Voided,
}

impl Financial {
    fn parse(value: &str) -> Result<Self, KitError> {
        Ok(match value {
            "pending" => Financial::Pending,
            "authorized" => Financial::Authorized,
            "expired" => Financial::Expired,
            "partially_paid" => Financial::PartiallyPaid,
            "paid" => Financial::Paid,
            "partially_refunded" => Financial::PartiallyRefunded,
            "refunded" => Financial::Refunded,
            "voided" => Financial::Voided,
            other => {
                return Err(KitError::UnknownStatus(format!(
                    "financial_status {other:?}"
                )));
            }
        })
    }
}

/// The order's `fulfillment_status`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Fulfilled {
    Nothing,
    Partially,
    Fully,
    Restocked,
}

/// What refines a `financial_status`.
#[derive(Debug, Clone, Copy)]
struct PaymentContext {
    fulfilled: Fulfilled,
    cancelled: bool,
    closed: bool,
}

impl PaymentContext {
    fn parse(status: &PlatformStatus) -> Result<Self, KitError> {
        let mut context = PaymentContext {
            fulfilled: Fulfilled::Nothing,
            cancelled: false,
            closed: false,
        };
        for field in &status.context {
            match field.name.as_str() {
                FULFILLMENT_STATUS => {
                    context.fulfilled = match field.value.as_str() {
                        UNFULFILLED | "" => Fulfilled::Nothing,
                        "partial" => Fulfilled::Partially,
                        "fulfilled" => Fulfilled::Fully,
                        "restocked" => Fulfilled::Restocked,
                        other => {
                            return Err(KitError::UnknownStatus(format!(
                                "fulfillment_status {other:?}"
                            )));
                        }
                    }
                }
                CANCELLED => context.cancelled = flag(&field.name, &field.value)?,
                CLOSED => context.closed = flag(&field.name, &field.value)?,
                other => {
                    return Err(unknown_context(
                        other,
                        "fulfillment_status, cancelled, closed",
                    ));
                }
            }
        }
        Ok(context)
    }
}

fn flag(name: &str, value: &str) -> Result<bool, KitError> {
    match value {
        "true" => Ok(true),
        "false" => Ok(false),
        other => Err(KitError::invalid(
            &format!("context {name}"),
            format_args!("{other:?} is not true or false"),
        )),
    }
}

fn unknown_context(name: &str, known: &str) -> KitError {
    KitError::invalid(
        &format!("context {name}"),
        format_args!("not a context this adapter uses (expected {known})"),
    )
}

fn payment(financial: Financial, context: &PaymentContext) -> StatusMapping {
    use Financial as F;
    let after_sale = match financial {
        F::Refunded => AfterSaleStatus::Refunded,
        F::PartiallyRefunded => AfterSaleStatus::Refunding,
        _ => AfterSaleStatus::None,
    };
    let shipped = match context.fulfilled {
        Fulfilled::Partially => Some(true),
        Fulfilled::Fully => Some(false),
        Fulfilled::Nothing | Fulfilled::Restocked => None,
    };
    let (lifecycle, partial) = if context.cancelled || context.fulfilled == Fulfilled::Restocked {
        (OrderStatus::Cancelled, false)
    } else if let Some(partial) = shipped {
        (
            if context.closed {
                OrderStatus::Completed
            } else {
                OrderStatus::Shipped
            },
            partial,
        )
    } else {
        let lifecycle = match financial {
            F::Refunded | F::Voided => OrderStatus::Closed,
            F::Paid | F::PartiallyRefunded if context.closed => OrderStatus::Completed,
            F::Paid | F::PartiallyRefunded => OrderStatus::Paid,
            F::Pending | F::Authorized | F::Expired | F::PartiallyPaid if context.closed => {
                OrderStatus::Closed
            }
            F::Pending | F::Authorized | F::Expired | F::PartiallyPaid => {
                OrderStatus::PendingPayment
            }
        };
        (lifecycle, false)
    };
    StatusMapping {
        lifecycle: Some(lifecycle),
        hold: None,
        after_sale: Some(after_sale),
        tracking: None,
        deposit_paid: financial == F::PartiallyPaid && lifecycle == OrderStatus::PendingPayment,
        partial,
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Shipment {
    LabelPurchased,
    LabelPrinted,
    Confirmed,
    CarrierPickedUp,
    InTransit,
    OutForDelivery,
    ReadyForPickup,
    PickedUp,
    Delivered,
    AttemptedDelivery,
    Delayed,
    Failure,
}

impl Shipment {
    fn parse(value: &str) -> Result<Self, KitError> {
        Ok(match value {
            "label_purchased" => Shipment::LabelPurchased,
            "label_printed" => Shipment::LabelPrinted,
            "confirmed" => Shipment::Confirmed,
            "carrier_picked_up" => Shipment::CarrierPickedUp,
            "in_transit" => Shipment::InTransit,
            "out_for_delivery" => Shipment::OutForDelivery,
            "ready_for_pickup" => Shipment::ReadyForPickup,
            "picked_up" => Shipment::PickedUp,
            "delivered" => Shipment::Delivered,
            "attempted_delivery" => Shipment::AttemptedDelivery,
            "delayed" => Shipment::Delayed,
            "failure" => Shipment::Failure,
            other => {
                return Err(KitError::UnknownStatus(format!(
                    "shipment_status {other:?}"
                )));
            }
        })
    }
}

/// The fulfillment's own `status`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum FulfillmentState {
    /// With a fulfillment service, not yet shipped (`pending`, `open`).
    InProgress,
    Success,
    Cancelled,
    /// `error` or `failure`.
    Failed,
}

impl FulfillmentState {
    fn parse(status: &PlatformStatus) -> Result<Self, KitError> {
        let mut state = FulfillmentState::Success;
        for field in &status.context {
            if field.name != FULFILLMENT_STATE {
                return Err(unknown_context(&field.name, FULFILLMENT_STATE));
            }
            state = match field.value.as_str() {
                "pending" | "open" => FulfillmentState::InProgress,
                "success" | "" => FulfillmentState::Success,
                "cancelled" => FulfillmentState::Cancelled,
                "error" | "failure" => FulfillmentState::Failed,
                other => {
                    return Err(KitError::UnknownStatus(format!(
                        "fulfillment status {other:?}"
                    )));
                }
            };
        }
        Ok(state)
    }
}

fn fulfillment(shipment: Shipment, state: FulfillmentState) -> StatusMapping {
    let nothing = StatusMapping {
        lifecycle: None,
        hold: None,
        after_sale: None,
        tracking: None,
        deposit_paid: false,
        partial: false,
    };
    let hold = |reason: &str| Some(HoldChange::Set(reason.to_string()));
    match state {
        FulfillmentState::InProgress => StatusMapping {
            lifecycle: Some(OrderStatus::Allocated),
            ..nothing
        },
        FulfillmentState::Cancelled => StatusMapping {
            hold: hold("fulfillment cancelled"),
            ..nothing
        },
        FulfillmentState::Failed => StatusMapping {
            hold: hold("fulfillment request failed"),
            ..nothing
        },
        FulfillmentState::Success => {
            use Shipment as S;
            use TrackingStatus as T;
            let (lifecycle, tracking, hold) = match shipment {
                S::LabelPurchased | S::LabelPrinted | S::Confirmed => {
                    (Some(OrderStatus::Shipped), T::InfoReceived, None)
                }
                S::CarrierPickedUp => (
                    Some(OrderStatus::InTransit),
                    T::PickedUp,
                    Some(HoldChange::Clear),
                ),
                S::InTransit => (
                    Some(OrderStatus::InTransit),
                    T::InTransit,
                    Some(HoldChange::Clear),
                ),
                S::OutForDelivery => (
                    Some(OrderStatus::InTransit),
                    T::OutForDelivery,
                    Some(HoldChange::Clear),
                ),
                S::ReadyForPickup => (
                    Some(OrderStatus::InTransit),
                    T::AvailableForPickup,
                    Some(HoldChange::Clear),
                ),
                S::PickedUp | S::Delivered => (
                    Some(OrderStatus::Delivered),
                    T::Delivered,
                    Some(HoldChange::Clear),
                ),
                S::AttemptedDelivery => (
                    Some(OrderStatus::InTransit),
                    T::DeliveryFailed,
                    hold("delivery attempt failed"),
                ),
                S::Delayed => (
                    Some(OrderStatus::InTransit),
                    T::Exception,
                    hold("shipment delayed"),
                ),
                S::Failure => (None, T::Exception, hold("carrier reported a failure")),
            };
            StatusMapping {
                lifecycle,
                hold,
                tracking: Some(tracking),
                ..nothing
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bindings::orderhub::adapter::types::Field;

    fn status(domain: StatusDomain, value: &str, context: &[(&str, &str)]) -> PlatformStatus {
        PlatformStatus {
            domain,
            value: value.into(),
            context: context
                .iter()
                .map(|(n, v)| Field {
                    name: n.to_string(),
                    value: v.to_string(),
                })
                .collect(),
        }
    }

    fn pay(value: &str, fulfillment: &str, cancelled: bool, closed: bool) -> StatusMapping {
        let (c, x) = (cancelled.to_string(), closed.to_string());
        map(&status(
            StatusDomain::Payment,
            value,
            &[
                (FULFILLMENT_STATUS, fulfillment),
                (CANCELLED, &c),
                (CLOSED, &x),
            ],
        ))
        .unwrap()
    }

    #[test]
    fn every_declared_status_maps_without_context() {
        for (value, _) in FINANCIAL_STATUSES {
            assert!(
                map(&status(StatusDomain::Payment, value, &[])).is_ok(),
                "{value}"
            );
        }
        for (value, _) in SHIPMENT_STATUSES {
            assert!(
                map(&status(StatusDomain::Fulfillment, value, &[])).is_ok(),
                "{value}"
            );
        }
    }

    #[test]
    fn payment_alone() {
        let paid = pay("paid", "null", false, false);
        assert_eq!(
            (paid.lifecycle, paid.after_sale),
            (Some(OrderStatus::Paid), Some(AfterSaleStatus::None))
        );
        assert_eq!(
            pay("authorized", "null", false, false).lifecycle,
            Some(OrderStatus::PendingPayment)
        );
        let deposit = pay("partially_paid", "null", false, false);
        assert!(deposit.deposit_paid && deposit.lifecycle == Some(OrderStatus::PendingPayment));
    }

    #[test]
    fn fulfilment_raises_the_lifecycle_and_closing_completes_it() {
        let partial = pay("paid", "partial", false, false);
        assert_eq!(
            (partial.lifecycle, partial.partial),
            (Some(OrderStatus::Shipped), true)
        );
        assert_eq!(
            pay("authorized", "fulfilled", false, false).lifecycle,
            Some(OrderStatus::Shipped)
        );
        let done = pay("paid", "fulfilled", false, true);
        assert_eq!(
            (done.lifecycle, done.partial),
            (Some(OrderStatus::Completed), false)
        );
        assert!(!pay("partially_paid", "fulfilled", false, false).deposit_paid);
    }

    #[test]
    fn cancellation_refunds_and_voids_end_the_order() {
        let cancelled = pay("refunded", "null", true, false);
        assert_eq!(cancelled.lifecycle, Some(OrderStatus::Cancelled));
        assert_eq!(cancelled.after_sale, Some(AfterSaleStatus::Refunded));
        assert_eq!(
            pay("paid", "restocked", false, false).lifecycle,
            Some(OrderStatus::Cancelled)
        );
        assert_eq!(
            pay("refunded", "null", false, false).lifecycle,
            Some(OrderStatus::Closed)
        );
        assert_eq!(
            pay("voided", "null", false, false).lifecycle,
            Some(OrderStatus::Closed)
        );
        assert_eq!(
            pay("pending", "null", false, true).lifecycle,
            Some(OrderStatus::Closed)
        );
        // A refund after shipping is an after-sale matter, not an end of the sale.
        let returned = pay("refunded", "fulfilled", false, false);
        assert_eq!(
            (returned.lifecycle, returned.after_sale),
            (Some(OrderStatus::Shipped), Some(AfterSaleStatus::Refunded))
        );
        assert_eq!(
            pay("partially_refunded", "null", false, false).after_sale,
            Some(AfterSaleStatus::Refunding)
        );
    }

    #[test]
    fn shipment_statuses_drive_tracking_and_holds() {
        let ful = |value: &str, state: &str| {
            map(&status(
                StatusDomain::Fulfillment,
                value,
                &[(FULFILLMENT_STATE, state)],
            ))
            .unwrap()
        };
        let delivered = ful("delivered", "success");
        assert_eq!(delivered.lifecycle, Some(OrderStatus::Delivered));
        assert_eq!(delivered.tracking, Some(TrackingStatus::Delivered));
        assert_eq!(delivered.hold, Some(HoldChange::Clear));
        let attempted = ful("attempted_delivery", "success");
        assert_eq!(
            attempted.hold,
            Some(HoldChange::Set("delivery attempt failed".into()))
        );
        assert_eq!(
            ful("confirmed", "open").lifecycle,
            Some(OrderStatus::Allocated)
        );
        let cancelled = ful("confirmed", "cancelled");
        assert_eq!(
            (cancelled.lifecycle, cancelled.hold),
            (None, Some(HoldChange::Set("fulfillment cancelled".into())))
        );
    }

    #[test]
    fn unknown_values_domains_and_context_are_refused() {
        let unknown = map(&status(StatusDomain::Payment, "PAID", &[]));
        assert_eq!(
            unknown,
            Err(KitError::UnknownStatus("financial_status \"PAID\"".into()))
        );
        assert!(matches!(
            map(&status(StatusDomain::Order, "paid", &[])),
            Err(KitError::UnknownStatus(_))
        ));
        assert!(matches!(
            map(&status(
                StatusDomain::Payment,
                "paid",
                &[(FULFILLMENT_STATUS, "shipped")]
            )),
            Err(KitError::UnknownStatus(_))
        ));
        assert!(matches!(
            map(&status(
                StatusDomain::Payment,
                "paid",
                &[(CANCELLED, "yes")]
            )),
            Err(KitError::InvalidField(_))
        ));
        assert!(matches!(
            map(&status(
                StatusDomain::Fulfillment,
                "delivered",
                &[("carrier", "ups")]
            )),
            Err(KitError::InvalidField(_))
        ));
        assert!(matches!(
            map(&status(StatusDomain::Fulfillment, "lost", &[])),
            Err(KitError::UnknownStatus(_))
        ));
    }
    /// The README's status table is the documentation of this module; every
    /// row must say exactly what `map` does (same format as the conformance
    /// suite's check, see fixtures/README.md).
    #[test]
    fn readme_status_table_matches_the_code() {
        let readme = include_str!("../README.md");
        let start = readme.find("<!-- status-table -->").unwrap();
        let end = readme.find("<!-- /status-table -->").unwrap();
        let mut rows = 0;
        for line in readme[start..end]
            .lines()
            .filter(|l| l.starts_with("| payment") || l.starts_with("| fulfillment"))
        {
            let cells: Vec<&str> = line.trim_matches('|').split('|').map(str::trim).collect();
            let domain = if cells[0] == "payment" {
                StatusDomain::Payment
            } else {
                StatusDomain::Fulfillment
            };
            let (value, rest) = cells[1].trim_start_matches('`').split_once('`').unwrap();
            let context: Vec<(&str, &str)> = rest
                .trim()
                .trim_start_matches('[')
                .trim_end_matches(']')
                .split(',')
                .filter_map(|kv| kv.split_once('='))
                .map(|(k, v)| (k.trim(), v.trim()))
                .collect();
            let mapping = map(&status(domain, value, &context)).unwrap();
            assert_eq!(render(&mapping), cells[2], "{line}");
            rows += 1;
        }
        let declared = FINANCIAL_STATUSES.len() + SHIPMENT_STATUSES.len();
        assert!(rows > declared);
        for (value, _) in FINANCIAL_STATUSES.iter().chain(SHIPMENT_STATUSES) {
            assert!(
                readme[start..end].contains(&format!("| `{value}` |")),
                "{value} is not in the README table"
            );
        }
    }

    fn render(m: &StatusMapping) -> String {
        let mut parts: Vec<String> = Vec::new();
        if let Some(l) = m.lifecycle {
            parts.push(name(l));
        }
        if m.partial {
            parts.push("partial".into());
        }
        if m.deposit_paid {
            parts.push("deposit paid".into());
        }
        match &m.hold {
            Some(HoldChange::Set(reason)) => parts.push(format!("hold: {reason}")),
            Some(HoldChange::Clear) => parts.push("hold cleared".into()),
            None => {}
        }
        if let Some(a) = m.after_sale {
            parts.push(format!("after-sale: {}", name(a)));
        }
        if let Some(t) = m.tracking {
            parts.push(format!("tracking: {}", name(t)));
        }
        if parts.is_empty() {
            "—".to_string()
        } else {
            parts.join(", ")
        }
    }

    /// The JSON spelling of a generated enum value: `OrderStatus::PendingPayment`
    /// (its `Debug` form) → `pending_payment`.
    fn name(value: impl std::fmt::Debug) -> String {
        let debug = format!("{value:?}");
        let text = debug.rsplit("::").next().unwrap_or_default();
        let mut out = String::new();
        let mut previous_lower = false;
        for c in text.chars() {
            if c.is_ascii_uppercase() {
                if previous_lower {
                    out.push('_');
                }
                out.push(c.to_ascii_lowercase());
                previous_lower = false;
            } else {
                out.push(c);
                previous_lower = c.is_ascii_lowercase();
            }
        }
        out
    }
}
