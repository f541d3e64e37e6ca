//! Youzan's statuses and what they mean canonically.
//!
//! Two families: the trade status (`order` domain), optionally refined by the
//! trade's `refund_state` and by the message type as context, and the refund
//! states (`refund` domain): the trade-level `refund_state` codes and the
//! per-refund `SAFE_*` states of refund messages, optionally refined by
//! `refund_type`. These tables are the single source for `status-map`, the
//! declared statuses and the README table.

use orderhub_adapter_kit::KitError;

use crate::bindings::orderhub::adapter::types::{
    AfterSaleStatus, DeclaredStatus, HoldChange, OrderStatus, PlatformStatus, StatusDomain,
    StatusMapping,
};
use crate::topics::PARTLY_SHIPPED;

/// The reason of the hold `WAIT_CONFIRM` sets.
pub const WAIT_CONFIRM_REASON: &str = "waiting for the group to form or the merchant to accept";

/// Trade statuses and what the platform documents them to mean.
pub const TRADE_STATUSES: [(&str, &str); 7] = [
    (
        "WAIT_BUYER_PAY",
        "waiting for the buyer to pay (also deposit or balance unpaid)",
    ),
    ("TRADE_PAID", "paid (transient)"),
    (
        "WAIT_CONFIRM",
        "paid, waiting for the group to form or the merchant to accept",
    ),
    (
        "WAIT_SELLER_SEND_GOODS",
        "paid, waiting for the seller to ship",
    ),
    (
        "WAIT_BUYER_CONFIRM_GOODS",
        "shipped, waiting for the buyer to confirm receipt",
    ),
    ("TRADE_SUCCESS", "trade succeeded"),
    ("TRADE_CLOSED", "trade closed"),
];

/// Refund states: the trade's `refund_state` codes and a refund's `SAFE_*` state.
pub const REFUND_STATES: [(&str, &str); 12] = [
    ("0", "trade: no refund"),
    ("2", "trade: partly refunded"),
    ("12", "trade: fully refunded"),
    ("SAFE_NEW", "the buyer asked for a refund"),
    ("SAFE_HANDLED", "the buyer asked again after a refusal"),
    ("SAFE_REJECT", "the seller refused the refund"),
    ("SAFE_INVOLVED", "Youzan customer service stepped in"),
    ("SAFE_ACCEPT", "the seller accepted the refund"),
    ("SAFE_SEND", "the buyer sent the goods back"),
    (
        "SAFE_NO_RECEIVE",
        "the seller says the goods did not arrive",
    ),
    ("SAFE_CLOSE", "the refund case was closed"),
    ("SAFE_FINISHED", "the refund case finished (money refunded)"),
];

/// Refund types that refine `SAFE_FINISHED`.
const REFUND_TYPES: [&str; 2] = ["REFUND_ONLY", "REFUND_AND_RETURN"];

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
    all.extend(family(StatusDomain::Refund, &REFUND_STATES));
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
        "{domain} status {value:?} is not a Youzan {domain} status"
    ))
}

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
            let refund_state = context(status, "refund_state");
            let mut base = trade(&status.value, refund_state)?;
            if context(status, "type") == Some(PARTLY_SHIPPED)
                && status.value == "WAIT_SELLER_SEND_GOODS"
            {
                // Some lines left, others still wait: shipped, partly.
                base = StatusMapping {
                    lifecycle: Some(OrderStatus::Shipped),
                    partial: true,
                    hold: None,
                    ..base
                };
            }
            Ok(base)
        }
        StatusDomain::Refund => refund(&status.value, context(status, "refund_type")),
        StatusDomain::Payment
        | StatusDomain::Fulfillment
        | StatusDomain::Presale
        | StatusDomain::Tracking => Err(KitError::UnknownStatus(format!(
            "Youzan has no statuses in this domain (value {:?}); use order or refund",
            status.value
        ))),
    }
}

fn trade(value: &str, refund_state: Option<&str>) -> Result<StatusMapping, KitError> {
    use OrderStatus as O;
    // Validate the context even where it changes nothing.
    let refunded = match refund_state {
        None | Some("0") => false,
        Some("2" | "12") => true,
        Some(other) => return Err(unknown("refund", other)),
    };
    let mut base = match value {
        "WAIT_BUYER_PAY" => lifecycle(O::PendingPayment),
        "TRADE_PAID" => lifecycle(O::Paid),
        "WAIT_CONFIRM" => StatusMapping {
            hold: Some(HoldChange::Set(WAIT_CONFIRM_REASON.to_string())),
            ..lifecycle(O::Paid)
        },
        // The "may ship now" state a WAIT_CONFIRM trade moves on to, so it
        // lifts that hold.
        "WAIT_SELLER_SEND_GOODS" => StatusMapping {
            hold: Some(HoldChange::Clear),
            ..lifecycle(O::Paid)
        },
        "WAIT_BUYER_CONFIRM_GOODS" => lifecycle(O::Shipped),
        "TRADE_SUCCESS" => lifecycle(O::Completed),
        // Closed without any refund is a trade that never completed payment
        // (expired or cancelled); closed after a refund keeps the money trail.
        "TRADE_CLOSED" if refunded => lifecycle(O::Closed),
        "TRADE_CLOSED" => lifecycle(O::Cancelled),
        other => return Err(unknown("trade", other)),
    };
    if refunded {
        base.after_sale = Some(AfterSaleStatus::Refunded);
    }
    Ok(base)
}

fn refund(value: &str, refund_type: Option<&str>) -> Result<StatusMapping, KitError> {
    use AfterSaleStatus as A;
    if let Some(kind) = refund_type
        && !REFUND_TYPES.contains(&kind)
    {
        return Err(KitError::UnknownStatus(format!(
            "refund_type {kind:?} is not REFUND_ONLY or REFUND_AND_RETURN"
        )));
    }
    Ok(match value {
        "0" | "SAFE_CLOSE" => after_sale(A::None),
        "2" | "12" => after_sale(A::Refunded),
        // Open cases, no money moved yet: asked, asked again, refused (the
        // buyer may still escalate), escalated to the platform.
        "SAFE_NEW" | "SAFE_HANDLED" | "SAFE_REJECT" | "SAFE_INVOLVED" => after_sale(A::Requested),
        // Agreed, goods on their way back, or disputed on arrival: under way.
        "SAFE_ACCEPT" | "SAFE_SEND" | "SAFE_NO_RECEIVE" => after_sale(A::Refunding),
        "SAFE_FINISHED" => match refund_type {
            Some("REFUND_AND_RETURN") => after_sale(A::Returned),
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
        assert_eq!(declared().len(), 19);
    }

    #[test]
    fn trade_statuses_and_refinements() {
        let m = map(&status(StatusDomain::Order, "WAIT_CONFIRM", &[])).unwrap();
        assert_eq!(m.lifecycle, Some(OrderStatus::Paid));
        assert_eq!(m.hold, Some(HoldChange::Set(WAIT_CONFIRM_REASON.into())));
        let m = map(&status(StatusDomain::Order, "TRADE_CLOSED", &[])).unwrap();
        assert_eq!(m.lifecycle, Some(OrderStatus::Cancelled));
        let m = map(&status(
            StatusDomain::Order,
            "TRADE_CLOSED",
            &[("refund_state", "12")],
        ))
        .unwrap();
        assert_eq!(
            (m.lifecycle, m.after_sale),
            (Some(OrderStatus::Closed), Some(AfterSaleStatus::Refunded))
        );
        let m = map(&status(
            StatusDomain::Order,
            "WAIT_SELLER_SEND_GOODS",
            &[("type", PARTLY_SHIPPED)],
        ))
        .unwrap();
        assert_eq!((m.lifecycle, m.partial), (Some(OrderStatus::Shipped), true));
        assert!(
            map(&status(
                StatusDomain::Order,
                "TRADE_SUCCESS",
                &[("refund_state", "7")]
            ))
            .is_err()
        );
    }

    #[test]
    fn refund_states() {
        let m = map(&status(
            StatusDomain::Refund,
            "SAFE_FINISHED",
            &[("refund_type", "REFUND_AND_RETURN")],
        ))
        .unwrap();
        assert_eq!(m.after_sale, Some(AfterSaleStatus::Returned));
        let m = map(&status(StatusDomain::Refund, "SAFE_NEW", &[])).unwrap();
        assert_eq!(m.after_sale, Some(AfterSaleStatus::Requested));
        assert!(
            map(&status(
                StatusDomain::Refund,
                "SAFE_NEW",
                &[("refund_type", "X")]
            ))
            .is_err()
        );
    }

    #[test]
    fn unknown_values_are_unknown_status() {
        for s in [
            status(StatusDomain::Order, "TRADE_CLOSE", &[]),
            status(StatusDomain::Refund, "1", &[]),
            status(StatusDomain::Presale, "WAIT_BUYER_PAY", &[]),
        ] {
            assert!(matches!(map(&s), Err(KitError::UnknownStatus(_))));
        }
    }
}
