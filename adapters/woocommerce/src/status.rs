//! The status table: what WooCommerce's order statuses mean canonically.
//!
//! A WooCommerce order has one `status`. Three facts that refine it travel as
//! context on every order event: `paid` (`date_paid_gmt` is set), `completed`
//! (`date_completed_gmt` is set, i.e. the order was completed at some point)
//! and `refund` (`none`, `partial` or `full`: the sum of `refunds[]` against
//! the order total). Absent context reads as not paid, never completed, no
//! refund, so a bare value maps on its own.
//!
//! The choices, status by status:
//!
//! - `pending`, and the pre-checkout drafts (`checkout-draft`, `draft`,
//!   `auto-draft`, `new`) → `pending_payment`: nothing is paid yet.
//! - `on-hold` is WooCommerce's "awaiting payment confirmation" (bank
//!   transfer, cheque): the merchant must check the money arrived. Unpaid, it
//!   is `pending_payment` with a hold, because it needs a person's action and
//!   must not be shipped. Put on hold after payment (`paid=true`, a merchant
//!   or a gateway's review holding a paid order), it is `paid` with a hold.
//! - `failed` → `pending_payment` with a hold: the payment was declined, but
//!   the customer can still pay the same order, so it is not terminal.
//! - `processing` → `paid` (paid, stock reduced, awaiting fulfilment);
//!   `completed` → `completed` (WooCommerce core has no shipped state: the
//!   merchant completes an order once it is fulfilled).
//! - `ready-for-pickup` → `in_transit`: prepared and waiting for collection,
//!   the position the canonical model gives a parcel available for pickup.
//! - `cancelled` → `cancelled`.
//! - `refunded` (WooCommerce sets it once the whole amount is refunded) →
//!   `closed`: the sale ended without completing. An order completed before
//!   the refund (`completed=true`) keeps its lifecycle; only the after-sale
//!   dimension says it was refunded.
//! - `trash` (the `order.deleted` topic) → a hold and nothing else: trashed
//!   orders can be restored (`order.restored` carries the restored status,
//!   which clears the hold), so trashing must not be terminal.
//!
//! Every status but `on-hold`, `failed` and `trash` clears the hold. The
//! after-sale dimension: `refunded` → refunded; otherwise a `partial` refund
//! → refunding, a `full` one → refunded, none → none. `trash` without
//! refund context says nothing about after-sale (its payload has no refunds).

use orderhub_adapter_kit::KitError;

use crate::bindings::orderhub::adapter::types::{
    AfterSaleStatus, HoldChange, OrderStatus, PlatformStatus, StatusDomain, StatusMapping,
};

/// Context name: whether `date_paid_gmt` is set.
pub const PAID: &str = "paid";
/// Context name: whether `date_completed_gmt` is set.
pub const COMPLETED: &str = "completed";
/// Context name: how much of the order is refunded.
pub const REFUND: &str = "refund";

/// How much of an order `refunds[]` gives back.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refund {
    None,
    Partial,
    Full,
}

impl Refund {
    /// The context value.
    pub fn as_str(self) -> &'static str {
        match self {
            Refund::None => "none",
            Refund::Partial => "partial",
            Refund::Full => "full",
        }
    }

    fn parse(text: &str) -> Option<Self> {
        match text {
            "none" => Some(Refund::None),
            "partial" => Some(Refund::Partial),
            "full" => Some(Refund::Full),
            _ => None,
        }
    }
}

/// The status an `order.deleted` delivery stands for.
pub const TRASH: &str = "trash";

/// Every `status` accepted, with what WooCommerce documents it to mean.
pub const ORDER_STATUSES: &[(&str, &str)] = &[
    ("pending", "order received, no payment made yet"),
    (
        "failed",
        "payment failed or was declined; the customer may pay again",
    ),
    (
        "on-hold",
        "awaiting payment confirmation (e.g. bank transfer); stock reduced",
    ),
    (
        "processing",
        "payment received, stock reduced, awaiting fulfilment",
    ),
    ("completed", "order fulfilled and complete"),
    (
        "refunded",
        "the order's whole value refunded by an admin or shop manager",
    ),
    (
        "cancelled",
        "cancelled by an admin or the customer; stock increased",
    ),
    (
        TRASH,
        "moved to the trash (topic order.deleted); can be restored",
    ),
    (
        "checkout-draft",
        "created while the customer is in the block checkout; not yet placed",
    ),
    ("draft", "draft order, not yet placed"),
    (
        "auto-draft",
        "automatically generated draft, not yet placed",
    ),
    ("new", "draft order (legacy status), not yet placed"),
    (
        "ready-for-pickup",
        "ready for the customer to collect (stores with local pickup, 11.3+)",
    ),
];

/// The refining facts read from the context.
#[derive(Debug, Default)]
struct Context {
    paid: bool,
    completed: bool,
    refund: Option<Refund>,
}

fn boolean(name: &str, value: &str) -> Result<bool, KitError> {
    match value {
        "true" => Ok(true),
        "false" => Ok(false),
        _ => Err(KitError::invalid(
            &format!("context {name}"),
            format_args!("{value:?} is not true or false"),
        )),
    }
}

fn context(status: &PlatformStatus) -> Result<Context, KitError> {
    let mut ctx = Context::default();
    for field in &status.context {
        let value = field.value.trim();
        match field.name.as_str() {
            PAID => ctx.paid = boolean(PAID, value)?,
            COMPLETED => ctx.completed = boolean(COMPLETED, value)?,
            REFUND => {
                ctx.refund = Some(Refund::parse(value).ok_or_else(|| {
                    KitError::invalid(
                        "context refund",
                        format_args!("{value:?} is not none, partial or full"),
                    )
                })?);
            }
            other => {
                return Err(KitError::invalid(
                    &format!("context {other}"),
                    "not a context this adapter gives (paid, completed, refund)",
                ));
            }
        }
    }
    Ok(ctx)
}

fn set(reason: &str) -> Option<HoldChange> {
    Some(HoldChange::Set(reason.to_string()))
}

/// Maps one WooCommerce order status (with its context) to its canonical meaning.
pub fn map(status: &PlatformStatus) -> Result<StatusMapping, KitError> {
    if status.domain != StatusDomain::Order {
        return Err(KitError::UnknownStatus(format!(
            "{:?} status {:?}: WooCommerce statuses are in the order domain",
            status.domain, status.value
        )));
    }
    let ctx = context(status)?;
    let value = status.value.trim();
    let clear = Some(HoldChange::Clear);
    let (lifecycle, hold) = match value {
        "pending" | "checkout-draft" | "draft" | "auto-draft" | "new" => {
            (Some(OrderStatus::PendingPayment), clear)
        }
        "failed" => (Some(OrderStatus::PendingPayment), set("payment failed")),
        "on-hold" if ctx.paid => (Some(OrderStatus::Paid), set("on hold after payment")),
        "on-hold" => (
            Some(OrderStatus::PendingPayment),
            set("awaiting payment confirmation"),
        ),
        "processing" => (Some(OrderStatus::Paid), clear),
        "ready-for-pickup" => (Some(OrderStatus::InTransit), clear),
        "completed" => (Some(OrderStatus::Completed), clear),
        "cancelled" => (Some(OrderStatus::Cancelled), clear),
        "refunded" if ctx.completed => (None, clear),
        "refunded" => (Some(OrderStatus::Closed), clear),
        TRASH => (None, set("moved to trash")),
        other => {
            return Err(KitError::UnknownStatus(format!(
                "order status {other:?} is not a WooCommerce core status (custom statuses from \
                 extensions are not mapped)"
            )));
        }
    };
    let after_sale = match (value, ctx.refund) {
        ("refunded", _) | (_, Some(Refund::Full)) => Some(AfterSaleStatus::Refunded),
        (_, Some(Refund::Partial)) => Some(AfterSaleStatus::Refunding),
        (TRASH, None) => None,
        _ => Some(AfterSaleStatus::None),
    };
    Ok(StatusMapping {
        lifecycle,
        hold,
        after_sale,
        tracking: None,
        deposit_paid: false,
        partial: false,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fields::field;

    fn status(value: &str, context: &[(&str, &str)]) -> PlatformStatus {
        PlatformStatus {
            domain: StatusDomain::Order,
            value: value.into(),
            context: context.iter().map(|(n, v)| field(n, v)).collect(),
        }
    }

    fn mapping(
        lifecycle: Option<OrderStatus>,
        hold: Option<HoldChange>,
        after_sale: Option<AfterSaleStatus>,
    ) -> StatusMapping {
        StatusMapping {
            lifecycle,
            hold,
            after_sale,
            tracking: None,
            deposit_paid: false,
            partial: false,
        }
    }

    #[test]
    fn every_declared_status_maps() {
        for (value, _) in ORDER_STATUSES {
            assert!(map(&status(value, &[])).is_ok(), "{value}");
        }
    }

    #[test]
    fn paid_and_unpaid_statuses() {
        let none = Some(AfterSaleStatus::None);
        assert_eq!(
            map(&status("pending", &[])),
            Ok(mapping(
                Some(OrderStatus::PendingPayment),
                Some(HoldChange::Clear),
                none
            ))
        );
        assert_eq!(
            map(&status("processing", &[(PAID, "true")])),
            Ok(mapping(
                Some(OrderStatus::Paid),
                Some(HoldChange::Clear),
                none
            ))
        );
        assert_eq!(
            map(&status("completed", &[(COMPLETED, "true")])),
            Ok(mapping(
                Some(OrderStatus::Completed),
                Some(HoldChange::Clear),
                none
            ))
        );
    }

    #[test]
    fn on_hold_depends_on_payment() {
        let unpaid = map(&status("on-hold", &[(PAID, "false")])).unwrap();
        assert_eq!(unpaid.lifecycle, Some(OrderStatus::PendingPayment));
        assert_eq!(
            unpaid.hold,
            Some(HoldChange::Set("awaiting payment confirmation".into()))
        );
        let paid = map(&status("on-hold", &[(PAID, "true")])).unwrap();
        assert_eq!(paid.lifecycle, Some(OrderStatus::Paid));
        assert_eq!(
            paid.hold,
            Some(HoldChange::Set("on hold after payment".into()))
        );
    }

    #[test]
    fn refunds_drive_the_after_sale_dimension() {
        let partial = map(&status("processing", &[(REFUND, "partial")])).unwrap();
        assert_eq!(
            (partial.lifecycle, partial.after_sale),
            (Some(OrderStatus::Paid), Some(AfterSaleStatus::Refunding))
        );
        let refunded = map(&status("refunded", &[(REFUND, "full")])).unwrap();
        assert_eq!(
            (refunded.lifecycle, refunded.after_sale),
            (Some(OrderStatus::Closed), Some(AfterSaleStatus::Refunded))
        );
        let after_completion = map(&status("refunded", &[(COMPLETED, "true")])).unwrap();
        assert_eq!(
            (after_completion.lifecycle, after_completion.after_sale),
            (None, Some(AfterSaleStatus::Refunded))
        );
    }

    #[test]
    fn trash_only_holds() {
        assert_eq!(
            map(&status(TRASH, &[])),
            Ok(mapping(
                None,
                Some(HoldChange::Set("moved to trash".into())),
                None
            ))
        );
    }

    #[test]
    fn unknown_values_domains_and_contexts_are_refused() {
        assert!(matches!(
            map(&status("shipped", &[])),
            Err(KitError::UnknownStatus(_))
        ));
        assert!(matches!(
            map(&PlatformStatus {
                domain: StatusDomain::Payment,
                value: "pending".into(),
                context: vec![]
            }),
            Err(KitError::UnknownStatus(_))
        ));
        assert!(matches!(
            map(&status("pending", &[(PAID, "yes")])),
            Err(KitError::InvalidField(_))
        ));
        assert!(matches!(
            map(&status("pending", &[(REFUND, "most")])),
            Err(KitError::InvalidField(_))
        ));
        assert!(matches!(
            map(&status("pending", &[("fulfillment_status", "partial")])),
            Err(KitError::InvalidField(_))
        ));
    }
}
