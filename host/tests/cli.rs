//! The `orderhub` binary as an operator and an adapter author use it: the
//! runner on every shipped adapter, and `serve` started from a config file.

mod support;
use support::{root, wasm};

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use serde_json::Value;

const BIN: &str = env!("CARGO_BIN_EXE_orderhub");

fn fixture(adapter: &str, name: &str) -> PathBuf {
    root()
        .join("fixtures")
        .join(adapter)
        .join(format!("{name}.json"))
}

fn orderhub(args: &[&str], stdin: Option<&str>) -> Output {
    let mut cmd = Command::new(BIN);
    cmd.args(args)
        .current_dir(std::env::temp_dir())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = cmd.spawn().expect("orderhub runs");
    if let Some(input) = stdin {
        use std::io::Write as _;
        child
            .stdin
            .take()
            .unwrap()
            .write_all(input.as_bytes())
            .unwrap();
    }
    drop(child.stdin.take());
    child.wait_with_output().unwrap()
}

fn json_out(output: &Output) -> Value {
    serde_json::from_slice(&output.stdout).unwrap_or_else(|e| {
        panic!(
            "stdout is not JSON ({e}): {}",
            String::from_utf8_lossy(&output.stdout)
        )
    })
}

fn run(adapter: &str, function: &str, input: &Path) -> Output {
    orderhub(
        &[
            "adapter",
            "run",
            wasm(adapter).to_str().unwrap(),
            function,
            "--input",
            input.to_str().unwrap(),
        ],
        None,
    )
}

#[test]
fn runner_verifies_and_normalizes_a_shopify_webhook() {
    let verified = run("shopify", "verify", &fixture("shopify", "orders-paid"));
    assert!(
        verified.status.success(),
        "{}",
        String::from_utf8_lossy(&verified.stdout)
    );
    assert_eq!(json_out(&verified), serde_json::json!({"ok": true}));
    let stderr = String::from_utf8_lossy(&verified.stderr);
    assert!(
        stderr.contains("fuel used:") && stderr.contains("peak memory:"),
        "{stderr}"
    );

    let normalized = run("shopify", "normalize", &fixture("shopify", "orders-paid"));
    assert!(normalized.status.success());
    let out = json_out(&normalized);
    assert_eq!(out["events"][0]["body"]["external_id"], "450789469");
    assert_eq!(out["events"][0]["status"]["value"], "paid");
}

#[test]
fn runner_maps_taobao_statuses_from_stdin_and_signs_the_documented_example() {
    let out = orderhub(
        &[
            "adapter",
            "run",
            wasm("taobao").to_str().unwrap(),
            "status-map",
            "--input",
            "-",
        ],
        Some(r#"{"domain": "order", "value": "WAIT_BUYER_CONFIRM_GOODS"}"#),
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    assert_eq!(json_out(&out)["lifecycle"], "shipped");

    let signed = run(
        "taobao",
        "sign",
        &fixture("taobao", "sign-documented-example"),
    );
    assert!(
        signed.status.success(),
        "{}",
        String::from_utf8_lossy(&signed.stdout)
    );
    let query = json_out(&signed)["query"].clone();
    assert!(
        query.as_array().unwrap().contains(&serde_json::json!([
            "sign",
            "66987CB115214E59E6EC978214934FB8"
        ])),
        "{query}"
    );
}

#[test]
fn runner_reports_kuaidi100_bad_signature_as_a_typed_error() {
    let ok = run(
        "kuaidi100",
        "normalize",
        &fixture("kuaidi100", "push-delivered-sample"),
    );
    assert!(ok.status.success());
    assert_eq!(
        json_out(&ok)["events"][0]["body"]["tracking_number"],
        "JD0076810060555"
    );

    let refused = run(
        "kuaidi100",
        "verify",
        &fixture("kuaidi100", "push-tampered"),
    );
    assert_eq!(refused.status.code(), Some(1));
    assert_eq!(json_out(&refused)["kind"], "bad-signature");

    let ack = run(
        "kuaidi100",
        "acknowledge",
        &fixture("kuaidi100", "push-delivered-sample"),
    );
    assert_eq!(
        json_out(&ack)["body"],
        r#"{"result":true,"returnCode":"200","message":"成功"}"#
    );
}

#[test]
fn runner_errors_on_bad_input_and_bad_components() {
    let bad_json = orderhub(
        &[
            "adapter",
            "run",
            wasm("shopify").to_str().unwrap(),
            "verify",
            "--input",
            "-",
        ],
        Some("{nope"),
    );
    assert_eq!(bad_json.status.code(), Some(3));
    assert_eq!(json_out(&bad_json)["kind"], "invalid-input");

    let bad_function = orderhub(
        &[
            "adapter",
            "run",
            wasm("shopify").to_str().unwrap(),
            "explode",
        ],
        None,
    );
    assert_eq!(bad_function.status.code(), Some(3));
    assert!(
        json_out(&bad_function)["message"]
            .as_str()
            .unwrap()
            .contains("unknown function \"explode\"")
    );

    let dir = tempfile::tempdir().unwrap();
    let not_wasm = dir.path().join("broken.wasm");
    std::fs::write(&not_wasm, b"not a component").unwrap();
    let broken = orderhub(
        &["adapter", "run", not_wasm.to_str().unwrap(), "metadata"],
        None,
    );
    assert_eq!(broken.status.code(), Some(3));
    assert_eq!(json_out(&broken)["kind"], "load");
}

#[test]
fn runner_reports_traps_and_limits_of_a_hostile_adapter() {
    let trap = orderhub(
        &[
            "adapter",
            "run",
            wasm("test_hostile").to_str().unwrap(),
            "normalize",
            "--input",
            "-",
        ],
        Some(r#"{"body": "alloc"}"#),
    );
    assert_eq!(trap.status.code(), Some(2));
    assert_eq!(json_out(&trap)["kind"], "memory-limit");
}

#[test]
fn a_bad_config_names_the_key() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("orderhub.toml");
    std::fs::write(&config, "[server]\nlisten = \"nowhere\"\n[store]\nurl = \"sqlite://x.db\"\n[adapters]\ndir = \"a\"\n").unwrap();
    let out = orderhub(&["serve", "--config", config.to_str().unwrap()], None);
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("server.listen") && stderr.contains("\"nowhere\""),
        "{stderr}"
    );
}

#[test]
fn status_says_how_each_account_pushes_and_stream_settings_are_checked() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("a")).unwrap();
    let config = dir.path().join("orderhub.toml");
    let base = "[server]\nlisten = \"127.0.0.1:0\"\n[store]\nurl = \"sqlite://x.db\"\n[adapters]\ndir = \"a\"\n";
    let accounts = concat!(
        "[[accounts]]\nadapter = \"pinduoduo\"\nid = \"pdd\"\nstream = {}\n",
        "[[accounts]]\nadapter = \"shopify\"\nid = \"shop\"\npoll = { interval_secs = 60 }\n",
    );
    std::fs::write(&config, format!("{base}{accounts}")).unwrap();
    let out = orderhub(
        &["status", "--json", "--config", config.to_str().unwrap()],
        None,
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let status = json_out(&out);
    let push: Vec<(&str, &str)> = status["accounts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| (a["account"].as_str().unwrap(), a["push"].as_str().unwrap()))
        .collect();
    assert_eq!(push, [("pdd", "stream"), ("shop", "webhooks")]);

    let refused = format!(
        "{base}[[accounts]]\nadapter = \"pinduoduo\"\nid = \"pdd\"\nstream = {{ reconnect_min_ms = 0 }}\n"
    );
    std::fs::write(&config, refused).unwrap();
    let out = orderhub(&["status", "--config", config.to_str().unwrap()], None);
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("stream.reconnect_min_ms"), "{stderr}");
}

/// Kills the server when the test ends, pass or fail.
struct Server(std::process::Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

#[test]
fn serve_receives_a_signed_webhook_and_the_cli_shows_the_order() {
    let dir = tempfile::tempdir().unwrap();
    let adapters = dir.path().join("adapters");
    std::fs::create_dir_all(&adapters).unwrap();
    std::fs::copy(wasm("shopify"), adapters.join("shopify.wasm")).unwrap();
    let port = free_port();
    let config = dir.path().join("orderhub.toml");
    std::fs::write(
        &config,
        format!(
            "[server]\nlisten = \"127.0.0.1:{port}\"\n[store]\nurl = \"sqlite://data/orderhub.db\"\n[adapters]\ndir = \"adapters\"\n\
             [[accounts]]\nadapter = \"shopify\"\nid = \"jsmith\"\nsecrets = [\"env:ORDERHUB_TEST_SHOPIFY_SECRET\"]\n"
        ),
    )
    .unwrap();
    let config = config.to_str().unwrap().to_string();
    let child = Command::new(BIN)
        .args(["serve", "--config", &config])
        .env(
            "ORDERHUB_TEST_SHOPIFY_SECRET",
            "shpss_orderhub_fixture_current",
        )
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut server = Server(child);

    let url = format!("http://127.0.0.1:{port}");
    let sent = orderhub(
        &[
            "send",
            "--to",
            &url,
            "--wait",
            "60",
            fixture("shopify", "orders-paid").to_str().unwrap(),
        ],
        None,
    );
    assert!(
        sent.status.success(),
        "{}",
        String::from_utf8_lossy(&sent.stderr)
    );
    assert!(
        String::from_utf8_lossy(&sent.stdout).starts_with("200 orders-paid.json"),
        "{}",
        String::from_utf8_lossy(&sent.stdout)
    );

    let listed = orderhub(&["orders", "list", "--json", "--config", &config], None);
    let orders = json_out(&listed);
    assert_eq!(orders[0]["external_id"], "450789469");
    assert_eq!(orders[0]["status"], "paid");

    let shown = orderhub(
        &[
            "orders",
            "show",
            "shopify",
            "jsmith",
            "450789469",
            "--json",
            "--config",
            &config,
        ],
        None,
    );
    let view = json_out(&shown);
    assert_eq!(view["timeline"].as_array().unwrap().len(), 1);
    assert_eq!(view["timeline"][0]["event"]["topic"], "orders/paid");

    let events = json_out(&orderhub(
        &["events", "list", "--json", "--config", &config],
        None,
    ));
    assert_eq!(events[0]["state"], "applied");

    // The secret reached the adapter from the environment and never the logs.
    let _ = server.0.kill();
    let output = server.0.wait_with_output_after_kill();
    assert!(output.contains("orderhub listening"), "{output}");
    assert!(
        !output.contains("shpss_orderhub_fixture_current"),
        "{output}"
    );
}

trait StderrAfterKill {
    fn wait_with_output_after_kill(&mut self) -> String;
}

impl StderrAfterKill for std::process::Child {
    fn wait_with_output_after_kill(&mut self) -> String {
        use std::io::Read as _;
        let _ = self.wait();
        let mut text = String::new();
        if let Some(mut err) = self.stderr.take() {
            let _ = err.read_to_string(&mut text);
        }
        text
    }
}

/// The test PostgreSQL server (`.ci/run` starts it).
fn postgres_url() -> String {
    std::env::var("ORDERHUB_TEST_POSTGRES_URL")
        .ok()
        .filter(|u| !u.is_empty())
        .unwrap_or_else(|| "postgres://postgres@127.0.0.1:5432/test".to_string())
}

/// Drops the test's schema when the test ends, pass or fail.
struct Schema(String);

impl Drop for Schema {
    fn drop(&mut self) {
        if let Ok(mut client) = postgres::Client::connect(&postgres_url(), postgres::NoTls) {
            let _ = client.batch_execute(&format!("DROP SCHEMA IF EXISTS \"{}\" CASCADE", self.0));
        }
    }
}

fn orderhub_with_store(args: &[&str], store_url: &str) -> Output {
    Command::new(BIN)
        .args(args)
        .env("ORDERHUB_TEST_STORE_URL", store_url)
        .current_dir(std::env::temp_dir())
        .output()
        .unwrap()
}

#[test]
fn migrate_export_and_import_move_a_store_from_sqlite_to_postgres() {
    use orderhub_core::model::{Event, EventBody, Order, OrderStatus, RawRequest, StatusMapping};
    use orderhub_host::store::{Delivery, MappedEvent, OrderStore, Outcome, SqliteStore};

    let dir = tempfile::tempdir().unwrap();
    let write_config = |name: &str, url: &str| {
        let path = dir.path().join(name);
        std::fs::write(
            &path,
            format!("[server]\nlisten = \"127.0.0.1:0\"\n[store]\nurl = \"{url}\"\n[adapters]\ndir = \"adapters\"\n"),
        )
        .unwrap();
        path.to_str().unwrap().to_string()
    };
    let sqlite = write_config("sqlite.toml", "sqlite://data/orderhub.db");
    let pg = write_config("pg.toml", "env:ORDERHUB_TEST_STORE_URL");
    let schema = Schema(format!("orderhub_cli_{}", std::process::id()));
    let pg_url = format!("{}?schema={}", postgres_url(), schema.0);

    let migrated = orderhub(&["migrate", "--config", &sqlite], None);
    assert!(
        migrated.status.success(),
        "{}",
        String::from_utf8_lossy(&migrated.stderr)
    );
    let db = dir.path().join("data/orderhub.db");
    assert_eq!(
        String::from_utf8_lossy(&migrated.stdout),
        format!("store sqlite://{} is at the current schema\n", db.display())
    );

    // A store with an order and a dead letter, written as the pipeline does.
    {
        let store = SqliteStore::open(&db).unwrap();
        let request = |body: &[u8]| RawRequest {
            method: "POST".into(),
            url: "/webhooks/shop/main".into(),
            headers: vec![("X-Test".into(), "1".into())],
            body: body.to_vec(),
        };
        let event = Event {
            event_id: Some("e1".into()),
            topic: "orders/paid".into(),
            occurred_at: None,
            status: None,
            body: EventBody::Order(Box::new(Order {
                external_id: "1001".into(),
                currency: "EUR".into(),
                ..Default::default()
            })),
        };
        let mapping = StatusMapping {
            lifecycle: Some(OrderStatus::Paid),
            ..Default::default()
        };
        for (key, body, outcome) in [
            (
                "shop:main:sha256:aa",
                &b"{\"id\":1001}"[..],
                Outcome::Events(vec![MappedEvent {
                    key: "shop:main:id:e1".into(),
                    event,
                    mapping: Some(mapping),
                }]),
            ),
            (
                "shop:main:sha256:bb",
                &[0xff, 0xfe, 0x00][..],
                Outcome::Dead {
                    kind: "malformed-payload".into(),
                    message: "normalize: not JSON".into(),
                },
            ),
        ] {
            store
                .commit(Delivery {
                    key: key.into(),
                    adapter: "shop".into(),
                    account: "main".into(),
                    received_at: chrono::Utc::now(),
                    request: request(body),
                    outcome,
                })
                .unwrap();
        }
    }

    let dump = dir.path().join("dump.jsonl");
    let dump = dump.to_str().unwrap();
    let exported = orderhub(&["export", "--output", dump, "--config", &sqlite], None);
    assert!(
        exported.status.success(),
        "{}",
        String::from_utf8_lossy(&exported.stderr)
    );
    assert!(
        String::from_utf8_lossy(&exported.stderr).contains(
            "exported 2 deliveries, 1 events, 1 orders, 0 shipments, 0 inventory levels, 0 auth failures"
        ),
        "{}",
        String::from_utf8_lossy(&exported.stderr)
    );

    let migrated = orderhub_with_store(&["migrate", "--config", &pg], &pg_url);
    assert!(
        migrated.status.success(),
        "is PostgreSQL running at {}? {}",
        postgres_url(),
        String::from_utf8_lossy(&migrated.stderr)
    );
    assert!(
        String::from_utf8_lossy(&migrated.stdout)
            .ends_with(&format!("?schema={} is at the current schema\n", schema.0)),
        "{}",
        String::from_utf8_lossy(&migrated.stdout)
    );
    let imported = orderhub_with_store(&["import", "--input", dump, "--config", &pg], &pg_url);
    assert!(
        imported.status.success(),
        "{}",
        String::from_utf8_lossy(&imported.stderr)
    );
    assert!(
        String::from_utf8_lossy(&imported.stdout)
            .starts_with("imported 2 deliveries, 1 events, 1 orders")
    );

    let refused = orderhub_with_store(&["import", "--input", dump, "--config", &pg], &pg_url);
    assert!(!refused.status.success());
    let stderr = String::from_utf8_lossy(&refused.stderr);
    assert!(
        stderr.contains("already holds data") && stderr.contains("--force"),
        "{stderr}"
    );
    let forced = orderhub_with_store(
        &["import", "--input", dump, "--force", "--config", &pg],
        &pg_url,
    );
    assert!(
        forced.status.success(),
        "{}",
        String::from_utf8_lossy(&forced.stderr)
    );

    for args in [
        &["orders", "show", "shop", "main", "1001", "--json"][..],
        &["events", "list", "--json"][..],
    ] {
        let from_sqlite = orderhub(&[args, &["--config", &sqlite]].concat(), None);
        let from_pg = orderhub_with_store(&[args, &["--config", &pg]].concat(), &pg_url);
        assert!(
            from_pg.status.success(),
            "{}",
            String::from_utf8_lossy(&from_pg.stderr)
        );
        assert_eq!(json_out(&from_pg), json_out(&from_sqlite), "{args:?}");
    }
    let events = json_out(&orderhub(
        &["events", "list", "--dead", "--json", "--config", &sqlite],
        None,
    ));
    assert_eq!(events[0]["error_kind"], "malformed-payload");
}
