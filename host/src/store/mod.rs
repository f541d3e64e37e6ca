//! The order store: one trait, real backends behind it.
//!
//! The pipeline hands the store a whole [`Delivery`] — the raw request, its
//! idempotency key and either the canonical events or the error that
//! dead-lettered it — and the store commits all of it in one transaction:
//! the inbox row, every event in the timeline, and the orders and shipments
//! the events move under the state machine. How events move state is written
//! once, in [`apply`], against the small [`apply::Tx`] trait each backend
//! implements, so SQLite and PostgreSQL cannot disagree about it.
//!
//! - [`sqlite`]: the embedded backend (one file, one writer thread).
//! - [`postgres`]: the shared backend several hosts can use at once.
//! - [`transfer`]: export and import as JSON lines, to move between them.

pub mod outbox;
pub mod postgres;
pub mod sqlite;
pub mod transfer;

use chrono::{DateTime, Utc};
use orderhub_core::model::{AdapterErrorKind, RawRequest};
use serde::{Deserialize, Serialize};

pub use postgres::{PgLocation, PgStore, UNSTORABLE_TEXT};
pub use sqlite::SqliteStore;
pub use transfer::Record;

/// The rules that apply events, shared with every other host.
pub use orderhub_apply::apply;
pub use orderhub_apply::records::{
    Committed, ConfirmationRequest, Delivery, InboxState, MappedEvent, OrderRecord, Outcome,
    ShipmentRecord, TimelineEntry,
};

/// Why the store failed. Storage failures are never the caller's input's fault.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("sqlite: {0}")]
    Sqlite(#[from] rusqlite::Error),
    #[error("postgres: {}", postgres_message(.0))]
    Postgres(::postgres::Error),
    #[error("cannot open the store at {path}: {message}")]
    Open { path: String, message: String },
    #[error("stored data is corrupt ({what}): {message}")]
    Corrupt { what: String, message: String },
    #[error("the store's writer has stopped")]
    WriterGone,
    #[error("no inbox entry with id {0}")]
    NoSuchInboxEntry(i64),
    #[error("the store's connection pool has stopped")]
    PoolGone,
    #[error("the store already holds data; import into an empty store, or replace its contents")]
    NotEmpty,
    #[error("import, line {line}: {message}")]
    Import { line: usize, message: String },
    #[error("{what}: {message}")]
    Io { what: String, message: String },
}

impl From<::postgres::Error> for StoreError {
    fn from(e: ::postgres::Error) -> Self {
        StoreError::Postgres(e)
    }
}

/// A driver error with its cause ("db error: ERROR: …", "error connecting to
/// server: Connection refused"), which the driver's own message leaves out.
pub fn postgres_message(e: &::postgres::Error) -> String {
    match std::error::Error::source(e) {
        Some(cause) => format!("{e}: {cause}"),
        None => e.to_string(),
    }
}

impl StoreError {
    /// True when the database gave up on a transaction because of a
    /// concurrent one (serialization failure, deadlock): running it again
    /// is expected to succeed.
    pub fn is_transient_conflict(&self) -> bool {
        use ::postgres::error::SqlState;
        match self {
            StoreError::Postgres(e) => matches!(
                e.code(),
                Some(code) if *code == SqlState::T_R_SERIALIZATION_FAILURE
                    || *code == SqlState::T_R_DEADLOCK_DETECTED
            ),
            _ => false,
        }
    }

    /// True when the connection to the database server was lost (a restart,
    /// a failover, an administrator ending it): a new connection may succeed.
    pub fn is_connection_lost(&self) -> bool {
        match self {
            // Class 08: connection exceptions; 57P: the server shutting down
            // or ending the session.
            StoreError::Postgres(e) => {
                e.is_closed()
                    || e.code()
                        .is_some_and(|c| c.code().starts_with("08") || c.code().starts_with("57P"))
            }
            _ => false,
        }
    }
}

/// An inbox entry (a stored raw delivery).
#[derive(Debug, Clone, Serialize)]
pub struct InboxEntry {
    pub id: i64,
    pub key: String,
    pub adapter: String,
    pub account: String,
    pub received_at: DateTime<Utc>,
    pub state: InboxState,
    pub error_kind: Option<String>,
    pub error_message: Option<String>,
    pub attempts: i64,
    pub method: String,
    pub url: String,
    pub body_bytes: usize,
    #[serde(skip)]
    pub request: RawRequest,
}

/// An order and its timeline, oldest first.
#[derive(Debug, Clone, Serialize)]
pub struct OrderView {
    #[serde(flatten)]
    pub order: OrderRecord,
    pub timeline: Vec<TimelineEntry>,
    /// The parcels linked to this order, whoever reported them.
    pub shipments: Vec<ShipmentRecord>,
}

/// A shipment and its timeline.
#[derive(Debug, Clone, Serialize)]
pub struct ShipmentView {
    #[serde(flatten)]
    pub shipment: ShipmentRecord,
    pub timeline: Vec<TimelineEntry>,
}

/// A failed authentication, kept for audit (never with secrets).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct AuthFailure {
    pub at: DateTime<Utc>,
    pub adapter: String,
    pub account: String,
    pub kind: String,
    pub message: String,
    pub remote: Option<String>,
}

/// The order store.
pub trait OrderStore: Send + Sync {
    /// The inbox id of an already stored delivery key.
    fn inbox_id_of(&self, key: &str) -> Result<Option<i64>, StoreError>;
    /// Commits a delivery: inbox row, timeline and state, atomically.
    fn commit(&self, delivery: Delivery) -> Result<Committed, StoreError>;
    /// Re-applies a stored inbox entry with a new outcome (replay after a fix).
    fn recommit(&self, inbox_id: i64, outcome: Outcome) -> Result<Committed, StoreError>;
    /// Records a failed verification.
    fn record_auth_failure(&self, failure: AuthFailure) -> Result<(), StoreError>;
    fn auth_failures(&self, limit: usize) -> Result<Vec<AuthFailure>, StoreError>;
    fn list_orders(&self, limit: usize) -> Result<Vec<OrderRecord>, StoreError>;
    /// The external ids of one account's orders that changed at or after
    /// `since`, in id order (what reconciliation compares against).
    fn order_ids_changed_since(
        &self,
        adapter: &str,
        account: &str,
        since: DateTime<Utc>,
    ) -> Result<Vec<String>, StoreError>;
    fn order(
        &self,
        adapter: &str,
        account: &str,
        external_id: &str,
    ) -> Result<Option<OrderView>, StoreError>;
    fn shipment(
        &self,
        carrier: &str,
        tracking_number: &str,
    ) -> Result<Option<ShipmentView>, StoreError>;
    fn list_shipments(&self, limit: usize) -> Result<Vec<ShipmentRecord>, StoreError>;
    fn list_inbox(&self, dead_only: bool, limit: usize) -> Result<Vec<InboxEntry>, StoreError>;
    fn inbox_entry(&self, id: i64) -> Result<Option<InboxEntry>, StoreError>;
    /// Every stored delivery of one adapter received at or after `since`,
    /// dead letters included, oldest first (what a re-derive replays).
    fn inbox_of_adapter(
        &self,
        adapter: &str,
        since: Option<DateTime<Utc>>,
    ) -> Result<Vec<InboxEntry>, StoreError>;
    /// The timeline rows one delivery recorded, in the order it recorded them.
    fn delivery_events(&self, inbox_id: i64) -> Result<Vec<TimelineEntry>, StoreError>;
    /// Hands every stored row to `sink` as a [`Record`], from one consistent
    /// snapshot, in an order [`OrderStore::import`] accepts (auth failures,
    /// inbox, events, orders, shipments, inventory; ids ascending).
    fn export(
        &self,
        sink: &mut dyn FnMut(Record) -> Result<(), StoreError>,
    ) -> Result<(), StoreError>;
    /// Loads exported records in one transaction, keeping their ids: all of
    /// them or none. A store that already holds data is refused
    /// ([`StoreError::NotEmpty`]) unless `replace`, which deletes its
    /// contents first, in the same transaction.
    fn import(
        &self,
        records: &mut dyn Iterator<Item = Result<Record, StoreError>>,
        replace: bool,
    ) -> Result<(), StoreError>;
    /// Commits one polled page and, in the same transaction, moves the
    /// account's cursor past it: a cursor never covers uncommitted data. The
    /// cursor moves even when the page was stored before (a duplicate).
    fn commit_poll_page(
        &self,
        delivery: Delivery,
        cursor: CursorUpdate,
    ) -> Result<Committed, StoreError>;
    /// Records that a poll run failed; the cursor stays where it was.
    fn record_poll_failure(
        &self,
        adapter: &str,
        account: &str,
        at: DateTime<Utc>,
        error: &str,
    ) -> Result<(), StoreError>;
    /// Where every polled account stands.
    fn poll_states(&self) -> Result<Vec<PollState>, StoreError>;
    /// Claims up to `limit` confirmations due at `now` for sending; no other
    /// sender gets them before `lease_until`.
    fn claim_confirmations(
        &self,
        now: DateTime<Utc>,
        lease_until: DateTime<Utc>,
        limit: usize,
    ) -> Result<Vec<outbox::OutboxItem>, StoreError>;
    /// Records what sending a claimed confirmation did.
    fn finish_confirmation(
        &self,
        id: i64,
        result: outbox::SendResult,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError>;
    /// The confirmations of one order, oldest first.
    fn confirmations_of(
        &self,
        adapter: &str,
        account: &str,
        external_id: &str,
    ) -> Result<Vec<outbox::OutboxItem>, StoreError>;
    /// Confirmations given up on, newest first.
    fn failed_confirmations(&self, limit: usize) -> Result<Vec<outbox::OutboxItem>, StoreError>;
    /// Where one account's polling stands, if it was ever polled.
    fn poll_state(&self, adapter: &str, account: &str) -> Result<Option<PollState>, StoreError> {
        Ok(self
            .poll_states()?
            .into_iter()
            .find(|p| p.adapter == adapter && p.account == account))
    }
}

/// Where an account's polling stands.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PollState {
    pub adapter: String,
    pub account: String,
    /// The adapter's cursor after the last committed page; `None` before the
    /// first page (the adapter then starts from its own first window).
    pub cursor: Option<String>,
    /// When the last page was committed.
    pub polled_at: Option<DateTime<Utc>>,
    /// Pages committed so far.
    pub pages: i64,
    /// The last failed run's error, cleared by the next committed page.
    pub last_error: Option<String>,
    pub last_error_at: Option<DateTime<Utc>>,
}

/// The cursor move that goes with a committed poll page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CursorUpdate {
    /// The new cursor; `None` keeps the current one (the adapter said so).
    pub cursor: Option<String>,
    pub at: DateTime<Utc>,
}

/// The kind string stored for an adapter error kind.
pub fn error_kind_name(kind: AdapterErrorKind) -> String {
    kind.as_str().to_string()
}
