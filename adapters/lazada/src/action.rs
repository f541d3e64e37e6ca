//! Outbound actions. Lazada ships per package: a shipment is confirmed by
//! packing order items into a package (`/order/fulfill/pack`) and then
//! declaring the package ready to ship with the package id Lazada returned,
//! a two-call flow whose second call depends on the first's answer. A single
//! signed request cannot express it, so it is not offered.

use orderhub_adapter_kit::KitError;

use crate::bindings::orderhub::adapter::types::Action;

/// Refuses every action with the reason.
pub fn build(action: &Action) -> KitError {
    match action {
        Action::ConfirmShipment(_) => KitError::Unsupported(
            "confirm-shipment: Lazada ships per package (pack the items, then mark the returned package id ready to ship), which needs two dependent calls".into(),
        ),
    }
}
