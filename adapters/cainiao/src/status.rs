//! Cainiao trace action codes and what they mean canonically.
//!
//! Every scan of a Cainiao trace carries an `actionCode` naming the step of
//! the Cainiao network that produced it: warehouse (`GWMS_*`, `WMS_*`),
//! first-mile pickup (`PU_*`), sorting centre (`SC_*`), line haul (`LH_*`),
//! customs (`CC_*`) and last mile (`GTMS_*`). Cainiao publishes no table of
//! them; the list below is every code seen in Cainiao's own tracking answers
//! and in third-party push handlers (see the README: all 🟡). The table is
//! also what metadata declares, so `status-map` and the declared statuses
//! cannot disagree.

use orderhub_adapter_kit::KitError;

use crate::bindings::orderhub::adapter::types::{
    PlatformStatus, StatusDomain, StatusMapping, TrackingStatus as T,
};

/// One action code.
#[derive(Debug, Clone, Copy)]
pub(crate) struct ActionCode {
    pub code: &'static str,
    /// What the code means, as Cainiao's English tracking page words it.
    pub meaning: &'static str,
    pub tracking: T,
}

const fn code(code: &'static str, meaning: &'static str, tracking: T) -> ActionCode {
    ActionCode {
        code,
        meaning,
        tracking,
    }
}

/// Every action code this adapter knows.
pub(crate) const ACTION_CODES: &[ActionCode] = &[
    // Warehouse (fulfilment centre) steps: the parcel exists, no carrier has it yet.
    code(
        "GWMS_ACCEPT",
        "shipment information received by warehouse electronically",
        T::InfoReceived,
    ),
    code(
        "WMS_CONFIRMED",
        "warehouse confirmed the order",
        T::InfoReceived,
    ),
    code(
        "GWMS_PACKAGE",
        "package ready for shipping from warehouse",
        T::InfoReceived,
    ),
    code(
        "GWMS_OUTBOUND",
        "package shipped out from warehouse",
        T::PickedUp,
    ),
    // First mile.
    code(
        "PU_PICKUP_SUCCESS",
        "received by logistics company",
        T::PickedUp,
    ),
    code("PU_PICKUP_FAILURE", "pickup failed", T::Exception),
    // Sorting centre.
    code(
        "SC_INBOUND_SUCCESS",
        "processing at sorting center",
        T::InTransit,
    ),
    code(
        "SC_INBOUND_FAILURE",
        "sorting center could not accept the parcel",
        T::Exception,
    ),
    code(
        "SC_OUTBOUND_SUCCESS",
        "departed from sorting center",
        T::InTransit,
    ),
    // Line haul.
    code(
        "LH_HO_IN_SUCCESS",
        "arrived at departure transport hub",
        T::InTransit,
    ),
    code(
        "LH_HO_AIRLINE",
        "leaving from departure country/region",
        T::InTransit,
    ),
    code(
        "LH_DEPART",
        "departed from departure country/region",
        T::InTransit,
    ),
    code("LH_ARRIVE", "arrived at linehaul office", T::InTransit),
    // Customs.
    code(
        "CC_EX_START",
        "export customs clearance started",
        T::InTransit,
    ),
    code(
        "CC_EX_SUCCESS",
        "export customs clearance complete",
        T::InTransit,
    ),
    code("CC_HO_IN_SUCCESS", "arrived at customs", T::InTransit),
    code("CC_HO_OUT_SUCCESS", "departed from customs", T::InTransit),
    code(
        "CC_IM_START",
        "import customs clearance started",
        T::InTransit,
    ),
    code(
        "CC_IM_SUCCESS",
        "import customs clearance complete",
        T::InTransit,
    ),
    code(
        "CUSTOMS_ARRIVED_IN_AREA_CALLBACK",
        "carrier update: arrived in the customs area",
        T::InTransit,
    ),
    code(
        "TRANSIT_PORT_REROUTE_CALLBACK",
        "carrier update: rerouted at a transit port",
        T::InTransit,
    ),
    // Last mile.
    code(
        "GTMS_ACCEPT",
        "accepted by the last-mile carrier",
        T::InTransit,
    ),
    code("GTMS_DO_DEPART", "out for delivery", T::OutForDelivery),
    code("GTMS_DELIVERING", "being delivered", T::OutForDelivery),
    code("GTMS_SIGNED", "delivered", T::Delivered),
    code("GTMS_SIGN_FAILURE", "delivery failed", T::DeliveryFailed),
    code(
        "GTMS_DEL_FAILURE",
        "delivery attempt failed",
        T::DeliveryFailed,
    ),
];

/// The action code of a delivered parcel.
pub(crate) const SIGNED: &str = "GTMS_SIGNED";

/// The canonical meaning of one action code.
pub(crate) fn status_map(status: &PlatformStatus) -> Result<StatusMapping, KitError> {
    if !matches!(status.domain, StatusDomain::Tracking) {
        return Err(KitError::UnknownStatus(format!(
            "{:?} status {:?}: Cainiao traces only carry tracking action codes",
            status.domain, status.value
        )));
    }
    let value = status.value.trim();
    ACTION_CODES
        .iter()
        .find(|c| c.code == value)
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
                "tracking action code {value:?} is not a Cainiao action code this adapter knows"
            ))
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tracking(value: &str) -> Result<Option<T>, KitError> {
        status_map(&PlatformStatus {
            domain: StatusDomain::Tracking,
            value: value.into(),
            context: vec![],
        })
        .map(|m| m.tracking)
    }

    #[test]
    fn codes_map_and_are_unique() {
        assert!(matches!(tracking("GTMS_SIGNED"), Ok(Some(T::Delivered))));
        assert!(matches!(tracking("GWMS_ACCEPT"), Ok(Some(T::InfoReceived))));
        assert!(matches!(tracking("CC_EX_START"), Ok(Some(T::InTransit))));
        assert!(matches!(
            tracking("GTMS_DO_DEPART"),
            Ok(Some(T::OutForDelivery))
        ));
        let mut codes: Vec<&str> = ACTION_CODES.iter().map(|c| c.code).collect();
        codes.sort_unstable();
        codes.dedup();
        assert_eq!(codes.len(), ACTION_CODES.len());
    }

    #[test]
    fn unknown_codes_and_domains_are_refused() {
        assert!(matches!(
            tracking("GTMS_TELEPORTED"),
            Err(KitError::UnknownStatus(_))
        ));
        let order = PlatformStatus {
            domain: StatusDomain::Order,
            value: "GTMS_SIGNED".into(),
            context: vec![],
        };
        assert!(matches!(
            status_map(&order),
            Err(KitError::UnknownStatus(_))
        ));
    }
}
