//! Watching the adapters directory: a new or changed `<id>.wasm` is validated
//! and installed through the [`Installer`], exactly as an admin install is.
//!
//! The directory is scanned on an interval (no platform file-event API, so it
//! works the same on every file system, network mounts included). A file is
//! taken only once its size and modification time stayed the same for one
//! whole interval, so a component still being copied in is not read half
//! written. A component that fails validation is logged, renamed to
//! `<id>.wasm.refused` and the active version's file is put back from the
//! versions directory, so the old version keeps serving now and after a
//! restart. Fixtures for a watched component may sit beside it in
//! `<id>.fixtures/`.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use crate::install::{InstallRequest, Installer};
use crate::runtime::component_sha256;

/// What a file looked like at a scan.
type Stamp = (u64, Option<SystemTime>);

/// The watcher's memory of the directory.
#[derive(Debug, Default)]
pub struct Watcher {
    /// The stamp each file had when it was last handled.
    handled: HashMap<PathBuf, Stamp>,
    /// The stamp each file had at the previous scan.
    seen: HashMap<PathBuf, Stamp>,
}

fn wasm_files(dir: &Path) -> Vec<(PathBuf, Stamp)> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut files: Vec<(PathBuf, Stamp)> = entries
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "wasm") && p.is_file())
        .filter_map(|p| {
            let meta = std::fs::metadata(&p).ok()?;
            Some((p, (meta.len(), meta.modified().ok())))
        })
        .collect();
    files.sort();
    files
}

impl Watcher {
    /// A watcher that treats the files present now as handled (they were
    /// loaded at start).
    pub fn new(dir: &Path) -> Self {
        let files: HashMap<_, _> = wasm_files(dir).into_iter().collect();
        Watcher {
            handled: files.clone(),
            seen: files,
        }
    }

    /// One scan: installs every file that changed and has settled. Returns
    /// the files it tried, with the outcome. Blocking.
    pub fn scan(
        &mut self,
        installer: &Installer,
        dir: &Path,
    ) -> Vec<(PathBuf, Result<(), String>)> {
        let mut outcomes = Vec::new();
        let current = wasm_files(dir);
        for (path, stamp) in &current {
            let settled = self.seen.get(path) == Some(stamp);
            let new = self.handled.get(path) != Some(stamp);
            if settled && new {
                self.handled.insert(path.clone(), *stamp);
                if let Some(outcome) = install_file(installer, path) {
                    outcomes.push((path.clone(), outcome));
                }
            }
        }
        self.seen = current.into_iter().collect();
        outcomes
    }
}

/// Installs one watched file; `None` when it is the active version already.
fn install_file(installer: &Installer, path: &Path) -> Option<Result<(), String>> {
    let stem = path.file_stem()?.to_string_lossy().into_owned();
    let bytes = match std::fs::read(path) {
        Ok(b) => b,
        Err(e) => return Some(Err(format!("cannot read {}: {e}", path.display()))),
    };
    if installer
        .registry()
        .get(&stem)
        .is_some_and(|a| a.sha256() == component_sha256(&bytes))
    {
        return None;
    }
    let fixtures = path.with_extension("fixtures");
    let request = InstallRequest {
        origin: path.display().to_string(),
        fixtures: fixtures.is_dir().then_some(fixtures),
        // A file's name is its adapter id, as at start.
        expected_id: Some(stem),
    };
    let refused = match installer.install(&bytes, &request) {
        Ok(_) => return Some(Ok(())),
        Err(e) => e.to_string(),
    };
    Some(Err(set_aside(installer, path, refused)))
}

/// Moves a refused file out of the way and puts the active version back, so
/// a restart does not trip over it. Returns the message to log.
fn set_aside(installer: &Installer, path: &Path, refused: String) -> String {
    let aside = path.with_extension("wasm.refused");
    if let Err(e) = std::fs::rename(path, &aside) {
        return format!(
            "{refused} (could not rename it to {}: {e})",
            aside.display()
        );
    }
    let Some(id) = path.file_stem().map(|s| s.to_string_lossy().into_owned()) else {
        return refused;
    };
    match installer.restore_active_file(&id) {
        Ok(true) => format!(
            "{refused} (renamed to {}; the active version's file is back)",
            aside.display()
        ),
        Ok(false) => format!("{refused} (renamed to {})", aside.display()),
        Err(e) => format!(
            "{refused} (renamed to {}; restoring the active version's file failed: {e})",
            aside.display()
        ),
    }
}

/// Scans `dir` every `interval` until the runtime shuts down.
pub fn spawn(
    installer: Arc<Installer>,
    dir: PathBuf,
    interval: Duration,
) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let mut watcher = Watcher::new(&dir);
        loop {
            tokio::time::sleep(interval).await;
            let (installer2, dir2) = (installer.clone(), dir.clone());
            let scanned = tokio::task::spawn_blocking(move || {
                let outcomes = watcher.scan(&installer2, &dir2);
                (watcher, outcomes)
            })
            .await;
            let Ok((w, outcomes)) = scanned else {
                tracing::error!(dir = %dir.display(), "the adapters folder watcher failed; it stops");
                return;
            };
            watcher = w;
            for (path, outcome) in outcomes {
                match outcome {
                    Ok(()) => tracing::info!(file = %path.display(), "watched adapter installed"),
                    Err(e) => tracing::error!(
                        file = %path.display(),
                        "watched adapter refused; the active version keeps serving: {e}"
                    ),
                }
            }
        }
    })
}
