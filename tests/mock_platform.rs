//! `mock-platform`: the mock platforms of the tests as a program, for the
//! demo. It serves a Shopify shop's orders (two pages, updated a minute ago),
//! accepts WooCommerce order updates, and runs a Pinduoduo message service
//! on the next port that pushes two orders over its WebSocket, printing what
//! it receives (requests, updates, acknowledgements).
//!
//! `cargo run -p orderhub-tests --bin mock-platform -- [ADDRESS]`
//! (default `127.0.0.1:8090`; the message service listens on port + 1).

use std::time::Duration;

use orderhub_tests::fixture;
use orderhub_tests::{mock_platform, mock_stream};
use serde_json::{Value, json};

/// The demo's Pinduoduo app (`demo/orderhub.toml`, account `pdd-shop`).
const PDD_CLIENT_ID: &str = "4b6d1c2e8f0a4d5b9c3e7f1a2b3c4d5e";
const PDD_CLIENT_SECRET: &str = "sandbox-client-secret-0001";
const PDD_MALL_ID: u64 = 100_200_300;

/// Shopify's sample order as order `id`, updated `minutes_ago` minutes ago.
fn order(id: u64, minutes_ago: i64) -> Value {
    let f = fixture("shopify", "orders-paid");
    let body = f["request"]["body"].as_str().unwrap_or("{}");
    let mut o: Value = serde_json::from_str(body).unwrap_or_default();
    let at = chrono::Utc::now() - chrono::Duration::minutes(minutes_ago);
    o["id"] = id.into();
    o["name"] = format!("#{id}").into();
    o["updated_at"] = at.format("%Y-%m-%dT%H:%M:%SZ").to_string().into();
    o
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> anyhow::Result<()> {
    let addr: std::net::SocketAddr = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "127.0.0.1:8090".into())
        .parse()?;
    let stream_addr = std::net::SocketAddr::new(addr.ip(), addr.port() + 1);
    let (service, stream_url) =
        mock_stream::start_on(stream_addr, PDD_CLIENT_ID, PDD_CLIENT_SECRET).await?;
    {
        let mut s = service.lock().unwrap_or_else(|e| e.into_inner());
        for (id, tid) in [(8001, "240401-000000008001"), (8002, "240401-000000008002")] {
            let content = json!({ "mall_id": PDD_MALL_ID, "tid": tid });
            s.messages
                .push((id, "pdd_trade_TradeConfirmed".into(), content));
        }
    }
    eprintln!("mock platform: Pinduoduo message service on {stream_url}");
    let pages = vec![vec![order(7001, 3), order(7002, 2)], vec![order(7003, 1)]];
    let (platform, url) = mock_platform::start(addr, pages, vec![]).await?;
    eprintln!(
        "mock platform on {url}: Shopify orders at {}",
        mock_platform::ORDERS_PATH
    );
    let mut reported = (0, 0);
    let mut acks_reported = 0;
    loop {
        tokio::time::sleep(Duration::from_millis(200)).await;
        let p = platform.lock().unwrap_or_else(|e| e.into_inner());
        for query in &p.seen[reported.0..] {
            eprintln!("mock platform: GET {} ?{query}", mock_platform::ORDERS_PATH);
        }
        for (id, body) in &p.updates[reported.1..] {
            eprintln!("mock platform: PUT /wp-json/wc/v3/orders/{id} {body}");
        }
        reported = (p.seen.len(), p.updates.len());
        drop(p);
        let s = service.lock().unwrap_or_else(|e| e.into_inner());
        for id in &s.acks[acks_reported..] {
            eprintln!("mock platform: message service got Ack for message {id}");
        }
        acks_reported = s.acks.len();
    }
}
