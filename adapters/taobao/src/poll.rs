//! The incremental order poll: `taobao.trades.sold.increment.get` over
//! closed time windows, read from the last page backwards.
//!
//! The API returns the trades whose `modified` time falls in
//! `[start_modified, end_modified]` (at most one day), newest first. Paging
//! forward through such a list can skip a trade: when a trade on an earlier
//! page is modified again during the reading, it leaves the window and every
//! later trade moves up one place, so the first trade of the next page slides
//! onto the page already read. The platform therefore asks for paging from
//! the last page backwards; a trade leaving the window then only moves an
//! already-read trade onto the next page to read — a duplicate, which
//! idempotency absorbs, never a gap. Reading backwards needs the page count,
//! so the first request of a window asks for page 1 with its `total_results`
//! (`use_has_next` is left off: it drops the count).
//!
//! No trade can enter a window after reading starts because a window is only
//! read once it is closed: its end is at least [`SAFETY_LAG_MS`] before `now`,
//! and any later modification stamps a time after that end.
//!
//! The cursor is this adapter's own JSON, `{"start", "end", "page"}`, with
//! GMT+8 times as TOP takes them. Every window is fixed by `poll-response`,
//! which knows the response; `poll-request` only reads the cursor, so the two
//! always agree on the window. When there is nothing closed to read (the very
//! first poll, or a window still open) the request is the cheap
//! `taobao.time.get`, recognised in the response by its own key.

use orderhub_adapter_kit::json::{self, Fields};
use orderhub_adapter_kit::poll_window::{WindowCursor as Cursor, floor_second};
use orderhub_adapter_kit::{KitError, time};

use crate::bindings::orderhub::adapter::types::{Account, HttpResponse, OutboundRequest, PollPage};
use crate::request;
use crate::topics::POLL_TOPIC;
use crate::trade;

/// Windows are at most 30 minutes, the span the platform recommends.
const WINDOW_MS: i64 = 30 * 60 * 1000;
/// A caught-up window still spans a minute, so windows always move forward.
const MIN_WINDOW_MS: i64 = 60 * 1000;
/// How long after its end a window counts as closed: covers clock skew
/// between OrderHub and TOP and the platform's indexing delay.
const SAFETY_LAG_MS: i64 = 5 * 60 * 1000;
/// The first poll looks back one day, the longest span one call may cover.
const FIRST_LOOKBACK_MS: i64 = 24 * 60 * 60 * 1000;
/// Consecutive windows share one second, in case the API's bounds are
/// exclusive; the duplicates it may bring are harmless.
const OVERLAP_MS: i64 = 1000;
const PAGE_SIZE: i64 = 100;

/// The trade fields asked for: everything the order event uses.
const FIELDS: &str = "tid,type,status,step_trade_status,step_paid_fee,payment,total_fee,post_fee,\
discount_fee,adjust_fee,created,modified,pay_time,end_time,buyer_nick,buyer_open_uid,\
receiver_name,receiver_country,receiver_state,receiver_city,receiver_district,receiver_town,\
receiver_address,receiver_zip,receiver_mobile,receiver_phone,orders";

/// Everything modified up to this instant can be read without missing data.
fn closed_until(now: i64) -> i64 {
    floor_second(now).saturating_sub(SAFETY_LAG_MS)
}

/// The first window: one day back from `now`.
fn first_window(now: i64) -> Cursor {
    window_from(floor_second(now).saturating_sub(FIRST_LOOKBACK_MS), now)
}

/// A fresh window starting at `start`: at most [`WINDOW_MS`] (well within
/// the API's one-day span), ending no later than what is closed at `now`,
/// and at least [`MIN_WINDOW_MS`] long so it always moves forward.
fn window_from(start: i64, now: i64) -> Cursor {
    Cursor {
        start,
        end: start
            .saturating_add(WINDOW_MS)
            .min(closed_until(now))
            .max(start.saturating_add(MIN_WINDOW_MS)),
        page: None,
    }
}

/// The cursor that reads every trade modified since `since` again: a fresh
/// window starting at `since` (to the second); later windows follow it as
/// usual until the poll has caught up.
pub fn cursor_at(since: i64, now: i64) -> String {
    window_from(floor_second(since), now).to_json()
}

/// The window after `done`.
fn next_window(done: &Cursor, now: i64) -> Cursor {
    let start = done.end.saturating_sub(OVERLAP_MS);
    let end = start
        .saturating_add(WINDOW_MS)
        .min(closed_until(now))
        .max(start.saturating_add(MIN_WINDOW_MS));
    Cursor {
        start,
        end,
        page: None,
    }
}

/// Builds the next poll call from the cursor.
pub fn request(
    cursor: Option<&str>,
    account: &Account,
    now: i64,
) -> Result<OutboundRequest, KitError> {
    request::require_session(account)?;
    let cursor = cursor.map(Cursor::parse).transpose()?;
    match cursor {
        Some(window) if window.end <= closed_until(now) => {
            let (start, end) = (
                time::format_local(window.start, time::shanghai()),
                time::format_local(window.end, time::shanghai()),
            );
            let page = window.page.unwrap_or(1).to_string();
            let size = PAGE_SIZE.to_string();
            let params = [
                ("fields", FIELDS),
                ("start_modified", start.as_str()),
                ("end_modified", end.as_str()),
                ("page_no", page.as_str()),
                ("page_size", size.as_str()),
            ];
            request::call("taobao.trades.sold.increment.get", &params, account, now)
        }
        // Nothing closed to read yet.
        _ => request::call("taobao.time.get", &[], account, now),
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
    if let Some(error) = root.opt_object("error_response") {
        return Err(top_error(&error));
    }
    let cursor = cursor.map(Cursor::parse).transpose()?;
    if root.opt_object("time_get_response").is_some() {
        return Ok(match cursor {
            // The first poll: fix the first window now that `now` is known.
            None => PollPage {
                events: vec![],
                next_cursor: Some(first_window(now).to_json()),
                more: true,
            },
            // The window is still open: keep it.
            Some(_) => PollPage {
                events: vec![],
                next_cursor: None,
                more: false,
            },
        });
    }
    let page = root.opt_object("trades_sold_increment_get_response").ok_or_else(|| {
        KitError::MalformedPayload(format!(
            "HTTP {}: the body has none of trades_sold_increment_get_response, time_get_response, error_response",
            response.status
        ))
    })?;
    let window = cursor.ok_or_else(|| {
        KitError::invalid(
            "cursor",
            "a trades page arrived without the window it was asked for",
        )
    })?;
    let trades = match page.opt_object("trades") {
        Some(trades) => trades.objects("trade")?,
        None => Vec::new(),
    };
    let events = trades
        .iter()
        .map(|trade| trade::order_event(trade, POLL_TOPIC, None, None))
        .collect::<Result<Vec<_>, _>>()?;

    let next = match window.page {
        None => {
            let total = match page.optional("total_results") {
                Some(_) => page.integer("total_results")?,
                None if trades.is_empty() => 0,
                None => return Err(KitError::MissingField(page.path_of("total_results"))),
            };
            let last_page = total.max(0).saturating_add(PAGE_SIZE - 1) / PAGE_SIZE;
            if last_page > 1 {
                Cursor {
                    page: Some(last_page),
                    ..window
                }
            } else {
                next_window(&window, now)
            }
        }
        Some(page) if page > 1 => Cursor {
            page: Some(page - 1),
            ..window
        },
        Some(_) => next_window(&window, now),
    };
    let more = next.page.is_some() || next.end <= closed_until(now);
    Ok(PollPage {
        events,
        next_cursor: Some(next.to_json()),
        more,
    })
}

/// A TOP `error_response` as a typed error. Authentication and permission
/// failures mean the account's credentials are wrong or expired.
fn top_error(error: &Fields<'_>) -> KitError {
    let text = |key: &str| error.opt_string(key).unwrap_or_default();
    let (code, msg, sub_code, sub_msg) =
        (text("code"), text("msg"), text("sub_code"), text("sub_msg"));
    let message = format!("TOP error {code} {msg} ({sub_code}: {sub_msg})");
    // 11/12: insufficient app/user permissions; 25: invalid signature;
    // 26/27: missing/invalid session; 28/29: missing/invalid app key.
    let credential_problem = matches!(
        code.as_str(),
        "11" | "12" | "25" | "26" | "27" | "28" | "29"
    ) || sub_code.contains("session")
        || sub_code.contains("invalid-app-key");
    if credential_problem {
        KitError::MissingCredential(message)
    } else {
        KitError::InvalidField(format!("error_response: {message}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bindings::orderhub::adapter::types::{EventBody, Field};

    /// 2024-04-01 08:00:00 +08:00.
    const NOW: i64 = 1_711_929_600_000;

    fn account() -> Account {
        let field = |n: &str, v: &str| Field {
            name: n.into(),
            value: v.into(),
        };
        Account {
            id: "shop".into(),
            secrets: vec!["secret".into()],
            credentials: vec![field("app_key", "12345678"), field("session", "sess")],
        }
    }

    fn reply(body: &str) -> HttpResponse {
        HttpResponse {
            status: 200,
            headers: vec![],
            body: body.as_bytes().to_vec(),
        }
    }

    fn method(request: &OutboundRequest) -> &str {
        request
            .query
            .iter()
            .find(|f| f.name == "method")
            .map(|f| f.value.as_str())
            .unwrap_or_default()
    }

    #[test]
    fn cursor_at_starts_a_window_at_the_given_time() {
        // Three hours back: a full 30-minute window from `since`.
        assert_eq!(
            cursor_at(NOW - 3 * 60 * 60 * 1000 + 999, NOW),
            r#"{"start":"2024-04-01 05:00:00","end":"2024-04-01 05:30:00"}"#
        );
        // Two minutes back: the window is still open, so it spans the minimum
        // and the poll waits for it to close.
        let recent = cursor_at(NOW - 2 * 60 * 1000, NOW);
        assert_eq!(
            recent,
            r#"{"start":"2024-04-01 07:58:00","end":"2024-04-01 07:59:00"}"#
        );
        assert_eq!(
            method(&request(Some(&recent), &account(), NOW).unwrap()),
            "taobao.time.get"
        );
        // Absurd clocks do not panic.
        for (since, now) in [(i64::MIN, i64::MIN), (i64::MAX, 0), (0, i64::MAX)] {
            let _ = cursor_at(since, now);
        }
    }

    #[test]
    fn first_poll_fixes_a_window_one_day_back() {
        let first = request(None, &account(), NOW).unwrap();
        assert_eq!(method(&first), "taobao.time.get");
        let page = response(
            None,
            &reply(r#"{"time_get_response":{"time":"2024-04-01 08:00:01"}}"#),
            NOW,
        )
        .unwrap();
        assert!(page.more && page.events.is_empty());
        assert_eq!(
            page.next_cursor.as_deref(),
            Some(r#"{"start":"2024-03-31 08:00:00","end":"2024-03-31 08:30:00"}"#)
        );
        let call = request(page.next_cursor.as_deref(), &account(), NOW).unwrap();
        assert_eq!(method(&call), "taobao.trades.sold.increment.get");
        let body = String::from_utf8(call.body).unwrap();
        assert!(body.contains("start_modified=2024-03-31+08%3A00%3A00"));
        assert!(body.contains("end_modified=2024-03-31+08%3A30%3A00"));
        assert!(body.contains("page_no=1&page_size=100"));
    }

    #[test]
    fn large_windows_are_read_from_the_last_page_back() {
        let window = r#"{"start":"2024-03-31 08:00:00","end":"2024-03-31 08:30:00"}"#;
        let counted = response(
            Some(window),
            &reply(r#"{"trades_sold_increment_get_response":{"total_results":250,"trades":{"trade":[{"tid":1,"status":"WAIT_BUYER_PAY"}]}}}"#),
            NOW,
        )
        .unwrap();
        assert_eq!(counted.events.len(), 1);
        assert!(counted.more);
        let third = counted.next_cursor.unwrap();
        assert_eq!(Cursor::parse(&third).unwrap().page, Some(3));
        let page3 = response(
            Some(&third),
            &reply(r#"{"trades_sold_increment_get_response":{"total_results":250}}"#),
            NOW,
        )
        .unwrap();
        let second = page3.next_cursor.unwrap();
        assert_eq!(Cursor::parse(&second).unwrap().page, Some(2));
        let page2 = response(
            Some(&second),
            &reply(r#"{"trades_sold_increment_get_response":{}}"#),
            NOW,
        )
        .unwrap();
        let first = page2.next_cursor.unwrap();
        assert_eq!(Cursor::parse(&first).unwrap().page, Some(1));
        let page1 = response(
            Some(&first),
            &reply(r#"{"trades_sold_increment_get_response":{}}"#),
            NOW,
        )
        .unwrap();
        assert_eq!(
            page1.next_cursor.as_deref(),
            Some(r#"{"start":"2024-03-31 08:29:59","end":"2024-03-31 08:59:59"}"#)
        );
        assert!(page1.more);
    }

    #[test]
    fn caught_up_windows_wait_until_closed() {
        // The window ending at 07:55:00 is closed at 08:00:00; the next one
        // would end after 07:55:00, so it spans the minimum and waits.
        let window = r#"{"start":"2024-04-01 07:50:00","end":"2024-04-01 07:55:00"}"#;
        let done = response(
            Some(window),
            &reply(r#"{"trades_sold_increment_get_response":{"total_results":0}}"#),
            NOW,
        )
        .unwrap();
        assert!(!done.more);
        let next = done.next_cursor.unwrap();
        assert_eq!(
            next,
            r#"{"start":"2024-04-01 07:54:59","end":"2024-04-01 07:55:59"}"#
        );
        assert_eq!(
            method(&request(Some(&next), &account(), NOW).unwrap()),
            "taobao.time.get"
        );
        let idle = response(
            Some(&next),
            &reply(r#"{"time_get_response":{"time":"x"}}"#),
            NOW,
        )
        .unwrap();
        assert_eq!((idle.next_cursor, idle.more), (None, false));
        let later = NOW + 60_000;
        assert_eq!(
            method(&request(Some(&next), &account(), later).unwrap()),
            "taobao.trades.sold.increment.get"
        );
    }

    #[test]
    fn trades_become_order_events() {
        let window = r#"{"start":"2024-03-31 08:00:00","end":"2024-03-31 08:30:00"}"#;
        let page = response(
            Some(window),
            &reply(r#"{"trades_sold_increment_get_response":{"total_results":1,"trades":{"trade":[{"tid":9,"status":"TRADE_FINISHED","payment":"5.00","modified":"2024-03-31 08:10:00"}]}}}"#),
            NOW,
        )
        .unwrap();
        let event = &page.events[0];
        assert_eq!(event.topic, POLL_TOPIC);
        assert_eq!(event.event_id, None);
        assert_eq!(event.occurred_at, Some(1_711_843_800_000));
        match &event.body {
            EventBody::Order(order) => assert_eq!(
                (order.external_id.as_str(), order.total_minor),
                ("9", Some(500))
            ),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn top_errors_are_typed() {
        let session = response(
            None,
            &reply(
                r#"{"error_response":{"code":27,"msg":"Invalid session","sub_code":"invalid-sessionkey"}}"#,
            ),
            NOW,
        );
        assert!(
            matches!(session, Err(KitError::MissingCredential(m)) if m.contains("Invalid session"))
        );
        let limit = response(
            None,
            &reply(r#"{"error_response":{"code":7,"msg":"App Call Limited"}}"#),
            NOW,
        );
        assert!(matches!(limit, Err(KitError::InvalidField(m)) if m.starts_with("error_response")));
        let html = HttpResponse {
            status: 502,
            headers: vec![],
            body: b"<html>".to_vec(),
        };
        assert!(
            matches!(response(None, &html, NOW), Err(KitError::MalformedPayload(m)) if m.starts_with("HTTP 502"))
        );
    }

    #[test]
    fn absurd_clocks_do_not_panic() {
        for now in [i64::MIN, -1, i64::MAX] {
            let _ = request(None, &account(), now);
            let first = response(None, &reply(r#"{"time_get_response":{}}"#), now).unwrap();
            let _ = request(first.next_cursor.as_deref(), &account(), now);
            let window = r#"{"start":"2024-03-31 08:00:00","end":"2024-03-31 08:30:00"}"#;
            let body =
                r#"{"trades_sold_increment_get_response":{"total_results":9223372036854775807}}"#;
            let _ = response(Some(window), &reply(body), now);
        }
    }

    #[test]
    fn bad_cursors_and_missing_sessions_are_refused() {
        assert!(
            matches!(request(Some("nope"), &account(), NOW), Err(KitError::InvalidField(m)) if m.starts_with("cursor"))
        );
        let reversed = r#"{"start":"2024-03-31 08:30:00","end":"2024-03-31 08:00:00"}"#;
        assert!(request(Some(reversed), &account(), NOW).is_err());
        let mut no_session = account();
        no_session.credentials.retain(|f| f.name != "session");
        assert!(matches!(
            request(None, &no_session, NOW),
            Err(KitError::MissingCredential(_))
        ));
    }
}
