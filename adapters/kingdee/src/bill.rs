//! Reading `SAL_OUTSTOCK` query rows into shipment events.
//!
//! `ExecuteBillQuery` answers one row per bill entry (line), as an array of
//! values in `FieldKeys` order; `BillQuery` and some gateways answer objects
//! keyed by field key (the real sample is such an object, with `FSoOrDerNo`
//! spelt differently from the key asked for, so keys match ignoring case).
//! Rows of one bill are adjacent (the query orders by modify date, then bill
//! id) and become one event.
//!
//! Only an audited (`C`), not voided bill with a waybill number
//! (`FCarriageNO`) is a shipment; other bills produce no event. Blank text,
//! a lone space and the text `null` count as absent: K3 Cloud fills empty
//! fields with them.

use chrono::FixedOffset;
use orderhub_adapter_kit::json::scalar_text;
use orderhub_adapter_kit::{KitError, time};
use serde_json::Value;

use crate::bindings::orderhub::adapter::types::{
    Event, EventBody, Field, PlatformStatus, Shipment, ShippedLine, StatusDomain,
};
use crate::status::{AUDITED, CANCEL_STATUS, VOIDED};

/// The form queried, also the event topic.
pub(crate) const FORM_ID: &str = "SAL_OUTSTOCK";

/// The fields asked for, in the order `ExecuteBillQuery` answers them.
pub(crate) const FIELD_KEYS: &[&str] = &[
    "FID",
    "FBillNo",
    "FDocumentStatus",
    "FCancelStatus",
    "FModifyDate",
    "FApproveDate",
    "FCarriageNO",
    "FCarrierID.FNumber",
    "FStockID.FNumber",
    "FSoorDerno",
    "FSrcBillNo",
    "FMaterialID.FNumber",
    "FRealQty",
];

/// One row, read by field key whatever its shape.
pub(crate) struct Row<'a> {
    index: usize,
    value: &'a Value,
}

impl<'a> Row<'a> {
    pub(crate) fn new(index: usize, value: &'a Value) -> Result<Self, KitError> {
        match value {
            Value::Array(_) | Value::Object(_) => Ok(Row { index, value }),
            _ => Err(KitError::invalid(
                &format!("[{index}]"),
                "expected a row (an array of values or an object)",
            )),
        }
    }

    /// The field's text; blank, `" "` and `"null"` count as absent.
    pub(crate) fn get(&self, key: &str) -> Option<String> {
        let raw = match self.value {
            Value::Array(values) => FIELD_KEYS
                .iter()
                .position(|k| *k == key)
                .and_then(|i| values.get(i)),
            Value::Object(map) => map
                .iter()
                .find(|(k, _)| k.eq_ignore_ascii_case(key))
                .map(|(_, v)| v),
            _ => None,
        }?;
        scalar_text(raw)
            .map(|t| t.trim().to_string())
            .filter(|t| !t.is_empty() && t != "null")
    }

    fn path(&self, key: &str) -> String {
        format!("[{}].{key}", self.index)
    }

    fn required(&self, key: &str) -> Result<String, KitError> {
        self.get(key)
            .ok_or_else(|| KitError::MissingField(self.path(key)))
    }
}

/// The rows of a query answer, grouped by bill (adjacent rows with one `FBillNo`).
pub(crate) fn group<'r, 'a>(rows: &'r [Row<'a>]) -> Result<Vec<&'r [Row<'a>]>, KitError> {
    let mut bills: Vec<&'r [Row<'a>]> = Vec::new();
    let mut start = 0;
    for i in 1..=rows.len() {
        let boundary = match (rows.get(i), rows.get(start)) {
            (Some(row), Some(first)) => row.required("FBillNo")? != first.required("FBillNo")?,
            _ => true,
        };
        if boundary {
            if let Some(bill) = rows.get(start..i).filter(|b| !b.is_empty()) {
                bills.push(bill);
            }
            start = i;
        }
    }
    Ok(bills)
}

/// The shipment event of one bill, or `None` when the bill is not a shipment yet.
pub(crate) fn shipment_event(
    bill: &[Row<'_>],
    zone: FixedOffset,
) -> Result<Option<Event>, KitError> {
    let Some(head) = bill.first() else {
        return Ok(None);
    };
    let bill_no = head.required("FBillNo")?;
    let document_status = head.required("FDocumentStatus")?;
    let cancel_status = head.get("FCancelStatus");
    let Some(tracking_number) = head.get("FCarriageNO") else {
        return Ok(None);
    };
    if document_status != AUDITED || cancel_status.as_deref() == Some(VOIDED) {
        return Ok(None);
    }
    let modified = head.required("FModifyDate")?;
    let occurred_at = match head.get("FApproveDate") {
        Some(text) => time::parse_local(&text, zone, &head.path("FApproveDate"))?,
        None => time::parse_local(&modified, zone, &head.path("FModifyDate"))?,
    };
    let lines = bill
        .iter()
        .map(|row| {
            let quantity = row.required("FRealQty")?;
            Ok(ShippedLine {
                line_external_id: None,
                sku: row.get("FMaterialID.FNumber"),
                quantity: parse_quantity(&quantity, &row.path("FRealQty"))?,
            })
        })
        .collect::<Result<Vec<_>, KitError>>()?;
    Ok(Some(Event {
        // A bill changes under one number; its modify time tells the versions apart.
        event_id: Some(format!("{FORM_ID}/{bill_no}/{modified}")),
        topic: FORM_ID.into(),
        occurred_at: Some(occurred_at),
        status: Some(PlatformStatus {
            domain: StatusDomain::Fulfillment,
            value: document_status,
            context: cancel_status
                .map(|value| {
                    vec![Field {
                        name: CANCEL_STATUS.into(),
                        value,
                    }]
                })
                .unwrap_or_default(),
        }),
        body: EventBody::Shipment(Shipment {
            // The carrier's base-data number; empty when the bill names none.
            carrier: head.get("FCarrierID.FNumber").unwrap_or_default(),
            tracking_number,
            order_external_id: head.get("FSoorDerno").or_else(|| head.get("FSrcBillNo")),
            checkpoints: Vec::new(),
            signed: false,
            warehouse: bill.iter().find_map(|row| row.get("FStockID.FNumber")),
            lines,
        }),
    }))
}

/// A quantity as K3 Cloud prints it (`1.0`, `12.0000`): a whole, non-negative
/// count of items, else `invalid-field`.
pub(crate) fn parse_quantity(text: &str, field: &str) -> Result<u32, KitError> {
    let (whole, fraction) = text.split_once('.').unwrap_or((text, ""));
    let digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    if whole.is_empty()
        || !digits(whole)
        || !digits(fraction)
        || fraction.bytes().any(|b| b != b'0')
    {
        return Err(KitError::invalid(
            field,
            format_args!("{text:?} is not a whole count of items"),
        ));
    }
    whole
        .parse()
        .map_err(|_| KitError::invalid(field, format_args!("{text:?} is too large")))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const SAMPLE: &str = include_str!("../testdata/sal_outstock-query-row.json");

    fn rows(value: &Value) -> Vec<Row<'_>> {
        value
            .as_array()
            .unwrap()
            .iter()
            .enumerate()
            .map(|(i, v)| Row::new(i, v).unwrap())
            .collect()
    }

    fn shipment(e: &Event) -> &Shipment {
        match &e.body {
            EventBody::Shipment(s) => s,
            _ => panic!("not a shipment"),
        }
    }

    #[test]
    fn real_sample_has_no_waybill_so_no_event() {
        let value: Value = serde_json::from_str(SAMPLE).unwrap();
        let rows = rows(&value);
        let bills = group(&rows).unwrap();
        assert_eq!(bills.len(), 1);
        assert!(
            shipment_event(bills[0], time::shanghai())
                .unwrap()
                .is_none()
        );
    }

    #[test]
    fn sample_with_a_waybill_is_a_shipment() {
        let with_waybill = SAMPLE.replace(
            "\"FCarriageNO\":\" \"",
            "\"FCarriageNO\":\"1Z999AA10123456784\"",
        );
        let value: Value = serde_json::from_str(&with_waybill).unwrap();
        let rows = rows(&value);
        let bills = group(&rows).unwrap();
        let e = shipment_event(bills[0], time::shanghai()).unwrap().unwrap();
        assert_eq!(
            e.event_id.as_deref(),
            Some("SAL_OUTSTOCK/CK2024070129/2024-01-29T05:45:04.647")
        );
        // FApproveDate 2024-01-29T05:45:06.38 at +08:00.
        assert_eq!(e.occurred_at, Some(1_706_478_306_380));
        let s = shipment(&e);
        assert_eq!(s.tracking_number, "1Z999AA10123456784");
        assert_eq!(s.order_external_id.as_deref(), Some("11131685101758660"));
        assert_eq!(s.warehouse.as_deref(), Some("FBA-NA2"));
        assert_eq!(s.carrier, "");
        assert_eq!(s.lines.len(), 1);
        assert_eq!(
            (s.lines[0].sku.as_deref(), s.lines[0].quantity),
            (Some("2029"), 1)
        );
    }

    #[test]
    fn array_rows_group_by_bill() {
        let value = json!([
            [
                "1",
                "B1",
                "C",
                "A",
                "2024-05-01T10:00:00",
                null,
                "SF1",
                "SF",
                "WH1",
                "T1",
                "SO1",
                "M1",
                2.0
            ],
            [
                "1",
                "B1",
                "C",
                "A",
                "2024-05-01T10:00:00",
                null,
                "SF1",
                "SF",
                "WH1",
                "T1",
                "SO1",
                "M2",
                "3.000"
            ],
            [
                "2",
                "B2",
                "B",
                "A",
                "2024-05-01T10:01:00",
                null,
                "SF2",
                "SF",
                "WH1",
                "T2",
                "SO2",
                "M1",
                1
            ],
            [
                "3",
                "B3",
                "C",
                "B",
                "2024-05-01T10:02:00",
                null,
                "SF3",
                "SF",
                "WH1",
                "T3",
                "SO3",
                "M1",
                1
            ]
        ]);
        let rows = rows(&value);
        let bills = group(&rows).unwrap();
        assert_eq!(bills.len(), 3);
        let events: Vec<_> = bills
            .iter()
            .map(|b| shipment_event(b, time::shanghai()).unwrap())
            .collect();
        let first = events[0].as_ref().unwrap();
        let s = shipment(first);
        assert_eq!((s.carrier.as_str(), s.lines.len()), ("SF", 2));
        assert_eq!(s.lines[1].quantity, 3);
        assert_eq!(s.order_external_id.as_deref(), Some("T1"));
        // Not audited, and voided: no shipment.
        assert!(events[1].is_none() && events[2].is_none());
    }

    #[test]
    fn quantities_and_missing_fields() {
        assert_eq!(parse_quantity("12.0000", "q"), Ok(12));
        assert!(parse_quantity("1.5", "q").is_err());
        assert!(parse_quantity("-1.0", "q").is_err());
        assert!(parse_quantity("", "q").is_err());
        assert!(parse_quantity("99999999999", "q").is_err());
        let value =
            json!([{"FBillNo": "B1", "FDocumentStatus": "C", "FCarriageNO": "X", "FRealQty": "1"}]);
        let rows = rows(&value);
        let bills = group(&rows).unwrap();
        assert_eq!(
            shipment_event(bills[0], time::shanghai()).err(),
            Some(KitError::MissingField("[0].FModifyDate".into()))
        );
        assert!(Row::new(0, &json!(3)).is_err());
    }
}
