//! Kuaidi100's tracking states and what they mean canonically.
//!
//! Kuaidi100 reports a main state (`0` in transit … `14` refused) and, for
//! subscriptions with `resultv2=4`, an advanced sub-state (`101` ordered …
//! `1003` forwarded). Both arrive in the same field, so one table covers
//! both. The table is also what metadata declares, so `status-map` and the
//! declared statuses cannot disagree.
//!
//! A subscription that Kuaidi100 stops (`status=abort`) says why only in its
//! message; the two documented reasons refine the state and arrive as
//! `context` (`monitor_status`, `message`).

use orderhub_adapter_kit::KitError;

use crate::bindings::orderhub::adapter::types::{
    Field, PlatformStatus, StatusDomain, StatusMapping, TrackingStatus as T,
};

/// One Kuaidi100 state code.
#[derive(Debug, Clone, Copy)]
pub(crate) struct StateCode {
    /// The code as Kuaidi100 sends it.
    pub code: &'static str,
    /// Kuaidi100's own name for it.
    pub name: &'static str,
    /// What Kuaidi100 documents it to mean.
    pub meaning: &'static str,
    pub tracking: T,
}

const fn code(
    code: &'static str,
    name: &'static str,
    meaning: &'static str,
    tracking: T,
) -> StateCode {
    StateCode {
        code,
        name,
        meaning,
        tracking,
    }
}

/// Every main state and advanced sub-state Kuaidi100 documents.
pub(crate) const STATES: &[StateCode] = &[
    // Main states.
    code("0", "在途", "in transit", T::InTransit),
    code("1", "揽收", "picked up by the carrier", T::PickedUp),
    code("2", "疑难", "problem parcel", T::Exception),
    code("3", "签收", "signed for", T::Delivered),
    code(
        "4",
        "退签",
        "returned and signed for by the sender",
        T::Returned,
    ),
    code("5", "派件", "out for delivery", T::OutForDelivery),
    code("6", "退回", "on its way back to the sender", T::Returning),
    code("7", "转投", "handed over to another carrier", T::InTransit),
    code("8", "清关", "in customs clearance", T::InTransit),
    code(
        "10",
        "待清关",
        "waiting for customs clearance",
        T::InTransit,
    ),
    code(
        "11",
        "清关中",
        "customs clearance in progress",
        T::InTransit,
    ),
    code("12", "已清关", "cleared customs", T::InTransit),
    code("13", "清关异常", "customs clearance problem", T::Exception),
    code("14", "拒签", "refused by the receiver", T::DeliveryFailed),
    // Sub-states of 1 (picked up).
    code("101", "已下单", "shipment ordered", T::InfoReceived),
    code(
        "102",
        "待揽收",
        "waiting for the carrier to pick up",
        T::InfoReceived,
    ),
    code("103", "已揽收", "picked up by the carrier", T::PickedUp),
    // Sub-states of 0 (in transit).
    code(
        "1001",
        "到达派件城市",
        "arrived in the receiver's city",
        T::InTransit,
    ),
    code("1002", "干线", "in line-haul transport", T::InTransit),
    code(
        "1003",
        "转递",
        "forwarded to a new delivery address",
        T::InTransit,
    ),
    // Sub-state of 5 (out for delivery).
    code(
        "501",
        "投柜或驿站",
        "left in a parcel locker or pickup station",
        T::AvailableForPickup,
    ),
    // Sub-states of 3 (signed for).
    code(
        "301",
        "本人签收",
        "signed for by the receiver",
        T::Delivered,
    ),
    code(
        "302",
        "派件异常后签收",
        "signed for after a delivery problem",
        T::Delivered,
    ),
    code(
        "303",
        "代签",
        "signed for on the receiver's behalf",
        T::Delivered,
    ),
    code(
        "304",
        "投柜或站签收",
        "collected from a parcel locker or pickup station",
        T::Delivered,
    ),
    // Sub-state of 4 (returned).
    code("401", "已销单", "waybill cancelled", T::Exception),
    // Sub-states of 2 (problem parcel).
    code(
        "201",
        "超时未签收",
        "not signed for long after delivery started",
        T::Exception,
    ),
    code(
        "202",
        "超时未更新",
        "no update for a long time",
        T::Exception,
    ),
    code(
        "203",
        "拒收",
        "receiver refused, waiting for the sender to confirm",
        T::DeliveryFailed,
    ),
    code(
        "204",
        "派件异常",
        "delivery attempt failed",
        T::DeliveryFailed,
    ),
    code(
        "205",
        "柜或驿站超时未取",
        "not collected from a locker or station in time",
        T::Exception,
    ),
    code(
        "206",
        "无法联系",
        "receiver cannot be reached",
        T::DeliveryFailed,
    ),
    code(
        "207",
        "超区",
        "outside the carrier's service area",
        T::Exception,
    ),
    code(
        "208",
        "滞留",
        "held at a depot, not delivered",
        T::Exception,
    ),
    code("209", "破损", "damaged", T::Exception),
    code("210", "销单", "sender cancelled the shipment", T::Exception),
];

/// Context name carrying the push's monitoring status (`polling`, `shutdown`,
/// `abort`, `updateall`).
pub(crate) const MONITOR_STATUS: &str = "monitor_status";
/// Context name carrying the push's message when monitoring was aborted.
pub(crate) const MESSAGE: &str = "message";
/// The monitoring status of a subscription Kuaidi100 stopped.
pub(crate) const ABORT: &str = "abort";
/// Abort reason: three days without any record for the number.
const NO_RECORD_FOR_3_DAYS: &str = "3天查询无记录";
/// Abort reason: sixty days without any change.
const NO_CHANGE_FOR_60_DAYS: &str = "60天无变化";

/// The canonical meaning of one Kuaidi100 tracking status.
pub(crate) fn status_map(status: &PlatformStatus) -> Result<StatusMapping, KitError> {
    if !matches!(status.domain, StatusDomain::Tracking) {
        return Err(KitError::UnknownStatus(format!(
            "{:?} status {:?}: Kuaidi100 only reports tracking states",
            status.domain, status.value
        )));
    }
    if let Some(tracking) = abort_reason(&status.context) {
        return Ok(tracking_only(tracking));
    }
    let value = status.value.trim();
    STATES
        .iter()
        .find(|s| s.code == value)
        .map(|s| tracking_only(s.tracking))
        .ok_or_else(|| {
            KitError::UnknownStatus(format!(
                "tracking state {value:?} is not a Kuaidi100 state code"
            ))
        })
}

/// What a stopped subscription's message says about the parcel, when it is
/// one of the two documented reasons. Any other abort (such as the notice of a
/// corrected carrier code) leaves the state code to speak.
fn abort_reason(context: &[Field]) -> Option<T> {
    let get = |name: &str| {
        context
            .iter()
            .find(|f| f.name == name)
            .map(|f| f.value.as_str())
    };
    if get(MONITOR_STATUS)? != ABORT {
        return None;
    }
    let message = get(MESSAGE)?;
    if message.contains(NO_CHANGE_FOR_60_DAYS) {
        Some(T::Expired)
    } else if message.contains(NO_RECORD_FOR_3_DAYS) {
        // The number may simply not be in the carrier's system yet; Kuaidi100
        // advises subscribing again, so the parcel counts as announced only.
        Some(T::InfoReceived)
    } else {
        None
    }
}

/// A mapping that only speaks about tracking; the host derives what a
/// tracking state means for the order.
fn tracking_only(tracking: T) -> StatusMapping {
    StatusMapping {
        lifecycle: None,
        hold: None,
        after_sale: None,
        tracking: Some(tracking),
        deposit_paid: false,
        partial: false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tracking(value: &str, context: &[(&str, &str)]) -> Result<Option<T>, KitError> {
        let status = PlatformStatus {
            domain: StatusDomain::Tracking,
            value: value.into(),
            context: context
                .iter()
                .map(|(n, v)| Field {
                    name: (*n).into(),
                    value: (*v).into(),
                })
                .collect(),
        };
        status_map(&status).map(|m| m.tracking)
    }

    #[test]
    fn main_and_sub_states_map() {
        assert!(matches!(tracking("0", &[]), Ok(Some(T::InTransit))));
        assert!(matches!(tracking("304", &[]), Ok(Some(T::Delivered))));
        assert!(matches!(
            tracking("501", &[]),
            Ok(Some(T::AvailableForPickup))
        ));
        assert!(matches!(tracking("14", &[]), Ok(Some(T::DeliveryFailed))));
        assert!(matches!(tracking("4", &[]), Ok(Some(T::Returned))));
        assert!(matches!(tracking("6", &[]), Ok(Some(T::Returning))));
        assert!(matches!(tracking("101", &[]), Ok(Some(T::InfoReceived))));
    }

    #[test]
    fn every_code_is_listed_once() {
        let mut codes: Vec<&str> = STATES.iter().map(|s| s.code).collect();
        codes.sort_unstable();
        codes.dedup();
        assert_eq!(codes.len(), STATES.len());
        assert_eq!(STATES.len(), 36);
    }

    #[test]
    fn documented_abort_reasons_refine_the_state() {
        let no_record = [(MONITOR_STATUS, "abort"), (MESSAGE, "3天查询无记录")];
        let no_change = [(MONITOR_STATUS, "abort"), (MESSAGE, "60天无变化")];
        assert!(matches!(
            tracking("0", &no_record),
            Ok(Some(T::InfoReceived))
        ));
        assert!(matches!(tracking("0", &no_change), Ok(Some(T::Expired))));
        // Other aborts, and the same message while still monitoring, do not.
        assert!(matches!(
            tracking("0", &[(MONITOR_STATUS, "abort"), (MESSAGE, "")]),
            Ok(Some(T::InTransit))
        ));
        assert!(matches!(
            tracking("0", &[(MONITOR_STATUS, "polling"), (MESSAGE, "60天无变化")]),
            Ok(Some(T::InTransit))
        ));
    }

    #[test]
    fn unknown_values_and_domains_are_refused() {
        assert!(matches!(
            tracking("9", &[]),
            Err(KitError::UnknownStatus(_))
        ));
        assert!(matches!(tracking("", &[]), Err(KitError::UnknownStatus(_))));
        let order = PlatformStatus {
            domain: StatusDomain::Order,
            value: "3".into(),
            context: vec![],
        };
        assert!(matches!(
            status_map(&order),
            Err(KitError::UnknownStatus(_))
        ));
    }
}
