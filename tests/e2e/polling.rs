//! Polling against a mock platform: a real HTTP server on loopback serving
//! Shopify's orders endpoint page by page, with the failures real platforms
//! produce — 429 with `Retry-After`, 500s, answers cut short, timeouts,
//! unreadable pages, items repeated across pages — asserting that no order
//! is lost or stored twice and the cursor never moves past uncommitted data.

use std::time::Duration;

use orderhub_core::model::OrderStatus;
use orderhub_host::poll::http::FetchError;
use orderhub_host::poll::{PollError, Poller, RunReport};
use orderhub_tests::mock_platform::{self, Act, Shared};
use orderhub_tests::{HostOptions, TestAccount, TestHost, fixture};
use serde_json::Value;

async fn start_mock(pages: Vec<Vec<Value>>, script: Vec<Act>) -> (Shared, String) {
    mock_platform::start("127.0.0.1:0".parse().unwrap(), pages, script)
        .await
        .expect("mock platform starts")
}

/// `minute` minutes into the hour that started two hours ago: inside the
/// adapter's first polling window (the last day).
fn at(minute: i64) -> String {
    let now = chrono::Utc::now().timestamp();
    let hour = now - now.rem_euclid(3600) - 2 * 3600;
    chrono::DateTime::from_timestamp(hour + minute * 60, 0)
        .unwrap()
        .format("%Y-%m-%dT%H:%M:%SZ")
        .to_string()
}

/// Shopify's sample order, as order `id` updated at [`at`]`(minute)`.
fn order(id: u64, minute: i64) -> Value {
    let f = fixture("shopify", "orders-paid");
    let mut o: Value = serde_json::from_str(f["request"]["body"].as_str().unwrap()).unwrap();
    o["id"] = id.into();
    o["name"] = format!("#{id}").into();
    o["updated_at"] = at(minute).into();
    o
}

fn account(base_url: &str, extra: &str) -> TestAccount {
    let mut a = TestAccount::from_fixture("shopify", &fixture("shopify", "orders-paid"));
    a.credentials.push(("base_url".into(), base_url.into()));
    a.extra = extra.into();
    a
}

async fn host_with(account: TestAccount, store_url: Option<String>) -> TestHost {
    TestHost::start(HostOptions {
        adapters: vec!["shopify"],
        accounts: vec![account],
        store_url,
        polling: "timeout_secs = 1\nretries = 3\nbackoff_ms = 20\nmax_retry_after_secs = 5\n"
            .into(),
        ..Default::default()
    })
    .await
    .expect("host starts")
}

async fn poll(host: &TestHost, max_pages: u32) -> Result<RunReport, PollError> {
    Poller::new(host.pipeline.clone())
        .expect("client")
        .poll_account("shopify", "jsmith", max_pages)
        .await
}

fn order_ids(host: &TestHost) -> Vec<String> {
    let mut ids: Vec<String> = host
        .store()
        .list_orders(100)
        .unwrap()
        .into_iter()
        .map(|o| o.external_id)
        .collect();
    ids.sort();
    ids
}

fn cursor(host: &TestHost) -> Option<Value> {
    host.store()
        .poll_state("shopify", "jsmith")
        .unwrap()
        .and_then(|s| s.cursor)
        .map(|c| serde_json::from_str(&c).expect("cursor is JSON"))
}

#[tokio::test]
async fn pages_survive_rate_limits_errors_cut_bodies_and_timeouts_without_loss_or_duplicates() {
    let pages = vec![
        vec![order(1001, 1), order(1002, 2)],
        // 1002 again: a page boundary moved while paging.
        vec![order(1002, 2), order(1003, 3)],
        vec![order(1004, 4), order(1005, 5)],
    ];
    let script = vec![
        Act::TooManyRequests(1),
        Act::Normal,
        Act::Status(500),
        Act::Normal,
        Act::Truncated,
        Act::Slow(Duration::from_millis(1500)),
        Act::Normal,
    ];
    let (mock, base) = start_mock(pages, script).await;
    let host = host_with(account(&base, ""), None).await;

    let report = poll(&host, 50).await.expect("the run completes");
    assert_eq!(report.pages, 3);
    assert_eq!(report.duplicate_pages, 0);
    assert!(!report.more_left);
    assert_eq!(
        order_ids(&host),
        ["1001", "1002", "1003", "1004", "1005"],
        "every order once"
    );
    // The repeated 1002 is one event: same content, same key.
    let view = host
        .store()
        .order("shopify", "jsmith", "1002")
        .unwrap()
        .unwrap();
    assert_eq!(view.timeline.len(), 1);
    assert_eq!(view.order.state.status, OrderStatus::Paid);
    assert_eq!(report.events_recorded, 5);
    // The window moves to the newest order seen; no page left to resume.
    let c = cursor(&host).expect("cursor stored");
    assert_eq!(c["updated_at_min"], at(5).as_str());
    assert!(c.get("page_info").is_none());
    // 429, retry, 500, retry, cut body, timed-out answer, retry.
    assert_eq!(mock.lock().unwrap().seen.len(), 7);

    // The next run asks from the newest order on; the overlap repeats 1005
    // unchanged, which records nothing.
    mock.lock().unwrap().pages = vec![vec![order(1005, 5)]];
    let again = poll(&host, 50).await.expect("second run");
    assert_eq!((again.pages, again.events_recorded), (1, 0));
    let last = mock.lock().unwrap().seen.last().cloned().unwrap();
    let expected = format!("updated_at_min={}", at(5).replace(':', "%3A"));
    assert!(last.contains(&expected), "{last}");
    let states = host.store().poll_states().unwrap();
    assert_eq!(states[0].pages, 4);
    assert_eq!(states[0].last_error, None);
}

#[tokio::test]
async fn an_unreadable_page_is_kept_and_the_cursor_waits_for_it() {
    let pages = vec![vec![order(2001, 1)], vec![order(2002, 2)]];
    let (mock, base) = start_mock(pages, vec![Act::Normal, Act::Garbage]).await;
    let host = host_with(account(&base, ""), None).await;

    let error = poll(&host, 50).await.expect_err("page 2 cannot be read");
    assert!(
        matches!(
            &error,
            PollError::Adapter {
                stage: "poll-response",
                ..
            }
        ),
        "{error}"
    );
    assert_eq!(order_ids(&host), ["2001"]);
    // The cursor points at page 2, which is not committed.
    assert_eq!(cursor(&host).unwrap()["page_info"], "p1");
    let state = host
        .store()
        .poll_state("shopify", "jsmith")
        .unwrap()
        .unwrap();
    assert!(state.last_error.unwrap().contains("poll-response"));
    // The unreadable answer is kept, raw, as a dead letter.
    let dead = host.store().list_inbox(true, 10).unwrap();
    assert_eq!(dead.len(), 1);
    assert_eq!(dead[0].request.method, "POLL");
    assert_eq!(dead[0].request.body, b"{\"orders\": [ {\"id\": ".to_vec());

    // The platform recovers: the next run resumes at page 2.
    let report = poll(&host, 50).await.expect("resumes");
    assert_eq!(report.pages, 1);
    assert_eq!(order_ids(&host), ["2001", "2002"]);
    assert!(
        mock.lock()
            .unwrap()
            .seen
            .last()
            .unwrap()
            .contains("page_info=p1")
    );
    let state = host
        .store()
        .poll_state("shopify", "jsmith")
        .unwrap()
        .unwrap();
    assert_eq!(state.last_error, None);
}

#[tokio::test]
async fn a_restart_mid_poll_resumes_from_the_committed_cursor() {
    let pages = vec![
        vec![order(3001, 1)],
        vec![order(3002, 2)],
        vec![order(3003, 3)],
    ];
    let (mock, base) = start_mock(pages, vec![]).await;
    let dir = tempfile::tempdir().unwrap();
    let store_url = format!("sqlite://{}", dir.path().join("orderhub.db").display());
    let first = host_with(account(&base, ""), Some(store_url.clone())).await;
    // The host stops after one page (a crash between pages looks the same
    // to the store: page 1 and its cursor are committed, nothing else).
    let report = poll(&first, 1).await.unwrap();
    assert!(report.more_left);
    assert_eq!(order_ids(&first), ["3001"]);
    drop(first);

    let second = host_with(account(&base, ""), Some(store_url)).await;
    let report = poll(&second, 50).await.unwrap();
    assert_eq!(report.pages, 2);
    assert_eq!(order_ids(&second), ["3001", "3002", "3003"]);
    let seen = mock.lock().unwrap().seen.clone();
    assert_eq!(seen.len(), 3, "page 1 was not fetched again: {seen:?}");
    assert!(seen[1].contains("page_info=p1"));
}

#[tokio::test]
async fn requests_go_only_to_hosts_the_account_allows() {
    let (mock, base) = start_mock(vec![vec![order(4001, 1)]], vec![]).await;
    let narrowed = account(
        &base,
        "poll = { interval_secs = 3600, allow_hosts = [\"only.example.com\"] }",
    );
    let host = host_with(narrowed, None).await;
    let error = poll(&host, 50).await.expect_err("refused");
    assert!(
        matches!(&error, PollError::Fetch { error: FetchError::NotAllowed { host, .. }, .. } if host == "127.0.0.1"),
        "{error}"
    );
    assert!(mock.lock().unwrap().seen.is_empty(), "nothing was sent");
    assert!(order_ids(&host).is_empty());
}

#[tokio::test]
async fn a_long_retry_after_waits_for_the_next_run() {
    let (mock, base) =
        start_mock(vec![vec![order(5001, 1)]], vec![Act::TooManyRequests(600)]).await;
    let host = host_with(account(&base, ""), None).await;
    let error = poll(&host, 50).await.expect_err("rate limited");
    assert!(
        matches!(
            &error,
            PollError::Fetch {
                error: FetchError::RateLimited { .. },
                ..
            }
        ),
        "{error}"
    );
    assert_eq!(cursor(&host), None, "nothing committed, nothing moved");
    let report = poll(&host, 50).await.unwrap();
    assert_eq!(report.pages, 1);
    assert_eq!(mock.lock().unwrap().seen.len(), 2);
}

#[tokio::test]
async fn reconciliation_backfills_corrects_and_reports_without_moving_the_cursor() {
    use orderhub_tests::shopify_webhook;

    let sample = order(450789469, 1);
    let (_mock, base) = start_mock(vec![vec![sample, order(1002, 2)]], vec![]).await;
    let host = host_with(account(&base, ""), None).await;
    // The store saw the sample order only as pending (its paid webhook was lost)…
    let pending =
        orderhub_tests::Webhook::from_fixture(&fixture("shopify", "orders-create-pending"));
    assert_eq!(
        host.send("shopify", "jsmith", &pending).await.unwrap().0,
        200
    );
    // …and has an order the platform's window does not hold.
    let mut other = order(9999, 0);
    other["updated_at"] = "2024-01-01T00:00:00Z".into();
    let webhook = shopify_webhook(
        "shpss_orderhub_fixture_current",
        "orders/create",
        "reconcile-9999",
        other.to_string().as_bytes(),
    );
    assert_eq!(
        host.send("shopify", "jsmith", &webhook).await.unwrap().0,
        200
    );

    let poller = Poller::new(host.pipeline.clone()).unwrap();
    let since = chrono::DateTime::parse_from_rfc3339("2000-01-01T00:00:00Z")
        .unwrap()
        .with_timezone(&chrono::Utc);
    let report = poller
        .reconcile("shopify", "jsmith", since, 10)
        .await
        .expect("reconciles");
    assert_eq!(report.pages, 1);
    assert_eq!(report.missing, ["1002"]);
    assert_eq!(report.stale.len(), 1);
    assert_eq!(report.stale[0].external_id, "450789469");
    assert_eq!(report.stale[0].before, "pending_payment");
    assert_eq!(report.stale[0].after, "paid");
    assert_eq!(report.in_agreement, 0);
    assert_eq!(report.only_in_store, ["9999"]);
    let sample = host
        .store()
        .order("shopify", "jsmith", "450789469")
        .unwrap()
        .unwrap();
    assert_eq!(sample.order.state.status, OrderStatus::Paid);
    assert_eq!(
        cursor(&host),
        None,
        "the account's polling cursor is untouched"
    );

    let again = poller
        .reconcile("shopify", "jsmith", since, 10)
        .await
        .unwrap();
    assert!(again.missing.is_empty() && again.stale.is_empty());
    assert_eq!(again.in_agreement, 2);
}
