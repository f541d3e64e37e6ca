//! Reading SF route items, the scans both the route push and the route
//! query carry.
//!
//! A route item has `acceptTime` (`yyyy-MM-dd HH:mm:ss`, China time),
//! `acceptAddress` (the city), `remark` (the scan's text), `opCode` and, in
//! the query's newer versions, `firstStatusCode`/`secondaryStatusCode`. Push
//! items add `id` (the route's id), `mailno` (waybill) and `orderid` (the
//! merchant's order id given when ordering).

use orderhub_adapter_kit::json::Fields;
use orderhub_adapter_kit::{KitError, time};

use crate::bindings::orderhub::adapter::types::{Checkpoint, Event, EventBody, Shipment};
use crate::status;

/// The carrier code as SF spells itself.
pub(crate) const CARRIER: &str = "SF";

/// One route item as a checkpoint.
pub(crate) fn checkpoint(route: &Fields<'_>) -> Result<Checkpoint, KitError> {
    let at = route
        .opt_string("acceptTime")
        .map(|text| time::parse_local(&text, time::shanghai(), &route.path_of("acceptTime")))
        .transpose()?;
    Ok(Checkpoint {
        at,
        description: route.opt_string("remark").unwrap_or_default(),
        location: route.opt_string("acceptAddress"),
        status: status::route_status(
            route.opt_string("secondaryStatusCode"),
            route.opt_string("opCode"),
        ),
    })
}

/// A shipment event for `tracking_number` with the given scans, sorted
/// oldest first (stable, so scans with equal times keep SF's order). The
/// event's status and time are the newest scan's; `signed` is true once any
/// scan is a delivery.
pub(crate) fn shipment_event(
    event_id: Option<String>,
    topic: &str,
    tracking_number: String,
    order_external_id: Option<String>,
    mut checkpoints: Vec<Checkpoint>,
) -> Event {
    checkpoints.sort_by_key(|c| c.at);
    let newest = checkpoints.last();
    let status = newest.and_then(|c| c.status.clone());
    let occurred_at = newest.and_then(|c| c.at);
    let signed = checkpoints
        .iter()
        .filter_map(|c| c.status.as_ref())
        .any(status::is_delivered);
    Event {
        event_id,
        topic: topic.into(),
        occurred_at,
        status,
        body: EventBody::Shipment(Shipment {
            carrier: CARRIER.into(),
            tracking_number,
            order_external_id,
            checkpoints,
            signed,
            // Carrier scans know nothing of warehouses or order lines.
            warehouse: None,
            lines: Vec::new(),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_route_item_becomes_a_checkpoint_in_utc() {
        let value = json!({"opCode": "80", "remark": "已签收", "acceptTime": "2025-05-19 10:40:41",
            "acceptAddress": "深圳市", "secondaryStatusCode": "401"});
        let route = Fields::of(&value, "routes[0]").unwrap();
        let c = checkpoint(&route).unwrap();
        // 2025-05-19 10:40:41 +08:00 is 02:40:41 UTC.
        assert_eq!(c.at, Some(1_747_622_441_000));
        assert_eq!(c.location.as_deref(), Some("深圳市"));
        assert_eq!(c.status.as_ref().map(|s| s.value.as_str()), Some("401"));
    }

    #[test]
    fn bad_times_name_the_field() {
        let value = json!({"opCode": "80", "acceptTime": "soon"});
        let route = Fields::of(&value, "routes[3]").unwrap();
        assert_eq!(
            checkpoint(&route).err(),
            Some(KitError::InvalidField(
                "routes[3].acceptTime: \"soon\" is not yyyy-MM-dd HH:mm:ss".into()
            ))
        );
    }

    #[test]
    fn scans_are_sorted_and_signed_is_derived() {
        let scan = |at: i64, op: &str| Checkpoint {
            at: Some(at),
            description: String::new(),
            location: None,
            status: status::route_status(None, Some(op.into())),
        };
        let e = shipment_event(
            None,
            "t",
            "SF1".into(),
            None,
            vec![scan(3, "30"), scan(1, "80"), scan(2, "54")],
        );
        let EventBody::Shipment(s) = &e.body else {
            panic!("not a shipment")
        };
        let order: Vec<Option<i64>> = s.checkpoints.iter().map(|c| c.at).collect();
        assert_eq!(order, vec![Some(1), Some(2), Some(3)]);
        assert!(s.signed);
        assert_eq!(e.occurred_at, Some(3));
        assert_eq!(e.status.as_ref().map(|s| s.value.as_str()), Some("30"));
    }
}
