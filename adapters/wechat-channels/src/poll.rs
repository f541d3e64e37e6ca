//! Polling `/channels/ec/order/list/get`.
//!
//! The list API takes an `update_time_range` of Unix seconds (at most 7
//! days), `page_size` (at most 100) and the `next_key` of the previous page,
//! and answers only order ids (`order_id_list`, `next_key`, `has_more`).
//! Each id becomes an order event without a status: it says the order
//! changed; the full order is recorded when `/channels/ec/order/get` is
//! relayed.
//!
//! The cursor is JSON: `{"start": s}` to begin a new window at `start`, or
//! `{"start": s, "end": s, "next_key": "…"}` to continue a window. A first
//! poll looks back [`FIRST_LOOKBACK_S`]. A finished window's end becomes
//! the next window's start, so a change at that second may be seen twice
//! (events are idempotent) but never missed.

use orderhub_adapter_kit::KitError;
use orderhub_adapter_kit::json::{self, Fields, scalar_text};
use serde_json::{Value, json};

use crate::api;
use crate::bindings::orderhub::adapter::types::{
    Account, Event, EventBody, Field, HttpResponse, Order, OutboundRequest, PollPage,
};
use crate::order::CURRENCY;

/// The list endpoint.
pub const LIST_URL: &str = "https://api.weixin.qq.com/channels/ec/order/list/get";
/// The topic of polled order ids.
pub const TOPIC: &str = "channels/ec/order/list/get";
/// The longest window the API accepts: 7 days.
pub const MAX_WINDOW_S: i64 = 7 * 24 * 3600;
/// How far the first poll looks back: 1 hour.
pub const FIRST_LOOKBACK_S: i64 = 3600;
/// The largest page the API serves.
pub const PAGE_SIZE: i64 = 100;

/// The window and page a cursor stands for.
#[derive(Debug, PartialEq)]
struct Window {
    start: i64,
    end: i64,
    next_key: Option<String>,
}

fn window(cursor: Option<&str>, now_ms: i64) -> Result<Window, KitError> {
    let now_s = now_ms.div_euclid(1000);
    let Some(text) = cursor.filter(|c| !c.trim().is_empty()) else {
        return Ok(Window {
            start: now_s - FIRST_LOOKBACK_S,
            end: now_s,
            next_key: None,
        });
    };
    let value = json::parse_embedded(text, "cursor")?;
    let fields = Fields::of(&value, "cursor")?;
    let start = fields.integer("start")?;
    match (fields.optional("end"), fields.opt_string("next_key")) {
        (Some(_), Some(next_key)) => Ok(Window {
            start,
            end: fields.integer("end")?,
            next_key: Some(next_key),
        }),
        _ => Ok(Window {
            start,
            end: now_s.clamp(start, start.saturating_add(MAX_WINDOW_S)),
            next_key: None,
        }),
    }
}

/// The cursor of a new window starting at `start_s` (Unix seconds); its end
/// is fixed by the request, at most [`MAX_WINDOW_S`] later.
fn fresh_window(start_s: i64) -> Value {
    json!({ "start": start_s })
}

/// The cursor that reads again every order updated since `since_ms` (UTC
/// milliseconds), from the second it falls in.
pub fn cursor_at(since_ms: i64) -> String {
    fresh_window(since_ms.div_euclid(1000)).to_string()
}

/// The signed list request for the cursor's window and page.
pub fn request(
    cursor: Option<&str>,
    account: &Account,
    now_ms: i64,
) -> Result<OutboundRequest, KitError> {
    let window = window(cursor, now_ms)?;
    let mut body = json!({
        "update_time_range": {"start_time": window.start, "end_time": window.end},
        "page_size": PAGE_SIZE,
    });
    if let (Some(key), Value::Object(map)) = (&window.next_key, &mut body) {
        map.insert("next_key".into(), Value::String(key.clone()));
    }
    let request = OutboundRequest {
        method: "POST".into(),
        url: LIST_URL.into(),
        query: vec![],
        headers: vec![Field {
            name: "Content-Type".into(),
            value: "application/json".into(),
        }],
        body: body.to_string().into_bytes(),
    };
    api::sign(request, account)
}

/// The order ids of one page and where to continue.
pub fn response(
    cursor: Option<&str>,
    response: &HttpResponse,
    now_ms: i64,
) -> Result<PollPage, KitError> {
    let window = window(cursor, now_ms)?;
    if !(200..300).contains(&response.status) {
        return Err(KitError::invalid(
            "status",
            format_args!("the API answered HTTP {}", response.status),
        ));
    }
    let value = json::parse(&response.body)?;
    let root = Fields::of(&value, "")?;
    api::check_error(&root)?;
    let ids = root.opt_array("order_id_list");
    let events = ids
        .iter()
        .enumerate()
        .map(|(i, id)| {
            scalar_text(id)
                .filter(|s| !s.is_empty())
                .map(order_event)
                .ok_or_else(|| KitError::invalid(&format!("order_id_list[{i}]"), "not an order id"))
        })
        .collect::<Result<Vec<_>, _>>()?;
    let has_more = root.opt_bool("has_more").unwrap_or(false);
    let next_key = root.opt_string("next_key");
    let next = match (has_more, next_key) {
        (true, Some(key)) => json!({"start": window.start, "end": window.end, "next_key": key}),
        (true, None) => return Err(KitError::MissingField("next_key".into())),
        (false, _) => fresh_window(window.end),
    };
    // A finished window that stopped short of now (7-day cap) has more.
    let caught_up = window.end >= now_ms.div_euclid(1000);
    Ok(PollPage {
        events,
        next_cursor: Some(next.to_string()),
        more: has_more || !caught_up,
    })
}

fn order_event(external_id: String) -> Event {
    Event {
        event_id: None,
        topic: TOPIC.into(),
        occurred_at: None,
        status: None,
        body: EventBody::Order(Order {
            external_id,
            display_id: None,
            created_at: None,
            updated_at: None,
            currency: CURRENCY.into(),
            total_minor: None,
            subtotal_minor: None,
            shipping_minor: None,
            discount_minor: None,
            tax_minor: None,
            buyer: None,
            receiver: None,
            lines: vec![],
            presale: false,
            note: None,
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOW: i64 = 1_700_000_000_000;

    fn account() -> Account {
        Account {
            id: "t".into(),
            secrets: vec![],
            credentials: vec![Field {
                name: "access_token".into(),
                value: "TOKEN".into(),
            }],
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
    fn first_request_looks_back_one_hour() {
        let req = request(None, &account(), NOW).unwrap();
        let body: Value = serde_json::from_slice(&req.body).unwrap();
        assert_eq!(body["update_time_range"]["start_time"], 1_699_996_400);
        assert_eq!(body["update_time_range"]["end_time"], 1_700_000_000);
        assert_eq!(body["page_size"], 100);
        assert_eq!(req.query[0].value, "TOKEN");
    }

    #[test]
    fn cursor_at_opens_a_window_at_since_capped_at_seven_days() {
        // 2023-11-01T00:00:00.999Z, about two weeks before NOW.
        let cursor = cursor_at(1_698_796_800_999);
        assert_eq!(cursor, r#"{"start":1698796800}"#);
        let req = request(Some(&cursor), &account(), NOW).unwrap();
        let body: Value = serde_json::from_slice(&req.body).unwrap();
        assert_eq!(body["update_time_range"]["start_time"], 1_698_796_800);
        assert_eq!(
            body["update_time_range"]["end_time"],
            1_698_796_800 + MAX_WINDOW_S
        );
    }

    #[test]
    fn windows_are_capped_at_seven_days() {
        let w = window(Some(r#"{"start":1000000000}"#), NOW).unwrap();
        assert_eq!(w.end, 1_000_000_000 + MAX_WINDOW_S);
    }

    #[test]
    fn pages_continue_then_windows_advance() {
        let cursor = r#"{"start":1699996400}"#;
        let page = response(
            Some(cursor),
            &reply(r#"{"errcode":0,"order_id_list":[3705115058471208928,"37"],"next_key":"K","has_more":true}"#),
            NOW,
        )
        .unwrap();
        assert_eq!(page.events.len(), 2);
        assert!(page.more);
        let next = page.next_cursor.unwrap();
        let w = window(Some(&next), NOW).unwrap();
        assert_eq!(w.next_key.as_deref(), Some("K"));
        let last = response(
            Some(&next),
            &reply(r#"{"errcode":0,"order_id_list":[],"has_more":false}"#),
            NOW,
        )
        .unwrap();
        assert!(!last.more);
        assert_eq!(last.next_cursor.as_deref(), Some(r#"{"start":1700000000}"#));
    }

    #[test]
    fn token_errors_are_missing_credentials() {
        assert!(matches!(
            response(
                None,
                &reply(r#"{"errcode":40001,"errmsg":"invalid credential"}"#),
                NOW
            ),
            Err(KitError::MissingCredential(_))
        ));
    }
}
