//! The incremental order poll: `v2.order.get_order_list` over closed
//! `update_time` windows.
//!
//! The API lists the orders whose `update_time` falls in `[time_from,
//! time_to]` (Unix seconds, at most 15 days), up to 100 per page, with
//! `more`/`next_cursor` to page on. Windows are read only once closed: their
//! end is at least [`SAFETY_LAG_MS`] before `now`, so no later change can
//! stamp a time inside them. They are kept to 30 minutes so that a window
//! rarely spans more than one page (see the README on paging).
//!
//! The cursor is this adapter's JSON, `{"from", "to", "cursor"}` (seconds,
//! and the platform's page cursor once the first page is read). Windows are
//! fixed by `poll-response`, which knows the answer; `poll-request` only reads
//! the cursor. When nothing closed is left to read (the first poll, or a
//! window still open) the request is the cheap `v2.shop.get_shop_info`,
//! recognised in the answer by its lack of a `response` object.

use orderhub_adapter_kit::KitError;
use orderhub_adapter_kit::json::{self, Fields};

use crate::api;
use crate::bindings::orderhub::adapter::types::{
    Account, Event, EventBody, HttpResponse, OutboundRequest, PollPage,
};
use crate::order;

/// The topic of events from the order list.
pub const POLL_TOPIC: &str = "v2.order.get_order_list";
pub const LIST_PATH: &str = "/api/v2/order/get_order_list";
pub const PROBE_PATH: &str = "/api/v2/shop/get_shop_info";

const WINDOW_MS: i64 = 30 * 60 * 1000;
/// A caught-up window still spans a minute, so windows always move forward.
const MIN_WINDOW_MS: i64 = 60 * 1000;
/// Clock skew between OrderHub and the platform, and its indexing delay.
const SAFETY_LAG_MS: i64 = 5 * 60 * 1000;
/// The first poll looks back one day.
const FIRST_LOOKBACK_MS: i64 = 24 * 60 * 60 * 1000;
/// Consecutive windows share one second in case the bounds are exclusive.
const OVERLAP_MS: i64 = 1000;
const PAGE_SIZE: &str = "100";

#[derive(Debug, Clone, PartialEq, Eq)]
struct Cursor {
    /// Window bounds, whole seconds in milliseconds.
    from: i64,
    to: i64,
    /// The platform's cursor for the next page; `None` before the first.
    page: Option<String>,
}

impl Cursor {
    fn parse(text: &str) -> Result<Self, KitError> {
        let value = serde_json::from_str::<serde_json::Value>(text).map_err(|e| {
            KitError::invalid(
                "cursor",
                format_args!("not this adapter's cursor JSON: {e}"),
            )
        })?;
        let fields = Fields::of(&value, "cursor")?;
        let seconds = |key: &str| {
            fields
                .integer(key)?
                .checked_mul(1000)
                .ok_or_else(|| KitError::invalid(&fields.path_of(key), "out of range"))
        };
        let (from, to) = (seconds("from")?, seconds("to")?);
        if to <= from {
            return Err(KitError::invalid(
                "cursor.to",
                "the window ends before it starts",
            ));
        }
        Ok(Cursor {
            from,
            to,
            page: fields.opt_string("cursor"),
        })
    }

    fn to_json(&self) -> String {
        let mut value = serde_json::json!({"from": self.from / 1000, "to": self.to / 1000});
        if let (Some(page), Some(map)) = (&self.page, value.as_object_mut()) {
            map.insert("cursor".into(), page.clone().into());
        }
        value.to_string()
    }
}

fn floor_second(millis: i64) -> i64 {
    millis.div_euclid(1000).saturating_mul(1000)
}

fn closed_until(now: i64) -> i64 {
    floor_second(now).saturating_sub(SAFETY_LAG_MS)
}

fn window_from(start: i64, now: i64) -> Cursor {
    Cursor {
        from: start,
        to: start
            .saturating_add(WINDOW_MS)
            .min(closed_until(now))
            .max(start.saturating_add(MIN_WINDOW_MS)),
        page: None,
    }
}

/// The cursor that reads again every order updated since `since` (UTC
/// milliseconds): the first window from the second of `since`, fixed like any
/// other (at most 30 minutes, closed before `now`); the following windows
/// carry on from there.
pub fn cursor_at(since: i64, now: i64) -> String {
    window_from(floor_second(since), now).to_json()
}

fn first_window(now: i64) -> Cursor {
    window_from(floor_second(now).saturating_sub(FIRST_LOOKBACK_MS), now)
}

fn next_window(done: &Cursor, now: i64) -> Cursor {
    window_from(done.to.saturating_sub(OVERLAP_MS), now)
}

/// Builds the next poll call from the cursor.
pub fn request(
    cursor: Option<&str>,
    account: &Account,
    now: i64,
) -> Result<OutboundRequest, KitError> {
    match cursor.map(Cursor::parse).transpose()? {
        Some(window) if window.to <= closed_until(now) => {
            let (from, to) = (
                (window.from / 1000).to_string(),
                (window.to / 1000).to_string(),
            );
            let mut query = vec![
                ("time_range_field", "update_time"),
                ("time_from", from.as_str()),
                ("time_to", to.as_str()),
                ("page_size", PAGE_SIZE),
            ];
            if let Some(page) = &window.page {
                query.push(("cursor", page.as_str()));
            }
            query.push(("response_optional_fields", "order_status"));
            api::call("GET", LIST_PATH, &query, None, account, now)
        }
        _ => api::call("GET", PROBE_PATH, &[], None, account, now),
    }
}

/// Reads a poll answer into events and the next cursor.
pub fn response(
    cursor: Option<&str>,
    response: &HttpResponse,
    now: i64,
) -> Result<PollPage, KitError> {
    let body = json::parse(&response.body).map_err(|e| match e {
        KitError::MalformedPayload(m) => {
            KitError::MalformedPayload(format!("HTTP {}: {m}", response.status))
        }
        other => other,
    })?;
    let root = Fields::of(&body, "")?;
    if let Some(error) = root.opt_string("error") {
        return Err(api_error(
            &error,
            root.opt_string("message").unwrap_or_default(),
        ));
    }
    let cursor = cursor.map(Cursor::parse).transpose()?;
    let Some(page) = root.opt_object("response") else {
        // The shop-info probe.
        return Ok(match cursor {
            None => PollPage {
                events: vec![],
                next_cursor: Some(first_window(now).to_json()),
                more: true,
            },
            Some(_) => PollPage {
                events: vec![],
                next_cursor: None,
                more: false,
            },
        });
    };
    let window = cursor.ok_or_else(|| {
        KitError::invalid(
            "cursor",
            "an order list arrived without the window it was asked for",
        )
    })?;
    let events = page
        .objects("order_list")?
        .iter()
        .map(list_event)
        .collect::<Result<Vec<_>, _>>()?;
    let has_more = page.opt_bool("more").unwrap_or(false);
    let next = match page.opt_string("next_cursor") {
        Some(next) if has_more => Cursor {
            page: Some(next),
            ..window
        },
        None if has_more => {
            return Err(KitError::MissingField(page.path_of("next_cursor")));
        }
        _ => next_window(&window, now),
    };
    let more = next.page.is_some() || next.to <= closed_until(now);
    Ok(PollPage {
        events,
        next_cursor: Some(next.to_json()),
        more,
    })
}

/// One listed order: its id and status only (the list has no amounts).
fn list_event(listed: &Fields<'_>) -> Result<Event, KitError> {
    Ok(Event {
        event_id: None,
        topic: POLL_TOPIC.into(),
        occurred_at: None,
        status: listed.opt_string("order_status").map(order::order_status),
        body: EventBody::Order(order::bare(listed.string("order_sn")?)),
    })
}

/// A platform error as a typed error: authentication failures mean the
/// account's credentials are wrong or expired.
fn api_error(error: &str, message: String) -> KitError {
    let text = format!("Shopee error {error}: {message}");
    if matches!(
        error,
        "error_auth" | "error_sign" | "error_permission" | "invalid_access_token"
    ) || error.contains("token")
    {
        KitError::MissingCredential(text)
    } else {
        KitError::InvalidField(format!("error: {text}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::field;

    /// 2024-04-01 00:00:00 UTC.
    const NOW: i64 = 1_711_929_600_000;
    const LIST: &str = include_str!("../testdata/shopee-order-get-order-list-response.json");

    fn account() -> Account {
        Account {
            id: "main".into(),
            secrets: vec!["sandbox-partner-key-0001".into()],
            credentials: vec![
                field("partner_id", "2001887"),
                field("access_token", "token"),
                field("shop_id", "14701711"),
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

    fn value<'a>(request: &'a OutboundRequest, name: &str) -> Option<&'a str> {
        request
            .query
            .iter()
            .find(|f| f.name == name)
            .map(|f| f.value.as_str())
    }

    #[test]
    fn first_poll_probes_then_fixes_a_window() {
        let probe = request(None, &account(), NOW).unwrap();
        assert!(probe.url.ends_with(PROBE_PATH));
        let page = response(None, &reply(r#"{"error":"","shop_name":"s"}"#), NOW).unwrap();
        assert!(page.more);
        let cursor = page.next_cursor.unwrap();
        assert_eq!(cursor, r#"{"from":1711843200,"to":1711845000}"#);
        let list = request(Some(&cursor), &account(), NOW).unwrap();
        assert_eq!(
            list.url,
            "https://partner.shopeemobile.com/api/v2/order/get_order_list"
        );
        assert_eq!(value(&list, "time_from"), Some("1711843200"));
        assert_eq!(value(&list, "time_to"), Some("1711845000"));
        assert_eq!(value(&list, "cursor"), None);
        assert_eq!(
            value(&list, "response_optional_fields"),
            Some("order_status")
        );
    }

    #[test]
    fn cursor_at_fixes_a_closed_window_from_since() {
        // 2024-03-25T00:00:00.500Z, a week before NOW.
        let cursor = cursor_at(1_711_324_800_500, NOW);
        assert_eq!(cursor, r#"{"from":1711324800,"to":1711326600}"#);
        let list = request(Some(&cursor), &account(), NOW).unwrap();
        assert!(list.url.ends_with(LIST_PATH));
        assert_eq!(value(&list, "time_from"), Some("1711324800"));
        assert_eq!(value(&list, "time_to"), Some("1711326600"));
        // A start inside the safety lag still spans a minute; the request
        // waits (probes) until it is closed.
        assert_eq!(
            cursor_at(NOW - 60_000, NOW),
            r#"{"from":1711929540,"to":1711929600}"#
        );
    }

    #[test]
    fn pages_follow_next_cursor_then_the_window_moves() {
        let window = r#"{"from":1711843200,"to":1711845000}"#;
        let page = response(Some(window), &reply(LIST), NOW).unwrap();
        assert_eq!(page.events.len(), 10);
        let next = page.next_cursor.unwrap();
        assert_eq!(next, r#"{"from":1711843200,"to":1711845000,"cursor":"20"}"#);
        assert_eq!(
            value(&request(Some(&next), &account(), NOW).unwrap(), "cursor"),
            Some("20")
        );
        let last = response(
            Some(&next),
            &reply(r#"{"error":"","response":{"more":false,"next_cursor":"","order_list":[]}}"#),
            NOW,
        )
        .unwrap();
        assert_eq!(
            last.next_cursor.as_deref(),
            Some(r#"{"from":1711844999,"to":1711846799}"#)
        );
        assert!(last.more);
    }

    #[test]
    fn open_windows_wait() {
        let window = r#"{"from":1711929000,"to":1711929360}"#;
        let probe = request(Some(window), &account(), NOW).unwrap();
        assert!(probe.url.ends_with(PROBE_PATH));
        let idle = response(Some(window), &reply(r#"{"shop_name":"s"}"#), NOW).unwrap();
        assert_eq!((idle.next_cursor, idle.more), (None, false));
    }

    #[test]
    fn errors_are_typed_and_clocks_do_not_panic() {
        assert!(matches!(
            response(
                None,
                &reply(r#"{"error":"error_auth","message":"Invalid access_token."}"#),
                NOW
            ),
            Err(KitError::MissingCredential(_))
        ));
        assert!(matches!(
            response(None, &reply("<html>"), NOW),
            Err(KitError::MalformedPayload(m)) if m.starts_with("HTTP 200")
        ));
        assert!(request(Some("nope"), &account(), NOW).is_err());
        for now in [i64::MIN, -1, i64::MAX] {
            let _ = request(None, &account(), now);
            let first = response(None, &reply("{}"), now).unwrap();
            let _ = request(first.next_cursor.as_deref(), &account(), now);
            let _ = response(
                Some(r#"{"from":0,"to":9223372036854775}"#),
                &reply(LIST),
                now,
            );
        }
    }
}
