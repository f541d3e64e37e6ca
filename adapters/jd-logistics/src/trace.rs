//! Reading a JD trace query result into one canonical shipment event.
//!
//! The result is `{"waybillCode":…,"traceDetails":[…]}`; each detail has
//! `operationTime` (`yyyy-MM-dd HH:mm:ss`, China time), `operationTitle`,
//! `operationRemark` (the text shown to people) and `categoryName` (the node
//! category, the scan's status). Field names follow third-party clients of
//! the API (🟡); the order of the details is not documented, so scans are
//! sorted by time (stable, keeping JD's order for equal times).

use orderhub_adapter_kit::json::Fields;
use orderhub_adapter_kit::{KitError, time};

use crate::bindings::orderhub::adapter::types::{
    Checkpoint, Event, EventBody, PlatformStatus, Shipment, StatusDomain,
};
use crate::status;

/// The carrier code as JD Logistics spells itself.
pub(crate) const CARRIER: &str = "JD";
/// The topic of events from the trace query (polling).
pub(crate) const TOPIC_QUERY: &str = "jdl_trace_query";

/// One scan.
fn checkpoint(detail: &Fields<'_>) -> Result<Checkpoint, KitError> {
    let at = detail
        .opt_string("operationTime")
        .map(|text| time::parse_local(&text, time::shanghai(), &detail.path_of("operationTime")))
        .transpose()?;
    Ok(Checkpoint {
        at,
        description: detail
            .opt_string("operationRemark")
            .or_else(|| detail.opt_string("operationTitle"))
            .unwrap_or_default(),
        location: None,
        status: detail
            .opt_string("categoryName")
            .map(|value| PlatformStatus {
                domain: StatusDomain::Tracking,
                value,
                context: vec![],
            }),
    })
}

/// The shipment event of one trace result; `None` when it has no scans yet.
/// `fallback_number` is the waybill the query asked for, used when the
/// result does not repeat it.
pub(crate) fn shipment_event(
    result: &Fields<'_>,
    fallback_number: Option<&str>,
) -> Result<Option<Event>, KitError> {
    let tracking_number = result
        .opt_string("waybillCode")
        .or_else(|| fallback_number.map(str::to_string))
        .ok_or_else(|| KitError::MissingField(result.path_of("waybillCode")))?;
    if result
        .optional("traceDetails")
        .is_some_and(|d| !d.is_array())
    {
        return Err(KitError::invalid(
            &result.path_of("traceDetails"),
            "expected an array of scans",
        ));
    }
    let mut checkpoints = result
        .objects("traceDetails")?
        .iter()
        .map(checkpoint)
        .collect::<Result<Vec<_>, _>>()?;
    if checkpoints.is_empty() {
        return Ok(None);
    }
    checkpoints.sort_by_key(|c| c.at);
    let newest = checkpoints.last();
    let status = newest.and_then(|c| c.status.clone());
    let occurred_at = newest.and_then(|c| c.at);
    let signed = checkpoints
        .iter()
        .filter_map(|c| c.status.as_ref())
        .any(status::is_delivered);
    Ok(Some(Event {
        // Query results carry no event id: the host keys them by content.
        event_id: None,
        topic: TOPIC_QUERY.into(),
        occurred_at,
        status,
        body: EventBody::Shipment(Shipment {
            carrier: CARRIER.into(),
            tracking_number,
            order_external_id: None,
            checkpoints,
            signed,
            warehouse: None,
            lines: Vec::new(),
        }),
    }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn event(value: serde_json::Value) -> Result<Option<Event>, KitError> {
        let result = Fields::of(&value, "data").unwrap();
        shipment_event(&result, Some("JDV-ASKED"))
    }

    #[test]
    fn scans_are_sorted_oldest_first_in_utc() {
        let e = event(json!({"waybillCode": "JDV1", "traceDetails": [
            {"operationTime": "2024-05-31 10:00:00", "operationTitle": "妥投", "operationRemark": "您的快件已签收", "categoryName": "签收"},
            {"operationTime": "2024-05-30 14:03:51", "operationRemark": "您的快件已揽收", "categoryName": "揽收"}
        ]}))
        .unwrap()
        .unwrap();
        let EventBody::Shipment(s) = &e.body else {
            panic!("not a shipment")
        };
        assert_eq!(s.tracking_number, "JDV1");
        assert_eq!(s.checkpoints[0].description, "您的快件已揽收");
        // 2024-05-30 14:03:51 +08:00 is 06:03:51 UTC.
        assert_eq!(s.checkpoints[0].at, Some(1_717_049_031_000));
        assert!(s.signed);
        assert_eq!(e.status.as_ref().map(|s| s.value.as_str()), Some("签收"));
    }

    #[test]
    fn empty_and_bad_results() {
        assert!(event(json!({"traceDetails": []})).unwrap().is_none());
        let e = event(json!({"traceDetails": [{"operationTime": "2024-05-30 14:03:51"}]}))
            .unwrap()
            .unwrap();
        let EventBody::Shipment(s) = &e.body else {
            panic!("not a shipment")
        };
        assert_eq!(s.tracking_number, "JDV-ASKED");
        assert!(e.status.is_none());
        assert!(matches!(
            event(json!({"traceDetails": {}})),
            Err(KitError::InvalidField(_))
        ));
        assert_eq!(
            event(json!({"traceDetails": [{"operationTime": "x"}]})).err(),
            Some(KitError::InvalidField(
                "data.traceDetails[0].operationTime: \"x\" is not yyyy-MM-dd HH:mm:ss".into()
            ))
        );
    }
}
