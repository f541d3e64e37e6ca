//! Douyin shop statuses and what they mean canonically.
//!
//! Two families: the order status (`order` domain: `order_status` /
//! `main_status`, also each sku order's status) and the after-sale status
//! (`refund` domain: `after_sale_status`, `aftersale_status` in refund
//! messages). These tables are the single source for `status-map`, the
//! declared statuses and the README table.

use orderhub_adapter_kit::KitError;

use crate::bindings::orderhub::adapter::types::{
    AfterSaleStatus, DeclaredStatus, HoldChange, OrderStatus, PlatformStatus, StatusDomain,
    StatusMapping,
};

/// The hold reason of `105`: paid, but the platform holds it (risk review or
/// a group buy still forming).
pub const RISK_HOLD_REASON: &str = "paid, held by platform risk review or group buy forming";

/// Order statuses (`order_status` / `main_status`) and their documented meaning.
pub const ORDER_STATUSES: [(&str, &str); 11] = [
    (
        "1",
        "待支付: waiting for payment (or cash on delivery to confirm)",
    ),
    (
        "103",
        "部分支付: partly paid (presale deposit paid, balance not)",
    ),
    (
        "105",
        "已支付: paid, under risk review or waiting for the group buy",
    ),
    (
        "2",
        "备货中: paid, being prepared (the only state that can ship)",
    ),
    ("101", "部分发货: some sku orders shipped"),
    ("3", "已发货: the whole order shipped"),
    ("4", "已取消: cancelled"),
    ("5", "已完成: completed"),
    ("21", "发货前退款完结: refunded in full before shipping"),
    ("22", "发货后退款完结: refunded in full after shipping"),
    ("39", "收货后退款完结: refunded in full after receipt"),
];

/// After-sale statuses and their documented meaning.
pub const AFTER_SALE_STATUSES: [(&str, &str); 12] = [
    ("0", "no after-sale (initial)"),
    ("6", "申请: after-sale requested"),
    ("7", "退货中: waiting for the buyer to return the goods"),
    ("11", "售后已发货: the buyer shipped the goods back"),
    ("12", "成功: after-sale succeeded (refunded)"),
    ("13", "换货: exchange in progress"),
    ("14", "换货: exchange completed"),
    ("27", "拒绝: the seller refused the after-sale"),
    ("28", "失败: the after-sale failed"),
    ("29", "退货后拒绝退款: refund refused after the return"),
    ("51", "取消成功: the buyer cancelled the after-sale"),
    (
        "53",
        "逆向完成: reverse logistics completed (goods returned)",
    ),
];

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

fn order(value: &str) -> Option<StatusMapping> {
    Some(match value {
        "1" => lifecycle(OrderStatus::PendingPayment),
        "103" => StatusMapping {
            deposit_paid: true,
            ..lifecycle(OrderStatus::PendingPayment)
        },
        "105" => StatusMapping {
            hold: Some(HoldChange::Set(RISK_HOLD_REASON.into())),
            ..lifecycle(OrderStatus::Paid)
        },
        "2" => lifecycle(OrderStatus::Paid),
        "101" => StatusMapping {
            partial: true,
            ..lifecycle(OrderStatus::Shipped)
        },
        "3" => lifecycle(OrderStatus::Shipped),
        "4" => lifecycle(OrderStatus::Cancelled),
        "5" => lifecycle(OrderStatus::Completed),
        // The order ends because the whole amount went back to the buyer.
        "21" | "22" | "39" => StatusMapping {
            after_sale: Some(AfterSaleStatus::Refunded),
            ..lifecycle(OrderStatus::Closed)
        },
        _ => return None,
    })
}

fn refund(value: &str) -> Option<StatusMapping> {
    Some(match value {
        // A refused, failed or cancelled case leaves the order without an
        // open after-sale.
        "0" | "27" | "28" | "29" | "51" => after_sale(AfterSaleStatus::None),
        "6" => after_sale(AfterSaleStatus::Requested),
        "7" | "11" | "13" => after_sale(AfterSaleStatus::Refunding),
        "12" => after_sale(AfterSaleStatus::Refunded),
        "14" | "53" => after_sale(AfterSaleStatus::Returned),
        _ => return None,
    })
}

/// The canonical meaning of one platform status.
pub fn map(status: &PlatformStatus) -> Result<StatusMapping, KitError> {
    let value = status.value.trim();
    let found = match status.domain {
        StatusDomain::Order => order(value),
        StatusDomain::Refund => refund(value),
        _ => None,
    };
    found.ok_or_else(|| {
        KitError::UnknownStatus(format!(
            "{:?} status {value:?} is not a Douyin shop status",
            status.domain
        ))
    })
}

/// Every status `map` accepts, for the metadata.
pub fn declared() -> Vec<DeclaredStatus> {
    let orders = ORDER_STATUSES
        .iter()
        .map(|(v, d)| (StatusDomain::Order, v, d));
    let refunds = AFTER_SALE_STATUSES
        .iter()
        .map(|(v, d)| (StatusDomain::Refund, v, d));
    orders
        .chain(refunds)
        .map(|(domain, value, description)| DeclaredStatus {
            domain,
            value: (*value).into(),
            description: (*description).into(),
        })
        .collect()
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
    fn partial_payment_is_a_paid_deposit() {
        let m = map(&status(StatusDomain::Order, "103")).unwrap();
        assert_eq!(m.lifecycle, Some(OrderStatus::PendingPayment));
        assert!(m.deposit_paid);
    }

    #[test]
    fn risk_review_holds_a_paid_order() {
        let m = map(&status(StatusDomain::Order, "105")).unwrap();
        assert_eq!(m.lifecycle, Some(OrderStatus::Paid));
        assert!(matches!(m.hold, Some(HoldChange::Set(_))));
    }

    #[test]
    fn unknown_values_are_refused() {
        assert!(matches!(
            map(&status(StatusDomain::Order, "99")),
            Err(KitError::UnknownStatus(_))
        ));
        assert!(matches!(
            map(&status(StatusDomain::Tracking, "3")),
            Err(KitError::UnknownStatus(_))
        ));
    }

    #[test]
    fn every_declared_status_maps() {
        for d in declared() {
            assert!(map(&status(d.domain, &d.value)).is_ok(), "{}", d.value);
        }
    }
}
