//! From an adapter's canonical events to the [`MappedEvent`]s a store
//! applies: the account's own carrier codes, the meaning of each platform
//! status, and each event's idempotency key.
//!
//! Every host runs the same steps between `normalize` and the commit; only
//! how it calls the adapter's `status-map` differs (a wasmtime sandbox in the
//! native host, an imported component in Spin), so that call is a parameter
//! and the rest is written once here.

use std::collections::BTreeMap;

use orderhub_core::keys;
use orderhub_core::model::{Event, EventBody, PlatformStatus, StatusMapping};

use crate::records::MappedEvent;

/// How events without a platform id are keyed.
#[derive(Debug, Clone, Copy)]
pub enum EventKeys<'a> {
    /// By the delivery and the event's place in it: a webhook's events.
    ByDelivery(&'a str),
    /// By content: polled events, which overlapping windows repeat.
    ByContent,
}

/// Maps each event's status with `status_map` and keys the event. The first
/// status-map failure is returned as it is: the caller dead-letters the whole
/// delivery with it.
pub fn map_events<E>(
    adapter: &str,
    account: &str,
    carriers: &BTreeMap<String, String>,
    events: Vec<Event>,
    keys_by: EventKeys<'_>,
    mut status_map: impl FnMut(&PlatformStatus) -> Result<StatusMapping, E>,
) -> Result<Vec<MappedEvent>, E> {
    let mut mapped = Vec::with_capacity(events.len());
    for (index, mut event) in events.into_iter().enumerate() {
        // The account's own carrier codes, which no global table can know.
        if let EventBody::Shipment(shipment) = &mut event.body
            && let Some(id) = carriers.get(shipment.carrier.trim())
        {
            shipment.carrier = id.clone();
        }
        let mapping = event.status.as_ref().map(&mut status_map).transpose()?;
        let key = match (event.event_id.as_deref(), keys_by) {
            (Some(id), _) if !id.is_empty() => {
                keys::event_key("", Some(id), adapter, account, index)
            }
            (_, EventKeys::ByDelivery(delivery_key)) => {
                keys::event_key(delivery_key, None, adapter, account, index)
            }
            (_, EventKeys::ByContent) => keys::content_event_key(adapter, account, &event),
        };
        mapped.push(MappedEvent {
            key,
            event,
            mapping,
        });
    }
    Ok(mapped)
}

/// The dead-letter message of an adapter failure at one stage of the
/// pipeline (`normalize`, `status-map`, `poll-response`).
pub fn dead_message(stage: &str, error: &impl std::fmt::Display) -> String {
    format!("{stage}: {error}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use orderhub_core::model::{InventoryLevel, Shipment, StatusDomain};

    fn event(id: Option<&str>, body: EventBody, status: Option<&str>) -> Event {
        Event {
            event_id: id.map(str::to_string),
            topic: "t".into(),
            occurred_at: None,
            status: status.map(|value| PlatformStatus {
                domain: StatusDomain::Tracking,
                value: value.into(),
                context: vec![],
            }),
            body,
        }
    }

    fn inventory() -> EventBody {
        EventBody::Inventory(InventoryLevel {
            sku: "A".into(),
            warehouse: None,
            available: 1,
        })
    }

    #[test]
    fn keys_by_platform_id_else_by_delivery_position() {
        let events = vec![
            event(Some("e1"), inventory(), None),
            event(None, inventory(), None),
        ];
        let mapped = map_events(
            "shop",
            "main",
            &BTreeMap::new(),
            events,
            EventKeys::ByDelivery("D"),
            |_| Err::<StatusMapping, ()>(()),
        )
        .unwrap();
        let keys: Vec<&str> = mapped.iter().map(|m| m.key.as_str()).collect();
        assert_eq!(keys, ["shop:main:id:e1", "D#1"]);
        assert!(mapped.iter().all(|m| m.mapping.is_none()));
    }

    #[test]
    fn applies_account_carrier_codes_and_stops_at_the_first_status_failure() {
        let parcel = EventBody::Shipment(Shipment {
            carrier: " Acme Freight ".into(),
            tracking_number: "T1".into(),
            order_external_id: None,
            checkpoints: vec![],
            signed: false,
            warehouse: None,
            lines: vec![],
        });
        let carriers = BTreeMap::from([("Acme Freight".to_string(), "acme".to_string())]);
        let mapped = map_events(
            "erp",
            "main",
            &carriers,
            vec![event(None, parcel.clone(), Some("ok"))],
            EventKeys::ByContent,
            |_| Ok::<_, String>(StatusMapping::default()),
        )
        .unwrap();
        let EventBody::Shipment(s) = &mapped[0].event.body else {
            panic!("a shipment event stays a shipment");
        };
        assert_eq!(s.carrier, "acme");
        assert!(mapped[0].key.starts_with("erp:main:content:"));

        let failed = map_events(
            "erp",
            "main",
            &carriers,
            vec![event(None, parcel, Some("weird"))],
            EventKeys::ByContent,
            |s| Err(format!("unknown {}", s.value)),
        );
        assert_eq!(failed.unwrap_err(), "unknown weird");
    }
}
