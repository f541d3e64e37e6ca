//! The sandbox's loading path: the compiled-adapter cache and contract checks.

mod support;
use support::wasm;

use orderhub_host::runtime::cache::cache_path;
use orderhub_host::runtime::{
    Limits, LoadError, LoadedAdapter, Sandbox, SandboxConfig, component_sha256,
};

fn sandbox() -> Sandbox {
    Sandbox::new(SandboxConfig {
        max_concurrent_instances: 4,
        ..SandboxConfig::default()
    })
    .unwrap()
}

#[test]
fn compiled_adapters_are_cached_by_sha256_and_engine_and_bad_entries_are_replaced() {
    let sandbox = sandbox();
    let cache = tempfile::tempdir().unwrap();
    let path = wasm("shopify");
    let bytes = std::fs::read(&path).unwrap();
    let entry = cache_path(sandbox.engine(), &component_sha256(&bytes), cache.path());
    assert!(!entry.exists());

    let first =
        LoadedAdapter::load_file(&sandbox, &path, Some(cache.path()), Limits::default()).unwrap();
    assert!(entry.exists(), "compiling writes {}", entry.display());
    assert!(
        entry
            .file_name()
            .unwrap()
            .to_string_lossy()
            .starts_with(first.sha256())
    );
    let written = std::fs::metadata(&entry).unwrap().modified().unwrap();

    let second =
        LoadedAdapter::load_file(&sandbox, &path, Some(cache.path()), Limits::default()).unwrap();
    assert_eq!(second.metadata().id, "shopify");
    assert_eq!(
        std::fs::metadata(&entry).unwrap().modified().unwrap(),
        written,
        "a cache hit does not rewrite the entry"
    );

    // The loaded component maps the entry into memory; truncating a mapped
    // file would fault, so the adapters are dropped before the entry is
    // damaged (the cache itself only ever replaces entries by rename).
    drop((first, second));
    std::fs::write(&entry, b"garbage").unwrap();
    let third =
        LoadedAdapter::load_file(&sandbox, &path, Some(cache.path()), Limits::default()).unwrap();
    assert_eq!(third.metadata().id, "shopify");
    assert_ne!(
        std::fs::read(&entry).unwrap(),
        b"garbage",
        "an unusable entry is recompiled and replaced"
    );
}

#[test]
fn a_component_without_the_connector_export_is_refused_with_a_clear_error() {
    // A component that exports nothing: the smallest valid component binary
    // (magic, component-model version 0x0d, layer 1).
    let empty_component = b"\0asm\x0d\0\x01\0";
    let error = LoadedAdapter::load_bytes(
        &sandbox(),
        empty_component,
        "empty.wasm",
        None,
        Limits::default(),
    )
    .unwrap_err();
    let message = error.to_string();
    assert!(matches!(error, LoadError::Contract { .. }), "{message}");
    assert!(
        message.contains("missing export orderhub:adapter/connector@0.2.0"),
        "{message}"
    );
}

#[test]
fn a_core_module_is_not_an_adapter() {
    let core_module = b"\0asm\x01\0\0\0";
    let error = LoadedAdapter::load_bytes(
        &sandbox(),
        core_module,
        "core.wasm",
        None,
        Limits::default(),
    )
    .unwrap_err();
    assert!(matches!(error, LoadError::Compile(..)), "{error}");
}
