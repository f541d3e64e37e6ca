//! Several hosts on one PostgreSQL database, and a store moved from the
//! embedded SQLite to PostgreSQL. Each test gets a schema of its own.

use std::collections::{BTreeMap, BTreeSet};

use orderhub_core::model::OrderStatus;
use orderhub_host::store::{OrderStore, PgLocation, PgStore, transfer};
use orderhub_tests::{
    HostOptions, TestAccount, TestHost, TestSchema, Webhook, fixture, shopify_webhook,
};
use serde_json::Value;

const SECRET: &str = "shpss_orderhub_fixture_current";

fn shopify_account() -> TestAccount {
    TestAccount::from_fixture("shopify", &fixture("shopify", "orders-paid"))
}

/// The body of Shopify fixture `name`, made about order `order_id`.
fn shopify_body(name: &str, order_id: u64) -> Value {
    let f = fixture("shopify", name);
    let mut body: Value =
        serde_json::from_str(f["request"]["body"].as_str().expect("body")).expect("JSON body");
    body["id"] = order_id.into();
    body["name"] = format!("#{order_id}").into();
    body
}

fn topic_of(name: &str) -> String {
    fixture("shopify", name)["request"]["headers"]["X-Shopify-Topic"]
        .as_str()
        .expect("topic header")
        .to_string()
}

async fn post(client: &reqwest::Client, base: &str, webhook: &Webhook) -> (u16, String) {
    let mut request = client
        .post(format!("{base}/webhooks/shopify/jsmith"))
        .body(webhook.body.clone());
    for (name, value) in &webhook.headers {
        request = request.header(name, value);
    }
    let response = request.send().await.expect("request sent");
    let status = response.status().as_u16();
    (status, response.text().await.unwrap_or_default())
}

/// A fixed permutation, so a failure can be reproduced.
fn shuffle<T>(items: &mut [T], mut state: u64) {
    for i in (1..items.len()).rev() {
        state = state
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        items.swap(i, (state >> 33) as usize % (i + 1));
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_hosts_on_one_database_make_one_order_per_external_id() {
    let schema = TestSchema::fresh();
    let options = HostOptions {
        adapters: vec!["shopify"],
        accounts: vec![shopify_account()],
        store_url: Some(schema.url.clone()),
        ..Default::default()
    };
    let hosts = [
        TestHost::start(options.clone())
            .await
            .expect("host A starts"),
        TestHost::start(options).await.expect("host B starts"),
    ];

    // Eight orders; every other one is cancelled instead of completed.
    let lifecycle = [
        "orders-create-pending",
        "orders-paid",
        "orders-fulfilled",
        "orders-updated-closed",
    ];
    let cancelled = ["orders-create-pending", "orders-paid", "orders-cancelled"];
    let mut expected: BTreeMap<String, (OrderStatus, BTreeSet<String>)> = BTreeMap::new();
    let mut sends: Vec<(usize, Webhook)> = Vec::new();
    let mut bodies = 0;
    for n in 0..8u64 {
        let order_id = 7_000_000 + n;
        let (names, status) = if n % 2 == 0 {
            (&lifecycle[..], OrderStatus::Completed)
        } else {
            (&cancelled[..], OrderStatus::Cancelled)
        };
        let mut keys = BTreeSet::new();
        for (i, name) in names.iter().enumerate() {
            let webhook_id = format!("race-{order_id}-{i}");
            keys.insert(format!("shopify:jsmith:id:{webhook_id}"));
            let body = shopify_body(name, order_id);
            let topic = topic_of(name);
            let compact = serde_json::to_vec(&body).expect("serializes");
            let webhook = shopify_webhook(SECRET, &topic, &webhook_id, &compact);
            // The same delivery at both hosts, and a platform retry of it.
            sends.push((0, webhook.clone()));
            sends.push((1, webhook.clone()));
            sends.push((i % 2, webhook));
            bodies += 1;
            // A retry with other bytes (re-serialized) but the same webhook id.
            if i % 2 == 0 {
                let pretty = serde_json::to_vec_pretty(&body).expect("serializes");
                let webhook = shopify_webhook(SECRET, &topic, &webhook_id, &pretty);
                sends.push((0, webhook.clone()));
                sends.push((1, webhook));
                bodies += 1;
            }
        }
        expected.insert(order_id.to_string(), (status, keys));
    }
    shuffle(&mut sends, 42);
    let total = sends.len();

    // Everything at once, statuses out of order, across both hosts.
    let mut tasks = tokio::task::JoinSet::new();
    for (host, webhook) in sends {
        let client = hosts[host].client.clone();
        let base = hosts[host].base_url.clone();
        tasks.spawn(async move { post(&client, &base, &webhook).await });
    }
    let mut answered = 0;
    while let Some(result) = tasks.join_next().await {
        let (status, body) = result.expect("send task");
        assert_eq!(status, 200, "{body}");
        answered += 1;
    }
    assert_eq!(answered, total);

    let store = hosts[0].store();
    let orders: BTreeSet<String> = store
        .list_orders(100)
        .unwrap()
        .into_iter()
        .map(|o| o.external_id)
        .collect();
    assert_eq!(
        orders,
        expected.keys().cloned().collect(),
        "one order per external id"
    );
    assert_eq!(store.list_inbox(false, 1000).unwrap().len(), bodies);
    for (order_id, (status, keys)) in &expected {
        let view = store
            .order("shopify", "jsmith", order_id)
            .unwrap()
            .expect("order stored");
        assert_eq!(view.order.state.status, *status, "order {order_id}");
        let timeline: Vec<String> = view.timeline.iter().map(|e| e.event_key.clone()).collect();
        assert_eq!(timeline.len(), keys.len(), "order {order_id}: {timeline:?}");
        assert_eq!(
            timeline.iter().cloned().collect::<BTreeSet<_>>(),
            *keys,
            "order {order_id}: every event exactly once"
        );
        // The other host reads the very same order.
        let other = hosts[1]
            .store()
            .order("shopify", "jsmith", order_id)
            .unwrap()
            .expect("order stored");
        assert_eq!(
            serde_json::to_value(&other).unwrap(),
            serde_json::to_value(&view).unwrap()
        );
    }
    drop(hosts);
    drop(schema);
}

/// Drives a SQLite host through the pipeline with history of every kind.
async fn populated_sqlite_host() -> TestHost {
    let kuaidi =
        TestAccount::from_fixture("kuaidi100", &fixture("kuaidi100", "push-delivered-sample"));
    let host = TestHost::start(HostOptions {
        adapters: vec!["shopify", "kuaidi100"],
        accounts: vec![shopify_account(), kuaidi],
        ..Default::default()
    })
    .await
    .expect("SQLite host starts");
    let deliveries = [
        ("shopify", "jsmith", "orders-create-pending", 200),
        ("shopify", "jsmith", "orders-fulfilled", 200),
        ("shopify", "jsmith", "orders-paid", 200),
        ("shopify", "jsmith", "orders-create-malformed-json", 200),
        ("shopify", "jsmith", "orders-paid-tampered-body", 401),
        ("kuaidi100", "main", "push-delivered-sample", 200),
        ("kuaidi100", "main", "push-in-transit", 200),
    ];
    for (adapter, account, name, status) in deliveries {
        let webhook = Webhook::from_fixture(&fixture(adapter, name));
        let (got, body) = host.send(adapter, account, &webhook).await.unwrap();
        assert_eq!(got, status, "{name}: {body}");
    }
    host
}

/// Everything a reader of `store` can see, as JSON.
fn everything(store: &dyn OrderStore) -> Value {
    let orders = store.list_orders(1000).unwrap();
    let views: Vec<Value> = orders
        .iter()
        .map(|o| {
            serde_json::to_value(store.order(&o.adapter, &o.account, &o.external_id).unwrap())
                .unwrap()
        })
        .collect();
    let shipments = store.list_shipments(1000).unwrap();
    let shipment_views: Vec<Value> = shipments
        .iter()
        .map(|s| {
            serde_json::to_value(store.shipment(&s.carrier, &s.tracking_number).unwrap()).unwrap()
        })
        .collect();
    let inbox = store.list_inbox(false, 1000).unwrap();
    let requests: Vec<Value> = inbox
        .iter()
        .map(|e| {
            serde_json::json!({
                "headers": e.request.headers,
                "body": e.request.body,
            })
        })
        .collect();
    serde_json::json!({
        "orders": orders,
        "order_views": views,
        "shipments": shipments,
        "shipment_views": shipment_views,
        "inbox": inbox,
        "requests": requests,
        "dead": store.list_inbox(true, 1000).unwrap(),
        "auth_failures": store.auth_failures(1000).unwrap(),
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_sqlite_store_moves_to_postgres_with_its_whole_history() {
    let sqlite = populated_sqlite_host().await;
    let before = everything(sqlite.store().as_ref());
    assert_eq!(before["orders"].as_array().unwrap().len(), 1);
    assert_eq!(before["shipments"].as_array().unwrap().len(), 1);
    assert_eq!(before["inbox"].as_array().unwrap().len(), 6);
    assert_eq!(before["dead"].as_array().unwrap().len(), 1);
    assert_eq!(before["auth_failures"].as_array().unwrap().len(), 1);
    assert_eq!(
        before["order_views"][0]["timeline"]
            .as_array()
            .unwrap()
            .len(),
        3
    );

    let mut file = Vec::new();
    let exported = transfer::export_jsonl(sqlite.store().as_ref(), &mut file).unwrap();
    assert_eq!(
        (exported.inbox, exported.events, exported.orders),
        (6, 5, 1)
    );

    let schema = TestSchema::fresh();
    let location = PgLocation::parse(&schema.url).unwrap();
    let postgres = PgStore::open(&location).expect("PostgreSQL store opens");
    let imported = transfer::import_jsonl(&postgres, &mut file.as_slice(), false).unwrap();
    assert_eq!(imported, exported);
    assert_eq!(
        everything(&postgres),
        before,
        "orders, timelines, shipments, inbox and audit kept"
    );
    let mut again = Vec::new();
    transfer::export_jsonl(&postgres, &mut again).unwrap();
    assert_eq!(
        String::from_utf8(again).unwrap(),
        String::from_utf8(file).unwrap(),
        "the moved store exports the same file"
    );
    drop(postgres);

    // A host on the moved store carries on where the SQLite host stopped.
    let host = TestHost::start(HostOptions {
        adapters: vec!["shopify"],
        accounts: vec![shopify_account()],
        store_url: Some(schema.url.clone()),
        ..Default::default()
    })
    .await
    .expect("PostgreSQL host starts");
    let closed = Webhook::from_fixture(&fixture("shopify", "orders-updated-closed"));
    assert_eq!(
        host.send("shopify", "jsmith", &closed).await.unwrap().0,
        200
    );
    let paid_again = Webhook::from_fixture(&fixture("shopify", "orders-paid"));
    assert_eq!(
        host.send("shopify", "jsmith", &paid_again).await.unwrap().0,
        200
    );
    let view = host
        .store()
        .order("shopify", "jsmith", "450789469")
        .unwrap()
        .expect("order kept");
    assert_eq!(view.order.state.status, OrderStatus::Completed);
    let topics: Vec<&str> = view
        .timeline
        .iter()
        .map(|e| e.event.topic.as_str())
        .collect();
    assert_eq!(
        topics,
        [
            "orders/create",
            "orders/paid",
            "orders/fulfilled",
            "orders/updated"
        ]
    );
    let inbox = host.store().list_inbox(false, 100).unwrap();
    assert_eq!(inbox.len(), 7, "the duplicate paid delivery was recognised");
    assert_eq!(
        inbox[0].id, 7,
        "new deliveries continue after the moved ids"
    );
    drop(host);
    drop(schema);
}
