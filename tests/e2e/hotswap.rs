//! Replacing adapters in a running host over the admin API: a swap under
//! continuous load loses and fails nothing, a bad component is refused while
//! the old version keeps serving, and a rollback returns to the version
//! before.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use orderhub_host::admin::ClientError;
use orderhub_tests::{
    HostOptions, TestAccount, TestHost, fixture, fixtures_dir, shopify_webhook, wasm,
};
use serde_json::Value;

const TOKEN: &str = "test-admin-token-0123456789";

async fn shopify_host() -> (TestHost, String) {
    let paid = fixture("shopify", "orders-paid");
    let account = TestAccount::from_fixture("shopify", &paid);
    let secret = account.secrets[0].clone();
    let host = TestHost::start(HostOptions {
        adapters: vec!["shopify"],
        accounts: vec![account],
        ..Default::default()
    })
    .await
    .expect("host starts");
    (host, secret)
}

/// A signed `orders/create` for order `id`, from the fixture's payload.
fn order_webhook(secret: &str, id: u64) -> orderhub_tests::Webhook {
    let paid = fixture("shopify", "orders-paid");
    let mut body: Value =
        serde_json::from_str(paid["request"]["body"].as_str().expect("text body")).expect("json");
    body["id"] = Value::from(id);
    let body = serde_json::to_vec(&body).expect("serializes");
    shopify_webhook(secret, "orders/create", &format!("load-{id}"), &body)
}

/// The shopify component with a custom section appended: the same code
/// under another sha256, as a rebuilt release would be.
fn shopify_variant(tag: &str) -> Vec<u8> {
    let mut bytes = std::fs::read(wasm("shopify")).expect("component");
    let name = b"orderhub-test-build";
    let payload = tag.as_bytes();
    let size = 1 + name.len() + payload.len();
    assert!(size < 128, "one-byte LEB128 sizes only");
    bytes.push(0); // custom section id
    bytes.push(size as u8);
    bytes.push(name.len() as u8);
    bytes.extend_from_slice(name);
    bytes.extend_from_slice(payload);
    bytes
}

fn write_temp(dir: &std::path::Path, name: &str, bytes: &[u8]) -> std::path::PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, bytes).expect("write component");
    path
}

fn active_sha(list: &Value, id: &str) -> String {
    list.as_array()
        .and_then(|a| a.iter().find(|e| e["id"] == id))
        .and_then(|e| e["sha256"].as_str())
        .unwrap_or_default()
        .to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn swap_under_continuous_load_fails_and_loses_nothing() {
    let (host, secret) = shopify_host().await;
    let admin = host.start_admin(TOKEN).await.expect("admin API starts");
    let boot_sha = active_sha(&admin.client.list().await.expect("list"), "shopify");
    assert_eq!(boot_sha.len(), 64);

    // Four senders post distinct signed orders until told to stop.
    let stop = Arc::new(AtomicBool::new(false));
    let host = Arc::new(host);
    let mut senders = Vec::new();
    for sender in 0..4u64 {
        let (host, stop, secret) = (host.clone(), stop.clone(), secret.clone());
        senders.push(tokio::spawn(async move {
            let mut statuses = Vec::new();
            let mut n = 0u64;
            while !stop.load(Ordering::Relaxed) && n < 5000 {
                let id = 7_000_000 + sender * 100_000 + n;
                let webhook = order_webhook(&secret, id);
                let status = host
                    .send("shopify", "jsmith", &webhook)
                    .await
                    .map(|(s, _)| s)
                    .unwrap_or(0);
                statuses.push((id, status));
                n += 1;
            }
            statuses
        }));
    }

    let work = tempfile::tempdir().expect("tempdir");
    let mut installed = Vec::new();
    for tag in ["v2", "v3", "v4"] {
        let path = write_temp(
            work.path(),
            &format!("shopify-{tag}.wasm"),
            &shopify_variant(tag),
        );
        let report = admin
            .client
            .install(&path, Some(&fixtures_dir("shopify")))
            .await
            .unwrap_or_else(|e| panic!("install {tag}: {e}"));
        assert_eq!(report["id"], "shopify");
        assert_eq!(report["unchanged"], false);
        assert!(report["fixtures"].as_u64().unwrap_or(0) > 10, "{report}");
        assert!(
            report["checks_passed"].as_u64().unwrap_or(0) > 10,
            "{report}"
        );
        installed.push(report["sha256"].as_str().expect("sha").to_string());
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let rolled = admin.client.rollback("shopify").await.expect("rollback");
    assert_eq!(rolled["sha256"], installed[1]);
    assert_eq!(rolled["replaced_sha256"], installed[2]);
    tokio::time::sleep(Duration::from_millis(300)).await;
    stop.store(true, Ordering::Relaxed);

    let mut sent = Vec::new();
    for s in senders {
        sent.extend(s.await.expect("sender"));
    }
    let failed: Vec<_> = sent.iter().filter(|(_, status)| *status != 200).collect();
    assert!(failed.is_empty(), "failed deliveries: {failed:?}");
    assert!(sent.len() >= 20, "only {} deliveries were sent", sent.len());

    // Every acknowledged delivery is stored, and every order exists.
    let store = host.store();
    let stored = store.list_inbox(false, 1_000_000).expect("inbox");
    assert_eq!(stored.len(), sent.len());
    for (id, _) in sent.iter().step_by(7) {
        assert!(
            store
                .order("shopify", "jsmith", &id.to_string())
                .expect("read")
                .is_some(),
            "order {id} missing"
        );
    }

    // The active version is the one before the last install; the versions a
    // rollback returns to are the earlier ones, newest first.
    let list = admin.client.list().await.expect("list");
    let shopify = list
        .as_array()
        .and_then(|a| a.iter().find(|e| e["id"] == "shopify"))
        .expect("shopify listed")
        .clone();
    assert_eq!(shopify["sha256"], installed[1]);
    let previous: Vec<&str> = shopify["previous"]
        .as_array()
        .expect("previous")
        .iter()
        .filter_map(|p| p["sha256"].as_str())
        .collect();
    assert_eq!(previous, [installed[0].as_str(), boot_sha.as_str()]);
    // The adapters directory holds the active version, so a restart serves it.
    let on_disk = std::fs::read(host.adapters_dir().join("shopify.wasm")).expect("file");
    assert_eq!(
        orderhub_host::runtime::component_sha256(&on_disk),
        installed[1]
    );
}

/// Renames every interface of the contract to another version, as a
/// component built against another release of the contract would name them.
fn with_contract_version(bytes: &[u8], version: &[u8; 5]) -> Vec<u8> {
    let mut out = bytes.to_vec();
    for interface in [&b"connector@0.2.0"[..], b"types@0.2.0", b"log@0.2.0"] {
        let at = interface.len() - 5;
        let mut i = 0;
        while i + interface.len() <= out.len() {
            if &out[i..i + interface.len()] == interface {
                out[i + at..i + interface.len()].copy_from_slice(version);
                i += interface.len();
            } else {
                i += 1;
            }
        }
    }
    out
}

async fn still_serves(host: &TestHost, secret: &str, id: u64) {
    let (status, body) = host
        .send("shopify", "jsmith", &order_webhook(secret, id))
        .await
        .expect("sent");
    assert_eq!(status, 200, "{body}");
    assert!(
        host.store()
            .order("shopify", "jsmith", &id.to_string())
            .expect("read")
            .is_some()
    );
}

fn refused(result: Result<Value, ClientError>) -> (u16, String, String) {
    match result {
        Err(ClientError::Refused {
            status,
            kind,
            message,
        }) => (status, kind, message),
        other => panic!("expected a refusal, got {other:?}"),
    }
}

#[tokio::test]
async fn a_refused_install_leaves_the_old_version_serving() {
    let (host, secret) = shopify_host().await;
    let admin = host.start_admin(TOKEN).await.expect("admin API starts");
    let before = host.pipeline.registry.get("shopify").expect("active");
    let work = tempfile::tempdir().expect("tempdir");

    // Built against another contract version: named in the refusal.
    let skewed = with_contract_version(
        &std::fs::read(wasm("shopify")).expect("component"),
        b"0.9.0",
    );
    let path = write_temp(work.path(), "skewed.wasm", &skewed);
    let (status, kind, message) = refused(admin.client.install(&path, None).await);
    assert_eq!((status, kind.as_str()), (422, "contract"), "{message}");
    assert!(
        message.contains("orderhub:adapter/connector@0.9.0")
            && message.contains("orderhub:adapter/connector@0.2.0")
            && message.contains("version skew"),
        "{message}"
    );

    // Not a component at all.
    let path = write_temp(work.path(), "junk.wasm", b"\0asm junk");
    let (status, kind, _) = refused(admin.client.install(&path, None).await);
    assert_eq!((status, kind.as_str()), (422, "load"));

    // A component that fails the fixtures it is installed with.
    let (status, kind, message) = refused(
        admin
            .client
            .install(&wasm("test-hostile"), Some(&fixtures_dir("shopify")))
            .await,
    );
    assert_eq!((status, kind.as_str()), (422, "conformance"), "{message}");
    assert!(
        message.contains("adapter test-hostile") && message.contains("fixture orders-paid"),
        "{message}"
    );
    assert!(host.pipeline.registry.get("test-hostile").is_none());

    // The wrong token is refused before anything is read.
    let wrong = orderhub_host::admin::AdminClient::new(
        admin
            .base_url
            .trim_start_matches("http://")
            .parse()
            .expect("addr"),
        "not-the-admin-token-at-all",
    );
    let (status, kind, _) = refused(wrong.rollback("shopify").await);
    assert_eq!((status, kind.as_str()), (401, "unauthorized"));

    // Nothing to roll back to yet.
    let (status, kind, _) = refused(admin.client.rollback("shopify").await);
    assert_eq!((status, kind.as_str()), (409, "no-previous-version"));

    let after = host.pipeline.registry.get("shopify").expect("active");
    assert_eq!(after.sha256(), before.sha256());
    still_serves(&host, &secret, 8_000_001).await;
}

#[tokio::test]
async fn rollback_returns_to_the_version_before_and_installs_are_idempotent() {
    let (host, secret) = shopify_host().await;
    let admin = host.start_admin(TOKEN).await.expect("admin API starts");
    let boot = host.pipeline.registry.get("shopify").expect("active");
    let work = tempfile::tempdir().expect("tempdir");
    let path = write_temp(work.path(), "shopify.wasm", &shopify_variant("fix"));

    // Without fixtures given, the ones kept with the version it replaces are
    // used; the boot version has none, so only the contract rules run.
    let report = admin.client.install(&path, None).await.expect("install");
    assert_eq!(report["replaced_sha256"], boot.sha256());
    let again = admin.client.install(&path, None).await.expect("again");
    assert_eq!(again["unchanged"], true);
    still_serves(&host, &secret, 8_100_001).await;

    let rolled = admin.client.rollback("shopify").await.expect("rollback");
    assert_eq!(rolled["sha256"], boot.sha256());
    assert_eq!(
        host.pipeline
            .registry
            .get("shopify")
            .expect("active")
            .sha256(),
        boot.sha256()
    );
    let (status, kind, _) = refused(admin.client.rollback("shopify").await);
    assert_eq!((status, kind.as_str()), (409, "no-previous-version"));
    still_serves(&host, &secret, 8_100_002).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_watched_folder_installs_changed_components_and_refuses_bad_ones() {
    let (host, secret) = shopify_host().await;
    let admin = host.start_admin(TOKEN).await.expect("admin API starts");
    let dir = host.adapters_dir();
    let fixtures = dir.join("shopify.fixtures");
    std::fs::create_dir_all(&fixtures).expect("mkdir");
    for entry in std::fs::read_dir(fixtures_dir("shopify")).expect("fixtures") {
        let path = entry.expect("entry").path();
        if path.extension().is_some_and(|x| x == "json") {
            std::fs::copy(&path, fixtures.join(path.file_name().expect("name"))).expect("copy");
        }
    }
    let variant = shopify_variant("watched");
    let variant_sha = orderhub_host::runtime::component_sha256(&variant);
    let skewed = with_contract_version(&variant, b"0.9.0");
    let installer = admin.installer.clone();

    let outcomes = tokio::task::spawn_blocking(move || {
        let mut watcher = orderhub_host::watch::Watcher::new(&dir);
        // A file is taken once it held still for one whole scan.
        let scan_twice = |watcher: &mut orderhub_host::watch::Watcher| {
            let mut outcomes = watcher.scan(&installer, &dir);
            outcomes.extend(watcher.scan(&installer, &dir));
            outcomes
                .into_iter()
                .map(|(path, outcome)| {
                    let name = path
                        .file_name()
                        .expect("name")
                        .to_string_lossy()
                        .into_owned();
                    (name, outcome)
                })
                .collect::<Vec<_>>()
        };
        let mut seen = Vec::new();
        std::fs::write(dir.join("broken.wasm"), b"\0asm not really").expect("write");
        seen.push(scan_twice(&mut watcher));
        std::fs::write(dir.join("shopify.wasm"), &variant).expect("write");
        seen.push(scan_twice(&mut watcher));
        std::fs::write(dir.join("shopify.wasm"), &skewed).expect("write");
        std::fs::write(dir.join("misnamed.wasm"), shopify_variant("misnamed")).expect("write");
        seen.push(scan_twice(&mut watcher));
        // Nothing changed since: nothing is tried again.
        seen.push(scan_twice(&mut watcher));
        seen
    })
    .await
    .expect("watcher task");

    let [broken, good, bad, idle] = outcomes.try_into().expect("four rounds");
    assert_eq!(broken.len(), 1);
    assert_eq!(broken[0].0, "broken.wasm");
    assert!(
        broken[0]
            .1
            .as_ref()
            .is_err_and(|e| e.contains("not a valid WebAssembly component")),
        "{broken:?}"
    );
    assert_eq!(good.len(), 1);
    assert_eq!(good[0], ("shopify.wasm".to_string(), Ok(())));
    let mut bad = bad;
    bad.sort_by(|a, b| a.0.cmp(&b.0));
    assert_eq!(bad.len(), 2, "{bad:?}");
    assert!(
        bad[0].0 == "misnamed.wasm"
            && bad[0]
                .1
                .as_ref()
                .is_err_and(|e| e.contains("expected \"misnamed\"")),
        "{bad:?}"
    );
    assert!(
        bad[1].0 == "shopify.wasm" && bad[1].1.as_ref().is_err_and(|e| e.contains("version skew")),
        "{bad:?}"
    );
    assert!(idle.is_empty(), "{idle:?}");

    // Refused files are set aside and the active version's file is back,
    // so a restart serves what serves now.
    let dir = host.adapters_dir();
    assert!(dir.join("shopify.wasm.refused").exists());
    assert!(dir.join("misnamed.wasm.refused").exists());
    assert!(!dir.join("misnamed.wasm").exists());
    let on_disk = std::fs::read(dir.join("shopify.wasm")).expect("file");
    assert_eq!(
        orderhub_host::runtime::component_sha256(&on_disk),
        variant_sha
    );

    // The good version serves; the refused ones changed nothing.
    assert_eq!(
        host.pipeline
            .registry
            .get("shopify")
            .expect("active")
            .sha256(),
        variant_sha
    );
    still_serves(&host, &secret, 8_200_001).await;
}
