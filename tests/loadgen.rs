//! A load generator for the webhook endpoint: signs unique Shopify orders
//! (fresh order and webhook ids, so nothing is deduplicated) and sends them
//! with a fixed number of concurrent connections, then reports throughput
//! and latency percentiles. Bounded by `--requests`; it stops by itself.
//!
//! Without `--url` it starts a host in-process on a loopback port with a
//! temporary SQLite store; with `--url` it targets a running host whose
//! `shopify` account `jsmith` uses the fixture secret.

use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use orderhub_tests::{HostOptions, TestAccount, TestHost, fixture, shopify_webhook};
use tokio::sync::Semaphore;

struct Args {
    requests: usize,
    concurrency: usize,
    url: Option<String>,
}

fn parse_args() -> Result<Args> {
    let mut args = Args {
        requests: 10_000,
        concurrency: 32,
        url: None,
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let value = it.next().with_context(|| format!("{flag} needs a value"))?;
        match flag.as_str() {
            "--requests" => args.requests = value.parse()?,
            "--concurrency" => args.concurrency = value.parse()?,
            "--url" => args.url = Some(value),
            other => bail!("unknown flag {other}; use --requests N --concurrency N [--url URL]"),
        }
    }
    Ok(args)
}

#[tokio::main]
async fn main() -> Result<()> {
    let args = parse_args()?;
    let sample = fixture("shopify", "orders-paid");
    let secret = sample["account"]["secrets"][0]
        .as_str()
        .unwrap()
        .to_string();
    let template: serde_json::Value =
        serde_json::from_str(sample["request"]["body"].as_str().unwrap())?;

    let host = match &args.url {
        Some(_) => None,
        None => Some(
            TestHost::start(HostOptions {
                adapters: vec!["shopify"],
                accounts: vec![TestAccount::from_fixture("shopify", &sample)],
                ..Default::default()
            })
            .await?,
        ),
    };
    let base = args
        .url
        .clone()
        .unwrap_or_else(|| host.as_ref().unwrap().base_url.clone());
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(args.concurrency)
        .build()?;
    let permits = Arc::new(Semaphore::new(args.concurrency));
    let started = Instant::now();
    let mut tasks = Vec::with_capacity(args.requests);
    for i in 0..args.requests {
        let mut order = template.clone();
        order["id"] = serde_json::json!(9_000_000_000u64 + i as u64);
        order["name"] = serde_json::json!(format!("#L{i}"));
        let body = serde_json::to_vec(&order)?;
        let webhook = shopify_webhook(&secret, "orders/paid", &format!("load-{i}"), &body);
        let (client, permits, url) = (
            client.clone(),
            permits.clone(),
            format!("{base}/webhooks/shopify/jsmith"),
        );
        tasks.push(tokio::spawn(async move {
            let _permit = permits.acquire_owned().await.expect("semaphore open");
            let sent = Instant::now();
            let mut request = client.post(url).body(webhook.body);
            for (name, value) in webhook.headers {
                request = request.header(name, value);
            }
            let status = request
                .send()
                .await
                .map(|r| r.status().as_u16())
                .unwrap_or(0);
            (status, sent.elapsed())
        }));
    }
    let mut latencies = Vec::with_capacity(args.requests);
    let mut failed = 0;
    for task in tasks {
        let (status, latency) = task.await?;
        if status != 200 {
            failed += 1;
        }
        latencies.push(latency);
    }
    let elapsed = started.elapsed();
    latencies.sort();
    let pct = |p: f64| latencies[((latencies.len() as f64 * p) as usize).min(latencies.len() - 1)];
    println!(
        "{} requests, concurrency {}, {:.2?}: {:.0} webhooks/s; latency p50 {:.2?}, p99 {:.2?}, max {:.2?}; {} failed",
        args.requests,
        args.concurrency,
        elapsed,
        args.requests as f64 / elapsed.as_secs_f64(),
        pct(0.50),
        pct(0.99),
        latencies.last().copied().unwrap_or(Duration::ZERO),
        failed
    );
    if let Some(host) = &host {
        let stored = host.store().list_orders(usize::MAX >> 1)?.len();
        println!("orders stored: {stored}");
        if stored != args.requests - failed {
            bail!("expected {} orders, found {stored}", args.requests - failed);
        }
    }
    if failed > 0 {
        bail!("{failed} requests failed");
    }
    Ok(())
}
