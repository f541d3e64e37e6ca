//! Incremental order polling over the REST Admin API.
//!
//! The first request lists every order updated in the last day
//! (`status=any&updated_at_min=…&limit=250&order=updated_at asc`). Shopify
//! pages with `Link: <…page_info=…>; rel="next"`, and a `page_info` request
//! may carry nothing but `limit`, so the cursor keeps the window start while
//! the pages are walked. After the last page the window moves to the latest
//! `updated_at` seen. That order is fetched again by the next poll
//! (`updated_at_min` is inclusive); the overlap is deliberate, because orders
//! updated within the same second must not be missed, and the host drops the
//! duplicates by content.
//!
//! The cursor is this adapter's own JSON, e.g.
//! `{"updated_at_min":"2024-04-01T00:00:00Z","page_info":"…","max_seen":"…"}`.

use orderhub_adapter_kit::json::{self, Fields};
use orderhub_adapter_kit::{KitError, time};
use serde_json::{Map, Value};

use crate::api::{self, API_VERSION};
use crate::bindings::orderhub::adapter::types::{
    Account, EventBody, Field, HttpResponse, OutboundRequest, PollPage,
};
use crate::fields::header;
use crate::link;
use crate::order;

/// How far back the first poll of an account looks.
pub const FIRST_POLL_LOOKBACK_MS: i64 = 24 * 60 * 60 * 1000;
/// The largest page the orders endpoint serves.
const PAGE_SIZE: &str = "250";
/// The topic polled orders are reported under: a poll by `updated_at` sees
/// exactly what an `orders/updated` webhook would carry.
pub const POLL_TOPIC: &str = "orders/updated";
/// How much of an error response body goes into the error message.
const EXCERPT_CHARS: usize = 200;

/// Where the next poll resumes.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Cursor {
    /// The window start, as RFC 3339 UTC.
    updated_at_min: String,
    /// The next page of the current window, while walking its pages.
    page_info: Option<String>,
    /// The latest `updated_at` seen so far in the current window.
    max_seen: Option<String>,
}

impl Cursor {
    fn first(now: i64) -> Self {
        Cursor::since(now.saturating_sub(FIRST_POLL_LOOKBACK_MS))
    }

    /// A fresh window starting at `start` (UTC milliseconds).
    fn since(start: i64) -> Self {
        Cursor {
            updated_at_min: time::format_rfc3339(start),
            page_info: None,
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
        let updated_at_min = fields.string("updated_at_min")?;
        time::parse_rfc3339(&updated_at_min, "cursor.updated_at_min")?;
        let max_seen = fields.opt_string("max_seen");
        if let Some(max) = &max_seen {
            time::parse_rfc3339(max, "cursor.max_seen")?;
        }
        Ok(Cursor {
            updated_at_min,
            page_info: fields.opt_string("page_info"),
            max_seen,
        })
    }

    fn encode(&self) -> String {
        let mut map = Map::new();
        map.insert(
            "updated_at_min".into(),
            Value::String(self.updated_at_min.clone()),
        );
        if let Some(page_info) = &self.page_info {
            map.insert("page_info".into(), Value::String(page_info.clone()));
        }
        if let Some(max_seen) = &self.max_seen {
            map.insert("max_seen".into(), Value::String(max_seen.clone()));
        }
        Value::Object(map).to_string()
    }
}

fn field(name: &str, value: &str) -> Field {
    Field {
        name: name.to_string(),
        value: value.to_string(),
    }
}

/// The signed request for the next page of orders.
pub fn request(
    cursor: Option<&str>,
    account: &Account,
    now: i64,
) -> Result<OutboundRequest, KitError> {
    let cursor = Cursor::resume(cursor, now)?;
    let query = match &cursor.page_info {
        Some(page_info) => vec![field("limit", PAGE_SIZE), field("page_info", page_info)],
        None => vec![
            field("status", "any"),
            field("updated_at_min", &cursor.updated_at_min),
            field("limit", PAGE_SIZE),
            field("order", "updated_at asc"),
        ],
    };
    let request = OutboundRequest {
        method: "GET".into(),
        url: format!(
            "{}/admin/api/{API_VERSION}/orders.json",
            api::base_url(account)?
        ),
        query,
        headers: vec![field("Accept", "application/json")],
        body: Vec::new(),
    };
    api::sign(request, account)
}

/// The events of one page and where to resume.
pub fn response(
    cursor: Option<&str>,
    response: &HttpResponse,
    now: i64,
) -> Result<PollPage, KitError> {
    check_status(response)?;
    let cursor = Cursor::resume(cursor, now)?;
    let body = json::parse(&response.body)?;
    let root = Fields::of(&body, "")?;
    let mut latest = match &cursor.max_seen {
        Some(max) => Some(time::parse_rfc3339(max, "cursor.max_seen")?),
        None => None,
    };
    let mut events = Vec::new();
    for (i, item) in root.array("orders")?.iter().enumerate() {
        let event = order::event(
            &Fields::of(item, &format!("orders[{i}]"))?,
            POLL_TOPIC,
            None,
        )?;
        if let EventBody::Order(o) = &event.body {
            latest = latest.max(o.updated_at);
        }
        events.push(event);
    }
    let next_page = match header(&response.headers, "Link") {
        Some(value) => link::next_page_info(value)?,
        None => None,
    };
    let more = next_page.is_some();
    let next = match next_page {
        Some(page_info) => Cursor {
            updated_at_min: cursor.updated_at_min,
            page_info: Some(page_info),
            max_seen: latest.map(time::format_rfc3339),
        },
        None => {
            // Never move the window start backwards, whatever the page held.
            let start = time::parse_rfc3339(&cursor.updated_at_min, "cursor.updated_at_min")?;
            let start = latest.map_or(start, |l| l.max(start));
            Cursor {
                updated_at_min: time::format_rfc3339(start),
                page_info: None,
                max_seen: None,
            }
        }
    };
    Ok(PollPage {
        events,
        next_cursor: Some(next.encode()),
        more,
    })
}

/// Refuses non-2xx answers with an error naming the status and the start of
/// the body (Shopify puts the reason in `{"errors": …}`).
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
            "{message} (the access_token was refused or lacks the read_orders scope)"
        )),
        // Too many requests or a server error: not an answer about our input.
        429 | 500..=599 => KitError::MalformedPayload(format!("{message} (not a page of orders)")),
        400..=499 => KitError::InvalidField(format!(
            "{message} (the shop, API version or a parameter was refused)"
        )),
        _ => KitError::MalformedPayload(format!("{message} (not a page of orders)")),
    })
}

/// The cursor that reads every order updated since `since` (UTC milliseconds).
pub fn cursor_at(since: i64) -> String {
    Cursor::since(since).encode()
}

#[cfg(test)]
mod tests {
    #[test]
    fn cursor_at_starts_a_window_at_the_given_time() {
        assert_eq!(
            cursor_at(1_711_929_600_000),
            r#"{"updated_at_min":"2024-04-01T00:00:00Z"}"#
        );
    }

    use super::*;

    // 2024-04-02T14:00:00Z.
    const NOW: i64 = 1_712_066_400_000;

    fn account() -> Account {
        Account {
            id: "main".into(),
            secrets: vec!["s".into()],
            credentials: vec![
                field("shop", "jsmith.myshopify.com"),
                field("access_token", "shpat_x"),
            ],
        }
    }

    fn pairs(fields: &[Field]) -> Vec<(&str, &str)> {
        fields
            .iter()
            .map(|f| (f.name.as_str(), f.value.as_str()))
            .collect()
    }

    fn reply(status: u16, link: Option<&str>, body: &str) -> HttpResponse {
        HttpResponse {
            status,
            headers: link.map(|l| vec![field("link", l)]).unwrap_or_default(),
            body: body.as_bytes().to_vec(),
        }
    }

    #[test]
    fn first_poll_looks_back_one_day_and_is_signed() {
        let req = request(None, &account(), NOW).unwrap();
        assert_eq!(req.method, "GET");
        assert_eq!(
            req.url,
            "https://jsmith.myshopify.com/admin/api/2024-04/orders.json"
        );
        assert_eq!(
            pairs(&req.query),
            vec![
                ("status", "any"),
                ("updated_at_min", "2024-04-01T14:00:00Z"),
                ("limit", "250"),
                ("order", "updated_at asc")
            ]
        );
        assert!(pairs(&req.headers).contains(&("X-Shopify-Access-Token", "shpat_x")));
    }

    #[test]
    fn page_info_requests_carry_only_limit() {
        let cursor = r#"{"updated_at_min":"2024-04-01T14:00:00Z","page_info":"abc"}"#;
        let req = request(Some(cursor), &account(), NOW).unwrap();
        assert_eq!(
            pairs(&req.query),
            vec![("limit", "250"), ("page_info", "abc")]
        );
    }

    #[test]
    fn bad_cursors_are_invalid_fields() {
        for bad in [
            "not json",
            "[]",
            r#"{"page_info":"x"}"#,
            r#"{"updated_at_min":"yesterday"}"#,
        ] {
            assert!(request(Some(bad), &account(), NOW).is_err(), "{bad}");
        }
    }

    #[test]
    fn pages_are_walked_then_the_window_moves_to_the_latest_update() {
        let body = r#"{"orders":[
            {"id":1,"currency":"USD","updated_at":"2024-04-02T08:00:00-05:00","financial_status":"paid"},
            {"id":2,"currency":"USD","updated_at":"2024-04-02T09:30:00-05:00","financial_status":"pending"}]}"#;
        let link = r#"<https://jsmith.myshopify.com/admin/api/2024-04/orders.json?limit=250&page_info=p2>; rel="next""#;
        let page = response(None, &reply(200, Some(link), body), NOW).unwrap();
        assert!(page.more);
        assert_eq!(page.events.len(), 2);
        assert!(
            page.events
                .iter()
                .all(|e| e.event_id.is_none() && e.topic == "orders/updated")
        );
        let cursor = page.next_cursor.unwrap();
        assert_eq!(
            cursor,
            r#"{"updated_at_min":"2024-04-01T14:00:00Z","page_info":"p2","max_seen":"2024-04-02T14:30:00Z"}"#
        );

        let last =
            r#"{"orders":[{"id":3,"currency":"USD","updated_at":"2024-04-02T09:10:00-05:00"}]}"#;
        let page = response(Some(&cursor), &reply(200, None, last), NOW).unwrap();
        assert!(!page.more);
        assert_eq!(
            page.next_cursor.as_deref(),
            Some(r#"{"updated_at_min":"2024-04-02T14:30:00Z"}"#)
        );
    }

    #[test]
    fn an_empty_last_page_keeps_the_window() {
        let cursor = r#"{"updated_at_min":"2024-04-02T10:00:00Z"}"#;
        let page = response(Some(cursor), &reply(200, None, r#"{"orders":[]}"#), NOW).unwrap();
        assert_eq!((page.events.len(), page.more), (0, false));
        assert_eq!(page.next_cursor.as_deref(), Some(cursor));
    }

    #[test]
    fn error_statuses_and_bodies_are_typed() {
        let denied = response(
            None,
            &reply(
                401,
                None,
                r#"{"errors":"[API] Invalid API key or access token"}"#,
            ),
            NOW,
        );
        assert!(
            matches!(denied, Err(KitError::MissingCredential(m)) if m.contains("HTTP 401") && m.contains("Invalid API key"))
        );
        assert!(
            matches!(response(None, &reply(404, None, "Not Found"), NOW), Err(KitError::InvalidField(m)) if m.contains("404"))
        );
        assert!(
            matches!(response(None, &reply(503, None, ""), NOW), Err(KitError::MalformedPayload(m)) if m.contains("503"))
        );
        assert!(matches!(
            response(None, &reply(200, None, "<html>"), NOW),
            Err(KitError::MalformedPayload(_))
        ));
        assert_eq!(
            response(None, &reply(200, None, "{}"), NOW).unwrap_err(),
            KitError::MissingField("orders".into())
        );
        assert!(matches!(
            response(None, &reply(200, None, r#"{"orders":[{"currency":"USD"}]}"#), NOW),
            Err(KitError::MissingField(m)) if m == "orders[0].id"
        ));
    }
}
