//! EasyPost's tracker statuses and status details, and what they mean.
//!
//! A tracker (and each of its scans) has a `status` and a finer
//! `status_detail`. The adapter carries the pair as one platform status:
//! `value` is `status`, and the context field `status_detail` holds the
//! detail; a finalized tracker adds `finalized=true`. The status decides the
//! canonical state; a few details refine it (see [`status_map`]). Both
//! vocabularies are EasyPost's documented enums
//! (`EasyPost/easypost-csharp` `EasyPost/Models/API/Tracker.cs`); anything
//! else is refused as `unknown-status`.

use orderhub_adapter_kit::KitError;

use crate::bindings::orderhub::adapter::types::{
    Field, PlatformStatus, StatusDomain, StatusMapping, TrackingStatus as T,
};

/// Context name carrying the tracker's or scan's `status_detail`.
pub(crate) const STATUS_DETAIL: &str = "status_detail";
/// Context name set to `true` when EasyPost finalized the tracker (no more updates).
pub(crate) const FINALIZED: &str = "finalized";

/// One documented tracker `status`.
pub(crate) struct Status {
    pub(crate) value: &'static str,
    pub(crate) meaning: &'static str,
    /// `None` says nothing about the parcel (EasyPost's `unknown`).
    pub(crate) tracking: Option<T>,
}

const fn status(value: &'static str, meaning: &'static str, tracking: Option<T>) -> Status {
    Status {
        value,
        meaning,
        tracking,
    }
}

/// Every documented `status`.
pub(crate) const STATUSES: &[Status] = &[
    status(
        "pre_transit",
        "label created or shipment information sent; the carrier has not scanned it yet",
        Some(T::InfoReceived),
    ),
    status(
        "in_transit",
        "moving through the carrier's network",
        Some(T::InTransit),
    ),
    status(
        "out_for_delivery",
        "on the vehicle for delivery",
        Some(T::OutForDelivery),
    ),
    status("delivered", "delivered", Some(T::Delivered)),
    status(
        "available_for_pickup",
        "waiting at a pickup location",
        Some(T::AvailableForPickup),
    ),
    status(
        "return_to_sender",
        "being returned to the sender",
        Some(T::Returning),
    ),
    status(
        "failure",
        "delivery failed or the shipment has a problem",
        Some(T::Exception),
    ),
    status(
        "cancelled",
        "the shipment was cancelled",
        Some(T::Exception),
    ),
    status(
        "unknown",
        "EasyPost could not interpret the carrier's latest scan",
        None,
    ),
    status(
        "error",
        "the carrier reported an error for the number",
        Some(T::Exception),
    ),
];

/// Every documented `status_detail`, with its meaning.
pub(crate) const DETAILS: &[(&str, &str)] = &[
    ("address_correction", "the address needs correcting"),
    ("arrived_at_destination", "arrived at the destination"),
    ("arrived_at_facility", "arrived at a carrier facility"),
    (
        "arrived_at_pickup_location",
        "arrived at the pickup location",
    ),
    ("awaiting_information", "the carrier waits for information"),
    ("cancelled", "cancelled"),
    ("damaged", "damaged"),
    ("delayed", "delayed"),
    ("delivery_exception", "a delivery attempt failed"),
    ("departed_facility", "left a carrier facility"),
    ("departed_origin_facility", "left the origin facility"),
    ("expired", "the tracker expired without further scans"),
    ("failure", "failure"),
    ("held", "held by the carrier"),
    ("in_transit", "in transit"),
    ("label_created", "label created"),
    ("lost", "lost"),
    ("missorted", "missorted"),
    ("out_for_delivery", "out for delivery"),
    (
        "received_at_destination_facility",
        "received at the destination facility",
    ),
    (
        "received_at_origin_facility",
        "received at the origin facility (picked up)",
    ),
    ("refused", "the receiver refused it"),
    ("return", "being returned"),
    (
        "status_update",
        "a status update without a more specific meaning",
    ),
    (
        "transferred_to_destination_carrier",
        "handed to the destination country's carrier",
    ),
    ("transit_exception", "a problem in transit"),
    ("unknown", "not classified"),
    ("weather_delay", "delayed by weather"),
];

/// Failure details that mean a delivery attempt failed, not a lost or broken parcel.
const FAILED_DELIVERY: &[&str] = &[
    "delivery_exception",
    "refused",
    "address_correction",
    "awaiting_information",
];

/// The canonical meaning of one EasyPost status (with its detail in context).
///
/// Refinements, in order:
/// - detail `expired` → `expired`, whatever the status;
/// - `in_transit` + `received_at_origin_facility` → `picked_up`;
/// - `return_to_sender` on a finalized tracker → `returned`;
/// - `failure` + a failed-delivery detail → `delivery_failed`;
/// - otherwise the status decides; `unknown` says nothing.
pub(crate) fn status_map(status: &PlatformStatus) -> Result<StatusMapping, KitError> {
    if !matches!(status.domain, StatusDomain::Tracking) {
        return Err(KitError::UnknownStatus(format!(
            "{:?} status {:?}: EasyPost only reports tracking statuses",
            status.domain, status.value
        )));
    }
    let value = status.value.trim();
    let base = STATUSES.iter().find(|s| s.value == value).ok_or_else(|| {
        KitError::UnknownStatus(format!(
            "tracker status {value:?} is not an EasyPost status"
        ))
    })?;
    let detail = context(&status.context, STATUS_DETAIL);
    if let Some(detail) = detail
        && !DETAILS.iter().any(|(d, _)| *d == detail)
    {
        return Err(KitError::UnknownStatus(format!(
            "status_detail {detail:?} is not an EasyPost status detail"
        )));
    }
    let finalized = context(&status.context, FINALIZED) == Some("true");
    let tracking = match (value, detail) {
        (_, Some("expired")) => Some(T::Expired),
        ("in_transit", Some("received_at_origin_facility")) => Some(T::PickedUp),
        ("return_to_sender", _) if finalized => Some(T::Returned),
        ("failure", Some(d)) if FAILED_DELIVERY.contains(&d) => Some(T::DeliveryFailed),
        _ => base.tracking,
    };
    Ok(StatusMapping {
        lifecycle: None,
        hold: None,
        after_sale: None,
        tracking,
        deposit_paid: false,
        partial: false,
    })
}

/// A non-blank context value.
fn context<'a>(fields: &'a [Field], name: &str) -> Option<&'a str> {
    orderhub_adapter_kit::http::named_value(fields.iter().map(|f| (&f.name, &f.value)), name)
}

/// A tracking status with its detail (and `finalized=true` when set).
pub(crate) fn tracking_status(
    value: String,
    detail: Option<String>,
    finalized: bool,
) -> PlatformStatus {
    let mut context = Vec::new();
    if let Some(detail) = detail {
        context.push(Field {
            name: STATUS_DETAIL.into(),
            value: detail,
        });
    }
    if finalized {
        context.push(Field {
            name: FINALIZED.into(),
            value: "true".into(),
        });
    }
    PlatformStatus {
        domain: StatusDomain::Tracking,
        value,
        context,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn map(value: &str, detail: Option<&str>, finalized: bool) -> Result<Option<T>, KitError> {
        status_map(&tracking_status(
            value.into(),
            detail.map(str::to_string),
            finalized,
        ))
        .map(|m| m.tracking)
    }

    #[test]
    fn statuses_map_and_details_refine() {
        assert!(matches!(
            map("pre_transit", Some("label_created"), false),
            Ok(Some(T::InfoReceived))
        ));
        assert!(matches!(
            map("in_transit", Some("arrived_at_facility"), false),
            Ok(Some(T::InTransit))
        ));
        assert!(matches!(
            map("in_transit", Some("received_at_origin_facility"), false),
            Ok(Some(T::PickedUp))
        ));
        assert!(matches!(
            map("failure", Some("refused"), false),
            Ok(Some(T::DeliveryFailed))
        ));
        assert!(matches!(
            map("failure", Some("lost"), false),
            Ok(Some(T::Exception))
        ));
        assert!(matches!(
            map("return_to_sender", None, false),
            Ok(Some(T::Returning))
        ));
        assert!(matches!(
            map("return_to_sender", Some("return"), true),
            Ok(Some(T::Returned))
        ));
        assert!(matches!(map("unknown", None, false), Ok(None)));
        assert!(matches!(
            map("unknown", Some("expired"), false),
            Ok(Some(T::Expired))
        ));
        assert!(matches!(
            map("delivered", None, true),
            Ok(Some(T::Delivered))
        ));
    }

    #[test]
    fn every_documented_pair_is_accepted() {
        assert_eq!((STATUSES.len(), DETAILS.len()), (10, 28));
        for s in STATUSES {
            for (d, _) in DETAILS {
                assert!(map(s.value, Some(d), false).is_ok(), "{} {d}", s.value);
            }
        }
    }

    #[test]
    fn unknown_values_and_domains_are_refused() {
        assert!(matches!(
            map("lost", None, false),
            Err(KitError::UnknownStatus(_))
        ));
        assert!(matches!(
            map("", None, false),
            Err(KitError::UnknownStatus(_))
        ));
        assert!(matches!(
            map("in_transit", Some("teleported"), false),
            Err(KitError::UnknownStatus(_))
        ));
        let order = PlatformStatus {
            domain: StatusDomain::Order,
            value: "delivered".into(),
            context: vec![],
        };
        assert!(matches!(
            status_map(&order),
            Err(KitError::UnknownStatus(_))
        ));
    }
}
