//! The OrderHub host.
//!
//! It receives platform webhooks, runs each through the platform's adapter in
//! a wasmtime sandbox, and writes the canonical result into the order store.
//!
//! - [`config`]: the `orderhub.toml` file.
//! - [`runtime`]: the sandbox, compiled-adapter cache and adapter registry.
//! - [`store`]: the order store trait, the state application shared by
//!   backends, the SQLite and PostgreSQL backends, export and import.
//! - [`pipeline`]: verify → inbox → normalize → status-map → apply.
//! - [`outbound`]: sending queued ship confirmations to channels.
//! - [`poll`]: polling platform APIs on a schedule, through an allow-listed client.
//! - [`stream`]: keeping platforms' push streams (WebSockets) connected.
//! - [`server`]: the HTTP routes.
//! - [`runner`] and [`conformance`]: `orderhub adapter run` and `adapter test`.
//! - [`app`]: wiring a configuration into a running pipeline.
//! - [`install`], [`admin`] and [`watch`]: validating and swapping adapter
//!   versions in a running host, over the admin API or a watched folder.
//! - [`rederive`]: running stored deliveries of one adapter through its
//!   current version again (`orderhub events replay --adapter`).
//! - [`template`]: `orderhub adapter new`, a new adapter crate from the template.

pub mod admin;
pub mod app;
pub mod config;
pub mod conformance;
pub mod install;
pub mod outbound;
pub mod pipeline;
pub mod poll;
pub mod rederive;
pub mod runner;
pub mod runtime;
pub mod server;
pub mod store;
pub mod stream;
pub mod template;
pub mod watch;
