//! The PostgreSQL backend: one database shared by several hosts.
//!
//! Hosts behind a load balancer may receive the same delivery, retries of it
//! and events of one order at the same moment. Nothing here relies on what a
//! process remembers: unique keys, transactions and locks in the database
//! decide every race (module `write` tells how), and the state rules are
//! [`crate::store::apply`]'s, shared with SQLite.
//!
//! - [`location`]: the `postgres://` URL (`schema`, `pool_size`).
//! - `pool`: connections, each on its own thread.
//! - `schema`: the tables and migrations.
//! - `write`: commits; `read`: queries; `transfer`: export and import.

pub mod location;
mod outbox;
mod poll;
mod pool;
mod read;
mod schema;
mod transfer;
mod write;

use std::sync::{Arc, mpsc};

use ::postgres::IsolationLevel;

pub use location::PgLocation;
use pool::{Pool, Session};
pub use write::UNSTORABLE_TEXT;

use chrono::{DateTime, Utc};

use super::outbox::{OutboxItem, SendResult};
use super::{
    AuthFailure, Committed, CursorUpdate, Delivery, InboxEntry, OrderRecord, OrderStore, OrderView,
    Outcome, PollState, Record, ShipmentRecord, ShipmentView, StoreError,
};

/// The PostgreSQL store.
pub struct PgStore {
    location: Arc<PgLocation>,
    pool: Pool,
}

impl std::fmt::Debug for PgStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "PgStore({})", self.location)
    }
}

impl PgStore {
    /// Connects, creates the schema if needed and applies pending migrations.
    pub fn open(location: &PgLocation) -> Result<Self, StoreError> {
        let location = Arc::new(location.clone());
        let pool = Pool::start(location.clone())?;
        let schema = location.schema().to_string();
        let ran = pool.run(move |conn| {
            let (client, _) = conn.session()?;
            schema::migrate(client, &schema)
        })?;
        if ran > 0 {
            tracing::info!(store = %location, migrations = ran, "store schema migrated");
        }
        Ok(PgStore { location, pool })
    }

    /// Where the store is.
    pub fn location(&self) -> &PgLocation {
        &self.location
    }

    /// Runs a read on a pooled connection, outside any transaction.
    fn read<T: Send + 'static>(
        &self,
        f: impl Fn(&mut Session<'_, ::postgres::Client>) -> Result<T, StoreError> + Send + 'static,
    ) -> Result<T, StoreError> {
        self.pool.run(move |conn| {
            reconnecting(conn, |conn| {
                let (client, statements) = conn.session()?;
                f(&mut Session::new(client, statements))
            })
        })
    }

    /// Runs several reads that must agree in one read-only snapshot.
    fn read_snapshot<T: Send + 'static>(
        &self,
        f: impl Fn(&mut Session<'_, ::postgres::Transaction<'_>>) -> Result<T, StoreError>
        + Send
        + 'static,
    ) -> Result<T, StoreError> {
        self.pool.run(move |conn| {
            reconnecting(conn, |conn| {
                let (client, statements) = conn.session()?;
                let mut tx = client
                    .build_transaction()
                    .isolation_level(IsolationLevel::RepeatableRead)
                    .read_only(true)
                    .start()?;
                let value = f(&mut Session::new(&mut tx, statements))?;
                tx.commit()?;
                Ok(value)
            })
        })
    }
}

/// Runs a read once more on a new connection when the pooled one was lost.
fn reconnecting<T>(
    conn: &mut pool::Conn,
    read: impl Fn(&mut pool::Conn) -> Result<T, StoreError>,
) -> Result<T, StoreError> {
    match read(conn) {
        Err(e) if e.is_connection_lost() => {
            conn.reset();
            read(conn)
        }
        other => other,
    }
}

impl OrderStore for PgStore {
    fn inbox_id_of(&self, key: &str) -> Result<Option<i64>, StoreError> {
        let key = key.to_string();
        self.read(move |s| read::inbox_id_of(s, &key))
    }

    fn commit(&self, delivery: Delivery) -> Result<Committed, StoreError> {
        self.pool.run(move |conn| write::commit(conn, &delivery))
    }

    fn commit_poll_page(
        &self,
        delivery: Delivery,
        cursor: CursorUpdate,
    ) -> Result<Committed, StoreError> {
        self.pool
            .run(move |conn| poll::commit_page(conn, &delivery, &cursor))
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
        self.pool
            .run(move |conn| poll::record_failure(conn, &adapter, &account, at, &error))
    }

    fn poll_states(&self) -> Result<Vec<PollState>, StoreError> {
        self.read(poll::states)
    }

    fn claim_confirmations(
        &self,
        now: DateTime<Utc>,
        lease_until: DateTime<Utc>,
        limit: usize,
    ) -> Result<Vec<OutboxItem>, StoreError> {
        self.pool
            .run(move |conn| outbox::claim(conn, now, lease_until, limit))
    }

    fn finish_confirmation(
        &self,
        id: i64,
        result: SendResult,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        self.pool
            .run(move |conn| outbox::finish(conn, id, &result, now))
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
        self.read(move |s| {
            outbox::select(
                s,
                "order_adapter = $1 AND order_account = $2 AND order_external_id = $3 ORDER BY id",
                &[&a, &b, &c],
            )
        })
    }

    fn failed_confirmations(&self, limit: usize) -> Result<Vec<OutboxItem>, StoreError> {
        self.read(move |s| {
            outbox::select(
                s,
                "state = 'failed' ORDER BY updated_at DESC, id DESC LIMIT $1",
                &[&(limit as i64)],
            )
        })
    }

    fn recommit(&self, inbox_id: i64, outcome: Outcome) -> Result<Committed, StoreError> {
        self.pool
            .run(move |conn| write::recommit(conn, inbox_id, &outcome))
    }

    fn record_auth_failure(&self, failure: AuthFailure) -> Result<(), StoreError> {
        self.pool
            .run(move |conn| write::record_auth_failure(conn, &failure))
    }

    fn auth_failures(&self, limit: usize) -> Result<Vec<AuthFailure>, StoreError> {
        self.read(move |s| read::auth_failures(s, limit))
    }

    fn list_orders(&self, limit: usize) -> Result<Vec<OrderRecord>, StoreError> {
        self.read(move |s| read::list_orders(s, limit))
    }

    fn order_ids_changed_since(
        &self,
        adapter: &str,
        account: &str,
        since: DateTime<Utc>,
    ) -> Result<Vec<String>, StoreError> {
        let (adapter, account) = (adapter.to_string(), account.to_string());
        self.read(move |s| read::order_ids_changed_since(s, &adapter, &account, since))
    }

    fn order(
        &self,
        adapter: &str,
        account: &str,
        external_id: &str,
    ) -> Result<Option<OrderView>, StoreError> {
        let (adapter, account, external_id) = (
            adapter.to_string(),
            account.to_string(),
            external_id.to_string(),
        );
        self.read_snapshot(move |s| read::order_view(s, &adapter, &account, &external_id))
    }

    fn shipment(
        &self,
        carrier: &str,
        tracking_number: &str,
    ) -> Result<Option<ShipmentView>, StoreError> {
        let (carrier, tracking_number) = (carrier.to_string(), tracking_number.to_string());
        self.read_snapshot(move |s| read::shipment_view(s, &carrier, &tracking_number))
    }

    fn list_shipments(&self, limit: usize) -> Result<Vec<ShipmentRecord>, StoreError> {
        self.read(move |s| read::list_shipments(s, limit))
    }

    fn list_inbox(&self, dead_only: bool, limit: usize) -> Result<Vec<InboxEntry>, StoreError> {
        self.read(move |s| read::list_inbox(s, dead_only, limit))
    }

    fn inbox_entry(&self, id: i64) -> Result<Option<InboxEntry>, StoreError> {
        self.read(move |s| read::inbox_entry(s, id))
    }

    fn inbox_of_adapter(
        &self,
        adapter: &str,
        since: Option<DateTime<Utc>>,
    ) -> Result<Vec<InboxEntry>, StoreError> {
        let adapter = adapter.to_string();
        self.read(move |s| read::inbox_of_adapter(s, &adapter, since))
    }

    fn delivery_events(&self, inbox_id: i64) -> Result<Vec<super::TimelineEntry>, StoreError> {
        self.read(move |s| read::delivery_events(s, inbox_id))
    }

    fn export(
        &self,
        sink: &mut dyn FnMut(Record) -> Result<(), StoreError>,
    ) -> Result<(), StoreError> {
        let (records, received) = mpsc::sync_channel(256);
        let done = self
            .pool
            .submit(move |conn| transfer::export(conn, records))?;
        let mut sunk = Ok(());
        for record in received.iter() {
            if let Err(e) = sink(record) {
                sunk = Err(e);
                break;
            }
        }
        // Hanging up stops the export job at its next record.
        drop(received);
        let exported = done.recv().map_err(|_| StoreError::PoolGone)?;
        sunk.and(exported)
    }

    fn import(
        &self,
        records: &mut dyn Iterator<Item = Result<Record, StoreError>>,
        replace: bool,
    ) -> Result<(), StoreError> {
        let (feed, fed) = mpsc::sync_channel(256);
        let done = self
            .pool
            .submit(move |conn| transfer::import(conn, fed, replace))?;
        let mut bad_input = None;
        for record in records {
            match record {
                // A failed send means the job stopped; its answer says why.
                Ok(record) => {
                    if feed.send(Some(record)).is_err() {
                        break;
                    }
                }
                Err(e) => {
                    bad_input = Some(e);
                    break;
                }
            }
        }
        if bad_input.is_none() {
            let _ = feed.send(None);
        }
        // Hanging up without the end mark makes the job roll back.
        drop(feed);
        let imported = done.recv().map_err(|_| StoreError::PoolGone)?;
        match bad_input {
            Some(e) => Err(e),
            None => imported,
        }
    }
}
