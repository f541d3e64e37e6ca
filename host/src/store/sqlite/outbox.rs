//! The outbox on SQLite. Queuing happens in the writer's transaction (see
//! `SqliteTx`); claiming and finishing use a connection of their own, like
//! import does, and wait for the writer through SQLite's busy timeout.

use chrono::{DateTime, Utc};
use rusqlite::{Connection, Row, TransactionBehavior, params};

use super::{parse_ts, ts};
use crate::store::outbox::{OutboxItem, OutboxState, SendResult};
use crate::store::{ConfirmationRequest, StoreError};

const COLUMNS: &str =
    "id, order_adapter, order_account, order_external_id, carrier, tracking_number, line_ids,
    requested_at, state, attempts, next_attempt_at, last_error, updated_at";

/// Queues a request inside the caller's transaction; a queued one stays.
pub(super) fn enqueue(conn: &Connection, r: &ConfirmationRequest) -> Result<(), StoreError> {
    let line_ids = serde_json::to_string(&r.line_ids).map_err(|e| StoreError::Corrupt {
        what: "line ids".into(),
        message: e.to_string(),
    })?;
    conn.execute(
        "INSERT INTO outbox (order_adapter, order_account, order_external_id, carrier, tracking_number, line_ids,
                             requested_at, state, attempts, next_attempt_at, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, 'pending', 0, ?7, ?7)
         ON CONFLICT (order_adapter, order_account, order_external_id, carrier, tracking_number) DO NOTHING",
        params![
            r.order_adapter, r.order_account, r.order_external_id, r.carrier, r.tracking_number, line_ids,
            ts(r.requested_at)
        ],
    )?;
    Ok(())
}

fn item(r: &Row<'_>) -> Result<OutboxItem, StoreError> {
    let state: String = r.get(8)?;
    Ok(OutboxItem {
        id: r.get(0)?,
        request: ConfirmationRequest {
            order_adapter: r.get(1)?,
            order_account: r.get(2)?,
            order_external_id: r.get(3)?,
            carrier: r.get(4)?,
            tracking_number: r.get(5)?,
            line_ids: serde_json::from_str(&r.get::<_, String>(6)?).map_err(|e| {
                StoreError::Corrupt {
                    what: "line ids".into(),
                    message: e.to_string(),
                }
            })?,
            requested_at: parse_ts(&r.get::<_, String>(7)?)?,
        },
        state: OutboxState::parse(&state).ok_or_else(|| StoreError::Corrupt {
            what: "outbox state".into(),
            message: state,
        })?,
        attempts: r.get(9)?,
        next_attempt_at: parse_ts(&r.get::<_, String>(10)?)?,
        last_error: r.get(11)?,
        updated_at: parse_ts(&r.get::<_, String>(12)?)?,
    })
}

/// Items matching a `WHERE` clause (with its `ORDER BY`).
pub(super) fn select(
    conn: &Connection,
    clause: &str,
    args: &[&dyn rusqlite::ToSql],
) -> Result<Vec<OutboxItem>, StoreError> {
    let mut stmt = conn.prepare_cached(&format!("SELECT {COLUMNS} FROM outbox WHERE {clause}"))?;
    let mut rows = stmt.query(args)?;
    let mut out = Vec::new();
    while let Some(r) = rows.next()? {
        out.push(item(r)?);
    }
    Ok(out)
}

/// Claims due items until `lease_until`.
pub(super) fn claim(
    conn: &mut Connection,
    now: DateTime<Utc>,
    lease_until: DateTime<Utc>,
    limit: usize,
) -> Result<Vec<OutboxItem>, StoreError> {
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let due = select(
        &tx,
        "state = 'pending' AND next_attempt_at <= ?1 AND (claimed_until IS NULL OR claimed_until <= ?1)
         ORDER BY next_attempt_at, id LIMIT ?2",
        &[&ts(now), &(limit as i64)],
    )?;
    for item in &due {
        tx.execute(
            "UPDATE outbox SET claimed_until = ?2 WHERE id = ?1",
            params![item.id, ts(lease_until)],
        )?;
    }
    tx.commit()?;
    Ok(due)
}

/// Records what sending a claimed item did.
pub(super) fn finish(
    conn: &mut Connection,
    id: i64,
    result: &SendResult,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    let (state, error, next) = result.columns(now);
    conn.execute(
        "UPDATE outbox SET state = ?2, last_error = ?3, next_attempt_at = ?4, attempts = attempts + 1,
                           claimed_until = NULL, updated_at = ?5
         WHERE id = ?1",
        params![id, state.as_str(), error, ts(next), ts(now)],
    )?;
    Ok(())
}

/// Inserts an exported item as it was (import), id and state kept.
pub(super) fn insert(conn: &Connection, item: &OutboxItem) -> Result<(), StoreError> {
    let r = &item.request;
    let line_ids = serde_json::to_string(&r.line_ids).map_err(|e| StoreError::Corrupt {
        what: "line ids".into(),
        message: e.to_string(),
    })?;
    conn.execute(
        "INSERT INTO outbox (id, order_adapter, order_account, order_external_id, carrier, tracking_number, line_ids,
                             requested_at, state, attempts, next_attempt_at, last_error, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)",
        params![
            item.id, r.order_adapter, r.order_account, r.order_external_id, r.carrier, r.tracking_number,
            line_ids, ts(r.requested_at), item.state.as_str(), item.attempts, ts(item.next_attempt_at),
            item.last_error, ts(item.updated_at)
        ],
    )?;
    Ok(())
}
