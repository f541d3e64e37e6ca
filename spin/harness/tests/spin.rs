//! The Spin component, run for real: signed Shopify webhooks through the
//! component built by `make spin`, the real Shopify adapter behind its
//! import, and a SQLite file behind `spin:sqlite` — the same end-to-end cases
//! as the native host's, read back through the native host's own store,
//! which opens the Spin database as it is.
//!
//! Also: the component and every shipped adapter import nothing Spin 4.1
//! does not provide, the Spin database has the native schema, and
//! `spin.toml` parses and names files that exist.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use bytes::Bytes;
use orderhub_core::model::OrderStatus;
use orderhub_host::store::{InboxState, OrderStore, SqliteStore};
use orderhub_spin_harness::{Reply, SpinApp, platform};
use orderhub_tests::{Webhook, fixture, shopify_webhook, wasm, workspace_root};

const SECRET: &str = "shpss_orderhub_fixture_current";
const ORDER: &str = "450789469";

fn target_dir() -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| workspace_root().join("target"))
}

/// The Spin component built by `make spin`.
fn component() -> PathBuf {
    let path = target_dir().join("wasm32-wasip2/adapter/orderhub_spin.wasm");
    assert!(
        path.exists(),
        "{} is missing: build the Spin component first with `make spin`",
        path.display()
    );
    path
}

/// The component's variables for the fixtures' Shopify account `jsmith`.
fn variables() -> BTreeMap<String, String> {
    BTreeMap::from([
        ("accounts".to_string(), "jsmith".to_string()),
        ("account_jsmith_secrets".to_string(), SECRET.to_string()),
        (
            "account_jsmith_credentials".to_string(),
            r#"{"shop": "jsmith.myshopify.com"}"#.to_string(),
        ),
    ])
}

/// A Spin application with a fresh database.
struct App {
    spin: SpinApp,
    database: PathBuf,
    _dir: tempfile::TempDir,
}

impl App {
    fn new() -> App {
        App::with(&[])
    }

    /// An application with more component variables.
    fn with(extra: &[(&str, &str)]) -> App {
        let dir = tempfile::tempdir().expect("temporary directory");
        let database = dir.path().join("sqlite_db.db");
        let mut variables = variables();
        variables.extend(extra.iter().map(|(k, v)| (k.to_string(), v.to_string())));
        let spin = SpinApp::load(&component(), &wasm("shopify"), &database, variables)
            .expect("the Spin component and the adapter load");
        App {
            spin,
            database,
            _dir: dir,
        }
    }

    async fn post(&self, path: &str, webhook: &Webhook) -> Reply {
        let mut request = http::Request::post(format!("http://orderhub.example{path}"));
        for (name, value) in &webhook.headers {
            request = request.header(name, value);
        }
        let request = request
            .body(Bytes::from(webhook.body.clone()))
            .expect("a valid request");
        self.spin
            .send(request)
            .await
            .expect("the component answers")
    }

    async fn deliver(&self, webhook: &Webhook) -> Reply {
        self.post("/webhooks/shopify/jsmith", webhook).await
    }

    /// The database, read through the native host's store.
    fn store(&self) -> SqliteStore {
        SqliteStore::open(&self.database).expect("the native store opens the Spin database")
    }
}

fn fixture_webhook(name: &str) -> Webhook {
    Webhook::from_fixture(&fixture("shopify", name))
}

/// A fixture's body, signed here rather than taken with its signature.
fn signed(name: &str) -> Webhook {
    let fixture = fixture("shopify", name);
    let body = fixture["request"]["body"].as_str().expect("a text body");
    let headers = &fixture["request"]["headers"];
    shopify_webhook(
        SECRET,
        headers["X-Shopify-Topic"].as_str().expect("a topic"),
        headers["X-Shopify-Webhook-Id"]
            .as_str()
            .expect("a webhook id"),
        body.as_bytes(),
    )
}

#[tokio::test]
async fn a_valid_webhook_is_stored_with_its_raw_bytes_and_moves_the_order() {
    let app = App::new();
    let webhook = signed("orders-paid");
    let reply = app.deliver(&webhook).await;
    assert_eq!(reply.status, 200, "{}", reply.text());

    let store = app.store();
    let inbox = store.list_inbox(false, 10).unwrap();
    assert_eq!(inbox.len(), 1);
    assert_eq!(inbox[0].state, InboxState::Applied);
    assert_eq!(inbox[0].adapter, "shopify");
    assert_eq!(inbox[0].url, "/webhooks/shopify/jsmith");
    assert_eq!(inbox[0].request.body, webhook.body, "raw body kept");
    let view = store
        .order("shopify", "jsmith", ORDER)
        .unwrap()
        .expect("order stored");
    assert_eq!(view.order.state.status, OrderStatus::Paid);
    let snapshot = view.order.snapshot.as_ref().expect("snapshot");
    assert_eq!(snapshot.display_id.as_deref(), Some("#1001"));
    assert_eq!(snapshot.currency, "USD");
    assert_eq!(snapshot.total_minor, Some(59894));
    assert_eq!(view.timeline.len(), 1);
    assert!(view.timeline[0].applied);
}

#[tokio::test]
async fn a_lifecycle_ends_shipped_with_every_event_in_the_timeline() {
    let app = App::new();
    for name in ["orders-create-pending", "orders-paid", "orders-fulfilled"] {
        let reply = app.deliver(&fixture_webhook(name)).await;
        assert_eq!(reply.status, 200, "{name}: {}", reply.text());
    }
    let view = app
        .store()
        .order("shopify", "jsmith", ORDER)
        .unwrap()
        .unwrap();
    assert_eq!(view.order.state.status, OrderStatus::Shipped);
    let topics: Vec<&str> = view
        .timeline
        .iter()
        .map(|e| e.event.topic.as_str())
        .collect();
    assert_eq!(topics, ["orders/create", "orders/paid", "orders/fulfilled"]);
    assert!(view.timeline.iter().all(|e| e.applied));
}

#[tokio::test]
async fn a_duplicate_is_acknowledged_and_written_once() {
    let app = App::new();
    let first = app.deliver(&signed("orders-paid")).await;
    let second = app.deliver(&signed("orders-paid")).await;
    assert_eq!((first.status, second.status), (200, 200));
    let store = app.store();
    assert_eq!(store.list_inbox(false, 10).unwrap().len(), 1);
    let view = store.order("shopify", "jsmith", ORDER).unwrap().unwrap();
    assert_eq!(view.timeline.len(), 1);
    assert_eq!(view.order.state.status, OrderStatus::Paid);
}

#[tokio::test]
async fn a_tampered_body_is_refused_with_401_and_only_audited() {
    let app = App::new();
    let mut webhook = signed("orders-paid");
    let at = webhook
        .body
        .iter()
        .position(|b| *b == b'9')
        .expect("a digit to change");
    webhook.body[at] = b'8';
    let reply = app.deliver(&webhook).await;
    assert_eq!(reply.status, 401, "{}", reply.text());
    let body: serde_json::Value = serde_json::from_slice(&reply.body).expect("a JSON error");
    assert_eq!(body["error"], "bad-signature");

    let missing = app
        .deliver(&fixture_webhook("orders-paid-missing-signature"))
        .await;
    assert_eq!(missing.status, 401, "{}", missing.text());

    let store = app.store();
    assert!(
        store.list_inbox(false, 10).unwrap().is_empty(),
        "nothing stored"
    );
    assert!(store.order("shopify", "jsmith", ORDER).unwrap().is_none());
    let audit = store.auth_failures(10).unwrap();
    let kinds: Vec<&str> = audit.iter().map(|a| a.kind.as_str()).collect();
    assert_eq!(kinds, ["missing-signature", "bad-signature"]);
    assert!(
        audit
            .iter()
            .all(|a| a.adapter == "shopify" && a.account == "jsmith")
    );
    assert!(
        audit.iter().all(|a| !a.message.contains(SECRET)),
        "no secret in the audit"
    );
}

#[tokio::test]
async fn a_malformed_payload_is_dead_lettered_with_its_raw_bytes_and_acknowledged() {
    let app = App::new();
    let webhook = fixture_webhook("orders-create-malformed-json");
    let reply = app.deliver(&webhook).await;
    assert!(
        (200..300).contains(&reply.status),
        "{}: {}",
        reply.status,
        reply.text()
    );

    let dead = app.store().list_inbox(true, 10).unwrap();
    assert_eq!(dead.len(), 1);
    assert_eq!(dead[0].state, InboxState::Dead);
    assert_eq!(dead[0].error_kind.as_deref(), Some("malformed-payload"));
    assert!(
        dead[0]
            .error_message
            .as_deref()
            .is_some_and(|m| m.starts_with("normalize: ")),
        "{:?}",
        dead[0].error_message
    );
    assert_eq!(dead[0].request.body, webhook.body, "raw body kept");
}

#[tokio::test]
async fn a_late_status_is_kept_in_the_timeline_but_does_not_move_the_order_back() {
    let app = App::new();
    assert_eq!(
        app.deliver(&fixture_webhook("orders-fulfilled"))
            .await
            .status,
        200
    );
    assert_eq!(
        app.deliver(&fixture_webhook("orders-paid")).await.status,
        200
    );
    let view = app
        .store()
        .order("shopify", "jsmith", ORDER)
        .unwrap()
        .unwrap();
    assert_eq!(view.order.state.status, OrderStatus::Shipped);
    assert_eq!(view.timeline.len(), 2, "both events are in the timeline");
    let paid = view
        .timeline
        .iter()
        .find(|e| e.event.topic == "orders/paid")
        .expect("paid event kept");
    assert!(!paid.applied);
    assert_eq!(
        paid.note.as_deref(),
        Some("older status than the current one (late or out-of-order event)")
    );
}

#[tokio::test]
async fn unknown_adapters_accounts_and_methods_are_refused() {
    let app = App::new();
    let webhook = signed("orders-paid");
    let other_account = app.post("/webhooks/shopify/someone-else", &webhook).await;
    assert_eq!(other_account.status, 404, "{}", other_account.text());
    assert!(other_account.text().contains("unknown-account"));
    let other_adapter = app.post("/webhooks/taobao/jsmith", &webhook).await;
    assert_eq!(other_adapter.status, 404, "{}", other_adapter.text());
    assert!(other_adapter.text().contains("unknown-adapter"));
    let elsewhere = app.post("/orders", &webhook).await;
    assert_eq!(elsewhere.status, 404);
    assert!(app.store().list_inbox(false, 10).unwrap().is_empty());
}

#[tokio::test]
async fn a_body_over_the_cap_is_refused_with_413() {
    let app = App::with(&[("max_body_bytes", "1024")]);
    let webhook = signed("orders-paid");
    assert!(webhook.body.len() > 1024);
    let reply = app.deliver(&webhook).await;
    assert_eq!(reply.status, 413, "{}", reply.text());
    assert!(reply.text().contains("limited to 1024 bytes"));
    assert!(app.store().list_inbox(false, 10).unwrap().is_empty());
}

#[tokio::test]
async fn a_bad_account_variable_fails_with_500_naming_it() {
    let app = App::with(&[("account_jsmith_credentials", "shop=jsmith")]);
    let reply = app.deliver(&signed("orders-paid")).await;
    assert_eq!(reply.status, 500, "{}", reply.text());
    assert!(
        reply.text().contains("account_jsmith_credentials"),
        "{}",
        reply.text()
    );
}

/// An engine like Spin's, for type inspection.
fn engine() -> wasmtime::Engine {
    let mut config = wasmtime::Config::new();
    config.wasm_component_model_async(true);
    wasmtime::Engine::new(&config).expect("engine")
}

#[test]
fn the_component_imports_only_what_spin_provides_and_its_dependency_serves() {
    let engine = engine();
    let spin = wasmtime::component::Component::from_file(&engine, component()).unwrap();
    let missing = platform::unprovided(
        &engine,
        &spin,
        &[orderhub_spin_harness::dependency::CONNECTOR],
    );
    assert!(
        missing.is_empty(),
        "Spin {} does not provide {missing:?}",
        platform::SPIN_VERSION
    );
    let names: Vec<String> = platform::imports(&engine, &spin)
        .into_iter()
        .map(|(n, _)| n)
        .collect();
    for expected in [
        "orderhub:adapter/connector@0.2.0",
        "spin:sqlite/sqlite@3.1.0",
        "spin:variables/variables@3.0.0",
    ] {
        assert!(
            names.iter().any(|n| n == expected),
            "{expected} in {names:?}"
        );
    }
    let exports: Vec<String> = spin
        .component_type()
        .exports(&engine)
        .map(|(n, _)| n.to_string())
        .collect();
    assert_eq!(exports, ["wasi:http/handler@0.3.0"]);
    assert!(platform::HTTP_HANDLER_EXPORTS.contains(&exports[0].as_str()));
}

#[test]
fn every_shipped_adapter_can_be_a_spin_dependency_as_it_is() {
    let engine = engine();
    let dir = workspace_root().join("dist/adapters");
    let mut checked = 0;
    for entry in std::fs::read_dir(&dir).expect("dist/adapters exists: run `make adapters`") {
        let path = entry.unwrap().path();
        if path.extension().is_none_or(|e| e != "wasm") {
            continue;
        }
        let adapter = wasmtime::component::Component::from_file(&engine, &path).unwrap();
        // A dependency's imports are served by Spin alone (an adapter that
        // imported `orderhub:adapter/log` could not start under Spin).
        let missing = platform::unprovided(&engine, &adapter, &[]);
        assert!(
            missing.is_empty(),
            "{}: Spin does not provide {missing:?}",
            path.display()
        );
        assert!(
            adapter
                .component_type()
                .get_export(&engine, orderhub_spin_harness::dependency::CONNECTOR)
                .is_some(),
            "{} exports the connector",
            path.display()
        );
        checked += 1;
    }
    assert!(
        checked >= 20,
        "only {checked} adapters in {}",
        dir.display()
    );
}

/// The columns of each table, as SQLite reports them.
fn columns(path: &Path, table: &str) -> Vec<(String, String, bool)> {
    let conn = rusqlite::Connection::open(path).unwrap();
    let mut stmt = conn
        .prepare(&format!(
            "SELECT name, type, \"notnull\" FROM pragma_table_info('{table}') ORDER BY cid"
        ))
        .unwrap();
    stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap()
}

#[tokio::test]
async fn the_spin_database_has_the_native_schema() {
    let app = App::new();
    assert_eq!(app.deliver(&signed("orders-paid")).await.status, 200);
    let dir = tempfile::tempdir().unwrap();
    let native = dir.path().join("native.db");
    drop(SqliteStore::open(&native).unwrap());
    for table in orderhub_spin::schema::TABLES {
        let spin = columns(&app.database, table);
        assert!(!spin.is_empty(), "{table} exists in the Spin database");
        assert_eq!(spin, columns(&native, table), "{table}");
    }
}

#[test]
fn spin_toml_parses_and_names_files_that_exist() {
    let root = workspace_root();
    let text = std::fs::read_to_string(root.join("spin.toml")).expect("spin.toml at the root");
    let manifest: toml::Table = text.parse().expect("spin.toml is TOML");
    assert_eq!(manifest["spin_manifest_version"].as_integer(), Some(2));
    let triggers = manifest["trigger"]["http"]
        .as_array()
        .expect("HTTP triggers");
    let components = manifest["component"].as_table().expect("components");
    assert!(!triggers.is_empty());
    for trigger in triggers {
        let id = trigger["component"].as_str().expect("a component id");
        let route = trigger["route"].as_str().expect("a route");
        let component = components[id]
            .as_table()
            .unwrap_or_else(|| panic!("component {id}"));
        let source = component["source"].as_str().expect("a source file");
        assert!(
            root.join(source).exists(),
            "{id}: source {source} is missing: run `make spin`"
        );
        assert!(
            component["allowed_outbound_hosts"]
                .as_array()
                .is_some_and(|hosts| hosts.is_empty()),
            "{id}: outbound hosts are denied"
        );
        assert!(
            component["build"]["command"].as_str().is_some(),
            "{id}: build command"
        );
        let dependencies = component["dependencies"].as_table().expect("dependencies");
        let adapter = dependencies["orderhub:adapter/connector@0.2.0"]["path"]
            .as_str()
            .expect("the connector dependency is a local file");
        // The same file the native host loads from dist/adapters.
        let id_in_route = route
            .strip_prefix("/webhooks/")
            .and_then(|r| r.split('/').next())
            .expect("routes are /webhooks/{adapter}/...");
        assert_eq!(adapter, format!("dist/adapters/{id_in_route}.wasm"));
        assert!(
            root.join(adapter).exists(),
            "{adapter} is missing: run `make adapters`"
        );
        let variables = component["variables"].as_table().expect("variables");
        assert!(
            variables.contains_key("accounts"),
            "{id}: accounts variable"
        );
    }
}
