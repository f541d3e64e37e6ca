//! The host side of the WIT contract: generated bindings and the conversions
//! between them and the canonical model of `orderhub-core`.
//!
//! Everything past this module speaks `orderhub_core::model`; the generated
//! types stay here so a contract change touches one file.

use chrono::{DateTime, Utc};

wasmtime::component::bindgen!({
    path: "../wit",
    world: "adapter",
});

pub use exports::orderhub::adapter::connector::Guest as Connector;
use orderhub::adapter::types as w;

/// The contract version this host speaks; components must import and export
/// interfaces of this version.
pub const CONTRACT_VERSION: &str = "0.2.0";

/// The exported interface name a component must provide.
pub const CONNECTOR_EXPORT: &str = "orderhub:adapter/connector@0.2.0";

pub fn to_millis(t: DateTime<Utc>) -> i64 {
    t.timestamp_millis()
}

orderhub_core::wit_model_conversions!(w);
