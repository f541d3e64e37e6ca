//! Reading an EasyPost Tracker into one canonical shipment event.
//!
//! Webhook Events carry the Tracker in `result`; the tracker list API returns
//! the same object. Fields used: `tracking_code`, `carrier` (EasyPost's
//! spelling, e.g. `USPS`, `FedEx`), `status` + `status_detail`, `finalized`,
//! `updated_at`, and `tracking_details[]` (the scans: `message`,
//! `datetime`, `status`, `status_detail`, `tracking_location`). All times
//! are ISO 8601 with an explicit `Z`, so no zone has to be assumed.

use orderhub_adapter_kit::json::Fields;
use orderhub_adapter_kit::{KitError, time};

use crate::bindings::orderhub::adapter::types::{Checkpoint, Event, EventBody, Shipment};
use crate::status::tracking_status;

/// Builds the shipment event of one tracker.
///
/// `event_id` is the webhook Event's `evt_…` id (none when polled);
/// `occurred_at` falls back to the tracker's `updated_at`.
pub(crate) fn shipment_event(
    tracker: &Fields<'_>,
    topic: &str,
    event_id: Option<String>,
) -> Result<Event, KitError> {
    if let Some(object) = tracker.opt_string("object")
        && object != "Tracker"
    {
        return Err(KitError::invalid(
            &tracker.path_of("object"),
            format_args!("{object:?} is not a Tracker"),
        ));
    }
    let tracking_number = tracker.string("tracking_code")?;
    let carrier = tracker.string("carrier")?;
    let status = tracker.opt_string("status");
    let finalized = tracker.opt_bool("finalized") == Some(true);
    let updated_at = tracker
        .opt_string("updated_at")
        .map(|t| time::parse_rfc3339(&t, &tracker.path_of("updated_at")))
        .transpose()?;

    if tracker
        .optional("tracking_details")
        .is_some_and(|d| !d.is_array())
    {
        return Err(KitError::invalid(
            &tracker.path_of("tracking_details"),
            "expected an array of scans",
        ));
    }
    let mut checkpoints = tracker
        .objects("tracking_details")?
        .iter()
        .map(checkpoint)
        .collect::<Result<Vec<_>, _>>()?;
    oldest_first(&mut checkpoints);

    Ok(Event {
        event_id,
        topic: topic.into(),
        occurred_at: updated_at,
        status: status.as_ref().map(|value| {
            tracking_status(
                value.clone(),
                tracker.opt_string("status_detail"),
                finalized,
            )
        }),
        body: EventBody::Shipment(Shipment {
            carrier,
            tracking_number,
            // `shipment_id` is EasyPost's own shipment, not the channel order;
            // trackers carry no order reference.
            order_external_id: None,
            checkpoints,
            signed: status.as_deref() == Some("delivered"),
            warehouse: None,
            lines: Vec::new(),
        }),
    })
}

/// One scan of `tracking_details`.
fn checkpoint(scan: &Fields<'_>) -> Result<Checkpoint, KitError> {
    let at = scan
        .opt_string("datetime")
        .map(|t| time::parse_rfc3339(&t, &scan.path_of("datetime")))
        .transpose()?;
    Ok(Checkpoint {
        at,
        description: scan
            .opt_string("message")
            .or_else(|| scan.opt_string("description"))
            .unwrap_or_default(),
        location: scan
            .opt_object("tracking_location")
            .and_then(|l| location(&l)),
        status: scan
            .opt_string("status")
            .map(|value| tracking_status(value, scan.opt_string("status_detail"), false)),
    })
}

/// `CITY, STATE, COUNTRY, ZIP` from the parts EasyPost gives.
fn location(place: &Fields<'_>) -> Option<String> {
    let parts: Vec<String> = ["city", "state", "country", "zip"]
        .iter()
        .filter_map(|k| place.opt_string(k))
        .collect();
    (!parts.is_empty()).then(|| parts.join(", "))
}

/// Sorts scans by time, oldest first; equal times keep EasyPost's order and
/// scans without a time go last.
fn oldest_first(checkpoints: &mut [Checkpoint]) {
    checkpoints.sort_by_key(|c| (c.at.is_none(), c.at));
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bindings::orderhub::adapter::types::Field;
    use serde_json::json;

    fn event(value: serde_json::Value) -> Result<Event, KitError> {
        let tracker = Fields::of(&value, "result").unwrap();
        shipment_event(&tracker, "tracker.updated", Some("evt_1".into()))
    }

    fn shipment(e: &Event) -> &Shipment {
        match &e.body {
            EventBody::Shipment(s) => s,
            _ => panic!("not a shipment"),
        }
    }

    #[test]
    fn scans_are_sorted_and_carry_their_detail() {
        let e = event(json!({
            "object": "Tracker", "tracking_code": "9400", "carrier": "USPS",
            "status": "delivered", "status_detail": "arrived_at_destination",
            "updated_at": "2023-05-16T16:37:01Z", "finalized": true,
            "tracking_details": [
                {"message": "Delivered", "status": "delivered", "status_detail": "arrived_at_destination",
                 "datetime": "2023-04-19T06:28:01Z", "tracking_location": {"city": "CHARLESTON", "state": "SC", "country": null, "zip": "29407"}},
                {"message": "Label", "status": "pre_transit", "status_detail": "status_update",
                 "datetime": "2023-04-16T16:37:01Z", "tracking_location": {"city": null}},
                {"message": "No time", "status": "in_transit"}
            ]
        }))
        .unwrap();
        let s = shipment(&e);
        assert!(s.signed);
        assert_eq!(
            (s.carrier.as_str(), s.tracking_number.as_str()),
            ("USPS", "9400")
        );
        let texts: Vec<&str> = s
            .checkpoints
            .iter()
            .map(|c| c.description.as_str())
            .collect();
        assert_eq!(texts, vec!["Label", "Delivered", "No time"]);
        assert_eq!(
            s.checkpoints[1].location.as_deref(),
            Some("CHARLESTON, SC, 29407")
        );
        assert_eq!(s.checkpoints[0].location, None);
        assert_eq!(e.occurred_at, Some(1_684_255_021_000));
        let status = e.status.unwrap();
        assert_eq!(status.value, "delivered");
        let context: Vec<(&str, &str)> = status
            .context
            .iter()
            .map(|Field { name, value }| (name.as_str(), value.as_str()))
            .collect();
        assert_eq!(
            context,
            vec![
                ("status_detail", "arrived_at_destination"),
                ("finalized", "true")
            ]
        );
    }

    #[test]
    fn errors_name_the_field() {
        assert_eq!(
            event(json!({"carrier": "USPS"})).err(),
            Some(KitError::MissingField("result.tracking_code".into()))
        );
        assert_eq!(
            event(json!({"tracking_code": "1"})).err(),
            Some(KitError::MissingField("result.carrier".into()))
        );
        assert!(matches!(
            event(json!({"tracking_code": "1", "carrier": "UPS", "tracking_details": [{"datetime": "soon"}]})),
            Err(KitError::InvalidField(m)) if m.starts_with("result.tracking_details[0].datetime")
        ));
        assert!(matches!(
            event(json!({"tracking_code": "1", "carrier": "UPS", "tracking_details": {}})),
            Err(KitError::InvalidField(_))
        ));
        assert!(matches!(
            event(json!({"object": "Shipment", "tracking_code": "1", "carrier": "UPS"})),
            Err(KitError::InvalidField(_))
        ));
    }
}
