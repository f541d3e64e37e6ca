//! The incremental order poll: `jingdong.pop.order.search` over closed time
//! windows, read from the last page backwards.
//!
//! The search returns the orders whose modification time (`dateType` `0`)
//! falls in `[start_date, end_date]`, with their total count `orderTotal`.
//! Paging forward through such a list can skip an order: when an order on an
//! earlier page is modified again during the reading, it leaves the window
//! and every later order moves up one place. Reading from the last page
//! backwards turns that into a duplicate, which idempotency absorbs, never a
//! gap. So the first request of a window asks for page 1 and learns the
//! count; the next ones read the last page down to page 1.
//!
//! A window is only read once it is closed: its end is at least
//! [`SAFETY_LAG_MS`] before `now`, so no order can enter it while it is read.
//! JD's limits on the window span and the page size are not established, so
//! both are conservative: 30-minute windows and 100 orders a page.
//!
//! The cursor is this adapter's own JSON, `{"start", "end", "page"}`, with
//! GMT+8 times as JOS takes them. Windows are fixed by `poll-response`, which
//! knows the answer; `poll-request` only reads the cursor. The very first
//! poll (no cursor) reads a one-minute window just closed and its answer
//! fixes the first real window, one day back.

use orderhub_adapter_kit::json::{self, Fields};
use orderhub_adapter_kit::poll_window::{WindowCursor as Cursor, floor_second};
use orderhub_adapter_kit::{KitError, time};

use crate::bindings::orderhub::adapter::types::{Account, HttpResponse, OutboundRequest, PollPage};
use crate::message::SEARCH_TOPIC;
use crate::{order, request, response};

/// Windows are at most 30 minutes.
const WINDOW_MS: i64 = 30 * 60 * 1000;
/// A caught-up window still spans a minute, so windows always move forward.
const MIN_WINDOW_MS: i64 = 60 * 1000;
/// How long after its end a window counts as closed: covers clock skew
/// between OrderHub and JD and the platform's indexing delay.
const SAFETY_LAG_MS: i64 = 5 * 60 * 1000;
/// The first poll looks back one day.
const FIRST_LOOKBACK_MS: i64 = 24 * 60 * 60 * 1000;
/// Consecutive windows share one second, in case the API's bounds are
/// exclusive; the duplicates it may bring are harmless.
const OVERLAP_MS: i64 = 1000;
const PAGE_SIZE: i64 = 100;

/// Every order state the poll asks for: all the states the adapter maps.
const ORDER_STATES: &str = "WAIT_SELLER_STOCK_OUT,WAIT_SEND_CODE,WAIT_SELLER_DELIVERY,\
WAIT_GOODS_RECEIVE_CONFIRM,SEND_TO_DISTRIBUTION_CENER,DISTRIBUTION_CENTER_RECEIVED,\
RECEIPTS_CONFIRM,FINISHED_L,TRADE_CANCELED,LOCKED,POP_ORDER_PAUSE,PAUSE";

/// The order fields asked for: everything the order event uses.
const OPTIONAL_FIELDS: &str = "orderId,orderState,orderTotalPrice,orderPayment,freightPrice,\
sellerDiscount,orderStartTime,modified,orderRemark,venderRemark,consigneeInfo,itemInfoList";

/// Everything modified up to this instant can be read without missing data.
fn closed_until(now: i64) -> i64 {
    floor_second(now).saturating_sub(SAFETY_LAG_MS)
}

/// A window starting at `start`, as long as allowed and closed by `now`.
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

/// The first window: one day back from `now`.
fn first_window(now: i64) -> Cursor {
    window_from(floor_second(now).saturating_sub(FIRST_LOOKBACK_MS), now)
}

/// The window after `done`.
fn next_window(done: &Cursor, now: i64) -> Cursor {
    window_from(done.end.saturating_sub(OVERLAP_MS), now)
}

/// The cursor that reads every order modified since `since` again: a fresh
/// window starting at `since` (whole seconds), no longer than the windows the
/// poll reads ([`WINDOW_MS`]) and closed by `now`; the poll moves on from it
/// window by window as usual.
pub fn cursor_at(since: i64, now: i64) -> String {
    window_from(floor_second(since), now).to_json()
}

/// Builds the next poll call from the cursor.
pub fn request(
    cursor: Option<&str>,
    account: &Account,
    now: i64,
) -> Result<OutboundRequest, KitError> {
    request::require_access_token(account)?;
    let window = match cursor.map(Cursor::parse).transpose()? {
        Some(window) => window,
        // The first poll: the minute just closed.
        None => {
            let end = closed_until(now);
            Cursor {
                start: end.saturating_sub(MIN_WINDOW_MS),
                end,
                page: None,
            }
        }
    };
    let params = serde_json::json!({
        "start_date": time::format_local(window.start, time::shanghai()),
        "end_date": time::format_local(window.end, time::shanghai()),
        "order_state": ORDER_STATES,
        "optional_fields": OPTIONAL_FIELDS,
        "page": window.page.unwrap_or(1).to_string(),
        "page_size": PAGE_SIZE.to_string(),
        "dateType": "0",
    });
    request::call(SEARCH_TOPIC, &params, account, now)
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
    response::raise_error(&root)?;
    let cursor = cursor.map(Cursor::parse).transpose()?;
    let envelope = root.opt_object(response::SEARCH_ENVELOPE).ok_or_else(|| {
        KitError::MalformedPayload(format!(
            "HTTP {}: the body has neither {} nor error_response",
            response.status,
            response::SEARCH_ENVELOPE
        ))
    })?;
    let page = response::search(&envelope)?;
    let events = page
        .orders
        .iter()
        .map(|info| order::order_event(info, SEARCH_TOPIC, None))
        .collect::<Result<Vec<_>, _>>()?;

    let Some(window) = cursor else {
        // The first poll: its orders are real, and its answer fixes the
        // first window now that `now` is known.
        return Ok(PollPage {
            events,
            next_cursor: Some(first_window(now).to_json()),
            more: true,
        });
    };
    if window.end > closed_until(now) {
        // The window is not closed yet (clock moved back): keep it.
        return Ok(PollPage {
            events,
            next_cursor: None,
            more: false,
        });
    }
    let next = match window.page {
        None => {
            let total = match page.total {
                Some(total) => total,
                None if page.orders.is_empty() => 0,
                None => {
                    return Err(KitError::MissingField(format!(
                        "{}.searchorderinfo_result.orderTotal",
                        envelope.path()
                    )));
                }
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
        // Page 1 is read again last: an order read on it that left the
        // window may have pulled the first order of page 2 onto it.
        Some(_) => next_window(&window, now),
    };
    let more = next.page.is_some() || next.end <= closed_until(now);
    Ok(PollPage {
        events,
        next_cursor: Some(next.to_json()),
        more,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bindings::orderhub::adapter::types::Field;

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
            credentials: vec![field("app_key", "key"), field("access_token", "tok")],
        }
    }

    fn reply(body: &str) -> HttpResponse {
        HttpResponse {
            status: 200,
            headers: vec![],
            body: body.as_bytes().to_vec(),
        }
    }

    fn search(total: i64, ids: &[&str]) -> HttpResponse {
        let list: Vec<_> = ids
            .iter()
            .map(|id| serde_json::json!({"orderId": id}))
            .collect();
        reply(
            &serde_json::json!({"jingdong_pop_order_search_responce": {"code": "0",
                "searchorderinfo_result": {"orderTotal": total, "orderInfoList": list}}})
            .to_string(),
        )
    }

    #[test]
    fn first_poll_reads_the_last_minute_and_fixes_a_window_one_day_back() {
        let first = request(None, &account(), NOW).unwrap();
        let body = String::from_utf8(first.body).unwrap();
        assert!(body.contains("2024-04-01+07%3A54%3A00"), "{body}");
        let page = response(None, &search(1, &["7"]), NOW).unwrap();
        assert!(page.more);
        assert_eq!(page.events.len(), 1);
        assert_eq!(
            page.next_cursor.as_deref(),
            Some(r#"{"start":"2024-03-31 08:00:00","end":"2024-03-31 08:30:00"}"#)
        );
    }

    #[test]
    fn pages_are_read_backwards_then_the_window_moves_on() {
        let window = r#"{"start":"2024-03-31 08:00:00","end":"2024-03-31 08:30:00"}"#;
        let page = response(Some(window), &search(250, &["1"]), NOW).unwrap();
        assert_eq!(
            page.next_cursor.as_deref(),
            Some(r#"{"start":"2024-03-31 08:00:00","end":"2024-03-31 08:30:00","page":3}"#)
        );
        let at3 = r#"{"start":"2024-03-31 08:00:00","end":"2024-03-31 08:30:00","page":3}"#;
        let page = response(Some(at3), &search(250, &["1"]), NOW).unwrap();
        assert!(page.next_cursor.unwrap().contains("\"page\":2"));
        let at1 = r#"{"start":"2024-03-31 08:00:00","end":"2024-03-31 08:30:00","page":1}"#;
        let page = response(Some(at1), &search(250, &["1"]), NOW).unwrap();
        assert_eq!(
            page.next_cursor.as_deref(),
            Some(r#"{"start":"2024-03-31 08:29:59","end":"2024-03-31 08:59:59"}"#)
        );
        assert!(page.more);
    }

    #[test]
    fn cursor_at_starts_a_window_at_the_given_time() {
        // 2024-03-31 08:00:00.700 +08:00: a 30-minute window from the second.
        assert_eq!(
            cursor_at(1_711_843_200_700, NOW),
            r#"{"start":"2024-03-31 08:00:00","end":"2024-03-31 08:30:00"}"#
        );
        // Close to `now` the window ends where closed data ends (5 minutes back).
        assert_eq!(
            cursor_at(NOW - 10 * 60 * 1000, NOW),
            r#"{"start":"2024-04-01 07:50:00","end":"2024-04-01 07:55:00"}"#
        );
        // The poll reads it like any window.
        let text = cursor_at(1_711_843_200_000, NOW);
        let request = request(Some(&text), &account(), NOW).unwrap();
        let body = String::from_utf8(request.body).unwrap();
        assert!(body.contains("2024-03-31+08%3A00%3A00"), "{body}");
        assert!(body.contains("2024-03-31+08%3A30%3A00"), "{body}");
    }

    #[test]
    fn errors_are_typed() {
        assert!(matches!(
            response(
                None,
                &reply(r#"{"error_response":{"code":"19","en_desc":"Invalid access_token"}}"#),
                NOW
            ),
            Err(KitError::MissingCredential(_))
        ));
        assert!(matches!(
            response(None, &reply("{"), NOW),
            Err(KitError::MalformedPayload(_))
        ));
        assert!(matches!(
            request(Some("x"), &account(), NOW),
            Err(KitError::InvalidField(_))
        ));
        let mut no_token = account();
        no_token.credentials.pop();
        assert!(matches!(
            request(None, &no_token, NOW),
            Err(KitError::MissingCredential(_))
        ));
    }
}
