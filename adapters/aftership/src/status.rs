//! AfterShip's delivery statuses (tags) and sub-statuses (subtags).
//!
//! A tracking and each checkpoint carry a `tag` (nine documented values) and
//! a finer `subtag` (`<Tag>_<NNN>`). The adapter carries them as one platform
//! status: `value` is the tag, the context field `subtag` holds the subtag,
//! and `return_to_sender=true` is added when the tracking says the parcel is
//! going back. The subtag decides where it is more specific than the tag
//! (see [`status_map`]); unknown tags, unknown subtags and a subtag of
//! another tag are refused as `unknown-status`.

use orderhub_adapter_kit::KitError;

use crate::bindings::orderhub::adapter::types::{
    Field, PlatformStatus, StatusDomain, StatusMapping, TrackingStatus as T,
};

/// Context name carrying the `subtag`.
pub(crate) const SUBTAG: &str = "subtag";
/// Context name set to `true` when the tracking's `return_to_sender` is true.
pub(crate) const RETURN_TO_SENDER: &str = "return_to_sender";

/// One documented tag.
pub(crate) struct Tag {
    pub(crate) value: &'static str,
    pub(crate) meaning: &'static str,
    /// `None` says nothing about the parcel (`Pending`).
    pub(crate) tracking: Option<T>,
}

const fn tag(value: &'static str, meaning: &'static str, tracking: Option<T>) -> Tag {
    Tag {
        value,
        meaning,
        tracking,
    }
}

/// Every documented tag (aftership.com/docs/tracking/2025-01/enum/delivery-statuses).
pub(crate) const TAGS: &[Tag] = &[
    tag(
        "Pending",
        "new tracking pending its first carrier information",
        None,
    ),
    tag(
        "InfoReceived",
        "carrier has received the request from the shipper and is about to pick up",
        Some(T::InfoReceived),
    ),
    tag(
        "InTransit",
        "carrier has accepted or picked up the shipment; it is on the way",
        Some(T::InTransit),
    ),
    tag(
        "OutForDelivery",
        "carrier is about to deliver, or it is ready to pick up",
        Some(T::OutForDelivery),
    ),
    tag(
        "AttemptFail",
        "carrier attempted to deliver but failed",
        Some(T::DeliveryFailed),
    ),
    tag("Delivered", "delivered", Some(T::Delivered)),
    tag(
        "AvailableForPickup",
        "arrived at a pickup point and is available for pickup",
        Some(T::AvailableForPickup),
    ),
    tag(
        "Exception",
        "custom hold, undelivered, returned to sender or another exception",
        Some(T::Exception),
    ),
    tag(
        "Expired",
        "no tracking information for 30 days since added",
        Some(T::Expired),
    ),
];

/// One documented subtag; `tracking` overrides its tag's mapping when set.
pub(crate) struct Subtag {
    pub(crate) code: &'static str,
    pub(crate) meaning: &'static str,
    pub(crate) tracking: Option<T>,
}

const fn sub(code: &'static str, meaning: &'static str) -> Subtag {
    Subtag {
        code,
        meaning,
        tracking: None,
    }
}

const fn sub_as(code: &'static str, meaning: &'static str, tracking: T) -> Subtag {
    Subtag {
        code,
        meaning,
        tracking: Some(tracking),
    }
}

/// Every documented subtag (aftership.com/docs/tracking/…/enum/delivery-sub-statuses).
pub(crate) const SUBTAGS: &[Subtag] = &[
    sub(
        "Pending_001",
        "no information yet, or the number is yet to be tracked",
    ),
    sub("Pending_002", "pending (meaning not published)"),
    sub("Pending_003", "pending (meaning not published)"),
    sub("Pending_004", "pending (meaning not published)"),
    sub("Pending_005", "pending (meaning not published)"),
    sub("Pending_006", "pending (meaning not published)"),
    sub(
        "InfoReceived_001",
        "the carrier received the shipper's request and is about to pick up",
    ),
    sub("InTransit_001", "shipment on the way"),
    sub_as(
        "InTransit_002",
        "acceptance scan: shipment accepted by the carrier",
        T::PickedUp,
    ),
    sub("InTransit_003", "arrival scan at a hub or sorting center"),
    sub("InTransit_004", "arrived at the destination country"),
    sub("InTransit_005", "customs clearance completed"),
    sub("InTransit_006", "handed over to customs for clearance"),
    sub("InTransit_007", "departure scan: left the facility"),
    sub("InTransit_008", "problem resolved, shipment in transit"),
    sub("InTransit_009", "forwarded to a different delivery address"),
    sub("OutForDelivery_001", "out for delivery"),
    sub(
        "OutForDelivery_003",
        "the customer is contacted before the final delivery",
    ),
    sub("OutForDelivery_004", "a delivery appointment is scheduled"),
    sub(
        "AttemptFail_001",
        "delivery failed; the carrier usually leaves a notice and retries",
    ),
    sub("AttemptFail_002", "addressee not available"),
    sub("AttemptFail_003", "business closed at the time of delivery"),
    sub("Delivered_001", "delivered"),
    sub("Delivered_002", "picked up by the customer"),
    sub("Delivered_003", "delivered to and signed by the customer"),
    sub("Delivered_004", "delivered and cash on delivery collected"),
    sub("Delivered_005", "delivered to a neighbour"),
    sub("AvailableForPickup_001", "available for pickup"),
    sub("Exception_001", "shipping exception"),
    sub_as(
        "Exception_002",
        "delivery failed: customer moved",
        T::DeliveryFailed,
    ),
    sub_as(
        "Exception_003",
        "delivery failed: customer refused delivery",
        T::DeliveryFailed,
    ),
    sub("Exception_004", "delayed (customs clearance)"),
    sub("Exception_005", "delayed (external factors)"),
    sub("Exception_006", "held for payment"),
    sub_as(
        "Exception_007",
        "not delivered: incorrect address",
        T::DeliveryFailed,
    ),
    sub(
        "Exception_008",
        "pickup missed: not collected by the customer",
    ),
    sub("Exception_009", "rejected by the carrier (non-compliant)"),
    sub_as("Exception_010", "returning to sender", T::Returning),
    sub_as("Exception_011", "returned to sender", T::Returned),
    sub("Exception_012", "shipment damaged"),
    sub("Exception_013", "shipment lost"),
    sub(
        "Exception_016",
        "delayed (processing issue in the carrier network)",
    ),
    sub("Exception_017", "delayed (extreme weather)"),
    sub("Exception_018", "held: incorrect or missing documents"),
    sub("Expired_001", "no tracking information for 30 days"),
];

/// The canonical meaning of one tag (with its subtag in context).
///
/// The subtag's own mapping wins over the tag's. With
/// `return_to_sender=true`, a delivered parcel was delivered back to the
/// sender (`returned`), and a moving or failing one is `returning`;
/// `Pending` and `Expired` keep their meaning.
pub(crate) fn status_map(status: &PlatformStatus) -> Result<StatusMapping, KitError> {
    if !matches!(status.domain, StatusDomain::Tracking) {
        return Err(KitError::UnknownStatus(format!(
            "{:?} status {:?}: AfterShip only reports tracking statuses",
            status.domain, status.value
        )));
    }
    let value = status.value.trim();
    let tag = TAGS.iter().find(|t| t.value == value).ok_or_else(|| {
        KitError::UnknownStatus(format!("tag {value:?} is not an AfterShip delivery status"))
    })?;
    let mut tracking = tag.tracking;
    if let Some(code) = context(&status.context, SUBTAG) {
        let subtag = SUBTAGS.iter().find(|s| s.code == code).ok_or_else(|| {
            KitError::UnknownStatus(format!("subtag {code:?} is not an AfterShip sub-status"))
        })?;
        if code.split('_').next() != Some(tag.value) {
            return Err(KitError::UnknownStatus(format!(
                "subtag {code:?} ({}) does not belong to tag {value:?}",
                subtag.meaning
            )));
        }
        tracking = subtag.tracking.or(tracking);
    }
    if context(&status.context, RETURN_TO_SENDER) == Some("true") {
        tracking = match tracking {
            None => None,
            Some(T::Expired) => Some(T::Expired),
            Some(T::Delivered | T::Returned) => Some(T::Returned),
            Some(_) => Some(T::Returning),
        };
    }
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

/// A tracking status with its subtag (and `return_to_sender=true` when set).
pub(crate) fn tracking_status(
    tag: String,
    subtag: Option<String>,
    return_to_sender: bool,
) -> PlatformStatus {
    let mut context = Vec::new();
    if let Some(subtag) = subtag {
        context.push(Field {
            name: SUBTAG.into(),
            value: subtag,
        });
    }
    if return_to_sender {
        context.push(Field {
            name: RETURN_TO_SENDER.into(),
            value: "true".into(),
        });
    }
    PlatformStatus {
        domain: StatusDomain::Tracking,
        value: tag,
        context,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn map(tag: &str, subtag: Option<&str>, rts: bool) -> Result<Option<T>, KitError> {
        status_map(&tracking_status(
            tag.into(),
            subtag.map(str::to_string),
            rts,
        ))
        .map(|m| m.tracking)
    }

    #[test]
    fn tags_map_and_subtags_refine() {
        assert!(matches!(
            map("Pending", Some("Pending_001"), false),
            Ok(None)
        ));
        assert!(matches!(
            map("InfoReceived", None, false),
            Ok(Some(T::InfoReceived))
        ));
        assert!(matches!(
            map("InTransit", Some("InTransit_002"), false),
            Ok(Some(T::PickedUp))
        ));
        assert!(matches!(
            map("InTransit", Some("InTransit_007"), false),
            Ok(Some(T::InTransit))
        ));
        assert!(matches!(
            map("Exception", Some("Exception_010"), false),
            Ok(Some(T::Returning))
        ));
        assert!(matches!(
            map("Exception", Some("Exception_011"), false),
            Ok(Some(T::Returned))
        ));
        assert!(matches!(
            map("Exception", Some("Exception_003"), false),
            Ok(Some(T::DeliveryFailed))
        ));
        assert!(matches!(
            map("Exception", Some("Exception_013"), false),
            Ok(Some(T::Exception))
        ));
        assert!(matches!(
            map("AttemptFail", Some("AttemptFail_002"), false),
            Ok(Some(T::DeliveryFailed))
        ));
        assert!(matches!(
            map("Expired", Some("Expired_001"), true),
            Ok(Some(T::Expired))
        ));
    }

    #[test]
    fn return_to_sender_turns_the_parcel_around() {
        assert!(matches!(
            map("Exception", Some("Exception_001"), true),
            Ok(Some(T::Returning))
        ));
        assert!(matches!(
            map("InTransit", None, true),
            Ok(Some(T::Returning))
        ));
        assert!(matches!(
            map("Delivered", Some("Delivered_001"), true),
            Ok(Some(T::Returned))
        ));
        assert!(matches!(map("Pending", None, true), Ok(None)));
    }

    #[test]
    fn every_subtag_is_accepted_under_its_tag() {
        assert_eq!((TAGS.len(), SUBTAGS.len()), (9, 45));
        for s in SUBTAGS {
            let tag = s.code.split('_').next().unwrap();
            assert!(TAGS.iter().any(|t| t.value == tag), "{}", s.code);
            assert!(map(tag, Some(s.code), false).is_ok(), "{}", s.code);
        }
    }

    #[test]
    fn unknown_values_mismatches_and_domains_are_refused() {
        assert!(matches!(
            map("Lost", None, false),
            Err(KitError::UnknownStatus(_))
        ));
        assert!(matches!(
            map("InTransit", Some("InTransit_010"), false),
            Err(KitError::UnknownStatus(_))
        ));
        assert!(matches!(
            map("InTransit", Some("Delivered_001"), false),
            Err(KitError::UnknownStatus(_))
        ));
        let order = PlatformStatus {
            domain: StatusDomain::Order,
            value: "Delivered".into(),
            context: vec![],
        };
        assert!(matches!(
            status_map(&order),
            Err(KitError::UnknownStatus(_))
        ));
    }
}
