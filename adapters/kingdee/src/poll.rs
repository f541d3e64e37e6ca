//! The incremental poll: `ExecuteBillQuery` on `SAL_OUTSTOCK` over closed
//! `FModifyDate` windows, page by page.
//!
//! K3 Cloud has no push, so shipments are read back by modify time. A window
//! `[from, to)` is read once it is closed — its end at least [`SAFETY_LAG_MS`]
//! before `now` — in pages of [`LIMIT`] rows (`StartRow`/`Limit`), ordered by
//! modify date then bill id so the rows of a bill are adjacent. A full page may
//! end in the middle of a bill, so its last bill is left for the next page,
//! which starts at that bill's first row; only a bill longer than a whole page
//! is emitted in parts.
//!
//! The cursor is this adapter's JSON, `{"from","to","row"}`, with UTC times.
//! The filter is written in the tenant's local time (`time_zone` credential),
//! because K3 Cloud compares `FModifyDate` as server-local text. The first
//! poll (no cursor) sends a query that matches nothing and answers with the
//! first window, one day back; a reconciliation window ([`cursor_at`]) is the
//! first window from the given time.

use chrono::FixedOffset;
use orderhub_adapter_kit::json::Fields;
use orderhub_adapter_kit::{KitError, http, time};
use serde_json::{Value, json};

use crate::account;
use crate::bill::{self, FIELD_KEYS, FORM_ID, Row};
use crate::bindings::orderhub::adapter::types::{Account, HttpResponse, OutboundRequest, PollPage};
use crate::signing;
use orderhub_adapter_kit::zone::parse_zone;

/// The query service, under the server URL.
pub(crate) const QUERY_PATH: &str =
    "/Kingdee.BOS.WebApi.ServicesStub.DynamicFormService.ExecuteBillQuery.common.kdsvc";
/// Windows are at most 30 minutes.
const WINDOW_MS: i64 = 30 * 60 * 1000;
/// How long after its end a window counts as closed (server clock skew,
/// bills audited in long transactions).
const SAFETY_LAG_MS: i64 = 5 * 60 * 1000;
/// The first poll looks back one day.
const FIRST_LOOKBACK_MS: i64 = 24 * 60 * 60 * 1000;
/// Rows per page (clients commonly page at 1000–2000).
pub(crate) const LIMIT: usize = 2000;

/// The window being read and the row to read next.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Cursor {
    pub from: i64,
    pub to: i64,
    pub row: usize,
}

impl Cursor {
    fn parse(text: &str) -> Result<Self, KitError> {
        let value: Value = serde_json::from_str(text).map_err(|e| {
            KitError::invalid(
                "cursor",
                format_args!("not this adapter's cursor JSON: {e}"),
            )
        })?;
        let fields = Fields::of(&value, "cursor")?;
        let at = |key: &str| time::parse_rfc3339(&fields.string(key)?, &fields.path_of(key));
        let (from, to) = (at("from")?, at("to")?);
        if to <= from {
            return Err(KitError::invalid(
                "cursor.to",
                "the window ends before it starts",
            ));
        }
        let row = match fields.optional("row") {
            None => 0,
            Some(_) => usize::try_from(fields.integer("row")?)
                .map_err(|_| KitError::invalid("cursor.row", "not a row number"))?,
        };
        Ok(Cursor { from, to, row })
    }

    fn to_json(&self) -> String {
        json!({
            "from": time::format_rfc3339(self.from),
            "to": time::format_rfc3339(self.to),
            "row": self.row,
        })
        .to_string()
    }
}

fn floor_second(millis: i64) -> i64 {
    millis.div_euclid(1000).saturating_mul(1000)
}

/// Everything modified before this instant can be read without missing data.
fn closed_until(now: i64) -> i64 {
    floor_second(now).saturating_sub(SAFETY_LAG_MS)
}

/// The window starting at `from`: as long as allowed, never past what is
/// closed, and at least a second.
fn window_from(from: i64, now: i64) -> Cursor {
    Cursor {
        from,
        to: from
            .saturating_add(WINDOW_MS)
            .min(closed_until(now))
            .max(from.saturating_add(1000)),
        row: 0,
    }
}

/// The cursor that reads every bill modified since `since` again: the window
/// starting at `since` (whole seconds), no longer than [`WINDOW_MS`] and
/// closed by `now`; the poll moves on from it window by window as usual.
pub(crate) fn cursor_at(since: i64, now: i64) -> String {
    window_from(floor_second(since), now).to_json()
}

/// The tenant's zone (`time_zone`, default +08:00).
pub(crate) fn tenant_zone(account: &Account) -> Result<FixedOffset, KitError> {
    match account::optional(account, "time_zone") {
        Some(text) => parse_zone(text, "credentials.time_zone"),
        None => Ok(time::shanghai()),
    }
}

/// The server URL the services hang under, e.g. `https://x.ik3cloud.com/k3cloud`.
fn server_url(account: &Account) -> Result<String, KitError> {
    let configured = account::required(
        account,
        "base_url",
        "the K3 Cloud server URL, e.g. https://<tenant>.ik3cloud.com/k3cloud",
    )?;
    Ok(
        http::base_url(Some(configured), "", "credentials.base_url")?
            .trim_end_matches('/')
            .to_string(),
    )
}

/// The query body for a window page (or the match-nothing query).
fn query_body(filter: &str, start_row: usize, limit: usize) -> Vec<u8> {
    json!({
        "data": {
            "FormId": FORM_ID,
            "FieldKeys": FIELD_KEYS.join(","),
            "FilterString": filter,
            "OrderString": "FModifyDate ASC,FID ASC",
            "TopRowCount": 0,
            "StartRow": start_row,
            "Limit": limit,
            "SubSystemId": "",
        }
    })
    .to_string()
    .into_bytes()
}

/// The filter of a window, in the tenant's local time, half-open.
fn window_filter(window: &Cursor, zone: FixedOffset) -> String {
    format!(
        "FModifyDate >= '{}' and FModifyDate < '{}'",
        time::format_local(window.from, zone),
        time::format_local(window.to, zone)
    )
}

/// Builds the next signed query from the cursor.
pub(crate) fn request(
    cursor: Option<&str>,
    account: &Account,
    now: i64,
) -> Result<OutboundRequest, KitError> {
    let zone = tenant_zone(account)?;
    let body = match cursor.map(Cursor::parse).transpose()? {
        Some(window) => query_body(&window_filter(&window, zone), window.row, LIMIT),
        // The first poll: nothing to read until the window is fixed.
        None => query_body("1=0", 0, 1),
    };
    let draft = OutboundRequest {
        method: "POST".into(),
        url: format!("{}{QUERY_PATH}", server_url(account)?),
        query: vec![],
        headers: vec![],
        body,
    };
    signing::sign(draft, account, now)
}

/// Reads a query answer into events and the next cursor.
pub(crate) fn response(
    cursor: Option<&str>,
    response: &HttpResponse,
    account: &Account,
    now: i64,
) -> Result<PollPage, KitError> {
    let zone = tenant_zone(account)?;
    let text = String::from_utf8_lossy(&response.body);
    if text.trim_start().starts_with("response_error:") {
        return Err(KitError::invalid("body", text.trim()));
    }
    let value: Value = serde_json::from_slice(&response.body).map_err(|e| {
        KitError::MalformedPayload(format!(
            "HTTP {}: the answer is not JSON: {e}",
            response.status
        ))
    })?;
    if let Some(error) = service_error(&value) {
        return Err(error);
    }
    if !(200..300).contains(&response.status) {
        return Err(KitError::invalid(
            "status",
            format_args!("K3 Cloud answered HTTP {}", response.status),
        ));
    }
    let Value::Array(items) = &value else {
        return Err(KitError::MalformedPayload(
            "the answer is not an array of rows".into(),
        ));
    };
    let Some(window) = cursor.map(Cursor::parse).transpose()? else {
        // The first poll's match-nothing query: fix the first window now.
        let from = floor_second(now).saturating_sub(FIRST_LOOKBACK_MS);
        return Ok(PollPage {
            events: vec![],
            next_cursor: Some(window_from(from, now).to_json()),
            more: true,
        });
    };
    if window.to > closed_until(now) {
        // Still open: read it again once it is closed.
        return Ok(PollPage {
            events: vec![],
            next_cursor: None,
            more: false,
        });
    }
    let rows = items
        .iter()
        .enumerate()
        .map(|(i, v)| Row::new(i, v))
        .collect::<Result<Vec<_>, _>>()?;
    let mut bills = bill::group(&rows)?;
    let full = rows.len() >= LIMIT;
    let next = if full {
        // The last bill may continue on the next page: leave it for that page,
        // unless it is the only one (a bill longer than a page).
        let consumed = if bills.len() > 1 {
            let last = bills.pop().map_or(0, <[Row<'_>]>::len);
            rows.len() - last
        } else {
            rows.len()
        };
        Cursor {
            row: window.row.saturating_add(consumed),
            ..window.clone()
        }
    } else {
        window_from(window.to, now)
    };
    let mut events = Vec::new();
    for bill in bills {
        events.extend(bill::shipment_event(bill, zone)?);
    }
    let more = full || next.to <= closed_until(now);
    Ok(PollPage {
        events,
        next_cursor: Some(next.to_json()),
        more,
    })
}

/// A K3 Cloud service error (`Result.ResponseStatus` with `IsSuccess` false,
/// possibly nested in the rows array) or a gateway error (`errcode`).
fn service_error(value: &Value) -> Option<KitError> {
    let mut node = value;
    while let Value::Array(items) = node {
        node = items.first()?;
    }
    let Value::Object(map) = node else {
        return None;
    };
    if let Some(code) = map.get("errcode") {
        let message = map
            .get("description")
            .and_then(Value::as_str)
            .unwrap_or_default();
        return Some(KitError::MissingCredential(format!(
            "the Kingdee gateway refused the call (errcode {code}: {message}); check app_id, app_secret, acct_id and user_name"
        )));
    }
    let status = map.get("Result")?.get("ResponseStatus")?;
    if status.get("IsSuccess").and_then(Value::as_bool) != Some(false) {
        return None;
    }
    let messages: Vec<&str> = status
        .get("Errors")
        .and_then(Value::as_array)
        .map(|errors| {
            errors
                .iter()
                .filter_map(|e| e.get("Message").and_then(Value::as_str))
                .collect()
        })
        .unwrap_or_default();
    let message = messages.join("; ");
    let code = status.get("MsgCode").or_else(|| status.get("ErrorCode"));
    let text = format!(
        "K3 Cloud refused the query ({}): {message}",
        code.map(Value::to_string).unwrap_or_default()
    );
    Some(
        if message.contains("会话")
            || message.to_ascii_lowercase().contains("session")
            || message.contains("登录")
        {
            KitError::MissingCredential(text)
        } else {
            KitError::invalid("Result.ResponseStatus", text)
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bindings::orderhub::adapter::types::{EventBody, Field};

    const NOW: i64 = 1_714_560_000_000; // 2024-05-01T10:40:00Z

    fn account() -> Account {
        let cred = |n: &str, v: &str| Field {
            name: n.into(),
            value: v.into(),
        };
        Account {
            id: "main".into(),
            secrets: vec!["appsecret".into()],
            credentials: vec![
                cred("app_id", "abc_YWJjZGVmZ2hpamtsbW5vcHFyc3R1dnd4"),
                cred("acct_id", "62a1"),
                cred("user_name", "api"),
                cred("base_url", "https://t.ik3cloud.com/k3cloud/"),
            ],
        }
    }

    fn answer(body: &str) -> HttpResponse {
        HttpResponse {
            status: 200,
            headers: vec![],
            body: body.as_bytes().to_vec(),
        }
    }

    fn cursor(from: &str, to: &str, row: usize) -> String {
        let at = |t: &str| time::parse_rfc3339(t, "t").unwrap();
        Cursor {
            from: at(from),
            to: at(to),
            row,
        }
        .to_json()
    }

    #[test]
    fn first_poll_matches_nothing_then_fixes_the_window() {
        let r = request(None, &account(), NOW).unwrap();
        assert_eq!(
            r.url,
            "https://t.ik3cloud.com/k3cloud/Kingdee.BOS.WebApi.ServicesStub.DynamicFormService.ExecuteBillQuery.common.kdsvc"
        );
        let body: Value = serde_json::from_slice(&r.body).unwrap();
        assert_eq!(body["data"]["FilterString"], "1=0");
        let page = response(None, &answer("[]"), &account(), NOW).unwrap();
        assert!(page.more);
        assert_eq!(
            page.next_cursor.as_deref(),
            Some(cursor("2024-04-30T10:40:00Z", "2024-04-30T11:10:00Z", 0).as_str())
        );
    }

    #[test]
    fn cursor_at_is_the_window_from_since() {
        // 2024-04-30T00:00:00.400Z: a 30-minute window from the second.
        let text = cursor_at(1_714_435_200_400, NOW);
        assert_eq!(
            text,
            r#"{"from":"2024-04-30T00:00:00Z","to":"2024-04-30T00:30:00Z","row":0}"#
        );
        // Close to `now` the window ends where closed data ends (5 minutes back).
        assert_eq!(
            cursor_at(NOW - 10 * 60 * 1000, NOW),
            r#"{"from":"2024-05-01T10:30:00Z","to":"2024-05-01T10:35:00Z","row":0}"#
        );
        // The poll reads it like any window, in the tenant's zone.
        let r = request(Some(&text), &account(), NOW).unwrap();
        let body: Value = serde_json::from_slice(&r.body).unwrap();
        assert_eq!(
            body["data"]["FilterString"],
            "FModifyDate >= '2024-04-30 08:00:00' and FModifyDate < '2024-04-30 08:30:00'"
        );
    }

    #[test]
    fn window_filter_is_in_the_tenant_zone() {
        let c = cursor("2024-05-01T01:00:00Z", "2024-05-01T01:30:00Z", 4000);
        let r = request(Some(&c), &account(), NOW).unwrap();
        let body: Value = serde_json::from_slice(&r.body).unwrap();
        assert_eq!(
            body["data"]["FilterString"],
            "FModifyDate >= '2024-05-01 09:00:00' and FModifyDate < '2024-05-01 09:30:00'"
        );
        assert_eq!(body["data"]["StartRow"], 4000);
        assert_eq!(body["data"]["FormId"], "SAL_OUTSTOCK");
        assert!(r.headers.iter().any(|h| h.name == "X-Api-Signature"));
    }

    #[test]
    fn a_short_page_closes_the_window() {
        let c = cursor("2024-05-01T01:00:00Z", "2024-05-01T01:30:00Z", 0);
        let body = r#"[["1","B1","C","A","2024-05-01T09:10:00",null,"SF1","SF","WH1","T1","SO1","M1","1.0"]]"#;
        let page = response(Some(&c), &answer(body), &account(), NOW).unwrap();
        assert_eq!(page.events.len(), 1);
        assert!(
            matches!(&page.events[0].body, EventBody::Shipment(s) if s.tracking_number == "SF1")
        );
        assert_eq!(
            page.next_cursor.as_deref(),
            Some(cursor("2024-05-01T01:30:00Z", "2024-05-01T02:00:00Z", 0).as_str())
        );
        assert!(page.more);
    }

    #[test]
    fn a_full_page_leaves_its_last_bill_for_the_next() {
        let c = cursor("2024-05-01T01:00:00Z", "2024-05-01T01:30:00Z", 0);
        let mut rows = Vec::new();
        for i in 0..LIMIT {
            let bill = if i < LIMIT - 3 {
                format!("B{i}")
            } else {
                "BLAST".into()
            };
            rows.push(json!([
                "1",
                bill,
                "C",
                "A",
                "2024-05-01T09:10:00",
                null,
                format!("SF{i}"),
                "SF",
                "WH",
                "T",
                "SO",
                "M",
                "1"
            ]));
        }
        let body = Value::Array(rows).to_string();
        let page = response(Some(&c), &answer(&body), &account(), NOW).unwrap();
        assert_eq!(page.events.len(), LIMIT - 3);
        assert_eq!(
            page.next_cursor.as_deref(),
            Some(cursor("2024-05-01T01:00:00Z", "2024-05-01T01:30:00Z", LIMIT - 3).as_str())
        );
        assert!(page.more);
    }

    #[test]
    fn open_windows_are_kept() {
        let c = cursor("2024-05-01T10:30:00Z", "2024-05-01T10:38:00Z", 0);
        let page = response(Some(&c), &answer("[]"), &account(), NOW).unwrap();
        assert!(page.next_cursor.is_none() && !page.more && page.events.is_empty());
    }

    #[test]
    fn errors_are_typed() {
        let c = cursor("2024-05-01T01:00:00Z", "2024-05-01T01:30:00Z", 0);
        let err = |body: &str| response(Some(&c), &answer(body), &account(), NOW).err();
        assert!(matches!(
            err(
                r#"[[{"Result":{"ResponseStatus":{"ErrorCode":500,"IsSuccess":false,"Errors":[{"FieldName":null,"Message":"字段FXXX不存在"}]}}}]]"#
            ),
            Some(KitError::InvalidField(_))
        ));
        assert!(matches!(
            err(
                r#"{"Result":{"ResponseStatus":{"IsSuccess":false,"Errors":[{"Message":"会话信息已丢失，请重新登录"}]}}}"#
            ),
            Some(KitError::MissingCredential(_))
        ));
        assert!(matches!(
            err(r#"{"errcode":4002,"description":"Unauthorized, APP_ID is empty[GW]"}"#),
            Some(KitError::MissingCredential(_))
        ));
        assert!(matches!(err("<html>"), Some(KitError::MalformedPayload(_))));
        assert!(matches!(
            err("response_error: boom"),
            Some(KitError::InvalidField(_))
        ));
        assert!(matches!(err("{}"), Some(KitError::MalformedPayload(_))));
        assert!(matches!(err("[3]"), Some(KitError::InvalidField(_))));
        assert!(matches!(
            request(Some("nope"), &account(), NOW),
            Err(KitError::InvalidField(_))
        ));
        let mut no_url = account();
        no_url.credentials.retain(|c| c.name != "base_url");
        assert!(matches!(
            request(None, &no_url, NOW),
            Err(KitError::MissingCredential(_))
        ));
    }
}
