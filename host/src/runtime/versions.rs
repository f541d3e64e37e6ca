//! Installed adapter versions kept on disk, so an install can be rolled back
//! and listed after a restart.
//!
//! Layout under the versions directory (`adapters.versions_dir`):
//!
//! ```text
//! <id>/<sha256>.wasm        every component ever activated for the id
//! <id>/<sha256>.fixtures/   the fixtures it was checked with, when it had any
//! <id>/history.json         the activation stack, oldest first; the last is active
//! ```
//!
//! Rollback pops the stack: the version active before the current one comes
//! back. Components are never deleted, so a popped version can be installed
//! again by its file.

use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// One activated version of an adapter.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VersionRecord {
    pub sha256: String,
    /// The adapter's own version string (metadata).
    pub version: String,
    pub installed_at: DateTime<Utc>,
    /// Where it came from (a path, `admin API`, …).
    pub origin: String,
    /// Whether fixtures are kept with it.
    pub fixtures: bool,
}

#[derive(Debug, Default, Serialize, Deserialize)]
struct History {
    stack: Vec<VersionRecord>,
}

/// Why the versions directory could not be read or written.
#[derive(Debug, thiserror::Error)]
#[error("adapter versions at {path}: {message}")]
pub struct VersionError {
    pub path: String,
    pub message: String,
}

fn io_error(path: &Path, e: impl std::fmt::Display) -> VersionError {
    VersionError {
        path: path.display().to_string(),
        message: e.to_string(),
    }
}

/// The versions directory.
#[derive(Debug, Clone)]
pub struct VersionStore {
    dir: PathBuf,
}

impl VersionStore {
    pub fn new(dir: impl Into<PathBuf>) -> Self {
        VersionStore { dir: dir.into() }
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    fn history_path(&self, id: &str) -> PathBuf {
        self.dir.join(id).join("history.json")
    }

    /// The stored component of one version.
    pub fn wasm_path(&self, id: &str, sha256: &str) -> PathBuf {
        self.dir.join(id).join(format!("{sha256}.wasm"))
    }

    /// The fixtures kept with one version (the directory may not exist).
    pub fn fixtures_path(&self, id: &str, sha256: &str) -> PathBuf {
        self.dir.join(id).join(format!("{sha256}.fixtures"))
    }

    /// The activation stack of an adapter, oldest first (empty when it was
    /// never installed through the installer).
    pub fn history(&self, id: &str) -> Result<Vec<VersionRecord>, VersionError> {
        let path = self.history_path(id);
        match std::fs::read_to_string(&path) {
            Ok(text) => serde_json::from_str::<History>(&text)
                .map(|h| h.stack)
                .map_err(|e| io_error(&path, format!("not a history file: {e}"))),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Vec::new()),
            Err(e) => Err(io_error(&path, e)),
        }
    }

    /// Every adapter id with a history.
    pub fn ids(&self) -> Vec<String> {
        let Ok(entries) = std::fs::read_dir(&self.dir) else {
            return Vec::new();
        };
        let mut ids: Vec<String> = entries
            .filter_map(Result::ok)
            .filter(|e| e.path().join("history.json").exists())
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .collect();
        ids.sort();
        ids
    }

    fn write_history(&self, id: &str, stack: Vec<VersionRecord>) -> Result<(), VersionError> {
        let path = self.history_path(id);
        let text =
            serde_json::to_string_pretty(&History { stack }).map_err(|e| io_error(&path, e))?;
        write_atomically(&path, text.as_bytes())
    }

    /// Keeps a component's bytes (and a copy of its fixtures) under its sha256.
    pub fn keep(
        &self,
        id: &str,
        sha256: &str,
        bytes: &[u8],
        fixtures: Option<&Path>,
    ) -> Result<bool, VersionError> {
        let wasm = self.wasm_path(id, sha256);
        if !wasm.exists() {
            write_atomically(&wasm, bytes)?;
        }
        let Some(source) = fixtures else {
            return Ok(self.fixtures_path(id, sha256).is_dir());
        };
        let target = self.fixtures_path(id, sha256);
        if source != target {
            copy_json_files(source, &target)?;
        }
        Ok(true)
    }

    /// Makes `record` the active version (the top of the stack). Activating
    /// the version already on top changes nothing.
    pub fn push(&self, id: &str, record: VersionRecord) -> Result<(), VersionError> {
        let mut stack = self.history(id)?;
        if stack.last().is_some_and(|top| top.sha256 == record.sha256) {
            return Ok(());
        }
        stack.push(record);
        self.write_history(id, stack)
    }

    /// The version a rollback returns to: the one below the top.
    pub fn previous(&self, id: &str) -> Result<Option<VersionRecord>, VersionError> {
        let stack = self.history(id)?;
        Ok(stack.len().checked_sub(2).map(|i| stack[i].clone()))
    }

    /// Drops the active version from the stack (after a rollback).
    pub fn pop(&self, id: &str) -> Result<(), VersionError> {
        let mut stack = self.history(id)?;
        stack.pop();
        self.write_history(id, stack)
    }
}

/// Writes beside the target and renames, so readers (a restart, the folder
/// watcher) never see half a file. The temporary name does not end in
/// `.wasm`, so the watcher never picks it up.
pub fn write_atomically(path: &Path, bytes: &[u8]) -> Result<(), VersionError> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(|e| io_error(dir, e))?;
    }
    let tmp = path.with_extension(format!("partial{}", std::process::id()));
    std::fs::write(&tmp, bytes).map_err(|e| io_error(&tmp, e))?;
    std::fs::rename(&tmp, path).map_err(|e| io_error(path, e))
}

/// Copies the `*.json` files of one directory into another (created).
fn copy_json_files(from: &Path, to: &Path) -> Result<(), VersionError> {
    std::fs::create_dir_all(to).map_err(|e| io_error(to, e))?;
    let entries = std::fs::read_dir(from).map_err(|e| io_error(from, e))?;
    for entry in entries.filter_map(Result::ok) {
        let path = entry.path();
        if path.extension().is_some_and(|x| x == "json") {
            let target = to.join(entry.file_name());
            std::fs::copy(&path, &target).map_err(|e| io_error(&path, e))?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(sha: &str) -> VersionRecord {
        VersionRecord {
            sha256: sha.into(),
            version: "1.0.0".into(),
            installed_at: Utc::now(),
            origin: "test".into(),
            fixtures: false,
        }
    }

    #[test]
    fn the_stack_remembers_what_was_active_before() {
        let dir = tempfile::tempdir().unwrap();
        let store = VersionStore::new(dir.path());
        assert_eq!(store.previous("shop").unwrap(), None);
        store.push("shop", record("aaa")).unwrap();
        store.push("shop", record("bbb")).unwrap();
        // Activating the active version again is not a new entry.
        store.push("shop", record("bbb")).unwrap();
        assert_eq!(store.history("shop").unwrap().len(), 2);
        assert_eq!(store.previous("shop").unwrap().unwrap().sha256, "aaa");
        store.pop("shop").unwrap();
        assert_eq!(store.previous("shop").unwrap(), None);
        assert_eq!(store.history("shop").unwrap()[0].sha256, "aaa");
        assert_eq!(store.ids(), vec!["shop".to_string()]);
    }

    #[test]
    fn kept_components_and_fixtures_are_found_by_sha() {
        let dir = tempfile::tempdir().unwrap();
        let fixtures = dir.path().join("fx");
        std::fs::create_dir_all(&fixtures).unwrap();
        std::fs::write(fixtures.join("a.json"), "{}").unwrap();
        std::fs::write(fixtures.join("notes.txt"), "x").unwrap();
        let store = VersionStore::new(dir.path().join("versions"));
        assert!(store.keep("shop", "abc", b"wasm", Some(&fixtures)).unwrap());
        assert_eq!(
            std::fs::read(store.wasm_path("shop", "abc")).unwrap(),
            b"wasm"
        );
        let kept = store.fixtures_path("shop", "abc");
        assert!(kept.join("a.json").exists());
        assert!(!kept.join("notes.txt").exists());
        assert!(!store.keep("shop", "def", b"other", None).unwrap());
    }
}
