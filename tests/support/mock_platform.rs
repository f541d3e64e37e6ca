//! A mock platform on loopback: Shopify's orders endpoint, paged with
//! `Link` headers, and WooCommerce's order update, recording what it gets.
//! Tests script the failures real platforms produce (429 with
//! `Retry-After`, 500s, answers cut short, slow answers, unreadable pages);
//! the demo runs it as `mock-platform` so polling and ship confirmations can
//! be watched without a real shop.

use std::collections::VecDeque;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, put};
use serde_json::{Value, json};

/// Shopify's orders endpoint, as the `shopify` adapter polls it.
pub const ORDERS_PATH: &str = "/admin/api/2024-04/orders.json";

/// What the mock does with one request, in the order requests arrive.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Act {
    /// Answer normally (the page asked for; 200 to an order update).
    Normal,
    TooManyRequests(u64),
    Status(u16),
    /// Send the start of the body, then break the connection.
    Truncated,
    /// Answer normally after this long.
    Slow(Duration),
    /// 200 with a body that is not JSON.
    Garbage,
}

/// The mock's state; tests read and change it between runs.
#[derive(Debug, Default)]
pub struct Platform {
    /// Orders by page: `pages[0]` for a first request, `pages[n]` for `page_info=p{n}`.
    pub pages: Vec<Vec<Value>>,
    pub script: VecDeque<Act>,
    /// Every orders query string received, in order.
    pub seen: Vec<String>,
    /// (order id, body) of every order update received.
    pub updates: Vec<(String, Value)>,
    addr: Option<SocketAddr>,
}

pub type Shared = Arc<Mutex<Platform>>;

fn lock(platform: &Shared) -> std::sync::MutexGuard<'_, Platform> {
    platform.lock().unwrap_or_else(|p| p.into_inner())
}

/// Starts the mock on `addr` (port 0: any free one); returns its state and base URL.
pub async fn start(
    addr: SocketAddr,
    pages: Vec<Vec<Value>>,
    script: Vec<Act>,
) -> std::io::Result<(Shared, String)> {
    let listener = tokio::net::TcpListener::bind(addr).await?;
    let addr = listener.local_addr()?;
    let platform: Shared = Arc::new(Mutex::new(Platform {
        pages,
        script: script.into(),
        addr: Some(addr),
        ..Default::default()
    }));
    let app = axum::Router::new()
        .route(ORDERS_PATH, get(orders))
        .route("/wp-json/wc/v3/orders/{id}", put(update_order))
        .with_state(platform.clone());
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    Ok((platform, format!("http://{addr}")))
}

async fn orders(State(platform): State<Shared>, RawQuery(query): RawQuery) -> Response {
    let query = query.unwrap_or_default();
    let (act, index, page, addr, pages) = {
        let mut p = lock(&platform);
        p.seen.push(query.clone());
        let act = p.script.pop_front().unwrap_or(Act::Normal);
        let index = query
            .split('&')
            .find_map(|kv| kv.strip_prefix("page_info=p"))
            .and_then(|n| n.parse::<usize>().ok())
            .unwrap_or(0);
        let page = p.pages.get(index).cloned().unwrap_or_default();
        (act, index, page, p.addr, p.pages.len())
    };
    let page_response = || {
        let mut headers = HeaderMap::new();
        if index + 1 < pages
            && let Some(addr) = addr
        {
            let link = format!(
                "<http://{addr}{ORDERS_PATH}?limit=250&page_info=p{}>; rel=\"next\"",
                index + 1
            );
            if let Ok(value) = HeaderValue::from_str(&link) {
                headers.insert("Link", value);
            }
        }
        (
            StatusCode::OK,
            headers,
            json!({ "orders": page }).to_string(),
        )
            .into_response()
    };
    match act {
        Act::TooManyRequests(secs) => (
            StatusCode::TOO_MANY_REQUESTS,
            [("Retry-After", secs.to_string())],
            "slow down",
        )
            .into_response(),
        Act::Status(code) => status(code).into_response(),
        Act::Garbage => (StatusCode::OK, "{\"orders\": [ {\"id\": ").into_response(),
        Act::Truncated => {
            let chunks: Vec<Result<&'static str, std::io::Error>> = vec![
                Ok("{\"orders\": ["),
                Err(std::io::Error::other("connection reset")),
            ];
            let body = axum::body::Body::from_stream(futures_util::stream::iter(chunks));
            (StatusCode::OK, body).into_response()
        }
        Act::Slow(wait) => {
            tokio::time::sleep(wait).await;
            page_response()
        }
        Act::Normal => page_response(),
    }
}

async fn update_order(
    State(platform): State<Shared>,
    Path(id): Path<String>,
    body: String,
) -> StatusCode {
    let mut p = lock(&platform);
    p.updates
        .push((id, serde_json::from_str(&body).unwrap_or(Value::Null)));
    match p.script.pop_front() {
        Some(Act::Status(code)) => status(code),
        _ => StatusCode::OK,
    }
}

fn status(code: u16) -> StatusCode {
    StatusCode::from_u16(code).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
}
