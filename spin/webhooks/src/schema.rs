//! The store's schema on Spin's SQLite: the native host's SQLite schema,
//! table for table and column for column, so a Spin database and a native
//! one hold the same rows the same way (and the shared rules in
//! `orderhub_apply` read and write both alike).
//!
//! The entries are the native host's first migrations, word for word, and
//! are recorded in `schema_migrations` under the same versions; the test
//! suite compares the resulting tables with the native store's. What only
//! the native host has (poll cursors, the confirmation outbox) comes in its
//! later migrations: a Spin component receives webhooks and sends nothing.

/// The bookkeeping table, as in the native host.
pub const MIGRATIONS_TABLE: &str = "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL)";

/// The schema, one migration per entry; applied in order, each once.
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
];

/// The tables a Spin database holds.
pub const TABLES: &[&str] = &[
    "inbox",
    "events",
    "orders",
    "shipments",
    "inventory",
    "auth_failures",
];

/// Splits a migration into single statements: Spin's SQLite runs one
/// statement per call. The schema has no `;` inside a statement.
pub fn statements(migration: &str) -> impl Iterator<Item = &str> {
    migration.split(';').map(str::trim).filter(|s| {
        !s.is_empty()
            && !s
                .lines()
                .all(|l| l.trim().is_empty() || l.trim().starts_with("--"))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_table_is_created_and_statements_split_cleanly() {
        let all: Vec<&str> = MIGRATIONS.iter().flat_map(|m| statements(m)).collect();
        for table in TABLES {
            let create = format!("CREATE TABLE {table} (");
            assert!(
                all.iter().any(|s| s.starts_with(&create)),
                "{table} is created"
            );
        }
        assert!(all.iter().all(|s| !s.ends_with(';')));
        assert!(
            all.iter()
                .any(|s| s.ends_with("ADD COLUMN order_adapter TEXT"))
        );
    }
}
