//! Export and import for the SQLite backend (see [`crate::store::transfer`]).

use rusqlite::{Connection, TransactionBehavior, params};

use super::outbox;
use super::{
    ORDER_COLUMNS, SHIPMENT_COLUMNS, SqliteTx, corrupt, json, opt_ts, order_from_row, parse_ts,
    shipment_from_row, ts,
};
use crate::store::apply::Tx as _;
use crate::store::transfer::{AuthFailureRecord, EventRecord, InboxRecord, InventoryRecord};
use crate::store::{AuthFailure, InboxState, PollState, Record, StoreError};

type Sink<'a> = &'a mut dyn FnMut(Record) -> Result<(), StoreError>;

/// Streams every row to `sink` from one read transaction.
pub(super) fn export(conn: &Connection, sink: Sink<'_>) -> Result<(), StoreError> {
    let tx = conn.unchecked_transaction()?;
    each(
        &tx,
        "SELECT id, at, adapter, account, kind, message, remote FROM auth_failures ORDER BY id",
        sink,
        |r| {
            Ok(Record::AuthFailure(AuthFailureRecord {
                id: r.get(0)?,
                failure: AuthFailure {
                    at: parse_ts(&r.get::<_, String>(1)?)?,
                    adapter: r.get(2)?,
                    account: r.get(3)?,
                    kind: r.get(4)?,
                    message: r.get(5)?,
                    remote: r.get(6)?,
                },
            }))
        },
    )?;
    each(
        &tx,
        "SELECT id, delivery_key, adapter, account, received_at, updated_at, state, error_kind, error_message,
                attempts, method, url, headers, body
         FROM inbox ORDER BY id",
        sink,
        |r| {
            let state: String = r.get(6)?;
            Ok(Record::Inbox(InboxRecord {
                id: r.get(0)?,
                key: r.get(1)?,
                adapter: r.get(2)?,
                account: r.get(3)?,
                received_at: parse_ts(&r.get::<_, String>(4)?)?,
                updated_at: parse_ts(&r.get::<_, String>(5)?)?,
                state: InboxState::parse(&state).ok_or_else(|| StoreError::Corrupt {
                    what: "inbox state".into(),
                    message: state.clone(),
                })?,
                error_kind: r.get(7)?,
                error_message: r.get(8)?,
                attempts: r.get(9)?,
                method: r.get(10)?,
                url: r.get(11)?,
                headers: json(&r.get::<_, String>(12)?, "inbox headers")?,
                body: r.get(13)?,
            }))
        },
    )?;
    each(
        &tx,
        "SELECT id, event_key, inbox_id, adapter, account, subject_kind, subject, order_ref, recorded_at,
                applied, note, event, mapping
         FROM events ORDER BY id",
        sink,
        |r| {
            Ok(Record::Event(Box::new(EventRecord {
                id: r.get(0)?,
                key: r.get(1)?,
                inbox_id: r.get(2)?,
                adapter: r.get(3)?,
                account: r.get(4)?,
                subject_kind: r.get(5)?,
                subject: r.get(6)?,
                order_ref: r.get(7)?,
                recorded_at: parse_ts(&r.get::<_, String>(8)?)?,
                applied: r.get(9)?,
                note: r.get(10)?,
                event: json(&r.get::<_, String>(11)?, "event")?,
                mapping: r
                    .get::<_, Option<String>>(12)?
                    .map(|m| json(&m, "mapping"))
                    .transpose()?,
            })))
        },
    )?;
    each(
        &tx,
        &format!("SELECT {ORDER_COLUMNS} FROM orders ORDER BY adapter, account, external_id"),
        sink,
        |r| Ok(Record::Order(Box::new(order_from_row(r)?))),
    )?;
    each(
        &tx,
        &format!("SELECT {SHIPMENT_COLUMNS} FROM shipments ORDER BY carrier, tracking_number"),
        sink,
        |r| Ok(Record::Shipment(Box::new(shipment_from_row(r)?))),
    )?;
    each(
        &tx,
        "SELECT adapter, account, sku, warehouse, available, at FROM inventory
         ORDER BY adapter, account, sku, warehouse",
        sink,
        |r| {
            Ok(Record::Inventory(InventoryRecord {
                adapter: r.get(0)?,
                account: r.get(1)?,
                sku: r.get(2)?,
                warehouse: r.get(3)?,
                available: r.get(4)?,
                at: parse_ts(&r.get::<_, String>(5)?)?,
            }))
        },
    )?;
    each(
        &tx,
        "SELECT adapter, account, cursor, polled_at, pages, last_error, last_error_at FROM poll_state
         ORDER BY adapter, account",
        sink,
        |r| {
            Ok(Record::PollState(PollState {
                adapter: r.get(0)?,
                account: r.get(1)?,
                cursor: r.get(2)?,
                polled_at: opt_ts(r.get(3)?)?,
                pages: r.get(4)?,
                last_error: r.get(5)?,
                last_error_at: opt_ts(r.get(6)?)?,
            }))
        },
    )?;
    for item in outbox::select(&tx, "1 = 1 ORDER BY id", &[])? {
        sink(Record::Confirmation(Box::new(item)))?;
    }
    Ok(())
}

fn each(
    conn: &Connection,
    sql: &str,
    sink: Sink<'_>,
    record: impl Fn(&rusqlite::Row<'_>) -> Result<Record, StoreError>,
) -> Result<(), StoreError> {
    let mut stmt = conn.prepare(sql)?;
    let mut rows = stmt.query([])?;
    while let Some(r) = rows.next()? {
        sink(record(r)?)?;
    }
    Ok(())
}

const TABLES_EMPTY: &str =
    "SELECT NOT EXISTS (SELECT 1 FROM inbox) AND NOT EXISTS (SELECT 1 FROM events)
    AND NOT EXISTS (SELECT 1 FROM orders) AND NOT EXISTS (SELECT 1 FROM shipments)
    AND NOT EXISTS (SELECT 1 FROM inventory) AND NOT EXISTS (SELECT 1 FROM auth_failures)
    AND NOT EXISTS (SELECT 1 FROM poll_state) AND NOT EXISTS (SELECT 1 FROM outbox)";

/// Loads records in one immediate transaction.
pub(super) fn import(
    conn: &mut Connection,
    records: &mut dyn Iterator<Item = Result<Record, StoreError>>,
    replace: bool,
) -> Result<(), StoreError> {
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let empty: bool = tx.query_row(TABLES_EMPTY, [], |r| r.get(0))?;
    if !empty {
        if !replace {
            return Err(StoreError::NotEmpty);
        }
        tx.execute_batch(
            "DELETE FROM events; DELETE FROM inbox; DELETE FROM orders; DELETE FROM shipments;
             DELETE FROM inventory; DELETE FROM auth_failures; DELETE FROM poll_state; DELETE FROM outbox;",
        )?;
    }
    for record in records {
        insert(&tx, record?)?;
    }
    tx.commit()?;
    Ok(())
}

fn insert(conn: &Connection, record: Record) -> Result<(), StoreError> {
    match record {
        Record::AuthFailure(AuthFailureRecord { id, failure: f }) => {
            conn.execute(
                "INSERT INTO auth_failures (id, at, adapter, account, kind, message, remote) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                params![id, ts(f.at), f.adapter, f.account, f.kind, f.message, f.remote],
            )?;
        }
        Record::Inbox(i) => {
            let headers = serde_json::to_string(&i.headers).map_err(corrupt("headers"))?;
            conn.execute(
                "INSERT INTO inbox (id, delivery_key, adapter, account, received_at, method, url, headers, body, state,
                                    error_kind, error_message, attempts, updated_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)",
                params![
                    i.id, i.key, i.adapter, i.account, ts(i.received_at), i.method, i.url, headers, i.body,
                    i.state.as_str(), i.error_kind, i.error_message, i.attempts, ts(i.updated_at)
                ],
            )?;
        }
        Record::Event(e) => {
            let event = serde_json::to_string(&e.event).map_err(corrupt("event"))?;
            let mapping = e
                .mapping
                .as_ref()
                .map(serde_json::to_string)
                .transpose()
                .map_err(corrupt("mapping"))?;
            conn.execute(
                "INSERT INTO events (id, event_key, inbox_id, adapter, account, subject_kind, subject, order_ref, topic,
                                     occurred_at, recorded_at, event, mapping, applied, note)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15)",
                params![
                    e.id, e.key, e.inbox_id, e.adapter, e.account, e.subject_kind, e.subject, e.order_ref,
                    e.event.topic, e.event.occurred_at.map(ts), ts(e.recorded_at), event, mapping, e.applied, e.note
                ],
            )?;
        }
        Record::Order(o) => SqliteTx { conn }.save_order(&o)?,
        Record::Shipment(s) => SqliteTx { conn }.save_shipment(&s)?,
        Record::Inventory(i) => {
            conn.execute(
                "INSERT INTO inventory (adapter, account, sku, warehouse, available, at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                params![i.adapter, i.account, i.sku, i.warehouse, i.available, ts(i.at)],
            )?;
        }
        Record::PollState(p) => {
            conn.execute(
                "INSERT INTO poll_state (adapter, account, cursor, polled_at, pages, last_error, last_error_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                params![
                    p.adapter, p.account, p.cursor, p.polled_at.map(ts), p.pages, p.last_error,
                    p.last_error_at.map(ts)
                ],
            )?;
        }
        Record::Confirmation(c) => outbox::insert(conn, &c)?,
    }
    Ok(())
}
