//! The HTTP server: `POST /webhooks/{adapter}/{account}` and `GET /healthz`.
//!
//! Handlers only translate between HTTP and the [`Pipeline`]; every rule about
//! what is stored lives there. The router is built by [`app`] so tests can
//! drive it on any listener.

use std::net::SocketAddr;

use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::{ConnectInfo, DefaultBodyLimit, Path, State};
use axum::http::{HeaderMap, HeaderName, HeaderValue, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use orderhub_core::model::{HttpReply, RawRequest};
use serde_json::json;

use crate::pipeline::{Pipeline, PipelineError, WebhookOutcome};

/// The router, over a pipeline.
pub fn app(pipeline: Pipeline) -> Router {
    let limit = pipeline.config.max_body_bytes;
    Router::new()
        .route("/webhooks/{adapter}/{account}", post(webhook))
        .route("/healthz", get(healthz))
        // The webhook handler enforces the limit itself (after the 404
        // checks); this stops other routes from buffering large bodies.
        .layer(DefaultBodyLimit::max(limit))
        .with_state(pipeline)
}

/// Serves until ctrl-c or SIGTERM.
pub async fn serve(pipeline: Pipeline, listener: tokio::net::TcpListener) -> std::io::Result<()> {
    axum::serve(
        listener,
        app(pipeline).into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown_signal())
    .await
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        if let Ok(mut s) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        {
            s.recv().await;
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = terminate => {},
    }
    tracing::info!("shutting down");
}

async fn healthz(State(p): State<Pipeline>) -> Response {
    let adapters: Vec<_> = p.registry.all().keys().cloned().collect();
    (
        StatusCode::OK,
        axum::Json(json!({"status": "ok", "adapters": adapters})),
    )
        .into_response()
}

fn error(status: StatusCode, kind: &str, message: impl Into<String>) -> Response {
    (
        status,
        axum::Json(json!({"error": kind, "message": message.into()})),
    )
        .into_response()
}

async fn webhook(
    State(p): State<Pipeline>,
    Path((adapter, account)): Path<(String, String)>,
    request: axum::extract::Request,
) -> Response {
    let (parts, body) = request.into_parts();
    let (method, uri, headers): (Method, Uri, HeaderMap) = (parts.method, parts.uri, parts.headers);
    let connect = parts.extensions.get::<ConnectInfo<SocketAddr>>().cloned();
    if p.registry.get(&adapter).is_none() {
        return error(
            StatusCode::NOT_FOUND,
            "unknown-adapter",
            format!("no adapter {adapter:?} is installed"),
        );
    }
    if p.config.account(&adapter, &account).is_none() {
        return error(
            StatusCode::NOT_FOUND,
            "unknown-account",
            format!("no account {account:?} for adapter {adapter:?}"),
        );
    }
    let limit = p.config.max_body_bytes;
    let declared = headers
        .get(axum::http::header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<usize>().ok());
    if declared.is_some_and(|n| n > limit) {
        return too_large(limit);
    }
    let body: Bytes = match axum::body::to_bytes(body, limit).await {
        Ok(b) => b,
        Err(_) => return too_large(limit),
    };
    let request = RawRequest {
        method: method.as_str().to_string(),
        url: uri
            .path_and_query()
            .map(|pq| pq.as_str().to_string())
            .unwrap_or_else(|| uri.path().to_string()),
        headers: headers
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
    let remote = connect.map(|ConnectInfo(addr)| addr.ip().to_string());
    match p.ingest_webhook(&adapter, &account, request, remote).await {
        Ok(WebhookOutcome::Accepted { reply, committed }) => {
            tracing::info!(
                adapter,
                account,
                inbox_id = committed.inbox_id,
                events = committed.events_recorded,
                applied = committed.events_applied,
                dead = committed.dead,
                "delivery stored"
            );
            reply_response(reply)
        }
        Ok(WebhookOutcome::Duplicate { reply, inbox_id }) => {
            tracing::info!(adapter, account, inbox_id, "duplicate delivery ignored");
            reply_response(reply)
        }
        Ok(WebhookOutcome::Unauthorized { kind, message }) => {
            error(StatusCode::UNAUTHORIZED, &kind, message)
        }
        // Over the adapter's max_input_bytes: a retry cannot succeed.
        Ok(WebhookOutcome::VerifyFailed { kind, message }) if kind == "input-too-large" => {
            error(StatusCode::PAYLOAD_TOO_LARGE, &kind, message)
        }
        Ok(WebhookOutcome::VerifyFailed { kind, message }) => {
            error(StatusCode::SERVICE_UNAVAILABLE, &kind, message)
        }
        Err(PipelineError::UnknownAdapter(a)) => error(
            StatusCode::NOT_FOUND,
            "unknown-adapter",
            format!("no adapter {a:?} is installed"),
        ),
        Err(PipelineError::UnknownAccount { adapter, account }) => error(
            StatusCode::NOT_FOUND,
            "unknown-account",
            format!("no account {account:?} for adapter {adapter:?}"),
        ),
        Err(e) => {
            tracing::error!(adapter, account, "webhook failed: {e}");
            // 5xx makes the platform retry; nothing was acknowledged.
            error(StatusCode::INTERNAL_SERVER_ERROR, "internal", e.to_string())
        }
    }
}

fn too_large(limit: usize) -> Response {
    error(
        StatusCode::PAYLOAD_TOO_LARGE,
        "body-too-large",
        format!("request bodies are limited to {limit} bytes"),
    )
}

fn reply_response(reply: HttpReply) -> Response {
    let mut response = Response::new(Body::from(reply.body));
    *response.status_mut() = StatusCode::from_u16(reply.status).unwrap_or(StatusCode::OK);
    for (name, value) in reply.headers {
        if let (Ok(n), Ok(v)) = (HeaderName::try_from(name), HeaderValue::try_from(value)) {
            response.headers_mut().append(n, v);
        }
    }
    response
}
