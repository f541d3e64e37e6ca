//! The order store on Spin's SQLite (`spin:sqlite/sqlite@3.1.0`).
//!
//! The same rows as the native host's SQLite backend
//! (`host/src/store/sqlite.rs`), written the same way: one transaction per
//! delivery holding the inbox row, the timeline and the orders and shipments
//! the events move, with the rules themselves in `orderhub_apply`, reached
//! through [`Tx`]. The connection is the interface's synchronous one, because
//! the rules are synchronous code; a Spin instance serves one request, so
//! nothing waits on it meanwhile.

use chrono::{DateTime, SecondsFormat, Utc};
use orderhub_apply::apply::{self, EventRow, Tx};
use orderhub_apply::records::{Committed, Delivery, OrderRecord, ShipmentRecord};
use orderhub_core::lifecycle::OrderState;
use orderhub_core::model::{AfterSaleStatus, InventoryLevel, OrderStatus, TrackingStatus};
use spin_sdk::sqlite::wit::sqlite::{Connection, Error as SqliteError, Value};

use crate::schema;

/// Why the store failed. None of it is the platform's fault: the component
/// answers 500 and the platform retries.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("sqlite: {0}")]
    Sqlite(String),
    #[error("stored data is corrupt ({what}): {message}")]
    Corrupt { what: String, message: String },
}

impl From<SqliteError> for StoreError {
    fn from(e: SqliteError) -> Self {
        StoreError::Sqlite(match e {
            SqliteError::NoSuchDatabase => "no such database (is it in sqlite_databases?)".into(),
            SqliteError::AccessDenied => "access to the database denied".into(),
            SqliteError::InvalidConnection => "invalid connection".into(),
            SqliteError::DatabaseFull => "database full".into(),
            SqliteError::Io(message) => message,
        })
    }
}

/// An audit record of a refused webhook (no secrets in it).
#[derive(Debug)]
pub struct AuthFailure<'a> {
    pub at: DateTime<Utc>,
    pub adapter: &'a str,
    pub account: &'a str,
    pub kind: &'a str,
    pub message: &'a str,
}

/// The store: one connection to the component's database.
pub struct Store {
    conn: Connection,
}

impl Store {
    /// Opens the `default` database and brings its schema up to date.
    pub fn open() -> Result<Self, StoreError> {
        let store = Store {
            conn: Connection::open("default")?,
        };
        store.migrate()?;
        Ok(store)
    }

    fn migrate(&self) -> Result<(), StoreError> {
        self.exec(schema::MIGRATIONS_TABLE, &[])?;
        let current = self
            .query(
                "SELECT COALESCE(MAX(version), 0) FROM schema_migrations",
                &[],
            )?
            .first()
            .map(|r| r.int(0))
            .transpose()?
            .unwrap_or(0);
        for (i, migration) in schema::MIGRATIONS.iter().enumerate() {
            let version = i as i64 + 1;
            if version <= current {
                continue;
            }
            self.transaction(|store| {
                for statement in schema::statements(migration) {
                    store.exec(statement, &[])?;
                }
                store.exec(
                    "INSERT INTO schema_migrations (version, applied_at) VALUES (?1, ?2)",
                    &[Value::Integer(version), text(ts(Utc::now()))],
                )
            })?;
        }
        Ok(())
    }

    /// The inbox id of a delivery already stored under `key`.
    pub fn inbox_id_of(&self, key: &str) -> Result<Option<i64>, StoreError> {
        self.query("SELECT id FROM inbox WHERE delivery_key = ?1", &[text(key)])?
            .first()
            .map(|r| r.int(0))
            .transpose()
    }

    /// Commits a delivery in one transaction: the raw request in the inbox
    /// (applied or dead), its events and their effect. A key stored in the
    /// meantime makes it a duplicate that writes nothing.
    pub fn commit(&self, d: &Delivery) -> Result<Committed, StoreError> {
        self.transaction(|store| {
            if let Some(inbox_id) = store.inbox_id_of(&d.key)? {
                return Ok(Committed {
                    inbox_id,
                    duplicate: true,
                    events_recorded: 0,
                    events_applied: 0,
                    dead: false,
                });
            }
            let (state, kind, message) = d.outcome.inbox_columns();
            let headers = serde_json::to_string(&d.request.headers).map_err(corrupt("headers"))?;
            store.exec(
                "INSERT INTO inbox (delivery_key, adapter, account, received_at, method, url, headers, body, state, error_kind, error_message, updated_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?4)",
                &[
                    text(&d.key),
                    text(&d.adapter),
                    text(&d.account),
                    text(ts(d.received_at)),
                    text(&d.request.method),
                    text(&d.request.url),
                    text(headers),
                    Value::Blob(d.request.body.clone()),
                    text(state.as_str()),
                    opt_text(kind),
                    opt_text(message),
                ],
            )?;
            let inbox_id = store.conn.last_insert_rowid();
            apply::apply_outcome(
                &mut SpinTx { store },
                inbox_id,
                &d.adapter,
                &d.account,
                &d.outcome,
            )
        })
    }

    /// Keeps an audit record of a refused webhook.
    pub fn record_auth_failure(&self, f: &AuthFailure<'_>) -> Result<(), StoreError> {
        self.exec(
            "INSERT INTO auth_failures (at, adapter, account, kind, message, remote) VALUES (?1, ?2, ?3, ?4, ?5, NULL)",
            &[text(ts(f.at)), text(f.adapter), text(f.account), text(f.kind), text(f.message)],
        )
    }

    /// Runs `work` in one immediate transaction, rolled back on any error.
    fn transaction<T>(
        &self,
        work: impl FnOnce(&Store) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        self.exec("BEGIN IMMEDIATE", &[])?;
        match work(self) {
            Ok(value) => {
                self.exec("COMMIT", &[])?;
                Ok(value)
            }
            Err(e) => {
                // The error that stopped the work is the one worth reporting.
                let _ = self.exec("ROLLBACK", &[]);
                Err(e)
            }
        }
    }

    fn exec(&self, sql: &str, params: &[Value]) -> Result<(), StoreError> {
        self.conn.execute(sql, params)?;
        Ok(())
    }

    fn query(&self, sql: &str, params: &[Value]) -> Result<Vec<Row>, StoreError> {
        Ok(self
            .conn
            .execute(sql, params)?
            .rows
            .into_iter()
            .map(|r| Row(r.values))
            .collect())
    }
}

/// One result row, read by column index.
struct Row(Vec<Value>);

impl Row {
    fn value(&self, i: usize) -> Result<&Value, StoreError> {
        self.0.get(i).ok_or_else(|| StoreError::Corrupt {
            what: format!("column {i}"),
            message: "missing from the row".into(),
        })
    }

    fn int(&self, i: usize) -> Result<i64, StoreError> {
        match self.value(i)? {
            Value::Integer(n) => Ok(*n),
            other => Err(wrong_type(i, "an integer", other)),
        }
    }

    fn flag(&self, i: usize) -> Result<bool, StoreError> {
        self.int(i).map(|n| n != 0)
    }

    fn opt_text(&self, i: usize) -> Result<Option<String>, StoreError> {
        match self.value(i)? {
            Value::Text(t) => Ok(Some(t.clone())),
            Value::Null => Ok(None),
            other => Err(wrong_type(i, "text", other)),
        }
    }

    fn text(&self, i: usize) -> Result<String, StoreError> {
        self.opt_text(i)?.ok_or_else(|| StoreError::Corrupt {
            what: format!("column {i}"),
            message: "NULL where text is required".into(),
        })
    }

    fn time(&self, i: usize) -> Result<DateTime<Utc>, StoreError> {
        parse_ts(&self.text(i)?)
    }

    fn opt_time(&self, i: usize) -> Result<Option<DateTime<Utc>>, StoreError> {
        self.opt_text(i)?.as_deref().map(parse_ts).transpose()
    }
}

fn wrong_type(i: usize, wanted: &str, found: &Value) -> StoreError {
    StoreError::Corrupt {
        what: format!("column {i}"),
        message: format!("expected {wanted}, found {found:?}"),
    }
}

/// The rules' view of one open transaction.
struct SpinTx<'s> {
    store: &'s Store,
}

const ORDER_COLUMNS: &str = "adapter, account, external_id, status, partial, hold_reason, after_sale, deposit_paid,
    hold_changed_at, after_sale_changed_at, customer_key, snapshot, snapshot_at, created_at, updated_at";

const SHIPMENT_COLUMNS: &str = "carrier, tracking_number, adapter, account, order_external_id, tracking, snapshot, updated_at, order_adapter, order_account";

fn order_from_row(r: &Row) -> Result<OrderRecord, StoreError> {
    let status = r.text(3)?;
    let after_sale = r.text(6)?;
    Ok(OrderRecord {
        adapter: r.text(0)?,
        account: r.text(1)?,
        external_id: r.text(2)?,
        state: OrderState {
            status: OrderStatus::parse(&status).ok_or_else(|| StoreError::Corrupt {
                what: "order status".into(),
                message: status.clone(),
            })?,
            partial: r.flag(4)?,
            hold: r.opt_text(5)?,
            after_sale: AfterSaleStatus::parse(&after_sale).ok_or_else(|| StoreError::Corrupt {
                what: "after-sale status".into(),
                message: after_sale.clone(),
            })?,
            deposit_paid: r.flag(7)?,
            hold_changed_at: r.opt_time(8)?,
            after_sale_changed_at: r.opt_time(9)?,
        },
        customer_key: r.opt_text(10)?,
        snapshot: r
            .opt_text(11)?
            .map(|s| json(&s, "order snapshot"))
            .transpose()?,
        snapshot_at: r.opt_time(12)?,
        created_at: r.time(13)?,
        updated_at: r.time(14)?,
    })
}

fn shipment_from_row(r: &Row) -> Result<ShipmentRecord, StoreError> {
    Ok(ShipmentRecord {
        carrier: r.text(0)?,
        tracking_number: r.text(1)?,
        adapter: r.text(2)?,
        account: r.text(3)?,
        order_external_id: r.opt_text(4)?,
        tracking: r
            .opt_text(5)?
            .map(|t| {
                TrackingStatus::parse(&t).ok_or_else(|| StoreError::Corrupt {
                    what: "tracking status".into(),
                    message: t,
                })
            })
            .transpose()?,
        snapshot: json(&r.text(6)?, "shipment snapshot")?,
        updated_at: r.time(7)?,
        order_adapter: r.opt_text(8)?,
        order_account: r.opt_text(9)?,
    })
}

impl SpinTx<'_> {
    fn orders(&self, clause: &str, params: &[Value]) -> Result<Vec<OrderRecord>, StoreError> {
        let sql = format!("SELECT {ORDER_COLUMNS} FROM orders WHERE {clause}");
        self.store
            .query(&sql, params)?
            .iter()
            .map(order_from_row)
            .collect()
    }

    fn shipments(&self, clause: &str, params: &[Value]) -> Result<Vec<ShipmentRecord>, StoreError> {
        let sql = format!("SELECT {SHIPMENT_COLUMNS} FROM shipments WHERE {clause}");
        self.store
            .query(&sql, params)?
            .iter()
            .map(shipment_from_row)
            .collect()
    }
}

impl Tx for SpinTx<'_> {
    type Error = StoreError;

    fn insert_event(&mut self, row: &EventRow<'_>) -> Result<bool, StoreError> {
        let event = serde_json::to_string(row.event).map_err(corrupt("event"))?;
        let mapping = row
            .mapping
            .map(serde_json::to_string)
            .transpose()
            .map_err(corrupt("mapping"))?;
        self.store.exec(
            "INSERT INTO events (event_key, inbox_id, adapter, account, subject_kind, subject, order_ref, topic, occurred_at, recorded_at, event, mapping)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?12, ?7, ?8, ?9, ?10, ?11) ON CONFLICT (event_key) DO NOTHING",
            &[
                text(row.key),
                Value::Integer(row.inbox_id),
                text(row.adapter),
                text(row.account),
                text(row.subject_kind.as_str()),
                text(&row.subject),
                text(&row.event.topic),
                opt_text(row.event.occurred_at.map(ts)),
                text(ts(row.recorded_at)),
                text(event),
                opt_text(mapping),
                opt_text(row.order_ref.as_deref()),
            ],
        )?;
        Ok(self.store.conn.changes() == 1)
    }

    fn mark_event(
        &mut self,
        key: &str,
        applied: bool,
        note: Option<&str>,
    ) -> Result<(), StoreError> {
        self.store.exec(
            "UPDATE events SET applied = ?2, note = ?3 WHERE event_key = ?1",
            &[text(key), flag(applied), opt_text(note)],
        )
    }

    fn load_order(
        &mut self,
        adapter: &str,
        account: &str,
        external_id: &str,
    ) -> Result<Option<OrderRecord>, StoreError> {
        Ok(self
            .orders(
                "adapter = ?1 AND account = ?2 AND external_id = ?3",
                &[text(adapter), text(account), text(external_id)],
            )?
            .pop())
    }

    fn save_order(&mut self, o: &OrderRecord) -> Result<(), StoreError> {
        let snapshot = o
            .snapshot
            .as_ref()
            .map(serde_json::to_string)
            .transpose()
            .map_err(corrupt("order snapshot"))?;
        self.store.exec(
            "INSERT INTO orders (adapter, account, external_id, status, partial, hold_reason, after_sale, deposit_paid, hold_changed_at,
                                 after_sale_changed_at, customer_key, snapshot, snapshot_at, created_at, updated_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15)
             ON CONFLICT (adapter, account, external_id) DO UPDATE SET
                status = excluded.status, partial = excluded.partial, hold_reason = excluded.hold_reason,
                after_sale = excluded.after_sale, deposit_paid = excluded.deposit_paid, hold_changed_at = excluded.hold_changed_at,
                after_sale_changed_at = excluded.after_sale_changed_at, customer_key = excluded.customer_key,
                snapshot = excluded.snapshot, snapshot_at = excluded.snapshot_at, updated_at = excluded.updated_at",
            &[
                text(&o.adapter),
                text(&o.account),
                text(&o.external_id),
                text(o.state.status.as_str()),
                flag(o.state.partial),
                opt_text(o.state.hold.as_deref()),
                text(o.state.after_sale.as_str()),
                flag(o.state.deposit_paid),
                opt_text(o.state.hold_changed_at.map(ts)),
                opt_text(o.state.after_sale_changed_at.map(ts)),
                opt_text(o.customer_key.as_deref()),
                opt_text(snapshot),
                opt_text(o.snapshot_at.map(ts)),
                text(ts(o.created_at)),
                text(ts(o.updated_at)),
            ],
        )
    }

    fn load_shipment(
        &mut self,
        carrier: &str,
        tracking_number: &str,
    ) -> Result<Option<ShipmentRecord>, StoreError> {
        Ok(self
            .shipments(
                "carrier = ?1 AND tracking_number = ?2",
                &[text(carrier), text(tracking_number)],
            )?
            .pop())
    }

    fn save_shipment(&mut self, s: &ShipmentRecord) -> Result<(), StoreError> {
        let snapshot = serde_json::to_string(&s.snapshot).map_err(corrupt("shipment snapshot"))?;
        self.store.exec(
            "INSERT INTO shipments (carrier, tracking_number, adapter, account, order_external_id, tracking, snapshot, updated_at,
                                    order_adapter, order_account)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)
             ON CONFLICT (carrier, tracking_number) DO UPDATE SET order_external_id = excluded.order_external_id,
                tracking = excluded.tracking, snapshot = excluded.snapshot, updated_at = excluded.updated_at,
                order_adapter = excluded.order_adapter, order_account = excluded.order_account",
            &[
                text(&s.carrier),
                text(&s.tracking_number),
                text(&s.adapter),
                text(&s.account),
                opt_text(s.order_external_id.as_deref()),
                opt_text(s.tracking.map(TrackingStatus::as_str)),
                text(snapshot),
                text(ts(s.updated_at)),
                opt_text(s.order_adapter.as_deref()),
                opt_text(s.order_account.as_deref()),
            ],
        )
    }

    fn shipments_by_tracking(
        &mut self,
        tracking_number: &str,
    ) -> Result<Vec<ShipmentRecord>, StoreError> {
        self.shipments(
            "tracking_number = ?1 ORDER BY carrier",
            &[text(tracking_number)],
        )
    }

    fn delete_shipment(&mut self, carrier: &str, tracking_number: &str) -> Result<(), StoreError> {
        self.store.exec(
            "DELETE FROM shipments WHERE carrier = ?1 AND tracking_number = ?2",
            &[text(carrier), text(tracking_number)],
        )
    }

    fn move_timeline(&mut self, from_subject: &str, to_subject: &str) -> Result<(), StoreError> {
        self.store.exec(
            "UPDATE events SET subject = ?2 WHERE subject_kind = 'shipment' AND subject = ?1",
            &[text(from_subject), text(to_subject)],
        )
    }

    fn orders_by_external_id(
        &mut self,
        external_id: &str,
        limit: usize,
    ) -> Result<Vec<OrderRecord>, StoreError> {
        self.orders(
            "external_id = ?1 ORDER BY adapter, account LIMIT ?2",
            &[text(external_id), Value::Integer(limit as i64)],
        )
    }

    fn unlinked_shipments(
        &mut self,
        order_external_id: &str,
    ) -> Result<Vec<ShipmentRecord>, StoreError> {
        self.shipments(
            "order_adapter IS NULL AND order_external_id = ?1 ORDER BY carrier, tracking_number",
            &[text(order_external_id)],
        )
    }

    fn linked_shipments(
        &mut self,
        adapter: &str,
        account: &str,
        external_id: &str,
    ) -> Result<Vec<ShipmentRecord>, StoreError> {
        self.shipments(
            "order_adapter = ?1 AND order_account = ?2 AND order_external_id = ?3
             ORDER BY updated_at, carrier, tracking_number",
            &[text(adapter), text(account), text(external_id)],
        )
    }

    fn lock_order_ref(&mut self, _external_id: &str) -> Result<(), StoreError> {
        // `BEGIN IMMEDIATE` holds the database's write lock for the whole
        // delivery: concurrent instances commit one after the other.
        Ok(())
    }

    fn save_inventory(
        &mut self,
        adapter: &str,
        account: &str,
        level: &InventoryLevel,
        at: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        self.store.exec(
            "INSERT INTO inventory (adapter, account, sku, warehouse, available, at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)
             ON CONFLICT (adapter, account, sku, warehouse) DO UPDATE SET available = excluded.available, at = excluded.at
             WHERE excluded.at >= inventory.at",
            &[
                text(adapter),
                text(account),
                text(&level.sku),
                text(level.warehouse.as_deref().unwrap_or("")),
                Value::Integer(level.available),
                text(ts(at)),
            ],
        )
    }
}

fn text(s: impl Into<String>) -> Value {
    Value::Text(s.into())
}

fn opt_text<S: Into<String>>(s: Option<S>) -> Value {
    s.map_or(Value::Null, text)
}

fn flag(b: bool) -> Value {
    Value::Integer(i64::from(b))
}

/// Times as the native host stores them: RFC 3339, milliseconds, UTC.
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

fn corrupt<E: std::fmt::Display>(what: &'static str) -> impl Fn(E) -> StoreError {
    move |e| StoreError::Corrupt {
        what: what.to_string(),
        message: e.to_string(),
    }
}

fn json<T: serde::de::DeserializeOwned>(text: &str, what: &'static str) -> Result<T, StoreError> {
    serde_json::from_str(text).map_err(corrupt(what))
}
