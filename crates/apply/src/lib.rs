//! How a delivery's canonical events change stored state — the part of the
//! pipeline every host shares.
//!
//! The native wasmtime host (SQLite and PostgreSQL) and the Spin component
//! (Spin's SQLite) both commit a delivery by implementing the small
//! [`apply::Tx`] trait over their own transaction; the rules themselves —
//! timelines written once per idempotency key, the order state machine,
//! parcels linked across systems — live here, once. Pure: no I/O, builds for
//! `wasm32-wasip2` as well as natively.
//!
//! - [`records`]: deliveries, outcomes and the stored order/shipment rows.
//! - [`derive`]: from an adapter's events to keyed, status-mapped events.
//! - [`apply`]: the rules, against a backend's [`apply::Tx`].
//! - [`sqlite_schema`]: the tables, for every host that stores on SQLite.

pub mod apply;
pub mod derive;
pub mod records;
pub mod sqlite_schema;
