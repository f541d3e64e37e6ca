//! JuShuiTan's order statuses and what they mean canonically.
//!
//! An order from `/open/orders/single/query` carries two statuses, both in
//! the `order` domain (their spellings never collide):
//!
//! - `status`, the ERP's own state of the order (`WaitPay` … `Cancelled`);
//! - `shop_status`, the sales channel's state as JuShuiTan copied it, in
//!   Taobao's spelling (`WAIT_BUYER_PAY` … `TRADE_CLOSED_BY_TAOBAO`).
//!
//! `Question` (异常) is the only ERP state that holds an order; every other
//! ERP state clears that hold, so an order whose exception was resolved is
//! released. `Merged` and `Split` say only that the ERP re-cut the order
//! into other ERP orders (which carry their own states), so they move
//! nothing. This table is the single source for `status-map`, the declared
//! statuses and the README table (a unit test keeps the README in step).

use orderhub_adapter_kit::KitError;

use crate::bindings::orderhub::adapter::types::{
    DeclaredStatus, HoldChange, OrderStatus as O, PlatformStatus, StatusDomain, StatusMapping,
};

/// What a status does to the order's exception hold.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Hold {
    Untouched,
    Set(&'static str),
    Clear,
}

/// One documented status value.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Row {
    pub value: &'static str,
    pub meaning: &'static str,
    pub lifecycle: Option<O>,
    pub hold: Hold,
}

const fn row(value: &'static str, meaning: &'static str, lifecycle: Option<O>, hold: Hold) -> Row {
    Row {
        value,
        meaning,
        lifecycle,
        hold,
    }
}

/// The reason of the hold `Question` sets.
pub(crate) const QUESTION_REASON: &str = "JuShuiTan exception order (Question)";

/// Every documented ERP `status` and channel `shop_status`.
pub(crate) const ROWS: &[Row] = &[
    // ERP status (status).
    row(
        "WaitPay",
        "待付款: waiting for payment",
        Some(O::PendingPayment),
        Hold::Clear,
    ),
    row(
        "WaitConfirm",
        "已付款待审核: paid, waiting for the order review",
        Some(O::Paid),
        Hold::Clear,
    ),
    row(
        "WaitFConfirm",
        "已客审待财审: reviewed, waiting for the finance review",
        Some(O::Paid),
        Hold::Clear,
    ),
    row(
        "Delivering",
        "发货中: released to the warehouse, being shipped",
        Some(O::Allocated),
        Hold::Clear,
    ),
    row(
        "WaitOuterSent",
        "等供销商或外仓发货: waiting for the supplier or an external warehouse to ship",
        Some(O::Allocated),
        Hold::Clear,
    ),
    row("Sent", "已发货: shipped", Some(O::Shipped), Hold::Clear),
    row(
        "Question",
        "异常: exception order, held until resolved",
        None,
        Hold::Set(QUESTION_REASON),
    ),
    row(
        "Merged",
        "被合并: merged into another ERP order",
        None,
        Hold::Untouched,
    ),
    row(
        "Split",
        "被拆分: split into other ERP orders",
        None,
        Hold::Untouched,
    ),
    row(
        "Cancelled",
        "取消: cancelled",
        Some(O::Cancelled),
        Hold::Clear,
    ),
    // Channel status (shop_status), Taobao's spelling.
    row(
        "WAIT_BUYER_PAY",
        "等待买家付款: channel waits for payment",
        Some(O::PendingPayment),
        Hold::Untouched,
    ),
    row(
        "WAIT_SELLER_SEND_GOODS",
        "等待卖家发货: channel says paid, waiting for shipment",
        Some(O::Paid),
        Hold::Untouched,
    ),
    row(
        "WAIT_BUYER_CONFIRM_GOODS",
        "等待买家确认收货: channel says shipped",
        Some(O::Shipped),
        Hold::Untouched,
    ),
    row(
        "TRADE_FINISHED",
        "交易成功: channel says the trade succeeded",
        Some(O::Completed),
        Hold::Untouched,
    ),
    row(
        "TRADE_CLOSED",
        "付款后交易关闭: closed after payment (refunded)",
        Some(O::Closed),
        Hold::Untouched,
    ),
    row(
        "TRADE_CLOSED_BY_TAOBAO",
        "付款前交易关闭: closed before payment",
        Some(O::Cancelled),
        Hold::Untouched,
    ),
];

/// The row of a value, if documented.
pub(crate) fn find(value: &str) -> Option<&'static Row> {
    ROWS.iter().find(|r| r.value == value)
}

/// Maps one status; anything undocumented, or of another domain, is refused.
pub(crate) fn status_map(status: &PlatformStatus) -> Result<StatusMapping, KitError> {
    if !matches!(status.domain, StatusDomain::Order) {
        return Err(KitError::UnknownStatus(format!(
            "{:?} {:?}: JuShuiTan statuses are in the order domain",
            status.domain, status.value
        )));
    }
    let row = find(&status.value).ok_or_else(|| {
        KitError::UnknownStatus(format!(
            "order {:?} is not a documented JuShuiTan status",
            status.value
        ))
    })?;
    Ok(mapping(row))
}

fn mapping(row: &Row) -> StatusMapping {
    StatusMapping {
        lifecycle: row.lifecycle,
        hold: match row.hold {
            Hold::Untouched => None,
            Hold::Set(reason) => Some(HoldChange::Set(reason.into())),
            Hold::Clear => Some(HoldChange::Clear),
        },
        after_sale: None,
        tracking: None,
        deposit_paid: false,
        partial: false,
    }
}

/// The statuses metadata declares.
pub(crate) fn declared() -> Vec<DeclaredStatus> {
    ROWS.iter()
        .map(|r| DeclaredStatus {
            domain: StatusDomain::Order,
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
        let canonical = if parts.is_empty() {
            "—".to_string()
        } else {
            parts.join(", ")
        };
        out.push_str(&format!(
            "| order | `{}` | {} | {} |\n",
            r.value, canonical, r.meaning
        ));
    }
    out.push_str("<!-- /status-table -->");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn order(value: &str) -> PlatformStatus {
        PlatformStatus {
            domain: StatusDomain::Order,
            value: value.into(),
            context: vec![],
        }
    }

    #[test]
    fn question_holds_and_sent_releases() {
        let q = status_map(&order("Question")).unwrap();
        assert_eq!(q.lifecycle, None);
        assert!(matches!(q.hold, Some(HoldChange::Set(ref r)) if r == QUESTION_REASON));
        let s = status_map(&order("Sent")).unwrap();
        assert_eq!(s.lifecycle, Some(O::Shipped));
        assert!(matches!(s.hold, Some(HoldChange::Clear)));
        assert_eq!(status_map(&order("Split")).unwrap().lifecycle, None);
    }

    #[test]
    fn unknown_values_and_domains_are_refused() {
        assert!(matches!(
            status_map(&order("Finished")),
            Err(KitError::UnknownStatus(_))
        ));
        let mut p = order("Sent");
        p.domain = StatusDomain::Tracking;
        assert!(matches!(status_map(&p), Err(KitError::UnknownStatus(_))));
    }

    #[test]
    fn every_declared_status_maps() {
        for d in declared() {
            assert!(status_map(&order(&d.value)).is_ok(), "{}", d.value);
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
