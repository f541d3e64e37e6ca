//! A whole store as JSON lines: `orderhub export` and `orderhub import`.
//!
//! The file starts with a header line naming the format and its version,
//! then holds one [`Record`] per line, each with a `type`: `auth_failure`,
//! `inbox` (the raw request, its body in base64), `event` (a timeline row),
//! `order`, `shipment`, `inventory`, `poll_state` (an account's poll cursor),
//! `confirmation` (a queued ship confirmation). Rows keep their ids, so an inbox id an
//! operator noted (`orderhub events replay ID`) names the same delivery after
//! a move, and timelines keep their order. Any backend reads what any backend
//! wrote: this is how a seller moves from the embedded SQLite to PostgreSQL.

use std::io::{BufRead, Write};

use chrono::{DateTime, Utc};
use orderhub_core::model::{Event, StatusMapping};
use serde::{Deserialize, Serialize};

use super::apply::SubjectKind;
use super::outbox::OutboxItem;
use super::{
    AuthFailure, InboxState, OrderRecord, OrderStore, PollState, ShipmentRecord, StoreError,
};

/// The `format` of the header line.
pub const FORMAT: &str = "orderhub-export";
/// The version of the format this build writes and reads.
/// Version 2 added `poll_state` and `confirmation` records; version 1
/// files (without them) are read as well.
pub const VERSION: u32 = 2;

/// One stored row.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Record {
    AuthFailure(AuthFailureRecord),
    Inbox(InboxRecord),
    Event(Box<EventRecord>),
    Order(Box<OrderRecord>),
    Shipment(Box<ShipmentRecord>),
    Inventory(InventoryRecord),
    /// An account's poll cursor (absent in files written before polling).
    PollState(PollState),
    /// A queued ship confirmation, in whatever state it is.
    Confirmation(Box<OutboxItem>),
}

/// A stored delivery, raw bytes included.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct InboxRecord {
    pub id: i64,
    pub key: String,
    pub adapter: String,
    pub account: String,
    pub received_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub state: InboxState,
    pub error_kind: Option<String>,
    pub error_message: Option<String>,
    pub attempts: i64,
    pub method: String,
    pub url: String,
    pub headers: Vec<(String, String)>,
    #[serde(rename = "body_base64", with = "base64_body")]
    pub body: Vec<u8>,
}

/// A timeline row.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct EventRecord {
    pub id: i64,
    pub key: String,
    pub inbox_id: i64,
    pub adapter: String,
    pub account: String,
    /// `order`, `shipment` or `inventory`.
    pub subject_kind: String,
    pub subject: String,
    pub order_ref: Option<String>,
    pub recorded_at: DateTime<Utc>,
    pub applied: bool,
    pub note: Option<String>,
    pub event: Event,
    pub mapping: Option<StatusMapping>,
}

/// One stock level.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct InventoryRecord {
    pub adapter: String,
    pub account: String,
    pub sku: String,
    /// Empty when the platform names no warehouse.
    pub warehouse: String,
    pub available: i64,
    pub at: DateTime<Utc>,
}

/// An audit record of a refused delivery.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct AuthFailureRecord {
    pub id: i64,
    #[serde(flatten)]
    pub failure: AuthFailure,
}

/// How many records of each type went through.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Counts {
    pub auth_failures: usize,
    pub inbox: usize,
    pub events: usize,
    pub orders: usize,
    pub shipments: usize,
    pub inventory: usize,
    pub poll_states: usize,
    pub confirmations: usize,
}

impl Counts {
    fn add(&mut self, record: &Record) {
        let n = match record {
            Record::AuthFailure(_) => &mut self.auth_failures,
            Record::Inbox(_) => &mut self.inbox,
            Record::Event(_) => &mut self.events,
            Record::Order(_) => &mut self.orders,
            Record::Shipment(_) => &mut self.shipments,
            Record::Inventory(_) => &mut self.inventory,
            Record::PollState(_) => &mut self.poll_states,
            Record::Confirmation(_) => &mut self.confirmations,
        };
        *n += 1;
    }
}

impl std::fmt::Display for Counts {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} deliveries, {} events, {} orders, {} shipments, {} inventory levels, {} auth failures, \
             {} poll cursors, {} ship confirmations",
            self.inbox,
            self.events,
            self.orders,
            self.shipments,
            self.inventory,
            self.auth_failures,
            self.poll_states,
            self.confirmations
        )
    }
}

#[derive(Debug, Serialize, Deserialize)]
struct Header {
    #[serde(rename = "type")]
    kind: String,
    format: String,
    version: u32,
}

fn io_error(what: &str) -> impl Fn(std::io::Error) -> StoreError + '_ {
    move |e| StoreError::Io {
        what: what.to_string(),
        message: e.to_string(),
    }
}

/// Writes the header and every record of `store` to `out`, one per line.
pub fn export_jsonl(store: &dyn OrderStore, out: &mut dyn Write) -> Result<Counts, StoreError> {
    let header = Header {
        kind: "header".into(),
        format: FORMAT.into(),
        version: VERSION,
    };
    write_line(out, &header)?;
    let mut counts = Counts::default();
    store.export(&mut |record| {
        counts.add(&record);
        write_line(out, &record)
    })?;
    out.flush().map_err(io_error("writing the export"))?;
    Ok(counts)
}

fn write_line<T: Serialize>(out: &mut dyn Write, value: &T) -> Result<(), StoreError> {
    serde_json::to_writer(&mut *out, value).map_err(|e| StoreError::Io {
        what: "writing the export".into(),
        message: e.to_string(),
    })?;
    out.write_all(b"\n").map_err(io_error("writing the export"))
}

/// Reads an export from `input` into `store` (see [`OrderStore::import`]).
pub fn import_jsonl(
    store: &dyn OrderStore,
    input: &mut dyn BufRead,
    replace: bool,
) -> Result<Counts, StoreError> {
    let mut lines = input.lines().enumerate().filter(|(_, line)| {
        // Blank lines are skipped; read errors are kept to be reported.
        line.as_ref().map_or(true, |l| !l.trim().is_empty())
    });
    let bad = |line: usize, message: String| StoreError::Import {
        line: line + 1,
        message,
    };
    let (n, first) = lines
        .next()
        .ok_or_else(|| bad(0, "the file is empty; expected an orderhub export".into()))?;
    let first = first.map_err(io_error("reading the import"))?;
    let header: Header = serde_json::from_str(&first).map_err(|e| {
        bad(
            n,
            format!("expected the header line of an orderhub export: {e}"),
        )
    })?;
    if header.kind != "header" || header.format != FORMAT {
        return Err(bad(
            n,
            format!("not an orderhub export (format {:?})", header.format),
        ));
    }
    if !(1..=VERSION).contains(&header.version) {
        return Err(bad(
            n,
            format!(
                "export format version {} is not supported by this build (it reads version {VERSION})",
                header.version
            ),
        ));
    }
    let mut counts = Counts::default();
    let mut records = lines.map(|(n, line)| {
        let line = line.map_err(io_error("reading the import"))?;
        let record: Record = serde_json::from_str(&line).map_err(|e| bad(n, e.to_string()))?;
        check(&record).map_err(|message| bad(n, message))?;
        counts.add(&record);
        Ok(record)
    });
    store.import(&mut records, replace)?;
    drop(records);
    Ok(counts)
}

/// What the types alone do not say about a record.
fn check(record: &Record) -> Result<(), String> {
    if let Record::Event(e) = record
        && SubjectKind::parse(&e.subject_kind).is_none()
    {
        return Err(format!(
            "unknown subject_kind {:?} (expected order, shipment or inventory)",
            e.subject_kind
        ));
    }
    Ok(())
}

mod base64_body {
    use base64::Engine as _;
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(body: &[u8], s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&base64::engine::general_purpose::STANDARD.encode(body))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<u8>, D::Error> {
        let text = String::deserialize(d)?;
        base64::engine::general_purpose::STANDARD
            .decode(text.as_bytes())
            .map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn records_round_trip_with_their_type_and_raw_body() {
        let record = Record::Inbox(InboxRecord {
            id: 7,
            key: "shopify:main:sha256:ab".into(),
            adapter: "shopify".into(),
            account: "main".into(),
            received_at: Utc.timestamp_millis_opt(1_700_000_000_123).unwrap(),
            updated_at: Utc.timestamp_millis_opt(1_700_000_000_456).unwrap(),
            state: InboxState::Dead,
            error_kind: Some("malformed-payload".into()),
            error_message: Some("normalize: bad".into()),
            attempts: 2,
            method: "POST".into(),
            url: "/webhooks/shopify/main".into(),
            headers: vec![("X-A".into(), "1".into())],
            body: vec![0, 159, 146, 150, b'{'],
        });
        let line = serde_json::to_string(&record).unwrap();
        assert!(line.starts_with(r#"{"type":"inbox","id":7,"#), "{line}");
        assert!(line.contains(r#""body_base64":"AJ+Slns=""#), "{line}");
        let Record::Inbox(back) = serde_json::from_str(&line).unwrap() else {
            panic!("not an inbox record: {line}");
        };
        assert_eq!(back.body, vec![0, 159, 146, 150, b'{']);
        assert_eq!(back.state, InboxState::Dead);
        assert_eq!(back.received_at.timestamp_millis(), 1_700_000_000_123);
    }

    #[test]
    fn an_unknown_subject_kind_is_refused() {
        let line = r#"{"type":"event","id":1,"key":"k","inbox_id":1,"adapter":"a","account":"b","subject_kind":"parcel","subject":"s","order_ref":null,"recorded_at":"2024-01-01T00:00:00Z","applied":true,"note":null,"event":{"event_id":null,"topic":"t","occurred_at":null,"status":null,"body":{"type":"inventory","sku":"x","warehouse":null,"available":1}},"mapping":null}"#;
        let record: Record = serde_json::from_str(line).unwrap();
        assert_eq!(
            check(&record).unwrap_err(),
            "unknown subject_kind \"parcel\" (expected order, shipment or inventory)"
        );
    }
}
