//! Wiring: from a configuration to a sandbox, registry, store and pipeline.

use std::sync::Arc;

use crate::config::{Config, StoreUrl};
use crate::install::{InstallError, Installer};
use crate::pipeline::Pipeline;
use crate::runtime::{Registry, Sandbox, SandboxConfig};
use crate::store::{OrderStore, PgStore, SqliteStore, StoreError};

/// Why the host could not start.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error("cannot create the wasmtime engine: {0}")]
    Engine(String),
    #[error(transparent)]
    Adapters(#[from] crate::runtime::registry::RegistryError),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// The sandbox sized for a configuration.
pub fn sandbox(config: &Config) -> Result<Sandbox, StartError> {
    Sandbox::new(SandboxConfig {
        max_concurrent_instances: config.max_concurrent_calls * 2,
        max_memory_bytes: config.max_memory_bytes(),
    })
    .map_err(|e| StartError::Engine(format!("{e:#}")))
}

/// Opens the configured store.
pub fn open_store(config: &Config) -> Result<Arc<dyn OrderStore>, StoreError> {
    match &config.store {
        StoreUrl::Sqlite(path) => Ok(Arc::new(SqliteStore::open(path)?)),
        StoreUrl::Postgres(location) => Ok(Arc::new(PgStore::open(location)?)),
    }
}

/// Loads the adapters directory.
pub fn load_registry(config: &Config, sandbox: &Sandbox) -> Result<Registry, StartError> {
    Ok(Registry::load_dir(
        sandbox,
        &config.adapters_dir,
        Some(&config.cache_dir),
        |id| config.limits_for(id),
    )?)
}

/// Everything a running host needs.
pub fn pipeline(config: Config) -> Result<Pipeline, StartError> {
    let sandbox = sandbox(&config)?;
    let registry = load_registry(&config, &sandbox)?;
    for account in &config.accounts {
        if registry.get(&account.adapter).is_none() {
            tracing::warn!(
                adapter = account.adapter,
                account = account.data.id,
                "account configured for an adapter that is not installed"
            );
        }
    }
    let store = open_store(&config)?;
    Ok(Pipeline::new(Arc::new(config), Arc::new(registry), store))
}

/// The installer of a running host's adapters (admin API, watched folder).
pub fn installer(pipeline: &Pipeline) -> Result<Installer, InstallError> {
    Installer::new(pipeline.config.clone(), pipeline.registry.clone())
}
