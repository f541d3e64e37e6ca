//! The reads a re-derive needs: one adapter's deliveries since a time, dead
//! letters included, and the timeline rows one delivery recorded.

use orderhub_core::model::OrderStatus;
use orderhub_host::store::Delivery;

use crate::backend::Backend;
use crate::events::*;

pub fn deliveries_of_an_adapter_since_a_time_and_their_events(b: &Backend) {
    let store = b.store();
    let early = store
        .commit(Delivery {
            received_at: at("09:00"),
            ..delivery(
                "early",
                vec![
                    order_event(
                        "5001",
                        "e1",
                        "orders/create",
                        Some("08:59"),
                        lifecycle(OrderStatus::PendingPayment),
                    ),
                    order_event(
                        "5001",
                        "e2",
                        "orders/paid",
                        Some("08:59"),
                        lifecycle(OrderStatus::Paid),
                    ),
                ],
            )
        })
        .unwrap();
    let dead = store
        .commit(Delivery {
            received_at: at("10:00"),
            ..dead_delivery("broken", "unknown-status", "status-map: no such status")
        })
        .unwrap();
    let late = store
        .commit(Delivery {
            received_at: at("11:00"),
            ..delivery(
                "late",
                vec![order_event(
                    "5002",
                    "e3",
                    "orders/paid",
                    Some("10:59"),
                    lifecycle(OrderStatus::Paid),
                )],
            )
        })
        .unwrap();
    store
        .commit(delivery_from("carrier", "main", "scan", vec![]))
        .unwrap();

    let ids = |since: Option<&str>| -> Vec<i64> {
        store
            .inbox_of_adapter(ADAPTER, since.map(at))
            .unwrap()
            .into_iter()
            .map(|e| e.id)
            .collect()
    };
    // Oldest first, dead letters included, other adapters left out.
    assert_eq!(ids(None), [early.inbox_id, dead.inbox_id, late.inbox_id]);
    assert_eq!(ids(Some("10:00")), [dead.inbox_id, late.inbox_id]);
    assert_eq!(ids(Some("11:00")), [late.inbox_id]);
    assert!(ids(Some("23:59")).is_empty());
    let entries = store.inbox_of_adapter(ADAPTER, None).unwrap();
    assert_eq!(entries[1].error_kind.as_deref(), Some("unknown-status"));
    assert_eq!(entries[0].request, request("early"));

    let recorded = store.delivery_events(early.inbox_id).unwrap();
    let keys: Vec<&str> = recorded.iter().map(|e| e.event_key.as_str()).collect();
    assert_eq!(keys, [event_key("e1"), event_key("e2")]);
    assert_eq!(recorded[1].mapping, Some(lifecycle(OrderStatus::Paid)));
    assert_eq!(recorded[1].event.topic, "orders/paid");
    assert!(store.delivery_events(dead.inbox_id).unwrap().is_empty());
}
