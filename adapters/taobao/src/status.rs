//! Taobao's statuses and what they mean canonically.
//!
//! Three families: the trade status (`order` domain; also each sub-order's
//! status), the refund status (`refund` domain) and the presale
//! `step_trade_status` (`presale` domain). A trade status may carry
//! `step_trade_status` as context, and a refund status may carry the refund's
//! `bill_type`; both refine the mapping. The tables here are the single
//! source for `status-map`, the declared statuses and the README table.

use orderhub_adapter_kit::KitError;

use crate::bindings::orderhub::adapter::types::{
    AfterSaleStatus, DeclaredStatus, HoldChange, OrderStatus, PlatformStatus, StatusDomain,
    StatusMapping,
};

/// The reason of the hold `PAID_FORBID_CONSIGN` sets.
pub const FORBID_CONSIGN_REASON: &str = "shipping forbidden by the platform";

/// Trade statuses and what the platform documents them to mean.
pub const TRADE_STATUSES: [(&str, &str); 12] = [
    ("TRADE_NO_CREATE_PAY", "no Alipay trade created yet"),
    ("WAIT_BUYER_PAY", "waiting for the buyer to pay"),
    (
        "SELLER_CONSIGNED_PART",
        "the seller shipped some of the sub-orders",
    ),
    (
        "WAIT_SELLER_SEND_GOODS",
        "paid, waiting for the seller to ship",
    ),
    (
        "WAIT_BUYER_CONFIRM_GOODS",
        "shipped, waiting for the buyer to confirm receipt",
    ),
    (
        "TRADE_BUYER_SIGNED",
        "the buyer signed for the goods (cash on delivery)",
    ),
    ("TRADE_FINISHED", "trade succeeded"),
    (
        "TRADE_CLOSED",
        "closed after payment, when the buyer's refund succeeded",
    ),
    (
        "TRADE_CLOSED_BY_TAOBAO",
        "closed before payment, by the buyer, the seller or the platform",
    ),
    ("PAY_PENDING", "international card payment being confirmed"),
    (
        "WAIT_PRE_AUTH_CONFIRM",
        "zero-yuan purchase contract in progress",
    ),
    (
        "PAID_FORBID_CONSIGN",
        "paid but shipping forbidden (group buy forming, shipping control)",
    ),
];

/// Refund statuses (per refund and per sub-order `refund_status`).
pub const REFUND_STATUSES: [(&str, &str); 7] = [
    (
        "WAIT_SELLER_AGREE",
        "the buyer asked for a refund, waiting for the seller to agree",
    ),
    (
        "WAIT_BUYER_RETURN_GOODS",
        "the seller agreed, waiting for the buyer to return the goods",
    ),
    (
        "WAIT_SELLER_CONFIRM_GOODS",
        "the buyer returned the goods, waiting for the seller to confirm",
    ),
    ("SELLER_REFUSE_BUYER", "the seller refused the refund"),
    ("CLOSED", "the refund was closed"),
    ("SUCCESS", "the refund succeeded"),
    ("NO_REFUND", "no refund on this sub-order"),
];

/// Presale (deposit + balance) statuses.
pub const STEP_STATUSES: [(&str, &str); 4] = [
    (
        "FRONT_NOPAID_FINAL_NOPAID",
        "neither deposit nor balance paid",
    ),
    ("FRONT_PAID_FINAL_NOPAID", "deposit paid, balance not paid"),
    ("FRONT_PAID_FINAL_PAID", "deposit and balance paid"),
    (
        "FRONT_PAID_FRONT_FORFEITED",
        "deposit paid and forfeited (balance never paid)",
    ),
];

/// Refund bill types that refine a refund status.
const BILL_TYPES: [&str; 3] = ["refund_bill", "return_bill", "replace_bill"];

/// Every status `status-map` accepts, for the metadata.
pub fn declared() -> Vec<DeclaredStatus> {
    let family = |domain: StatusDomain, table: &[(&str, &str)]| {
        table
            .iter()
            .map(move |(value, description)| DeclaredStatus {
                domain,
                value: (*value).to_string(),
                description: (*description).to_string(),
            })
            .collect::<Vec<_>>()
    };
    let mut all = family(StatusDomain::Order, &TRADE_STATUSES);
    all.extend(family(StatusDomain::Refund, &REFUND_STATUSES));
    all.extend(family(StatusDomain::Presale, &STEP_STATUSES));
    all
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

fn after_sale(status: AfterSaleStatus) -> StatusMapping {
    StatusMapping {
        after_sale: Some(status),
        ..mapping()
    }
}

fn unknown(domain: &str, value: &str) -> KitError {
    KitError::UnknownStatus(format!(
        "{domain} status {value:?} is not a Taobao {domain} status"
    ))
}

/// A context value by name.
fn context<'a>(status: &'a PlatformStatus, name: &str) -> Option<&'a str> {
    status
        .context
        .iter()
        .find(|f| f.name == name)
        .map(|f| f.value.as_str())
}

/// Maps one platform status to its canonical meaning.
pub fn map(status: &PlatformStatus) -> Result<StatusMapping, KitError> {
    match status.domain {
        StatusDomain::Order => {
            let base = trade(&status.value)?;
            match context(status, "step_trade_status") {
                Some(step) => refine_with_step(base, step),
                None => Ok(base),
            }
        }
        StatusDomain::Presale => step(&status.value),
        StatusDomain::Refund => {
            let bill_type = context(status, "bill_type");
            if let Some(bill) = bill_type
                && !BILL_TYPES.contains(&bill)
            {
                return Err(KitError::UnknownStatus(format!(
                    "refund bill_type {bill:?} is not one of refund_bill, return_bill, replace_bill"
                )));
            }
            refund(&status.value, bill_type)
        }
        StatusDomain::Payment | StatusDomain::Fulfillment | StatusDomain::Tracking => {
            Err(KitError::UnknownStatus(format!(
                "Taobao has no statuses in this domain (value {:?}); use order, refund or presale",
                status.value
            )))
        }
    }
}

fn trade(value: &str) -> Result<StatusMapping, KitError> {
    use OrderStatus as O;
    Ok(match value {
        // Nothing is paid yet: no Alipay trade, awaiting payment, a card
        // payment still being confirmed, a contract purchase not confirmed.
        "TRADE_NO_CREATE_PAY" | "WAIT_BUYER_PAY" | "PAY_PENDING" | "WAIT_PRE_AUTH_CONFIRM" => {
            lifecycle(O::PendingPayment)
        }
        // The platform's "may ship now" state; it is what a
        // PAID_FORBID_CONSIGN trade becomes once shipping is allowed, so it
        // lifts that hold.
        "WAIT_SELLER_SEND_GOODS" => StatusMapping {
            hold: Some(HoldChange::Clear),
            ..lifecycle(O::Paid)
        },
        "PAID_FORBID_CONSIGN" => StatusMapping {
            hold: Some(HoldChange::Set(FORBID_CONSIGN_REASON.to_string())),
            ..lifecycle(O::Paid)
        },
        "SELLER_CONSIGNED_PART" => StatusMapping {
            partial: true,
            ..lifecycle(O::Shipped)
        },
        "WAIT_BUYER_CONFIRM_GOODS" => lifecycle(O::Shipped),
        "TRADE_BUYER_SIGNED" => lifecycle(O::Delivered),
        "TRADE_FINISHED" => lifecycle(O::Completed),
        // Documented as "closed automatically after the buyer's refund
        // succeeded": the money went back, so the after-sale is refunded.
        "TRADE_CLOSED" => StatusMapping {
            after_sale: Some(AfterSaleStatus::Refunded),
            ..lifecycle(O::Closed)
        },
        // Closed before any payment: the order was cancelled.
        "TRADE_CLOSED_BY_TAOBAO" => lifecycle(O::Cancelled),
        other => return Err(unknown("trade", other)),
    })
}

/// A trade status refined by the presale status next to it.
fn refine_with_step(base: StatusMapping, step_status: &str) -> Result<StatusMapping, KitError> {
    // Validate the context value even where it changes nothing.
    step(step_status)?;
    Ok(match step_status {
        "FRONT_PAID_FINAL_NOPAID" if base.lifecycle == Some(OrderStatus::PendingPayment) => {
            StatusMapping {
                deposit_paid: true,
                ..base
            }
        }
        // A forfeited deposit closes the trade with money kept by the seller:
        // closed (not cancelled), and nothing was refunded.
        "FRONT_PAID_FRONT_FORFEITED"
            if matches!(
                base.lifecycle,
                Some(OrderStatus::Cancelled | OrderStatus::Closed)
            ) =>
        {
            StatusMapping {
                lifecycle: Some(OrderStatus::Closed),
                after_sale: None,
                ..base
            }
        }
        _ => base,
    })
}

fn step(value: &str) -> Result<StatusMapping, KitError> {
    use OrderStatus as O;
    Ok(match value {
        "FRONT_NOPAID_FINAL_NOPAID" => lifecycle(O::PendingPayment),
        "FRONT_PAID_FINAL_NOPAID" => StatusMapping {
            deposit_paid: true,
            ..lifecycle(O::PendingPayment)
        },
        "FRONT_PAID_FINAL_PAID" => lifecycle(O::Paid),
        "FRONT_PAID_FRONT_FORFEITED" => lifecycle(O::Closed),
        other => return Err(unknown("presale", other)),
    })
}

fn refund(value: &str, bill_type: Option<&str>) -> Result<StatusMapping, KitError> {
    use AfterSaleStatus as A;
    Ok(match value {
        "WAIT_SELLER_AGREE" => after_sale(A::Requested),
        // Agreed and waiting for the goods, or goods on their way back: the
        // refund is under way but no money has moved.
        "WAIT_BUYER_RETURN_GOODS" | "WAIT_SELLER_CONFIRM_GOODS" => after_sale(A::Refunding),
        // The case stays open after a refusal: the buyer may modify the
        // request or ask the platform to step in, until it is CLOSED.
        "SELLER_REFUSE_BUYER" => after_sale(A::Requested),
        "CLOSED" | "NO_REFUND" => after_sale(A::None),
        "SUCCESS" => match bill_type {
            Some("return_bill" | "replace_bill") => after_sale(A::Returned),
            _ => after_sale(A::Refunded),
        },
        other => return Err(unknown("refund", other)),
    })
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
                    name: (*n).into(),
                    value: (*v).into(),
                })
                .collect(),
        }
    }

    #[test]
    fn every_declared_status_maps() {
        for declared in declared() {
            let s = status(declared.domain, &declared.value, &[]);
            assert!(map(&s).is_ok(), "{} does not map", declared.value);
        }
        assert_eq!(declared().len(), 23);
    }

    #[test]
    fn trade_statuses() {
        let m = map(&status(StatusDomain::Order, "PAID_FORBID_CONSIGN", &[])).unwrap();
        assert_eq!(m.lifecycle, Some(OrderStatus::Paid));
        assert_eq!(m.hold, Some(HoldChange::Set(FORBID_CONSIGN_REASON.into())));
        let m = map(&status(StatusDomain::Order, "SELLER_CONSIGNED_PART", &[])).unwrap();
        assert_eq!((m.lifecycle, m.partial), (Some(OrderStatus::Shipped), true));
        let m = map(&status(StatusDomain::Order, "TRADE_CLOSED", &[])).unwrap();
        assert_eq!(
            (m.lifecycle, m.after_sale),
            (Some(OrderStatus::Closed), Some(AfterSaleStatus::Refunded))
        );
    }

    #[test]
    fn presale_context_refines_the_trade_status() {
        let deposit = [("step_trade_status", "FRONT_PAID_FINAL_NOPAID")];
        let m = map(&status(StatusDomain::Order, "WAIT_BUYER_PAY", &deposit)).unwrap();
        assert_eq!(
            (m.lifecycle, m.deposit_paid),
            (Some(OrderStatus::PendingPayment), true)
        );
        let m = map(&status(
            StatusDomain::Order,
            "WAIT_SELLER_SEND_GOODS",
            &deposit,
        ))
        .unwrap();
        assert!(!m.deposit_paid);
        let forfeited = [("step_trade_status", "FRONT_PAID_FRONT_FORFEITED")];
        let m = map(&status(StatusDomain::Order, "TRADE_CLOSED", &forfeited)).unwrap();
        assert_eq!(
            (m.lifecycle, m.after_sale),
            (Some(OrderStatus::Closed), None)
        );
        let bad = [("step_trade_status", "SOMETHING_NEW")];
        assert!(matches!(
            map(&status(StatusDomain::Order, "WAIT_BUYER_PAY", &bad)),
            Err(KitError::UnknownStatus(_))
        ));
    }

    #[test]
    fn refund_bill_type_refines_success() {
        let m = map(&status(
            StatusDomain::Refund,
            "SUCCESS",
            &[("bill_type", "return_bill")],
        ))
        .unwrap();
        assert_eq!(m.after_sale, Some(AfterSaleStatus::Returned));
        let m = map(&status(StatusDomain::Refund, "SUCCESS", &[])).unwrap();
        assert_eq!(m.after_sale, Some(AfterSaleStatus::Refunded));
        assert!(
            map(&status(
                StatusDomain::Refund,
                "SUCCESS",
                &[("bill_type", "x")]
            ))
            .is_err()
        );
    }

    #[test]
    fn unknown_values_and_wrong_domains_are_unknown_status() {
        for s in [
            status(StatusDomain::Order, "TRADE_SOMETHING", &[]),
            status(StatusDomain::Refund, "WAIT_BUYER_PAY", &[]),
            status(StatusDomain::Presale, "", &[]),
            status(StatusDomain::Tracking, "SUCCESS", &[]),
        ] {
            assert!(
                matches!(map(&s), Err(KitError::UnknownStatus(_))),
                "{}",
                s.value
            );
        }
    }
}
