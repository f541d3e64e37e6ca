//! Polling delivery orders and sale orders by `write_date`.
//!
//! Odoo Community has no webhooks, so the adapter reads, in turn, outgoing
//! `stock.picking` records and `sale.order` records written after a
//! watermark. Each model has its own watermark `(write_date, id)`: the next
//! page asks for
//!
//! ```text
//! write_date > W  or  (write_date = W and id > I)
//! ```
//!
//! ordered by `write_date asc, id asc`, so records sharing a timestamp are
//! never lost at a page boundary. `write_date` is stamped at the start of
//! the writing transaction, which may commit later; pages therefore only
//! reach up to [`SAFETY_LAG_MS`] before `now`, so a slow transaction is read
//! once it has committed.
//!
//! The cursor is `{"model": …, "picking": {"write_date", "id"}, "order":
//! {…}}`. A full page keeps the model and asks to poll again at once; a
//! short page of pickings moves on to sale orders (again at once), a short
//! page of sale orders moves back to pickings and ends the round. The first
//! poll starts both watermarks one day before `now`; a reconciliation window
//! ([`cursor_at`]) starts both at the given time (the watermarks have no span
//! to respect).

use orderhub_adapter_kit::json::Fields;
use orderhub_adapter_kit::{KitError, time};
use serde_json::{Value, json};

use crate::bindings::orderhub::adapter::types::{Account, HttpResponse, OutboundRequest, PollPage};
use crate::records;
use crate::rpc;

pub(crate) const PICKING: &str = "stock.picking";
pub(crate) const SALE_ORDER: &str = "sale.order";
const PAGE_SIZE: usize = 100;
const SAFETY_LAG_MS: i64 = 5 * 60 * 1000;
const FIRST_LOOKBACK_MS: i64 = 24 * 60 * 60 * 1000;

pub(crate) const PICKING_FIELDS: &[&str] = &[
    "id",
    "name",
    "state",
    "origin",
    "sale_id",
    "carrier_id",
    "carrier_tracking_ref",
    "location_id",
    "write_date",
    "date_done",
];
pub(crate) const ORDER_FIELDS: &[&str] = &[
    "id",
    "name",
    "state",
    "client_order_ref",
    "currency_id",
    "date_order",
    "write_date",
];

fn utc_text(millis: i64) -> String {
    time::format_local(
        millis,
        chrono::FixedOffset::east_opt(0).unwrap_or_else(time::shanghai),
    )
}

/// One model's watermark.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Mark {
    write_date: String,
    id: i64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct Cursor {
    /// True while reading pickings, false while reading sale orders.
    pickings: bool,
    picking: Mark,
    order: Mark,
}

impl Cursor {
    fn first(now: i64) -> Self {
        Cursor::starting_at(now.saturating_sub(FIRST_LOOKBACK_MS))
    }

    /// Both watermarks at `start` (UTC milliseconds, truncated to the second:
    /// `write_date` is UTC text), reading pickings first.
    fn starting_at(start: i64) -> Self {
        let start = Mark {
            write_date: utc_text(start),
            id: 0,
        };
        Cursor {
            pickings: true,
            picking: start.clone(),
            order: start,
        }
    }

    fn parse(text: &str) -> Result<Self, KitError> {
        let value = serde_json::from_str::<Value>(text).map_err(|e| {
            KitError::invalid(
                "cursor",
                format_args!("not this adapter's cursor JSON: {e}"),
            )
        })?;
        let f = Fields::of(&value, "cursor")?;
        let pickings = match f.string("model")?.as_str() {
            PICKING => true,
            SALE_ORDER => false,
            other => {
                return Err(KitError::invalid(
                    "cursor.model",
                    format_args!("{other:?} is neither stock.picking nor sale.order"),
                ));
            }
        };
        let mark = |key: &str| -> Result<Mark, KitError> {
            let m = f.object(key)?;
            let write_date = m.string("write_date")?;
            time::parse_local(&write_date, time::shanghai(), &m.path_of("write_date"))?;
            Ok(Mark {
                write_date,
                id: m.integer("id")?,
            })
        };
        Ok(Cursor {
            pickings,
            picking: mark("picking")?,
            order: mark("order")?,
        })
    }

    fn to_json(&self) -> String {
        let mark = |m: &Mark| json!({"write_date": m.write_date, "id": m.id});
        json!({
            "model": if self.pickings { PICKING } else { SALE_ORDER },
            "picking": mark(&self.picking),
            "order": mark(&self.order),
        })
        .to_string()
    }
}

/// The cursor that reads again every picking and sale order written since
/// `since`: both watermarks at `since`, from the first record.
pub(crate) fn cursor_at(since: i64) -> Result<String, KitError> {
    let cursor = Cursor::starting_at(since);
    if cursor.picking.write_date.is_empty() {
        return Err(KitError::invalid(
            "since",
            format_args!("{since} ms is not a representable time"),
        ));
    }
    Ok(cursor.to_json())
}

/// `write_date > W or (write_date = W and id > I)`, up to `upper`.
fn after(mark: &Mark, upper: &str) -> Vec<Value> {
    vec![
        json!("|"),
        json!(["write_date", ">", mark.write_date]),
        json!("&"),
        json!(["write_date", "=", mark.write_date]),
        json!(["id", ">", mark.id]),
        json!(["write_date", "<=", upper]),
    ]
}

/// The signed `search_read` for the cursor's model.
pub(crate) fn request(
    cursor: Option<&str>,
    account: &Account,
    now: i64,
) -> Result<OutboundRequest, KitError> {
    let cursor = match cursor {
        Some(text) => Cursor::parse(text)?,
        None => Cursor::first(now),
    };
    let upper = utc_text(now.saturating_sub(SAFETY_LAG_MS));
    let draft = if cursor.pickings {
        let mut domain = vec![json!(["picking_type_code", "=", "outgoing"])];
        domain.extend(after(&cursor.picking, &upper));
        rpc::search_read(
            account,
            PICKING,
            Value::Array(domain),
            PICKING_FIELDS,
            PAGE_SIZE,
        )?
    } else {
        let domain = after(&cursor.order, &upper);
        rpc::search_read(
            account,
            SALE_ORDER,
            Value::Array(domain),
            ORDER_FIELDS,
            PAGE_SIZE,
        )?
    };
    rpc::sign(draft, account)
}

/// The events of one page and the cursor to read next.
pub(crate) fn response(
    cursor: Option<&str>,
    response: &HttpResponse,
    now: i64,
) -> Result<PollPage, KitError> {
    let mut cursor = match cursor {
        Some(text) => Cursor::parse(text)?,
        None => Cursor::first(now),
    };
    let result = rpc::records(response)?;
    let holder = json!({ "result": result });
    let root = Fields::of(&holder, "")?;
    let rows = root.objects("result")?;
    let mut events = Vec::new();
    let mut last: Option<Mark> = None;
    for row in &rows {
        events.extend(if cursor.pickings {
            records::picking(row)?
        } else {
            records::sale_order(row)?
        });
        let write_date = records::text(row, "write_date")
            .ok_or_else(|| KitError::MissingField(row.path_of("write_date")))?;
        time::parse_local(&write_date, time::shanghai(), &row.path_of("write_date"))?;
        last = Some(Mark {
            write_date,
            id: row.integer("id")?,
        });
    }
    if let Some(mark) = last {
        if cursor.pickings {
            cursor.picking = mark;
        } else {
            cursor.order = mark;
        }
    }
    let full = rows.len() >= PAGE_SIZE;
    let more = if full {
        true
    } else if cursor.pickings {
        cursor.pickings = false;
        true
    } else {
        cursor.pickings = true;
        false
    };
    Ok(PollPage {
        events,
        next_cursor: Some(cursor.to_json()),
        more,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bindings::orderhub::adapter::types::Field;

    /// 2024-03-06 00:00:00 UTC.
    const NOW: i64 = 1_709_683_200_000;

    fn account() -> Account {
        let f = |n: &str, v: &str| Field {
            name: n.into(),
            value: v.into(),
        };
        Account {
            id: "main".into(),
            secrets: vec!["api-key".into()],
            credentials: vec![
                f("base_url", "https://acme.odoo.com"),
                f("db", "acme"),
                f("uid", "2"),
            ],
        }
    }

    fn reply(body: &str) -> HttpResponse {
        HttpResponse {
            status: 200,
            headers: vec![],
            body: body.as_bytes().to_vec(),
        }
    }

    #[test]
    fn first_request_reads_outgoing_pickings_one_day_back() {
        let r = request(None, &account(), NOW).unwrap();
        assert_eq!(r.url, "https://acme.odoo.com/jsonrpc");
        let body = String::from_utf8(r.body).unwrap();
        assert!(body.contains(r#"[[["picking_type_code","=","outgoing"],"|",["write_date",">","2024-03-05 00:00:00"],"&",["write_date","=","2024-03-05 00:00:00"],["id",">",0],["write_date","<=","2024-03-05 23:55:00"]]]"#), "{body}");
    }

    #[test]
    fn cursor_at_starts_both_watermarks_at_since() {
        // 2024-03-05T10:30:00.250Z, truncated to the second.
        let text = cursor_at(1_709_634_600_250).unwrap();
        assert_eq!(
            text,
            r#"{"model":"stock.picking","picking":{"write_date":"2024-03-05 10:30:00","id":0},"order":{"write_date":"2024-03-05 10:30:00","id":0}}"#
        );
        let r = request(Some(&text), &account(), NOW).unwrap();
        let body = String::from_utf8(r.body).unwrap();
        assert!(
            body.contains(r#"["write_date",">","2024-03-05 10:30:00"],"&",["write_date","=","2024-03-05 10:30:00"],["id",">",0]"#),
            "{body}"
        );
        assert!(matches!(
            cursor_at(i64::MAX),
            Err(KitError::InvalidField(m)) if m.starts_with("since:")
        ));
    }

    #[test]
    fn short_pages_alternate_models() {
        let page = response(None, &reply(r#"{"jsonrpc":"2.0","id":1,"result":[{"id":9,"name":"WH/OUT/9","state":"assigned","sale_id":[4,"S4"],"carrier_tracking_ref":false,"write_date":"2024-03-05 12:00:00"}]}"#), NOW).unwrap();
        assert_eq!(page.events.len(), 1);
        assert!(page.more);
        let next = page.next_cursor.unwrap();
        assert_eq!(
            next,
            r#"{"model":"sale.order","picking":{"write_date":"2024-03-05 12:00:00","id":9},"order":{"write_date":"2024-03-05 00:00:00","id":0}}"#
        );
        let page = response(Some(&next), &reply(r#"{"result":[]}"#), NOW).unwrap();
        assert!(!page.more);
        assert!(
            page.next_cursor
                .unwrap()
                .starts_with(r#"{"model":"stock.picking""#)
        );
    }
}
