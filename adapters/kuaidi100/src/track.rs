//! Reading a Kuaidi100 tracking result into one canonical shipment event.
//!
//! The push's `lastResult` and the realtime query's answer share one shape:
//! `com` (carrier code), `nu` (tracking number), `ischeck` (`"1"` once
//! signed for), `state` (the parcel's current state) and `data`, the scans,
//! newest first. Scan times are `yyyy-MM-dd HH:mm:ss` without a zone; they are
//! China local time (Asia/Shanghai).

use orderhub_adapter_kit::json::Fields;
use orderhub_adapter_kit::{KitError, time};

use crate::bindings::orderhub::adapter::types::{
    Checkpoint, Event, EventBody, Field, PlatformStatus, Shipment, StatusDomain,
};
use crate::status::MESSAGE;

/// The topic of events from a subscription push.
pub(crate) const TOPIC_PUSH: &str = "kuaidi100_push";
/// The topic of events from a realtime query (polling).
pub(crate) const TOPIC_QUERY: &str = "kuaidi100_query";

/// Builds the shipment event of one tracking result.
///
/// `carrier` is the carrier code the caller settled on (a push may correct
/// the one in the result); `context` refines the event's status (the push's
/// monitoring status).
pub(crate) fn shipment_event(
    result: &Fields<'_>,
    topic: &str,
    carrier: String,
    context: Vec<Field>,
) -> Result<Event, KitError> {
    let tracking_number = result
        .opt_string("nu")
        .ok_or_else(|| KitError::MissingField(result.path_of("nu")))?;
    let state = result.opt_string("state");
    if result.optional("data").is_some_and(|data| !data.is_array()) {
        return Err(KitError::invalid(
            &result.path_of("data"),
            "expected an array of scans",
        ));
    }
    let scans = result.objects("data")?;

    // Only the newest scan may borrow the parcel's current state when it has
    // no code of its own: applied to older scans it would relabel history.
    let mut checkpoints = scans
        .iter()
        .enumerate()
        .map(|(i, scan)| checkpoint(scan, if i == 0 { state.as_deref() } else { None }))
        .collect::<Result<Vec<_>, _>>()?;
    let occurred_at = checkpoints.first().and_then(|c| c.at);
    let current = match checkpoints.first() {
        Some(newest) => newest.status.as_ref().map(|s| s.value.clone()),
        // Without scans `state` is only Kuaidi100's default (`0`, in transit)
        // and says nothing, unless a stopped subscription's reason needs a
        // value to travel with.
        None => state.filter(|_| context.iter().any(|f| f.name == MESSAGE)),
    };
    checkpoints.reverse();

    Ok(Event {
        // Kuaidi100 gives a push no id of its own; the host keys it by the body.
        event_id: None,
        topic: topic.into(),
        occurred_at,
        status: current.map(|value| tracking_status(value, context)),
        body: EventBody::Shipment(Shipment {
            carrier,
            tracking_number,
            order_external_id: None,
            checkpoints,
            signed: result.opt_string("ischeck").as_deref() == Some("1"),
            // Carrier scans know nothing of warehouses or order lines.
            warehouse: None,
            lines: Vec::new(),
        }),
    })
}

/// One scan. `fallback_state` is the code to use when the scan has no
/// `statusCode` of its own.
fn checkpoint(scan: &Fields<'_>, fallback_state: Option<&str>) -> Result<Checkpoint, KitError> {
    // `ftime` is the formatted time; `time` is the carrier's raw one, which in
    // practice has the same format.
    let at = ["ftime", "time"]
        .iter()
        .find_map(|key| scan.opt_string(key).map(|text| (*key, text)))
        .map(|(key, text)| time::parse_local(&text, time::shanghai(), &scan.path_of(key)))
        .transpose()?;
    let code = scan
        .opt_string("statusCode")
        .or_else(|| fallback_state.map(str::to_string));
    Ok(Checkpoint {
        at,
        description: scan.opt_string("context").unwrap_or_default(),
        location: scan
            .opt_string("areaName")
            .or_else(|| scan.opt_string("location")),
        status: code.map(|value| tracking_status(value, vec![])),
    })
}

fn tracking_status(value: String, context: Vec<Field>) -> PlatformStatus {
    PlatformStatus {
        domain: StatusDomain::Tracking,
        value,
        context,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn event(value: serde_json::Value) -> Result<Event, KitError> {
        let result = Fields::of(&value, "lastResult").unwrap();
        shipment_event(&result, TOPIC_PUSH, "jd".into(), vec![])
    }

    fn shipment(event: &Event) -> &Shipment {
        match &event.body {
            EventBody::Shipment(s) => s,
            _ => panic!("not a shipment"),
        }
    }

    #[test]
    fn scans_come_out_oldest_first_in_utc() {
        let e = event(json!({
            "nu": "JD1", "ischeck": "1", "state": "304",
            "data": [
                {"ftime": "2022-06-30 10:34:33", "context": "signed", "statusCode": "304", "location": ""},
                {"ftime": "2022-06-29 22:28:45", "context": "sorted", "statusCode": "1002", "areaName": "陕西,西安市,灞桥区"}
            ]
        }))
        .unwrap();
        let s = shipment(&e);
        assert!(s.signed);
        assert_eq!(s.tracking_number, "JD1");
        assert_eq!(s.checkpoints[0].description, "sorted");
        // 2022-06-29 22:28:45 +08:00 is 14:28:45 UTC.
        assert_eq!(s.checkpoints[0].at, Some(1_656_512_925_000));
        assert_eq!(
            s.checkpoints[0].location.as_deref(),
            Some("陕西,西安市,灞桥区")
        );
        assert_eq!(s.checkpoints[1].location, None);
        assert_eq!(e.occurred_at, Some(1_656_556_473_000));
        assert_eq!(e.status.as_ref().map(|s| s.value.as_str()), Some("304"));
    }

    #[test]
    fn only_the_newest_scan_borrows_the_current_state() {
        let e = event(json!({
            "nu": "YD1", "ischeck": "0", "state": "3",
            "data": [
                {"time": "2020-11-28 14:32:37", "context": "signed", "status": "签收"},
                {"time": "2020-11-28 13:23:57", "context": "delivering", "status": "派件"}
            ]
        }))
        .unwrap();
        let s = shipment(&e);
        assert!(!s.signed);
        assert!(s.checkpoints[0].status.is_none());
        assert_eq!(
            s.checkpoints[1].status.as_ref().map(|s| s.value.as_str()),
            Some("3")
        );
        assert_eq!(e.status.as_ref().map(|s| s.value.as_str()), Some("3"));
    }

    #[test]
    fn a_result_without_scans_has_no_time_and_no_state() {
        let e = event(json!({"nu": "YD1", "state": "0", "data": []})).unwrap();
        assert_eq!(e.occurred_at, None);
        assert!(shipment(&e).checkpoints.is_empty());
        assert!(e.status.is_none());
        assert!(event(json!({"nu": "YD1"})).unwrap().status.is_none());
    }

    #[test]
    fn an_abort_reason_keeps_the_state_of_a_result_without_scans() {
        let value = json!({"nu": "YD1", "state": "0", "data": []});
        let result = Fields::of(&value, "lastResult").unwrap();
        let context = vec![
            Field {
                name: "monitor_status".into(),
                value: "abort".into(),
            },
            Field {
                name: MESSAGE.into(),
                value: "3天查询无记录".into(),
            },
        ];
        let e = shipment_event(&result, TOPIC_PUSH, "yunda".into(), context).unwrap();
        let status = e.status.unwrap();
        assert_eq!((status.value.as_str(), status.context.len()), ("0", 2));
    }

    #[test]
    fn errors_name_the_field() {
        assert_eq!(
            event(json!({"nu": ""})).err(),
            Some(KitError::MissingField("lastResult.nu".into()))
        );
        assert_eq!(
            event(json!({"nu": "1", "data": [{"ftime": "yesterday"}]})).err(),
            Some(KitError::InvalidField(
                "lastResult.data[0].ftime: \"yesterday\" is not yyyy-MM-dd HH:mm:ss".into()
            ))
        );
        assert!(matches!(
            event(json!({"nu": "1", "data": ["x"]})),
            Err(KitError::InvalidField(_))
        ));
        assert!(matches!(
            event(json!({"nu": "1", "data": {}})),
            Err(KitError::InvalidField(_))
        ));
    }
}
