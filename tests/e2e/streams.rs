//! Push streams against a mock Pinduoduo message service: a real WebSocket
//! server on loopback. Messages must be committed before they are
//! acknowledged, stored once however often they are redelivered, kept as
//! dead letters when unreadable, and a session the platform refuses or ends
//! must come back with a clear error.

use std::time::Duration;

use orderhub_core::model::OrderStatus;
use orderhub_host::config::StreamSettings;
use orderhub_host::store::InboxState;
use orderhub_host::stream::{Consumer, SessionError, SessionReport};
use orderhub_tests::mock_stream::{self, Session, SharedService};
use orderhub_tests::{HostOptions, TestAccount, TestHost, fixture};
use serde_json::{Value, json};

const MALL: u64 = 100_200_300;

fn account(stream_url: &str, secret: &str) -> TestAccount {
    let mut a = TestAccount::from_fixture("pinduoduo", &fixture("pinduoduo", "trade-confirmed"));
    a.id = "main".into();
    a.secrets = vec![secret.into()];
    a.credentials.push(("stream_url".into(), stream_url.into()));
    a.extra = "stream = { reconnect_min_ms = 20, reconnect_max_secs = 1 }".into();
    a
}

fn client_id() -> String {
    fixture("pinduoduo", "trade-confirmed")["account"]["credentials"]["client_id"]
        .as_str()
        .unwrap()
        .to_string()
}

const SECRET: &str = "sandbox-client-secret-0001";

async fn start(secret_configured: &str) -> (TestHost, SharedService) {
    let (service, url) = mock_stream::start(&client_id(), SECRET)
        .await
        .expect("mock message service starts");
    let host = TestHost::start(HostOptions {
        adapters: vec!["pinduoduo"],
        accounts: vec![account(&url, secret_configured)],
        ..Default::default()
    })
    .await
    .expect("host starts");
    (host, service)
}

fn confirmed(tid: &str) -> (String, Value) {
    (
        "pdd_trade_TradeConfirmed".into(),
        json!({ "mall_id": MALL, "tid": tid }),
    )
}

fn push(service: &SharedService, id: u64, (topic, content): (String, Value)) {
    service.lock().unwrap().messages.push((id, topic, content));
}

/// Quick reconnects, and a keepalive short enough to catch a silent peer.
fn settings() -> StreamSettings {
    StreamSettings {
        reconnect_min: Duration::from_millis(20),
        reconnect_max: Duration::from_millis(200),
        keepalive: Duration::from_millis(50),
        idle_limit: Duration::from_millis(300),
    }
}

fn consumer(host: &TestHost) -> Consumer {
    Consumer::new(host.pipeline.clone(), "pinduoduo", "main", settings())
}

/// Waits (up to 30 s) until `done` holds for the mock's state.
async fn until(
    service: &SharedService,
    what: &str,
    done: impl Fn(&mock_stream::MessageService) -> bool,
) {
    for _ in 0..1500 {
        if done(&service.lock().unwrap()) {
            return;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    panic!(
        "timed out waiting for {what}: {:?}",
        service.lock().unwrap()
    );
}

fn paid_orders(host: &TestHost) -> Vec<String> {
    let mut ids: Vec<String> = host
        .store()
        .list_orders(100)
        .unwrap()
        .into_iter()
        .filter(|o| o.state.status == OrderStatus::Paid)
        .map(|o| o.external_id)
        .collect();
    ids.sort();
    ids
}

#[tokio::test]
async fn messages_are_stored_then_acknowledged_and_unreadable_ones_kept() {
    let (host, service) = start(SECRET).await;
    push(
        &service,
        9_007_199_254_740_993,
        confirmed("240401-000000000000001"),
    );
    push(&service, 2, confirmed("240401-000000000000002"));
    // Content that is not JSON: kept as a dead letter, still acknowledged.
    push(
        &service,
        3,
        ("pdd_trade_TradeConfirmed".into(), json!("not an object")),
    );

    let task = tokio::spawn(consumer(&host).run());
    until(&service, "three acknowledgements", |s| s.acked.len() == 3).await;
    task.abort();

    assert_eq!(
        paid_orders(&host),
        ["240401-000000000000001", "240401-000000000000002"]
    );
    let inbox = host.store().list_inbox(false, 100).unwrap();
    assert_eq!(inbox.len(), 3, "{inbox:?}");
    assert!(inbox.iter().all(|e| e.method == "STREAM"));
    let dead: Vec<_> = inbox
        .iter()
        .filter(|e| e.state == InboxState::Dead)
        .collect();
    assert_eq!(dead.len(), 1);
    assert!(
        String::from_utf8_lossy(&dead[0].request.body).contains("not an object"),
        "the raw frame is kept"
    );
    // One connection, each message acknowledged once, after its commit.
    let (acks, connections) = {
        let s = service.lock().unwrap();
        (s.acks.len(), s.connections)
    };
    assert_eq!((acks, connections), (3, 1));

    // A stored frame replays through stream-receive like a webhook.
    let good = inbox.iter().find(|e| e.state != InboxState::Dead).unwrap();
    let replayed = host.pipeline.replay(good.id).await.expect("replay");
    assert!(!replayed.dead);
}

#[tokio::test]
async fn a_message_not_acknowledged_is_redelivered_and_stored_once() {
    let (host, service) = start(SECRET).await;
    service.lock().unwrap().sessions = vec![Session::DropAfterPush, Session::DropAfterPush];
    push(&service, 11, confirmed("240401-000000000000011"));
    push(&service, 12, confirmed("240401-000000000000012"));

    let task = tokio::spawn(consumer(&host).run());
    until(&service, "both acknowledged", |s| s.acked.len() == 2).await;
    task.abort();

    let s = service.lock().unwrap();
    assert!(s.connections >= 3, "reconnected after each drop: {s:?}");
    assert!(
        s.pushed.len() >= 4,
        "pushed again while unacknowledged: {s:?}"
    );
    drop(s);
    assert_eq!(
        paid_orders(&host),
        ["240401-000000000000011", "240401-000000000000012"]
    );
    assert_eq!(host.store().list_inbox(false, 100).unwrap().len(), 2);
}

#[tokio::test]
async fn nothing_is_acknowledged_while_the_store_cannot_commit() {
    let (host, service) = start(SECRET).await;
    let db = host.dir.path().join("orderhub.db");
    let hide = |sql: &str| {
        rusqlite::Connection::open(&db)
            .and_then(|c| c.execute_batch(sql))
            .expect("schema change");
    };
    hide("ALTER TABLE inbox RENAME TO inbox_away");
    push(&service, 21, confirmed("240401-000000000000021"));

    let task = tokio::spawn(consumer(&host).run());
    until(&service, "a redelivery after a failed commit", |s| {
        s.connections >= 2 && s.pushed.len() >= 2
    })
    .await;
    assert!(service.lock().unwrap().acked.is_empty());
    assert!(paid_orders(&host).is_empty());

    hide("ALTER TABLE inbox_away RENAME TO inbox");
    until(
        &service,
        "the acknowledgement once the store is back",
        |s| s.acked.contains(&21),
    )
    .await;
    task.abort();
    assert_eq!(paid_orders(&host), ["240401-000000000000021"]);
}

#[tokio::test]
async fn a_platform_gone_silent_is_given_up() {
    let (host, service) = start(SECRET).await;
    service.lock().unwrap().sessions = vec![Session::Silent];
    let mut report = SessionReport::default();
    let ended = consumer(&host).session(&mut report).await;
    assert!(
        matches!(&ended, Err(SessionError::Silent { silent, .. }) if *silent >= Duration::from_millis(300)),
        "{ended:?}"
    );
    // The next session (the mock behaves again) carries messages as usual.
    push(&service, 31, confirmed("240401-000000000000031"));
    let task = tokio::spawn(consumer(&host).run());
    until(&service, "the acknowledgement", |s| s.acked.contains(&31)).await;
    task.abort();
}

#[tokio::test]
async fn a_refused_login_and_an_ended_session_are_reported() {
    let (host, service) = start("not-the-secret").await;
    let mut report = SessionReport::default();
    let refused = consumer(&host).session(&mut report).await;
    assert!(
        matches!(&refused, Err(SessionError::Connect { message, .. }) if message.contains("401")),
        "{refused:?}"
    );
    assert_eq!(service.lock().unwrap().refused, 1);

    let (host, service) = start(SECRET).await;
    service.lock().unwrap().sessions = vec![Session::Fail("invalid access".into())];
    let ended = consumer(&host).session(&mut report).await;
    assert!(
        matches!(&ended, Err(SessionError::Ended(reason)) if reason.contains("invalid access")),
        "{ended:?}"
    );
    assert_eq!(report.messages, 0);
}

/// Taobao TMC: binary frames, a signed login frame instead of a signed URL,
/// and confirms by message id.
mod tmc {
    use super::*;
    use orderhub_tests::mock_tmc::{self, SharedTmc};

    const APP_SECRET: &str = "sandbox-app-secret-0001";

    async fn start(secret_configured: &str) -> (TestHost, SharedTmc) {
        let (tmc, url) = mock_tmc::start("12345678", APP_SECRET)
            .await
            .expect("mock TMC starts");
        let mut account = TestAccount::from_fixture(
            "taobao",
            &fixture("taobao", "trade-buyer-pay-implied-status"),
        );
        account.secrets = vec![secret_configured.into()];
        account.credentials.push(("stream_url".into(), url));
        account.extra = "stream = { reconnect_min_ms = 20, reconnect_max_secs = 1 }".into();
        let host = TestHost::start(HostOptions {
            adapters: vec!["taobao"],
            accounts: vec![account],
            ..Default::default()
        })
        .await
        .expect("host starts");
        (host, tmc)
    }

    fn consumer(host: &TestHost) -> Consumer {
        Consumer::new(host.pipeline.clone(), "taobao", "main", settings())
    }

    fn buyer_pay(tid: u64) -> (String, String) {
        (
            "taobao_trade_TradeBuyerPay".into(),
            json!({"tid": tid, "payment": "88.50", "buyer_nick": "t**1"}).to_string(),
        )
    }

    #[tokio::test]
    async fn messages_are_stored_then_confirmed() {
        let (host, tmc) = start(APP_SECRET).await;
        {
            let mut t = tmc.lock().unwrap();
            let (topic, content) = buyer_pay(4_011_876_543_210_987_654);
            t.messages.push((2_110_700_041_190_474_002, topic, content));
            let (topic, content) = buyer_pay(4_011_876_543_210_987_655);
            t.messages.push((2_110_700_041_190_474_003, topic, content));
        }
        let task = tokio::spawn(consumer(&host).run());
        for _ in 0..1500 {
            if tmc.lock().unwrap().confirmed.len() == 2 {
                break;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        task.abort();
        let t = tmc.lock().unwrap();
        assert_eq!(
            t.confirmed.iter().copied().collect::<Vec<_>>(),
            [2_110_700_041_190_474_002, 2_110_700_041_190_474_003],
            "{t:?}"
        );
        assert_eq!((t.logins, t.refused, t.unreadable), (1, 0, 0));
        assert_eq!(t.pulls, 1, "one pull request after the login");
        drop(t);
        assert_eq!(
            paid_orders(&host),
            ["4011876543210987654", "4011876543210987655"]
        );
    }

    #[tokio::test]
    async fn a_refused_login_ends_the_session_with_the_reason() {
        let (host, tmc) = start("not-the-secret").await;
        let mut report = SessionReport::default();
        let ended = consumer(&host).session(&mut report).await;
        assert!(
            matches!(&ended, Err(SessionError::Ended(reason))
                if reason.contains("401") && reason.contains("invalid sign")),
            "{ended:?}"
        );
        assert_eq!(tmc.lock().unwrap().refused, 1);
    }
}
