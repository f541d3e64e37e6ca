//! The SQLite schema, shared by every host that stores on SQLite: the
//! native host's embedded store and the Spin component's database. One
//! definition keeps a Spin database and a native one holding the same rows
//! the same way, so the shared rules read and write both alike and the
//! native store can open a Spin database.

/// The bookkeeping table of applied migrations.
pub const MIGRATIONS_TABLE: &str = "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL)";

/// How many of [`MIGRATIONS`] a store that only receives webhooks needs;
/// the later ones (poll cursors, the confirmation outbox) serve polling and
/// sending, which only the native host does.
pub const WEBHOOK_MIGRATIONS: usize = 2;

/// The schema, one migration per entry; applied in order, each once, and
/// recorded in `schema_migrations` under its 1-based position.
pub const MIGRATIONS: &[&str] = &[
    r#"
CREATE TABLE inbox (
    id INTEGER PRIMARY KEY,
    delivery_key TEXT NOT NULL UNIQUE,
    adapter TEXT NOT NULL,
    account TEXT NOT NULL,
    received_at TEXT NOT NULL,
    method TEXT NOT NULL,
    url TEXT NOT NULL,
    headers TEXT NOT NULL,
    body BLOB NOT NULL,
    state TEXT NOT NULL CHECK (state IN ('applied', 'dead')),
    error_kind TEXT,
    error_message TEXT,
    attempts INTEGER NOT NULL DEFAULT 1,
    updated_at TEXT NOT NULL
);
CREATE INDEX inbox_dead ON inbox (state) WHERE state = 'dead';
CREATE TABLE events (
    id INTEGER PRIMARY KEY,
    event_key TEXT NOT NULL UNIQUE,
    inbox_id INTEGER NOT NULL REFERENCES inbox (id),
    adapter TEXT NOT NULL,
    account TEXT NOT NULL,
    subject_kind TEXT NOT NULL,
    subject TEXT NOT NULL,
    order_ref TEXT,
    topic TEXT NOT NULL,
    occurred_at TEXT,
    recorded_at TEXT NOT NULL,
    event TEXT NOT NULL,
    mapping TEXT,
    applied INTEGER NOT NULL DEFAULT 0,
    note TEXT
);
CREATE INDEX events_subject ON events (subject_kind, subject);
CREATE INDEX events_order ON events (adapter, account, order_ref) WHERE order_ref IS NOT NULL;
CREATE TABLE orders (
    adapter TEXT NOT NULL,
    account TEXT NOT NULL,
    external_id TEXT NOT NULL,
    status TEXT NOT NULL,
    partial INTEGER NOT NULL,
    hold_reason TEXT,
    after_sale TEXT NOT NULL,
    deposit_paid INTEGER NOT NULL,
    hold_changed_at TEXT,
    after_sale_changed_at TEXT,
    customer_key TEXT,
    snapshot TEXT,
    snapshot_at TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    PRIMARY KEY (adapter, account, external_id)
);
CREATE INDEX orders_customer ON orders (customer_key) WHERE customer_key IS NOT NULL;
CREATE TABLE shipments (
    carrier TEXT NOT NULL,
    tracking_number TEXT NOT NULL,
    adapter TEXT NOT NULL,
    account TEXT NOT NULL,
    order_external_id TEXT,
    tracking TEXT,
    snapshot TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    PRIMARY KEY (carrier, tracking_number)
);
CREATE INDEX shipments_order ON shipments (adapter, account, order_external_id) WHERE order_external_id IS NOT NULL;
CREATE TABLE inventory (
    adapter TEXT NOT NULL,
    account TEXT NOT NULL,
    sku TEXT NOT NULL,
    warehouse TEXT NOT NULL,
    available INTEGER NOT NULL,
    at TEXT NOT NULL,
    PRIMARY KEY (adapter, account, sku, warehouse)
);
CREATE TABLE auth_failures (
    id INTEGER PRIMARY KEY,
    at TEXT NOT NULL,
    adapter TEXT NOT NULL,
    account TEXT NOT NULL,
    kind TEXT NOT NULL,
    message TEXT NOT NULL,
    remote TEXT
);
"#,
    r#"
-- Parcels link to the order they belong to, whoever reported them.
ALTER TABLE shipments ADD COLUMN order_adapter TEXT;
ALTER TABLE shipments ADD COLUMN order_account TEXT;
UPDATE shipments SET order_adapter = adapter, order_account = account
 WHERE order_external_id IS NOT NULL
   AND EXISTS (SELECT 1 FROM orders o WHERE o.adapter = shipments.adapter
               AND o.account = shipments.account AND o.external_id = shipments.order_external_id);
DROP INDEX shipments_order;
CREATE INDEX shipments_order ON shipments (order_adapter, order_account, order_external_id)
 WHERE order_adapter IS NOT NULL;
CREATE INDEX shipments_waiting ON shipments (order_external_id)
 WHERE order_adapter IS NULL AND order_external_id IS NOT NULL;
CREATE INDEX shipments_tracking ON shipments (tracking_number);
CREATE INDEX orders_external_id ON orders (external_id);
"#,
    r#"
-- Where each polled account stands; moved only with the page it covers.
CREATE TABLE poll_state (
    adapter TEXT NOT NULL,
    account TEXT NOT NULL,
    cursor TEXT,
    polled_at TEXT,
    pages INTEGER NOT NULL DEFAULT 0,
    last_error TEXT,
    last_error_at TEXT,
    PRIMARY KEY (adapter, account)
);
"#,
    r#"
-- Ship confirmations waiting for their channel; one per (order, parcel).
CREATE TABLE outbox (
    id INTEGER PRIMARY KEY,
    order_adapter TEXT NOT NULL,
    order_account TEXT NOT NULL,
    order_external_id TEXT NOT NULL,
    carrier TEXT NOT NULL,
    tracking_number TEXT NOT NULL,
    line_ids TEXT NOT NULL,
    requested_at TEXT NOT NULL,
    state TEXT NOT NULL CHECK (state IN ('pending', 'sent', 'skipped', 'failed')),
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TEXT NOT NULL,
    claimed_until TEXT,
    last_error TEXT,
    updated_at TEXT NOT NULL,
    UNIQUE (order_adapter, order_account, order_external_id, carrier, tracking_number)
);
CREATE INDEX outbox_due ON outbox (next_attempt_at) WHERE state = 'pending';
"#,
];
