//! Shared support for the workspace tests: where the built adapters are,
//! fixture files, independent signers, a real host started on a free
//! loopback port with a temporary database, and fresh PostgreSQL schemas.
//!
//! Signatures here are computed with the RustCrypto crates directly, not with
//! the adapters' code, so a test that passes shows an adapter agrees with the
//! platform's rule rather than with itself.

pub mod mock_platform;
pub mod mock_stream;
pub mod mock_tmc;

use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::{Context, Result};
use base64::Engine as _;
use hmac::{Hmac, Mac};
use md5::{Digest, Md5};
use orderhub_host::config::Config;
use orderhub_host::pipeline::Pipeline;
use orderhub_host::store::OrderStore;
use serde_json::Value;
use sha2::Sha256;

/// The workspace root.
pub fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("tests/ lives in the workspace")
        .to_path_buf()
}

/// Where cargo builds (`CARGO_TARGET_DIR`, else `target/`).
pub fn target_dir() -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| workspace_root().join("target"))
}

/// The built component of an adapter crate (`shopify`, `test-hostile`, …).
///
/// Panics with the command to run when the adapters were not built, so a
/// missing build is never mistaken for a failing adapter.
pub fn wasm(adapter: &str) -> PathBuf {
    let path = target_dir()
        .join("wasm32-wasip2/adapter")
        .join(format!("adapter_{}.wasm", adapter.replace('-', "_")));
    assert!(
        path.exists(),
        "{} is missing: build the adapters first with `make adapters`",
        path.display()
    );
    path
}

/// The fixture directory of an adapter.
pub fn fixtures_dir(adapter: &str) -> PathBuf {
    workspace_root().join("fixtures").join(adapter)
}

/// Reads a fixture file as JSON.
pub fn fixture(adapter: &str, name: &str) -> Value {
    let path = fixtures_dir(adapter).join(format!("{name}.json"));
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{} is not JSON: {e}", path.display()))
}

/// A request to send: headers and raw body.
#[derive(Debug, Clone)]
pub struct Webhook {
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Webhook {
    /// The request stored in a webhook fixture.
    pub fn from_fixture(fixture: &Value) -> Webhook {
        let request = &fixture["request"];
        let headers = match &request["headers"] {
            Value::Object(map) => map
                .iter()
                .map(|(k, v)| (k.clone(), v.as_str().unwrap_or_default().to_string()))
                .collect(),
            Value::Array(items) => items
                .iter()
                .map(|p| {
                    (
                        p[0].as_str().unwrap_or_default().to_string(),
                        p[1].as_str().unwrap_or_default().to_string(),
                    )
                })
                .collect(),
            _ => vec![],
        };
        let body = match (&request["body"], &request["body_base64"]) {
            (Value::String(s), _) => s.as_bytes().to_vec(),
            (_, Value::String(b)) => base64::engine::general_purpose::STANDARD
                .decode(b)
                .expect("fixture body_base64"),
            _ => vec![],
        };
        Webhook { headers, body }
    }

    /// Replaces (or adds) a header.
    pub fn with_header(mut self, name: &str, value: &str) -> Self {
        self.headers.retain(|(n, _)| !n.eq_ignore_ascii_case(name));
        self.headers.push((name.to_string(), value.to_string()));
        self
    }
}

/// Shopify: base64(HMAC-SHA256(body, secret)) in `X-Shopify-Hmac-Sha256`.
pub fn shopify_webhook(secret: &str, topic: &str, webhook_id: &str, body: &[u8]) -> Webhook {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("any key length");
    mac.update(body);
    let sig = base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes());
    Webhook {
        headers: vec![
            ("Content-Type".into(), "application/json".into()),
            ("X-Shopify-Topic".into(), topic.into()),
            ("X-Shopify-Hmac-Sha256".into(), sig),
            (
                "X-Shopify-Shop-Domain".into(),
                "jsmith.myshopify.com".into(),
            ),
            ("X-Shopify-API-Version".into(), "2024-04".into()),
            ("X-Shopify-Webhook-Id".into(), webhook_id.into()),
        ],
        body: body.to_vec(),
    }
}

/// ERPNext (Frappe): base64(HMAC-SHA256(body, secret)) in `X-Frappe-Webhook-Signature`.
pub fn erpnext_webhook(secret: &str, body: &str) -> Webhook {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("any key length");
    mac.update(body.as_bytes());
    let sig = base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes());
    Webhook {
        headers: vec![
            ("Content-Type".into(), "application/json".into()),
            ("X-Frappe-Webhook-Signature".into(), sig),
        ],
        body: body.as_bytes().to_vec(),
    }
}

/// Kuaidi100: form `param` + `sign` = UPPER(MD5(param + salt)).
pub fn kuaidi100_webhook(salt: &str, param: &str) -> Webhook {
    let sign = hex::encode_upper(Md5::digest(format!("{param}{salt}").as_bytes()));
    let body = form_urlencoded::Serializer::new(String::new())
        .append_pair("param", param)
        .append_pair("sign", &sign)
        .finish();
    Webhook {
        headers: vec![(
            "Content-Type".into(),
            "application/x-www-form-urlencoded".into(),
        )],
        body: body.into_bytes(),
    }
}

/// A Taobao TMC message relayed as a TOP-signed form (md5 method).
pub fn taobao_webhook(secret: &str, fields: &[(&str, &str)]) -> Webhook {
    let mut sorted: Vec<_> = fields.to_vec();
    sorted.sort();
    let mut text = String::from(secret);
    for (k, v) in &sorted {
        text.push_str(k);
        text.push_str(v);
    }
    text.push_str(secret);
    let sign = hex::encode_upper(Md5::digest(text.as_bytes()));
    let mut ser = form_urlencoded::Serializer::new(String::new());
    for (k, v) in fields {
        ser.append_pair(k, v);
    }
    ser.append_pair("sign", &sign);
    Webhook {
        headers: vec![(
            "Content-Type".into(),
            "application/x-www-form-urlencoded".into(),
        )],
        body: ser.finish().into_bytes(),
    }
}

/// One account of the test host's configuration.
#[derive(Debug, Clone)]
pub struct TestAccount {
    pub adapter: String,
    pub id: String,
    pub secrets: Vec<String>,
    pub credentials: Vec<(String, String)>,
    /// `[accounts.carriers]`: the account's own carrier codes → canonical ids.
    pub carriers: Vec<(String, String)>,
    /// More TOML keys of the account (e.g. `poll = { interval_secs = 60 }`).
    pub extra: String,
}

impl TestAccount {
    /// The account a fixture was signed for.
    pub fn from_fixture(adapter: &str, fixture: &Value) -> TestAccount {
        let account = &fixture["account"];
        TestAccount {
            adapter: adapter.to_string(),
            id: account["id"].as_str().unwrap_or("main").to_string(),
            secrets: account["secrets"]
                .as_array()
                .map(|s| {
                    s.iter()
                        .filter_map(|v| v.as_str().map(str::to_string))
                        .collect()
                })
                .unwrap_or_default(),
            credentials: account["credentials"]
                .as_object()
                .map(|c| {
                    c.iter()
                        .map(|(k, v)| (k.clone(), v.as_str().unwrap_or_default().to_string()))
                        .collect()
                })
                .unwrap_or_default(),
            carriers: Vec::new(),
            extra: String::new(),
        }
    }
}

/// The PostgreSQL server the tests use: `ORDERHUB_TEST_POSTGRES_URL`, by
/// default the local server `.ci/run` starts.
pub fn postgres_url() -> String {
    std::env::var("ORDERHUB_TEST_POSTGRES_URL")
        .ok()
        .filter(|u| !u.is_empty())
        .unwrap_or_else(|| "postgres://postgres@127.0.0.1:5432/test".to_string())
}

/// A schema of its own on the test PostgreSQL server, dropped (with all it
/// holds) when this value is dropped. The store creates it when it opens.
#[derive(Debug)]
pub struct TestSchema {
    /// The store URL: the server's URL with `schema=` this schema.
    pub url: String,
    pub name: String,
    server: String,
}

impl TestSchema {
    /// A new, unused schema name; panics with what to do when the server
    /// cannot be reached, so a missing PostgreSQL is a failure, never a skip.
    pub fn fresh() -> TestSchema {
        static NEXT: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
        let server = postgres_url();
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.subsec_nanos())
            .unwrap_or(0);
        let name = format!(
            "orderhub_test_{}_{}_{nanos}",
            std::process::id(),
            NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
        );
        let separator = if server.contains('?') { '&' } else { '?' };
        // The application name tells this schema's connections apart.
        let url = format!("{server}{separator}schema={name}&application_name={name}");
        let check = server.clone();
        let reachable =
            on_own_thread(move || postgres::Client::connect(&check, postgres::NoTls).map(drop));
        if let Err(e) = reachable {
            panic!(
                "PostgreSQL is not reachable at {server}: {e}. The PostgreSQL tests need it: \
                 start it (`pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start`, \
                 as .ci/run does) or point ORDERHUB_TEST_POSTGRES_URL at a server"
            );
        }
        TestSchema { url, name, server }
    }
}

impl TestSchema {
    /// Ends every server connection of stores on this schema, as a server
    /// restart would; returns how many there were.
    pub fn disconnect_all(&self) -> Result<u64, String> {
        let (server, name) = (self.server.clone(), self.name.clone());
        on_own_thread(move || {
            let mut client = postgres::Client::connect(&server, postgres::NoTls)?;
            client.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = $1",
                &[&name],
            )
        })
    }
}

impl Drop for TestSchema {
    fn drop(&mut self) {
        let (server, name) = (self.server.clone(), self.name.clone());
        let dropped = on_own_thread(move || {
            let mut client = postgres::Client::connect(&server, postgres::NoTls)?;
            client.batch_execute(&format!("DROP SCHEMA IF EXISTS \"{name}\" CASCADE"))
        });
        if let Err(e) = dropped {
            eprintln!("could not drop test schema {}: {e}", self.name);
        }
    }
}

/// Runs blocking PostgreSQL client code away from any async runtime.
fn on_own_thread<T: Send + 'static>(
    f: impl FnOnce() -> Result<T, postgres::Error> + Send + 'static,
) -> Result<T, String> {
    std::thread::spawn(f)
        .join()
        .map_err(|_| "the PostgreSQL client panicked".to_string())?
        .map_err(|e| e.to_string())
}

/// Settings of a test host.
#[derive(Debug, Clone)]
pub struct HostOptions {
    /// Adapter crates whose components are installed.
    pub adapters: Vec<&'static str>,
    pub accounts: Vec<TestAccount>,
    /// Extra TOML under `[adapters]` (limits).
    pub adapters_extra: String,
    pub max_body_bytes: usize,
    /// `[store] url`; `None` is a SQLite file in the host's temporary directory.
    pub store_url: Option<String>,
    /// The `[polling]` section's keys.
    pub polling: String,
}

impl Default for HostOptions {
    fn default() -> Self {
        HostOptions {
            adapters: vec![],
            accounts: vec![],
            adapters_extra: String::new(),
            max_body_bytes: 4 << 20,
            store_url: None,
            polling: String::new(),
        }
    }
}

/// A real host serving on a free loopback port, with its own temporary store.
pub struct TestHost {
    pub base_url: String,
    pub pipeline: Pipeline,
    pub client: reqwest::Client,
    pub dir: tempfile::TempDir,
    server: tokio::task::JoinHandle<()>,
}

fn toml_string(s: &str) -> String {
    serde_json::to_string(s).expect("strings serialize")
}

impl TestHost {
    pub async fn start(options: HostOptions) -> Result<TestHost> {
        let dir = tempfile::tempdir()?;
        let adapters_dir = dir.path().join("adapters");
        std::fs::create_dir_all(&adapters_dir)?;
        for adapter in &options.adapters {
            std::fs::copy(wasm(adapter), adapters_dir.join(format!("{adapter}.wasm")))?;
        }
        // Compiled adapters are shared across tests through the target dir.
        let cache = target_dir().join("orderhub-test-cache");
        let mut toml = format!(
            "[server]\nlisten = \"127.0.0.1:0\"\nmax_body_bytes = {}\n[store]\nurl = {}\n[adapters]\ndir = \"adapters\"\ncache_dir = {}\n{}\n",
            options.max_body_bytes,
            toml_string(
                options
                    .store_url
                    .as_deref()
                    .unwrap_or("sqlite://orderhub.db")
            ),
            toml_string(&cache.display().to_string()),
            options.adapters_extra
        );
        toml.push_str(&format!("[polling]\n{}\n", options.polling));
        for a in &options.accounts {
            let secrets: Vec<String> = a.secrets.iter().map(|s| toml_string(s)).collect();
            let creds: Vec<String> = a
                .credentials
                .iter()
                .map(|(k, v)| format!("{} = {}", toml_string(k), toml_string(v)))
                .collect();
            let carriers: Vec<String> = a
                .carriers
                .iter()
                .map(|(k, v)| format!("{} = {}", toml_string(k), toml_string(v)))
                .collect();
            toml.push_str(&format!(
                "[[accounts]]\nadapter = {}\nid = {}\nsecrets = [{}]\ncredentials = {{ {} }}\ncarriers = {{ {} }}\n{}\n",
                toml_string(&a.adapter),
                toml_string(&a.id),
                secrets.join(", "),
                creds.join(", "),
                carriers.join(", "),
                a.extra
            ));
        }
        let config_path = dir.path().join("orderhub.toml");
        std::fs::write(&config_path, &toml)?;
        let config = Config::load(&config_path).context("test config")?;
        let pipeline = orderhub_host::app::pipeline(config).context("starting the test host")?;
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        let base_url = format!("http://{}", listener.local_addr()?);
        let serving = pipeline.clone();
        let server = tokio::spawn(async move {
            let _ = orderhub_host::server::serve(serving, listener).await;
        });
        Ok(TestHost {
            base_url,
            pipeline,
            client: reqwest::Client::new(),
            dir,
            server,
        })
    }

    pub fn store(&self) -> Arc<dyn OrderStore> {
        self.pipeline.store.clone()
    }

    /// POSTs a webhook to `/webhooks/{adapter}/{account}`; returns status and body.
    pub async fn send(
        &self,
        adapter: &str,
        account: &str,
        webhook: &Webhook,
    ) -> Result<(u16, String)> {
        let mut request = self
            .client
            .post(format!("{}/webhooks/{adapter}/{account}", self.base_url))
            .body(webhook.body.clone());
        for (name, value) in &webhook.headers {
            request = request.header(name, value);
        }
        let response = request.send().await?;
        let status = response.status().as_u16();
        Ok((status, response.text().await?))
    }
}

impl Drop for TestHost {
    fn drop(&mut self) {
        self.server.abort();
    }
}

/// The admin API of a [`TestHost`], served on its own free loopback port
/// and stopped when dropped.
pub struct TestAdmin {
    pub base_url: String,
    pub client: orderhub_host::admin::AdminClient,
    pub installer: Arc<orderhub_host::install::Installer>,
    task: tokio::task::JoinHandle<()>,
}

impl TestHost {
    /// Starts the admin API of this host, requiring `token`.
    pub async fn start_admin(&self, token: &str) -> Result<TestAdmin> {
        let installer = Arc::new(
            orderhub_host::app::installer(&self.pipeline).context("creating the installer")?,
        );
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        let address = listener.local_addr()?;
        let (serving, token_owned) = (installer.clone(), token.to_string());
        let task = tokio::spawn(async move {
            let _ = orderhub_host::admin::serve(serving, &token_owned, listener).await;
        });
        Ok(TestAdmin {
            base_url: format!("http://{address}"),
            client: orderhub_host::admin::AdminClient::new(address, token),
            installer,
            task,
        })
    }

    /// The adapters directory the host loaded its components from.
    pub fn adapters_dir(&self) -> PathBuf {
        self.dir.path().join("adapters")
    }
}

impl Drop for TestAdmin {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// The built `orderhub` binary, built first when a test run did not build it.
pub fn orderhub_binary() -> PathBuf {
    let path = target_dir().join("debug/orderhub");
    if !path.exists() {
        let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
        let status = std::process::Command::new(cargo)
            .args(["build", "-p", "orderhub-host", "--bin", "orderhub"])
            .current_dir(workspace_root())
            .status()
            .expect("cargo runs");
        assert!(status.success(), "building the orderhub binary failed");
    }
    path
}
