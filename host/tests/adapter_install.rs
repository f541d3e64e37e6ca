//! `orderhub adapter install | list | rollback` as an operator runs them:
//! against a running `orderhub serve` through its admin API, and on disk
//! when no admin API is configured.

mod support;
use support::{root, wasm};

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output};
use std::time::{Duration, Instant};

use serde_json::Value;

const BIN: &str = env!("CARGO_BIN_EXE_orderhub");
const TOKEN: &str = "cli-admin-token-0123456789";

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// A host directory: shopify installed, a config with or without `[admin]`.
fn host_dir(admin_port: Option<u16>) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("adapters")).unwrap();
    std::fs::copy(wasm("shopify"), dir.path().join("adapters/shopify.wasm")).unwrap();
    let admin = admin_port
        .map(|p| {
            format!("[admin]\nlisten = \"127.0.0.1:{p}\"\ntoken = \"env:ORDERHUB_ADMIN_TOKEN\"\n")
        })
        .unwrap_or_default();
    let config = format!(
        "[server]\nlisten = \"127.0.0.1:{}\"\n[store]\nurl = \"sqlite://orderhub.db\"\n[adapters]\ndir = \"adapters\"\nwatch_interval_ms = 0\n{admin}",
        free_port()
    );
    let path = dir.path().join("orderhub.toml");
    std::fs::write(&path, config).unwrap();
    (dir, path)
}

/// The shopify component under another sha256 (a custom section appended).
fn variant(dir: &Path, tag: &str) -> PathBuf {
    let mut bytes = std::fs::read(wasm("shopify")).unwrap();
    let name = b"orderhub-test-build";
    bytes.extend([0, (1 + name.len() + tag.len()) as u8, name.len() as u8]);
    bytes.extend_from_slice(name);
    bytes.extend_from_slice(tag.as_bytes());
    let path = dir.join(format!("shopify-{tag}.wasm"));
    std::fs::write(&path, bytes).unwrap();
    path
}

fn orderhub(config: &Path, args: &[&str]) -> Output {
    Command::new(BIN)
        .arg("--config")
        .arg(config)
        .args(args)
        .env("ORDERHUB_ADMIN_TOKEN", TOKEN)
        .output()
        .expect("orderhub runs")
}

fn json(output: &Output) -> Value {
    assert!(
        output.status.success(),
        "failed: {}\n{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).unwrap()
}

fn shopify(list: &Value) -> Value {
    list.as_array()
        .unwrap()
        .iter()
        .find(|a| a["id"] == "shopify")
        .cloned()
        .expect("shopify listed")
}

/// The steps both modes share: install two versions, list, roll back once.
fn install_list_rollback(config: &Path, work: &Path) {
    let boot = shopify(&json(&orderhub(config, &["adapter", "list", "--json"])))["sha256"]
        .as_str()
        .unwrap()
        .to_string();
    let fixtures = root().join("fixtures/shopify");
    let mut installed = Vec::new();
    for tag in ["a", "b"] {
        let path = variant(work, tag);
        let report = json(&orderhub(
            config,
            &[
                "adapter",
                "install",
                path.to_str().unwrap(),
                "--fixtures",
                fixtures.to_str().unwrap(),
                "--json",
            ],
        ));
        assert_eq!(report["id"], "shopify");
        installed.push(report["sha256"].as_str().unwrap().to_string());
    }
    let listed = shopify(&json(&orderhub(config, &["adapter", "list", "--json"])));
    assert_eq!(listed["sha256"], installed[1]);
    let previous: Vec<&str> = listed["previous"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["sha256"].as_str().unwrap())
        .collect();
    assert_eq!(previous, [installed[0].as_str(), boot.as_str()]);

    let text = orderhub(config, &["adapter", "list"]);
    let text = String::from_utf8_lossy(&text.stdout);
    assert!(
        text.contains("  previous ") && text.contains(&boot),
        "{text}"
    );

    let rolled = orderhub(config, &["adapter", "rollback", "shopify"]);
    let out = String::from_utf8_lossy(&rolled.stdout);
    assert!(rolled.status.success(), "{out}");
    assert!(
        out.contains("rolled back to shopify") && out.contains(&installed[0]),
        "{out}"
    );

    // A component for another contract version is refused, naming the skew.
    let mut skewed = std::fs::read(wasm("shopify")).unwrap();
    for i in 0..skewed.len().saturating_sub(15) {
        if &skewed[i..i + 15] == b"connector@0.2.0" {
            skewed[i + 10..i + 15].copy_from_slice(b"0.9.0");
        }
    }
    let path = work.join("skewed.wasm");
    std::fs::write(&path, skewed).unwrap();
    let refused = orderhub(config, &["adapter", "install", path.to_str().unwrap()]);
    assert!(!refused.status.success());
    let err = String::from_utf8_lossy(&refused.stderr);
    assert!(err.contains("version skew"), "{err}");
}

#[test]
fn install_list_and_rollback_on_disk_without_an_admin_api() {
    let (dir, config) = host_dir(None);
    install_list_rollback(&config, dir.path());
    // The adapters directory holds the version rolled back to.
    let on_disk = std::fs::read(dir.path().join("adapters/shopify.wasm")).unwrap();
    let kept = std::fs::read(variant(dir.path(), "a")).unwrap();
    assert_eq!(on_disk, kept);
}

struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[test]
fn install_list_and_rollback_through_a_running_hosts_admin_api() {
    let port = free_port();
    let (dir, config) = host_dir(Some(port));
    let _server = Server(
        Command::new(BIN)
            .arg("--config")
            .arg(&config)
            .arg("serve")
            .env("ORDERHUB_ADMIN_TOKEN", TOKEN)
            .spawn()
            .unwrap(),
    );
    let deadline = Instant::now() + Duration::from_secs(60);
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(Instant::now() < deadline, "the admin API did not come up");
        std::thread::sleep(Duration::from_millis(100));
    }
    install_list_rollback(&config, dir.path());

    // Without the token the commands say what is missing.
    let out = Command::new(BIN)
        .arg("--config")
        .arg(&config)
        .args(["adapter", "list"])
        .env_remove("ORDERHUB_ADMIN_TOKEN")
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("admin.token is empty"), "{err}");
}
