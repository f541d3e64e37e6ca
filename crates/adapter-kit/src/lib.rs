//! Guest-side helpers shared by every OrderHub adapter.
//!
//! Adapters translate one platform into the canonical model; the fiddly parts
//! they all need — signature digests compared in constant time, yuan strings
//! turned into integer minor units, platform local times turned into UTC
//! instants, JSON access that names the missing field, AES-CBC decryption of
//! encrypted pushes — live here once, so an adapter stays a short, readable
//! translation table.
//!
//! The crate knows nothing about the generated WIT bindings: helpers return
//! [`KitError`], and [`impl_adapter_error_from_kit!`] turns it into the
//! adapter's WIT `adapter-error` in one line.

pub mod account;
pub mod aes;
pub mod contract;
pub mod error;
pub mod http;
pub mod json;
pub mod money;
pub mod poll_window;
pub mod sig;
pub mod time;
pub mod zone;

pub use error::KitError;
