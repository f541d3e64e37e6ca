//! Compiled adapters cached on disk, so a restart does not recompile.
//!
//! The key is the component's SHA-256 plus the engine's compatibility hash
//! (wasmtime version, target and settings that affect code generation): code
//! compiled by another engine configuration is never loaded.

use std::hash::{DefaultHasher, Hash, Hasher};
use std::path::{Path, PathBuf};

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
