//! `mock-platform`: the mock platform of the tests as a program, for the
//! demo. It serves a Shopify shop's orders (two pages, updated a minute ago)
//! and accepts WooCommerce order updates, printing what it receives.
//!
//! `cargo run -p orderhub-tests --bin mock-platform -- [ADDRESS]`
//! (default `127.0.0.1:8090`).

use std::time::Duration;

use orderhub_tests::fixture;
use orderhub_tests::mock_platform;
use serde_json::Value;

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
    let addr = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "127.0.0.1:8090".into())
        .parse()?;
    let pages = vec![vec![order(7001, 3), order(7002, 2)], vec![order(7003, 1)]];
    let (platform, url) = mock_platform::start(addr, pages, vec![]).await?;
    eprintln!(
        "mock platform on {url}: Shopify orders at {}",
        mock_platform::ORDERS_PATH
    );
    let mut reported = (0, 0);
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
    }
}
