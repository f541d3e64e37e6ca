//! Installing a new adapter version into a running host, and rolling back.
//!
//! A component is checked completely before any request can reach it: it
//! must compile in this host's sandbox and implement the contract version the
//! host speaks, its metadata must be sane, and the conformance checks of
//! [`crate::conformance`] must pass on its fixtures (the ones given with the
//! install, else the ones kept with the version it replaces). Only then is it
//! kept on disk ([`VersionStore`]), written into the adapters directory (so a
//! restart serves the same version) and swapped into the [`Registry`]: calls
//! in flight finish on the old version, new calls use the new one.
//!
//! The admin API, the watched adapters folder and the `orderhub adapter`
//! commands all go through [`Installer`]; one lock serialises installs.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use chrono::Utc;
use orderhub_core::model::Metadata;
use serde::Serialize;

use crate::config::Config;
use crate::conformance;
use crate::runtime::cache::DeadlineError;
use crate::runtime::versions::{VersionError, VersionRecord, VersionStore, write_atomically};
use crate::runtime::{LoadError, LoadedAdapter, Registry, Sandbox, component_sha256};

/// The largest component an install accepts.
pub const MAX_COMPONENT_BYTES: usize = 64 << 20;

/// Why an install or rollback was refused. The active version keeps serving.
#[derive(Debug, thiserror::Error)]
pub enum InstallError {
    #[error("the component is {bytes} bytes; installs are limited to {limit} bytes")]
    TooLarge { bytes: usize, limit: usize },
    #[error(transparent)]
    Load(#[from] LoadError),
    #[error("{origin} declares the adapter id {got:?}, expected {expected:?}")]
    IdMismatch {
        origin: String,
        expected: String,
        got: String,
    },
    #[error("adapter {id}: metadata is not sane: {}", problems.join("; "))]
    Metadata { id: String, problems: Vec<String> },
    #[error("adapter {id} {version} failed {} of {total} conformance checks:\n{}", failures.len(), failures.join("\n"))]
    Checks {
        id: String,
        version: String,
        total: usize,
        failures: Vec<String>,
    },
    #[error("fixtures: {0}")]
    Fixtures(String),
    #[error(transparent)]
    Versions(#[from] VersionError),
    #[error("adapter {0} has no previous version to roll back to")]
    NothingToRollBack(String),
    #[error("{origin}: {error}")]
    Compile {
        origin: String,
        error: DeadlineError,
    },
    #[error("the installer is unusable: {0}")]
    Internal(String),
}

impl InstallError {
    /// A short machine-readable kind, as the admin API answers it.
    pub fn kind(&self) -> &'static str {
        match self {
            InstallError::TooLarge { .. } => "too-large",
            InstallError::Load(LoadError::Contract { .. }) => "contract",
            InstallError::Load(LoadError::Metadata { .. }) => "metadata",
            InstallError::Load(_) => "load",
            InstallError::Compile { .. } => "compile-limit",
            InstallError::IdMismatch { .. } => "id-mismatch",
            InstallError::Metadata { .. } => "metadata",
            InstallError::Checks { .. } => "conformance",
            InstallError::Fixtures(_) => "fixtures",
            InstallError::Versions(_) | InstallError::Internal(_) => "internal",
            InstallError::NothingToRollBack(_) => "no-previous-version",
        }
    }

    /// True when the component (or the request) is at fault, not the host.
    pub fn is_rejection(&self) -> bool {
        !matches!(self, InstallError::Versions(_) | InstallError::Internal(_))
    }
}

/// What to install.
#[derive(Debug, Clone, Default)]
pub struct InstallRequest {
    /// Where the component came from, for messages and the history.
    pub origin: String,
    /// A directory of fixture files (`*.json`, `fixtures/README.md`) to check it with.
    pub fixtures: Option<PathBuf>,
    /// The id the component must declare (a watched file's name).
    pub expected_id: Option<String>,
}

/// What an install or rollback did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct InstallReport {
    pub id: String,
    pub version: String,
    pub sha256: String,
    /// The version that was active before, if any.
    pub replaced_sha256: Option<String>,
    /// The component was already the active version: nothing changed.
    pub unchanged: bool,
    /// Conformance checks run (0 on a rollback: the version passed them when installed).
    pub checks_passed: usize,
    /// Fixture files the checks used.
    pub fixtures: usize,
}

/// One adapter's active and previous versions.
#[derive(Debug, Clone, Serialize)]
pub struct AdapterVersions {
    pub id: String,
    pub kind: String,
    pub version: String,
    pub sha256: String,
    pub source: String,
    /// The limits its calls run under (the host's, tightened by the adapter's).
    pub limits: LimitsInForce,
    /// Limits the adapter declared above the host's, which were not granted.
    pub limits_not_granted: Vec<String>,
    /// Versions a rollback returns to, the next one first.
    pub previous: Vec<VersionRecord>,
}

/// An adapter's per-call limits, as listed.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct LimitsInForce {
    pub wall_clock_ms: u64,
    pub fuel: u64,
    pub memory_bytes: u64,
    pub max_input_bytes: u64,
    pub max_output_bytes: u64,
}

impl From<crate::runtime::Limits> for LimitsInForce {
    fn from(l: crate::runtime::Limits) -> Self {
        let wide = |n: usize| u64::try_from(n).unwrap_or(u64::MAX);
        LimitsInForce {
            wall_clock_ms: u64::try_from(l.wall_clock.as_millis()).unwrap_or(u64::MAX),
            fuel: l.fuel,
            memory_bytes: wide(l.memory_bytes),
            max_input_bytes: wide(l.max_input_bytes),
            max_output_bytes: wide(l.max_output_bytes),
        }
    }
}

/// Installs and rolls back adapter versions of one host.
pub struct Installer {
    config: Arc<Config>,
    registry: Arc<Registry>,
    sandbox: Sandbox,
    versions: VersionStore,
    lock: Mutex<()>,
}

impl std::fmt::Debug for Installer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Installer")
            .field("versions", &self.versions.dir())
            .finish()
    }
}

impl Installer {
    /// An installer for the registry of a host configured by `config`.
    pub fn new(config: Arc<Config>, registry: Arc<Registry>) -> Result<Self, InstallError> {
        let sandbox = registry.sandbox().cloned().ok_or_else(|| {
            InstallError::Internal("the registry was not loaded into a sandbox".into())
        })?;
        let versions = VersionStore::new(config.versions_dir.clone());
        let installer = Installer {
            config,
            registry,
            sandbox,
            versions,
            lock: Mutex::new(()),
        };
        // The versions serving now are kept first, so any later install can
        // be rolled back to them and a refused watched file can be undone.
        for adapter in installer.registry.all().values() {
            if let Err(e) = installer.remember_active(adapter) {
                tracing::warn!(
                    adapter = adapter.id(),
                    "cannot keep the active version for rollback: {e}"
                );
            }
        }
        Ok(installer)
    }

    pub fn registry(&self) -> &Arc<Registry> {
        &self.registry
    }

    /// Validates a component and, when it passes, makes it the active version.
    /// Blocking: compiles and runs the conformance checks.
    pub fn install(
        &self,
        bytes: &[u8],
        request: &InstallRequest,
    ) -> Result<InstallReport, InstallError> {
        if bytes.len() > MAX_COMPONENT_BYTES {
            return Err(InstallError::TooLarge {
                bytes: bytes.len(),
                limit: MAX_COMPONENT_BYTES,
            });
        }
        let origin = if request.origin.is_empty() {
            "the component"
        } else {
            &request.origin
        };
        let adapter = self.load(bytes, origin)?;
        let id = adapter.id().to_string();
        if let Some(expected) = &request.expected_id
            && *expected != id
        {
            return Err(InstallError::IdMismatch {
                origin: origin.to_string(),
                expected: expected.clone(),
                got: id,
            });
        }
        let problems = metadata_problems(adapter.metadata());
        if !problems.is_empty() {
            return Err(InstallError::Metadata { id, problems });
        }

        let _guard = self
            .lock
            .lock()
            .map_err(|_| InstallError::Internal("an earlier install panicked".into()))?;
        let active = self.registry.get(&id);
        if let Some(active) = &active
            && active.sha256() == adapter.sha256()
        {
            return Ok(InstallReport {
                id,
                version: adapter.metadata().version.clone(),
                sha256: adapter.sha256().to_string(),
                replaced_sha256: None,
                unchanged: true,
                checks_passed: 0,
                fixtures: 0,
            });
        }
        // The fixtures given, else those kept with the version it replaces,
        // so a fix is held to what the version before it promised.
        let fixtures = match &request.fixtures {
            Some(dir) => Some(dir.clone()),
            None => active
                .as_ref()
                .map(|a| self.versions.fixtures_path(&id, a.sha256()))
                .filter(|p| p.is_dir()),
        };
        let (checks_passed, fixture_count) = run_checks(&adapter, fixtures.as_deref())?;

        if let Some(active) = &active {
            self.remember_active(active)?;
        }
        let kept_fixtures =
            self.versions
                .keep(&id, adapter.sha256(), bytes, fixtures.as_deref())?;
        write_atomically(&self.active_path(&id), bytes)?;
        self.versions.push(
            &id,
            VersionRecord {
                sha256: adapter.sha256().to_string(),
                version: adapter.metadata().version.clone(),
                installed_at: Utc::now(),
                origin: origin.to_string(),
                fixtures: kept_fixtures,
            },
        )?;
        let report = InstallReport {
            id: id.clone(),
            version: adapter.metadata().version.clone(),
            sha256: adapter.sha256().to_string(),
            replaced_sha256: active.as_ref().map(|a| a.sha256().to_string()),
            unchanged: false,
            checks_passed,
            fixtures: fixture_count,
        };
        self.registry.install(adapter);
        tracing::info!(
            adapter = report.id,
            version = report.version,
            sha256 = report.sha256,
            replaced = report.replaced_sha256,
            checks = checks_passed,
            "adapter installed"
        );
        Ok(report)
    }

    /// Returns an adapter to the version that was active before the current one.
    pub fn rollback(&self, id: &str) -> Result<InstallReport, InstallError> {
        let _guard = self
            .lock
            .lock()
            .map_err(|_| InstallError::Internal("an earlier install panicked".into()))?;
        let previous = self
            .versions
            .previous(id)?
            .ok_or_else(|| InstallError::NothingToRollBack(id.to_string()))?;
        let path = self.versions.wasm_path(id, &previous.sha256);
        let bytes = std::fs::read(&path).map_err(|e| {
            InstallError::Versions(VersionError {
                path: path.display().to_string(),
                message: e.to_string(),
            })
        })?;
        let adapter = self.load(&bytes, &path.display().to_string())?;
        if adapter.id() != id || adapter.sha256() != previous.sha256 {
            return Err(InstallError::Internal(format!(
                "{} does not hold version {} of {id}",
                path.display(),
                previous.sha256
            )));
        }
        write_atomically(&self.active_path(id), &bytes)?;
        self.versions.pop(id)?;
        let replaced = self.registry.install(adapter);
        tracing::info!(
            adapter = id,
            version = previous.version,
            sha256 = previous.sha256,
            "adapter rolled back"
        );
        Ok(InstallReport {
            id: id.to_string(),
            version: previous.version,
            sha256: previous.sha256,
            replaced_sha256: replaced.map(|a| a.sha256().to_string()),
            unchanged: false,
            checks_passed: 0,
            fixtures: 0,
        })
    }

    /// Every active adapter with the versions a rollback returns to.
    pub fn list(&self) -> Result<Vec<AdapterVersions>, InstallError> {
        let mut out = Vec::new();
        for adapter in self.registry.all().values() {
            let mut history = self.versions.history(adapter.id())?;
            if history
                .last()
                .is_some_and(|top| top.sha256 == adapter.sha256())
            {
                history.pop();
            }
            history.reverse();
            out.push(AdapterVersions {
                id: adapter.id().to_string(),
                kind: kind_name(adapter.metadata().kind),
                version: adapter.metadata().version.clone(),
                sha256: adapter.sha256().to_string(),
                source: adapter.source().to_string(),
                limits: adapter.limits().into(),
                limits_not_granted: adapter.limits_not_granted().to_vec(),
                previous: history,
            });
        }
        Ok(out)
    }

    /// The file a restart loads the adapter from.
    fn active_path(&self, id: &str) -> PathBuf {
        self.config.adapters_dir.join(format!("{id}.wasm"))
    }

    /// Loads a component under the limits configured for the id it declares.
    fn load(&self, bytes: &[u8], origin: &str) -> Result<LoadedAdapter, InstallError> {
        let cache = Some(self.config.cache_dir.as_path());
        crate::runtime::cache::precompile_within(
            self.sandbox.engine(),
            bytes,
            &component_sha256(bytes),
            &self.config.cache_dir,
            self.config.compile_timeout,
        )
        .map_err(|error| match error {
            // The same error a load gives: the component itself is at fault.
            DeadlineError::Compile(detail) => {
                InstallError::Load(LoadError::Compile(origin.to_string(), detail))
            }
            error => InstallError::Compile {
                origin: origin.to_string(),
                error,
            },
        })?;
        let adapter = LoadedAdapter::load_bytes(
            &self.sandbox,
            bytes,
            origin,
            cache,
            self.config.default_limits,
        )?;
        let limits = self.config.limits_for(adapter.id());
        if limits == self.config.default_limits {
            return Ok(adapter);
        }
        Ok(LoadedAdapter::load_bytes(
            &self.sandbox,
            bytes,
            origin,
            cache,
            limits,
        )?)
    }

    /// Puts the active version back into `<adapters.dir>/<id>.wasm` from the
    /// versions directory (after a watched file there was refused). Returns
    /// false when the active version's bytes are not kept.
    pub fn restore_active_file(&self, id: &str) -> Result<bool, InstallError> {
        let _guard = self
            .lock
            .lock()
            .map_err(|_| InstallError::Internal("an earlier install panicked".into()))?;
        let Some(active) = self.registry.get(id) else {
            return Ok(false);
        };
        let kept = self.versions.wasm_path(id, active.sha256());
        let Ok(bytes) = std::fs::read(&kept) else {
            return Ok(false);
        };
        write_atomically(&self.active_path(id), &bytes)?;
        Ok(true)
    }

    /// Keeps the active version (as loaded at start from the adapters
    /// directory) in the versions directory and on top of its history, so it
    /// can be rolled back to once something replaces it.
    fn remember_active(&self, active: &LoadedAdapter) -> Result<(), InstallError> {
        let id = active.id();
        if self
            .versions
            .history(id)?
            .last()
            .is_some_and(|top| top.sha256 == active.sha256())
        {
            return Ok(());
        }
        let Ok(bytes) = std::fs::read(active.source()) else {
            tracing::warn!(
                adapter = id,
                source = active.source(),
                "the active version's file is gone; it cannot be rolled back to"
            );
            return Ok(());
        };
        if component_sha256(&bytes) != active.sha256() {
            tracing::warn!(
                adapter = id,
                source = active.source(),
                "the active version's file changed since it was loaded; it cannot be rolled back to"
            );
            return Ok(());
        }
        let fixtures = self.versions.keep(id, active.sha256(), &bytes, None)?;
        self.versions.push(
            id,
            VersionRecord {
                sha256: active.sha256().to_string(),
                version: active.metadata().version.clone(),
                installed_at: Utc::now(),
                origin: active.source().to_string(),
                fixtures,
            },
        )?;
        Ok(())
    }
}

/// Runs the conformance checks; the fixtures directory may be absent, when
/// only the contract rules (status coverage) run.
fn run_checks(
    adapter: &LoadedAdapter,
    fixtures: Option<&Path>,
) -> Result<(usize, usize), InstallError> {
    let fixture_count = match fixtures {
        Some(dir) => std::fs::read_dir(dir)
            .map_err(|e| InstallError::Fixtures(format!("cannot read {}: {e}", dir.display())))?
            .filter_map(Result::ok)
            .filter(|e| e.path().extension().is_some_and(|x| x == "json"))
            .count(),
        None => 0,
    };
    let checks = conformance::checks(fixtures, None).map_err(InstallError::Fixtures)?;
    let total = checks.len();
    let failures: Vec<String> = checks
        .iter()
        .filter_map(|check| {
            check
                .run(adapter, fixtures)
                .err()
                .map(|why| format!("{}: {}", check.name, why))
        })
        .collect();
    if failures.is_empty() {
        Ok((total, fixture_count))
    } else {
        Err(InstallError::Checks {
            id: adapter.id().to_string(),
            version: adapter.metadata().version.clone(),
            total,
            failures,
        })
    }
}

/// `channel`, `carrier` or `erp`.
fn kind_name(kind: orderhub_core::model::AdapterKind) -> String {
    serde_json::to_value(kind)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_default()
}

/// What is wrong with an adapter's metadata, if anything.
pub fn metadata_problems(m: &Metadata) -> Vec<String> {
    let mut problems = Vec::new();
    if m.version.trim().is_empty() {
        problems.push("version is empty".to_string());
    }
    if m.statuses.is_empty() {
        problems.push("declares no statuses".to_string());
    }
    let mut seen = std::collections::HashSet::new();
    for s in &m.statuses {
        if s.value.is_empty() {
            problems.push("a declared status has an empty value".to_string());
        } else if !seen.insert((s.domain, s.value.as_str())) {
            problems.push(format!("status {:?} is declared twice", s.value));
        }
    }
    for c in &m.credentials {
        if c.name.trim().is_empty() {
            problems.push("a credential has an empty name".to_string());
        }
    }
    for host in &m.outbound_hosts {
        let name = host.strip_prefix("*.").unwrap_or(host);
        if name.is_empty() || name.contains(['/', ':', ' ', '*']) {
            problems.push(format!(
                "outbound host {host:?} is not a host name (or *.suffix)"
            ));
        }
    }
    problems
}

#[cfg(test)]
mod tests {
    use super::*;
    use orderhub_core::model::{AdapterKind, DeclaredStatus, StatusDomain};

    fn metadata() -> Metadata {
        Metadata {
            id: "shop".into(),
            kind: AdapterKind::Channel,
            version: "1.0.0".into(),
            description: "test".into(),
            credentials: vec![],
            outbound_hosts: vec!["api.example.com".into(), "*.example.org".into()],
            topics: vec![],
            statuses: vec![DeclaredStatus {
                domain: StatusDomain::Order,
                value: "paid".into(),
                description: String::new(),
            }],
            limits: Default::default(),
        }
    }

    #[test]
    fn sane_metadata_has_no_problems() {
        assert_eq!(metadata_problems(&metadata()), Vec::<String>::new());
    }

    #[test]
    fn each_problem_is_named() {
        let mut m = metadata();
        m.version = " ".into();
        m.outbound_hosts.push("https://api.example.com/".into());
        m.statuses.push(m.statuses[0].clone());
        assert_eq!(
            metadata_problems(&m),
            vec![
                "version is empty".to_string(),
                "status \"paid\" is declared twice".to_string(),
                "outbound host \"https://api.example.com/\" is not a host name (or *.suffix)"
                    .to_string(),
            ]
        );
    }
}
