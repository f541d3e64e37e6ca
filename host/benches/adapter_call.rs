//! The cost of one adapter call: a fresh instance from the cached
//! `InstancePre` plus the call itself, on Shopify's sample order.
//!
//! Run with `cargo bench -p orderhub-host --bench adapter_call` after
//! `make adapters`. Results and the exact command live in BENCHMARKS.md.

use std::path::PathBuf;

use criterion::{Criterion, criterion_group, criterion_main};
use orderhub_core::model::{AccountData, PlatformStatus, RawRequest, StatusDomain};
use orderhub_host::runtime::{Limits, LoadedAdapter, Sandbox, SandboxConfig};
use serde_json::Value;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .unwrap()
        .to_path_buf()
}

fn shopify_fixture() -> (RawRequest, AccountData) {
    let text =
        std::fs::read_to_string(root().join("fixtures/shopify/orders-paid.json")).expect("fixture");
    let fixture: Value = serde_json::from_str(&text).unwrap();
    let req = &fixture["request"];
    let request = RawRequest {
        method: "POST".into(),
        url: req["url"].as_str().unwrap().into(),
        headers: req["headers"]
            .as_object()
            .unwrap()
            .iter()
            .map(|(k, v)| (k.clone(), v.as_str().unwrap().to_string()))
            .collect(),
        body: req["body"].as_str().unwrap().as_bytes().to_vec(),
    };
    let account = AccountData {
        id: "jsmith".into(),
        secrets: vec![
            fixture["account"]["secrets"][0]
                .as_str()
                .unwrap()
                .to_string(),
        ],
        credentials: vec![],
    };
    (request, account)
}

fn adapter_calls(c: &mut Criterion) {
    let sandbox = Sandbox::new(SandboxConfig::default()).expect("engine");
    let wasm = root().join("target/wasm32-wasip2/adapter/adapter_shopify.wasm");
    let adapter = LoadedAdapter::load_file(&sandbox, &wasm, None, Limits::default())
        .expect("run `make adapters` first");
    let (request, account) = shopify_fixture();
    let now = chrono::Utc::now();
    let status = PlatformStatus {
        domain: StatusDomain::Payment,
        value: "paid".into(),
        context: vec![],
    };

    c.bench_function(
        "shopify instantiate + normalize (sample order, 12 KB)",
        |b| b.iter(|| adapter.normalize(&request, &account).expect("normalizes")),
    );
    c.bench_function("shopify instantiate + verify (HMAC-SHA256, 12 KB)", |b| {
        b.iter(|| adapter.verify(&request, &account, now).expect("verifies"))
    });
    c.bench_function("shopify instantiate + status-map", |b| {
        b.iter(|| adapter.status_map(&status).expect("maps"))
    });
}

criterion_group!(benches, adapter_calls);
criterion_main!(benches);
