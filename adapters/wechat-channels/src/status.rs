//! The order status table behind `status-map`.
//!
//! WeChat Channels has one numeric order status (`order.status`). The values
//! and meanings come from several independent public enums that agree (the
//! official page is not machine-readable); their canonical meaning follows
//! the project's lifecycle mapping. After-sale cases have their own status
//! codes, which are not documented in the sources, so no refund domain is
//! declared.

use orderhub_adapter_kit::KitError;

use crate::bindings::orderhub::adapter::types::{
    AfterSaleStatus, DeclaredStatus, OrderStatus, PlatformStatus, StatusDomain, StatusMapping,
};

/// One row: value, platform meaning, lifecycle, partial, after-sale.
type Row = (
    &'static str,
    &'static str,
    OrderStatus,
    bool,
    Option<AfterSaleStatus>,
);

const ORDER: &[Row] = &[
    (
        "10",
        "待付款: waiting for payment",
        OrderStatus::PendingPayment,
        false,
        None,
    ),
    (
        "12",
        "礼物待收下: gift waiting to be accepted",
        OrderStatus::PendingPayment,
        false,
        None,
    ),
    (
        "13",
        "一起买待成团: group purchase waiting to form",
        OrderStatus::PendingPayment,
        false,
        None,
    ),
    (
        "17",
        "支付成功待核销: paid, waiting for redemption",
        OrderStatus::Paid,
        false,
        None,
    ),
    (
        "20",
        "待发货: paid, waiting for shipment",
        OrderStatus::Paid,
        false,
        None,
    ),
    (
        "21",
        "部分发货: partly shipped",
        OrderStatus::Shipped,
        true,
        None,
    ),
    (
        "30",
        "待收货: shipped, waiting for receipt",
        OrderStatus::Shipped,
        false,
        None,
    ),
    (
        "100",
        "完成: completed",
        OrderStatus::Completed,
        false,
        None,
    ),
    (
        "200",
        "全部商品售后之后订单取消: cancelled after every item was refunded",
        OrderStatus::Closed,
        false,
        Some(AfterSaleStatus::Refunded),
    ),
    (
        "250",
        "未付款取消/超时取消: cancelled before payment or timed out",
        OrderStatus::Cancelled,
        false,
        None,
    ),
];

/// Every status value `status-map` accepts.
pub fn declared() -> Vec<DeclaredStatus> {
    ORDER
        .iter()
        .map(|(value, meaning, ..)| DeclaredStatus {
            domain: StatusDomain::Order,
            value: (*value).into(),
            description: (*meaning).into(),
        })
        .collect()
}

/// The canonical meaning of one platform status.
pub fn map(status: &PlatformStatus) -> Result<StatusMapping, KitError> {
    if status.domain != StatusDomain::Order {
        return Err(KitError::UnknownStatus(format!(
            "{:?} status {:?}: only order statuses are known",
            status.domain, status.value
        )));
    }
    let value = status.value.trim();
    let (_, _, lifecycle, partial, after_sale) = ORDER
        .iter()
        .find(|row| row.0 == value)
        .ok_or_else(|| KitError::UnknownStatus(format!("order.status {value:?}")))?;
    Ok(StatusMapping {
        lifecycle: Some(*lifecycle),
        hold: None,
        after_sale: *after_sale,
        tracking: None,
        deposit_paid: false,
        partial: *partial,
    })
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
    fn rows_map_as_documented() {
        let partly = map(&order("21")).unwrap();
        assert_eq!(partly.lifecycle, Some(OrderStatus::Shipped));
        assert!(partly.partial);
        let closed = map(&order("200")).unwrap();
        assert_eq!(closed.lifecycle, Some(OrderStatus::Closed));
        assert_eq!(closed.after_sale, Some(AfterSaleStatus::Refunded));
        assert_eq!(
            map(&order("250")).unwrap().lifecycle,
            Some(OrderStatus::Cancelled)
        );
    }

    #[test]
    fn unknown_values_and_domains_are_refused() {
        assert!(matches!(map(&order("40")), Err(KitError::UnknownStatus(_))));
        let refund = PlatformStatus {
            domain: StatusDomain::Refund,
            value: "13".into(),
            context: vec![],
        };
        assert!(matches!(map(&refund), Err(KitError::UnknownStatus(_))));
    }
}
