//! Installs compile within a deadline: a component that overruns it is
//! refused and never cached, and the next install waits for nothing.
//! (Its own test binary: the overrun count is process-wide.)

mod support;

use std::time::Duration;

use orderhub_host::runtime::cache::{DeadlineError, cache_path, overruns, precompile_within};
use orderhub_host::runtime::{Sandbox, SandboxConfig, component_sha256};

#[test]
fn an_overrun_compile_is_refused_and_not_cached() {
    let sandbox = Sandbox::new(SandboxConfig {
        max_concurrent_instances: 2,
        ..SandboxConfig::default()
    })
    .unwrap();
    let bytes = std::fs::read(support::wasm("shopify")).expect("make adapters first");
    let sha = component_sha256(&bytes);
    let cache = tempfile::tempdir().unwrap();
    let path = cache_path(sandbox.engine(), &sha, cache.path());

    let refused = precompile_within(
        sandbox.engine(),
        &bytes,
        &sha,
        cache.path(),
        Duration::from_nanos(1),
    );
    assert_eq!(
        refused,
        Err(DeadlineError::TimedOut(Duration::from_nanos(1)))
    );

    // While the overrun compile runs on, further deadline-bound compiles wait
    // for nothing: they are refused at once.
    while overruns() > 0 {
        assert_eq!(
            precompile_within(
                sandbox.engine(),
                &bytes,
                &sha,
                cache.path(),
                Duration::from_secs(600)
            )
            .err()
            .filter(|_| overruns() > 0),
            if overruns() > 0 {
                Some(DeadlineError::Busy)
            } else {
                None
            },
        );
        std::thread::sleep(Duration::from_millis(10));
    }
    assert!(!path.exists(), "an overrun result is never cached");

    precompile_within(
        sandbox.engine(),
        &bytes,
        &sha,
        cache.path(),
        Duration::from_secs(600),
    )
    .expect("compiles within a generous deadline");
    assert!(path.exists(), "a compile within the deadline is cached");
}
