//! WDT order and logistics-sync statuses and what they mean canonically.
//!
//! `trade_query.php` reports a system order's `trade_status` (domain `order`);
//! `logistics_sync_query.php` reports a shipment's `sync_status` toward the
//! shop (domain `fulfillment`). Both tables are WDT's own documentation
//! (open.wangdian.cn trade_query / logistics_sync_query, as scraped in 2026);
//! the canonical meanings are our mapping. The table is also what metadata
//! declares, so `status-map` and the declared statuses cannot disagree.

use orderhub_adapter_kit::KitError;

use crate::bindings::orderhub::adapter::types::{
    HoldChange, OrderStatus as O, PlatformStatus, StatusDomain, StatusMapping,
};

/// What one status value means.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Meaning {
    Lifecycle(O),
    Hold(&'static str),
    LifecycleAndHold(O, &'static str),
    /// Says nothing about the order.
    Nothing,
}

/// One documented status value.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Status {
    pub domain: StatusDomain,
    pub code: &'static str,
    pub name: &'static str,
    pub meaning: &'static str,
    pub canonical: Meaning,
}

const fn order(
    code: &'static str,
    name: &'static str,
    meaning: &'static str,
    canonical: Meaning,
) -> Status {
    Status {
        domain: StatusDomain::Order,
        code,
        name,
        meaning,
        canonical,
    }
}

const fn sync(
    code: &'static str,
    name: &'static str,
    meaning: &'static str,
    canonical: Meaning,
) -> Status {
    Status {
        domain: StatusDomain::Fulfillment,
        code,
        name,
        meaning,
        canonical,
    }
}

/// The shipped trade status: the only one that carries a shipment.
pub(crate) const SHIPPED: &str = "95";

/// Every documented value.
pub(crate) const STATUSES: &[Status] = &[
    order(
        "4",
        "已取消（可恢复）",
        "cancelled, can be restored",
        Meaning::Hold("cancelled in WDT, can still be restored (已取消可恢复)"),
    ),
    order("5", "已取消", "cancelled", Meaning::Lifecycle(O::Cancelled)),
    order(
        "10",
        "未付款",
        "not paid",
        Meaning::Lifecycle(O::PendingPayment),
    ),
    order(
        "25",
        "特殊单",
        "special order, held for manual handling",
        Meaning::Hold("special order in WDT (特殊单)"),
    ),
    order(
        "29",
        "预订单",
        "pre-order, held until it may be released",
        Meaning::LifecycleAndHold(O::Paid, "pre-order held in WDT (预订单)"),
    ),
    order(
        "30",
        "待审核",
        "paid, waiting for review",
        Meaning::Lifecycle(O::Paid),
    ),
    order(
        "35",
        "待财审",
        "waiting for the finance review",
        Meaning::Lifecycle(O::Paid),
    ),
    order(
        "50",
        "待发货",
        "reviewed, waiting to ship",
        Meaning::Lifecycle(O::Allocated),
    ),
    order(
        "51",
        "待推送",
        "waiting to be pushed to the warehouse",
        Meaning::Lifecycle(O::Allocated),
    ),
    order(
        "52",
        "推送中",
        "being pushed to the warehouse",
        Meaning::Lifecycle(O::Allocated),
    ),
    order(
        "53",
        "推送失败",
        "push to the warehouse failed",
        Meaning::LifecycleAndHold(
            O::Allocated,
            "push to the outsourced warehouse failed (推送失败)",
        ),
    ),
    order(
        "55",
        "已推送",
        "pushed to the warehouse",
        Meaning::Lifecycle(O::Allocated),
    ),
    order(SHIPPED, "已发货", "shipped", Meaning::Lifecycle(O::Shipped)),
    sync(
        "0",
        "等待同步",
        "shipped, waiting to be synced to the shop",
        Meaning::Lifecycle(O::Shipped),
    ),
    sync(
        "1",
        "提交运单信息失败",
        "shipped, submitting the waybill failed",
        Meaning::LifecycleAndHold(
            O::Shipped,
            "WDT could not submit the waybill (提交运单信息失败)",
        ),
    ),
    sync(
        "2",
        "同步失败",
        "shipped, syncing to the shop failed",
        Meaning::LifecycleAndHold(
            O::Shipped,
            "WDT could not sync the shipment to the shop (同步失败)",
        ),
    ),
    sync(
        "3",
        "同步成功",
        "shipped and synced",
        Meaning::Lifecycle(O::Shipped),
    ),
    sync(
        "4",
        "手动设置为同步成功",
        "shipped, marked synced by hand",
        Meaning::Lifecycle(O::Shipped),
    ),
    sync(
        "5",
        "手动取消同步",
        "sync cancelled by hand",
        Meaning::Nothing,
    ),
];

/// The canonical meaning of one status value.
pub(crate) fn status_map(status: &PlatformStatus) -> Result<StatusMapping, KitError> {
    let value = status.value.trim();
    let found = STATUSES
        .iter()
        .find(|s| s.code == value && same_domain(s.domain, status.domain))
        .ok_or_else(|| {
            KitError::UnknownStatus(format!(
                "{:?} status {value:?} is not a documented WDT trade_status (order) or sync_status (fulfillment)",
                status.domain
            ))
        })?;
    let (lifecycle, hold) = match found.canonical {
        Meaning::Lifecycle(o) => (Some(o), None),
        Meaning::Hold(reason) => (None, Some(HoldChange::Set(reason.into()))),
        Meaning::LifecycleAndHold(o, reason) => (Some(o), Some(HoldChange::Set(reason.into()))),
        Meaning::Nothing => (None, None),
    };
    Ok(StatusMapping {
        lifecycle,
        hold,
        after_sale: None,
        tracking: None,
        deposit_paid: false,
        partial: false,
    })
}

fn same_domain(a: StatusDomain, b: StatusDomain) -> bool {
    matches!(
        (a, b),
        (StatusDomain::Order, StatusDomain::Order)
            | (StatusDomain::Fulfillment, StatusDomain::Fulfillment)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn map(domain: StatusDomain, value: &str) -> Result<StatusMapping, KitError> {
        status_map(&PlatformStatus {
            domain,
            value: value.into(),
            context: vec![],
        })
    }

    #[test]
    fn trade_statuses_map() {
        assert!(matches!(
            map(StatusDomain::Order, "95").unwrap().lifecycle,
            Some(O::Shipped)
        ));
        assert!(matches!(
            map(StatusDomain::Order, "5").unwrap().lifecycle,
            Some(O::Cancelled)
        ));
        let held = map(StatusDomain::Order, "53").unwrap();
        assert!(matches!(held.lifecycle, Some(O::Allocated)));
        assert!(matches!(held.hold, Some(HoldChange::Set(_))));
        assert!(
            map(StatusDomain::Fulfillment, "5")
                .unwrap()
                .lifecycle
                .is_none()
        );
    }

    #[test]
    fn codes_are_unique_per_domain_and_unknowns_refused() {
        for (i, a) in STATUSES.iter().enumerate() {
            for b in &STATUSES[i + 1..] {
                assert!(
                    !(a.code == b.code && same_domain(a.domain, b.domain)),
                    "{}",
                    a.code
                );
            }
        }
        assert!(matches!(
            map(StatusDomain::Order, "96"),
            Err(KitError::UnknownStatus(_))
        ));
        assert!(matches!(
            map(StatusDomain::Fulfillment, "95"),
            Err(KitError::UnknownStatus(_))
        ));
        assert!(matches!(
            map(StatusDomain::Tracking, "0"),
            Err(KitError::UnknownStatus(_))
        ));
    }
}
