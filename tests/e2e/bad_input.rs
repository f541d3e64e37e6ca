//! Bad input gets a clear answer and loses nothing.

use orderhub_core::model::OrderStatus;
use orderhub_tests::{HostOptions, TestAccount, TestHost, Webhook, fixture, shopify_webhook};

async fn shopify_host(max_body_bytes: usize) -> TestHost {
    let account = TestAccount::from_fixture("shopify", &fixture("shopify", "orders-paid"));
    TestHost::start(HostOptions {
        adapters: vec!["shopify"],
        accounts: vec![account],
        max_body_bytes,
        ..Default::default()
    })
    .await
    .expect("host starts")
}

#[tokio::test]
async fn body_over_the_limit_is_413_and_nothing_is_stored() {
    let host = shopify_host(64 * 1024).await;
    let body = format!("{{\"id\": 1, \"padding\": \"{}\"}}", "x".repeat(100 * 1024));
    let webhook = shopify_webhook(
        "shpss_orderhub_fixture_current",
        "orders/create",
        "big-1",
        body.as_bytes(),
    );
    let (status, text) = host.send("shopify", "jsmith", &webhook).await.unwrap();
    assert_eq!(status, 413, "{text}");
    assert!(text.contains("65536 bytes"), "{text}");
    assert!(host.store().list_inbox(false, 10).unwrap().is_empty());
    assert!(host.store().list_orders(10).unwrap().is_empty());
}

#[tokio::test]
async fn unknown_adapter_or_account_is_404() {
    let host = shopify_host(4 << 20).await;
    let webhook = Webhook::from_fixture(&fixture("shopify", "orders-paid"));
    let (status, text) = host.send("nosuch", "jsmith", &webhook).await.unwrap();
    assert_eq!(status, 404);
    assert!(text.contains("unknown-adapter"), "{text}");
    let (status, text) = host.send("shopify", "nosuch", &webhook).await.unwrap();
    assert_eq!(status, 404);
    assert!(text.contains("unknown-account"), "{text}");
    assert!(host.store().list_inbox(false, 10).unwrap().is_empty());
}

#[tokio::test]
async fn wrong_or_missing_signature_is_401_audited_without_secrets_and_writes_no_order() {
    let host = shopify_host(4 << 20).await;
    let good = Webhook::from_fixture(&fixture("shopify", "orders-paid"));
    let wrong = good.clone().with_header(
        "X-Shopify-Hmac-Sha256",
        "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=",
    );
    let (status, text) = host.send("shopify", "jsmith", &wrong).await.unwrap();
    assert_eq!(status, 401, "{text}");
    assert!(text.contains("bad-signature"), "{text}");
    let mut missing = good.clone();
    missing
        .headers
        .retain(|(n, _)| !n.eq_ignore_ascii_case("X-Shopify-Hmac-Sha256"));
    let (status, text) = host.send("shopify", "jsmith", &missing).await.unwrap();
    assert_eq!(status, 401);
    assert!(text.contains("missing-signature"), "{text}");

    assert!(host.store().list_orders(10).unwrap().is_empty());
    assert!(host.store().list_inbox(false, 10).unwrap().is_empty());
    let audit = host.store().auth_failures(10).unwrap();
    assert_eq!(audit.len(), 2);
    assert_eq!(
        audit.iter().map(|a| a.kind.as_str()).collect::<Vec<_>>(),
        ["missing-signature", "bad-signature"]
    );
    assert_eq!(audit[0].remote.as_deref(), Some("127.0.0.1"));
    let dump = serde_json::to_string(&audit).unwrap();
    assert!(
        !dump.contains("shpss_orderhub_fixture_current"),
        "the audit log must not hold secrets: {dump}"
    );
}

#[tokio::test]
async fn malformed_payload_is_acknowledged_dead_lettered_with_its_raw_body_and_replayable() {
    let host = shopify_host(4 << 20).await;
    let malformed = fixture("shopify", "orders-create-malformed-json");
    let webhook = Webhook::from_fixture(&malformed);
    let (status, _) = host.send("shopify", "jsmith", &webhook).await.unwrap();
    assert_eq!(
        status, 200,
        "a malformed but authentic payload is acknowledged so the platform stops retrying"
    );

    let dead = host.store().list_inbox(true, 10).unwrap();
    assert_eq!(dead.len(), 1);
    assert_eq!(dead[0].error_kind.as_deref(), Some("malformed-payload"));
    assert!(
        dead[0]
            .error_message
            .as_deref()
            .unwrap_or("")
            .starts_with("normalize:")
    );
    let entry = host.store().inbox_entry(dead[0].id).unwrap().unwrap();
    assert_eq!(
        entry.request.body, webhook.body,
        "the raw body is kept byte for byte"
    );
    assert!(
        entry
            .request
            .headers
            .iter()
            .any(|(n, _)| n.eq_ignore_ascii_case("x-shopify-topic"))
    );

    let replayed = host.pipeline.replay(dead[0].id).await.unwrap();
    assert!(replayed.dead, "the same adapter still refuses it");
    assert_eq!(
        host.store()
            .inbox_entry(dead[0].id)
            .unwrap()
            .unwrap()
            .attempts,
        2
    );
    assert!(host.store().list_orders(10).unwrap().is_empty());
}

#[tokio::test]
async fn dead_letter_replayed_after_a_fix_becomes_an_order() {
    // A fuel budget too small for the adapter's work dead-letters the delivery.
    let account = TestAccount {
        adapter: "test-hostile".into(),
        id: "t".into(),
        secrets: vec!["s".into()],
        credentials: vec![],
        carriers: vec![],
        extra: String::new(),
    };
    let host = TestHost::start(HostOptions {
        adapters: vec!["test-hostile"],
        accounts: vec![account],
        adapters_extra: "[adapters.limits.test-hostile]\nfuel = 1000000\n".into(),
        ..Default::default()
    })
    .await
    .unwrap();
    let webhook = Webhook {
        headers: vec![("x-test-signature".into(), "s".into())],
        body: b"slow:A-1".to_vec(),
    };
    assert_eq!(
        host.send("test-hostile", "t", &webhook).await.unwrap().0,
        200
    );
    let dead = host.store().list_inbox(true, 10).unwrap();
    assert_eq!(dead.len(), 1);
    assert_eq!(dead[0].error_kind.as_deref(), Some("fuel-exhausted"));

    // The operator raises the budget: the same component, reinstalled with new limits.
    let sandbox = orderhub_host::app::sandbox(&host.pipeline.config).unwrap();
    let fixed = orderhub_host::runtime::LoadedAdapter::load_file(
        &sandbox,
        &orderhub_tests::wasm("test-hostile"),
        None,
        orderhub_host::runtime::Limits::default(),
    )
    .unwrap();
    host.pipeline.registry.install(fixed);

    let replayed = host.pipeline.replay(dead[0].id).await.unwrap();
    assert!(!replayed.dead);
    assert_eq!(replayed.events_recorded, 1);
    let view = host
        .store()
        .order("test-hostile", "t", "A-1")
        .unwrap()
        .expect("order re-derived from the raw payload");
    assert_eq!(view.order.state.status, OrderStatus::Paid);
    assert!(host.store().list_inbox(true, 10).unwrap().is_empty());
}
