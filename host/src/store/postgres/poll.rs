//! Poll cursors on PostgreSQL: a page and the cursor past it commit in one
//! transaction, so a host that dies mid-poll resumes from what it stored.

use chrono::{DateTime, Utc};
use postgres::GenericClient;

use super::pool::{Conn, Session};
use super::read::ms;
use super::write::{commit_delivery, with_retry};
use crate::store::{Committed, CursorUpdate, Delivery, PollState, StoreError};

/// Commits a poll page and moves the account's cursor with it.
pub(super) fn commit_page(
    conn: &mut Conn,
    delivery: &Delivery,
    cursor: &CursorUpdate,
) -> Result<Committed, StoreError> {
    with_retry(conn, |tx| {
        let committed = commit_delivery(tx, delivery, &delivery.outcome)?;
        tx.execute(
            "INSERT INTO poll_state (adapter, account, cursor, polled_at, pages) VALUES ($1, $2, $3, $4, 1)
             ON CONFLICT (adapter, account) DO UPDATE SET cursor = COALESCE(excluded.cursor, poll_state.cursor),
                polled_at = excluded.polled_at, pages = poll_state.pages + 1, last_error = NULL,
                last_error_at = NULL",
            &[&delivery.adapter, &delivery.account, &cursor.cursor, &ms(cursor.at)],
        )?;
        Ok(committed)
    })
}

/// Records a failed poll run; the cursor stays.
pub(super) fn record_failure(
    conn: &mut Conn,
    adapter: &str,
    account: &str,
    at: DateTime<Utc>,
    error: &str,
) -> Result<(), StoreError> {
    let error = error.replace('\0', "");
    with_retry(conn, |tx| {
        tx.execute(
            "INSERT INTO poll_state (adapter, account, last_error, last_error_at) VALUES ($1, $2, $3, $4)
             ON CONFLICT (adapter, account) DO UPDATE SET last_error = excluded.last_error,
                last_error_at = excluded.last_error_at",
            &[&adapter, &account, &error, &ms(at)],
        )?;
        Ok(())
    })
}

/// Every polled account's state.
pub(super) fn states<C: GenericClient>(
    s: &mut Session<'_, C>,
) -> Result<Vec<PollState>, StoreError> {
    s.query(
        "SELECT adapter, account, cursor, polled_at, pages, last_error, last_error_at FROM poll_state
         ORDER BY adapter COLLATE \"C\", account COLLATE \"C\"",
        &[],
    )?
    .iter()
    .map(|r| {
        Ok(PollState {
            adapter: r.try_get(0)?,
            account: r.try_get(1)?,
            cursor: r.try_get(2)?,
            polled_at: r.try_get(3)?,
            pages: r.try_get(4)?,
            last_error: r.try_get(5)?,
            last_error_at: r.try_get(6)?,
        })
    })
    .collect()
}
