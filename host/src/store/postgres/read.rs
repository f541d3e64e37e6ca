//! Rows to records, and the read queries of the PostgreSQL backend.

use ::postgres::{GenericClient, Row};
use chrono::{DateTime, Utc};
use orderhub_core::lifecycle::OrderState;
use orderhub_core::model::{AfterSaleStatus, OrderStatus, RawRequest, TrackingStatus};
use serde::Serialize;
use serde::de::DeserializeOwned;

use super::pool::Session;
use crate::store::apply::shipment_subject;
use crate::store::{
    AuthFailure, InboxEntry, InboxState, OrderRecord, OrderView, ShipmentRecord, ShipmentView,
    StoreError, TimelineEntry,
};

/// A time as stored: to the millisecond, like SQLite's RFC 3339 text, so both
/// backends hold and order the same instants.
pub(super) fn ms(t: DateTime<Utc>) -> DateTime<Utc> {
    DateTime::from_timestamp_millis(t.timestamp_millis()).unwrap_or(t)
}

/// A `LIMIT` parameter.
pub(super) fn limit(n: usize) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}

pub(super) fn to_json<T: Serialize + ?Sized>(
    value: &T,
    what: &str,
) -> Result<serde_json::Value, StoreError> {
    serde_json::to_value(value).map_err(|e| StoreError::Corrupt {
        what: what.to_string(),
        message: e.to_string(),
    })
}

pub(super) fn from_json<T: DeserializeOwned>(
    value: serde_json::Value,
    what: &str,
) -> Result<T, StoreError> {
    serde_json::from_value(value).map_err(|e| StoreError::Corrupt {
        what: what.to_string(),
        message: e.to_string(),
    })
}

fn corrupt(what: &str, value: String) -> StoreError {
    StoreError::Corrupt {
        what: what.to_string(),
        message: value,
    }
}

pub(super) const ORDER_COLUMNS: &str = "adapter, account, external_id, status, partial, hold_reason, after_sale, deposit_paid,
    hold_changed_at, after_sale_changed_at, customer_key, snapshot, snapshot_at, created_at, updated_at";

pub(super) fn order_from_row(r: &Row) -> Result<OrderRecord, StoreError> {
    let status: String = r.try_get(3)?;
    let after_sale: String = r.try_get(6)?;
    Ok(OrderRecord {
        adapter: r.try_get(0)?,
        account: r.try_get(1)?,
        external_id: r.try_get(2)?,
        state: OrderState {
            status: OrderStatus::parse(&status)
                .ok_or_else(|| corrupt("order status", status.clone()))?,
            partial: r.try_get(4)?,
            hold: r.try_get(5)?,
            after_sale: AfterSaleStatus::parse(&after_sale)
                .ok_or_else(|| corrupt("after-sale status", after_sale.clone()))?,
            deposit_paid: r.try_get(7)?,
            hold_changed_at: r.try_get(8)?,
            after_sale_changed_at: r.try_get(9)?,
        },
        customer_key: r.try_get(10)?,
        snapshot: r
            .try_get::<_, Option<serde_json::Value>>(11)?
            .map(|s| from_json(s, "order snapshot"))
            .transpose()?,
        snapshot_at: r.try_get(12)?,
        created_at: r.try_get(13)?,
        updated_at: r.try_get(14)?,
    })
}

pub(super) const SHIPMENT_COLUMNS: &str = "carrier, tracking_number, adapter, account, order_external_id, tracking, snapshot, updated_at, order_adapter, order_account";

pub(super) fn shipment_from_row(r: &Row) -> Result<ShipmentRecord, StoreError> {
    let tracking: Option<String> = r.try_get(5)?;
    Ok(ShipmentRecord {
        carrier: r.try_get(0)?,
        tracking_number: r.try_get(1)?,
        adapter: r.try_get(2)?,
        account: r.try_get(3)?,
        order_external_id: r.try_get(4)?,
        tracking: tracking
            .map(|t| TrackingStatus::parse(&t).ok_or_else(|| corrupt("tracking status", t)))
            .transpose()?,
        snapshot: from_json(r.try_get(6)?, "shipment snapshot")?,
        updated_at: r.try_get(7)?,
        order_adapter: r.try_get(8)?,
        order_account: r.try_get(9)?,
    })
}

const INBOX_COLUMNS: &str = "id, delivery_key, adapter, account, method, url, headers, body, state, error_kind, error_message, attempts, received_at";

fn inbox_from_row(r: &Row) -> Result<InboxEntry, StoreError> {
    let state: String = r.try_get(8)?;
    let headers: Vec<(String, String)> = from_json(r.try_get(6)?, "inbox headers")?;
    let body: Vec<u8> = r.try_get(7)?;
    let method: String = r.try_get(4)?;
    let url: String = r.try_get(5)?;
    Ok(InboxEntry {
        id: r.try_get(0)?,
        key: r.try_get(1)?,
        adapter: r.try_get(2)?,
        account: r.try_get(3)?,
        received_at: r.try_get(12)?,
        state: InboxState::parse(&state).ok_or_else(|| corrupt("inbox state", state.clone()))?,
        error_kind: r.try_get(9)?,
        error_message: r.try_get(10)?,
        attempts: r.try_get(11)?,
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

/// Which events a timeline holds (the same rule as SQLite's).
enum TimelineOf<'a> {
    /// Every event that concerns an order of one account.
    Order {
        adapter: &'a str,
        account: &'a str,
        external_id: &'a str,
    },
    /// Every scan of one shipment, whoever reported it.
    Shipment(&'a str),
}

fn timeline<C: GenericClient>(
    s: &mut Session<'_, C>,
    of: TimelineOf<'_>,
) -> Result<Vec<TimelineEntry>, StoreError> {
    const COLUMNS: &str = "event_key, inbox_id, recorded_at, event, mapping, applied, note";
    const ORDER: &str = "ORDER BY COALESCE(occurred_at, recorded_at), id";
    let rows = match of {
        TimelineOf::Order {
            adapter,
            account,
            external_id,
        } => s.query(
            &format!(
                "SELECT {COLUMNS} FROM events
                 WHERE (adapter = $1 AND account = $2 AND order_ref = $3)
                    OR (subject_kind = 'shipment' AND subject IN (
                        SELECT carrier || '/' || tracking_number FROM shipments
                         WHERE order_adapter = $1 AND order_account = $2 AND order_external_id = $3))
                 {ORDER}"
            ),
            &[&adapter, &account, &external_id],
        )?,
        TimelineOf::Shipment(subject) => s.query(
            &format!(
                "SELECT {COLUMNS} FROM events WHERE subject_kind = 'shipment' AND subject = $1 {ORDER}"
            ),
            &[&subject],
        )?,
    };
    rows.iter()
        .map(|r| {
            Ok(TimelineEntry {
                event_key: r.try_get(0)?,
                inbox_id: r.try_get(1)?,
                recorded_at: r.try_get(2)?,
                event: from_json(r.try_get(3)?, "event")?,
                mapping: r
                    .try_get::<_, Option<serde_json::Value>>(4)?
                    .map(|m| from_json(m, "mapping"))
                    .transpose()?,
                applied: r.try_get(5)?,
                note: r.try_get(6)?,
            })
        })
        .collect()
}

pub(super) fn inbox_id_of<C: GenericClient>(
    s: &mut Session<'_, C>,
    key: &str,
) -> Result<Option<i64>, StoreError> {
    s.query_opt("SELECT id FROM inbox WHERE delivery_key = $1", &[&key])?
        .map(|r| r.try_get(0).map_err(StoreError::from))
        .transpose()
}

pub(super) fn auth_failures<C: GenericClient>(
    s: &mut Session<'_, C>,
    n: usize,
) -> Result<Vec<AuthFailure>, StoreError> {
    s.query(
        "SELECT at, adapter, account, kind, message, remote FROM auth_failures ORDER BY id DESC LIMIT $1",
        &[&limit(n)],
    )?
    .iter()
    .map(|r| {
        Ok(AuthFailure {
            at: r.try_get(0)?,
            adapter: r.try_get(1)?,
            account: r.try_get(2)?,
            kind: r.try_get(3)?,
            message: r.try_get(4)?,
            remote: r.try_get(5)?,
        })
    })
    .collect()
}

pub(super) fn list_orders<C: GenericClient>(
    s: &mut Session<'_, C>,
    n: usize,
) -> Result<Vec<OrderRecord>, StoreError> {
    s.query(
        &format!(
            "SELECT {ORDER_COLUMNS} FROM orders ORDER BY updated_at DESC, external_id COLLATE \"C\" LIMIT $1"
        ),
        &[&limit(n)],
    )?
    .iter()
    .map(order_from_row)
    .collect()
}

pub(super) fn order_ids_changed_since<C: GenericClient>(
    s: &mut Session<'_, C>,
    adapter: &str,
    account: &str,
    since: DateTime<Utc>,
) -> Result<Vec<String>, StoreError> {
    Ok(s.query(
        "SELECT external_id FROM orders WHERE adapter = $1 AND account = $2 \
             AND updated_at >= $3 ORDER BY external_id COLLATE \"C\"",
        &[&adapter, &account, &since],
    )?
    .iter()
    .map(|r| r.get(0))
    .collect())
}

pub(super) fn order_view<C: GenericClient>(
    s: &mut Session<'_, C>,
    adapter: &str,
    account: &str,
    external_id: &str,
) -> Result<Option<OrderView>, StoreError> {
    let Some(row) = s.query_opt(
        &format!(
            "SELECT {ORDER_COLUMNS} FROM orders WHERE adapter = $1 AND account = $2 AND external_id = $3"
        ),
        &[&adapter, &account, &external_id],
    )?
    else {
        return Ok(None);
    };
    let order = order_from_row(&row)?;
    let timeline = timeline(
        s,
        TimelineOf::Order {
            adapter,
            account,
            external_id,
        },
    )?;
    let shipments = s
        .query(
            &format!(
                "SELECT {SHIPMENT_COLUMNS} FROM shipments WHERE order_adapter = $1 AND order_account = $2 AND order_external_id = $3
                 ORDER BY updated_at, carrier COLLATE \"C\", tracking_number COLLATE \"C\""
            ),
            &[&adapter, &account, &external_id],
        )?
        .iter()
        .map(shipment_from_row)
        .collect::<Result<_, _>>()?;
    Ok(Some(OrderView {
        order,
        timeline,
        shipments,
    }))
}

pub(super) fn shipment_view<C: GenericClient>(
    s: &mut Session<'_, C>,
    carrier: &str,
    tracking_number: &str,
) -> Result<Option<ShipmentView>, StoreError> {
    let Some(row) = s.query_opt(
        &format!(
            "SELECT {SHIPMENT_COLUMNS} FROM shipments WHERE carrier = $1 AND tracking_number = $2"
        ),
        &[&carrier, &tracking_number],
    )?
    else {
        return Ok(None);
    };
    let shipment = shipment_from_row(&row)?;
    let timeline = timeline(
        s,
        TimelineOf::Shipment(&shipment_subject(carrier, tracking_number)),
    )?;
    Ok(Some(ShipmentView { shipment, timeline }))
}

pub(super) fn list_shipments<C: GenericClient>(
    s: &mut Session<'_, C>,
    n: usize,
) -> Result<Vec<ShipmentRecord>, StoreError> {
    s.query(
        &format!(
            "SELECT {SHIPMENT_COLUMNS} FROM shipments
             ORDER BY updated_at DESC, carrier COLLATE \"C\", tracking_number COLLATE \"C\" LIMIT $1"
        ),
        &[&limit(n)],
    )?
    .iter()
    .map(shipment_from_row)
    .collect()
}

pub(super) fn list_inbox<C: GenericClient>(
    s: &mut Session<'_, C>,
    dead_only: bool,
    n: usize,
) -> Result<Vec<InboxEntry>, StoreError> {
    let filter = if dead_only {
        "WHERE state = 'dead'"
    } else {
        ""
    };
    s.query(
        &format!("SELECT {INBOX_COLUMNS} FROM inbox {filter} ORDER BY id DESC LIMIT $1"),
        &[&limit(n)],
    )?
    .iter()
    .map(inbox_from_row)
    .collect()
}

pub(super) fn inbox_of_adapter<C: GenericClient>(
    s: &mut Session<'_, C>,
    adapter: &str,
    since: Option<DateTime<Utc>>,
) -> Result<Vec<InboxEntry>, StoreError> {
    s.query(
        &format!(
            "SELECT {INBOX_COLUMNS} FROM inbox WHERE adapter = $1 AND ($2::timestamptz IS NULL OR received_at >= $2) ORDER BY id"
        ),
        &[&adapter, &since],
    )?
    .iter()
    .map(inbox_from_row)
    .collect()
}

pub(super) fn delivery_events<C: GenericClient>(
    s: &mut Session<'_, C>,
    inbox_id: i64,
) -> Result<Vec<TimelineEntry>, StoreError> {
    s.query(
        "SELECT event_key, inbox_id, recorded_at, event, mapping, applied, note FROM events WHERE inbox_id = $1 ORDER BY id",
        &[&inbox_id],
    )?
    .iter()
    .map(|r| {
        Ok(TimelineEntry {
            event_key: r.try_get(0)?,
            inbox_id: r.try_get(1)?,
            recorded_at: r.try_get(2)?,
            event: from_json(r.try_get(3)?, "event")?,
            mapping: r
                .try_get::<_, Option<serde_json::Value>>(4)?
                .map(|m| from_json(m, "mapping"))
                .transpose()?,
            applied: r.try_get(5)?,
            note: r.try_get(6)?,
        })
    })
    .collect()
}

pub(super) fn inbox_entry<C: GenericClient>(
    s: &mut Session<'_, C>,
    id: i64,
) -> Result<Option<InboxEntry>, StoreError> {
    s.query_opt(
        &format!("SELECT {INBOX_COLUMNS} FROM inbox WHERE id = $1"),
        &[&id],
    )?
    .as_ref()
    .map(inbox_from_row)
    .transpose()
}
