//! Compiled adapters cached on disk, so a restart does not recompile.
//!
//! The key is the component's SHA-256 plus the engine's compatibility hash
//! (wasmtime version, target and settings that affect code generation): code
//! compiled by another engine configuration is never loaded.

use std::hash::{DefaultHasher, Hash, Hasher};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc::RecvTimeoutError;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use wasmtime::Engine;
use wasmtime::component::Component;

/// Where the compiled form of a component lives.
pub fn cache_path(engine: &Engine, sha256: &str, dir: &Path) -> PathBuf {
    let mut hasher = DefaultHasher::new();
    engine.precompile_compatibility_hash().hash(&mut hasher);
    dir.join(format!("{sha256}-{:016x}.cwasm", hasher.finish()))
}

/// Loads the compiled component from the cache, or compiles and stores it.
/// A cache entry that cannot be loaded is replaced, never trusted.
pub fn compile_cached(
    engine: &Engine,
    bytes: &[u8],
    sha256: &str,
    dir: &Path,
) -> Result<Component, String> {
    let path = cache_path(engine, sha256, dir);
    if path.exists() {
        // SAFETY: the file was written by `store` below from `Component::serialize`
        // of this very engine configuration (the path encodes the engine's
        // compatibility hash), and wasmtime validates its header before use.
        match unsafe { Component::deserialize_file(engine, &path) } {
            Ok(component) => return Ok(component),
            Err(e) => {
                tracing::warn!(path = %path.display(), "ignoring unusable compiled-adapter cache entry: {e:#}")
            }
        }
    }
    let component = Component::new(engine, bytes).map_err(|e| format!("{e:#}"))?;
    if let Err(e) = store(&component, &path) {
        tracing::warn!(path = %path.display(), "could not write compiled-adapter cache: {e}");
    }
    Ok(component)
}

/// Why a component was not compiled within an install's deadline.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DeadlineError {
    #[error("compiling took longer than {0:?}; the component was not installed")]
    TimedOut(Duration),
    #[error(
        "an earlier component that overran the compile deadline is still compiling; \
         try again once it is done"
    )]
    Busy,
    #[error("{0}")]
    Compile(String),
}

/// Compiles that overran their deadline and still run. Cranelift cannot be
/// interrupted, so an overrun compile finishes in the background; while one
/// does, further deadline-bound compiles are refused rather than piling up.
static OVERRUNS: AtomicUsize = AtomicUsize::new(0);

/// Overrun compiles still running in this process.
pub fn overruns() -> usize {
    OVERRUNS.load(Ordering::SeqCst)
}

/// Compiles a component into the cache within `deadline`, for installs:
/// a component whose compilation takes longer is refused, and its result is
/// never cached (a retry would otherwise be accepted from the cache).
pub fn precompile_within(
    engine: &Engine,
    bytes: &[u8],
    sha256: &str,
    dir: &Path,
    deadline: Duration,
) -> Result<(), DeadlineError> {
    let path = cache_path(engine, sha256, dir);
    if path.exists() {
        return Ok(());
    }
    if OVERRUNS.load(Ordering::SeqCst) > 0 {
        return Err(DeadlineError::Busy);
    }
    // Whoever takes the lock first decides: the compiler finishing (the
    // result is cached and handed over) or the deadline passing (the result
    // is dropped and the overrun counted until the compiler ends).
    let state = Arc::new(Mutex::new(Race::Running));
    let (done, result) = std::sync::mpsc::channel();
    let (engine, bytes, shared) = (engine.clone(), bytes.to_vec(), state.clone());
    std::thread::Builder::new()
        .name("orderhub-compile".into())
        .spawn(move || {
            let compiled = Component::new(&engine, &bytes).map_err(|e| format!("{e:#}"));
            let mut race = shared.lock().unwrap_or_else(|p| p.into_inner());
            if *race == Race::Abandoned {
                OVERRUNS.fetch_sub(1, Ordering::SeqCst);
                return;
            }
            *race = Race::Finished;
            drop(race);
            if let Ok(component) = &compiled
                && let Err(e) = store(component, &path)
            {
                tracing::warn!(path = %path.display(), "could not write compiled-adapter cache: {e}");
            }
            let _ = done.send(compiled.map(|_| ()));
        })
        .map_err(|e| DeadlineError::Compile(format!("starting the compiler thread: {e}")))?;
    let finished = match result.recv_timeout(deadline) {
        Ok(compiled) => compiled,
        Err(RecvTimeoutError::Disconnected) => {
            return Err(DeadlineError::Compile("the compiler thread stopped".into()));
        }
        Err(RecvTimeoutError::Timeout) => {
            let mut race = state.lock().unwrap_or_else(|p| p.into_inner());
            if *race == Race::Running {
                *race = Race::Abandoned;
                OVERRUNS.fetch_add(1, Ordering::SeqCst);
                return Err(DeadlineError::TimedOut(deadline));
            }
            drop(race);
            // It finished just now and is handing its result over.
            result
                .recv()
                .map_err(|_| DeadlineError::Compile("the compiler thread stopped".into()))?
        }
    };
    finished.map_err(DeadlineError::Compile)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Race {
    Running,
    Finished,
    Abandoned,
}

fn store(component: &Component, path: &Path) -> std::io::Result<()> {
    let bytes = component
        .serialize()
        .map_err(|e| std::io::Error::other(e.to_string()))?;
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    // Written beside and renamed so a crash never leaves a half-written entry.
    let tmp = path.with_extension(format!("tmp{}", std::process::id()));
    std::fs::write(&tmp, bytes)?;
    std::fs::rename(&tmp, path)
}
