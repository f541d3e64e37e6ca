//! The incremental order poll: `pdd.order.number.list.increment.get` over
//! closed time windows.
//!
//! The API returns the full orders whose `updated_at` falls in
//! `[start_updated_at, end_updated_at]` (Unix seconds, at most 30 minutes
//! apart), 100 to a page. Reading pages forward can skip an order: when an
//! order on a page already read is updated again it leaves the window, every
//! later order moves up one place, and one slides onto the page already read.
//! The platform therefore requires paging from the last page backwards; a
//! departing order then only moves an already-read order onto the next page
//! to read — a duplicate, which idempotency absorbs, never a gap.
//!
//! No order can *enter* a window while it is read, because a window is read
//! only once it is closed: its end is at least [`SAFETY_LAG_S`] before `now`,
//! and any later update stamps a time after that end.
//!
//! Each window is first read with `use_has_next=true`, the platform's fast
//! mode without a count. When `has_next` is false that one page held the
//! whole window and the window is done — the usual case. Otherwise the page
//! count is needed to read backwards: page 1 is asked again without
//! `use_has_next` to learn `total_count`, then the pages are read from the
//! last one down to page 1.
//!
//! The cursor is this adapter's own JSON: `{"start", "end"}` (Unix seconds)
//! for a window's first read, plus `"count": true` for the counting read or
//! `"page": n` for backward reading. Every window is fixed by
//! `poll-response`, which sees the answer; `poll-request` only reads the
//! cursor, so the two always agree. When there is nothing closed to read (the
//! very first poll, or a window still open) the request is the cheap
//! `pdd.time.get`, recognised in the response by its own key.

use orderhub_adapter_kit::KitError;
use orderhub_adapter_kit::json::{self, Fields};

use crate::bindings::orderhub::adapter::types::{Account, HttpResponse, OutboundRequest, PollPage};
use crate::topics::POLL_TOPIC;
use crate::{gateway_error, order, request};

/// Windows are at most 30 minutes, the span the API allows.
const WINDOW_S: i64 = 30 * 60;
/// A caught-up window still spans a minute, so windows always move forward.
const MIN_WINDOW_S: i64 = 60;
/// How long after its end a window counts as closed: covers clock skew
/// between OrderHub and the platform and the platform's indexing delay.
const SAFETY_LAG_S: i64 = 5 * 60;
/// The first poll looks back one day.
const FIRST_LOOKBACK_S: i64 = 24 * 60 * 60;
/// Consecutive windows share one second, in case the API's bounds are
/// exclusive; the duplicates it may bring are harmless.
const OVERLAP_S: i64 = 1;
const PAGE_SIZE: i64 = 100;

/// How a window is being read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Step {
    /// Page 1 with `use_has_next=true`.
    First,
    /// Page 1 without `use_has_next`, for `total_count`.
    Count,
    /// Page `n`, reading backwards.
    Page(i64),
}

/// A window being read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Cursor {
    start: i64,
    end: i64,
    step: Step,
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
        let (start, end) = (fields.integer("start")?, fields.integer("end")?);
        if end <= start {
            return Err(KitError::invalid(
                "cursor.end",
                "the window ends before it starts",
            ));
        }
        let step = match (fields.optional("page"), fields.opt_bool("count")) {
            (Some(_), _) => match fields.integer("page")? {
                page if page >= 1 => Step::Page(page),
                page => {
                    return Err(KitError::invalid(
                        "cursor.page",
                        format_args!("{page} is not a page number"),
                    ));
                }
            },
            (None, Some(true)) => Step::Count,
            (None, _) => Step::First,
        };
        Ok(Cursor { start, end, step })
    }

    fn to_json(self) -> String {
        let value = match self.step {
            Step::First => serde_json::json!({"start": self.start, "end": self.end}),
            Step::Count => serde_json::json!({"start": self.start, "end": self.end, "count": true}),
            Step::Page(page) => {
                serde_json::json!({"start": self.start, "end": self.end, "page": page})
            }
        };
        value.to_string()
    }
}

/// Everything updated up to this second can be read without missing data.
fn closed_until(now: i64) -> i64 {
    now.div_euclid(1000).saturating_sub(SAFETY_LAG_S)
}

/// A window from `start`, as long as allowed and closed, but at least a minute.
fn window_from(start: i64, now: i64) -> Cursor {
    Cursor {
        start,
        end: start
            .saturating_add(WINDOW_S)
            .min(closed_until(now))
            .max(start.saturating_add(MIN_WINDOW_S)),
        step: Step::First,
    }
}

/// The cursor that reads every order updated since `since` again: a fresh
/// window starting at `since` (whole seconds), at most [`WINDOW_S`] long and
/// closed by `now` like every window; the poll moves on from it as usual.
pub fn cursor_at(since: i64, now: i64) -> String {
    window_from(since.div_euclid(1000), now).to_json()
}

/// Builds the next poll call from the cursor.
pub fn request(
    cursor: Option<&str>,
    account: &Account,
    now: i64,
) -> Result<OutboundRequest, KitError> {
    request::require_access_token(account)?;
    let cursor = cursor.map(Cursor::parse).transpose()?;
    match cursor {
        Some(window) if window.end <= closed_until(now) => {
            let (page, use_has_next) = match window.step {
                Step::First => (1, "true"),
                Step::Count => (1, "false"),
                Step::Page(page) => (page, "false"),
            };
            let (start, end) = (window.start.to_string(), window.end.to_string());
            let (page, size) = (page.to_string(), PAGE_SIZE.to_string());
            let params = [
                ("start_updated_at", start.as_str()),
                ("end_updated_at", end.as_str()),
                // Every order: lucky-draw or not, any shipping and after-sale state.
                ("is_lucky_flag", "0"),
                ("order_status", "5"),
                ("refund_status", "5"),
                ("page", page.as_str()),
                ("page_size", size.as_str()),
                ("use_has_next", use_has_next),
            ];
            request::call(POLL_TOPIC, &params, account, now)
        }
        // Nothing closed to read yet.
        _ => request::call("pdd.time.get", &[], account, now),
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
        return Err(gateway_error::from_response(&error));
    }
    let cursor = cursor.map(Cursor::parse).transpose()?;
    if root.opt_object("time_get_response").is_some() {
        return Ok(match cursor {
            // The first poll: fix the first window now that `now` is known.
            None => PollPage {
                events: vec![],
                next_cursor: Some(
                    window_from(now.div_euclid(1000).saturating_sub(FIRST_LOOKBACK_S), now)
                        .to_json(),
                ),
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
    let page = root
        .opt_object("order_sn_increment_get_response")
        .ok_or_else(|| {
            KitError::MalformedPayload(format!(
                "HTTP {}: the body has none of order_sn_increment_get_response, \
                 time_get_response, error_response",
                response.status
            ))
        })?;
    let window = cursor.ok_or_else(|| {
        KitError::invalid(
            "cursor",
            "an order page arrived without the window it was asked for",
        )
    })?;
    let orders = page.objects("order_sn_list")?;
    let events = orders
        .iter()
        .map(|o| order::order_event(o, POLL_TOPIC, None, None))
        .collect::<Result<Vec<_>, _>>()?;

    let next_window = || window_from(window.end.saturating_sub(OVERLAP_S), now);
    let next = match window.step {
        Step::First => {
            let has_next = match page.optional("has_next") {
                Some(_) => page.opt_bool("has_next").ok_or_else(|| {
                    KitError::invalid(&page.path_of("has_next"), "expected a boolean")
                })?,
                // A short page is the last one even without the flag.
                None if (orders.len() as i64) < PAGE_SIZE => false,
                None => return Err(KitError::MissingField(page.path_of("has_next"))),
            };
            if has_next {
                Cursor {
                    step: Step::Count,
                    ..window
                }
            } else {
                next_window()
            }
        }
        Step::Count => {
            let total = match page.optional("total_count") {
                Some(_) => page.integer("total_count")?,
                None if orders.is_empty() => 0,
                None => return Err(KitError::MissingField(page.path_of("total_count"))),
            };
            let last_page = total.max(0).saturating_add(PAGE_SIZE - 1) / PAGE_SIZE;
            if last_page > 1 {
                Cursor {
                    step: Step::Page(last_page),
                    ..window
                }
            } else {
                next_window()
            }
        }
        Step::Page(n) if n > 1 => Cursor {
            step: Step::Page(n - 1),
            ..window
        },
        Step::Page(_) => next_window(),
    };
    let more = next.step != Step::First || next.end <= closed_until(now);
    Ok(PollPage {
        events,
        next_cursor: Some(next.to_json()),
        more,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bindings::orderhub::adapter::types::{EventBody, Field};

    /// 2024-04-01 00:00:00 UTC = 1711929600 s.
    const NOW: i64 = 1_711_929_600_000;

    fn account() -> Account {
        let field = |n: &str, v: &str| Field {
            name: n.into(),
            value: v.into(),
        };
        Account {
            id: "shop".into(),
            secrets: vec!["secret".into()],
            credentials: vec![field("client_id", "cid"), field("access_token", "tok")],
        }
    }

    fn reply(body: &str) -> HttpResponse {
        HttpResponse {
            status: 200,
            headers: vec![],
            body: body.as_bytes().to_vec(),
        }
    }

    fn body(request: &OutboundRequest) -> String {
        String::from_utf8(request.body.clone()).unwrap()
    }

    #[test]
    fn cursor_at_starts_a_window_at_the_given_time() {
        // 2024-03-31 00:00:00.900 UTC: a 30-minute window from the second.
        assert_eq!(
            cursor_at(1_711_843_200_900, NOW),
            r#"{"start":1711843200,"end":1711845000}"#
        );
        // Close to `now` the window ends where closed data ends (5 minutes back).
        assert_eq!(
            cursor_at(NOW - 10 * 60 * 1000, NOW),
            r#"{"start":1711929000,"end":1711929300}"#
        );
        // The poll reads it like any window.
        let call = request(Some(&cursor_at(1_711_843_200_000, NOW)), &account(), NOW).unwrap();
        assert!(
            body(&call).starts_with(
                "type=pdd.order.number.list.increment.get&start_updated_at=1711843200\
                 &end_updated_at=1711845000&"
            ),
            "{}",
            body(&call)
        );
    }

    #[test]
    fn first_poll_fixes_a_window_one_day_back() {
        let first = request(None, &account(), NOW).unwrap();
        assert!(body(&first).starts_with("type=pdd.time.get&"));
        let page = response(
            None,
            &reply(r#"{"time_get_response":{"time":"2024-04-01 08:00:01"}}"#),
            NOW,
        )
        .unwrap();
        assert!(page.more && page.events.is_empty());
        assert_eq!(
            page.next_cursor.as_deref(),
            Some(r#"{"start":1711843200,"end":1711845000}"#)
        );
        let call = request(page.next_cursor.as_deref(), &account(), NOW).unwrap();
        let text = body(&call);
        assert!(
            text.starts_with(
                "type=pdd.order.number.list.increment.get&start_updated_at=1711843200\
                 &end_updated_at=1711845000&is_lucky_flag=0&order_status=5&refund_status=5\
                 &page=1&page_size=100&use_has_next=true&client_id=cid&access_token=tok\
                 &timestamp=1711929600&data_type=JSON&sign="
            ),
            "{text}"
        );
    }

    #[test]
    fn a_single_page_window_is_done_in_one_read() {
        let window = r#"{"start":1711843200,"end":1711845000}"#;
        let page = response(
            Some(window),
            &reply(r#"{"order_sn_increment_get_response":{"has_next":false,"order_sn_list":[{"order_sn":"240331-1","order_status":2,"updated_at":"2024-03-31 08:10:00"}]}}"#),
            NOW,
        )
        .unwrap();
        assert_eq!(page.events.len(), 1);
        let event = &page.events[0];
        assert_eq!(event.topic, POLL_TOPIC);
        assert_eq!(event.event_id, None);
        // 2024-03-31 08:10:00 +08:00.
        assert_eq!(event.occurred_at, Some(1_711_843_800_000));
        match &event.body {
            EventBody::Order(order) => assert_eq!(order.external_id, "240331-1"),
            other => panic!("{other:?}"),
        }
        assert_eq!(
            page.next_cursor.as_deref(),
            Some(r#"{"start":1711844999,"end":1711846799}"#)
        );
        assert!(page.more);
    }

    #[test]
    fn busy_windows_are_counted_then_read_backwards() {
        let window = r#"{"start":1711843200,"end":1711845000}"#;
        let fast = response(
            Some(window),
            &reply(r#"{"order_sn_increment_get_response":{"has_next":true,"order_sn_list":[]}}"#),
            NOW,
        )
        .unwrap();
        let count = fast.next_cursor.unwrap();
        assert_eq!(
            count,
            r#"{"start":1711843200,"end":1711845000,"count":true}"#
        );
        assert!(fast.more);
        assert!(
            body(&request(Some(&count), &account(), NOW).unwrap())
                .contains("&page=1&page_size=100&use_has_next=false&")
        );
        let counted = response(
            Some(&count),
            &reply(r#"{"order_sn_increment_get_response":{"total_count":250,"order_sn_list":[]}}"#),
            NOW,
        )
        .unwrap();
        let third = counted.next_cursor.unwrap();
        assert_eq!(third, r#"{"start":1711843200,"end":1711845000,"page":3}"#);
        assert!(
            body(&request(Some(&third), &account(), NOW).unwrap())
                .contains("&page=3&page_size=100&use_has_next=false&")
        );
        let second = response(
            Some(&third),
            &reply(r#"{"order_sn_increment_get_response":{"order_sn_list":[]}}"#),
            NOW,
        )
        .unwrap()
        .next_cursor
        .unwrap();
        assert_eq!(Cursor::parse(&second).unwrap().step, Step::Page(2));
        let first = response(
            Some(&second),
            &reply(r#"{"order_sn_increment_get_response":{}}"#),
            NOW,
        )
        .unwrap()
        .next_cursor
        .unwrap();
        assert_eq!(Cursor::parse(&first).unwrap().step, Step::Page(1));
        let done = response(
            Some(&first),
            &reply(r#"{"order_sn_increment_get_response":{}}"#),
            NOW,
        )
        .unwrap();
        assert_eq!(
            done.next_cursor.as_deref(),
            Some(r#"{"start":1711844999,"end":1711846799}"#)
        );
    }

    #[test]
    fn caught_up_windows_wait_until_closed() {
        // The window ending at 23:55:00 is closed at 00:00:00; the next one
        // would end after 23:55:00, so it spans the minimum and waits.
        let window = r#"{"start":1711928700,"end":1711929300}"#;
        let done = response(
            Some(window),
            &reply(r#"{"order_sn_increment_get_response":{"has_next":false}}"#),
            NOW,
        )
        .unwrap();
        assert!(!done.more);
        let next = done.next_cursor.unwrap();
        assert_eq!(next, r#"{"start":1711929299,"end":1711929359}"#);
        assert!(
            body(&request(Some(&next), &account(), NOW).unwrap()).starts_with("type=pdd.time.get&")
        );
        let idle = response(Some(&next), &reply(r#"{"time_get_response":{}}"#), NOW).unwrap();
        assert_eq!((idle.next_cursor, idle.more), (None, false));
        let later = NOW + 60_000;
        assert!(
            body(&request(Some(&next), &account(), later).unwrap())
                .starts_with("type=pdd.order.number.list.increment.get&")
        );
    }

    #[test]
    fn gateway_errors_are_typed() {
        let token = response(
            None,
            &reply(r#"{"error_response":{"error_code":10019,"error_msg":"access_token已过期"}}"#),
            NOW,
        );
        assert!(matches!(token, Err(KitError::MissingCredential(m)) if m.contains("10019")));
        let html = HttpResponse {
            status: 502,
            headers: vec![],
            body: b"<html>".to_vec(),
        };
        assert!(
            matches!(response(None, &html, NOW), Err(KitError::MalformedPayload(m)) if m.starts_with("HTTP 502"))
        );
        let full = format!(
            r#"{{"order_sn_increment_get_response":{{"order_sn_list":[{}]}}}}"#,
            vec![r#"{"order_sn":"x"}"#; 100].join(",")
        );
        assert!(matches!(
            response(Some(r#"{"start":1,"end":2}"#), &reply(&full), NOW),
            Err(KitError::MissingField(m)) if m.ends_with("has_next")
        ));
    }

    #[test]
    fn absurd_clocks_and_cursors_do_not_panic() {
        for now in [i64::MIN, -1, i64::MAX] {
            let _ = request(None, &account(), now);
            let first = response(None, &reply(r#"{"time_get_response":{}}"#), now).unwrap();
            let _ = request(first.next_cursor.as_deref(), &account(), now);
            let window = r#"{"start":1711843200,"end":1711845000,"count":true}"#;
            let body = r#"{"order_sn_increment_get_response":{"total_count":9223372036854775807}}"#;
            let _ = response(Some(window), &reply(body), now);
        }
        assert!(
            matches!(request(Some("nope"), &account(), NOW), Err(KitError::InvalidField(m)) if m.starts_with("cursor"))
        );
        assert!(request(Some(r#"{"start":5,"end":4}"#), &account(), NOW).is_err());
        assert!(request(Some(r#"{"start":1,"end":4,"page":0}"#), &account(), NOW).is_err());
        let mut no_token = account();
        no_token.credentials.retain(|f| f.name != "access_token");
        assert!(matches!(
            request(None, &no_token, NOW),
            Err(KitError::MissingCredential(_))
        ));
    }
}
