//! The cases every backend must pass, each asserting concrete values.

use std::sync::Arc;

use chrono::Utc;
use orderhub_core::model::{
    AfterSaleStatus, HoldChange, OrderStatus, StatusMapping, TrackingStatus,
};
use orderhub_host::store::transfer::{self, Counts};
use orderhub_host::store::{
    AuthFailure, Committed, CursorUpdate, InboxState, OrderStore, Outcome, Record, StoreError,
    UNSTORABLE_TEXT,
};

use crate::backend::{Backend, Kind};
use crate::events::*;

const OLDER: &str = "older status than the current one (late or out-of-order event)";
const TERMINAL: &str = "the order is already in a terminal state";

fn new(inbox_id: i64, recorded: usize, applied: usize) -> Committed {
    Committed {
        inbox_id,
        duplicate: false,
        events_recorded: recorded,
        events_applied: applied,
        dead: false,
    }
}

fn topics(store: &dyn OrderStore, order: &str) -> Vec<String> {
    store
        .order(ADAPTER, ACCOUNT, order)
        .unwrap()
        .expect("order stored")
        .timeline
        .iter()
        .map(|e| e.event.topic.clone())
        .collect()
}

pub fn commit_then_duplicate(b: &Backend) {
    let store = b.store();
    let paid = || {
        delivery(
            "d1",
            vec![order_event(
                "1001",
                "e1",
                "orders/paid",
                Some("10:00"),
                lifecycle(OrderStatus::Paid),
            )],
        )
    };
    let first = store.commit(paid()).unwrap();
    assert!(first.inbox_id > 0);
    assert_eq!(first, new(first.inbox_id, 1, 1));
    let again = store.commit(paid()).unwrap();
    assert_eq!(
        again,
        Committed {
            inbox_id: first.inbox_id,
            duplicate: true,
            events_recorded: 0,
            events_applied: 0,
            dead: false,
        }
    );
    assert_eq!(
        store.inbox_id_of(&delivery_key("d1")).unwrap(),
        Some(first.inbox_id)
    );
    assert_eq!(store.inbox_id_of(&delivery_key("d2")).unwrap(), None);
    assert_eq!(store.list_inbox(false, 10).unwrap().len(), 1);

    let view = store
        .order(ADAPTER, ACCOUNT, "1001")
        .unwrap()
        .expect("order stored");
    assert_eq!(view.order.state.status, OrderStatus::Paid);
    assert_eq!(view.order.snapshot_at, Some(at("10:00")));
    let snapshot = view.order.snapshot.as_ref().expect("snapshot");
    assert_eq!(
        (snapshot.currency.as_str(), snapshot.total_minor),
        ("USD", Some(12_345))
    );
    assert_eq!(view.order.created_at, view.order.updated_at);
    assert_eq!(view.timeline.len(), 1);
    let entry = &view.timeline[0];
    assert_eq!(entry.event_key, event_key("e1"));
    assert_eq!(entry.inbox_id, first.inbox_id);
    assert!(entry.applied);
    assert_eq!(entry.note, None);
}

pub fn an_event_is_recorded_once_across_deliveries(b: &Backend) {
    let store = b.store();
    let paid = || {
        order_event(
            "1001",
            "e1",
            "orders/paid",
            Some("10:00"),
            lifecycle(OrderStatus::Paid),
        )
    };
    let first = store.commit(delivery("d1", vec![paid()])).unwrap();
    // A retry with other bytes carries the same event and a new one.
    let shipped = order_event(
        "1001",
        "e2",
        "orders/fulfilled",
        Some("11:00"),
        lifecycle(OrderStatus::Shipped),
    );
    let second = store.commit(delivery("d2", vec![paid(), shipped])).unwrap();
    assert_eq!(second, new(second.inbox_id, 1, 1));
    assert_ne!(first.inbox_id, second.inbox_id);
    let view = store.order(ADAPTER, ACCOUNT, "1001").unwrap().unwrap();
    assert_eq!(view.order.state.status, OrderStatus::Shipped);
    let rows: Vec<(String, i64)> = view
        .timeline
        .iter()
        .map(|e| (e.event_key.clone(), e.inbox_id))
        .collect();
    assert_eq!(
        rows,
        [
            (event_key("e1"), first.inbox_id),
            (event_key("e2"), second.inbox_id)
        ]
    );
    assert_eq!(store.list_inbox(false, 10).unwrap().len(), 2);
}

pub fn out_of_order_statuses_end_at_the_newest(b: &Backend) {
    let store = b.store();
    let arrivals = [
        (
            "d3",
            "e3",
            "orders/fulfilled",
            "12:00",
            OrderStatus::Shipped,
            1,
        ),
        ("d2", "e2", "orders/paid", "11:00", OrderStatus::Paid, 0),
        (
            "d1",
            "e1",
            "orders/create",
            "10:00",
            OrderStatus::PendingPayment,
            0,
        ),
    ];
    for (name, id, topic, when, status, applied) in arrivals {
        let c = store
            .commit(delivery(
                name,
                vec![order_event(
                    "1001",
                    id,
                    topic,
                    Some(when),
                    lifecycle(status),
                )],
            ))
            .unwrap();
        assert_eq!(c, new(c.inbox_id, 1, applied), "{topic}");
    }
    let view = store.order(ADAPTER, ACCOUNT, "1001").unwrap().unwrap();
    assert_eq!(view.order.state.status, OrderStatus::Shipped);
    assert_eq!(view.order.snapshot_at, Some(at("12:00")));
    let timeline: Vec<(&str, bool, Option<&str>)> = view
        .timeline
        .iter()
        .map(|e| (e.event.topic.as_str(), e.applied, e.note.as_deref()))
        .collect();
    assert_eq!(
        timeline,
        [
            ("orders/create", false, Some(OLDER)),
            ("orders/paid", false, Some(OLDER)),
            ("orders/fulfilled", true, None),
        ]
    );
}

pub fn terminal_states_are_final(b: &Backend) {
    let store = b.store();
    for (name, id, topic, when, status) in [
        ("d1", "e1", "orders/paid", "10:00", OrderStatus::Paid),
        (
            "d2",
            "e2",
            "orders/cancelled",
            "11:00",
            OrderStatus::Cancelled,
        ),
        (
            "d3",
            "e3",
            "orders/fulfilled",
            "12:00",
            OrderStatus::Shipped,
        ),
        ("d4", "e4", "orders/updated", "13:00", OrderStatus::Closed),
    ] {
        store
            .commit(delivery(
                name,
                vec![order_event(
                    "1001",
                    id,
                    topic,
                    Some(when),
                    lifecycle(status),
                )],
            ))
            .unwrap();
    }
    let view = store.order(ADAPTER, ACCOUNT, "1001").unwrap().unwrap();
    assert_eq!(view.order.state.status, OrderStatus::Cancelled);
    let notes: Vec<Option<&str>> = view.timeline.iter().map(|e| e.note.as_deref()).collect();
    assert_eq!(notes, [None, None, Some(TERMINAL), Some(TERMINAL)]);
    // Their newer snapshots are still merged; the status is not touched.
    assert_eq!(view.order.snapshot_at, Some(at("13:00")));
}

pub fn the_latest_hold_change_wins(b: &Backend) {
    let store = b.store();
    let steps = [
        ("d1", "e1", "10:00", lifecycle(OrderStatus::Paid), true),
        (
            "d2",
            "e2",
            "11:00",
            hold(HoldChange::Set("risk control".into())),
            true,
        ),
        // A clear from before the hold was set is stale.
        ("d3", "e3", "10:30", hold(HoldChange::Clear), false),
    ];
    for (name, id, when, mapping, applied) in steps {
        let c = store
            .commit(delivery(
                name,
                vec![order_event(
                    "1001",
                    id,
                    "orders/updated",
                    Some(when),
                    mapping,
                )],
            ))
            .unwrap();
        assert_eq!(c.events_applied, usize::from(applied), "{name}");
    }
    let held = store
        .order(ADAPTER, ACCOUNT, "1001")
        .unwrap()
        .unwrap()
        .order
        .state;
    assert_eq!(held.status, OrderStatus::Paid);
    assert_eq!(held.hold.as_deref(), Some("risk control"));
    assert_eq!(held.hold_changed_at, Some(at("11:00")));

    store
        .commit(delivery(
            "d4",
            vec![order_event(
                "1001",
                "e4",
                "orders/updated",
                Some("12:00"),
                hold(HoldChange::Clear),
            )],
        ))
        .unwrap();
    let cleared = store
        .order(ADAPTER, ACCOUNT, "1001")
        .unwrap()
        .unwrap()
        .order
        .state;
    assert_eq!((cleared.status, cleared.hold), (OrderStatus::Paid, None));
    assert_eq!(cleared.hold_changed_at, Some(at("12:00")));
}

pub fn after_sale_is_its_own_dimension(b: &Backend) {
    let store = b.store();
    store
        .commit(delivery(
            "d1",
            vec![order_event(
                "1001",
                "e1",
                "orders/fulfilled",
                Some("10:00"),
                lifecycle(OrderStatus::Shipped),
            )],
        ))
        .unwrap();
    let refunding = store
        .commit(delivery(
            "d2",
            vec![after_sale_event(
                "1001",
                "r2",
                "12:00",
                AfterSaleStatus::Refunding,
            )],
        ))
        .unwrap();
    assert_eq!(refunding, new(refunding.inbox_id, 1, 1));
    let late = store
        .commit(delivery(
            "d3",
            vec![after_sale_event(
                "1001",
                "r1",
                "11:00",
                AfterSaleStatus::Requested,
            )],
        ))
        .unwrap();
    assert_eq!(late, new(late.inbox_id, 1, 0));
    let view = store.order(ADAPTER, ACCOUNT, "1001").unwrap().unwrap();
    assert_eq!(view.order.state.status, OrderStatus::Shipped);
    assert_eq!(view.order.state.after_sale, AfterSaleStatus::Refunding);
    assert_eq!(view.order.state.after_sale_changed_at, Some(at("12:00")));
    let keys: Vec<String> = view.timeline.iter().map(|e| e.event_key.clone()).collect();
    assert_eq!(keys, [event_key("e1"), event_key("r1"), event_key("r2")]);
}

pub fn shipment_tracking_never_goes_back(b: &Backend) {
    let store = b.store();
    let delivered = shipment_event(
        "SF100",
        "1001",
        "s2",
        "12:00",
        TrackingStatus::Delivered,
        vec![
            checkpoint("12:00", "signed for"),
            checkpoint("09:00", "picked up"),
        ],
    );
    assert_eq!(
        store
            .commit(delivery("d1", vec![delivered]))
            .unwrap()
            .events_applied,
        1
    );
    let late = shipment_event(
        "SF100",
        "1001",
        "s1",
        "11:00",
        TrackingStatus::InTransit,
        vec![],
    );
    assert_eq!(
        store
            .commit(delivery("d2", vec![late]))
            .unwrap()
            .events_applied,
        0
    );

    let view = store
        .shipment("sf", "SF100")
        .unwrap()
        .expect("shipment stored");
    assert_eq!(view.shipment.tracking, Some(TrackingStatus::Delivered));
    assert!(view.shipment.snapshot.signed);
    assert_eq!(view.shipment.order_external_id.as_deref(), Some("1001"));
    let scans: Vec<&str> = view
        .shipment
        .snapshot
        .checkpoints
        .iter()
        .map(|c| c.description.as_str())
        .collect();
    assert_eq!(scans, ["picked up", "signed for"], "oldest first");
    let timeline: Vec<(String, bool, Option<&str>)> = view
        .timeline
        .iter()
        .map(|e| (e.event_key.clone(), e.applied, e.note.as_deref()))
        .collect();
    assert_eq!(
        timeline,
        [
            (
                event_key("s1"),
                false,
                Some("older tracking state than the current one (late or out-of-order scan)")
            ),
            (event_key("s2"), true, None),
        ]
    );

    // The order the scans named is not known yet: the parcel waits for it
    // rather than inventing an order.
    assert!(store.order(ADAPTER, ACCOUNT, "1001").unwrap().is_none());
    assert_eq!(view.shipment.order_adapter, None);

    // When the order arrives, the parcel is linked and moves it.
    store
        .commit(delivery(
            "d3",
            vec![order_event(
                "1001",
                "o1",
                "orders/paid",
                Some("08:00"),
                lifecycle(OrderStatus::Paid),
            )],
        ))
        .unwrap();
    let order = store
        .order(ADAPTER, ACCOUNT, "1001")
        .unwrap()
        .expect("order stored");
    assert_eq!(order.order.state.status, OrderStatus::Delivered);
    assert_eq!(order.shipments.len(), 1);
    assert_eq!(order.shipments[0].tracking_number, "SF100");
    assert_eq!(order.shipments[0].order_adapter.as_deref(), Some(ADAPTER));
    assert_eq!(order.timeline.len(), 3);
}

pub fn dead_letter_then_recommit(b: &Backend) {
    let store = b.store();
    let dead = store
        .commit(dead_delivery(
            "d1",
            "unknown-status",
            "status-map: unknown status \"weird\"",
        ))
        .unwrap();
    assert_eq!(
        dead,
        Committed {
            inbox_id: dead.inbox_id,
            duplicate: false,
            events_recorded: 0,
            events_applied: 0,
            dead: true,
        }
    );
    let letters = store.list_inbox(true, 10).unwrap();
    assert_eq!(letters.len(), 1);
    let letter = &letters[0];
    assert_eq!(letter.id, dead.inbox_id);
    assert_eq!(letter.state, InboxState::Dead);
    assert_eq!(letter.error_kind.as_deref(), Some("unknown-status"));
    assert_eq!(
        letter.error_message.as_deref(),
        Some("status-map: unknown status \"weird\"")
    );
    assert_eq!(letter.attempts, 1);
    assert_eq!(
        letter.request,
        request("d1"),
        "raw request kept byte for byte"
    );
    assert_eq!(letter.body_bytes, request("d1").body.len());

    let events = vec![order_event(
        "1001",
        "e1",
        "orders/paid",
        Some("10:00"),
        lifecycle(OrderStatus::Paid),
    )];
    let replayed = store
        .recommit(dead.inbox_id, Outcome::Events(events.clone()))
        .unwrap();
    assert_eq!(replayed, new(dead.inbox_id, 1, 1));
    let entry = store
        .inbox_entry(dead.inbox_id)
        .unwrap()
        .expect("entry kept");
    assert_eq!(
        (
            entry.state,
            entry.attempts,
            entry.error_kind,
            entry.error_message
        ),
        (InboxState::Applied, 2, None, None)
    );
    assert!(store.list_inbox(true, 10).unwrap().is_empty());
    // Replaying again records nothing twice.
    let twice = store
        .recommit(dead.inbox_id, Outcome::Events(events))
        .unwrap();
    assert_eq!(twice, new(dead.inbox_id, 0, 0));
    assert_eq!(
        store.inbox_entry(dead.inbox_id).unwrap().unwrap().attempts,
        3
    );
    assert_eq!(
        store
            .order(ADAPTER, ACCOUNT, "1001")
            .unwrap()
            .unwrap()
            .timeline
            .len(),
        1
    );

    let missing = store.recommit(999_999, Outcome::Events(vec![]));
    assert!(
        matches!(missing, Err(StoreError::NoSuchInboxEntry(999_999))),
        "{missing:?}"
    );
}

pub fn auth_failures_newest_first(b: &Backend) {
    let store = b.store();
    for (i, remote) in [
        (1, Some("10.0.0.1:5000")),
        (2, None),
        (3, Some("10.0.0.3:5000")),
    ] {
        store
            .record_auth_failure(AuthFailure {
                at: at(&format!("10:0{i}")),
                adapter: ADAPTER.into(),
                account: ACCOUNT.into(),
                kind: "bad-signature".into(),
                message: format!("signature mismatch #{i}"),
                remote: remote.map(str::to_string),
            })
            .unwrap();
    }
    let newest: Vec<(String, Option<String>, chrono::DateTime<Utc>)> = store
        .auth_failures(2)
        .unwrap()
        .into_iter()
        .map(|f| (f.message, f.remote, f.at))
        .collect();
    assert_eq!(
        newest,
        [
            (
                "signature mismatch #3".to_string(),
                Some("10.0.0.3:5000".to_string()),
                at("10:03")
            ),
            ("signature mismatch #2".to_string(), None, at("10:02")),
        ]
    );
    assert_eq!(store.auth_failures(10).unwrap().len(), 3);
    assert!(
        store.list_inbox(false, 10).unwrap().is_empty(),
        "nothing else is stored"
    );
}

pub fn timelines_order_by_event_time_then_arrival(b: &Backend) {
    let store = b.store();
    let untimed = StatusMapping::default();
    store
        .commit(delivery(
            "d1",
            vec![
                order_event("2002", "a", "at-11", Some("11:00"), untimed.clone()),
                order_event("2002", "b", "untimed", None, untimed.clone()),
                order_event("2002", "c", "at-10", Some("10:00"), untimed.clone()),
                order_event("2002", "d", "also-at-11", Some("11:00"), untimed.clone()),
            ],
        ))
        .unwrap();
    // Untimed events sort by when they were recorded: after 2024.
    assert_eq!(
        topics(store, "2002"),
        ["at-10", "at-11", "also-at-11", "untimed"]
    );
    let view = store.order(ADAPTER, ACCOUNT, "2002").unwrap().unwrap();
    let untimed_entry = &view.timeline[3];
    assert!(untimed_entry.recorded_at > at("12:00"));
    assert_eq!(untimed_entry.event.occurred_at, None);
}

pub fn lists_and_inbox_queries(b: &Backend) {
    let store = b.store();
    let mut ids = Vec::new();
    for (i, order) in ["3001", "3002", "3003"].into_iter().enumerate() {
        let c = store
            .commit(delivery(
                order,
                vec![order_event(
                    order,
                    order,
                    "orders/paid",
                    Some("10:00"),
                    lifecycle(OrderStatus::Paid),
                )],
            ))
            .unwrap();
        ids.push(c.inbox_id);
        let tracking = format!("SF{i}");
        store
            .commit(delivery(
                &format!("scan-{i}"),
                vec![shipment_event(
                    &tracking,
                    order,
                    &tracking,
                    "11:00",
                    TrackingStatus::InTransit,
                    vec![],
                )],
            ))
            .unwrap();
        // Updates land in distinct milliseconds, so "newest first" is defined.
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
    let orders: Vec<String> = store
        .list_orders(10)
        .unwrap()
        .into_iter()
        .map(|o| o.external_id)
        .collect();
    assert_eq!(orders, ["3003", "3002", "3001"]);
    // Reconciliation's question: which of the account's orders changed since?
    let stored = store.list_orders(10).unwrap();
    let middle = stored
        .iter()
        .find(|o| o.external_id == "3002")
        .unwrap()
        .updated_at;
    let (adapter, account) = (stored[0].adapter.clone(), stored[0].account.clone());
    assert_eq!(
        store
            .order_ids_changed_since(&adapter, &account, middle)
            .unwrap(),
        ["3002", "3003"]
    );
    assert!(
        store
            .order_ids_changed_since(&adapter, "another-account", middle)
            .unwrap()
            .is_empty()
    );
    let first_two: Vec<String> = store
        .list_orders(2)
        .unwrap()
        .into_iter()
        .map(|o| o.external_id)
        .collect();
    assert_eq!(first_two, ["3003", "3002"]);
    let shipments: Vec<String> = store
        .list_shipments(10)
        .unwrap()
        .into_iter()
        .map(|s| s.tracking_number)
        .collect();
    assert_eq!(shipments, ["SF2", "SF1", "SF0"]);

    let inbox = store.list_inbox(false, 10).unwrap();
    assert_eq!(inbox.len(), 6);
    assert!(inbox.windows(2).all(|w| w[0].id > w[1].id), "newest first");
    assert_eq!(
        store.list_inbox(false, 1).unwrap()[0].key,
        delivery_key("scan-2")
    );
    assert!(store.list_inbox(true, 10).unwrap().is_empty());
    let entry = store.inbox_entry(ids[1]).unwrap().expect("entry");
    assert_eq!(
        (
            entry.key.as_str(),
            entry.adapter.as_str(),
            entry.account.as_str(),
            entry.state
        ),
        (
            delivery_key("3002").as_str(),
            ADAPTER,
            ACCOUNT,
            InboxState::Applied
        )
    );
    assert_eq!(entry.received_at, at("12:00"));
    assert_eq!(
        (entry.method.as_str(), entry.url.as_str()),
        ("POST", "/webhooks/shop/main")
    );
    assert_eq!(entry.request.headers, request("3002").headers);

    assert!(store.inbox_entry(123_456).unwrap().is_none());
    assert!(store.order(ADAPTER, ACCOUNT, "nope").unwrap().is_none());
    assert!(
        store
            .order(ADAPTER, "other-account", "3001")
            .unwrap()
            .is_none()
    );
    assert!(store.shipment("sf", "nope").unwrap().is_none());
}

fn inventory(store: &dyn OrderStore) -> Vec<(String, String, i64)> {
    let mut levels = Vec::new();
    store
        .export(&mut |record| {
            if let Record::Inventory(i) = record {
                levels.push((i.sku, i.warehouse, i.available));
            }
            Ok(())
        })
        .unwrap();
    levels
}

pub fn inventory_keeps_the_newest_level(b: &Backend) {
    let store = b.store();
    let c = store
        .commit(delivery(
            "d1",
            vec![
                inventory_event("i1", "SKU-1", Some("HZ"), 5, "11:00"),
                inventory_event("i2", "SKU-1", Some("HZ"), 9, "10:00"),
                inventory_event("i3", "SKU-2", None, 3, "10:00"),
            ],
        ))
        .unwrap();
    assert_eq!(c, new(c.inbox_id, 3, 3));
    assert_eq!(
        inventory(store),
        [
            ("SKU-1".to_string(), "HZ".to_string(), 5),
            ("SKU-2".to_string(), String::new(), 3)
        ]
    );
    store
        .commit(delivery(
            "d2",
            vec![inventory_event("i4", "SKU-1", Some("HZ"), 7, "12:00")],
        ))
        .unwrap();
    assert_eq!(
        inventory(store)[0],
        ("SKU-1".to_string(), "HZ".to_string(), 7)
    );
}

/// One of everything a store holds.
fn populate(store: &dyn OrderStore) {
    store
        .record_auth_failure(AuthFailure {
            at: at("09:00"),
            adapter: ADAPTER.into(),
            account: ACCOUNT.into(),
            kind: "bad-signature".into(),
            message: "signature mismatch".into(),
            remote: Some("10.0.0.9:1234".into()),
        })
        .unwrap();
    for (name, id, when, status) in [
        ("d1", "e1", "10:00", OrderStatus::Paid),
        ("d2", "e2", "11:00", OrderStatus::Shipped),
        ("d0", "e0", "09:30", OrderStatus::PendingPayment),
    ] {
        store
            .commit(delivery(
                name,
                vec![order_event(
                    "1001",
                    id,
                    "orders/updated",
                    Some(when),
                    lifecycle(status),
                )],
            ))
            .unwrap();
    }
    store
        .commit(delivery(
            "d3",
            vec![
                shipment_event(
                    "SF100",
                    "1001",
                    "s1",
                    "12:00",
                    TrackingStatus::InTransit,
                    vec![checkpoint("12:00", "departed")],
                ),
                after_sale_event("1001", "r1", "12:30", AfterSaleStatus::Requested),
                inventory_event("i1", "SKU-1", Some("HZ"), 4, "12:00"),
            ],
        ))
        .unwrap();
    store
        .commit(dead_delivery(
            "d4",
            "malformed-payload",
            "normalize: bad JSON",
        ))
        .unwrap();
    // A polled page with its cursor, and a parcel an ERP reported, which
    // queues a ship confirmation for the channel.
    store
        .commit_poll_page(
            delivery("p1", vec![]),
            CursorUpdate {
                cursor: Some("{\"page\":2}".into()),
                at: at("12:40"),
            },
        )
        .unwrap();
    store
        .commit(delivery_from(
            "erp",
            "warehouse",
            "w1",
            vec![shipment_event(
                "ZT200",
                "1001",
                "w1",
                "12:45",
                TrackingStatus::InfoReceived,
                vec![],
            )],
        ))
        .unwrap();
}

fn export(store: &dyn OrderStore) -> (String, Counts) {
    let mut out = Vec::new();
    let counts = transfer::export_jsonl(store, &mut out).unwrap();
    (String::from_utf8(out).expect("exports are UTF-8"), counts)
}

fn import(store: &dyn OrderStore, text: &str, replace: bool) -> Result<Counts, StoreError> {
    transfer::import_jsonl(store, &mut text.as_bytes(), replace)
}

pub fn export_then_import_keeps_everything(b: &Backend) {
    let store = b.store();
    populate(store);
    let (text, counts) = export(store);
    assert_eq!(
        counts,
        Counts {
            auth_failures: 1,
            inbox: 7,
            events: 7,
            orders: 1,
            shipments: 2,
            inventory: 1,
            poll_states: 1,
            confirmations: 1,
        }
    );
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 22);
    assert_eq!(
        lines[0],
        r#"{"type":"header","format":"orderhub-export","version":2}"#
    );
    assert!(
        lines[20].starts_with(r#"{"type":"poll_state","adapter":"shop""#),
        "{}",
        lines[20]
    );
    assert!(
        lines[21].starts_with(r#"{"type":"confirmation","id":1,"#),
        "{}",
        lines[21]
    );
    assert!(
        lines[1].starts_with(r#"{"type":"auth_failure","id":1,"#),
        "{}",
        lines[1]
    );

    let target = b.fresh();
    let imported = import(target.store(), &text, false).unwrap();
    assert_eq!(imported, counts);
    // The imported store exports the very same file: every row and id kept.
    assert_eq!(export(target.store()).0, text);
    let view = |s: &dyn OrderStore| {
        serde_json::to_value(s.order(ADAPTER, ACCOUNT, "1001").unwrap()).unwrap()
    };
    assert_eq!(view(target.store()), view(store));
    let inbox = |s: &dyn OrderStore| -> Vec<(i64, Vec<u8>)> {
        s.list_inbox(false, 100)
            .unwrap()
            .into_iter()
            .map(|e| (e.id, e.request.body))
            .collect()
    };
    assert_eq!(inbox(target.store()), inbox(store));

    // New rows continue after the imported ids.
    let next = target
        .store()
        .commit(delivery(
            "d9",
            vec![order_event(
                "1002",
                "e9",
                "orders/paid",
                None,
                lifecycle(OrderStatus::Paid),
            )],
        ))
        .unwrap();
    // PostgreSQL sequences may skip a value (a retried transaction), so the
    // rule is "after the imported ids", not "the very next one".
    let imported_max = inbox(store).iter().map(|(id, _)| *id).max().unwrap_or(0);
    assert_eq!(imported_max, 7);
    assert!(next.inbox_id > imported_max, "{}", next.inbox_id);
    assert_eq!(
        target
            .store()
            .order(ADAPTER, ACCOUNT, "1002")
            .unwrap()
            .unwrap()
            .timeline
            .len(),
        1
    );

    // A store that holds data is refused, unless it is to be replaced.
    let refused = import(target.store(), &text, false);
    assert!(matches!(refused, Err(StoreError::NotEmpty)), "{refused:?}");
    assert_eq!(import(target.store(), &text, true).unwrap(), counts);
    assert_eq!(export(target.store()).0, text);
}

pub fn import_is_all_or_nothing(b: &Backend) {
    populate(b.store());
    let (text, _) = export(b.store());
    let mut lines: Vec<&str> = text.lines().collect();
    lines[7] = r#"{"type":"order","adapter":"shop"}"#;
    let broken = lines.join("\n");

    let target = b.fresh();
    let error = import(target.store(), &broken, false).unwrap_err();
    let StoreError::Import { line, message } = &error else {
        panic!("not an import error: {error}");
    };
    assert_eq!(*line, 8);
    assert!(message.contains("missing field"), "{message}");
    let store = target.store();
    assert!(store.list_inbox(false, 10).unwrap().is_empty());
    assert!(store.auth_failures(10).unwrap().is_empty());
    assert!(store.list_orders(10).unwrap().is_empty());

    let no_header = import(store, &lines[1..].join("\n"), false).unwrap_err();
    assert!(
        matches!(&no_header, StoreError::Import { line: 1, message } if message.starts_with("not an orderhub export")
            || message.starts_with("expected the header line")),
        "{no_header}"
    );
    // The intact file goes in afterwards: nothing half-imported was left.
    assert_eq!(import(store, &text, false).unwrap().inbox, 7);
}

pub fn reopening_keeps_data_and_schema(b: &Backend) {
    b.store()
        .commit(delivery(
            "d1",
            vec![order_event(
                "1001",
                "e1",
                "orders/paid",
                Some("10:00"),
                lifecycle(OrderStatus::Paid),
            )],
        ))
        .unwrap();
    let again = b.open_again();
    assert_eq!(
        again
            .order(ADAPTER, ACCOUNT, "1001")
            .unwrap()
            .unwrap()
            .order
            .state
            .status,
        OrderStatus::Paid
    );
    let c = again
        .commit(delivery(
            "d2",
            vec![order_event(
                "1001",
                "e2",
                "orders/fulfilled",
                Some("11:00"),
                lifecycle(OrderStatus::Shipped),
            )],
        ))
        .unwrap();
    assert_eq!(c, new(c.inbox_id, 1, 1));
    assert_eq!(
        b.store()
            .order(ADAPTER, ACCOUNT, "1001")
            .unwrap()
            .unwrap()
            .order
            .state
            .status,
        OrderStatus::Shipped
    );
}

/// A fixed permutation of `items`, different for each `seed`.
fn shuffled<T: Clone>(items: &[T], seed: u64) -> Vec<T> {
    let mut out = items.to_vec();
    let mut state = seed
        .wrapping_mul(6364136223846793005)
        .wrapping_add(1442695040888963407);
    for i in (1..out.len()).rev() {
        state = state
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        out.swap(i, (state >> 33) as usize % (i + 1));
    }
    out
}

pub fn two_stores_racing_on_one_database(b: &Backend) {
    let stores: [Arc<dyn OrderStore>; 2] = [b.open_again(), b.open_again()];
    const ORDERS: usize = 8;
    let steps = [
        ("orders/create", "10:00", OrderStatus::PendingPayment),
        ("orders/paid", "11:00", OrderStatus::Paid),
        ("orders/fulfilled", "12:00", OrderStatus::Shipped),
        ("orders/updated", "13:00", OrderStatus::Completed),
    ];
    let mut deliveries = Vec::new();
    for o in 0..ORDERS {
        for (s, (topic, when, status)) in steps.iter().enumerate() {
            let order = format!("50{o}");
            let event = format!("{order}-{s}");
            deliveries.push(delivery(
                &event,
                vec![order_event(
                    &order,
                    &event,
                    topic,
                    Some(when),
                    lifecycle(*status),
                )],
            ));
            // A retry with other bytes: the same event in a second delivery.
            deliveries.push(delivery(
                &format!("{event}-retry"),
                vec![order_event(
                    &order,
                    &event,
                    topic,
                    Some(when),
                    lifecycle(*status),
                )],
            ));
        }
    }
    // Every delivery of one order is committed at the same instant through
    // both stores (16 commits released together), order after order, so
    // first sightings of an order, duplicates and retries collide.
    let per_order = steps.len() * 2;
    let mut results: Vec<Committed> = Vec::new();
    for (o, batch) in deliveries.chunks(per_order).enumerate() {
        let commits: Vec<_> = shuffled(batch, o as u64)
            .into_iter()
            .flat_map(|d| [(stores[0].clone(), d.clone()), (stores[1].clone(), d)])
            .collect();
        let start = std::sync::Barrier::new(commits.len());
        results.extend(std::thread::scope(|scope| {
            let racers: Vec<_> = commits
                .into_iter()
                .map(|(store, d)| {
                    let start = &start;
                    scope.spawn(move || {
                        start.wait();
                        store.commit(d).expect("commit under contention")
                    })
                })
                .collect();
            racers
                .into_iter()
                .map(|r| r.join().expect("committer"))
                .collect::<Vec<_>>()
        }));
    }
    let total = deliveries.len();
    assert_eq!(results.len(), total * 2);
    assert_eq!(
        results.iter().filter(|c| !c.duplicate).count(),
        total,
        "each delivery stored once"
    );
    assert_eq!(
        results.iter().map(|c| c.events_recorded).sum::<usize>(),
        ORDERS * steps.len(),
        "each event recorded once"
    );

    let store = b.store();
    assert_eq!(store.list_inbox(false, 1000).unwrap().len(), total);
    assert_eq!(store.list_orders(100).unwrap().len(), ORDERS);
    for o in 0..ORDERS {
        let order = format!("50{o}");
        let view = store
            .order(ADAPTER, ACCOUNT, &order)
            .unwrap()
            .expect("order stored");
        assert_eq!(view.order.state.status, OrderStatus::Completed, "{order}");
        assert_eq!(view.order.snapshot_at, Some(at("13:00")), "{order}");
        let keys: Vec<String> = view.timeline.iter().map(|e| e.event_key.clone()).collect();
        let expected: Vec<String> = (0..steps.len())
            .map(|s| event_key(&format!("{order}-{s}")))
            .collect();
        assert_eq!(
            keys, expected,
            "{order}: every event once, in event time order"
        );
    }
}

pub fn a_lost_connection_is_opened_again(b: &Backend) {
    let store = b.store();
    let paid = order_event(
        "1001",
        "e1",
        "orders/paid",
        Some("10:00"),
        lifecycle(OrderStatus::Paid),
    );
    store.commit(delivery("d1", vec![paid])).unwrap();
    assert!(store.order(ADAPTER, ACCOUNT, "1001").unwrap().is_some());
    let ended = b.drop_connections();
    assert_eq!(
        ended > 0,
        b.kind == Kind::Postgres,
        "{ended} connections ended"
    );
    let shipped = order_event(
        "1001",
        "e2",
        "orders/fulfilled",
        Some("11:00"),
        lifecycle(OrderStatus::Shipped),
    );
    let c = store.commit(delivery("d2", vec![shipped])).unwrap();
    assert_eq!(c, new(c.inbox_id, 1, 1));
    b.drop_connections();
    let view = store
        .order(ADAPTER, ACCOUNT, "1001")
        .unwrap()
        .expect("order kept");
    assert_eq!(view.order.state.status, OrderStatus::Shipped);
    assert_eq!(store.list_inbox(false, 10).unwrap().len(), 2);
}

pub fn text_the_store_cannot_hold_is_kept_raw(b: &Backend) {
    let store = b.store();
    let c = store
        .commit(delivery(
            "d1",
            vec![order_event(
                "10\u{0}01",
                "e1",
                "orders/paid",
                Some("10:00"),
                lifecycle(OrderStatus::Paid),
            )],
        ))
        .unwrap();
    let entry = store
        .inbox_entry(c.inbox_id)
        .unwrap()
        .expect("delivery stored");
    assert_eq!(entry.request, request("d1"), "raw bytes kept");
    match b.kind {
        Kind::Sqlite => {
            assert_eq!(c, new(c.inbox_id, 1, 1));
            assert!(
                store
                    .order(ADAPTER, ACCOUNT, "10\u{0}01")
                    .unwrap()
                    .is_some()
            );
        }
        // PostgreSQL text holds no NUL: the delivery is a dead letter, not a
        // commit that fails on every retry of the platform.
        Kind::Postgres => {
            assert!(c.dead, "{c:?}");
            assert_eq!(entry.state, InboxState::Dead);
            assert_eq!(entry.error_kind.as_deref(), Some(UNSTORABLE_TEXT));
            assert!(store.list_orders(10).unwrap().is_empty());
        }
    }
}
