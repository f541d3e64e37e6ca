//! Ship confirmations: an ERP ships a WooCommerce order, and the host tells
//! the shop — once, through retries, against a mock shop API on loopback.

use orderhub_host::outbound::{SendReport, Sender};
use orderhub_host::poll::Poller;
use orderhub_host::store::outbox::OutboxState;
use orderhub_tests::mock_platform::{self, Act, Shared};
use orderhub_tests::{HostOptions, TestAccount, TestHost, Webhook, erpnext_webhook, fixture};
use serde_json::json;

const ERP_SECRET: &str = "frappe-webhook-secret";

/// A mock shop answering order updates with `statuses`, then 200.
async fn start_shop(statuses: Vec<u16>) -> (Shared, String) {
    let script = statuses.into_iter().map(Act::Status).collect();
    mock_platform::start("127.0.0.1:0".parse().unwrap(), vec![], script)
        .await
        .expect("mock shop starts")
}

async fn host(shop_url: &str, max_attempts: u32) -> TestHost {
    let mut woo = TestAccount::from_fixture(
        "woocommerce",
        &fixture("woocommerce", "order-updated-sample"),
    );
    woo.credentials.retain(|(name, _)| name != "base_url");
    woo.credentials.push(("base_url".into(), shop_url.into()));
    let erp = TestAccount {
        adapter: "erpnext".into(),
        id: "main".into(),
        secrets: vec![ERP_SECRET.into()],
        credentials: vec![("utc_offset".into(), "+08:00".into())],
        carriers: vec![],
        extra: String::new(),
    };
    let mut options = HostOptions {
        adapters: vec!["woocommerce", "erpnext"],
        accounts: vec![woo, erp],
        polling: "timeout_secs = 2\nretries = 1\nbackoff_ms = 10\n".into(),
        ..Default::default()
    };
    // Retries due at once, so the test need not wait for the backoff.
    options.adapters_extra = format!("[outbox]\nbackoff_secs = 0\nmax_attempts = {max_attempts}\n");
    TestHost::start(options).await.expect("host starts")
}

/// WooCommerce's sample order 727, then an ERP Delivery Note shipping the
/// lines of SKUs `skus` (none listed: the whole order).
async fn order_then_shipment(host: &TestHost) {
    order_then_parcel(host, &[]).await;
}

async fn order_then_parcel(host: &TestHost, skus: &[&str]) {
    let order = Webhook::from_fixture(&fixture("woocommerce", "order-updated-sample"));
    let (status, body) = host.send("woocommerce", "shop", &order).await.unwrap();
    assert_eq!(status, 200, "{body}");
    let note = json!({
        "doctype": "Delivery Note", "name": "MAT-DN-9", "status": "To Bill", "docstatus": 1,
        "modified": "2024-04-03 09:00:00.000000", "po_no": "727", "lr_no": "1Z999AA10123456784",
        "transporter": "UPS", "set_warehouse": "Stores",
        "items": skus.iter().map(|sku| json!({"item_code": sku, "qty": 1.0, "so_detail": "row-1"})).collect::<Vec<_>>(),
    });
    let (status, body) = host
        .send(
            "erpnext",
            "main",
            &erpnext_webhook(ERP_SECRET, &note.to_string()),
        )
        .await
        .unwrap();
    assert_eq!(status, 200, "{body}");
}

fn sender(host: &TestHost) -> Sender {
    let poller = Poller::new(host.pipeline.clone()).unwrap();
    Sender::new(host.pipeline.clone(), poller.client())
}

#[tokio::test]
async fn an_erp_shipment_is_confirmed_to_the_shop_once_through_server_errors() {
    let (shop, url) = start_shop(vec![503, 503]).await;
    let host = host(&url, 5).await;
    order_then_shipment(&host).await;

    let queued = host
        .store()
        .confirmations_of("woocommerce", "shop", "727")
        .unwrap();
    assert_eq!(queued.len(), 1);
    assert_eq!(queued[0].state, OutboxState::Pending);
    assert_eq!(queued[0].request.carrier, "ups");
    assert!(queued[0].request.line_ids.is_empty(), "the whole order");

    let sender = sender(&host);
    // Both attempts of the first round meet a 503: the item waits.
    let first = sender.send_due().await.unwrap();
    assert_eq!(
        first,
        SendReport {
            retrying: 1,
            ..Default::default()
        }
    );
    let second = sender.send_due().await.unwrap();
    assert_eq!(
        second,
        SendReport {
            sent: 1,
            ..Default::default()
        }
    );
    // Nothing is sent twice.
    let third = sender.send_due().await.unwrap();
    assert_eq!(third, SendReport::default());

    let seen = shop.lock().unwrap().updates.clone();
    assert_eq!(seen.len(), 3, "503, 503, 200");
    assert_eq!(seen[2].0, "727");
    assert_eq!(seen[2].1["meta_data"][1]["value"], "1Z999AA10123456784");
    let done = host
        .store()
        .confirmations_of("woocommerce", "shop", "727")
        .unwrap();
    assert_eq!(done[0].state, OutboxState::Sent);
    assert_eq!(done[0].attempts, 2);

    // The same Delivery Note again queues nothing new.
    order_then_shipment(&host).await;
    assert_eq!(
        host.store()
            .confirmations_of("woocommerce", "shop", "727")
            .unwrap()
            .len(),
        1
    );
}

#[tokio::test]
async fn a_refused_confirmation_is_given_up_and_shown() {
    let (shop, url) = start_shop(vec![400]).await;
    let host = host(&url, 5).await;
    order_then_shipment(&host).await;
    let report = sender(&host).send_due().await.unwrap();
    assert_eq!(
        report,
        SendReport {
            failed: 1,
            ..Default::default()
        }
    );
    assert_eq!(shop.lock().unwrap().updates.len(), 1);
    let failed = host.store().failed_confirmations(10).unwrap();
    assert_eq!(failed.len(), 1);
    assert!(
        failed[0]
            .last_error
            .as_deref()
            .unwrap()
            .contains("answered 400")
    );
    assert_eq!(
        host.store()
            .confirmations_of("woocommerce", "shop", "727")
            .unwrap()[0]
            .state,
        OutboxState::Failed
    );
}

#[tokio::test]
async fn retries_stop_after_max_attempts() {
    let (shop, url) = start_shop(vec![500; 10]).await;
    let host = host(&url, 2).await;
    order_then_shipment(&host).await;
    let sender = sender(&host);
    assert_eq!(sender.send_due().await.unwrap().retrying, 1);
    assert_eq!(sender.send_due().await.unwrap().failed, 1);
    assert_eq!(sender.send_due().await.unwrap(), SendReport::default());
    assert_eq!(
        shop.lock().unwrap().updates.len(),
        4,
        "two rounds of two attempts"
    );
    let failed = host.store().failed_confirmations(10).unwrap();
    assert!(
        failed[0]
            .last_error
            .as_deref()
            .unwrap()
            .contains("gave up after 2 attempts")
    );
}

#[tokio::test]
async fn a_parcel_the_shop_cannot_confirm_is_skipped_with_the_reason() {
    let (shop, url) = start_shop(vec![]).await;
    let host = host(&url, 5).await;
    // Only the Bar3 line (line 316 in the shop): WooCommerce core cannot
    // confirm part of an order.
    order_then_parcel(&host, &["Bar3"]).await;
    let queued = host
        .store()
        .confirmations_of("woocommerce", "shop", "727")
        .unwrap();
    assert_eq!(queued[0].request.line_ids, ["316"]);
    let report = sender(&host).send_due().await.unwrap();
    assert_eq!(
        report,
        SendReport {
            skipped: 1,
            ..Default::default()
        }
    );
    assert!(shop.lock().unwrap().updates.is_empty());
    let item = &host
        .store()
        .confirmations_of("woocommerce", "shop", "727")
        .unwrap()[0];
    assert_eq!(item.state, OutboxState::Skipped);
    assert!(item.last_error.as_deref().unwrap().contains("partial"));
}
