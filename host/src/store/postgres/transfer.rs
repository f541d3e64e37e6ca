//! Export and import for the PostgreSQL backend (see [`crate::store::transfer`]).
//!
//! Both run as one job on a connection thread and talk to the caller through
//! a bounded channel, so neither the whole store nor the whole file is ever
//! in memory: export reads with a cursor inside one `REPEATABLE READ`
//! snapshot, import writes inside one transaction that commits only after
//! the last record.

use std::sync::mpsc;

use ::postgres::{IsolationLevel, Row, Transaction};

use super::outbox;
use super::pool::{Conn, Session};
use super::read::{
    ORDER_COLUMNS, SHIPMENT_COLUMNS, from_json, ms, order_from_row, shipment_from_row, to_json,
};
use super::write::{save_order, save_shipment};
use crate::store::transfer::{AuthFailureRecord, EventRecord, InboxRecord, InventoryRecord};
use crate::store::{AuthFailure, InboxState, PollState, Record, StoreError};

/// Rows fetched per round trip while exporting.
const FETCH: i32 = 256;

/// Sends every row, as records, until done or until the receiver hangs up.
pub(super) fn export(conn: &mut Conn, out: mpsc::SyncSender<Record>) -> Result<(), StoreError> {
    let (client, _) = conn.session()?;
    let mut tx = client
        .build_transaction()
        .isolation_level(IsolationLevel::RepeatableRead)
        .read_only(true)
        .start()?;
    type Convert = fn(&Row) -> Result<Record, StoreError>;
    let queries: [(String, Convert); 8] = [
        (
            "SELECT id, at, adapter, account, kind, message, remote FROM auth_failures ORDER BY id".into(),
            auth_failure_record,
        ),
        (
            "SELECT id, delivery_key, adapter, account, received_at, updated_at, state, error_kind, error_message,
                    attempts, method, url, headers, body
             FROM inbox ORDER BY id"
                .into(),
            inbox_record,
        ),
        (
            "SELECT id, event_key, inbox_id, adapter, account, subject_kind, subject, order_ref, recorded_at,
                    applied, note, event, mapping
             FROM events ORDER BY id"
                .into(),
            event_record,
        ),
        (
            format!(
                "SELECT {ORDER_COLUMNS} FROM orders
                 ORDER BY adapter COLLATE \"C\", account COLLATE \"C\", external_id COLLATE \"C\""
            ),
            |r| Ok(Record::Order(Box::new(order_from_row(r)?))),
        ),
        (
            format!(
                "SELECT {SHIPMENT_COLUMNS} FROM shipments
                 ORDER BY carrier COLLATE \"C\", tracking_number COLLATE \"C\""
            ),
            |r| Ok(Record::Shipment(Box::new(shipment_from_row(r)?))),
        ),
        (
            "SELECT adapter, account, sku, warehouse, available, at FROM inventory
             ORDER BY adapter COLLATE \"C\", account COLLATE \"C\", sku COLLATE \"C\", warehouse COLLATE \"C\""
                .into(),
            inventory_record,
        ),
        (
            "SELECT adapter, account, cursor, polled_at, pages, last_error, last_error_at FROM poll_state
             ORDER BY adapter COLLATE \"C\", account COLLATE \"C\""
                .into(),
            poll_state_record,
        ),
        (
            format!("SELECT {} FROM outbox ORDER BY id", outbox::COLUMNS),
            |r| Ok(Record::Confirmation(Box::new(outbox::item(r)?))),
        ),
    ];
    for (sql, record) in &queries {
        if !stream(&mut tx, sql, &out, *record)? {
            return Ok(());
        }
    }
    tx.commit()?;
    Ok(())
}

/// Streams one query through a portal; `false` when the receiver hung up.
fn stream(
    tx: &mut Transaction<'_>,
    sql: &str,
    out: &mpsc::SyncSender<Record>,
    record: fn(&Row) -> Result<Record, StoreError>,
) -> Result<bool, StoreError> {
    let portal = tx.bind(sql, &[])?;
    loop {
        let rows = tx.query_portal(&portal, FETCH)?;
        if rows.is_empty() {
            return Ok(true);
        }
        for row in &rows {
            if out.send(record(row)?).is_err() {
                return Ok(false);
            }
        }
    }
}

fn auth_failure_record(r: &Row) -> Result<Record, StoreError> {
    Ok(Record::AuthFailure(AuthFailureRecord {
        id: r.try_get(0)?,
        failure: AuthFailure {
            at: r.try_get(1)?,
            adapter: r.try_get(2)?,
            account: r.try_get(3)?,
            kind: r.try_get(4)?,
            message: r.try_get(5)?,
            remote: r.try_get(6)?,
        },
    }))
}

fn inbox_record(r: &Row) -> Result<Record, StoreError> {
    let state: String = r.try_get(6)?;
    Ok(Record::Inbox(InboxRecord {
        id: r.try_get(0)?,
        key: r.try_get(1)?,
        adapter: r.try_get(2)?,
        account: r.try_get(3)?,
        received_at: r.try_get(4)?,
        updated_at: r.try_get(5)?,
        state: InboxState::parse(&state).ok_or_else(|| StoreError::Corrupt {
            what: "inbox state".into(),
            message: state.clone(),
        })?,
        error_kind: r.try_get(7)?,
        error_message: r.try_get(8)?,
        attempts: r.try_get(9)?,
        method: r.try_get(10)?,
        url: r.try_get(11)?,
        headers: from_json(r.try_get(12)?, "inbox headers")?,
        body: r.try_get(13)?,
    }))
}

fn event_record(r: &Row) -> Result<Record, StoreError> {
    Ok(Record::Event(Box::new(EventRecord {
        id: r.try_get(0)?,
        key: r.try_get(1)?,
        inbox_id: r.try_get(2)?,
        adapter: r.try_get(3)?,
        account: r.try_get(4)?,
        subject_kind: r.try_get(5)?,
        subject: r.try_get(6)?,
        order_ref: r.try_get(7)?,
        recorded_at: r.try_get(8)?,
        applied: r.try_get(9)?,
        note: r.try_get(10)?,
        event: from_json(r.try_get(11)?, "event")?,
        mapping: r
            .try_get::<_, Option<serde_json::Value>>(12)?
            .map(|m| from_json(m, "mapping"))
            .transpose()?,
    })))
}

fn inventory_record(r: &Row) -> Result<Record, StoreError> {
    Ok(Record::Inventory(InventoryRecord {
        adapter: r.try_get(0)?,
        account: r.try_get(1)?,
        sku: r.try_get(2)?,
        warehouse: r.try_get(3)?,
        available: r.try_get(4)?,
        at: r.try_get(5)?,
    }))
}

fn poll_state_record(r: &Row) -> Result<Record, StoreError> {
    Ok(Record::PollState(PollState {
        adapter: r.try_get(0)?,
        account: r.try_get(1)?,
        cursor: r.try_get(2)?,
        polled_at: r.try_get(3)?,
        pages: r.try_get(4)?,
        last_error: r.try_get(5)?,
        last_error_at: r.try_get(6)?,
    }))
}

const TABLES: &str =
    "inbox, events, orders, shipments, inventory, auth_failures, poll_state, outbox";

/// Writes the fed records in one transaction; commits only when fed `None`,
/// the mark that every record was sent.
pub(super) fn import(
    conn: &mut Conn,
    feed: mpsc::Receiver<Option<Record>>,
    replace: bool,
) -> Result<(), StoreError> {
    let (client, statements) = conn.session()?;
    let mut tx = client.transaction()?;
    // Writers wait for the import; readers do not.
    tx.batch_execute(&format!("LOCK TABLE {TABLES} IN EXCLUSIVE MODE"))?;
    let empty: bool = tx
        .query_one(
            "SELECT NOT EXISTS (SELECT 1 FROM inbox) AND NOT EXISTS (SELECT 1 FROM events)
                AND NOT EXISTS (SELECT 1 FROM orders) AND NOT EXISTS (SELECT 1 FROM shipments)
                AND NOT EXISTS (SELECT 1 FROM inventory) AND NOT EXISTS (SELECT 1 FROM auth_failures)
                AND NOT EXISTS (SELECT 1 FROM poll_state) AND NOT EXISTS (SELECT 1 FROM outbox)",
            &[],
        )?
        .try_get(0)?;
    if !empty {
        if !replace {
            return Err(StoreError::NotEmpty);
        }
        tx.batch_execute(&format!("TRUNCATE {TABLES} RESTART IDENTITY"))?;
    }
    let mut session = Session::new(&mut tx, statements);
    loop {
        match feed.recv() {
            Ok(Some(record)) => insert(&mut session, record)?,
            Ok(None) => break,
            // The caller stopped early (a bad line): roll back.
            Err(_) => {
                return Err(StoreError::Io {
                    what: "import".into(),
                    message: "the input ended before its last record".into(),
                });
            }
        }
    }
    // Rows keep their ids; new rows continue after the largest.
    for table in ["inbox", "events", "auth_failures", "outbox"] {
        tx.batch_execute(&format!(
            "SELECT setval(pg_get_serial_sequence('{table}', 'id'), COALESCE(MAX(id), 0) + 1, false) FROM {table}"
        ))?;
    }
    tx.commit()?;
    Ok(())
}

fn insert(tx: &mut Session<'_, Transaction<'_>>, record: Record) -> Result<(), StoreError> {
    match record {
        Record::AuthFailure(AuthFailureRecord { id, failure: f }) => {
            tx.execute(
                "INSERT INTO auth_failures (id, at, adapter, account, kind, message, remote)
                 VALUES ($1, $2, $3, $4, $5, $6, $7)",
                &[
                    &id,
                    &ms(f.at),
                    &f.adapter,
                    &f.account,
                    &f.kind,
                    &f.message,
                    &f.remote,
                ],
            )?;
        }
        Record::Inbox(i) => {
            let headers = to_json(&i.headers, "headers")?;
            tx.execute(
                "INSERT INTO inbox (id, delivery_key, adapter, account, received_at, method, url, headers, body, state,
                                    error_kind, error_message, attempts, updated_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)",
                &[
                    &i.id,
                    &i.key,
                    &i.adapter,
                    &i.account,
                    &ms(i.received_at),
                    &i.method,
                    &i.url,
                    &headers,
                    &i.body,
                    &i.state.as_str(),
                    &i.error_kind,
                    &i.error_message,
                    &i.attempts,
                    &ms(i.updated_at),
                ],
            )?;
        }
        Record::Event(e) => {
            let event = to_json(&e.event, "event")?;
            let mapping = e
                .mapping
                .as_ref()
                .map(|m| to_json(m, "mapping"))
                .transpose()?;
            tx.execute(
                "INSERT INTO events (id, event_key, inbox_id, adapter, account, subject_kind, subject, order_ref, topic,
                                     occurred_at, recorded_at, event, mapping, applied, note)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)",
                &[
                    &e.id,
                    &e.key,
                    &e.inbox_id,
                    &e.adapter,
                    &e.account,
                    &e.subject_kind,
                    &e.subject,
                    &e.order_ref,
                    &e.event.topic,
                    &e.event.occurred_at.map(ms),
                    &ms(e.recorded_at),
                    &event,
                    &mapping,
                    &e.applied,
                    &e.note,
                ],
            )?;
        }
        Record::Order(o) => save_order(tx, &o)?,
        Record::Shipment(s) => save_shipment(tx, &s)?,
        Record::Inventory(i) => {
            tx.execute(
                "INSERT INTO inventory (adapter, account, sku, warehouse, available, at) VALUES ($1, $2, $3, $4, $5, $6)",
                &[&i.adapter, &i.account, &i.sku, &i.warehouse, &i.available, &ms(i.at)],
            )?;
        }
        Record::PollState(p) => {
            tx.execute(
                "INSERT INTO poll_state (adapter, account, cursor, polled_at, pages, last_error, last_error_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7)",
                &[
                    &p.adapter,
                    &p.account,
                    &p.cursor,
                    &p.polled_at.map(ms),
                    &p.pages,
                    &p.last_error,
                    &p.last_error_at.map(ms),
                ],
            )?;
        }
        Record::Confirmation(c) => outbox::insert(tx, &c)?,
    }
    Ok(())
}
