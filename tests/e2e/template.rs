//! An adapter generated from the template (`orderhub adapter new`) in a
//! temporary directory outside the workspace: it builds for wasm32-wasip2,
//! its Makefile runs `orderhub adapter test` on it, it installs over the
//! admin API and receives a webhook. Its code is the tutorial's
//! (`docs/tutorial.md`), so the tutorial is compiled here. The carrier and
//! ERP examples (`--kind carrier|erp`) are generated, built and checked the
//! same way, in one test of their own.
//!
//! Then re-deriving: a buggy build of it mangles orders, a fixed build is
//! installed, and `orderhub events replay --adapter` rebuilds the orders from
//! the stored raw deliveries.
//!
//! Builds run offline against the workspace's Cargo.lock (copied in, so only
//! crates already in the local registry cache are used) in a target dir
//! shared by these tests.

use std::path::{Path, PathBuf};
use std::process::Command;

use hmac::{Hmac, Mac};
use orderhub_core::model::{AdapterKind, OrderStatus};
use orderhub_host::install::InstallRequest;
use orderhub_host::runtime::{Limits, LoadedAdapter, Sandbox, SandboxConfig};
use orderhub_tests::{
    HostOptions, TestAccount, TestHost, Webhook, orderhub_binary, target_dir, workspace_root,
};
use serde_json::Value;
use sha2::Sha256;

const TOKEN: &str = "template-admin-token-0123456789";
const SECRET: &str = "example-webhook-secret";

/// Generates an adapter crate of `kind` with the real CLI into a fresh
/// temporary directory.
fn generate(id: &str, kind: &str) -> (tempfile::TempDir, PathBuf) {
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = tmp.path().join(id);
    let out = Command::new(orderhub_binary())
        .args(["adapter", "new", id, "--kind", kind, "--dir"])
        .arg(&dir)
        .output()
        .expect("orderhub runs");
    assert!(
        out.status.success(),
        "adapter new failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(!dir.starts_with(workspace_root()));
    std::fs::copy(workspace_root().join("Cargo.lock"), dir.join("Cargo.lock")).expect("lock");
    (tmp, dir)
}

fn shared_target() -> PathBuf {
    target_dir().join("template-adapters")
}

/// The crate's own test wiring, as its author runs it: unit tests, the
/// component build, then `orderhub adapter test` with its fixtures and
/// README. Returns what it printed.
fn make_test(dir: &Path) -> String {
    let out = Command::new("make")
        .arg("test")
        .arg(format!("ORDERHUB={}", orderhub_binary().display()))
        .arg("CARGO_FLAGS=--offline")
        .current_dir(dir)
        .env("CARGO_TARGET_DIR", shared_target())
        .output()
        .expect("make runs");
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        out.status.success(),
        "make test failed in {}:\n{stdout}\n{}",
        dir.display(),
        String::from_utf8_lossy(&out.stderr)
    );
    stdout
}

/// The report lines every generated adapter must show, with its fixture.
fn assert_suite_passed(stdout: &str, fixture: &str) {
    for line in [
        format!("ok      fixture {fixture}"),
        "ok      README status table matches status-map".to_string(),
        "ok      cursor-at is unsupported or gives a cursor poll-request accepts".to_string(),
        "ok      stream-receive never traps on malformed frames".to_string(),
        "ok      action-result reads any reply; throttling is never done".to_string(),
        "ok      declared limits are above zero".to_string(),
    ] {
        assert!(stdout.contains(&line), "no {line:?} in:\n{stdout}");
    }
    assert!(stdout.contains(" passed, 0 failed"), "{stdout}");
}

fn component(id: &str) -> PathBuf {
    shared_target().join(format!(
        "wasm32-wasip2/release/adapter_{}.wasm",
        id.replace('-', "_")
    ))
}

/// Builds the crate in `dir`; returns the component's bytes.
fn build(dir: &Path, id: &str) -> Vec<u8> {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let out = Command::new(cargo)
        .args([
            "build",
            "--release",
            "--target",
            "wasm32-wasip2",
            "--offline",
        ])
        .current_dir(dir)
        .env("CARGO_TARGET_DIR", shared_target())
        .output()
        .expect("cargo runs");
    assert!(
        out.status.success(),
        "building {id} failed:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let wasm = component(id);
    std::fs::read(&wasm).unwrap_or_else(|e| panic!("{}: {e}", wasm.display()))
}

fn fixture(dir: &Path) -> Value {
    let text = std::fs::read_to_string(dir.join("fixtures/order-paid.json")).expect("fixture");
    serde_json::from_str(&text).expect("json")
}

/// A webhook the way the template's platform signs it.
fn signed(status: &str, order_id: &str, event_id: &str) -> Webhook {
    let body = format!(
        r#"{{"order":{{"id":"{order_id}","status":"{status}","currency":"USD","total":"20.00","updated_at":1711965600000}}}}"#
    );
    let mut mac = Hmac::<Sha256>::new_from_slice(SECRET.as_bytes()).expect("key");
    mac.update(body.as_bytes());
    Webhook {
        headers: vec![
            ("Content-Type".into(), "application/json".into()),
            ("X-Topic".into(), "order.updated".into()),
            ("X-Event-Id".into(), event_id.into()),
            (
                "X-Signature".into(),
                hex::encode(mac.finalize().into_bytes()),
            ),
        ],
        body: body.into_bytes(),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn generated_adapter_builds_tests_installs_and_receives_a_webhook() {
    let id = "tutorial-shop";
    let (_tmp, dir) = generate(id, "channel");

    // The crate's own test wiring: unit tests, component build, conformance.
    assert_suite_passed(&make_test(&dir), "order-paid");

    let example = fixture(&dir);
    let host = TestHost::start(HostOptions {
        accounts: vec![TestAccount::from_fixture(id, &example)],
        ..Default::default()
    })
    .await
    .expect("host starts");
    let admin = host.start_admin(TOKEN).await.expect("admin API");
    let wasm = component(id);
    let report = admin
        .client
        .install(&wasm, Some(&dir.join("fixtures")))
        .await
        .expect("install");
    assert_eq!(report["id"], id);
    assert_eq!(report["fixtures"], 1);

    let (status, body) = host
        .send(id, "main", &Webhook::from_fixture(&example))
        .await
        .expect("sent");
    assert_eq!((status, body.as_str()), (200, "ok"));
    let order = host
        .store()
        .order(id, "main", "1001")
        .expect("read")
        .expect("order stored");
    assert_eq!(order.order.state.status, OrderStatus::Paid);
    let snapshot = order.order.snapshot.expect("snapshot");
    assert_eq!(
        (snapshot.total_minor, snapshot.currency.as_str()),
        (Some(1250), "USD")
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn replay_by_adapter_rederives_orders_after_a_fix() {
    let id = "fixit-shop";
    let (_tmp, dir) = generate(id, "channel");
    let lib = dir.join("src/lib.rs");
    let good = std::fs::read_to_string(&lib).expect("lib.rs");
    // The bug: `paid` read as not paid yet, and `delivered` unknown.
    let buggy_source = good
        .replace(
            r#"("paid", OrderStatus::Paid,"#,
            r#"("paid", OrderStatus::PendingPayment,"#,
        )
        .replace(
            r#"    ("delivered", OrderStatus::Delivered, "Delivered to the buyer."),
"#,
            "",
        );
    assert_ne!(buggy_source, good);
    std::fs::write(&lib, &buggy_source).expect("write");
    let buggy = build(&dir, id);
    std::fs::write(&lib, &good).expect("write");
    let fixed = build(&dir, id);

    let host = TestHost::start(HostOptions {
        accounts: vec![TestAccount::from_fixture(id, &fixture(&dir))],
        ..Default::default()
    })
    .await
    .expect("host starts");
    let admin = host.start_admin(TOKEN).await.expect("admin API");
    // No fixtures with the buggy build: only the contract rules run, which it passes.
    let installer = admin.installer.clone();
    tokio::task::spawn_blocking(move || {
        installer.install(
            &buggy,
            &InstallRequest {
                origin: "buggy build".into(),
                ..Default::default()
            },
        )
    })
    .await
    .expect("task")
    .expect("buggy build installs");

    for webhook in [
        signed("paid", "2001", "evt-2001-paid"),
        signed("delivered", "2002", "evt-2002-delivered"),
    ] {
        assert_eq!(host.send(id, "main", &webhook).await.expect("sent").0, 200);
    }
    let store = host.store();
    let status_of = |order: &str| {
        store
            .order(id, "main", order)
            .expect("read")
            .map(|v| v.order.state.status)
    };
    assert_eq!(status_of("2001"), Some(OrderStatus::PendingPayment));
    assert_eq!(status_of("2002"), None);
    assert_eq!(store.list_inbox(true, 10).expect("dead").len(), 1);

    // The fix, checked against the crate's fixtures before it serves.
    let fixed_path = dir.join("fixed.wasm");
    std::fs::write(&fixed_path, &fixed).expect("write");
    admin
        .client
        .install(&fixed_path, Some(&dir.join("fixtures")))
        .await
        .expect("the fix installs");

    // Nothing received after now is replayed.
    let later = chrono::Utc::now() + chrono::Duration::hours(1);
    assert!(
        store
            .inbox_of_adapter(id, Some(later))
            .expect("read")
            .is_empty()
    );

    // The command an operator runs, against the host's own store.
    let out = Command::new(orderhub_binary())
        .arg("--config")
        .arg(host.dir.path().join("orderhub.toml"))
        .args(["events", "replay", "--adapter", id, "--json"])
        .output()
        .expect("orderhub runs");
    assert!(
        out.status.success(),
        "replay failed:\n{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    let report: Value = serde_json::from_slice(&out.stdout).expect("json report");
    let deliveries = report.as_array().expect("array");
    assert_eq!(deliveries.len(), 2);
    let paid = &deliveries[0];
    assert_eq!(
        (
            &paid["events_before"],
            &paid["events_after"],
            &paid["changed"]
        ),
        (&Value::from(1), &Value::from(1), &Value::from(1))
    );
    assert_eq!(paid["orders"][0]["before"], "pending_payment");
    assert_eq!(paid["orders"][0]["after"], "paid");
    let delivered = &deliveries[1];
    assert_eq!(
        (&delivered["was_dead"], &delivered["dead"]),
        (&Value::Bool(true), &Value::Bool(false))
    );
    assert_eq!(delivered["orders"][0]["before"], Value::Null);
    assert_eq!(delivered["orders"][0]["after"], "delivered");

    assert_eq!(status_of("2001"), Some(OrderStatus::Paid));
    assert_eq!(status_of("2002"), Some(OrderStatus::Delivered));
    // The timeline keeps what each version said.
    let timeline = store
        .order(id, "main", "2001")
        .expect("read")
        .expect("order")
        .timeline;
    assert_eq!(timeline.len(), 2);
    assert!(timeline[1].event_key.starts_with(&timeline[0].event_key));

    // Running it again with the same version changes nothing.
    for entry in store.inbox_of_adapter(id, None).expect("read") {
        let change = host.pipeline.rederive(entry.id).await.expect("rederive");
        assert!(!change.changed_anything(), "{change:?}");
        assert_eq!(change.unchanged, 1);
    }
}

/// `--kind carrier` and `--kind erp` write examples of their own (a tracking
/// push, a delivery note), which build for wasm32-wasip2 and pass their own
/// `make test`. The builds reuse the dependencies the channel adapters built
/// in the shared target dir, so only the two crates themselves compile.
#[test]
fn carrier_and_erp_adapters_build_and_pass_the_suite() {
    let sandbox = Sandbox::new(SandboxConfig::default()).expect("engine");
    for (id, kind, expected, fixture) in [
        (
            "acme-carrier",
            "carrier",
            AdapterKind::Carrier,
            "tracking-delivered",
        ),
        ("acme-erp", "erp", AdapterKind::Erp, "delivery-note-shipped"),
    ] {
        let (_tmp, dir) = generate(id, kind);
        assert!(dir.join(format!("fixtures/{fixture}.json")).exists());
        assert_suite_passed(&make_test(&dir), fixture);
        let loaded = LoadedAdapter::load_file(&sandbox, &component(id), None, Limits::default())
            .expect("the component loads");
        assert_eq!(
            (loaded.id(), loaded.metadata().kind),
            (id, expected),
            "{kind}"
        );
    }
}
