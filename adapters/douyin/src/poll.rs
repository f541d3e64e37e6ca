//! The incremental order poll over `/order/searchList`.
//!
//! The cursor is JSON `{"start": <unix s>, "page": <n>}`: the start of a
//! fixed 30-minute window of `update_time` and the page being read. Windows
//! lie on a fixed 30-minute grid, so the request and the response derive the
//! same window from the cursor without the response having to echo it. A
//! window is left only once it ended at least a minute before `now` (late
//! writes on the platform side); until then it is read again from page 0.
//!
//! Unverified platform facts (no source states them): pages count from 0,
//! `size` is at most 100, and how long a window may be. The 30-minute window
//! stays well inside what similar Chinese channel APIs allow.

use orderhub_adapter_kit::KitError;
use orderhub_adapter_kit::json::{self, Fields};
use serde_json::{Value, json};

use crate::api_sign::{call, required_credential};
use crate::bindings::orderhub::adapter::types::{Account, HttpResponse, OutboundRequest, PollPage};
use crate::order;

/// Window length in seconds.
pub const WINDOW_S: i64 = 1800;
/// How long after its end a window is considered complete.
pub const SETTLE_S: i64 = 60;
/// Orders per page.
pub const PAGE_SIZE: i64 = 100;
/// The API path.
pub const PATH: &str = "/order/searchList";

/// Where the poll stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cursor {
    pub start: i64,
    pub page: i64,
}

impl Cursor {
    fn end(self) -> i64 {
        self.start + WINDOW_S
    }

    fn encode(self) -> String {
        json!({"start": self.start, "page": self.page}).to_string()
    }

    /// Page 0 of the grid window holding `start_s` (Unix seconds).
    fn since(start_s: i64) -> Self {
        Cursor {
            start: start_s.div_euclid(WINDOW_S) * WINDOW_S,
            page: 0,
        }
    }
}

fn first(now_s: i64) -> Cursor {
    Cursor::since(now_s - WINDOW_S)
}

/// The cursor that reads again every order updated since `since` (UTC
/// milliseconds): page 0 of the grid window holding it. Windows are 30
/// minutes and advance one by one, so a long span is read window by window.
pub fn cursor_at(since_ms: i64) -> String {
    Cursor::since(since_ms.div_euclid(1000)).encode()
}

/// Reads a stored cursor; `None` starts with the last complete grid window.
pub fn parse_cursor(cursor: Option<&str>, now_s: i64) -> Result<Cursor, KitError> {
    let Some(text) = cursor else {
        return Ok(first(now_s));
    };
    let value = serde_json::from_str::<Value>(text)
        .map_err(|e| KitError::invalid("cursor", format_args!("not JSON: {e}")))?;
    let fields = Fields::of(&value, "cursor")
        .map_err(|_| KitError::invalid("cursor", "expected a JSON object"))?;
    let start = fields.integer("start")?;
    let page = fields.integer("page")?;
    if start.rem_euclid(WINDOW_S) != 0 || page < 0 {
        return Err(KitError::invalid(
            "cursor",
            "start is off the window grid or page is negative",
        ));
    }
    Ok(Cursor { start, page })
}

/// The signed `/order/searchList` call for the cursor's window and page.
pub fn request(
    cursor: Option<&str>,
    account: &Account,
    now_ms: i64,
) -> Result<OutboundRequest, KitError> {
    required_credential(account, "access_token")?;
    let c = parse_cursor(cursor, now_ms.div_euclid(1000))?;
    let params = json!({
        "update_time_start": c.start,
        "update_time_end": c.end(),
        "page": c.page,
        "size": PAGE_SIZE,
        "order_by": "update_time",
        "order_asc": true,
    });
    call(PATH, &params, account, now_ms)
}

/// Refuses an API answer that reports an error (`err_no` ≠ 0 or `code` ≠ 10000).
pub fn check_api_error(root: &Fields) -> Result<(), KitError> {
    let message = root
        .opt_string("sub_msg")
        .or_else(|| root.opt_string("message"))
        .or_else(|| root.opt_string("msg"))
        .unwrap_or_default();
    if let Some(err_no) = root.optional("err_no")
        && root.integer("err_no")? != 0
    {
        return Err(KitError::invalid(
            "err_no",
            format_args!("the API answered {err_no}: {message}"),
        ));
    }
    if let Some(code) = root.optional("code")
        && root.integer("code")? != 10000
    {
        return Err(KitError::invalid(
            "code",
            format_args!("the API answered {code}: {message}"),
        ));
    }
    Ok(())
}

/// The events of one page and where to continue.
pub fn response(
    cursor: Option<&str>,
    response: &HttpResponse,
    now_ms: i64,
) -> Result<PollPage, KitError> {
    let now_s = now_ms.div_euclid(1000);
    let c = parse_cursor(cursor, now_s)?;
    if !(200..300).contains(&response.status) {
        return Err(KitError::invalid(
            "status",
            format_args!("the API answered HTTP {}", response.status),
        ));
    }
    let value = json::parse(&response.body)?;
    let root = Fields::of(&value, "")?;
    check_api_error(&root)?;
    let data = root.object("data")?;
    let events = data
        .objects("shop_order_list")?
        .iter()
        .map(|o| order::event(o, "order/searchList"))
        .collect::<Result<Vec<_>, _>>()?;
    let total = match data.optional("total") {
        Some(_) => data.integer("total")?,
        None => 0,
    };
    let (next, more) = if (c.page + 1) * PAGE_SIZE < total {
        (
            Cursor {
                page: c.page + 1,
                ..c
            },
            true,
        )
    } else if cursor.is_none() {
        // The first window was derived from `now`; storing it makes the next
        // request read exactly that window again from a stored cursor.
        (Cursor { page: 0, ..c }, true)
    } else if c.end() + SETTLE_S <= now_s {
        let next = Cursor {
            start: c.end(),
            page: 0,
        };
        (next, next.end() + SETTLE_S <= now_s)
    } else {
        (Cursor { page: 0, ..c }, false)
    };
    Ok(PollPage {
        events,
        next_cursor: Some(next.encode()),
        more,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOW_MS: i64 = 1_711_933_200_000; // 2024-04-01T01:00:00Z

    fn ok_page(total: i64) -> HttpResponse {
        HttpResponse {
            status: 200,
            headers: vec![],
            body: format!(r#"{{"code":10000,"msg":"success","data":{{"page":0,"size":100,"total":{total},"shop_order_list":[]}}}}"#).into_bytes(),
        }
    }

    #[test]
    fn first_cursor_is_the_last_complete_grid_window() {
        assert_eq!(
            parse_cursor(None, NOW_MS / 1000).unwrap(),
            Cursor {
                start: 1_711_931_400,
                page: 0
            }
        );
    }

    #[test]
    fn cursor_at_starts_on_the_grid_window_holding_since() {
        // 2024-03-31T22:10:05Z: the window 22:00:00–22:30:00.
        let cursor = cursor_at(1_711_923_005_000);
        assert_eq!(cursor, r#"{"start":1711922400,"page":0}"#);
        assert_eq!(
            parse_cursor(Some(&cursor), NOW_MS / 1000).unwrap(),
            Cursor {
                start: 1_711_922_400,
                page: 0
            }
        );
    }

    #[test]
    fn pages_then_windows() {
        let c = r#"{"start":1711926000,"page":0}"#;
        let page = response(Some(c), &ok_page(150), NOW_MS).unwrap();
        assert_eq!(
            page.next_cursor.as_deref(),
            Some(r#"{"start":1711926000,"page":1}"#)
        );
        assert!(page.more);
        let c = r#"{"start":1711926000,"page":1}"#;
        let page = response(Some(c), &ok_page(150), NOW_MS).unwrap();
        assert_eq!(
            page.next_cursor.as_deref(),
            Some(r#"{"start":1711927800,"page":0}"#)
        );
        assert!(page.more);
        let c = r#"{"start":1711931400,"page":0}"#;
        let page = response(Some(c), &ok_page(0), NOW_MS).unwrap();
        assert_eq!(page.next_cursor.as_deref(), Some(c));
        assert!(!page.more);
    }

    #[test]
    fn api_errors_are_refused() {
        let r = HttpResponse {
            status: 200,
            headers: vec![],
            body: br#"{"code":30002,"msg":"no auth","data":{}}"#.to_vec(),
        };
        assert!(
            matches!(response(None, &r, NOW_MS), Err(KitError::InvalidField(m)) if m.starts_with("code"))
        );
        assert!(parse_cursor(Some("{\"start\":5,\"page\":0}"), 0).is_err());
    }
}
