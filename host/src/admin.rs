//! The admin API: installing, rolling back and listing adapter versions of a
//! running host.
//!
//! It listens on its own address (`[admin] listen`), never on the webhook
//! port, and every request must carry `Authorization: Bearer <token>` with the
//! configured token. Routes (JSON in and out; `docs/hot-swap.md`):
//!
//! - `GET  /admin/adapters` — active versions with the versions a rollback returns to
//! - `POST /admin/adapters` — `{"component_base64": …, "fixtures": {"name.json": {…}}, "fixtures_dir": "…"}`
//! - `POST /admin/adapters/{id}/rollback`

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Arc;

use axum::Router;
use axum::extract::{DefaultBodyLimit, Path, Request, State};
use axum::http::{StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use base64::Engine as _;
use serde::Deserialize;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use crate::install::{InstallError, InstallRequest, Installer, MAX_COMPONENT_BYTES};

/// State shared by the admin handlers.
#[derive(Clone)]
struct Admin {
    installer: Arc<Installer>,
    /// SHA-256 of the token: compared in constant time with the presented one's.
    token_hash: [u8; 32],
}

/// The body of an install.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct InstallBody {
    /// The component's bytes, base64.
    pub component_base64: String,
    /// Fixture files by file name (`*.json`), checked before the swap.
    #[serde(default)]
    pub fixtures: BTreeMap<String, Value>,
    /// Or: a fixtures directory the host itself can read.
    #[serde(default)]
    pub fixtures_dir: Option<PathBuf>,
    /// Where the component came from, for the history (a file name).
    #[serde(default)]
    pub origin: Option<String>,
}

/// The admin router. `token` must not be empty.
pub fn app(installer: Arc<Installer>, token: &str) -> Router {
    let state = Admin {
        installer,
        token_hash: Sha256::digest(token.as_bytes()).into(),
    };
    Router::new()
        .route("/admin/adapters", get(list).post(install))
        .route("/admin/adapters/{id}/rollback", post(rollback))
        .layer(middleware::from_fn_with_state(state.clone(), authorize))
        // base64 grows a component by a third; fixtures come on top.
        .layer(DefaultBodyLimit::max(MAX_COMPONENT_BYTES * 2))
        .with_state(state)
}

/// Serves the admin API until the process ends.
pub async fn serve(
    installer: Arc<Installer>,
    token: &str,
    listener: tokio::net::TcpListener,
) -> std::io::Result<()> {
    axum::serve(listener, app(installer, token)).await
}

async fn authorize(State(admin): State<Admin>, request: Request, next: Next) -> Response {
    let presented = request
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(|t| <[u8; 32]>::from(Sha256::digest(t.trim().as_bytes())));
    let ok = presented.is_some_and(|hash| constant_time_eq(&hash, &admin.token_hash));
    if !ok {
        tracing::warn!(path = %request.uri().path(), "admin request refused: missing or wrong bearer token");
        return error(
            StatusCode::UNAUTHORIZED,
            "unauthorized",
            "the admin API needs Authorization: Bearer <admin token>".into(),
        );
    }
    next.run(request).await
}

fn constant_time_eq(a: &[u8; 32], b: &[u8; 32]) -> bool {
    a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

fn error(status: StatusCode, kind: &str, message: String) -> Response {
    (
        status,
        axum::Json(json!({"error": kind, "message": message})),
    )
        .into_response()
}

fn install_error(e: InstallError) -> Response {
    let status = match &e {
        InstallError::NothingToRollBack(_) => StatusCode::CONFLICT,
        e if e.is_rejection() => StatusCode::UNPROCESSABLE_ENTITY,
        _ => StatusCode::INTERNAL_SERVER_ERROR,
    };
    tracing::warn!(kind = e.kind(), "adapter install refused: {e}");
    error(status, e.kind(), e.to_string())
}

async fn list(State(admin): State<Admin>) -> Response {
    match admin.installer.list() {
        Ok(list) => axum::Json(list).into_response(),
        Err(e) => install_error(e),
    }
}

async fn install(
    State(admin): State<Admin>,
    axum::Json(body): axum::Json<InstallBody>,
) -> Response {
    let bytes = match base64::engine::general_purpose::STANDARD.decode(body.component_base64.trim())
    {
        Ok(b) => b,
        Err(e) => {
            return error(
                StatusCode::BAD_REQUEST,
                "invalid-input",
                format!("component_base64 is not base64: {e}"),
            );
        }
    };
    let work = move || -> Result<_, InstallError> {
        // Fixtures sent inline are written to a directory of their own for
        // the checks; the installer keeps a copy with the version.
        let staged = if body.fixtures.is_empty() {
            None
        } else {
            Some(stage_fixtures(&body.fixtures)?)
        };
        let fixtures = staged
            .as_ref()
            .map(|d| d.path().to_path_buf())
            .or(body.fixtures_dir);
        let request = InstallRequest {
            origin: body.origin.unwrap_or_else(|| "admin API".into()),
            fixtures,
            expected_id: None,
        };
        admin.installer.install(&bytes, &request)
    };
    match tokio::task::spawn_blocking(work).await {
        Ok(Ok(report)) => axum::Json(report).into_response(),
        Ok(Err(e)) => install_error(e),
        Err(e) => error(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal",
            format!("the install task failed: {e}"),
        ),
    }
}

async fn rollback(State(admin): State<Admin>, Path(id): Path<String>) -> Response {
    let installer = admin.installer.clone();
    match tokio::task::spawn_blocking(move || installer.rollback(&id)).await {
        Ok(Ok(report)) => axum::Json(report).into_response(),
        Ok(Err(e)) => install_error(e),
        Err(e) => error(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal",
            format!("the rollback task failed: {e}"),
        ),
    }
}

/// Writes inline fixtures to a temporary directory. Names are plain file
/// names ending in `.json`: nothing can be written outside it.
fn stage_fixtures(fixtures: &BTreeMap<String, Value>) -> Result<tempfile::TempDir, InstallError> {
    let dir = tempfile::tempdir()
        .map_err(|e| InstallError::Internal(format!("cannot create a fixtures directory: {e}")))?;
    for (name, value) in fixtures {
        let plain = !name.is_empty()
            && name.ends_with(".json")
            && !name.starts_with('.')
            && !name.contains(['/', '\\']);
        if !plain {
            return Err(InstallError::Fixtures(format!(
                "fixture name {name:?} must be a plain file name ending in .json"
            )));
        }
        let text = serde_json::to_string_pretty(value)
            .map_err(|e| InstallError::Fixtures(format!("{name}: {e}")))?;
        std::fs::write(dir.path().join(name), text)
            .map_err(|e| InstallError::Internal(format!("writing fixture {name}: {e}")))?;
    }
    Ok(dir)
}

/// Why an admin API call failed.
#[derive(Debug, thiserror::Error)]
pub enum ClientError {
    #[error("cannot reach the admin API at {url}: {message}")]
    Unreachable { url: String, message: String },
    /// The host answered with an error (`kind` as in [`InstallError::kind`]).
    #[error("{message} ({kind}, HTTP {status})")]
    Refused {
        status: u16,
        kind: String,
        message: String,
    },
    #[error("{0}")]
    Input(String),
}

/// A client of a running host's admin API (what `orderhub adapter install`,
/// `rollback` and `list` use when `[admin]` is configured).
#[derive(Debug, Clone)]
pub struct AdminClient {
    base: String,
    token: String,
    http: reqwest::Client,
}

impl AdminClient {
    /// A client for the admin API listening on `listen`; an unspecified
    /// address (`0.0.0.0`) is reached on loopback.
    pub fn new(listen: std::net::SocketAddr, token: &str) -> Self {
        let host = if listen.ip().is_unspecified() {
            std::net::SocketAddr::new(std::net::Ipv4Addr::LOCALHOST.into(), listen.port())
        } else {
            listen
        };
        AdminClient {
            base: format!("http://{host}"),
            token: token.to_string(),
            http: reqwest::Client::new(),
        }
    }

    async fn call(&self, request: reqwest::RequestBuilder) -> Result<Value, ClientError> {
        let response = request.bearer_auth(&self.token).send().await.map_err(|e| {
            ClientError::Unreachable {
                url: self.base.clone(),
                message: e.to_string(),
            }
        })?;
        let status = response.status().as_u16();
        let text = response.text().await.unwrap_or_default();
        let body: Value = serde_json::from_str(&text).unwrap_or(Value::String(text));
        if (200..300).contains(&status) {
            return Ok(body);
        }
        Err(ClientError::Refused {
            status,
            kind: body["error"].as_str().unwrap_or("error").to_string(),
            message: body["message"]
                .as_str()
                .map(str::to_string)
                .unwrap_or_else(|| body.to_string()),
        })
    }

    /// Active adapters with their previous versions.
    pub async fn list(&self) -> Result<Value, ClientError> {
        self.call(self.http.get(format!("{}/admin/adapters", self.base)))
            .await
    }

    /// Sends a component, with the `*.json` files of `fixtures` inline.
    pub async fn install(
        &self,
        component: &std::path::Path,
        fixtures: Option<&std::path::Path>,
    ) -> Result<Value, ClientError> {
        let bytes = std::fs::read(component)
            .map_err(|e| ClientError::Input(format!("cannot read {}: {e}", component.display())))?;
        let mut inline = serde_json::Map::new();
        if let Some(dir) = fixtures {
            let entries = std::fs::read_dir(dir).map_err(|e| {
                ClientError::Input(format!("cannot read fixtures {}: {e}", dir.display()))
            })?;
            for entry in entries.filter_map(Result::ok) {
                let path = entry.path();
                if path.extension().is_none_or(|x| x != "json") {
                    continue;
                }
                let text = std::fs::read_to_string(&path).map_err(|e| {
                    ClientError::Input(format!("cannot read {}: {e}", path.display()))
                })?;
                let value: Value = serde_json::from_str(&text).map_err(|e| {
                    ClientError::Input(format!("{} is not JSON: {e}", path.display()))
                })?;
                inline.insert(entry.file_name().to_string_lossy().into_owned(), value);
            }
        }
        let body = json!({
            "component_base64": base64::engine::general_purpose::STANDARD.encode(&bytes),
            "fixtures": inline,
            "origin": component.display().to_string(),
        });
        self.call(
            self.http
                .post(format!("{}/admin/adapters", self.base))
                .json(&body),
        )
        .await
    }

    /// Returns an adapter to its previous version.
    pub async fn rollback(&self, id: &str) -> Result<Value, ClientError> {
        self.call(
            self.http
                .post(format!("{}/admin/adapters/{id}/rollback", self.base)),
        )
        .await
    }
}
