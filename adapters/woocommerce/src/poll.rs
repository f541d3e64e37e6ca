//! Incremental order polling over the REST API v3.
//!
//! Each request is `GET {base_url}/wp-json/wc/v3/orders?modified_after=<window
//! start>&dates_are_gmt=true&orderby=id&order=asc&per_page=100&page=<n>`.
//!
//! The cursor design follows from what the endpoint offers. It filters by
//! modification time (`modified_after`, strictly after, in GMT with
//! `dates_are_gmt=true`) but documents sorting only by `date`, `id`,
//! `include`, `title` or `slug`, and pages by offset (`page`). So a window is
//! fixed by its start and walked page by page, sorted by `id`:
//!
//! - `id` is unique, so the order of rows is the same on every page request
//!   (`date` ties would let offset paging skip or repeat rows);
//! - new orders get higher ids and land after the pages already read;
//! - an older order modified during the walk joins the window before the
//!   current page and pushes rows forward: one row is read twice, which is
//!   harmless, and none is skipped.
//!
//! `X-WP-TotalPages` says whether another page follows (`more`). After the
//! last page the window moves to the latest `date_modified_gmt` seen minus
//! one second: WooCommerce dates have whole seconds and `modified_after` is
//! strict, so an order modified later in that same second is not missed.
//! The orders of that last second are read once more by the next poll; the
//! host keeps such repeats from changing anything. The window never moves
//! backwards. A page number past the end (`…invalid_page_number`, when
//! orders left the window during the walk) ends the window the same way.
//!
//! The cursor is this adapter's JSON, e.g.
//! `{"modified_after":"2024-04-01T14:00:00","page":2,"max_seen":"2024-04-02T09:30:00"}`
//! (`page` and `max_seen` only while a window is walked).

use orderhub_adapter_kit::KitError;
use orderhub_adapter_kit::json::{self, Fields};
use serde_json::{Map, Value};

use crate::bindings::orderhub::adapter::types::{
    Account, EventBody, HttpResponse, OutboundRequest, PollPage,
};
use crate::fields::{field, format_gmt, header, parse_gmt};
use crate::order;
use crate::store::{self, Store};

/// How far back the first poll of an account looks.
pub const FIRST_POLL_LOOKBACK_MS: i64 = 24 * 60 * 60 * 1000;
/// How much of the last second of a window is read again.
const OVERLAP_MS: i64 = 1000;
/// The largest page the endpoint serves.
const PER_PAGE: &str = "100";
const PER_PAGE_COUNT: usize = 100;
/// The topic polled orders are reported under: a poll by modification time
/// sees what an `order.updated` webhook would carry.
pub const POLL_TOPIC: &str = "order.updated";
/// The header giving the number of pages of the listing.
pub const TOTAL_PAGES_HEADER: &str = "X-WP-TotalPages";
/// How much of an error response body goes into the error message.
const EXCERPT_CHARS: usize = 200;

/// Where the next poll resumes.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Cursor {
    /// The window start, in UTC milliseconds.
    modified_after: i64,
    /// The page of the window to read next (1 for the first).
    page: u32,
    /// The latest `date_modified_gmt` seen so far in the window.
    max_seen: Option<i64>,
}

impl Cursor {
    fn first(now: i64) -> Self {
        Cursor::since(now.saturating_sub(FIRST_POLL_LOOKBACK_MS))
    }

    /// The first page of a fresh window starting at `start` (UTC milliseconds).
    fn since(start: i64) -> Self {
        Cursor {
            modified_after: start,
            page: 1,
            max_seen: None,
        }
    }

    fn resume(text: Option<&str>, now: i64) -> Result<Self, KitError> {
        let Some(text) = text else {
            return Ok(Cursor::first(now));
        };
        let value = json::parse_embedded(text, "cursor")?;
        let fields = Fields::of(&value, "cursor")
            .map_err(|_| KitError::invalid("cursor", "expected a JSON object"))?;
        let modified_after = parse_gmt(&fields.string("modified_after")?, "cursor.modified_after")?;
        let page = match fields.optional("page") {
            None => 1,
            Some(_) => {
                let page = fields.integer("page")?;
                u32::try_from(page)
                    .ok()
                    .filter(|p| *p >= 1)
                    .ok_or_else(|| {
                        KitError::invalid(
                            "cursor.page",
                            format_args!("{page} is not a page number"),
                        )
                    })?
            }
        };
        let max_seen = fields
            .opt_string("max_seen")
            .map(|t| parse_gmt(&t, "cursor.max_seen"))
            .transpose()?;
        Ok(Cursor {
            modified_after,
            page,
            max_seen,
        })
    }

    fn encode(&self) -> String {
        let mut map = Map::new();
        map.insert(
            "modified_after".into(),
            Value::String(format_gmt(self.modified_after)),
        );
        if self.page > 1 {
            map.insert("page".into(), Value::from(self.page));
        }
        if let Some(max_seen) = self.max_seen {
            map.insert("max_seen".into(), Value::String(format_gmt(max_seen)));
        }
        Value::Object(map).to_string()
    }

    /// The first page of the next window: just before the latest update
    /// seen, never before the current start.
    fn next_window(&self, latest: Option<i64>) -> Cursor {
        let start = latest
            .map(|l| l.saturating_sub(OVERLAP_MS))
            .map_or(self.modified_after, |l| l.max(self.modified_after));
        Cursor {
            modified_after: start,
            page: 1,
            max_seen: None,
        }
    }
}

/// The signed request for the next page of orders.
pub fn request(
    cursor: Option<&str>,
    account: &Account,
    now: i64,
) -> Result<OutboundRequest, KitError> {
    let cursor = Cursor::resume(cursor, now)?;
    let page = cursor.page.to_string();
    let request = OutboundRequest {
        method: "GET".into(),
        url: Store::of(account)?.api_url("/orders"),
        query: vec![
            field("modified_after", &format_gmt(cursor.modified_after)),
            field("dates_are_gmt", "true"),
            field("orderby", "id"),
            field("order", "asc"),
            field("per_page", PER_PAGE),
            field("page", &page),
        ],
        headers: vec![field("Accept", "application/json")],
        body: Vec::new(),
    };
    store::sign(request, account, now)
}

/// The events of one page and where to resume.
pub fn response(
    cursor: Option<&str>,
    response: &HttpResponse,
    now: i64,
) -> Result<PollPage, KitError> {
    let cursor = Cursor::resume(cursor, now)?;
    if is_past_last_page(response) {
        return Ok(PollPage {
            events: Vec::new(),
            next_cursor: Some(cursor.next_window(cursor.max_seen).encode()),
            more: false,
        });
    }
    check_status(response)?;
    let body = json::parse(&response.body)?;
    let Value::Array(items) = &body else {
        return Err(KitError::MalformedPayload(
            "the orders listing is not a JSON array".into(),
        ));
    };
    let mut latest = cursor.max_seen;
    let mut events = Vec::new();
    for (i, item) in items.iter().enumerate() {
        let fields = Fields::of(item, &format!("[{i}]"))?;
        let order_events = order::events(&fields, POLL_TOPIC, None)?;
        if let Some(EventBody::Order(o)) = order_events.first().map(|e| &e.body) {
            latest = latest.max(o.updated_at);
        }
        events.extend(order_events);
    }
    let more = match header(&response.headers, TOTAL_PAGES_HEADER) {
        Some(total) => {
            let total: u32 = total.trim().parse().map_err(|_| {
                KitError::invalid(
                    &format!("header {TOTAL_PAGES_HEADER}"),
                    format_args!("{total:?} is not a page count"),
                )
            })?;
            cursor.page < total
        }
        // Without the header (a proxy dropped it) a full page may be followed
        // by another; an empty one then ends the window.
        None => items.len() >= PER_PAGE_COUNT,
    };
    let next = if more {
        Cursor {
            modified_after: cursor.modified_after,
            page: cursor.page.saturating_add(1),
            max_seen: latest,
        }
    } else {
        cursor.next_window(latest)
    };
    Ok(PollPage {
        events,
        next_cursor: Some(next.encode()),
        more,
    })
}

/// The error WordPress gives for a page past the end of the listing:
/// HTTP 400 with a `code` ending in `invalid_page_number`.
fn is_past_last_page(response: &HttpResponse) -> bool {
    response.status == 400
        && serde_json::from_slice::<Value>(&response.body)
            .ok()
            .and_then(|v| v.get("code").and_then(Value::as_str).map(str::to_string))
            .is_some_and(|code| code.ends_with("invalid_page_number"))
}

/// Refuses non-2xx answers with an error naming the status and the start of
/// the body (WordPress puts `{"code", "message"}` there).
fn check_status(response: &HttpResponse) -> Result<(), KitError> {
    let status = response.status;
    if (200..300).contains(&status) {
        return Ok(());
    }
    let text = String::from_utf8_lossy(&response.body);
    let excerpt: String = text
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .chars()
        .take(EXCERPT_CHARS)
        .collect();
    let message = format!("the orders poll was answered HTTP {status}: {excerpt}");
    Err(match status {
        401 | 403 => KitError::MissingCredential(format!(
            "{message} (the consumer key or secret was refused, lacks read access, or an OAuth \
             signature did not match)"
        )),
        // Too many requests or a server error: not an answer about our input.
        429 | 500..=599 => KitError::MalformedPayload(format!("{message} (not a page of orders)")),
        400..=499 => KitError::InvalidField(format!(
            "{message} (the base_url, the REST API or a parameter was refused)"
        )),
        _ => KitError::MalformedPayload(format!("{message} (not a page of orders)")),
    })
}

/// The cursor that reads again every order modified after `since` (UTC
/// milliseconds). The endpoint has no limit on a window's span, so the window
/// is only its start, like the first poll's.
pub fn cursor_at(since: i64) -> String {
    Cursor::since(since).encode()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bindings::orderhub::adapter::types::Field;

    // 2024-04-02T14:00:00Z.
    const NOW: i64 = 1_712_066_400_000;

    fn account(base: &str) -> Account {
        Account {
            id: "main".into(),
            secrets: vec!["s".into()],
            credentials: vec![
                field("base_url", base),
                field("consumer_key", "ck_test"),
                field("consumer_secret", "cs_test"),
            ],
        }
    }

    fn pairs(fields: &[Field]) -> Vec<(&str, &str)> {
        fields
            .iter()
            .map(|f| (f.name.as_str(), f.value.as_str()))
            .collect()
    }

    fn reply(status: u16, pages: Option<&str>, body: &str) -> HttpResponse {
        HttpResponse {
            status,
            headers: pages
                .map(|p| vec![field("x-wp-totalpages", p)])
                .unwrap_or_default(),
            body: body.as_bytes().to_vec(),
        }
    }

    fn order(id: u32, modified: &str) -> String {
        format!(
            r#"{{"id":{id},"currency":"USD","status":"processing","total":"1.00","date_modified_gmt":"{modified}"}}"#
        )
    }

    #[test]
    fn cursor_at_starts_a_window_at_the_given_time() {
        // 2024-04-01T00:00:00Z.
        assert_eq!(
            cursor_at(1_711_929_600_000),
            r#"{"modified_after":"2024-04-01T00:00:00"}"#
        );
        // The cursor is one `request` reads: page 1 of that window.
        let req = request(
            Some(&cursor_at(1_711_929_600_000)),
            &account("https://example.com"),
            NOW,
        )
        .unwrap();
        assert!(pairs(&req.query).contains(&("modified_after", "2024-04-01T00:00:00")));
        assert!(pairs(&req.query).contains(&("page", "1")));
    }

    #[test]
    fn first_poll_looks_back_one_day_and_is_signed() {
        let req = request(None, &account("https://example.com"), NOW).unwrap();
        assert_eq!(req.method, "GET");
        assert_eq!(req.url, "https://example.com/wp-json/wc/v3/orders");
        assert_eq!(
            pairs(&req.query),
            vec![
                ("modified_after", "2024-04-01T14:00:00"),
                ("dates_are_gmt", "true"),
                ("orderby", "id"),
                ("order", "asc"),
                ("per_page", "100"),
                ("page", "1"),
            ]
        );
        assert!(pairs(&req.headers).contains(&("Authorization", "Basic Y2tfdGVzdDpjc190ZXN0")));
        let plain = request(None, &account("http://example.com"), NOW).unwrap();
        assert!(plain.query.iter().any(|f| f.name == "oauth_signature"));
    }

    #[test]
    fn bad_cursors_and_missing_credentials_are_refused() {
        for bad in [
            "not json",
            "[]",
            r#"{"page":2}"#,
            r#"{"modified_after":"yesterday"}"#,
            r#"{"modified_after":"2024-04-01T14:00:00","page":0}"#,
            r#"{"modified_after":"2024-04-01T14:00:00","max_seen":"x"}"#,
        ] {
            assert!(
                request(Some(bad), &account("https://example.com"), NOW).is_err(),
                "{bad}"
            );
        }
        let mut no_url = account("https://example.com");
        no_url.credentials.remove(0);
        assert!(matches!(
            request(None, &no_url, NOW),
            Err(KitError::MissingCredential(_))
        ));
    }

    #[test]
    fn pages_are_walked_then_the_window_moves_with_an_overlap() {
        let body = format!(
            "[{},{}]",
            order(5, "2024-04-02T08:00:00"),
            order(6, "2024-04-02T09:30:00")
        );
        let page = response(None, &reply(200, Some("2"), &body), NOW).unwrap();
        assert!(page.more);
        assert_eq!(page.events.len(), 2);
        assert!(
            page.events
                .iter()
                .all(|e| e.event_id.is_none() && e.topic == "order.updated")
        );
        let cursor = page.next_cursor.unwrap();
        assert_eq!(
            cursor,
            r#"{"modified_after":"2024-04-01T14:00:00","page":2,"max_seen":"2024-04-02T09:30:00"}"#
        );
        let req = request(Some(&cursor), &account("https://example.com"), NOW).unwrap();
        assert!(pairs(&req.query).contains(&("page", "2")));

        let last = format!("[{}]", order(7, "2024-04-02T09:10:00"));
        let page = response(Some(&cursor), &reply(200, Some("2"), &last), NOW).unwrap();
        assert!(!page.more);
        assert_eq!(
            page.next_cursor.as_deref(),
            Some(r#"{"modified_after":"2024-04-02T09:29:59"}"#)
        );
    }

    #[test]
    fn empty_windows_keep_their_start_and_missing_headers_fall_back() {
        let cursor = r#"{"modified_after":"2024-04-02T10:00:00"}"#;
        let page = response(Some(cursor), &reply(200, Some("0"), "[]"), NOW).unwrap();
        assert_eq!((page.events.len(), page.more), (0, false));
        assert_eq!(page.next_cursor.as_deref(), Some(cursor));
        let one = format!("[{}]", order(1, "2024-04-02T09:00:00"));
        let page = response(Some(cursor), &reply(200, None, &one), NOW).unwrap();
        // An order older than the window start never moves it back.
        assert_eq!(
            (page.more, page.next_cursor.as_deref()),
            (false, Some(cursor))
        );
    }

    #[test]
    fn a_page_past_the_end_closes_the_window() {
        let cursor =
            r#"{"modified_after":"2024-04-01T14:00:00","page":3,"max_seen":"2024-04-02T09:30:00"}"#;
        let body = r#"{"code":"woocommerce_rest_invalid_page_number","message":"The page number requested is larger than the number of pages available.","data":{"status":400}}"#;
        let page = response(Some(cursor), &reply(400, None, body), NOW).unwrap();
        assert_eq!((page.events.len(), page.more), (0, false));
        assert_eq!(
            page.next_cursor.as_deref(),
            Some(r#"{"modified_after":"2024-04-02T09:29:59"}"#)
        );
    }

    #[test]
    fn error_statuses_and_bodies_are_typed() {
        let denied = response(
            None,
            &reply(
                401,
                None,
                r#"{"code":"woocommerce_rest_cannot_view","message":"Sorry, you cannot list resources.","data":{"status":401}}"#,
            ),
            NOW,
        );
        assert!(
            matches!(denied, Err(KitError::MissingCredential(m)) if m.contains("HTTP 401") && m.contains("cannot list"))
        );
        assert!(
            matches!(response(None, &reply(404, None, r#"{"code":"rest_no_route"}"#), NOW), Err(KitError::InvalidField(m)) if m.contains("404"))
        );
        assert!(
            matches!(response(None, &reply(503, None, ""), NOW), Err(KitError::MalformedPayload(m)) if m.contains("503"))
        );
        assert!(matches!(
            response(None, &reply(200, None, "<html>"), NOW),
            Err(KitError::MalformedPayload(_))
        ));
        assert!(matches!(
            response(None, &reply(200, None, "{}"), NOW),
            Err(KitError::MalformedPayload(_))
        ));
        assert!(matches!(
            response(None, &reply(200, Some("many"), "[]"), NOW),
            Err(KitError::InvalidField(_))
        ));
        assert_eq!(
            response(None, &reply(200, None, r#"[{"currency":"USD"}]"#), NOW).unwrap_err(),
            KitError::MissingField("[0].id".into())
        );
    }
}
