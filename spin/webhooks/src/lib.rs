//! OrderHub's webhook pipeline as a Spin HTTP component.
//!
//! `POST /webhooks/{adapter}/{account}` takes the same path as in the native
//! host (`host/src/pipeline.rs`): verify on the raw bytes → idempotency check
//! → normalize → status-map → one transaction with the raw request, its
//! events and their effect → the reply the platform expects. The rules that
//! change state, the event keys and the store's rows are shared with the
//! native host (`orderhub-apply`, `orderhub-core`); what is Spin's own is
//! here: the adapter is an imported component (`adapter`), the store is
//! Spin's SQLite (`store`) and accounts are Spin variables ([`settings`]).
//! The modules that need Spin build only for `wasm32`; [`settings`] and
//! [`schema`] are pure and tested natively.
//!
//! One Spin component serves one adapter: its `orderhub:adapter/connector`
//! import is satisfied by the adapter `.wasm` named in `spin.toml`.

pub mod schema;
pub mod settings;

#[cfg(target_arch = "wasm32")]
mod adapter;
#[cfg(target_arch = "wasm32")]
mod handler;
#[cfg(target_arch = "wasm32")]
mod store;
