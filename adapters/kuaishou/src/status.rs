//! Kuaishou's statuses and what they mean canonically.
//!
//! Two families: the order `status` (`order` domain) and the after-sale
//! `refundStatus` (`refund` domain), both small integers sent as numbers and
//! carried here as their decimal text. The tables are the single source for
//! `status-map`, the declared statuses and the README table. `0` ("unknown
//! status" on the platform) is deliberately not mapped: it says nothing about
//! the order, so it is reported as `unknown-status` like any other value.

use orderhub_adapter_kit::KitError;

use crate::bindings::orderhub::adapter::types::{
    AfterSaleStatus, DeclaredStatus, OrderStatus, PlatformStatus, StatusDomain, StatusMapping,
};

/// Order statuses, their lifecycle and the platform's wording.
const ORDER: [(&str, OrderStatus, &str); 6] = [
    (
        "10",
        OrderStatus::PendingPayment,
        "待付款: waiting for payment",
    ),
    (
        "30",
        OrderStatus::Paid,
        "已付款: paid, waiting for shipment",
    ),
    ("40", OrderStatus::Shipped, "已发货: shipped"),
    (
        "50",
        OrderStatus::Delivered,
        "已签收: signed for by the buyer",
    ),
    ("70", OrderStatus::Completed, "订单成功: trade succeeded"),
    (
        "80",
        OrderStatus::Cancelled,
        "订单失败: trade failed (cancelled orders end here)",
    ),
];

/// After-sale statuses, their canonical after-sale status and wording.
const REFUND: [(&str, AfterSaleStatus, &str); 11] = [
    (
        "10",
        AfterSaleStatus::Requested,
        "买家申请退款: refund-only requested",
    ),
    (
        "11",
        AfterSaleStatus::Requested,
        "买家申请退货退款: return and refund requested",
    ),
    (
        "20",
        AfterSaleStatus::Requested,
        "平台介入: platform arbitration",
    ),
    (
        "21",
        AfterSaleStatus::Requested,
        "平台介入: platform arbitration",
    ),
    (
        "22",
        AfterSaleStatus::Requested,
        "平台介入: platform arbitration",
    ),
    (
        "30",
        AfterSaleStatus::Refunding,
        "同意退货: waiting for the buyer to send the goods back",
    ),
    (
        "40",
        AfterSaleStatus::Returned,
        "买家已寄回: goods sent back, waiting for the seller",
    ),
    (
        "45",
        AfterSaleStatus::Refunding,
        "待买家确认收货: waiting for the buyer to confirm receipt",
    ),
    (
        "50",
        AfterSaleStatus::Refunding,
        "退款执行中: refund being paid out",
    ),
    (
        "60",
        AfterSaleStatus::Refunded,
        "退款成功: refund succeeded",
    ),
    (
        "70",
        AfterSaleStatus::None,
        "退款失败: refund failed or closed, no after-sale in progress",
    ),
];

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

/// The canonical mapping of one platform status.
pub fn map(status: &PlatformStatus) -> Result<StatusMapping, KitError> {
    let value = status.value.trim();
    let unknown = |family: &str| {
        KitError::UnknownStatus(format!(
            "{family} status {value:?} is not a Kuaishou {family} status"
        ))
    };
    match status.domain {
        StatusDomain::Order => ORDER
            .iter()
            .find(|(v, _, _)| *v == value)
            .map(|(_, lifecycle, _)| StatusMapping {
                lifecycle: Some(*lifecycle),
                ..empty()
            })
            .ok_or_else(|| unknown("order")),
        StatusDomain::Refund => REFUND
            .iter()
            .find(|(v, _, _)| *v == value)
            .map(|(_, after_sale, _)| StatusMapping {
                after_sale: Some(*after_sale),
                ..empty()
            })
            .ok_or_else(|| unknown("refund")),
        other => Err(KitError::Unsupported(format!(
            "status domain {other:?}: Kuaishou statuses are in the order and refund domains"
        ))),
    }
}

/// Every status the adapter maps, for the metadata.
pub fn declared() -> Vec<DeclaredStatus> {
    let orders = ORDER.iter().map(|(v, _, d)| DeclaredStatus {
        domain: StatusDomain::Order,
        value: (*v).into(),
        description: (*d).into(),
    });
    let refunds = REFUND.iter().map(|(v, _, d)| DeclaredStatus {
        domain: StatusDomain::Refund,
        value: (*v).into(),
        description: (*d).into(),
    });
    orders.chain(refunds).collect()
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
    fn order_statuses_map_to_the_lifecycle() {
        let m = map(&status(StatusDomain::Order, "40")).unwrap();
        assert_eq!(m.lifecycle, Some(OrderStatus::Shipped));
        let m = map(&status(StatusDomain::Order, "80")).unwrap();
        assert_eq!(m.lifecycle, Some(OrderStatus::Cancelled));
    }

    #[test]
    fn refund_statuses_map_to_the_after_sale() {
        let m = map(&status(StatusDomain::Refund, "60")).unwrap();
        assert_eq!(m.after_sale, Some(AfterSaleStatus::Refunded));
        assert_eq!(m.lifecycle, None);
    }

    #[test]
    fn unknown_values_are_errors_not_defaults() {
        for (domain, value) in [
            (StatusDomain::Order, "0"),
            (StatusDomain::Order, "20"),
            (StatusDomain::Refund, "12"),
        ] {
            assert!(matches!(
                map(&status(domain, value)),
                Err(KitError::UnknownStatus(_))
            ));
        }
        assert!(matches!(
            map(&status(StatusDomain::Tracking, "10")),
            Err(KitError::Unsupported(_))
        ));
    }

    #[test]
    fn every_declared_status_maps() {
        for d in declared() {
            assert!(map(&status(d.domain, &d.value)).is_ok());
        }
    }
}
