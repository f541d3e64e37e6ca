//! The incremental poll: `trade_query.php` over closed modify-time windows.
//!
//! `trade_query` returns the system orders modified in `[start_time,
//! end_time]` (both inclusive, at most 3 days), `page_size` ≤ 100 per page,
//! `page_no` from 0. A window is read once it is closed — its end at least
//! [`SAFETY_LAG_MS`] before `now` — page by page until a page comes back
//! short; consecutive windows share their boundary second (the bounds are
//! inclusive), and the duplicates that brings are harmless.
//!
//! The other shipment source, `logistics_sync_query.php`, is a queue: what it
//! returns stays queued until acknowledged with `logistics_sync_ack.php`, a
//! write the poll contract cannot make, so it would return the same records
//! forever. The adapter polls `trade_query` instead; `sync_status` values are
//! still mapped for hosts that read that queue themselves.
//!
//! The cursor is the kit's window cursor (`{"start","end","page"}`, China
//! time, `page` = `page_no` + 1). The first poll (no cursor) asks for a trade
//! number that does not exist — a call that returns nothing — and answers
//! with the first window, one day back. A reconciliation window
//! ([`cursor_at`]) is the window starting at the given time, read like any
//! other.

use orderhub_adapter_kit::json::{self, Fields};
use orderhub_adapter_kit::poll_window::{WindowCursor as Cursor, floor_second};
use orderhub_adapter_kit::{KitError, http, time};

use crate::account;
use crate::bindings::orderhub::adapter::types::{
    Account, Field, HttpResponse, OutboundRequest, PollPage,
};
use crate::signing;
use crate::trade;

/// WDT 企业版's API base (official documentation, 2026).
pub(crate) const DEFAULT_BASE_URL: &str = "https://openapi.huice.com/openapi";
const TRADE_QUERY: &str = "/trade_query.php";
/// Windows are at most an hour (the API allows three days).
const WINDOW_MS: i64 = 60 * 60 * 1000;
/// A caught-up window still spans a minute, so windows always move forward.
const MIN_WINDOW_MS: i64 = 60 * 1000;
/// How long after its end a window counts as closed.
const SAFETY_LAG_MS: i64 = 5 * 60 * 1000;
/// The first poll looks back one day.
const FIRST_LOOKBACK_MS: i64 = 24 * 60 * 60 * 1000;
/// The largest page WDT serves.
pub(crate) const PAGE_SIZE: usize = 100;
/// A trade number no order has (WDT numbers start with `JY` and a date).
const NO_SUCH_TRADE: &str = "JY0";

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

/// The cursor that reads every order modified since `since` again: the
/// window starting at `since` (whole seconds), no longer than [`WINDOW_MS`]
/// (well inside the API's three days) and closed by `now`; the poll moves on
/// from it window by window as usual.
pub(crate) fn cursor_at(since: i64, now: i64) -> String {
    window_from(floor_second(since), now).to_json()
}

/// Builds the next signed call from the cursor.
pub(crate) fn request(
    cursor: Option<&str>,
    account: &Account,
    now: i64,
) -> Result<OutboundRequest, KitError> {
    let base = http::base_url(
        account::optional(account, "base_url"),
        DEFAULT_BASE_URL,
        "credentials.base_url",
    )?;
    let mut params: Vec<(String, String)> = Vec::new();
    match cursor.map(Cursor::parse).transpose()? {
        Some(window) => {
            let page_no = window.page.unwrap_or(1).saturating_sub(1);
            params.push((
                "start_time".into(),
                time::format_local(window.start, time::shanghai()),
            ));
            params.push((
                "end_time".into(),
                time::format_local(window.end, time::shanghai()),
            ));
            params.push(("page_size".into(), PAGE_SIZE.to_string()));
            params.push(("page_no".into(), page_no.to_string()));
            if let Some(shop) = account::optional(account, "shop_no") {
                params.push(("shop_no".into(), shop.into()));
            }
        }
        None => params.push(("trade_no".into(), NO_SUCH_TRADE.into())),
    }
    let draft = OutboundRequest {
        method: "POST".into(),
        url: format!("{}{TRADE_QUERY}", base.trim_end_matches('/')),
        query: vec![],
        headers: vec![Field {
            name: "Content-Type".into(),
            value: "application/x-www-form-urlencoded".into(),
        }],
        body: http::encode_form(params.iter().map(|(k, v)| (k.as_str(), v.as_str()))).into_bytes(),
    };
    signing::sign(draft, account, now)
}

/// Reads a `trade_query` answer into events and the next cursor.
pub(crate) fn response(
    cursor: Option<&str>,
    response: &HttpResponse,
    now: i64,
) -> Result<PollPage, KitError> {
    let value = json::parse(&response.body).map_err(|e| match e {
        KitError::MalformedPayload(m) => {
            KitError::MalformedPayload(format!("HTTP {}: {m}", response.status))
        }
        other => other,
    })?;
    let root = Fields::of(&value, "")?;
    let code = root.integer("code")?;
    if code != 0 {
        return Err(wdt_error(
            code,
            &root.opt_string("message").unwrap_or_default(),
        ));
    }
    if !(200..300).contains(&response.status) {
        return Err(KitError::invalid(
            "status",
            format_args!("WDT answered HTTP {}", response.status),
        ));
    }
    let Some(window) = cursor.map(Cursor::parse).transpose()? else {
        // The first poll's empty call: fix the first window now.
        let start = floor_second(now).saturating_sub(FIRST_LOOKBACK_MS);
        return Ok(PollPage {
            events: vec![],
            next_cursor: Some(window_from(start, now).to_json()),
            more: true,
        });
    };
    if window.end > closed_until(now) {
        // Still open: read it once it is closed.
        return Ok(PollPage {
            events: vec![],
            next_cursor: None,
            more: false,
        });
    }
    let trades = root.objects("trades")?;
    let mut events = Vec::new();
    for trade in &trades {
        events.extend(trade::shipment_events(trade)?);
    }
    let next = if trades.len() >= PAGE_SIZE {
        Cursor {
            page: Some(window.page.unwrap_or(1).saturating_add(1)),
            ..window
        }
    } else {
        window_from(window.end, now)
    };
    let more = next.page.is_some() || next.end <= closed_until(now);
    Ok(PollPage {
        events,
        next_cursor: Some(next.to_json()),
        more,
    })
}

/// A WDT error answer (`code` ≠ 0) as a typed error.
fn wdt_error(code: i64, message: &str) -> KitError {
    let said = format!("WDT error {code}: {message}");
    let lower = message.to_ascii_lowercase();
    if lower.contains("sign") || message.contains("签名") {
        KitError::BadSignature(format!("{said}; check the appsecret"))
    } else if lower.contains("appkey")
        || lower.contains("sid")
        || message.contains("卖家账号")
        || message.contains("停用")
        || message.contains("权限")
    {
        KitError::MissingCredential(format!("{said}; check sid, appkey and their permissions"))
    } else {
        KitError::invalid("code", said)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOW: i64 = 1_714_560_000_000; // 2024-05-01T10:40:00Z = 18:40 in China

    fn account() -> Account {
        let cred = |n: &str, v: &str| Field {
            name: n.into(),
            value: v.into(),
        };
        Account {
            id: "main".into(),
            secrets: vec!["secret".into()],
            credentials: vec![
                cred("sid", "test2"),
                cred("appkey", "test2-xx"),
                cred("shop_no", "api_test"),
            ],
        }
    }

    fn answer(body: &str) -> HttpResponse {
        HttpResponse {
            status: 200,
            headers: vec![],
            body: body.as_bytes().to_vec(),
        }
    }

    const WINDOW: &str = r#"{"start":"2024-05-01 09:00:00","end":"2024-05-01 10:00:00"}"#;

    #[test]
    fn first_poll_asks_for_nothing_then_fixes_the_window() {
        let r = request(None, &account(), NOW).unwrap();
        assert_eq!(r.url, "https://openapi.huice.com/openapi/trade_query.php");
        let fields = http::parse_form(&r.body).unwrap();
        assert_eq!(http::form_value(&fields, "trade_no"), Some("JY0"));
        assert!(http::form_value(&fields, "sign").is_some());
        let page = response(None, &answer(r#"{"code":0,"message":"","trades":[]}"#), NOW).unwrap();
        assert!(page.more);
        assert_eq!(
            page.next_cursor.as_deref(),
            Some(r#"{"start":"2024-04-30 18:40:00","end":"2024-04-30 19:40:00"}"#)
        );
    }

    #[test]
    fn cursor_at_is_the_window_from_since() {
        // 2024-05-01 09:00:00.300 +08:00: an hour from the second.
        let text = cursor_at(1_714_525_200_300, NOW);
        assert_eq!(text, WINDOW);
        // Close to `now` the window ends where closed data ends (5 minutes back).
        assert_eq!(
            cursor_at(NOW - 10 * 60 * 1000, NOW),
            r#"{"start":"2024-05-01 18:30:00","end":"2024-05-01 18:35:00"}"#
        );
        // The poll reads it like any window, from page_no 0.
        let r = request(Some(&text), &account(), NOW).unwrap();
        let fields = http::parse_form(&r.body).unwrap();
        assert_eq!(
            http::form_value(&fields, "end_time"),
            Some("2024-05-01 10:00:00")
        );
        assert_eq!(http::form_value(&fields, "page_no"), Some("0"));
    }

    #[test]
    fn window_pages_are_asked_in_china_time() {
        let r = request(Some(WINDOW), &account(), NOW).unwrap();
        let fields = http::parse_form(&r.body).unwrap();
        assert_eq!(
            http::form_value(&fields, "start_time"),
            Some("2024-05-01 09:00:00")
        );
        assert_eq!(http::form_value(&fields, "page_no"), Some("0"));
        assert_eq!(http::form_value(&fields, "shop_no"), Some("api_test"));
        let paged = r#"{"start":"2024-05-01 09:00:00","end":"2024-05-01 10:00:00","page":3}"#;
        let r = request(Some(paged), &account(), NOW).unwrap();
        let fields = http::parse_form(&r.body).unwrap();
        assert_eq!(http::form_value(&fields, "page_no"), Some("2"));
    }

    #[test]
    fn full_pages_page_on_short_pages_move_the_window() {
        let trade = r#"{"trade_no":"JY1","trade_status":50,"logistics_no":""}"#;
        let full = format!(
            r#"{{"code":0,"trades":[{}]}}"#,
            vec![trade; PAGE_SIZE].join(",")
        );
        let page = response(Some(WINDOW), &answer(&full), NOW).unwrap();
        assert_eq!(
            page.next_cursor.as_deref(),
            Some(r#"{"start":"2024-05-01 09:00:00","end":"2024-05-01 10:00:00","page":2}"#)
        );
        assert!(page.more);
        let short = r#"{"code":0,"trades":[{"trade_no":"JY1","trade_status":95,"logistics_no":"ZT1","src_tids":"T1","goods_list":[]}]}"#;
        let page = response(Some(WINDOW), &answer(short), NOW).unwrap();
        assert_eq!(page.events.len(), 1);
        assert_eq!(
            page.next_cursor.as_deref(),
            Some(r#"{"start":"2024-05-01 10:00:00","end":"2024-05-01 11:00:00"}"#)
        );
    }

    #[test]
    fn open_windows_are_kept_and_errors_typed() {
        let open = r#"{"start":"2024-05-01 18:30:00","end":"2024-05-01 18:38:00"}"#;
        let page = response(Some(open), &answer(r#"{"code":0,"trades":[]}"#), NOW).unwrap();
        assert!(page.next_cursor.is_none() && !page.more);
        let err = |body: &str| response(Some(WINDOW), &answer(body), NOW).err();
        assert!(matches!(
            err(r#"{"code":100,"message":"签名错误"}"#),
            Some(KitError::BadSignature(_))
        ));
        assert!(matches!(
            err(r#"{"code":1007,"message":"接口appkey已停用"}"#),
            Some(KitError::MissingCredential(_))
        ));
        assert!(matches!(
            err(r#"{"code":2900,"message":"时间范围与订单编号不能全部为空"}"#),
            Some(KitError::InvalidField(_))
        ));
        assert!(matches!(err("<html>"), Some(KitError::MalformedPayload(_))));
        assert!(matches!(
            err(r#"{"message":"x"}"#),
            Some(KitError::MissingField(_))
        ));
    }
}
