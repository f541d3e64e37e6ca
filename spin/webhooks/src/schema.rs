//! The store's schema on Spin's SQLite: the native host's SQLite schema,
//! table for table and column for column, so a Spin database and a native
//! one hold the same rows the same way (and the shared rules in
//! `orderhub_apply` read and write both alike).
//!
//! The migrations are the native host's own (`orderhub_apply::sqlite_schema`),
//! recorded in `schema_migrations` under the same versions; the test suite
//! compares the resulting tables with the native store's. What only
//! the native host has (poll cursors, the confirmation outbox) comes in its
//! later migrations: a Spin component receives webhooks and sends nothing.

pub use orderhub_apply::sqlite_schema::MIGRATIONS_TABLE;

/// The migrations a Spin database gets: the native host's first ones, those
/// a store that only receives webhooks needs.
pub const MIGRATIONS: &[&str] = orderhub_apply::sqlite_schema::MIGRATIONS
    .split_at(orderhub_apply::sqlite_schema::WEBHOOK_MIGRATIONS)
    .0;

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
