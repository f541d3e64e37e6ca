//! Running adapters: the contract bindings, the sandbox, loading and caching
//! components, and the registry of active adapters.

pub mod bindings;
pub mod cache;
pub mod component;
pub mod registry;
pub mod sandbox;
pub mod versions;

pub use component::{CallError, CallStats, LoadError, LoadedAdapter, component_sha256};
pub use registry::Registry;
pub use sandbox::{Limits, Sandbox, SandboxConfig};
