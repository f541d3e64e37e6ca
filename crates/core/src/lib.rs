//! OrderHub's canonical model and the rules every host applies to it.
//!
//! This crate is pure: no I/O, no runtime, no WebAssembly. The wasmtime host
//! and any other host (Spin) share it so the meaning of an event — its
//! idempotency key, how it moves an order along the lifecycle, what the
//! customer key is — is defined exactly once.
//!
//! - [`model`]: the canonical types, mirroring the WIT contract, with their JSON form.
//! - [`lifecycle`]: the order state machine (never backwards, terminal states, holds).
//! - [`keys`]: idempotency keys and cross-channel customer keys.
//! - [`wit_conversions`]: generated WIT bindings ↔ the model, for every host.
//! - [`carriers`]: canonical carrier ids and the codes platforms use for them.
//! - [`fulfilment`]: what an order's parcels say about the order.

pub mod carriers;
pub mod fulfilment;
pub mod keys;
pub mod lifecycle;
pub mod model;
pub mod wit_conversions;

/// Re-exported for [`wit_model_conversions!`], which names chrono's types.
pub use chrono;
