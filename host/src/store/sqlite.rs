//! The embedded SQLite backend.
//!
//! WAL mode with `synchronous = FULL`: a delivery acknowledged to a platform
//! survives a power cut. Durability costs an fsync per commit, so every write
//! goes through one writer thread that drains whatever deliveries are waiting
//! and commits them together (each in its own savepoint, so one failure does
//! not undo the others): under load many webhooks share one fsync. Reads use
//! a separate connection and never wait for the writer.

use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::mpsc;
use std::thread::JoinHandle;
use std::time::Duration;

use chrono::{DateTime, SecondsFormat, Utc};
use orderhub_core::lifecycle::OrderState;
use orderhub_core::model::{
    AfterSaleStatus, InventoryLevel, OrderStatus, RawRequest, TrackingStatus,
};
use rusqlite::{Connection, OptionalExtension, Row, params};

use super::apply::{self, EventRow, Tx, shipment_subject};
use super::outbox::{OutboxItem, SendResult};
use super::{
    AuthFailure, Committed, ConfirmationRequest, CursorUpdate, Delivery, InboxEntry, InboxState,
    OrderRecord, OrderStore, OrderView, Outcome, PollState, Record, ShipmentRecord, ShipmentView,
    StoreError, TimelineEntry,
};

mod outbox;
mod transfer;

use orderhub_apply::sqlite_schema::{MIGRATIONS, MIGRATIONS_TABLE};

/// How many waiting deliveries one commit takes at most.
const MAX_BATCH: usize = 256;

enum Job {
    Commit(Delivery, mpsc::SyncSender<Result<Committed, StoreError>>),
    Recommit(
        i64,
        Outcome,
        mpsc::SyncSender<Result<Committed, StoreError>>,
    ),
    AuthFailure(AuthFailure, mpsc::SyncSender<Result<Committed, StoreError>>),
    PollPage(
        Delivery,
        CursorUpdate,
        mpsc::SyncSender<Result<Committed, StoreError>>,
    ),
    PollFailure(
        String,
        String,
        DateTime<Utc>,
        String,
        mpsc::SyncSender<Result<Committed, StoreError>>,
    ),
}

/// The SQLite store.
pub struct SqliteStore {
    path: PathBuf,
    jobs: Mutex<Option<mpsc::Sender<Job>>>,
    writer: Mutex<Option<JoinHandle<()>>>,
    reader: Mutex<Connection>,
    /// The outbox sender's connection, opened on its first claim and kept:
    /// claims and finishes come every `[outbox] interval_secs`.
    outbox: Mutex<Option<Connection>>,
}

impl std::fmt::Debug for SqliteStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SqliteStore")
    }
}

fn open_connection(path: &Path) -> Result<Connection, StoreError> {
    let conn = Connection::open(path).map_err(|e| StoreError::Open {
        path: path.display().to_string(),
        message: e.to_string(),
    })?;
    conn.busy_timeout(Duration::from_secs(10))?;
    conn.pragma_update(None, "journal_mode", "WAL")?;
    conn.pragma_update(None, "synchronous", "FULL")?;
    conn.pragma_update(None, "foreign_keys", "ON")?;
    Ok(conn)
}

/// Applies pending migrations; returns how many ran.
pub fn migrate(conn: &mut Connection) -> Result<usize, StoreError> {
    conn.execute_batch(MIGRATIONS_TABLE)?;
    let current: i64 = conn.query_row(
        "SELECT COALESCE(MAX(version), 0) FROM schema_migrations",
        [],
        |r| r.get(0),
    )?;
    let mut ran = 0;
    for (i, sql) in MIGRATIONS.iter().enumerate() {
        let version = i as i64 + 1;
        if version <= current {
            continue;
        }
        let tx = conn.transaction()?;
        tx.execute_batch(sql)?;
        tx.execute(
            "INSERT INTO schema_migrations (version, applied_at) VALUES (?1, ?2)",
            params![version, ts(Utc::now())],
        )?;
        tx.commit()?;
        ran += 1;
    }
    Ok(ran)
}

impl SqliteStore {
    /// Runs `f` on the outbox connection, opening it when there is none (or
    /// the last use failed, so a broken connection is not kept).
    fn with_outbox<T>(
        &self,
        f: impl FnOnce(&mut Connection) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        let mut slot = self.outbox.lock().map_err(|_| StoreError::WriterGone)?;
        let mut conn = match slot.take() {
            Some(conn) => conn,
            None => open_connection(&self.path)?,
        };
        let out = f(&mut conn);
        if out.is_ok() {
            *slot = Some(conn);
        }
        out
    }

    /// Opens (creating if needed) and migrates the database at `path`.
    pub fn open(path: &Path) -> Result<Self, StoreError> {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(|e| StoreError::Open {
                path: path.display().to_string(),
                message: e.to_string(),
            })?;
        }
        let mut writer_conn = open_connection(path)?;
        migrate(&mut writer_conn)?;
        let reader = open_connection(path)?;
        let (tx, rx) = mpsc::channel();
        let writer = std::thread::Builder::new()
            .name("orderhub-sqlite-writer".into())
            .spawn(move || writer_loop(writer_conn, rx))
            .map_err(|e| StoreError::Open {
                path: path.display().to_string(),
                message: e.to_string(),
            })?;
        Ok(SqliteStore {
            path: path.to_path_buf(),
            jobs: Mutex::new(Some(tx)),
            writer: Mutex::new(Some(writer)),
            reader: Mutex::new(reader),
            outbox: Mutex::new(None),
        })
    }

    fn submit(
        &self,
        make: impl FnOnce(mpsc::SyncSender<Result<Committed, StoreError>>) -> Job,
    ) -> Result<Committed, StoreError> {
        let (reply, answer) = mpsc::sync_channel(1);
        {
            let jobs = self.jobs.lock().map_err(|_| StoreError::WriterGone)?;
            jobs.as_ref()
                .ok_or(StoreError::WriterGone)?
                .send(make(reply))
                .map_err(|_| StoreError::WriterGone)?;
        }
        answer.recv().map_err(|_| StoreError::WriterGone)?
    }

    fn read<T>(
        &self,
        f: impl FnOnce(&Connection) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        let conn = self.reader.lock().map_err(|_| StoreError::WriterGone)?;
        f(&conn)
    }
}

impl Drop for SqliteStore {
    fn drop(&mut self) {
        // Closing the channel ends the writer after it commits what it has.
        if let Ok(mut jobs) = self.jobs.lock() {
            jobs.take();
        }
        if let Ok(mut writer) = self.writer.lock()
            && let Some(handle) = writer.take()
        {
            let _ = handle.join();
        }
    }
}

fn writer_loop(mut conn: Connection, jobs: mpsc::Receiver<Job>) {
    while let Ok(first) = jobs.recv() {
        let mut batch = vec![first];
        while batch.len() < MAX_BATCH {
            match jobs.try_recv() {
                Ok(job) => batch.push(job),
                Err(_) => break,
            }
        }
        let mut results = Vec::with_capacity(batch.len());
        let committed = (|| -> Result<(), StoreError> {
            let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
            for job in &batch {
                tx.execute_batch("SAVEPOINT job")?;
                let result = run_job(&tx, job);
                if result.is_ok() {
                    tx.execute_batch("RELEASE job")?;
                } else {
                    tx.execute_batch("ROLLBACK TO job; RELEASE job")?;
                }
                results.push(result);
            }
            tx.commit()?;
            Ok(())
        })();
        for (i, job) in batch.into_iter().enumerate() {
            let reply = match &job {
                Job::Commit(_, r)
                | Job::Recommit(_, _, r)
                | Job::AuthFailure(_, r)
                | Job::PollPage(_, _, r)
                | Job::PollFailure(_, _, _, _, r) => r,
            };
            let result = match &committed {
                Ok(()) => results
                    .get_mut(i)
                    .map(|r| std::mem::replace(r, Err(StoreError::WriterGone)))
                    .unwrap_or(Err(StoreError::WriterGone)),
                Err(e) => Err(StoreError::Corrupt {
                    what: "commit".into(),
                    message: e.to_string(),
                }),
            };
            let _ = reply.send(result);
        }
    }
}

fn run_job(conn: &Connection, job: &Job) -> Result<Committed, StoreError> {
    match job {
        Job::Commit(delivery, _) => commit_delivery(conn, delivery),
        Job::PollPage(delivery, cursor, _) => {
            let committed = commit_delivery(conn, delivery)?;
            conn.execute(
                "INSERT INTO poll_state (adapter, account, cursor, polled_at, pages) VALUES (?1, ?2, ?3, ?4, 1)
                 ON CONFLICT (adapter, account) DO UPDATE SET cursor = COALESCE(excluded.cursor, poll_state.cursor),
                    polled_at = excluded.polled_at, pages = poll_state.pages + 1, last_error = NULL, last_error_at = NULL",
                params![delivery.adapter, delivery.account, cursor.cursor, ts(cursor.at)],
            )?;
            Ok(committed)
        }
        Job::PollFailure(adapter, account, at, error, _) => {
            conn.execute(
                "INSERT INTO poll_state (adapter, account, last_error, last_error_at) VALUES (?1, ?2, ?3, ?4)
                 ON CONFLICT (adapter, account) DO UPDATE SET last_error = excluded.last_error,
                    last_error_at = excluded.last_error_at",
                params![adapter, account, error, ts(*at)],
            )?;
            Ok(Committed {
                inbox_id: 0,
                duplicate: false,
                events_recorded: 0,
                events_applied: 0,
                dead: false,
            })
        }
        Job::Recommit(id, outcome, _) => recommit_entry(conn, *id, outcome),
        Job::AuthFailure(f, _) => {
            conn.execute(
                "INSERT INTO auth_failures (at, adapter, account, kind, message, remote) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                params![ts(f.at), f.adapter, f.account, f.kind, f.message, f.remote],
            )?;
            Ok(Committed {
                inbox_id: 0,
                duplicate: false,
                events_recorded: 0,
                events_applied: 0,
                dead: false,
            })
        }
    }
}

fn commit_delivery(conn: &Connection, d: &Delivery) -> Result<Committed, StoreError> {
    if let Some(id) = conn
        .query_row(
            "SELECT id FROM inbox WHERE delivery_key = ?1",
            [&d.key],
            |r| r.get::<_, i64>(0),
        )
        .optional()?
    {
        return Ok(Committed {
            inbox_id: id,
            duplicate: true,
            events_recorded: 0,
            events_applied: 0,
            dead: false,
        });
    }
    let (state, kind, message) = d.outcome.inbox_columns();
    let headers = serde_json::to_string(&d.request.headers).map_err(corrupt("headers"))?;
    conn.execute(
        "INSERT INTO inbox (delivery_key, adapter, account, received_at, method, url, headers, body, state, error_kind, error_message, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?4)",
        params![d.key, d.adapter, d.account, ts(d.received_at), d.request.method, d.request.url, headers, d.request.body, state.as_str(), kind, message],
    )?;
    let inbox_id = conn.last_insert_rowid();
    apply_outcome(conn, inbox_id, &d.adapter, &d.account, &d.outcome)
}

fn recommit_entry(
    conn: &Connection,
    inbox_id: i64,
    outcome: &Outcome,
) -> Result<Committed, StoreError> {
    let (adapter, account): (String, String) = conn
        .query_row(
            "SELECT adapter, account FROM inbox WHERE id = ?1",
            [inbox_id],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?
        .ok_or(StoreError::NoSuchInboxEntry(inbox_id))?;
    let (state, kind, message) = outcome.inbox_columns();
    conn.execute(
        "UPDATE inbox SET state = ?2, error_kind = ?3, error_message = ?4, attempts = attempts + 1, updated_at = ?5 WHERE id = ?1",
        params![inbox_id, state.as_str(), kind, message, ts(Utc::now())],
    )?;
    apply_outcome(conn, inbox_id, &adapter, &account, outcome)
}

fn apply_outcome(
    conn: &Connection,
    inbox_id: i64,
    adapter: &str,
    account: &str,
    outcome: &Outcome,
) -> Result<Committed, StoreError> {
    apply::apply_outcome(&mut SqliteTx { conn }, inbox_id, adapter, account, outcome)
}

struct SqliteTx<'c> {
    conn: &'c Connection,
}

impl Tx for SqliteTx<'_> {
    type Error = StoreError;

    fn insert_event(&mut self, row: &EventRow<'_>) -> Result<bool, StoreError> {
        let event = serde_json::to_string(row.event).map_err(corrupt("event"))?;
        let mapping = row
            .mapping
            .map(serde_json::to_string)
            .transpose()
            .map_err(corrupt("mapping"))?;
        let inserted = self.conn.execute(
            "INSERT INTO events (event_key, inbox_id, adapter, account, subject_kind, subject, order_ref, topic, occurred_at, recorded_at, event, mapping)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?12, ?7, ?8, ?9, ?10, ?11) ON CONFLICT (event_key) DO NOTHING",
            params![
                row.key, row.inbox_id, row.adapter, row.account, row.subject_kind.as_str(), row.subject,
                row.event.topic, row.event.occurred_at.map(ts), ts(row.recorded_at), event, mapping, row.order_ref
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
        self.conn.execute(
            "UPDATE events SET applied = ?2, note = ?3 WHERE event_key = ?1",
            params![key, applied, note],
        )?;
        Ok(())
    }

    fn load_order(
        &mut self,
        adapter: &str,
        account: &str,
        external_id: &str,
    ) -> Result<Option<OrderRecord>, StoreError> {
        load_order(self.conn, adapter, account, external_id)
    }

    fn save_order(&mut self, o: &OrderRecord) -> Result<(), StoreError> {
        let snapshot = o
            .snapshot
            .as_ref()
            .map(serde_json::to_string)
            .transpose()
            .map_err(corrupt("order snapshot"))?;
        self.conn.execute(
            "INSERT INTO orders (adapter, account, external_id, status, partial, hold_reason, after_sale, deposit_paid, hold_changed_at,
                                 after_sale_changed_at, customer_key, snapshot, snapshot_at, created_at, updated_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15)
             ON CONFLICT (adapter, account, external_id) DO UPDATE SET
                status = excluded.status, partial = excluded.partial, hold_reason = excluded.hold_reason,
                after_sale = excluded.after_sale, deposit_paid = excluded.deposit_paid, hold_changed_at = excluded.hold_changed_at,
                after_sale_changed_at = excluded.after_sale_changed_at, customer_key = excluded.customer_key,
                snapshot = excluded.snapshot, snapshot_at = excluded.snapshot_at, updated_at = excluded.updated_at",
            params![
                o.adapter, o.account, o.external_id, o.state.status.as_str(), o.state.partial, o.state.hold,
                o.state.after_sale.as_str(), o.state.deposit_paid, o.state.hold_changed_at.map(ts),
                o.state.after_sale_changed_at.map(ts), o.customer_key, snapshot, o.snapshot_at.map(ts),
                ts(o.created_at), ts(o.updated_at)
            ],
        )?;
        Ok(())
    }

    fn load_shipment(
        &mut self,
        carrier: &str,
        tracking_number: &str,
    ) -> Result<Option<ShipmentRecord>, StoreError> {
        load_shipment(self.conn, carrier, tracking_number)
    }

    fn save_shipment(&mut self, s: &ShipmentRecord) -> Result<(), StoreError> {
        let snapshot = serde_json::to_string(&s.snapshot).map_err(corrupt("shipment snapshot"))?;
        self.conn.execute(
            "INSERT INTO shipments (carrier, tracking_number, adapter, account, order_external_id, tracking, snapshot, updated_at,
                                    order_adapter, order_account)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)
             ON CONFLICT (carrier, tracking_number) DO UPDATE SET order_external_id = excluded.order_external_id,
                tracking = excluded.tracking, snapshot = excluded.snapshot, updated_at = excluded.updated_at,
                order_adapter = excluded.order_adapter, order_account = excluded.order_account",
            params![
                s.carrier, s.tracking_number, s.adapter, s.account, s.order_external_id,
                s.tracking.map(TrackingStatus::as_str), snapshot, ts(s.updated_at), s.order_adapter, s.order_account
            ],
        )?;
        Ok(())
    }

    fn shipments_by_tracking(
        &mut self,
        tracking_number: &str,
    ) -> Result<Vec<ShipmentRecord>, StoreError> {
        shipments_where(
            self.conn,
            "tracking_number = ?1 ORDER BY carrier",
            &[&tracking_number],
        )
    }

    fn delete_shipment(&mut self, carrier: &str, tracking_number: &str) -> Result<(), StoreError> {
        self.conn.execute(
            "DELETE FROM shipments WHERE carrier = ?1 AND tracking_number = ?2",
            params![carrier, tracking_number],
        )?;
        Ok(())
    }

    fn move_timeline(&mut self, from_subject: &str, to_subject: &str) -> Result<(), StoreError> {
        self.conn.execute(
            "UPDATE events SET subject = ?2 WHERE subject_kind = 'shipment' AND subject = ?1",
            params![from_subject, to_subject],
        )?;
        Ok(())
    }

    fn orders_by_external_id(
        &mut self,
        external_id: &str,
        limit: usize,
    ) -> Result<Vec<OrderRecord>, StoreError> {
        let sql = format!(
            "SELECT {ORDER_COLUMNS} FROM orders WHERE external_id = ?1 ORDER BY adapter, account LIMIT ?2"
        );
        let mut stmt = self.conn.prepare_cached(&sql)?;
        let mut rows = stmt.query(params![external_id, limit as i64])?;
        let mut out = Vec::new();
        while let Some(r) = rows.next()? {
            out.push(order_from_row(r)?);
        }
        Ok(out)
    }

    fn unlinked_shipments(
        &mut self,
        order_external_id: &str,
    ) -> Result<Vec<ShipmentRecord>, StoreError> {
        shipments_where(
            self.conn,
            "order_adapter IS NULL AND order_external_id = ?1 ORDER BY carrier, tracking_number",
            &[&order_external_id],
        )
    }

    fn linked_shipments(
        &mut self,
        adapter: &str,
        account: &str,
        external_id: &str,
    ) -> Result<Vec<ShipmentRecord>, StoreError> {
        shipments_of_order(self.conn, adapter, account, external_id)
    }

    fn enqueue_confirmation(&mut self, request: &ConfirmationRequest) -> Result<(), StoreError> {
        outbox::enqueue(self.conn, request)
    }

    fn lock_order_ref(&mut self, _external_id: &str) -> Result<(), StoreError> {
        // One writer thread holds every transaction: nothing to serialise.
        Ok(())
    }

    fn save_inventory(
        &mut self,
        adapter: &str,
        account: &str,
        level: &InventoryLevel,
        at: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        self.conn.execute(
            "INSERT INTO inventory (adapter, account, sku, warehouse, available, at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)
             ON CONFLICT (adapter, account, sku, warehouse) DO UPDATE SET available = excluded.available, at = excluded.at
             WHERE excluded.at >= inventory.at",
            params![adapter, account, level.sku, level.warehouse.as_deref().unwrap_or(""), level.available, ts(at)],
        )?;
        Ok(())
    }
}

fn ts(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Millis, true)
}

fn parse_ts(text: &str) -> Result<DateTime<Utc>, StoreError> {
    DateTime::parse_from_rfc3339(text)
        .map(|t| t.with_timezone(&Utc))
        .map_err(|e| StoreError::Corrupt {
            what: format!("time {text:?}"),
            message: e.to_string(),
        })
}

pub(super) fn opt_ts(text: Option<String>) -> Result<Option<DateTime<Utc>>, StoreError> {
    text.as_deref().map(parse_ts).transpose()
}

fn corrupt<E: std::fmt::Display>(what: &'static str) -> impl Fn(E) -> StoreError {
    move |e| StoreError::Corrupt {
        what: what.to_string(),
        message: e.to_string(),
    }
}

fn json<T: serde::de::DeserializeOwned>(text: &str, what: &'static str) -> Result<T, StoreError> {
    serde_json::from_str(text).map_err(corrupt(what))
}

const ORDER_COLUMNS: &str = "adapter, account, external_id, status, partial, hold_reason, after_sale, deposit_paid,
    hold_changed_at, after_sale_changed_at, customer_key, snapshot, snapshot_at, created_at, updated_at";

fn order_from_row(r: &Row<'_>) -> Result<OrderRecord, StoreError> {
    let status: String = r.get(3)?;
    let after_sale: String = r.get(6)?;
    Ok(OrderRecord {
        adapter: r.get(0)?,
        account: r.get(1)?,
        external_id: r.get(2)?,
        state: OrderState {
            status: OrderStatus::parse(&status).ok_or_else(|| StoreError::Corrupt {
                what: "order status".into(),
                message: status.clone(),
            })?,
            partial: r.get(4)?,
            hold: r.get(5)?,
            after_sale: AfterSaleStatus::parse(&after_sale).ok_or_else(|| StoreError::Corrupt {
                what: "after-sale status".into(),
                message: after_sale.clone(),
            })?,
            deposit_paid: r.get(7)?,
            hold_changed_at: opt_ts(r.get(8)?)?,
            after_sale_changed_at: opt_ts(r.get(9)?)?,
        },
        customer_key: r.get(10)?,
        snapshot: r
            .get::<_, Option<String>>(11)?
            .map(|s| json(&s, "order snapshot"))
            .transpose()?,
        snapshot_at: opt_ts(r.get(12)?)?,
        created_at: parse_ts(&r.get::<_, String>(13)?)?,
        updated_at: parse_ts(&r.get::<_, String>(14)?)?,
    })
}

fn load_order(
    conn: &Connection,
    adapter: &str,
    account: &str,
    external_id: &str,
) -> Result<Option<OrderRecord>, StoreError> {
    let sql = format!(
        "SELECT {ORDER_COLUMNS} FROM orders WHERE adapter = ?1 AND account = ?2 AND external_id = ?3"
    );
    let mut stmt = conn.prepare_cached(&sql)?;
    let mut rows = stmt.query(params![adapter, account, external_id])?;
    rows.next()?.map(order_from_row).transpose()
}

const SHIPMENT_COLUMNS: &str = "carrier, tracking_number, adapter, account, order_external_id, tracking, snapshot, updated_at, order_adapter, order_account";

fn shipment_from_row(r: &Row<'_>) -> Result<ShipmentRecord, StoreError> {
    let tracking: Option<String> = r.get(5)?;
    Ok(ShipmentRecord {
        carrier: r.get(0)?,
        tracking_number: r.get(1)?,
        adapter: r.get(2)?,
        account: r.get(3)?,
        order_external_id: r.get(4)?,
        tracking: tracking
            .map(|t| {
                TrackingStatus::parse(&t).ok_or_else(|| StoreError::Corrupt {
                    what: "tracking status".into(),
                    message: t,
                })
            })
            .transpose()?,
        snapshot: json(&r.get::<_, String>(6)?, "shipment snapshot")?,
        updated_at: parse_ts(&r.get::<_, String>(7)?)?,
        order_adapter: r.get(8)?,
        order_account: r.get(9)?,
    })
}

fn load_shipment(
    conn: &Connection,
    carrier: &str,
    tracking_number: &str,
) -> Result<Option<ShipmentRecord>, StoreError> {
    let sql = format!(
        "SELECT {SHIPMENT_COLUMNS} FROM shipments WHERE carrier = ?1 AND tracking_number = ?2"
    );
    let mut stmt = conn.prepare_cached(&sql)?;
    let mut rows = stmt.query(params![carrier, tracking_number])?;
    rows.next()?.map(shipment_from_row).transpose()
}

/// Which events a timeline holds.
enum TimelineOf<'a> {
    /// Every event that concerns an order of one account, and every report
    /// of the parcels linked to it.
    Order {
        adapter: &'a str,
        account: &'a str,
        external_id: &'a str,
    },
    /// Every scan of one shipment, whoever reported it.
    Shipment(&'a str),
}

fn timeline(conn: &Connection, of: TimelineOf<'_>) -> Result<Vec<TimelineEntry>, StoreError> {
    const COLUMNS: &str = "event_key, inbox_id, recorded_at, event, mapping, applied, note";
    const ORDER: &str = "ORDER BY COALESCE(occurred_at, recorded_at), id";
    let (sql, args): (String, Vec<&str>) = match &of {
        TimelineOf::Order {
            adapter,
            account,
            external_id,
        } => (
            format!(
                "SELECT {COLUMNS} FROM events
                 WHERE (adapter = ?1 AND account = ?2 AND order_ref = ?3)
                    OR (subject_kind = 'shipment' AND subject IN (
                        SELECT carrier || '/' || tracking_number FROM shipments
                         WHERE order_adapter = ?1 AND order_account = ?2 AND order_external_id = ?3))
                 {ORDER}"
            ),
            vec![adapter, account, external_id],
        ),
        TimelineOf::Shipment(subject) => (
            format!(
                "SELECT {COLUMNS} FROM events WHERE subject_kind = 'shipment' AND subject = ?1 {ORDER}"
            ),
            vec![subject],
        ),
    };
    let mut stmt = conn.prepare_cached(&sql)?;
    let mut rows = stmt.query(rusqlite::params_from_iter(args))?;
    let mut out = Vec::new();
    while let Some(r) = rows.next()? {
        out.push(TimelineEntry {
            event_key: r.get(0)?,
            inbox_id: r.get(1)?,
            recorded_at: parse_ts(&r.get::<_, String>(2)?)?,
            event: json(&r.get::<_, String>(3)?, "event")?,
            mapping: r
                .get::<_, Option<String>>(4)?
                .map(|m| json(&m, "mapping"))
                .transpose()?,
            applied: r.get(5)?,
            note: r.get(6)?,
        });
    }
    Ok(out)
}

fn shipments_of_order(
    conn: &Connection,
    adapter: &str,
    account: &str,
    external_id: &str,
) -> Result<Vec<ShipmentRecord>, StoreError> {
    shipments_where(
        conn,
        "order_adapter = ?1 AND order_account = ?2 AND order_external_id = ?3
         ORDER BY updated_at, carrier, tracking_number",
        &[&adapter, &account, &external_id],
    )
}

/// Shipments matching a `WHERE` clause (with its `ORDER BY`).
fn shipments_where(
    conn: &Connection,
    clause: &str,
    args: &[&dyn rusqlite::ToSql],
) -> Result<Vec<ShipmentRecord>, StoreError> {
    let sql = format!("SELECT {SHIPMENT_COLUMNS} FROM shipments WHERE {clause}");
    let mut stmt = conn.prepare_cached(&sql)?;
    let mut rows = stmt.query(args)?;
    let mut out = Vec::new();
    while let Some(r) = rows.next()? {
        out.push(shipment_from_row(r)?);
    }
    Ok(out)
}

fn inbox_from_row(r: &Row<'_>) -> Result<InboxEntry, StoreError> {
    let state: String = r.get(8)?;
    let headers: Vec<(String, String)> = json(&r.get::<_, String>(6)?, "inbox headers")?;
    let body: Vec<u8> = r.get(7)?;
    let method: String = r.get(4)?;
    let url: String = r.get(5)?;
    Ok(InboxEntry {
        id: r.get(0)?,
        key: r.get(1)?,
        adapter: r.get(2)?,
        account: r.get(3)?,
        received_at: parse_ts(&r.get::<_, String>(12)?)?,
        state: if state == "dead" {
            InboxState::Dead
        } else {
            InboxState::Applied
        },
        error_kind: r.get(9)?,
        error_message: r.get(10)?,
        attempts: r.get(11)?,
        method: method.clone(),
        url: url.clone(),
        body_bytes: body.len(),
        request: RawRequest {
            method,
            url,
            headers,
            body,
        },
    })
}

const INBOX_COLUMNS: &str = "id, delivery_key, adapter, account, method, url, headers, body, state, error_kind, error_message, attempts, received_at";

impl OrderStore for SqliteStore {
    fn inbox_id_of(&self, key: &str) -> Result<Option<i64>, StoreError> {
        self.read(|c| {
            Ok(
                c.query_row("SELECT id FROM inbox WHERE delivery_key = ?1", [key], |r| {
                    r.get(0)
                })
                .optional()?,
            )
        })
    }

    fn commit(&self, delivery: Delivery) -> Result<Committed, StoreError> {
        self.submit(|reply| Job::Commit(delivery, reply))
    }

    fn commit_poll_page(
        &self,
        delivery: Delivery,
        cursor: CursorUpdate,
    ) -> Result<Committed, StoreError> {
        self.submit(|reply| Job::PollPage(delivery, cursor, reply))
    }

    fn record_poll_failure(
        &self,
        adapter: &str,
        account: &str,
        at: DateTime<Utc>,
        error: &str,
    ) -> Result<(), StoreError> {
        let (adapter, account, error) =
            (adapter.to_string(), account.to_string(), error.to_string());
        self.submit(|reply| Job::PollFailure(adapter, account, at, error, reply))
            .map(|_| ())
    }

    fn claim_confirmations(
        &self,
        now: DateTime<Utc>,
        lease_until: DateTime<Utc>,
        limit: usize,
    ) -> Result<Vec<OutboxItem>, StoreError> {
        self.with_outbox(|c| outbox::claim(c, now, lease_until, limit))
    }

    fn finish_confirmation(
        &self,
        id: i64,
        result: SendResult,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        self.with_outbox(|c| outbox::finish(c, id, &result, now))
    }

    fn confirmations_of(
        &self,
        adapter: &str,
        account: &str,
        external_id: &str,
    ) -> Result<Vec<OutboxItem>, StoreError> {
        let (a, b, c) = (
            adapter.to_string(),
            account.to_string(),
            external_id.to_string(),
        );
        self.read(move |conn| {
            outbox::select(
                conn,
                "order_adapter = ?1 AND order_account = ?2 AND order_external_id = ?3 ORDER BY id",
                &[&a, &b, &c],
            )
        })
    }

    fn failed_confirmations(&self, limit: usize) -> Result<Vec<OutboxItem>, StoreError> {
        self.read(|conn| {
            outbox::select(
                conn,
                "state = 'failed' ORDER BY updated_at DESC, id DESC LIMIT ?1",
                &[&(limit as i64)],
            )
        })
    }

    fn poll_states(&self) -> Result<Vec<PollState>, StoreError> {
        self.read(|c| {
            let mut stmt = c.prepare(
                "SELECT adapter, account, cursor, polled_at, pages, last_error, last_error_at
                 FROM poll_state ORDER BY adapter, account",
            )?;
            let mut rows = stmt.query([])?;
            let mut out = Vec::new();
            while let Some(r) = rows.next()? {
                out.push(PollState {
                    adapter: r.get(0)?,
                    account: r.get(1)?,
                    cursor: r.get(2)?,
                    polled_at: opt_ts(r.get(3)?)?,
                    pages: r.get(4)?,
                    last_error: r.get(5)?,
                    last_error_at: opt_ts(r.get(6)?)?,
                });
            }
            Ok(out)
        })
    }

    fn recommit(&self, inbox_id: i64, outcome: Outcome) -> Result<Committed, StoreError> {
        self.submit(|reply| Job::Recommit(inbox_id, outcome, reply))
    }

    fn record_auth_failure(&self, failure: AuthFailure) -> Result<(), StoreError> {
        self.submit(|reply| Job::AuthFailure(failure, reply))
            .map(|_| ())
    }

    fn auth_failures(&self, limit: usize) -> Result<Vec<AuthFailure>, StoreError> {
        self.read(|c| {
            let mut stmt = c.prepare("SELECT at, adapter, account, kind, message, remote FROM auth_failures ORDER BY id DESC LIMIT ?1")?;
            let mut rows = stmt.query([limit as i64])?;
            let mut out = Vec::new();
            while let Some(r) = rows.next()? {
                out.push(AuthFailure {
                    at: parse_ts(&r.get::<_, String>(0)?)?,
                    adapter: r.get(1)?,
                    account: r.get(2)?,
                    kind: r.get(3)?,
                    message: r.get(4)?,
                    remote: r.get(5)?,
                });
            }
            Ok(out)
        })
    }

    fn list_orders(&self, limit: usize) -> Result<Vec<OrderRecord>, StoreError> {
        self.read(|c| {
            let mut stmt = c.prepare(&format!(
                "SELECT {ORDER_COLUMNS} FROM orders ORDER BY updated_at DESC, external_id LIMIT ?1"
            ))?;
            let mut rows = stmt.query([limit as i64])?;
            let mut out = Vec::new();
            while let Some(r) = rows.next()? {
                out.push(order_from_row(r)?);
            }
            Ok(out)
        })
    }

    fn order_ids_changed_since(
        &self,
        adapter: &str,
        account: &str,
        since: DateTime<Utc>,
    ) -> Result<Vec<String>, StoreError> {
        self.read(|c| {
            // Times are stored as fixed-width RFC 3339 UTC text, so text
            // order is time order.
            let mut stmt = c.prepare(
                "SELECT external_id FROM orders WHERE adapter = ?1 AND account = ?2 \
                 AND updated_at >= ?3 ORDER BY external_id",
            )?;
            let ids = stmt
                .query_map(rusqlite::params![adapter, account, ts(since)], |r| r.get(0))?
                .collect::<Result<Vec<String>, _>>()?;
            Ok(ids)
        })
    }

    fn order(
        &self,
        adapter: &str,
        account: &str,
        external_id: &str,
    ) -> Result<Option<OrderView>, StoreError> {
        self.read(|c| {
            let Some(order) = load_order(c, adapter, account, external_id)? else {
                return Ok(None);
            };
            let timeline = timeline(
                c,
                TimelineOf::Order {
                    adapter,
                    account,
                    external_id,
                },
            )?;
            let shipments = shipments_of_order(c, adapter, account, external_id)?;
            Ok(Some(OrderView {
                order,
                timeline,
                shipments,
            }))
        })
    }

    fn shipment(
        &self,
        carrier: &str,
        tracking_number: &str,
    ) -> Result<Option<ShipmentView>, StoreError> {
        self.read(|c| {
            let Some(shipment) = load_shipment(c, carrier, tracking_number)? else {
                return Ok(None);
            };
            let timeline = timeline(
                c,
                TimelineOf::Shipment(&shipment_subject(carrier, tracking_number)),
            )?;
            Ok(Some(ShipmentView { shipment, timeline }))
        })
    }

    fn list_shipments(&self, limit: usize) -> Result<Vec<ShipmentRecord>, StoreError> {
        self.read(|c| {
            let mut stmt = c.prepare(&format!(
                "SELECT {SHIPMENT_COLUMNS} FROM shipments ORDER BY updated_at DESC, carrier, tracking_number LIMIT ?1"
            ))?;
            let mut rows = stmt.query([limit as i64])?;
            let mut out = Vec::new();
            while let Some(r) = rows.next()? {
                out.push(shipment_from_row(r)?);
            }
            Ok(out)
        })
    }

    fn list_inbox(&self, dead_only: bool, limit: usize) -> Result<Vec<InboxEntry>, StoreError> {
        self.read(|c| {
            let filter = if dead_only {
                "WHERE state = 'dead'"
            } else {
                ""
            };
            let mut stmt = c.prepare(&format!(
                "SELECT {INBOX_COLUMNS} FROM inbox {filter} ORDER BY id DESC LIMIT ?1"
            ))?;
            let mut rows = stmt.query([limit as i64])?;
            let mut out = Vec::new();
            while let Some(r) = rows.next()? {
                out.push(inbox_from_row(r)?);
            }
            Ok(out)
        })
    }

    fn inbox_entry(&self, id: i64) -> Result<Option<InboxEntry>, StoreError> {
        self.read(|c| {
            let mut stmt =
                c.prepare(&format!("SELECT {INBOX_COLUMNS} FROM inbox WHERE id = ?1"))?;
            let mut rows = stmt.query([id])?;
            rows.next()?.map(inbox_from_row).transpose()
        })
    }

    fn inbox_of_adapter(
        &self,
        adapter: &str,
        since: Option<DateTime<Utc>>,
    ) -> Result<Vec<InboxEntry>, StoreError> {
        // RFC 3339 UTC with milliseconds sorts as text in time order.
        let since = since.map(ts).unwrap_or_default();
        self.read(|c| {
            let mut stmt = c.prepare(&format!(
                "SELECT {INBOX_COLUMNS} FROM inbox WHERE adapter = ?1 AND received_at >= ?2 ORDER BY id"
            ))?;
            let mut rows = stmt.query(params![adapter, since])?;
            let mut out = Vec::new();
            while let Some(r) = rows.next()? {
                out.push(inbox_from_row(r)?);
            }
            Ok(out)
        })
    }

    fn delivery_events(&self, inbox_id: i64) -> Result<Vec<TimelineEntry>, StoreError> {
        self.read(|c| {
            let mut stmt = c.prepare(
                "SELECT event_key, inbox_id, recorded_at, event, mapping, applied, note FROM events WHERE inbox_id = ?1 ORDER BY id",
            )?;
            let mut rows = stmt.query([inbox_id])?;
            let mut out = Vec::new();
            while let Some(r) = rows.next()? {
                out.push(TimelineEntry {
                    event_key: r.get(0)?,
                    inbox_id: r.get(1)?,
                    recorded_at: parse_ts(&r.get::<_, String>(2)?)?,
                    event: json(&r.get::<_, String>(3)?, "event")?,
                    mapping: r
                        .get::<_, Option<String>>(4)?
                        .map(|m| json(&m, "mapping"))
                        .transpose()?,
                    applied: r.get(5)?,
                    note: r.get(6)?,
                });
            }
            Ok(out)
        })
    }

    fn export(
        &self,
        sink: &mut dyn FnMut(Record) -> Result<(), StoreError>,
    ) -> Result<(), StoreError> {
        self.read(|c| transfer::export(c, sink))
    }

    fn import(
        &self,
        records: &mut dyn Iterator<Item = Result<Record, StoreError>>,
        replace: bool,
    ) -> Result<(), StoreError> {
        // Its own connection: the iterator stays on the caller's thread, and
        // the whole import is one transaction that the writer thread waits for.
        let mut conn = open_connection(&self.path)?;
        transfer::import(&mut conn, records, replace)
    }
}
