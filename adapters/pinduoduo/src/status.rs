//! Pinduoduo's statuses and what they mean canonically.
//!
//! An order carries several independent numeric status fields, each its own
//! family:
//!
//! - `order_status` (发货状态, shipping) — the `order` domain;
//! - `confirm_status` (成交状态, deal) — the `payment` domain;
//! - `refund_status` (售后状态 summary) — the `refund` domain;
//! - `step_order_info.step_trade_status` (定金订单, deposit presale) — the
//!   `presale` domain;
//! - `after_sales_status` (the detailed after-sale state) and
//!   `risk_control_status` (审核, risk review) only refine the others, as
//!   context.
//!
//! An order event's status is its `order_status` with the other fields as
//! context, and the mapping combines them: the deal status can hold the
//! order before payment or cancel it, the presale status marks a paid
//! deposit, the risk status sets or clears a hold, and the after-sale fields
//! give the after-sale dimension. The tables here are the single source for
//! `status-map`, the declared statuses and the README table.

use orderhub_adapter_kit::KitError;

use crate::bindings::orderhub::adapter::types::{
    AfterSaleStatus, DeclaredStatus, HoldChange, OrderStatus, PlatformStatus, StatusDomain,
    StatusMapping,
};

/// The reason of the hold `risk_control_status = 1` sets.
pub const RISK_REVIEW_REASON: &str = "under risk review by the platform";

/// Context names that refine a status, as the order fields are named.
pub const CONFIRM_STATUS: &str = "confirm_status";
pub const REFUND_STATUS: &str = "refund_status";
pub const AFTER_SALES_STATUS: &str = "after_sales_status";
pub const RISK_CONTROL_STATUS: &str = "risk_control_status";
pub const STEP_TRADE_STATUS: &str = "step_trade_status";

/// `order_status` (发货状态) values and their documented meaning.
pub const ORDER_STATUSES: [(&str, &str); 3] = [
    ("1", "待发货: waiting for the seller to ship"),
    ("2", "已发货待签收: shipped, waiting to be signed for"),
    ("3", "已签收: signed for"),
];

/// `confirm_status` (成交状态) values.
pub const CONFIRM_STATUSES: [(&str, &str); 3] = [
    (
        "0",
        "未成交: no deal yet (unpaid, or the group buy is still forming)",
    ),
    ("1", "已成交: deal made (paid, group formed)"),
    ("2", "已取消: cancelled"),
];

/// `refund_status` (售后状态 summary) values.
pub const REFUND_STATUSES: [(&str, &str); 4] = [
    (
        "1",
        "无售后或售后关闭: no after-sale case, or the case was closed",
    ),
    ("2", "售后处理中: an after-sale case is being handled"),
    ("3", "退款中: refunding"),
    ("4", "退款成功: refunded"),
];

/// `step_trade_status` (deposit presale) values.
pub const STEP_STATUSES: [(&str, &str); 3] = [
    ("0", "定金未付尾款未付: neither deposit nor balance paid"),
    ("1", "定金已付尾款未付: deposit paid, balance not paid"),
    ("2", "定金已付尾款已付: deposit and balance paid"),
];

/// `after_sales_status` values, what they mean and the after-sale state
/// each one is. A case under way (agreed, goods or a replacement on their
/// way) is `refunding`; a closed, refused, withdrawn or expired case is
/// `none`; a completed exchange is `returned`; a completed repair moved no
/// money and ends the case (`none`).
pub const AFTER_SALES_STATUSES: [(&str, &str, AfterSaleStatus); 25] = {
    use AfterSaleStatus::{
        None as N, Refunded as D, Refunding as G, Requested as R, Returned as T,
    };
    [
        ("0", "无售后: no after-sale case", N),
        ("2", "买家申请退款，待商家处理: refund requested", R),
        ("3", "退货退款，待商家处理: return requested", R),
        ("4", "商家同意退款，退款中: seller agreed, refunding", G),
        ("5", "平台同意退款，退款中: platform agreed, refunding", G),
        (
            "6",
            "驳回退款，待买家处理: refund rejected, buyer to act",
            R,
        ),
        (
            "7",
            "已同意退货退款,待用户发货: return agreed, waiting for the goods",
            G,
        ),
        ("8", "平台处理中: the platform is handling the case", R),
        (
            "9",
            "平台拒绝退款，退款关闭: refused by the platform, closed",
            N,
        ),
        ("10", "退款成功: refunded", D),
        ("11", "买家撤销: withdrawn by the buyer", N),
        (
            "12",
            "买家逾期未处理，退款失败: buyer did not act in time, failed",
            N,
        ),
        ("13", "买家逾期，超过有效期: expired", N),
        ("14", "换货补寄待商家处理: exchange or resend requested", R),
        (
            "15",
            "换货补寄待用户处理: exchange or resend, buyer to act",
            R,
        ),
        ("16", "换货补寄成功: exchange or resend completed", T),
        ("17", "换货补寄失败: exchange or resend failed", N),
        (
            "18",
            "换货补寄待用户确认完成: exchange or resend, buyer to confirm",
            G,
        ),
        ("21", "待商家同意维修: repair requested", R),
        (
            "22",
            "待用户确认发货: repair agreed, waiting for the goods",
            G,
        ),
        ("24", "维修关闭: repair closed", N),
        ("25", "维修成功: repaired", N),
        (
            "27",
            "待用户确认收货: waiting for the buyer to confirm receipt",
            G,
        ),
        (
            "31",
            "已同意拒收退款，待用户拒收: refund on refusal agreed",
            G,
        ),
        (
            "32",
            "补寄待商家发货: resend agreed, waiting for the seller to ship",
            G,
        ),
    ]
};

/// Every status `status-map` accepts on its own, for the metadata.
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
    let mut all = family(StatusDomain::Order, &ORDER_STATUSES);
    all.extend(family(StatusDomain::Payment, &CONFIRM_STATUSES));
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

fn unknown(field: &str, value: &str) -> KitError {
    KitError::UnknownStatus(format!(
        "{field} {value:?} is not a Pinduoduo {field} value"
    ))
}

/// A context value by name.
fn context<'a>(status: &'a PlatformStatus, name: &str) -> Option<&'a str> {
    status
        .context
        .iter()
        .find(|f| f.name == name)
        .map(|f| f.value.trim())
}

/// Maps one platform status to its canonical meaning.
pub fn map(status: &PlatformStatus) -> Result<StatusMapping, KitError> {
    let value = status.value.trim();
    match status.domain {
        StatusDomain::Order => refine(order_status(value)?, status),
        StatusDomain::Payment => refine(confirm(value)?, status),
        StatusDomain::Presale => step(value),
        StatusDomain::Refund => {
            let summary = refund(value)?;
            match context(status, AFTER_SALES_STATUS) {
                Some(detail) => Ok(StatusMapping {
                    after_sale: Some(after_sales(detail)?),
                    ..summary
                }),
                None => Ok(summary),
            }
        }
        StatusDomain::Fulfillment | StatusDomain::Tracking => {
            Err(KitError::UnknownStatus(format!(
                "Pinduoduo has no statuses in this domain (value {value:?}); \
                 use order, payment, refund or presale"
            )))
        }
    }
}

fn order_status(value: &str) -> Result<StatusMapping, KitError> {
    use OrderStatus as O;
    Ok(match value {
        "1" => lifecycle(O::Paid),
        "2" => lifecycle(O::Shipped),
        // Signed for; the platform has no separate "trade finished" value.
        "3" => lifecycle(O::Delivered),
        other => return Err(unknown("order_status", other)),
    })
}

fn confirm(value: &str) -> Result<StatusMapping, KitError> {
    use OrderStatus as O;
    Ok(match value {
        // Not a deal yet: unpaid, or paid while the group buy forms. Either
        // way nothing may ship, and the deal may still fail.
        "0" => lifecycle(O::PendingPayment),
        "1" => lifecycle(O::Paid),
        "2" => lifecycle(O::Cancelled),
        other => return Err(unknown("confirm_status", other)),
    })
}

fn refund(value: &str) -> Result<StatusMapping, KitError> {
    use AfterSaleStatus as A;
    let after_sale = match value {
        "1" => A::None,
        "2" => A::Requested,
        "3" => A::Refunding,
        "4" => A::Refunded,
        other => return Err(unknown("refund_status", other)),
    };
    Ok(StatusMapping {
        after_sale: Some(after_sale),
        ..mapping()
    })
}

fn after_sales(value: &str) -> Result<AfterSaleStatus, KitError> {
    AFTER_SALES_STATUSES
        .iter()
        .find(|(code, _, _)| *code == value)
        .map(|(_, _, status)| *status)
        .ok_or_else(|| unknown("after_sales_status", value))
}

fn step(value: &str) -> Result<StatusMapping, KitError> {
    use OrderStatus as O;
    Ok(match value {
        "0" => lifecycle(O::PendingPayment),
        "1" => StatusMapping {
            deposit_paid: true,
            ..lifecycle(O::PendingPayment)
        },
        "2" => lifecycle(O::Paid),
        other => return Err(unknown("step_trade_status", other)),
    })
}

/// Applies the context fields of an order or payment status. Every known
/// context value is checked, even where it changes nothing; context names
/// this adapter does not use are ignored.
fn refine(base: StatusMapping, status: &PlatformStatus) -> Result<StatusMapping, KitError> {
    use OrderStatus as O;
    let mut out = base;
    if status.domain == StatusDomain::Order
        && let Some(deal) = context(status, CONFIRM_STATUS)
    {
        // The deal status overrides the shipping status where it says more:
        // no deal yet, or cancelled.
        match confirm(deal)?.lifecycle {
            Some(O::PendingPayment) => out.lifecycle = Some(O::PendingPayment),
            Some(O::Cancelled) => out.lifecycle = Some(O::Cancelled),
            _ => {}
        }
    }
    if let Some(stage) = context(status, STEP_TRADE_STATUS) {
        let presale = step(stage)?;
        // Only an order not yet shipped or cancelled can still wait for its
        // balance.
        if matches!(out.lifecycle, Some(O::PendingPayment | O::Paid))
            && presale.lifecycle == Some(O::PendingPayment)
        {
            out.lifecycle = Some(O::PendingPayment);
            out.deposit_paid = presale.deposit_paid;
        }
    }
    if let Some(risk) = context(status, RISK_CONTROL_STATUS) {
        out.hold = Some(match risk {
            "0" => HoldChange::Clear,
            "1" => HoldChange::Set(RISK_REVIEW_REASON.to_string()),
            other => return Err(unknown(RISK_CONTROL_STATUS, other)),
        });
    }
    let summary = context(status, REFUND_STATUS)
        .map(refund)
        .transpose()?
        .and_then(|m| m.after_sale);
    let detail = context(status, AFTER_SALES_STATUS)
        .map(after_sales)
        .transpose()?;
    // The detailed after-sale state says more than the summary.
    if let Some(after_sale) = detail.or(summary) {
        out.after_sale = Some(after_sale);
    }
    Ok(out)
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

    fn order(value: &str, context: &[(&str, &str)]) -> StatusMapping {
        map(&status(StatusDomain::Order, value, context)).unwrap()
    }

    #[test]
    fn every_declared_status_maps() {
        for declared in declared() {
            let s = status(declared.domain, &declared.value, &[]);
            assert!(map(&s).is_ok(), "{} does not map", declared.value);
        }
        assert_eq!(declared().len(), 13);
        for (code, _, _) in AFTER_SALES_STATUSES {
            assert!(after_sales(code).is_ok());
        }
    }

    #[test]
    fn shipping_statuses() {
        assert_eq!(order("1", &[]).lifecycle, Some(OrderStatus::Paid));
        assert_eq!(order("2", &[]).lifecycle, Some(OrderStatus::Shipped));
        assert_eq!(order("3", &[]).lifecycle, Some(OrderStatus::Delivered));
    }

    #[test]
    fn the_deal_status_overrides_where_it_says_more() {
        let m = order("1", &[(CONFIRM_STATUS, "0")]);
        assert_eq!(m.lifecycle, Some(OrderStatus::PendingPayment));
        let m = order("1", &[(CONFIRM_STATUS, "2"), (REFUND_STATUS, "4")]);
        assert_eq!(
            (m.lifecycle, m.after_sale),
            (
                Some(OrderStatus::Cancelled),
                Some(AfterSaleStatus::Refunded)
            )
        );
        assert_eq!(
            order("2", &[(CONFIRM_STATUS, "1")]).lifecycle,
            Some(OrderStatus::Shipped)
        );
    }

    #[test]
    fn presale_and_risk_context() {
        let m = order("1", &[(STEP_TRADE_STATUS, "1"), (RISK_CONTROL_STATUS, "0")]);
        assert_eq!(
            (m.lifecycle, m.deposit_paid, m.hold),
            (
                Some(OrderStatus::PendingPayment),
                true,
                Some(HoldChange::Clear)
            )
        );
        let m = order("2", &[(STEP_TRADE_STATUS, "1")]);
        assert_eq!(
            (m.lifecycle, m.deposit_paid),
            (Some(OrderStatus::Shipped), false)
        );
        let m = order("1", &[(STEP_TRADE_STATUS, "2"), (RISK_CONTROL_STATUS, "1")]);
        assert_eq!(m.lifecycle, Some(OrderStatus::Paid));
        assert_eq!(m.hold, Some(HoldChange::Set(RISK_REVIEW_REASON.into())));
        let m = map(&status(StatusDomain::Presale, "1", &[])).unwrap();
        assert_eq!(
            (m.lifecycle, m.deposit_paid),
            (Some(OrderStatus::PendingPayment), true)
        );
    }

    #[test]
    fn after_sales_detail_wins_over_the_summary() {
        let m = order("3", &[(REFUND_STATUS, "2"), (AFTER_SALES_STATUS, "16")]);
        assert_eq!(m.after_sale, Some(AfterSaleStatus::Returned));
        let m = order("3", &[(REFUND_STATUS, "1")]);
        assert_eq!(m.after_sale, Some(AfterSaleStatus::None));
        let m = map(&status(
            StatusDomain::Refund,
            "2",
            &[(AFTER_SALES_STATUS, "7")],
        ))
        .unwrap();
        assert_eq!(m.after_sale, Some(AfterSaleStatus::Refunding));
        let m = map(&status(StatusDomain::Refund, "3", &[])).unwrap();
        assert_eq!(
            (m.lifecycle, m.after_sale),
            (None, Some(AfterSaleStatus::Refunding))
        );
    }

    #[test]
    fn unknown_values_anywhere_are_unknown_status() {
        for s in [
            status(StatusDomain::Order, "0", &[]),
            status(StatusDomain::Order, "5", &[]),
            status(StatusDomain::Order, "1", &[(RISK_CONTROL_STATUS, "2")]),
            status(StatusDomain::Order, "1", &[(AFTER_SALES_STATUS, "99")]),
            status(StatusDomain::Order, "1", &[(CONFIRM_STATUS, "x")]),
            status(StatusDomain::Payment, "3", &[]),
            status(StatusDomain::Refund, "0", &[]),
            status(StatusDomain::Presale, "", &[]),
            status(StatusDomain::Tracking, "1", &[]),
        ] {
            assert!(
                matches!(map(&s), Err(KitError::UnknownStatus(_))),
                "{} {:?}",
                s.value,
                s.context
            );
        }
        // Context names the adapter does not use are ignored.
        assert_eq!(
            order("1", &[("trade_type", "1")]).lifecycle,
            Some(OrderStatus::Paid)
        );
    }
}
