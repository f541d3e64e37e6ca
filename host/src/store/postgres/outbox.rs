//! The outbox on PostgreSQL. Claiming uses `FOR UPDATE SKIP LOCKED`, so
//! hosts sharing the database each take different items.

use chrono::{DateTime, Utc};
use postgres::GenericClient;
use postgres::Row;

use super::pool::{Conn, Session};
use super::read::{from_json, ms, to_json};
use super::write::{PgTx, with_retry};
use crate::store::outbox::{OutboxItem, OutboxState, SendResult};
use crate::store::{ConfirmationRequest, StoreError};

pub(super) const COLUMNS: &str =
    "id, order_adapter, order_account, order_external_id, carrier, tracking_number, line_ids,
    requested_at, state, attempts, next_attempt_at, last_error, updated_at";

/// Queues a request inside the caller's transaction; a queued one stays.
pub(super) fn enqueue(tx: &mut PgTx<'_, '_>, r: &ConfirmationRequest) -> Result<(), StoreError> {
    let line_ids = to_json(&r.line_ids, "line ids")?;
    tx.execute(
        "INSERT INTO outbox (order_adapter, order_account, order_external_id, carrier, tracking_number, line_ids,
                             requested_at, state, attempts, next_attempt_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, 'pending', 0, $7, $7)
         ON CONFLICT (order_adapter, order_account, order_external_id, carrier, tracking_number) DO NOTHING",
        &[
            &r.order_adapter,
            &r.order_account,
            &r.order_external_id,
            &r.carrier,
            &r.tracking_number,
            &line_ids,
            &ms(r.requested_at),
        ],
    )?;
    Ok(())
}

pub(super) fn item(r: &Row) -> Result<OutboxItem, StoreError> {
    let state: String = r.try_get(8)?;
    Ok(OutboxItem {
        id: r.try_get(0)?,
        request: ConfirmationRequest {
            order_adapter: r.try_get(1)?,
            order_account: r.try_get(2)?,
            order_external_id: r.try_get(3)?,
            carrier: r.try_get(4)?,
            tracking_number: r.try_get(5)?,
            line_ids: from_json(r.try_get(6)?, "line ids")?,
            requested_at: r.try_get(7)?,
        },
        state: OutboxState::parse(&state).ok_or_else(|| StoreError::Corrupt {
            what: "outbox state".into(),
            message: state,
        })?,
        attempts: r.try_get(9)?,
        next_attempt_at: r.try_get(10)?,
        last_error: r.try_get(11)?,
        updated_at: r.try_get(12)?,
    })
}

/// Items matching a `WHERE` clause (with its `ORDER BY`).
pub(super) fn select<C: GenericClient>(
    s: &mut Session<'_, C>,
    clause: &str,
    args: &[&(dyn postgres::types::ToSql + Sync)],
) -> Result<Vec<OutboxItem>, StoreError> {
    s.query(
        &format!("SELECT {COLUMNS} FROM outbox WHERE {clause}"),
        args,
    )?
    .iter()
    .map(item)
    .collect()
}

/// Claims due items until `lease_until`.
pub(super) fn claim(
    conn: &mut Conn,
    now: DateTime<Utc>,
    lease_until: DateTime<Utc>,
    limit: usize,
) -> Result<Vec<OutboxItem>, StoreError> {
    with_retry(conn, |tx| {
        let due = select(
            tx,
            "state = 'pending' AND next_attempt_at <= $1 AND (claimed_until IS NULL OR claimed_until <= $1)
             ORDER BY next_attempt_at, id LIMIT $2 FOR UPDATE SKIP LOCKED",
            &[&ms(now), &(limit as i64)],
        )?;
        for item in &due {
            tx.execute(
                "UPDATE outbox SET claimed_until = $2 WHERE id = $1",
                &[&item.id, &ms(lease_until)],
            )?;
        }
        Ok(due)
    })
}

/// Records what sending a claimed item did.
pub(super) fn finish(
    conn: &mut Conn,
    id: i64,
    result: &SendResult,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    let (state, error, next) = result.columns(now);
    let error = error.map(|e| e.replace('\0', ""));
    with_retry(conn, |tx| {
        tx.execute(
            "UPDATE outbox SET state = $2, last_error = $3, next_attempt_at = $4, attempts = attempts + 1,
                               claimed_until = NULL, updated_at = $5
             WHERE id = $1",
            &[&id, &state.as_str(), &error, &ms(next), &ms(now)],
        )?;
        Ok(())
    })
}

/// Inserts an exported item as it was (import), id and state kept.
pub(super) fn insert(
    tx: &mut super::pool::Session<'_, postgres::Transaction<'_>>,
    item: &OutboxItem,
) -> Result<(), StoreError> {
    let r = &item.request;
    let line_ids = to_json(&r.line_ids, "line ids")?;
    tx.execute(
        "INSERT INTO outbox (id, order_adapter, order_account, order_external_id, carrier, tracking_number, line_ids,
                             requested_at, state, attempts, next_attempt_at, last_error, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)",
        &[
            &item.id,
            &r.order_adapter,
            &r.order_account,
            &r.order_external_id,
            &r.carrier,
            &r.tracking_number,
            &line_ids,
            &ms(r.requested_at),
            &item.state.as_str(),
            &item.attempts,
            &ms(item.next_attempt_at),
            &item.last_error,
            &ms(item.updated_at),
        ],
    )?;
    Ok(())
}
