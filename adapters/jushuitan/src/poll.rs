//! Polling `/open/orders/single/query` over closed `modified` windows.
//!
//! JuShuiTan has no documented push, so orders are read by their
//! modification time: `modified_begin`/`modified_end` (both required, at most
//! seven days apart, `yyyy-MM-dd HH:mm:ss` China time), `page_index` from 1,
//! `page_size` at most 100. The answer is
//! `{"code":0,"msg":…,"data":{"has_next":…,"orders":[…]}}`.
//!
//! The cursor is the kit's window cursor, `{"start","end","page"}` in China
//! time. A window is read page by page while `has_next` is true, then the
//! next window starts one second before the last one ended (the overlap only
//! repeats events, which idempotency absorbs). A window is only treated as
//! read when it ends [`SAFETY_LAG_MS`] before `now`; a window still open is
//! read again on the next poll.
//!
//! Known gap (documented by JuShuiTan's SDK docs): paging forward over a time
//! window can skip an order that is modified again while the pages are read,
//! because it leaves the window and shifts later orders up one place. The
//! short windows and the re-read of open windows make this rare; the
//! gap-free alternative (`start_ts`, a SQL Server rowversion) is noted in the
//! README as future work.
//!
//! The first poll (no cursor) reads the window one day back; its answer
//! restarts that same window from `now` at page 1, so nothing depends on
//! request and response seeing the same clock. A reconciliation window
//! ([`cursor_at`]) is the window starting at the given time, read like any
//! other.

use orderhub_adapter_kit::json::{self, Fields};
use orderhub_adapter_kit::poll_window::{WindowCursor as Cursor, floor_second};
use orderhub_adapter_kit::{KitError, http, time};

use crate::account;
use crate::bindings::orderhub::adapter::types::{
    Account, Field, HttpResponse, OutboundRequest, PollPage,
};
use crate::orders;
use crate::signing;

/// JuShuiTan's production gateway; `base_url` replaces it (for the test
/// gateway `https://dev-api.jushuitan.com` or a test double).
pub(crate) const DEFAULT_BASE_URL: &str = "https://openapi.jushuitan.com";
pub(crate) const QUERY_PATH: &str = "/open/orders/single/query";
const PAGE_SIZE: i64 = 100;
/// Windows span at most an hour (the API allows seven days).
const WINDOW_MS: i64 = 60 * 60 * 1000;
/// A caught-up window still spans a minute, so windows always move forward.
const MIN_WINDOW_MS: i64 = 60 * 1000;
/// How long after its end a window counts as closed (clock skew, indexing).
const SAFETY_LAG_MS: i64 = 2 * 60 * 1000;
/// The first poll looks back one day.
const FIRST_LOOKBACK_MS: i64 = 24 * 60 * 60 * 1000;
/// Consecutive windows share one second, in case the bounds are exclusive.
const OVERLAP_MS: i64 = 1000;

fn closed_until(now: i64) -> i64 {
    floor_second(now).saturating_sub(SAFETY_LAG_MS)
}

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

fn first_window(now: i64) -> Cursor {
    window_from(floor_second(now).saturating_sub(FIRST_LOOKBACK_MS), now)
}

/// The cursor that reads every order modified since `since` again: the
/// window starting at `since` (whole seconds), no longer than [`WINDOW_MS`]
/// (well inside the API's seven days) and closed by `now`; the poll moves on
/// from it window by window as usual.
pub(crate) fn cursor_at(since: i64, now: i64) -> String {
    window_from(floor_second(since), now).to_json()
}

/// The `biz` JSON of one page, in a fixed key order.
pub(crate) fn biz(window: &Cursor) -> String {
    let begin = time::format_local(window.start, time::shanghai());
    let end = time::format_local(window.end, time::shanghai());
    let page = window.page.unwrap_or(1);
    format!(
        "{{\"modified_begin\":\"{begin}\",\"modified_end\":\"{end}\",\"page_index\":{page},\"page_size\":{PAGE_SIZE}}}"
    )
}

/// The signed query for the cursor's window and page.
pub(crate) fn request(
    cursor: Option<&str>,
    account: &Account,
    now: i64,
) -> Result<OutboundRequest, KitError> {
    let window = match cursor {
        Some(text) => Cursor::parse(text)?,
        None => first_window(now),
    };
    let base = http::base_url(
        account::optional(account, "base_url"),
        DEFAULT_BASE_URL,
        "credentials.base_url",
    )?;
    let draft = OutboundRequest {
        method: "POST".into(),
        url: format!("{}{QUERY_PATH}", base.trim_end_matches('/')),
        query: vec![],
        headers: vec![Field {
            name: "Content-Type".into(),
            value: "application/x-www-form-urlencoded;charset=UTF-8".into(),
        }],
        body: http::encode_form([("biz", biz(&window).as_str())]).into_bytes(),
    };
    signing::sign_request(draft, account, now)
}

/// A failed call (`code` other than 0) as a typed error.
fn api_error(code: i64, msg: &str) -> KitError {
    let message = format!("JuShuiTan answered code {code}: {msg}");
    // The gateway reports signature and token problems in the message text.
    if msg.contains("签名") || msg.to_ascii_lowercase().contains("sign") {
        KitError::BadSignature(message)
    } else if msg.contains("token") || msg.contains("授权") || msg.contains("app_key") {
        KitError::MissingCredential(message)
    } else {
        KitError::InvalidField(format!("code: {message}"))
    }
}

/// The events of one page and the cursor to read next.
pub(crate) fn response(
    cursor: Option<&str>,
    response: &HttpResponse,
    now: i64,
) -> Result<PollPage, KitError> {
    if !(200..300).contains(&response.status) {
        return Err(KitError::invalid(
            "status",
            format_args!("JuShuiTan answered HTTP {}", response.status),
        ));
    }
    let body = json::parse(&response.body)?;
    let root = Fields::of(&body, "")?;
    let code = root.integer("code")?;
    if code != 0 {
        return Err(api_error(code, &root.opt_string("msg").unwrap_or_default()));
    }
    let window = cursor.map(Cursor::parse).transpose()?;
    let data = root.opt_object("data");
    let orders = match &data {
        Some(d) => d.objects("orders")?,
        None => Vec::new(),
    };
    let mut events = Vec::new();
    for order in &orders {
        events.extend(orders::events(order)?);
    }
    let Some(window) = window else {
        // The first poll: restart the first window from page 1 on our clock.
        return Ok(PollPage {
            events,
            next_cursor: Some(first_window(now).to_json()),
            more: true,
        });
    };
    let has_next = match data.as_ref().and_then(|d| d.opt_bool("has_next")) {
        Some(flag) => flag,
        None => i64::try_from(orders.len()).unwrap_or(i64::MAX) >= PAGE_SIZE,
    };
    let next = if has_next && !orders.is_empty() {
        Cursor {
            page: Some(window.page.unwrap_or(1).saturating_add(1)),
            ..window
        }
    } else if window.end <= closed_until(now) {
        window_from(window.end.saturating_sub(OVERLAP_MS), now)
    } else {
        // Still open: read it again from page 1 next time.
        return Ok(PollPage {
            events,
            next_cursor: Some(
                Cursor {
                    page: None,
                    ..window
                }
                .to_json(),
            ),
            more: false,
        });
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

    /// 2024-04-01 08:00:00 +08:00.
    const NOW: i64 = 1_711_929_600_000;

    fn account() -> Account {
        let f = |n: &str, v: &str| Field {
            name: n.into(),
            value: v.into(),
        };
        Account {
            id: "main".into(),
            secrets: vec!["secret-demo".into()],
            credentials: vec![f("app_key", "key-demo"), f("access_token", "token-demo")],
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
    fn first_request_reads_one_day_back() {
        let r = request(None, &account(), NOW).unwrap();
        assert_eq!(
            r.url,
            "https://openapi.jushuitan.com/open/orders/single/query"
        );
        let form = http::parse_form(&r.body).unwrap();
        assert_eq!(
            http::form_value(&form, "biz"),
            Some(
                "{\"modified_begin\":\"2024-03-31 08:00:00\",\"modified_end\":\"2024-03-31 09:00:00\",\"page_index\":1,\"page_size\":100}"
            )
        );
        assert!(http::form_value(&form, "sign").is_some());
    }

    #[test]
    fn cursor_at_is_the_window_from_since() {
        // 2024-03-30 08:00:00.900 +08:00: an hour from the second.
        let text = cursor_at(1_711_756_800_900, NOW);
        assert_eq!(
            text,
            r#"{"start":"2024-03-30 08:00:00","end":"2024-03-30 09:00:00"}"#
        );
        // Close to `now` the window ends where closed data ends (2 minutes back).
        assert_eq!(
            cursor_at(NOW - 10 * 60 * 1000, NOW),
            r#"{"start":"2024-04-01 07:50:00","end":"2024-04-01 07:58:00"}"#
        );
        // The poll reads it like any window, from page 1.
        let r = request(Some(&text), &account(), NOW).unwrap();
        let form = http::parse_form(&r.body).unwrap();
        assert_eq!(
            http::form_value(&form, "biz"),
            Some(
                "{\"modified_begin\":\"2024-03-30 08:00:00\",\"modified_end\":\"2024-03-30 09:00:00\",\"page_index\":1,\"page_size\":100}"
            )
        );
    }

    #[test]
    fn pages_then_windows_advance() {
        let c = r#"{"start":"2024-03-31 08:00:00","end":"2024-03-31 09:00:00"}"#;
        let page = response(Some(c), &reply(r#"{"code":0,"msg":"ok","data":{"has_next":true,"orders":[{"o_id":1,"status":"WaitPay","items":[]}]}}"#), NOW).unwrap();
        assert_eq!(page.events.len(), 1);
        assert_eq!(
            page.next_cursor.as_deref(),
            Some(r#"{"start":"2024-03-31 08:00:00","end":"2024-03-31 09:00:00","page":2}"#)
        );
        assert!(page.more);
        let page = response(
            Some(c),
            &reply(r#"{"code":0,"msg":"ok","data":{"has_next":false,"orders":[]}}"#),
            NOW,
        )
        .unwrap();
        assert_eq!(
            page.next_cursor.as_deref(),
            Some(r#"{"start":"2024-03-31 08:59:59","end":"2024-03-31 09:59:59"}"#)
        );
    }

    #[test]
    fn an_open_window_is_kept() {
        let c = r#"{"start":"2024-04-01 07:57:00","end":"2024-04-01 07:59:00","page":2}"#;
        let page = response(
            Some(c),
            &reply(r#"{"code":0,"data":{"has_next":false,"orders":[]}}"#),
            NOW,
        )
        .unwrap();
        assert_eq!(
            page.next_cursor.as_deref(),
            Some(r#"{"start":"2024-04-01 07:57:00","end":"2024-04-01 07:59:00"}"#)
        );
        assert!(!page.more);
    }

    #[test]
    fn errors_are_typed() {
        let e = response(None, &reply(r#"{"code":100,"msg":"签名错误"}"#), NOW).unwrap_err();
        assert!(matches!(e, KitError::BadSignature(_)));
        assert!(matches!(
            response(None, &reply("{"), NOW),
            Err(KitError::MalformedPayload(_))
        ));
    }
}
