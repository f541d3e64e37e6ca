//! Commits on PostgreSQL, safe when several hosts commit at once.
//!
//! Each delivery is one `READ COMMITTED` transaction, and the database alone
//! decides every race:
//!
//! - the inbox row is inserted with `ON CONFLICT (delivery_key) DO NOTHING`:
//!   of two hosts committing the same delivery, the second waits for the
//!   first and then finds the key taken (`Committed { duplicate: true }`);
//! - timeline rows likewise with `ON CONFLICT (event_key) DO NOTHING`, so an
//!   event is recorded, and applied, once;
//! - before an order or shipment is read, a transaction-scoped advisory lock
//!   on its key is taken and the row is read `FOR UPDATE`: two transactions
//!   moving the same order — even one that does not exist yet — run one after
//!   the other, the second reading what the first committed;
//! - a transaction the database aborts as a deadlock or serialization
//!   failure is run again from the start, a bounded number of times.
//!
//! The rules themselves are [`apply`]'s, shared with SQLite. Text PostgreSQL
//! cannot hold (a NUL character) would fail the commit again on every retry
//! of the platform; such a delivery is kept as a dead letter instead, with
//! its raw bytes, so it is acknowledged and nothing is lost.

use std::time::Duration;

use ::postgres::Transaction;
use ::postgres::error::SqlState;
use chrono::{DateTime, Utc};
use orderhub_core::model::{InventoryLevel, TrackingStatus};

use super::pool::{Conn, Session};
use super::read::{
    ORDER_COLUMNS, SHIPMENT_COLUMNS, ms, order_from_row, shipment_from_row, to_json,
};
use crate::store::apply::{self, EventRow, Tx};
use crate::store::{
    AuthFailure, Committed, Delivery, OrderRecord, Outcome, ShipmentRecord, StoreError,
};

/// How many times a transaction aborted by a conflict is tried in all.
const MAX_ATTEMPTS: u32 = 6;

/// The kind of a dead letter whose text PostgreSQL refused.
pub const UNSTORABLE_TEXT: &str = "unstorable-text";

/// A transaction of the PostgreSQL backend.
pub(super) type PgTx<'a, 'c> = Session<'a, Transaction<'c>>;

/// Runs `work` in a transaction, again when the database aborted it because
/// of a concurrent one or the connection was lost.
pub(super) fn with_retry<T>(
    conn: &mut Conn,
    mut work: impl FnMut(&mut PgTx<'_, '_>) -> Result<T, StoreError>,
) -> Result<T, StoreError> {
    let mut attempt = 1;
    loop {
        let result = (|| -> Result<T, StoreError> {
            let (client, statements) = conn.session()?;
            let mut tx = client.transaction()?;
            let value = work(&mut Session::new(&mut tx, statements))?;
            tx.commit()?;
            Ok(value)
        })();
        match result {
            Err(e) if e.is_transient_conflict() && attempt < MAX_ATTEMPTS => {
                tracing::debug!(
                    attempt,
                    "transaction aborted by a concurrent one; retrying: {e}"
                );
                std::thread::sleep(backoff(attempt));
                attempt += 1;
            }
            // The connection dropped (a server restart, a failover): the
            // next attempt reconnects. Even if the lost transaction did
            // commit, running it again is safe: the delivery and event keys
            // make the second run a duplicate.
            Err(e) if e.is_connection_lost() && attempt < MAX_ATTEMPTS => {
                tracing::warn!(attempt, "connection to the store lost; retrying: {e}");
                conn.reset();
                attempt += 1;
            }
            other => return other,
        }
    }
}

/// A few milliseconds, growing, with jitter so two hosts do not collide again.
fn backoff(attempt: u32) -> Duration {
    let jitter = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.subsec_micros() % 5_000)
        .unwrap_or(0);
    Duration::from_millis(5 << attempt.min(6)) + Duration::from_micros(u64::from(jitter))
}

/// True when the database refused a text value it cannot represent.
fn is_unstorable_text(e: &StoreError) -> bool {
    match e {
        StoreError::Postgres(e) => matches!(
            e.code(),
            Some(code) if *code == SqlState::CHARACTER_NOT_IN_REPERTOIRE
                || *code == SqlState::UNTRANSLATABLE_CHARACTER
        ),
        _ => false,
    }
}

/// Commits one delivery (see the module documentation).
pub(super) fn commit(conn: &mut Conn, delivery: &Delivery) -> Result<Committed, StoreError> {
    match with_retry(conn, |tx| commit_delivery(tx, delivery, &delivery.outcome)) {
        Err(e) if is_unstorable_text(&e) => {
            let outcome = Outcome::Dead {
                kind: UNSTORABLE_TEXT.into(),
                message: format!("the store cannot keep this delivery's text: {e}")
                    .replace('\0', ""),
            };
            tracing::warn!(key = delivery.key, "delivery dead-lettered: {e}");
            with_retry(conn, |tx| commit_delivery(tx, delivery, &outcome))
        }
        other => other,
    }
}

pub(super) fn commit_delivery(
    tx: &mut PgTx<'_, '_>,
    d: &Delivery,
    outcome: &Outcome,
) -> Result<Committed, StoreError> {
    let (state, kind, message) = outcome.inbox_columns();
    let headers = to_json(&d.request.headers, "headers")?;
    let inserted = tx.query_opt(
        "INSERT INTO inbox (delivery_key, adapter, account, received_at, method, url, headers, body, state,
                            error_kind, error_message, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $4)
         ON CONFLICT (delivery_key) DO NOTHING RETURNING id",
        &[
            &d.key,
            &d.adapter,
            &d.account,
            &ms(d.received_at),
            &d.request.method,
            &d.request.url,
            &headers,
            &d.request.body,
            &state.as_str(),
            &kind,
            &message,
        ],
    )?;
    match inserted {
        Some(row) => {
            let inbox_id: i64 = row.try_get(0)?;
            apply::apply_outcome(tx, inbox_id, &d.adapter, &d.account, outcome)
        }
        None => {
            let inbox_id: i64 = tx
                .query_one("SELECT id FROM inbox WHERE delivery_key = $1", &[&d.key])?
                .try_get(0)?;
            Ok(Committed {
                inbox_id,
                duplicate: true,
                events_recorded: 0,
                events_applied: 0,
                dead: false,
            })
        }
    }
}

/// Re-applies a stored delivery with a new outcome.
pub(super) fn recommit(
    conn: &mut Conn,
    inbox_id: i64,
    outcome: &Outcome,
) -> Result<Committed, StoreError> {
    with_retry(conn, |tx| {
        let row = tx
            .query_opt(
                "SELECT adapter, account FROM inbox WHERE id = $1 FOR UPDATE",
                &[&inbox_id],
            )?
            .ok_or(StoreError::NoSuchInboxEntry(inbox_id))?;
        let (adapter, account): (String, String) = (row.try_get(0)?, row.try_get(1)?);
        let (state, kind, message) = outcome.inbox_columns();
        tx.execute(
            "UPDATE inbox SET state = $2, error_kind = $3, error_message = $4, attempts = attempts + 1,
                              updated_at = $5
             WHERE id = $1",
            &[&inbox_id, &state.as_str(), &kind, &message, &ms(Utc::now())],
        )?;
        apply::apply_outcome(tx, inbox_id, &adapter, &account, outcome)
    })
}

/// Records a failed verification.
pub(super) fn record_auth_failure(conn: &mut Conn, f: &AuthFailure) -> Result<(), StoreError> {
    let message = f.message.replace('\0', "");
    with_retry(conn, |tx| {
        tx.execute(
            "INSERT INTO auth_failures (at, adapter, account, kind, message, remote) VALUES ($1, $2, $3, $4, $5, $6)",
            &[&ms(f.at), &f.adapter, &f.account, &f.kind, &message, &f.remote],
        )?;
        Ok(())
    })
}

/// Serializes every transaction that reads and then writes the row `key`
/// names, until the end of the current transaction. Unlike a row lock it
/// also covers a row that does not exist yet.
fn lock(tx: &mut PgTx<'_, '_>, key: &str) -> Result<(), StoreError> {
    tx.execute(
        "SELECT pg_advisory_xact_lock(hashtextextended($1, 0))",
        &[&key],
    )?;
    Ok(())
}

impl Tx for PgTx<'_, '_> {
    type Error = StoreError;

    fn insert_event(&mut self, row: &EventRow<'_>) -> Result<bool, StoreError> {
        let event = to_json(row.event, "event")?;
        let mapping = row.mapping.map(|m| to_json(m, "mapping")).transpose()?;
        let inserted = self.execute(
            "INSERT INTO events (event_key, inbox_id, adapter, account, subject_kind, subject, order_ref, topic,
                                 occurred_at, recorded_at, event, mapping)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)
             ON CONFLICT (event_key) DO NOTHING",
            &[
                &row.key,
                &row.inbox_id,
                &row.adapter,
                &row.account,
                &row.subject_kind.as_str(),
                &row.subject,
                &row.order_ref,
                &row.event.topic,
                &row.event.occurred_at.map(ms),
                &ms(row.recorded_at),
                &event,
                &mapping,
            ],
        )?;
        Ok(inserted == 1)
    }

    fn mark_event(
        &mut self,
        key: &str,
        applied: bool,
        note: Option<&str>,
    ) -> Result<(), StoreError> {
        self.execute(
            "UPDATE events SET applied = $2, note = $3 WHERE event_key = $1",
            &[&key, &applied, &note],
        )?;
        Ok(())
    }

    fn load_order(
        &mut self,
        adapter: &str,
        account: &str,
        external_id: &str,
    ) -> Result<Option<OrderRecord>, StoreError> {
        lock(
            self,
            &format!("order\u{1f}{adapter}\u{1f}{account}\u{1f}{external_id}"),
        )?;
        self.query_opt(
            &format!(
                "SELECT {ORDER_COLUMNS} FROM orders WHERE adapter = $1 AND account = $2 AND external_id = $3 FOR UPDATE"
            ),
            &[&adapter, &account, &external_id],
        )?
        .as_ref()
        .map(order_from_row)
        .transpose()
    }

    fn save_order(&mut self, o: &OrderRecord) -> Result<(), StoreError> {
        save_order(self, o)
    }

    fn load_shipment(
        &mut self,
        carrier: &str,
        tracking_number: &str,
    ) -> Result<Option<ShipmentRecord>, StoreError> {
        lock(
            self,
            &format!("shipment\u{1f}{carrier}\u{1f}{tracking_number}"),
        )?;
        self.query_opt(
            &format!(
                "SELECT {SHIPMENT_COLUMNS} FROM shipments WHERE carrier = $1 AND tracking_number = $2 FOR UPDATE"
            ),
            &[&carrier, &tracking_number],
        )?
        .as_ref()
        .map(shipment_from_row)
        .transpose()
    }

    fn save_shipment(&mut self, s: &ShipmentRecord) -> Result<(), StoreError> {
        save_shipment(self, s)
    }

    fn shipments_by_tracking(
        &mut self,
        tracking_number: &str,
    ) -> Result<Vec<ShipmentRecord>, StoreError> {
        shipments_where(
            self,
            "tracking_number = $1 ORDER BY carrier COLLATE \"C\"",
            &[&tracking_number],
        )
    }

    fn delete_shipment(&mut self, carrier: &str, tracking_number: &str) -> Result<(), StoreError> {
        self.execute(
            "DELETE FROM shipments WHERE carrier = $1 AND tracking_number = $2",
            &[&carrier, &tracking_number],
        )?;
        Ok(())
    }

    fn move_timeline(&mut self, from_subject: &str, to_subject: &str) -> Result<(), StoreError> {
        self.execute(
            "UPDATE events SET subject = $2 WHERE subject_kind = 'shipment' AND subject = $1",
            &[&from_subject, &to_subject],
        )?;
        Ok(())
    }

    fn orders_by_external_id(
        &mut self,
        external_id: &str,
        limit: usize,
    ) -> Result<Vec<OrderRecord>, StoreError> {
        self.query(
            &format!(
                "SELECT {ORDER_COLUMNS} FROM orders WHERE external_id = $1
                 ORDER BY adapter COLLATE \"C\", account COLLATE \"C\" LIMIT $2"
            ),
            &[&external_id, &(limit as i64)],
        )?
        .iter()
        .map(order_from_row)
        .collect()
    }

    fn unlinked_shipments(
        &mut self,
        order_external_id: &str,
    ) -> Result<Vec<ShipmentRecord>, StoreError> {
        shipments_where(
            self,
            "order_adapter IS NULL AND order_external_id = $1
             ORDER BY carrier COLLATE \"C\", tracking_number COLLATE \"C\"",
            &[&order_external_id],
        )
    }

    fn linked_shipments(
        &mut self,
        adapter: &str,
        account: &str,
        external_id: &str,
    ) -> Result<Vec<ShipmentRecord>, StoreError> {
        shipments_where(
            self,
            "order_adapter = $1 AND order_account = $2 AND order_external_id = $3
             ORDER BY updated_at, carrier COLLATE \"C\", tracking_number COLLATE \"C\"",
            &[&adapter, &account, &external_id],
        )
    }

    fn enqueue_confirmation(
        &mut self,
        request: &crate::store::ConfirmationRequest,
    ) -> Result<(), StoreError> {
        super::outbox::enqueue(self, request)
    }

    fn lock_order_ref(&mut self, external_id: &str) -> Result<(), StoreError> {
        // A parcel waiting for an order and the order arriving on another
        // host must not miss each other.
        lock(self, &format!("order-ref\u{1f}{external_id}"))
    }

    fn save_inventory(
        &mut self,
        adapter: &str,
        account: &str,
        level: &InventoryLevel,
        at: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        // One statement: the row lock of the upsert orders concurrent levels.
        self.execute(
            "INSERT INTO inventory (adapter, account, sku, warehouse, available, at) VALUES ($1, $2, $3, $4, $5, $6)
             ON CONFLICT (adapter, account, sku, warehouse) DO UPDATE SET available = excluded.available, at = excluded.at
             WHERE excluded.at >= inventory.at",
            &[
                &adapter,
                &account,
                &level.sku,
                &level.warehouse.as_deref().unwrap_or(""),
                &level.available,
                &ms(at),
            ],
        )?;
        Ok(())
    }
}

/// Shipments matching a `WHERE` clause (with its `ORDER BY`).
fn shipments_where(
    tx: &mut PgTx<'_, '_>,
    clause: &str,
    args: &[&(dyn postgres::types::ToSql + Sync)],
) -> Result<Vec<ShipmentRecord>, StoreError> {
    tx.query(
        &format!("SELECT {SHIPMENT_COLUMNS} FROM shipments WHERE {clause}"),
        args,
    )?
    .iter()
    .map(shipment_from_row)
    .collect()
}

/// Inserts or replaces an order row (also used by import).
pub(super) fn save_order(tx: &mut PgTx<'_, '_>, o: &OrderRecord) -> Result<(), StoreError> {
    let snapshot = o
        .snapshot
        .as_ref()
        .map(|s| to_json(s, "order snapshot"))
        .transpose()?;
    tx.execute(
        "INSERT INTO orders (adapter, account, external_id, status, partial, hold_reason, after_sale, deposit_paid,
                             hold_changed_at, after_sale_changed_at, customer_key, snapshot, snapshot_at, created_at,
                             updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)
         ON CONFLICT (adapter, account, external_id) DO UPDATE SET
            status = excluded.status, partial = excluded.partial, hold_reason = excluded.hold_reason,
            after_sale = excluded.after_sale, deposit_paid = excluded.deposit_paid,
            hold_changed_at = excluded.hold_changed_at, after_sale_changed_at = excluded.after_sale_changed_at,
            customer_key = excluded.customer_key, snapshot = excluded.snapshot, snapshot_at = excluded.snapshot_at,
            updated_at = excluded.updated_at",
        &[
            &o.adapter,
            &o.account,
            &o.external_id,
            &o.state.status.as_str(),
            &o.state.partial,
            &o.state.hold,
            &o.state.after_sale.as_str(),
            &o.state.deposit_paid,
            &o.state.hold_changed_at.map(ms),
            &o.state.after_sale_changed_at.map(ms),
            &o.customer_key,
            &snapshot,
            &o.snapshot_at.map(ms),
            &ms(o.created_at),
            &ms(o.updated_at),
        ],
    )?;
    Ok(())
}

/// Inserts or replaces a shipment row (also used by import).
pub(super) fn save_shipment(tx: &mut PgTx<'_, '_>, s: &ShipmentRecord) -> Result<(), StoreError> {
    let snapshot = to_json(&s.snapshot, "shipment snapshot")?;
    tx.execute(
        "INSERT INTO shipments (carrier, tracking_number, adapter, account, order_external_id, tracking, snapshot,
                                updated_at, order_adapter, order_account)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
         ON CONFLICT (carrier, tracking_number) DO UPDATE SET order_external_id = excluded.order_external_id,
            tracking = excluded.tracking, snapshot = excluded.snapshot, updated_at = excluded.updated_at,
            order_adapter = excluded.order_adapter, order_account = excluded.order_account",
        &[
            &s.carrier,
            &s.tracking_number,
            &s.adapter,
            &s.account,
            &s.order_external_id,
            &s.tracking.map(TrackingStatus::as_str),
            &snapshot,
            &ms(s.updated_at),
            &s.order_adapter,
            &s.order_account,
        ],
    )?;
    Ok(())
}
