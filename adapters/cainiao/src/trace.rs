//! Reading a trace message (`logistics_interface` JSON) into one shipment event.
//!
//! A Cainiao trace push names the parcel (`mailNo`) and carries its new scan
//! in `traceDetail`: `actionCode`, `time` (local to the scan, `yyyy-MM-dd
//! HH:mm:ss`), `timeZone`, `standardDesc`/`customerizedDesc`/`desc` and
//! `location`. Some senders batch several scans (`traceDetail` as an array,
//! or `traceDetailList`); all are read and sorted oldest first, because pushes
//! are not guaranteed to arrive in scan order. Every field name here comes
//! from third-party handlers, not from a Cainiao document (README: 🟡).

use chrono::FixedOffset;
use orderhub_adapter_kit::json::Fields;
use orderhub_adapter_kit::{KitError, time};
use serde_json::Value;

use crate::bindings::orderhub::adapter::types::{
    Checkpoint, Event, EventBody, PlatformStatus, Shipment, StatusDomain,
};
use crate::status::SIGNED;
use orderhub_adapter_kit::zone::parse_zone;

/// Carrier code used when the message does not name the carrier: the parcel
/// is then in Cainiao's own network.
pub(crate) const CAINIAO: &str = "CAINIAO";

/// The shipment event of one trace message, under topic `msg_type`.
pub(crate) fn shipment_event(message: &Fields<'_>, topic: &str) -> Result<Event, KitError> {
    let tracking_number = ["mailNo", "trackingNumber", "waybillNo"]
        .iter()
        .find_map(|key| message.opt_string(key))
        .ok_or_else(|| KitError::MissingField(message.path_of("mailNo")))?;
    let carrier = ["cpCode", "carrierCode", "logisticsCompanyCode"]
        .iter()
        .find_map(|key| message.opt_string(key))
        .unwrap_or_else(|| CAINIAO.to_string());
    let order = ["orderCode", "tradeOrderId", "logisticsOrderCode"]
        .iter()
        .find_map(|key| message.opt_string(key));

    let mut scans = Vec::new();
    for key in ["traceDetail", "traceDetailList", "traceDetails"] {
        match message.optional(key) {
            None => {}
            Some(Value::Object(_)) => scans.push(message.object(key)?),
            Some(Value::Array(_)) => scans.extend(message.objects(key)?),
            Some(_) => {
                return Err(KitError::invalid(
                    &message.path_of(key),
                    "expected a scan object or an array of scans",
                ));
            }
        }
    }
    if scans.is_empty() {
        return Err(KitError::MissingField(message.path_of("traceDetail")));
    }
    let mut checkpoints = scans
        .iter()
        .map(checkpoint)
        .collect::<Result<Vec<_>, _>>()?;
    // Oldest first; the sort is stable, so scans with equal (or no) times keep
    // the sender's order, and untimed scans go first.
    checkpoints.sort_by_key(|c| c.at);
    let newest = checkpoints.last();
    let status = newest.and_then(|c| c.status.clone());
    let occurred_at = newest.and_then(|c| c.at);
    let signed = checkpoints
        .iter()
        .any(|c| c.status.as_ref().is_some_and(|s| s.value == SIGNED));

    Ok(Event {
        // LINK gives a push no id of its own; the host keys it by the body.
        event_id: None,
        topic: topic.to_string(),
        occurred_at,
        status,
        body: EventBody::Shipment(Shipment {
            carrier,
            tracking_number,
            order_external_id: order,
            checkpoints,
            signed,
            warehouse: None,
            lines: Vec::new(),
        }),
    })
}

/// One scan.
fn checkpoint(scan: &Fields<'_>) -> Result<Checkpoint, KitError> {
    let zone = match scan.opt_string("timeZone") {
        Some(text) => parse_zone(&text, &scan.path_of("timeZone"))?,
        // No zone: Cainiao's own clock, China Standard Time.
        None => time::shanghai(),
    };
    let at = scan
        .optional("time")
        .map(|value| scan_time(value, zone, &scan.path_of("time")))
        .transpose()?;
    let description = ["customerizedDesc", "standardDesc", "standerdDesc", "desc"]
        .iter()
        .find_map(|key| scan.opt_string(key))
        .unwrap_or_default();
    Ok(Checkpoint {
        at,
        description,
        location: ["location", "city", "facilityName"]
            .iter()
            .find_map(|key| scan.opt_string(key)),
        status: scan.opt_string("actionCode").map(|value| PlatformStatus {
            domain: StatusDomain::Tracking,
            value,
            context: vec![],
        }),
    })
}

/// A scan time: local text in the scan's zone (some senders write the clock
/// part with dashes, `2019-01-01 12-30-00`), or Unix milliseconds/seconds.
fn scan_time(value: &Value, zone: FixedOffset, field: &str) -> Result<i64, KitError> {
    match value {
        Value::Number(_) => epoch(value, field),
        Value::String(text) if !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit()) => {
            epoch(value, field)
        }
        Value::String(text) => {
            let fixed = match text.trim().split_once(' ') {
                Some((date, clock)) if clock.len() == 8 && clock.matches('-').count() == 2 => {
                    format!("{date} {}", clock.replace('-', ":"))
                }
                _ => text.trim().to_string(),
            };
            time::parse_local(&fixed, zone, field)
        }
        _ => Err(KitError::invalid(field, "expected a time")),
    }
}

/// Unix time in milliseconds (13 digits) or seconds.
fn epoch(value: &Value, field: &str) -> Result<i64, KitError> {
    let millis = time::unix_millis_value(value, field)?;
    if millis.abs() >= 100_000_000_000 {
        Ok(millis)
    } else {
        time::unix_seconds_value(value, field)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn event(value: Value) -> Result<Event, KitError> {
        let fields = Fields::of(&value, "logistics_interface")?;
        shipment_event(&fields, "CAINIAO_TRACE_PUSH")
    }

    fn shipment(e: &Event) -> &Shipment {
        match &e.body {
            EventBody::Shipment(s) => s,
            _ => panic!("not a shipment"),
        }
    }

    #[test]
    fn one_scan_with_its_zone() {
        let e = event(json!({"mailNo":"LP1","traceDetail":{"actionCode":"GTMS_SIGNED",
            "time":"2024-03-01 10:00:00","timeZone":"+3","standardDesc":"Delivered","location":"Moscow"}}))
        .unwrap();
        // 10:00 at +03:00 is 07:00Z.
        assert_eq!(e.occurred_at, Some(1_709_276_400_000));
        assert_eq!(
            e.status.as_ref().map(|s| s.value.as_str()),
            Some("GTMS_SIGNED")
        );
        let s = shipment(&e);
        assert!(s.signed);
        assert_eq!(
            (s.carrier.as_str(), s.tracking_number.as_str()),
            ("CAINIAO", "LP1")
        );
        assert_eq!(s.checkpoints[0].location.as_deref(), Some("Moscow"));
    }

    #[test]
    fn batches_are_sorted_oldest_first() {
        let e = event(
            json!({"mailNo":"LP1","cpCode":"YUNDA","orderCode":"T9","traceDetail":[
            {"actionCode":"SC_OUTBOUND_SUCCESS","time":"2024-03-01 12-00-00"},
            {"actionCode":"PU_PICKUP_SUCCESS","time":1709251200000u64}]}),
        )
        .unwrap();
        let s = shipment(&e);
        assert_eq!(s.carrier, "YUNDA");
        assert_eq!(s.order_external_id.as_deref(), Some("T9"));
        let codes: Vec<_> = s
            .checkpoints
            .iter()
            .map(|c| {
                c.status
                    .as_ref()
                    .map(|s| s.value.clone())
                    .unwrap_or_default()
            })
            .collect();
        assert_eq!(codes, ["PU_PICKUP_SUCCESS", "SC_OUTBOUND_SUCCESS"]);
        assert_eq!(
            e.status.as_ref().map(|s| s.value.as_str()),
            Some("SC_OUTBOUND_SUCCESS")
        );
        assert!(!s.signed);
    }

    #[test]
    fn missing_and_bad_fields_are_named() {
        assert_eq!(
            event(json!({"traceDetail":{}})).err(),
            Some(KitError::MissingField("logistics_interface.mailNo".into()))
        );
        assert_eq!(
            event(json!({"mailNo":"1"})).err(),
            Some(KitError::MissingField(
                "logistics_interface.traceDetail".into()
            ))
        );
        assert!(matches!(
            event(json!({"mailNo":"1","traceDetail":{"time":"yesterday"}})),
            Err(KitError::InvalidField(_))
        ));
        assert!(matches!(
            event(
                json!({"mailNo":"1","traceDetail":{"time":"2024-01-01 00:00:00","timeZone":"Mars"}})
            ),
            Err(KitError::InvalidField(_))
        ));
        assert!(matches!(
            event(json!({"mailNo":"1","traceDetail":7})),
            Err(KitError::InvalidField(_))
        ));
    }
}
