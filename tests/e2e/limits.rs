//! Per-adapter input and output size limits (`max_input_bytes`,
//! `max_output_bytes`): exceeding one is a typed error naming the adapter
//! and the limit.

use orderhub_tests::{HostOptions, TestAccount, TestHost, Webhook, fixture};

async fn shopify_host(limits: &str) -> TestHost {
    let paid = fixture("shopify", "orders-paid");
    TestHost::start(HostOptions {
        adapters: vec!["shopify"],
        accounts: vec![TestAccount::from_fixture("shopify", &paid)],
        adapters_extra: format!("[adapters.limits.shopify]\n{limits}\n"),
        ..Default::default()
    })
    .await
    .expect("host starts")
}

#[tokio::test]
async fn a_body_over_max_input_bytes_is_refused_with_413_naming_the_limit() {
    let host = shopify_host("max_input_bytes = 64").await;
    let webhook = Webhook::from_fixture(&fixture("shopify", "orders-paid"));
    assert!(webhook.body.len() > 64);
    let (status, body) = host
        .send("shopify", "jsmith", &webhook)
        .await
        .expect("sent");
    assert_eq!(status, 413, "{body}");
    assert!(
        body.contains("input-too-large")
            && body.contains("adapter shopify")
            && body.contains("max_input_bytes limit of 64"),
        "{body}"
    );
    assert!(
        host.store()
            .list_inbox(false, 10)
            .expect("inbox")
            .is_empty()
    );
}

#[tokio::test]
async fn output_over_max_output_bytes_dead_letters_the_delivery() {
    let host = shopify_host("max_output_bytes = 100").await;
    let webhook = Webhook::from_fixture(&fixture("shopify", "orders-paid"));
    let (status, _) = host
        .send("shopify", "jsmith", &webhook)
        .await
        .expect("sent");
    assert_eq!(status, 200);
    let dead = host.store().list_inbox(true, 10).expect("inbox");
    assert_eq!(dead.len(), 1);
    assert_eq!(dead[0].error_kind.as_deref(), Some("output-too-large"));
    let message = dead[0].error_message.as_deref().unwrap_or_default();
    assert!(
        message.starts_with("normalize: adapter shopify: the output is ")
            && message.ends_with("over its max_output_bytes limit of 100"),
        "{message}"
    );
}
