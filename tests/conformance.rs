//! Every adapter against its fixtures and the contract's rules, one test per
//! fixture file and per rule (`orderhub adapter test` runs the same checks).

use std::sync::Arc;

use libtest_mimic::{Arguments, Failed, Trial};
use orderhub_host::conformance;
use orderhub_host::runtime::{Limits, LoadedAdapter, Sandbox, SandboxConfig};
use orderhub_tests::{fixtures_dir, wasm, workspace_root};

/// The adapters shipped in this repository.
const ADAPTERS: &[&str] = &[
    "shopify",
    "taobao",
    "kuaidi100",
    "generic",
    "woocommerce",
    "pinduoduo",
    "youzan",
    "lazada",
    "shopee",
    "douyin",
    "wechat-channels",
    "jd",
    "kuaishou",
    "sf-express",
    "jd-logistics",
    "easypost",
    "aftership",
    "cainiao",
    "kingdee",
    "jushuitan",
    "wdt",
    "erpnext",
    "odoo",
];

fn main() {
    let args = Arguments::from_args();
    let sandbox = Sandbox::new(SandboxConfig {
        max_concurrent_instances: 16,
        ..SandboxConfig::default()
    })
    .expect("engine");
    let cache = workspace_root().join("target/orderhub-test-cache");
    let mut trials = Vec::new();
    for &id in ADAPTERS {
        let adapter = Arc::new(
            LoadedAdapter::load_file(&sandbox, &wasm(id), Some(&cache), Limits::default())
                .expect("adapter loads"),
        );
        let fixtures = fixtures_dir(id);
        let readme = workspace_root().join("adapters").join(id).join("README.md");
        let checks =
            conformance::checks(Some(&fixtures), Some(&readme)).expect("fixtures readable");
        assert!(checks.len() >= 8 + 3, "{id} needs at least 8 fixtures");
        for check in checks {
            let adapter = adapter.clone();
            let fixtures = fixtures.clone();
            let name = format!("{id}::{}", check.name.replace(' ', "_"));
            trials.push(Trial::test(name, move || {
                check.run(&adapter, Some(&fixtures)).map_err(Failed::from)
            }));
        }
    }
    libtest_mimic::run(&args, trials).exit();
}
