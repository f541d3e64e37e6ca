//! JD Logistics trace categories and what they mean canonically.
//!
//! The trace query labels each scan with a node category (`categoryName`,
//! e.g. `揽收`). JD publishes no table of these values that we could read
//! (❌): the names below are the node names JD shows for express parcels,
//! in the two spellings seen (`揽收` / `已揽收`), and the mapping is our
//! proposal (🧭). Anything else is `unknown-status`, never a default, so a new
//! category shows up as an error to add here rather than a wrong state.

use orderhub_adapter_kit::KitError;

use crate::bindings::orderhub::adapter::types::{
    PlatformStatus, StatusDomain, StatusMapping, TrackingStatus as T,
};

/// One trace category.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Category {
    pub name: &'static str,
    pub meaning: &'static str,
    pub tracking: T,
}

const fn category(name: &'static str, meaning: &'static str, tracking: T) -> Category {
    Category {
        name,
        meaning,
        tracking,
    }
}

/// Every category this adapter maps (🧭, see the module docs).
pub(crate) const CATEGORIES: &[Category] = &[
    category(
        "已下单",
        "order placed, waiting for pickup",
        T::InfoReceived,
    ),
    category("下单", "order placed, waiting for pickup", T::InfoReceived),
    category("已揽收", "picked up", T::PickedUp),
    category("揽收", "picked up", T::PickedUp),
    category("运输中", "in transport between sites", T::InTransit),
    category("运输", "in transport between sites", T::InTransit),
    category("派送中", "out for delivery", T::OutForDelivery),
    category("派送", "out for delivery", T::OutForDelivery),
    category("已签收", "delivered and signed for", T::Delivered),
    category("签收", "delivered and signed for", T::Delivered),
    category("妥投", "delivered", T::Delivered),
    category("已拒收", "refused by the receiver", T::DeliveryFailed),
    category("拒收", "refused by the receiver", T::DeliveryFailed),
    category("退回", "on its way back to the sender", T::Returning),
    category("退货", "on its way back to the sender", T::Returning),
    category("已取消", "waybill cancelled", T::Exception),
    category("异常", "problem with the parcel", T::Exception),
];

/// The canonical meaning of one JD trace category.
pub(crate) fn status_map(status: &PlatformStatus) -> Result<StatusMapping, KitError> {
    if !matches!(status.domain, StatusDomain::Tracking) {
        return Err(KitError::UnknownStatus(format!(
            "{:?} status {:?}: JD Logistics only reports tracking states",
            status.domain, status.value
        )));
    }
    let value = status.value.trim();
    CATEGORIES
        .iter()
        .find(|c| c.name == value)
        .map(|c| StatusMapping {
            lifecycle: None,
            hold: None,
            after_sale: None,
            tracking: Some(c.tracking),
            deposit_paid: false,
            partial: false,
        })
        .ok_or_else(|| {
            KitError::UnknownStatus(format!(
                "trace category {value:?} is not one this adapter knows (JD publishes no category table; add it to status.rs)"
            ))
        })
}

/// Whether a status says the parcel was delivered.
pub(crate) fn is_delivered(status: &PlatformStatus) -> bool {
    matches!(
        status_map(status),
        Ok(StatusMapping {
            tracking: Some(T::Delivered),
            ..
        })
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn map(value: &str) -> Result<Option<T>, KitError> {
        status_map(&PlatformStatus {
            domain: StatusDomain::Tracking,
            value: value.into(),
            context: vec![],
        })
        .map(|m| m.tracking)
    }

    #[test]
    fn categories_map() {
        assert!(matches!(map("揽收"), Ok(Some(T::PickedUp))));
        assert!(matches!(map("已签收"), Ok(Some(T::Delivered))));
        assert!(matches!(map("拒收"), Ok(Some(T::DeliveryFailed))));
        assert!(matches!(map("未知"), Err(KitError::UnknownStatus(_))));
        assert!(matches!(map(""), Err(KitError::UnknownStatus(_))));
        let order = PlatformStatus {
            domain: StatusDomain::Order,
            value: "揽收".into(),
            context: vec![],
        };
        assert!(matches!(
            status_map(&order),
            Err(KitError::UnknownStatus(_))
        ));
    }

    #[test]
    fn names_are_unique() {
        let mut names: Vec<&str> = CATEGORIES.iter().map(|c| c.name).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), CATEGORIES.len());
    }
}
