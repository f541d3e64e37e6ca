//! Signed deliveries from each reference platform become canonical orders
//! and shipments, exactly once, in the right status, whatever the order of
//! arrival.

use orderhub_core::model::{AfterSaleStatus, OrderStatus, TrackingStatus};
use orderhub_tests::{HostOptions, TestAccount, TestHost, Webhook, fixture, taobao_webhook};

async fn host_for(adapter: &'static str, fixture_name: &str) -> TestHost {
    let account = TestAccount::from_fixture(adapter, &fixture(adapter, fixture_name));
    TestHost::start(HostOptions {
        adapters: vec![adapter],
        accounts: vec![account],
        ..Default::default()
    })
    .await
    .expect("host starts")
}

async fn deliver(host: &TestHost, adapter: &str, account: &str, name: &str) -> (u16, String) {
    let webhook = Webhook::from_fixture(&fixture(adapter, name));
    host.send(adapter, account, &webhook)
        .await
        .expect("request sent")
}

#[tokio::test]
async fn shopify_order_moves_through_its_lifecycle() {
    let host = host_for("shopify", "orders-paid").await;
    for name in ["orders-create-pending", "orders-paid", "orders-fulfilled"] {
        assert_eq!(
            deliver(&host, "shopify", "jsmith", name).await.0,
            200,
            "{name}"
        );
    }
    let view = host
        .store()
        .order("shopify", "jsmith", "450789469")
        .unwrap()
        .expect("order stored");
    assert_eq!(view.order.state.status, OrderStatus::Shipped);
    assert_eq!(view.order.state.after_sale, AfterSaleStatus::None);
    let snapshot = view.order.snapshot.as_ref().expect("snapshot");
    assert_eq!(snapshot.display_id.as_deref(), Some("#1001"));
    assert_eq!(snapshot.currency, "USD");
    let topics: Vec<&str> = view
        .timeline
        .iter()
        .map(|e| e.event.topic.as_str())
        .collect();
    assert_eq!(topics, ["orders/create", "orders/paid", "orders/fulfilled"]);
    assert!(view.timeline.iter().all(|e| e.applied));
}

#[tokio::test]
async fn duplicate_delivery_is_acknowledged_and_written_once() {
    let host = host_for("shopify", "orders-paid").await;
    let first = deliver(&host, "shopify", "jsmith", "orders-paid").await;
    let second = deliver(&host, "shopify", "jsmith", "orders-paid").await;
    assert_eq!((first.0, second.0), (200, 200));
    assert_eq!(host.store().list_inbox(false, 10).unwrap().len(), 1);
    let view = host
        .store()
        .order("shopify", "jsmith", "450789469")
        .unwrap()
        .unwrap();
    assert_eq!(view.timeline.len(), 1);
    assert_eq!(view.order.state.status, OrderStatus::Paid);
}

#[tokio::test]
async fn older_status_after_newer_is_kept_but_changes_nothing() {
    let host = host_for("shopify", "orders-paid").await;
    assert_eq!(
        deliver(&host, "shopify", "jsmith", "orders-fulfilled")
            .await
            .0,
        200
    );
    assert_eq!(
        deliver(&host, "shopify", "jsmith", "orders-paid").await.0,
        200
    );
    let view = host
        .store()
        .order("shopify", "jsmith", "450789469")
        .unwrap()
        .unwrap();
    assert_eq!(view.order.state.status, OrderStatus::Shipped);
    assert_eq!(view.timeline.len(), 2, "both events are in the timeline");
    let paid = view
        .timeline
        .iter()
        .find(|e| e.event.topic == "orders/paid")
        .expect("paid event kept");
    assert!(!paid.applied);
    assert_eq!(
        paid.note.as_deref(),
        Some("older status than the current one (late or out-of-order event)")
    );
}

/// A TMC trade message relayed as a TOP-signed form, signed here independently.
fn taobao_trade(
    secret: &str,
    message_id: &str,
    topic: &str,
    status: &str,
    pub_time: &str,
) -> Webhook {
    let content = format!(
        r#"{{"buyer_nick":"t**1","payment":"88.50","tid":4011876543210987654,"oid":4011876543210987654,"type":"fixed","status":"{status}"}}"#
    );
    taobao_webhook(
        secret,
        &[
            ("topic", topic),
            ("content", &content),
            ("id", message_id),
            ("pub_time", pub_time),
            ("pub_app_key", "12345678"),
        ],
    )
}

#[tokio::test]
async fn taobao_trade_messages_arriving_newest_first_end_completed() {
    let host = host_for("taobao", "trade-changed-paid").await;
    let secret = "sandbox-app-secret-0001";
    let messages = [
        (
            "m3",
            "taobao_trade_TradeSuccess",
            "TRADE_FINISHED",
            "2024-04-03 10:00:00",
        ),
        (
            "m1",
            "taobao_trade_TradeBuyerPay",
            "WAIT_SELLER_SEND_GOODS",
            "2024-04-01 10:00:00",
        ),
        (
            "m2",
            "taobao_trade_TradeSellerShip",
            "WAIT_BUYER_CONFIRM_GOODS",
            "2024-04-02 10:00:00",
        ),
    ];
    for (id, topic, status, at) in messages {
        let (code, body) = host
            .send(
                "taobao",
                "main",
                &taobao_trade(secret, id, topic, status, at),
            )
            .await
            .unwrap();
        assert_eq!(code, 200, "{topic}: {body}");
        assert_eq!(body, r#"{"success":true}"#);
    }
    let view = host
        .store()
        .order("taobao", "main", "4011876543210987654")
        .unwrap()
        .expect("order stored");
    assert_eq!(view.order.state.status, OrderStatus::Completed);
    assert_eq!(
        view.order.snapshot.as_ref().unwrap().total_minor,
        Some(8850)
    );
    // The timeline is in platform time order and keeps the late messages.
    let topics: Vec<&str> = view
        .timeline
        .iter()
        .map(|e| e.event.topic.as_str())
        .collect();
    assert_eq!(
        topics,
        [
            "taobao_trade_TradeBuyerPay",
            "taobao_trade_TradeSellerShip",
            "taobao_trade_TradeSuccess"
        ]
    );
    let applied: Vec<bool> = view.timeline.iter().map(|e| e.applied).collect();
    assert_eq!(
        applied,
        [false, false, true],
        "only the newest message moved the order"
    );
}

#[tokio::test]
async fn taobao_refund_sets_the_after_sale_state_of_its_order() {
    let host = host_for("taobao", "trade-changed-paid").await;
    assert_eq!(
        deliver(&host, "taobao", "main", "trade-changed-paid")
            .await
            .0,
        200
    );
    assert_eq!(
        deliver(&host, "taobao", "main", "refund-created").await.0,
        200
    );
    let refund = fixture("taobao", "refund-created");
    let order_id = refund["expect"]["normalize"]["events"][0]["body"]["order_external_id"]
        .as_str()
        .unwrap()
        .to_string();
    let view = host
        .store()
        .order("taobao", "main", &order_id)
        .unwrap()
        .expect("order stored");
    assert_eq!(view.order.state.after_sale, AfterSaleStatus::Requested);
}

#[tokio::test]
async fn kuaidi100_scans_out_of_order_end_delivered_with_the_expected_reply() {
    let host = host_for("kuaidi100", "push-delivered-sample").await;
    let (status, body) = deliver(&host, "kuaidi100", "main", "push-delivered-sample").await;
    assert_eq!(status, 200);
    assert_eq!(
        body,
        r#"{"result":true,"returnCode":"200","message":"成功"}"#
    );
    // A late in-transit push for the same parcel arrives after delivery.
    assert_eq!(
        deliver(&host, "kuaidi100", "main", "push-in-transit")
            .await
            .0,
        200
    );
    let view = host
        .store()
        .shipment("jd", "JD0076810060555")
        .unwrap()
        .expect("shipment stored");
    assert_eq!(view.shipment.tracking, Some(TrackingStatus::Delivered));
    assert!(view.shipment.snapshot.signed);
    assert_eq!(view.timeline.len(), 2);
    let late = view
        .timeline
        .iter()
        .find(|e| !e.applied || e.note.is_some());
    assert!(
        late.is_some(),
        "the late scan is kept in the timeline without moving the parcel back"
    );
    let times: Vec<_> = view
        .shipment
        .snapshot
        .checkpoints
        .iter()
        .map(|c| c.at)
        .collect();
    let mut sorted = times.clone();
    sorted.sort();
    assert_eq!(times, sorted, "checkpoints are kept oldest first");
}
