//! Reading an AfterShip Tracking into one canonical shipment event.
//!
//! Webhooks put the Tracking in `msg`; the trackings API returns the same
//! object. Fields used: `slug` (the carrier code, e.g. `fedex`,
//! `sf-express`, `china-ems`), `tracking_number`, `order_id` (else
//! `order_number`), `tag` + `subtag`, `return_to_sender`, `updated_at`, and
//! `checkpoints[]` (`message`, `checkpoint_time`, `created_at`, `tag`,
//! `subtag`, location parts).
//!
//! `checkpoint_time` is in the checkpoint's own zone and may come without an
//! offset (`2018-07-23T08:58:00`). A zone-less time is never read as UTC:
//! the checkpoint's `created_at` (UTC, when AfterShip recorded the scan, at
//! or shortly after it happened) is used instead, and without it the
//! checkpoint has no time.

use chrono::NaiveDateTime;
use orderhub_adapter_kit::json::Fields;
use orderhub_adapter_kit::{KitError, time};

use crate::bindings::orderhub::adapter::types::{Checkpoint, Event, EventBody, Shipment};
use crate::status::tracking_status;

/// Builds the shipment event of one tracking. `occurred_at` is the
/// tracking's `updated_at`, else `fallback_time` (the webhook's `ts`).
pub(crate) fn shipment_event(
    tracking: &Fields<'_>,
    topic: &str,
    event_id: Option<String>,
    fallback_time: Option<i64>,
) -> Result<Event, KitError> {
    let tracking_number = tracking.string("tracking_number")?;
    let carrier = tracking.string("slug")?;
    let tag = tracking.opt_string("tag");
    let return_to_sender = tracking.opt_bool("return_to_sender") == Some(true);
    let updated_at = tracking
        .opt_string("updated_at")
        .map(|t| time::parse_rfc3339(&t, &tracking.path_of("updated_at")))
        .transpose()?;

    if tracking
        .optional("checkpoints")
        .is_some_and(|c| !c.is_array())
    {
        return Err(KitError::invalid(
            &tracking.path_of("checkpoints"),
            "expected an array of checkpoints",
        ));
    }
    let mut checkpoints = tracking
        .objects("checkpoints")?
        .iter()
        .map(checkpoint)
        .collect::<Result<Vec<_>, _>>()?;
    // Oldest first; equal times keep AfterShip's order, untimed scans go last.
    checkpoints.sort_by_key(|c| (c.at.is_none(), c.at));

    Ok(Event {
        event_id,
        topic: topic.into(),
        occurred_at: updated_at.or(fallback_time),
        status: tag.as_ref().map(|tag| {
            tracking_status(tag.clone(), tracking.opt_string("subtag"), return_to_sender)
        }),
        body: EventBody::Shipment(Shipment {
            carrier,
            tracking_number,
            order_external_id: tracking
                .opt_string("order_id")
                .or_else(|| tracking.opt_string("order_number")),
            checkpoints,
            signed: tag.as_deref() == Some("Delivered") && !return_to_sender,
            warehouse: None,
            lines: Vec::new(),
        }),
    })
}

/// One checkpoint.
fn checkpoint(scan: &Fields<'_>) -> Result<Checkpoint, KitError> {
    Ok(Checkpoint {
        at: checkpoint_time(scan)?,
        description: scan.opt_string("message").unwrap_or_default(),
        location: scan.opt_string("location").or_else(|| location(scan)),
        status: scan
            .opt_string("tag")
            .map(|tag| tracking_status(tag, scan.opt_string("subtag"), false)),
    })
}

/// `checkpoint_time` when it has an offset; `created_at` when it has none.
fn checkpoint_time(scan: &Fields<'_>) -> Result<Option<i64>, KitError> {
    let created_at = || {
        scan.opt_string("created_at")
            .map(|t| time::parse_rfc3339(&t, &scan.path_of("created_at")))
            .transpose()
    };
    let Some(text) = scan.opt_string("checkpoint_time") else {
        return created_at();
    };
    let path = scan.path_of("checkpoint_time");
    match time::parse_rfc3339(&text, &path) {
        Ok(at) => Ok(Some(at)),
        Err(error) if is_zoneless(&text) => created_at().map_err(|_| error),
        Err(error) => Err(error),
    }
}

/// `YYYY-MM-DDTHH:mm:ss` (optionally with fractions) and no offset.
fn is_zoneless(text: &str) -> bool {
    NaiveDateTime::parse_from_str(text.trim(), "%Y-%m-%dT%H:%M:%S%.f").is_ok()
}

/// `city, state, country, postal code` from the parts AfterShip gives
/// (field names of the 2025-01 and older webhook versions).
fn location(scan: &Fields<'_>) -> Option<String> {
    let country = ["country_region", "country_iso3", "country_name"]
        .iter()
        .find_map(|k| scan.opt_string(k));
    let postal = scan
        .opt_string("postal_code")
        .or_else(|| scan.opt_string("zip"));
    let parts: Vec<String> = [
        scan.opt_string("city"),
        scan.opt_string("state"),
        country,
        postal,
    ]
    .into_iter()
    .flatten()
    .collect();
    (!parts.is_empty()).then(|| parts.join(", "))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn event(value: serde_json::Value) -> Result<Event, KitError> {
        let tracking = Fields::of(&value, "msg").unwrap();
        shipment_event(&tracking, "tracking_update", Some("e1".into()), Some(7))
    }

    fn shipment(e: &Event) -> &Shipment {
        match &e.body {
            EventBody::Shipment(s) => s,
            _ => panic!("not a shipment"),
        }
    }

    #[test]
    fn zoneless_times_fall_back_to_created_at_and_scans_are_sorted() {
        let e = event(json!({
            "tracking_number": "SF1", "slug": "sf-express", "tag": "InTransit", "subtag": "InTransit_003",
            "order_id": "1001",
            "checkpoints": [
                {"message": "later", "checkpoint_time": "2024-05-02T10:00:00+08:00", "tag": "InTransit", "city": "Shenzhen", "country_region": "CHN"},
                {"message": "zoneless", "checkpoint_time": "2024-05-01T09:00:00", "created_at": "2024-05-01T01:05:00+00:00", "tag": "InTransit"},
                {"message": "no time"}
            ]
        }))
        .unwrap();
        let s = shipment(&e);
        let texts: Vec<&str> = s
            .checkpoints
            .iter()
            .map(|c| c.description.as_str())
            .collect();
        assert_eq!(texts, vec!["zoneless", "later", "no time"]);
        assert_eq!(s.checkpoints[0].at, Some(1_714_525_500_000));
        assert_eq!(s.checkpoints[1].at, Some(1_714_615_200_000));
        assert_eq!(s.checkpoints[1].location.as_deref(), Some("Shenzhen, CHN"));
        assert_eq!(s.order_external_id.as_deref(), Some("1001"));
        assert_eq!(e.occurred_at, Some(7));
        assert!(!s.signed);
    }

    #[test]
    fn zoneless_without_created_at_has_no_time_and_bad_times_are_refused() {
        let e = event(json!({"tracking_number": "1", "slug": "usps", "checkpoints": [{"checkpoint_time": "2024-05-01T09:00:00"}]})).unwrap();
        assert_eq!(shipment(&e).checkpoints[0].at, None);
        assert!(matches!(
            event(json!({"tracking_number": "1", "slug": "usps", "checkpoints": [{"checkpoint_time": "soon"}]})),
            Err(KitError::InvalidField(m)) if m.starts_with("msg.checkpoints[0].checkpoint_time")
        ));
        assert_eq!(
            event(json!({"slug": "usps"})).err(),
            Some(KitError::MissingField("msg.tracking_number".into()))
        );
        assert_eq!(
            event(json!({"tracking_number": "1"})).err(),
            Some(KitError::MissingField("msg.slug".into()))
        );
        assert!(matches!(
            event(json!({"tracking_number": "1", "slug": "usps", "checkpoints": "x"})),
            Err(KitError::InvalidField(_))
        ));
    }

    #[test]
    fn returned_parcels_are_not_signed() {
        let e = event(json!({"tracking_number": "1", "slug": "ups", "tag": "Delivered", "return_to_sender": true, "updated_at": "2024-05-01T00:00:00+00:00"})).unwrap();
        assert!(!shipment(&e).signed);
        assert_eq!(e.occurred_at, Some(1_714_521_600_000));
        let status = e.status.unwrap();
        assert_eq!(
            (status.value.as_str(), status.context.len()),
            ("Delivered", 1)
        );
    }
}
