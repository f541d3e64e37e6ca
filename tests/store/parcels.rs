//! Parcels reported by several systems: linking to orders, canonical
//! carriers, partial shipments and holds, on every backend.

use orderhub_core::model::{
    EventBody, HoldChange, Order, OrderLine, OrderStatus, Shipment, ShippedLine, StatusMapping,
    TrackingStatus,
};
use orderhub_host::store::{MappedEvent, OrderStore};

use crate::backend::Backend;
use crate::events::*;

const ERP: (&str, &str) = ("erp", "warehouse");
const CARRIER: (&str, &str) = ("kuaidi100", "main");

/// A channel order with two lines: 2 × TEA (line L1) and 1 × CUP (line L2).
fn two_line_order(id: &str, event_id: &str, when: &str) -> MappedEvent {
    let body = EventBody::Order(Box::new(Order {
        external_id: id.to_string(),
        currency: "CNY".into(),
        lines: vec![
            OrderLine {
                external_id: Some("L1".into()),
                sku: Some("TEA".into()),
                quantity: 2,
                ..Default::default()
            },
            OrderLine {
                external_id: Some("L2".into()),
                sku: Some("CUP".into()),
                quantity: 1,
                ..Default::default()
            },
        ],
        ..Default::default()
    }));
    mapped(
        event_id,
        "orders/paid",
        Some(when),
        body,
        Some(lifecycle(OrderStatus::Paid)),
    )
}

/// A parcel report: `carrier` as the reporting platform spells it.
#[allow(clippy::too_many_arguments)]
fn parcel(
    carrier: &str,
    tracking_number: &str,
    order: Option<&str>,
    lines: &[(&str, u32)],
    event_id: &str,
    when: &str,
    mapping: StatusMapping,
    scan: Option<&str>,
) -> MappedEvent {
    let body = EventBody::Shipment(Shipment {
        carrier: carrier.to_string(),
        tracking_number: tracking_number.to_string(),
        order_external_id: order.map(str::to_string),
        checkpoints: scan.map(|s| vec![checkpoint(when, s)]).unwrap_or_default(),
        signed: mapping.tracking == Some(TrackingStatus::Delivered),
        warehouse: Some("HZ-1".into()),
        lines: lines
            .iter()
            .map(|(sku, quantity)| ShippedLine {
                line_external_id: None,
                sku: Some(sku.to_string()),
                quantity: *quantity,
            })
            .collect(),
    });
    mapped(event_id, "parcel", Some(when), body, Some(mapping))
}

fn shipped() -> StatusMapping {
    lifecycle(OrderStatus::Shipped)
}

fn commit_from(store: &dyn OrderStore, from: (&str, &str), name: &str, events: Vec<MappedEvent>) {
    store
        .commit(delivery_from(from.0, from.1, name, events))
        .unwrap();
}

fn state(store: &dyn OrderStore, order: &str) -> (OrderStatus, bool, Option<String>) {
    let view = store
        .order(ADAPTER, ACCOUNT, order)
        .unwrap()
        .expect("order");
    (
        view.order.state.status,
        view.order.state.partial,
        view.order.state.hold,
    )
}

/// Channel order, then ERP parcels, then carrier scans out of order: the
/// order ends delivered with one timeline in event-time order.
pub fn parcels_from_three_systems_drive_one_order(b: &Backend) {
    let store = b.store();
    store
        .commit(delivery("o", vec![two_line_order("5001", "o1", "08:00")]))
        .unwrap();

    // The ERP ships the tea first, naming SF in Chinese.
    commit_from(
        store,
        ERP,
        "e1",
        vec![parcel(
            "顺丰速运",
            "SF1",
            Some("5001"),
            &[("TEA", 2)],
            "e1",
            "09:00",
            shipped(),
            None,
        )],
    );
    assert_eq!(state(store, "5001"), (OrderStatus::Shipped, true, None));

    // Kuaidi100 scans it (its own carrier code, no order reference): the
    // order stays shipped partially while the cup waits.
    commit_from(
        store,
        CARRIER,
        "k1",
        vec![parcel(
            "shunfeng",
            "SF1",
            None,
            &[],
            "k1",
            "10:00",
            tracked(TrackingStatus::InTransit),
            Some("departed Hangzhou"),
        )],
    );
    assert_eq!(state(store, "5001"), (OrderStatus::Shipped, true, None));

    // The cup ships in a second parcel: every line is out.
    commit_from(
        store,
        ERP,
        "e2",
        vec![parcel(
            "ZTO",
            "ZT2",
            Some("5001"),
            &[("CUP", 1)],
            "e2",
            "11:00",
            shipped(),
            None,
        )],
    );
    assert_eq!(state(store, "5001"), (OrderStatus::Shipped, false, None));

    // Scans arrive out of order: ZT2 delivered before its in-transit scan.
    for (name, carrier, tn, when, status, scan) in [
        (
            "k2",
            "zhongtong",
            "ZT2",
            "15:00",
            TrackingStatus::Delivered,
            "signed",
        ),
        (
            "k3",
            "zhongtong",
            "ZT2",
            "12:00",
            TrackingStatus::InTransit,
            "in transit",
        ),
        (
            "k4",
            "shunfeng",
            "SF1",
            "14:00",
            TrackingStatus::OutForDelivery,
            "courier out",
        ),
    ] {
        commit_from(
            store,
            CARRIER,
            name,
            vec![parcel(
                carrier,
                tn,
                None,
                &[],
                name,
                when,
                tracked(status),
                Some(scan),
            )],
        );
    }
    assert_eq!(state(store, "5001"), (OrderStatus::InTransit, false, None));
    commit_from(
        store,
        CARRIER,
        "k5",
        vec![parcel(
            "SF",
            "SF1",
            None,
            &[],
            "k5",
            "16:00",
            tracked(TrackingStatus::Delivered),
            Some("signed"),
        )],
    );
    assert_eq!(state(store, "5001"), (OrderStatus::Delivered, false, None));

    let view = store.order(ADAPTER, ACCOUNT, "5001").unwrap().unwrap();
    let shipments: Vec<(&str, &str, Option<TrackingStatus>)> = view
        .shipments
        .iter()
        .map(|s| (s.carrier.as_str(), s.tracking_number.as_str(), s.tracking))
        .collect();
    assert_eq!(shipments.len(), 2);
    assert!(shipments.contains(&("sf", "SF1", Some(TrackingStatus::Delivered))));
    assert!(shipments.contains(&("zto", "ZT2", Some(TrackingStatus::Delivered))));
    let timeline: Vec<(String, bool, bool)> = view
        .timeline
        .iter()
        .map(|e| {
            (
                e.event.event_id.clone().unwrap(),
                e.applied,
                e.note.is_some(),
            )
        })
        .collect();
    let expected: Vec<(String, bool, bool)> = [
        ("o1", true, false),
        ("e1", true, false),
        ("k1", true, false),
        ("e2", true, false),
        // The late in-transit scan adds its scan to the history but is
        // noted as older than the parcel's state, which it does not change.
        ("k3", true, true),
        ("k4", true, false),
        ("k2", true, false),
        ("k5", true, false),
    ]
    .into_iter()
    .map(|(id, applied, noted)| (id.to_string(), applied, noted))
    .collect();
    assert_eq!(timeline, expected);
    assert_eq!(
        store
            .shipment("zto", "ZT2")
            .unwrap()
            .unwrap()
            .shipment
            .tracking,
        Some(TrackingStatus::Delivered)
    );

    let sf = store.shipment("sf", "SF1").unwrap().expect("one SF parcel");
    assert_eq!(sf.shipment.adapter, ERP.0, "first reported by the ERP");
    assert_eq!(sf.shipment.order_adapter.as_deref(), Some(ADAPTER));
    assert_eq!(sf.shipment.snapshot.warehouse.as_deref(), Some("HZ-1"));
    assert_eq!(sf.shipment.snapshot.lines.len(), 1);
    assert_eq!(sf.timeline.len(), 4, "the ERP report and three scans");
}

/// A parcel reported before its order waits, then links when the order comes.
pub fn a_parcel_waits_for_its_order(b: &Backend) {
    let store = b.store();
    commit_from(
        store,
        ERP,
        "e1",
        vec![parcel(
            "SF",
            "SF9",
            Some("6001"),
            &[],
            "e1",
            "09:00",
            shipped(),
            None,
        )],
    );
    let waiting = store.shipment("sf", "SF9").unwrap().unwrap().shipment;
    assert_eq!(waiting.order_external_id.as_deref(), Some("6001"));
    assert_eq!(waiting.order_adapter, None);
    assert!(store.order(ADAPTER, ACCOUNT, "6001").unwrap().is_none());

    store
        .commit(delivery("o", vec![two_line_order("6001", "o1", "08:00")]))
        .unwrap();
    // A parcel without lines carries the whole order.
    assert_eq!(state(store, "6001"), (OrderStatus::Shipped, false, None));
    let view = store.order(ADAPTER, ACCOUNT, "6001").unwrap().unwrap();
    assert_eq!(view.shipments.len(), 1);
    let ids: Vec<String> = view
        .timeline
        .iter()
        .map(|e| e.event.event_id.clone().unwrap())
        .collect();
    assert_eq!(ids, ["o1", "e1"]);
}

/// A parcel in trouble holds the order; its delivery clears that hold but
/// never a hold the channel set.
pub fn a_parcel_in_trouble_holds_the_order(b: &Backend) {
    let store = b.store();
    store
        .commit(delivery("o", vec![two_line_order("7001", "o1", "08:00")]))
        .unwrap();
    let scan = |name: &str, when: &str, status: TrackingStatus| {
        vec![parcel(
            "SF",
            "SF7",
            Some("7001"),
            &[],
            name,
            when,
            tracked(status),
            Some(name),
        )]
    };
    commit_from(
        store,
        CARRIER,
        "k1",
        scan("k1", "09:00", TrackingStatus::DeliveryFailed),
    );
    assert_eq!(
        state(store, "7001"),
        (
            OrderStatus::InTransit,
            false,
            Some("shipment sf/SF7: delivery failed".into())
        )
    );
    commit_from(
        store,
        CARRIER,
        "k2",
        scan("k2", "10:00", TrackingStatus::Delivered),
    );
    assert_eq!(state(store, "7001"), (OrderStatus::Delivered, false, None));

    // The channel's own hold is not the parcels' to clear.
    store
        .commit(delivery(
            "h",
            vec![order_event(
                "7001",
                "h1",
                "orders/updated",
                Some("11:00"),
                hold(HoldChange::Set("buyer complaint".into())),
            )],
        ))
        .unwrap();
    commit_from(
        store,
        CARRIER,
        "k3",
        vec![parcel(
            "SF",
            "SF7",
            None,
            &[],
            "k3",
            "12:00",
            tracked(TrackingStatus::Delivered),
            Some("signature image"),
        )],
    );
    assert_eq!(state(store, "7001").2.as_deref(), Some("buyer complaint"));
}

/// A parcel first reported without its carrier joins the one that names it.
pub fn a_parcel_without_carrier_is_taken_over(b: &Backend) {
    let store = b.store();
    store
        .commit(delivery("o", vec![two_line_order("8001", "o1", "08:00")]))
        .unwrap();
    // The channel pushes only the tracking number.
    store
        .commit(delivery(
            "c1",
            vec![parcel(
                "",
                "YT8",
                Some("8001"),
                &[],
                "c1",
                "09:00",
                shipped(),
                None,
            )],
        ))
        .unwrap();
    assert!(store.shipment("", "YT8").unwrap().is_some());
    // The carrier names itself.
    commit_from(
        store,
        CARRIER,
        "k1",
        vec![parcel(
            "yuantong",
            "YT8",
            None,
            &[],
            "k1",
            "10:00",
            tracked(TrackingStatus::InTransit),
            Some("departed"),
        )],
    );
    assert!(store.shipment("", "YT8").unwrap().is_none());
    let yto = store.shipment("yto", "YT8").unwrap().expect("taken over");
    assert_eq!(yto.timeline.len(), 2, "both reports on one timeline");
    assert_eq!(yto.shipment.order_adapter.as_deref(), Some(ADAPTER));
    assert_eq!(state(store, "8001").0, OrderStatus::InTransit);
    // A later report without carrier finds it by tracking number.
    store
        .commit(delivery(
            "c2",
            vec![parcel(
                "",
                "YT8",
                Some("8001"),
                &[],
                "c2",
                "11:00",
                shipped(),
                None,
            )],
        ))
        .unwrap();
    assert_eq!(
        store
            .shipment("yto", "YT8")
            .unwrap()
            .unwrap()
            .timeline
            .len(),
        3
    );
    assert_eq!(
        store
            .order(ADAPTER, ACCOUNT, "8001")
            .unwrap()
            .unwrap()
            .shipments
            .len(),
        1
    );
}

/// A parcel another system reported queues one confirmation for the
/// channel; one the channel reported itself queues none; a claimed item is
/// not handed to a second sender.
pub fn confirmations_are_queued_once_and_claimed_once(b: &Backend) {
    use chrono::Duration;
    use orderhub_host::store::outbox::{OutboxState, SendResult};

    let store = b.store();
    store
        .commit(delivery("o", vec![two_line_order("9001", "o1", "08:00")]))
        .unwrap();
    // The channel's own fulfilment: nothing to tell it.
    store
        .commit(delivery(
            "c1",
            vec![parcel(
                "SF",
                "SF91",
                Some("9001"),
                &[],
                "c1",
                "09:00",
                shipped(),
                None,
            )],
        ))
        .unwrap();
    // The ERP's parcel, reported twice.
    for name in ["e1", "e2"] {
        commit_from(
            store,
            ERP,
            name,
            vec![parcel(
                "ZTO",
                "ZT92",
                Some("9001"),
                &[("TEA", 2)],
                name,
                "10:00",
                shipped(),
                None,
            )],
        );
    }
    let queued = store.confirmations_of(ADAPTER, ACCOUNT, "9001").unwrap();
    assert_eq!(queued.len(), 1);
    assert_eq!(queued[0].request.carrier, "zto");
    assert_eq!(queued[0].request.tracking_number, "ZT92");
    assert_eq!(queued[0].request.line_ids, ["L1"]);

    // Queued at commit time, due at once.
    let now = chrono::Utc::now() + Duration::seconds(1);
    let claimed = store
        .claim_confirmations(now, now + Duration::minutes(5), 10)
        .unwrap();
    assert_eq!(claimed.len(), 1);
    assert!(
        store
            .claim_confirmations(now, now + Duration::minutes(5), 10)
            .unwrap()
            .is_empty(),
        "leased to the first sender"
    );
    store
        .finish_confirmation(
            claimed[0].id,
            SendResult::Retry {
                error: "503".into(),
                at: now + Duration::minutes(1),
            },
            now,
        )
        .unwrap();
    assert!(
        store.claim_confirmations(now, now, 10).unwrap().is_empty(),
        "not due yet"
    );
    let later = now + Duration::minutes(2);
    let again = store.claim_confirmations(later, later, 10).unwrap();
    assert_eq!(again.len(), 1);
    store
        .finish_confirmation(again[0].id, SendResult::Failed("400".into()), later)
        .unwrap();
    let failed = store.failed_confirmations(10).unwrap();
    assert_eq!(failed.len(), 1);
    assert_eq!(failed[0].state, OutboxState::Failed);
    assert_eq!(failed[0].attempts, 2);
    assert_eq!(failed[0].last_error.as_deref(), Some("400"));
}
