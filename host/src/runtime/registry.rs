//! The set of active adapters, swapped atomically.
//!
//! Requests read the current set without locks (`arc-swap`: many readers, rare
//! writers). Replacing an adapter publishes a new set; calls already running
//! hold an `Arc` to the version they started with and finish on it.

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;

use arc_swap::ArcSwap;

use super::component::{LoadError, LoadedAdapter};
use super::sandbox::{Limits, Sandbox};

/// Adapters by id.
pub type AdapterSet = BTreeMap<String, Arc<LoadedAdapter>>;

/// The active adapters.
pub struct Registry {
    active: ArcSwap<AdapterSet>,
    /// The sandbox the adapters were loaded into, which installs reuse.
    sandbox: Option<Sandbox>,
}

impl std::fmt::Debug for Registry {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Registry")
            .field("adapters", &self.active.load().keys().collect::<Vec<_>>())
            .finish()
    }
}

/// Why a directory of adapters could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum RegistryError {
    #[error("cannot read the adapters directory {dir}: {source}")]
    ReadDir { dir: String, source: std::io::Error },
    #[error(transparent)]
    Load(#[from] LoadError),
    #[error("two components in {dir} declare the adapter id {id:?}: {first} and {second}")]
    DuplicateId {
        dir: String,
        id: String,
        first: String,
        second: String,
    },
}

impl Registry {
    /// A registry holding the given adapters.
    pub fn new(adapters: AdapterSet) -> Self {
        Registry {
            active: ArcSwap::from_pointee(adapters),
            sandbox: None,
        }
    }

    /// The sandbox new versions are loaded into (set by [`Registry::load_dir`]).
    pub fn sandbox(&self) -> Option<&Sandbox> {
        self.sandbox.as_ref()
    }

    /// Loads every `*.wasm` in `dir`, keyed by the id each declares.
    /// `limits_for` gives each adapter id its limits.
    pub fn load_dir(
        sandbox: &Sandbox,
        dir: &Path,
        cache_dir: Option<&Path>,
        limits_for: impl Fn(&str) -> Limits,
    ) -> Result<Self, RegistryError> {
        let entries = std::fs::read_dir(dir).map_err(|source| RegistryError::ReadDir {
            dir: dir.display().to_string(),
            source,
        })?;
        let mut paths: Vec<_> = entries
            .filter_map(Result::ok)
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|x| x == "wasm"))
            .collect();
        paths.sort();
        let mut set = AdapterSet::new();
        for path in paths {
            // Limits depend on the id, which is known only after loading; the
            // file stem is the id by convention, and a mismatch is reloaded.
            let stem = path
                .file_stem()
                .map(|s| s.to_string_lossy().to_string())
                .unwrap_or_default();
            let mut adapter =
                LoadedAdapter::load_file(sandbox, &path, cache_dir, limits_for(&stem))?;
            if adapter.id() != stem {
                adapter =
                    LoadedAdapter::load_file(sandbox, &path, cache_dir, limits_for(adapter.id()))?;
            }
            if let Some(first) = set.get(adapter.id()) {
                return Err(RegistryError::DuplicateId {
                    dir: dir.display().to_string(),
                    id: adapter.id().to_string(),
                    first: first.source().to_string(),
                    second: path.display().to_string(),
                });
            }
            tracing::info!(adapter = adapter.id(), version = %adapter.metadata().version, sha256 = adapter.sha256(), "adapter loaded");
            set.insert(adapter.id().to_string(), Arc::new(adapter));
        }
        let mut registry = Registry::new(set);
        registry.sandbox = Some(sandbox.clone());
        Ok(registry)
    }

    /// The adapter with this id, as of now.
    pub fn get(&self, id: &str) -> Option<Arc<LoadedAdapter>> {
        self.active.load().get(id).cloned()
    }

    /// A snapshot of every active adapter.
    pub fn all(&self) -> Arc<AdapterSet> {
        self.active.load_full()
    }

    /// Installs (or replaces) one adapter atomically; returns the one replaced.
    /// Calls already running keep their `Arc` of the old version and finish
    /// on it; calls that look the adapter up afterwards get the new one.
    pub fn install(&self, adapter: LoadedAdapter) -> Option<Arc<LoadedAdapter>> {
        let adapter = Arc::new(adapter);
        let mut previous = None;
        self.active.rcu(|set| {
            let mut next = AdapterSet::clone(set);
            previous = next.insert(adapter.id().to_string(), adapter.clone());
            next
        });
        previous
    }
}
