//! Where the host's integration tests find the workspace and the built
//! adapter components (shared by every test binary under `host/tests`).

use std::path::{Path, PathBuf};

/// The workspace root.
pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .unwrap()
        .to_path_buf()
}

/// The component `make adapters` built for an adapter crate (`adapter_<name>`).
pub fn wasm(adapter: &str) -> PathBuf {
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| root().join("target"));
    let path = target
        .join("wasm32-wasip2/adapter")
        .join(format!("adapter_{adapter}.wasm"));
    assert!(
        path.exists(),
        "{} is missing: build the adapters first with `make adapters`",
        path.display()
    );
    path
}
