//! The HTTP entry point: one webhook delivery, start to finish.
//!
//! Answers as the native host does: 2xx stored (or already stored) with the
//! adapter's reply; 401 refused by `verify` (audit record kept); 404 unknown
//! adapter or account; 405 not a POST; 413 body too large; 500 the store or
//! the configuration failed (the platform retries). An adapter that traps
//! takes the instance down with it; Spin answers 500 and the platform
//! retries, which is the native host's 503.

use std::collections::BTreeMap;

use bytes::Bytes;
use chrono::Utc;
use orderhub_apply::derive::{self, EventKeys};
use orderhub_apply::records::{Delivery, Outcome};
use orderhub_core::keys;
use orderhub_core::model::{HttpReply, RawRequest};
use spin_sdk::http::body::IncomingBodyExt as _;
use spin_sdk::http::{FullBody, HeaderMap, HeaderName, HeaderValue, Request, StatusCode};
use spin_sdk::http_service;

use crate::adapter;
use crate::settings::{self, Account, Lookup, SettingsError};
use crate::store::{AuthFailure, Store, StoreError};

type Reply = (StatusCode, HeaderMap, FullBody<Bytes>);

#[http_service]
async fn handle(request: Request) -> Reply {
    match serve(request).await {
        Ok(reply) => reply,
        Err(failure) => failure.into_reply(),
    }
}

/// Why a request gets no 2xx.
#[derive(Debug, thiserror::Error)]
enum Failure {
    #[error("{message}")]
    Refused {
        status: StatusCode,
        kind: String,
        message: String,
    },
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Settings(#[from] SettingsError),
}

impl Failure {
    fn refused(status: StatusCode, kind: &str, message: impl Into<String>) -> Self {
        Failure::Refused {
            status,
            kind: kind.to_string(),
            message: message.into(),
        }
    }

    fn into_reply(self) -> Reply {
        let (status, kind) = match &self {
            Failure::Refused { status, kind, .. } => (*status, kind.clone()),
            Failure::Store(_) | Failure::Settings(_) => {
                eprintln!("webhook failed: {self}");
                // 5xx makes the platform retry; nothing was acknowledged.
                (StatusCode::INTERNAL_SERVER_ERROR, "internal".to_string())
            }
        };
        let body = serde_json::json!({"error": kind, "message": self.to_string()});
        let mut headers = HeaderMap::new();
        headers.insert(
            HeaderName::from_static("content-type"),
            HeaderValue::from_static("application/json"),
        );
        (
            status,
            headers,
            FullBody::new(Bytes::from(body.to_string())),
        )
    }
}

async fn serve(request: Request) -> Result<Reply, Failure> {
    let (parts, body) = request.into_parts();
    let path = parts.uri.path().to_string();
    let Some((adapter_id, account_id)) = route(&path) else {
        return Err(Failure::refused(
            StatusCode::NOT_FOUND,
            "not-found",
            format!("no route for {path:?}; webhooks go to /webhooks/{{adapter}}/{{account}}"),
        ));
    };
    if parts.method != spin_sdk::http::Method::POST {
        return Err(Failure::refused(
            StatusCode::METHOD_NOT_ALLOWED,
            "method-not-allowed",
            "webhooks are POST requests",
        ));
    }
    let installed = adapter::id();
    if adapter_id != installed {
        return Err(Failure::refused(
            StatusCode::NOT_FOUND,
            "unknown-adapter",
            format!("no adapter {adapter_id:?} is installed"),
        ));
    }
    let account = load_account(account_id).await?.ok_or_else(|| {
        Failure::refused(
            StatusCode::NOT_FOUND,
            "unknown-account",
            format!("no account {account_id:?} for adapter {adapter_id:?}"),
        )
    })?;
    let limit = settings::max_body_bytes(variable("max_body_bytes").await?.as_deref())?;
    let declared = parts
        .headers
        .get("content-length")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<usize>().ok());
    if declared.is_some_and(|n| n > limit) {
        return Err(too_large(limit));
    }
    let body = body.bytes().await.map_err(|e| {
        Failure::refused(
            StatusCode::BAD_REQUEST,
            "unreadable-body",
            format!("the request body could not be read: {e:?}"),
        )
    })?;
    if body.len() > limit {
        return Err(too_large(limit));
    }
    let request = RawRequest {
        method: parts.method.as_str().to_string(),
        url: parts
            .uri
            .path_and_query()
            .map_or(path.clone(), |pq| pq.as_str().to_string()),
        headers: parts
            .headers
            .iter()
            .map(|(n, v)| {
                (
                    n.as_str().to_string(),
                    String::from_utf8_lossy(v.as_bytes()).into_owned(),
                )
            })
            .collect(),
        body: body.to_vec(),
    };
    ingest(&installed, &account, request).map(reply)
}

/// `/webhooks/{adapter}/{account}` → (adapter, account).
fn route(path: &str) -> Option<(&str, &str)> {
    let rest = path.strip_prefix("/webhooks/")?;
    let (adapter, account) = rest.split_once('/')?;
    (!adapter.is_empty() && !account.is_empty() && !account.contains('/'))
        .then_some((adapter, account))
}

/// The pipeline proper, as `host/src/pipeline.rs` runs it.
fn ingest(adapter_id: &str, account: &Account, request: RawRequest) -> Result<HttpReply, Failure> {
    let now = Utc::now();
    let store = Store::open()?;
    if let Err(error) = adapter::verify(&request, &account.data, now) {
        let (kind, message) = (error.kind.as_str(), error.message.as_str());
        eprintln!(
            "webhook rejected: adapter {adapter_id}, account {}: {kind}: {message}",
            account.data.id
        );
        store.record_auth_failure(&AuthFailure {
            at: now,
            adapter: adapter_id,
            account: &account.data.id,
            kind,
            message,
        })?;
        return Err(Failure::refused(StatusCode::UNAUTHORIZED, kind, message));
    }

    let key = keys::delivery_key(adapter_id, &account.data.id, None, &request.body);
    if store.inbox_id_of(&key)?.is_some() {
        return Ok(acknowledge(&request));
    }
    let outcome = derive_events(adapter_id, account, &key, &request);
    if let Outcome::Dead { kind, message } = &outcome {
        eprintln!("delivery dead-lettered: adapter {adapter_id}: {kind}: {message}");
    }
    store.commit(&Delivery {
        key,
        adapter: adapter_id.to_string(),
        account: account.data.id.clone(),
        received_at: now,
        request: request.clone(),
        outcome,
    })?;
    Ok(acknowledge(&request))
}

/// Normalizes and maps; any adapter error dead-letters the delivery.
fn derive_events(adapter_id: &str, account: &Account, key: &str, request: &RawRequest) -> Outcome {
    let events = match adapter::normalize(request, &account.data) {
        Ok(events) => events,
        Err(e) => return dead("normalize", &e),
    };
    match derive::map_events(
        adapter_id,
        &account.data.id,
        &account.carriers,
        events,
        EventKeys::ByDelivery(key),
        adapter::status_map,
    ) {
        Ok(mapped) => Outcome::Events(mapped),
        Err(e) => dead("status-map", &e),
    }
}

fn dead(stage: &str, error: &orderhub_core::model::AdapterError) -> Outcome {
    Outcome::Dead {
        kind: error.kind.as_str().to_string(),
        message: derive::dead_message(stage, error),
    }
}

/// The adapter's reply; a non-2xx one becomes 200, because the delivery is
/// stored and the platform must not retry it.
fn acknowledge(request: &RawRequest) -> HttpReply {
    let reply = adapter::acknowledge(request);
    if (200..300).contains(&reply.status) {
        reply
    } else {
        HttpReply {
            status: 200,
            ..reply
        }
    }
}

fn reply(reply: HttpReply) -> Reply {
    let mut headers = HeaderMap::new();
    for (name, value) in reply.headers {
        if let (Ok(n), Ok(v)) = (HeaderName::try_from(name), HeaderValue::try_from(value)) {
            headers.append(n, v);
        }
    }
    (
        StatusCode::from_u16(reply.status).unwrap_or(StatusCode::OK),
        headers,
        FullBody::new(Bytes::from(reply.body)),
    )
}

fn too_large(limit: usize) -> Failure {
    Failure::refused(
        StatusCode::PAYLOAD_TOO_LARGE,
        "body-too-large",
        format!("request bodies are limited to {limit} bytes"),
    )
}

/// One Spin variable; `None` when the component does not define it.
async fn variable(name: &str) -> Result<Option<String>, SettingsError> {
    match lookup(name).await {
        Lookup::Found(value) => Ok(Some(value)),
        Lookup::Undefined => Ok(None),
        Lookup::Failed(message) => Err(SettingsError::Lookup {
            name: name.to_string(),
            message,
        }),
    }
}

async fn lookup(name: &str) -> Lookup {
    use spin_sdk::variables::Error;
    match spin_sdk::variables::get(name).await {
        Ok(value) => Lookup::Found(value),
        Err(Error::Undefined(_)) | Err(Error::InvalidName(_)) => Lookup::Undefined,
        Err(Error::Provider(e)) | Err(Error::Other(e)) => Lookup::Failed(e),
    }
}

/// The account, when this component serves it.
async fn load_account(id: &str) -> Result<Option<Account>, Failure> {
    let served = variable("accounts").await?.unwrap_or_default();
    if !settings::serves(&served, id) {
        return Ok(None);
    }
    let key = settings::variable_key(id);
    let mut found = BTreeMap::new();
    for suffix in ["secrets", "credentials", "carriers"] {
        let name = format!("account_{key}_{suffix}");
        let value = lookup(&name).await;
        found.insert(name, value);
    }
    let account =
        Account::from_variables(id, |name| found.remove(name).unwrap_or(Lookup::Undefined))?;
    Ok(Some(account))
}
