//! The incremental order poll: `GET /orders/get` by update time.
//!
//! The cursor is JSON `{"after": ms, "before": ms, "offset": n}`: the update
//! window being read and the offset in it. Orders are read in ascending
//! `updated_at` order, 100 at a time. Lazada refuses offsets beyond 5000, so a
//! window with more orders is split: the rest of it is read again from the
//! last update time seen, from offset 0.
//!
//! A new window starts where the last one ended and spans at most one day,
//! ending no later than `now`. When its end was "now", the next one starts a
//! minute earlier: the request and the response are built at slightly
//! different `now`s, and re-reading a minute only repeats events (their ids
//! are the order id and update time, so the host drops them).

use orderhub_adapter_kit::{KitError, http, json, json::Fields, time};
use serde_json::json;

use crate::bindings::orderhub::adapter::types::{
    Account, Event, Field, HttpResponse, OutboundRequest, PollPage,
};
use crate::normalize::{self, required_site};
use crate::request;

/// Orders per page (the API's maximum).
pub const LIMIT: i64 = 100;
/// The largest offset the API accepts.
pub const MAX_OFFSET: i64 = 5000;
/// How far back the first poll looks, and the longest window.
pub const WINDOW_MS: i64 = 24 * 3600 * 1000;
/// How much of an open window's end is read again by the next window.
pub const OVERLAP_MS: i64 = 60 * 1000;

/// A decoded cursor.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Cursor {
    after: i64,
    before: Option<i64>,
    offset: i64,
}

impl Cursor {
    /// Offset 0 of a window starting at `after` (UTC milliseconds), its end
    /// left open: [`Cursor::end`] caps it at one day, so a window from long
    /// ago is read a day at a time.
    fn since(after: i64) -> Self {
        Cursor {
            after,
            before: None,
            offset: 0,
        }
    }

    fn parse(cursor: Option<&str>, now: i64) -> Result<Self, KitError> {
        let Some(text) = cursor.map(str::trim).filter(|t| !t.is_empty()) else {
            return Ok(Cursor::since(now.saturating_sub(WINDOW_MS)));
        };
        let value = json::parse(text.as_bytes())
            .map_err(|_| KitError::invalid("cursor", format_args!("{text:?} is not JSON")))?;
        let fields = Fields::of(&value, "cursor")
            .map_err(|_| KitError::invalid("cursor", "expected a JSON object"))?;
        let offset = match fields.optional("offset") {
            Some(_) => fields.integer("offset")?,
            None => 0,
        };
        if !(0..=MAX_OFFSET).contains(&offset) {
            return Err(KitError::invalid(
                "cursor.offset",
                format_args!("{offset} is not in 0..={MAX_OFFSET}"),
            ));
        }
        Ok(Cursor {
            after: fields.integer("after")?,
            before: match fields.optional("before") {
                Some(_) => Some(fields.integer("before")?),
                None => None,
            },
            offset,
        })
    }

    /// The window end: fixed once paging started, else one window or `now`.
    fn end(&self, now: i64) -> i64 {
        self.before
            .unwrap_or_else(|| self.after.saturating_add(WINDOW_MS).min(now))
            .max(self.after)
    }

    fn text(after: i64, before: Option<i64>, offset: i64) -> String {
        match before {
            Some(before) => json!({"after": after, "before": before, "offset": offset}),
            None => json!({"after": after, "offset": offset}),
        }
        .to_string()
    }
}

/// ISO 8601 with an explicit offset, as the API's examples write it.
fn iso(millis: i64) -> String {
    let text = time::format_rfc3339(millis);
    match text.strip_suffix('Z') {
        Some(rest) => format!("{rest}+00:00"),
        None => text,
    }
}

fn field(name: &str, value: String) -> Field {
    Field {
        name: name.into(),
        value,
    }
}

/// `poll-request`: the signed `/orders/get` call for the cursor.
pub fn request(
    cursor: Option<&str>,
    account: &Account,
    now: i64,
) -> Result<OutboundRequest, KitError> {
    let cursor = Cursor::parse(cursor, now)?;
    let site = required_site(account)?;
    let credentials = || account.credentials.iter().map(|f| (&f.name, &f.value));
    if http::named_value(credentials(), "access_token").is_none() {
        return Err(KitError::MissingCredential(
            "access_token (the seller's authorization token; needed to read orders)".into(),
        ));
    }
    let base = http::base_url(
        http::named_value(credentials(), "base_url"),
        site.gateway,
        "credentials.base_url",
    )?;
    let draft = OutboundRequest {
        method: "GET".into(),
        url: format!("{}/orders/get", base.trim_end_matches('/')),
        query: vec![
            field("update_after", iso(cursor.after)),
            field("update_before", iso(cursor.end(now))),
            field("sort_by", "updated_at".into()),
            field("sort_direction", "ASC".into()),
            field("limit", LIMIT.to_string()),
            field("offset", cursor.offset.to_string()),
        ],
        headers: vec![],
        body: vec![],
    };
    request::sign(draft, account, now)
}

/// The latest update time among the events.
fn last_update(events: &[Event]) -> Option<i64> {
    events.iter().filter_map(|e| e.occurred_at).max()
}

/// `poll-response`: the page's events and where the next poll starts.
pub fn response(
    cursor: Option<&str>,
    response: &HttpResponse,
    account: &Account,
    now: i64,
) -> Result<PollPage, KitError> {
    let cursor = Cursor::parse(cursor, now)?;
    if response.status != 200 {
        return Err(KitError::invalid(
            "response.status",
            format_args!("the API answered HTTP {}", response.status),
        ));
    }
    let value = json::parse(&response.body)?;
    let root = Fields::of(&value, "")?;
    normalize::check_code(&root)?;
    let site = required_site(account)?;
    let data = root.object("data")?;
    let events = normalize::orders_events(&data, site)?;
    let end = cursor.end(now);
    let page_full = i64::try_from(events.len()).unwrap_or(i64::MAX) >= LIMIT;

    let (next, more) = if page_full && cursor.offset + LIMIT <= MAX_OFFSET {
        (
            Cursor::text(cursor.after, Some(end), cursor.offset + LIMIT),
            true,
        )
    } else if page_full {
        // Offsets are exhausted: read the rest of the window again from the
        // last update time seen. Should a whole page share the window's
        // first second, step one second on rather than loop forever.
        let from = last_update(&events)
            .filter(|t| *t > cursor.after)
            .unwrap_or_else(|| cursor.after.saturating_add(1000))
            .min(end);
        (Cursor::text(from, Some(end), 0), true)
    } else if cursor.before.is_none() && end >= now {
        let from = end.saturating_sub(OVERLAP_MS).max(cursor.after);
        (Cursor::text(from, None, 0), false)
    } else {
        (Cursor::text(end, None, 0), end < now)
    };
    Ok(PollPage {
        events,
        next_cursor: Some(next),
        more,
    })
}

/// The cursor that reads again every order updated since `since` (UTC
/// milliseconds).
pub fn cursor_at(since: i64) -> String {
    let cursor = Cursor::since(since);
    Cursor::text(cursor.after, cursor.before, cursor.offset)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn account() -> Account {
        let f = |n: &str, v: &str| Field {
            name: n.into(),
            value: v.into(),
        };
        Account {
            id: "shop".into(),
            secrets: vec!["secret".into()],
            credentials: vec![
                f("app_key", "100"),
                f("access_token", "tok"),
                f("site", "my"),
            ],
        }
    }

    fn value<'a>(request: &'a OutboundRequest, name: &str) -> Option<&'a str> {
        request
            .query
            .iter()
            .find(|f| f.name == name)
            .map(|f| f.value.as_str())
    }

    const NOW: i64 = 1_700_000_000_000;

    #[test]
    fn first_poll_reads_the_last_day() {
        let req = request(None, &account(), NOW).ok();
        let req = req.as_ref();
        assert_eq!(
            req.map(|r| r.url.as_str()),
            Some("https://api.lazada.com.my/rest/orders/get")
        );
        assert_eq!(
            req.and_then(|r| value(r, "update_after")),
            Some("2023-11-13T22:13:20+00:00")
        );
        assert_eq!(
            req.and_then(|r| value(r, "update_before")),
            Some("2023-11-14T22:13:20+00:00")
        );
        assert!(req.and_then(|r| value(r, "sign")).is_some());
    }

    #[test]
    fn cursor_at_opens_a_window_at_since_of_at_most_a_day() {
        // 2023-11-10T00:00:00Z, four days before NOW.
        let cursor = cursor_at(1_699_574_400_000);
        assert_eq!(cursor, r#"{"after":1699574400000,"offset":0}"#);
        let req = request(Some(&cursor), &account(), NOW).ok();
        let req = req.as_ref();
        assert_eq!(
            req.and_then(|r| value(r, "update_after")),
            Some("2023-11-10T00:00:00+00:00")
        );
        assert_eq!(
            req.and_then(|r| value(r, "update_before")),
            Some("2023-11-11T00:00:00+00:00")
        );
    }

    fn orders_page(n: usize, updated: &str) -> HttpResponse {
        let orders: Vec<_> = (0..n)
            .map(|i| json!({"order_id": i.to_string(), "updated_at": updated, "statuses": ["pending"]}))
            .collect();
        HttpResponse {
            status: 200,
            headers: vec![],
            body: json!({"code": "0", "data": {"count": n, "orders": orders}})
                .to_string()
                .into_bytes(),
        }
    }

    #[test]
    fn full_pages_advance_the_offset_then_split() {
        let cursor = r#"{"after":1000,"before":90000000,"offset":5000}"#;
        let page = response(
            Some(cursor),
            &orders_page(100, "1970-01-01T10:00:00+08:00"),
            &account(),
            NOW,
        );
        let page = page.ok();
        assert_eq!(page.as_ref().map(|p| p.events.len()), Some(100));
        assert_eq!(
            page.and_then(|p| p.next_cursor),
            Some(r#"{"after":7200000,"before":90000000,"offset":0}"#.to_string())
        );
        let cursor = r#"{"after":1000,"before":90000000,"offset":0}"#;
        let page = response(
            Some(cursor),
            &orders_page(100, "1970-01-01T10:00:00+08:00"),
            &account(),
            NOW,
        )
        .ok();
        assert_eq!(
            page.and_then(|p| p.next_cursor),
            Some(r#"{"after":1000,"before":90000000,"offset":100}"#.to_string())
        );
    }

    #[test]
    fn a_short_page_closes_the_window() {
        let cursor = r#"{"after":1000,"before":90000000,"offset":200}"#;
        let page = response(
            Some(cursor),
            &orders_page(3, "1970-01-01T10:00:00+08:00"),
            &account(),
            NOW,
        )
        .ok();
        assert_eq!(page.as_ref().map(|p| p.more), Some(true));
        assert_eq!(
            page.and_then(|p| p.next_cursor),
            Some(r#"{"after":90000000,"offset":0}"#.to_string())
        );
    }

    #[test]
    fn bad_cursors_and_errors_are_refused() {
        assert!(matches!(
            request(Some("nope"), &account(), NOW),
            Err(KitError::InvalidField(_))
        ));
        let failed = HttpResponse {
            status: 200,
            headers: vec![],
            body: br#"{"code":"IllegalAccessToken","message":"invalid token"}"#.to_vec(),
        };
        assert!(matches!(
            response(None, &failed, &account(), NOW),
            Err(KitError::InvalidField(_))
        ));
    }
}
