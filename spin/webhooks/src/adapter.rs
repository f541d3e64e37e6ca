//! The adapter as this component sees it: the imported
//! `orderhub:adapter/connector@0.2.0` interface, and the conversions between
//! its generated types and the canonical model of `orderhub-core`.
//!
//! In Spin the import is satisfied by a component dependency
//! (`[component.X.dependencies]` in `spin.toml`): the same adapter `.wasm`
//! the native host loads, composed in when the application starts. The
//! bindings are generated from `wit/` itself rather than with
//! `spin_sdk::dependencies!()`, which reads the `spin-dependencies.wit` that
//! `spin build` writes: building the component must not need Spin installed.
//! The conversions are the native host's (`orderhub_core::wit_model_conversions!`):
//! the generated types differ (guest imports here, wasmtime exports there),
//! the shapes do not.

use chrono::{DateTime, Utc};
use orderhub_core::model as m;

mod generated {
    spin_sdk::wit_bindgen::generate!({
        path: "../../wit",
        inline: "package orderhub:spin-webhooks; world webhooks { import orderhub:adapter/connector@0.2.0; }",
        world: "orderhub:spin-webhooks/webhooks",
        runtime_path: "spin_sdk::wit_bindgen::rt",
        generate_all,
    });
}

use generated::orderhub::adapter::connector;
use generated::orderhub::adapter::types as w;

/// The adapter's id, from its metadata.
pub fn id() -> String {
    connector::metadata().id
}

/// `verify` on the raw request.
pub fn verify(
    request: &m::RawRequest,
    account: &m::AccountData,
    now: DateTime<Utc>,
) -> Result<(), m::AdapterError> {
    connector::verify(&request.into(), &account.into(), now.timestamp_millis()).map_err(Into::into)
}

/// `normalize` on the raw request.
pub fn normalize(
    request: &m::RawRequest,
    account: &m::AccountData,
) -> Result<Vec<m::Event>, m::AdapterError> {
    connector::normalize(&request.into(), &account.into())
        .map(|events| events.into_iter().map(Into::into).collect())
        .map_err(Into::into)
}

/// `status-map` of one platform status.
pub fn status_map(status: &m::PlatformStatus) -> Result<m::StatusMapping, m::AdapterError> {
    connector::status_map(&status.into())
        .map(Into::into)
        .map_err(Into::into)
}

/// The reply the platform expects.
pub fn acknowledge(request: &m::RawRequest) -> m::HttpReply {
    connector::acknowledge(&request.into()).into()
}

orderhub_core::wit_model_conversions!(w);
