//! The incremental order poll: `youzan.trades.sold.get` 4.0.4.
//!
//! The API filters on the update time (`start_update`/`end_update`,
//! `yyyy-MM-dd HH:mm:ss` in Asia/Shanghai) and pages with `page_no` (≤ 100)
//! and `page_size` (≤ 100), so one window yields at most 10 000 rows; a
//! window reporting more is halved and asked again before any page is
//! used. Windows are at most one hour, end at least 30 seconds (rounded down
//! to the minute) before `now` because the batch API lags behind pushes, and
//! the first one starts a day back.
//!
//! The cursor is JSON: `{"from": "<start_update>", "to": "<end_update>",
//! "page": <page_no>}`. `to` is left out when a window has not been fixed yet;
//! it is then computed from `now` (to the minute) by both the request and the
//! response of that poll.

use orderhub_adapter_kit::json::{self, Fields};
use orderhub_adapter_kit::{KitError, time};
use serde_json::json;

use crate::api;
use crate::bindings::orderhub::adapter::types::{
    Account, Event, HttpResponse, OutboundRequest, PollPage,
};
use crate::push;

/// The API and its version.
pub const API: &str = "youzan.trades.sold.get";
pub const VERSION: &str = "4.0.4";
/// The topic of polled events.
pub const TOPIC: &str = "youzan.trades.sold.get";

const MINUTE_MS: i64 = 60_000;
const WINDOW_MS: i64 = 3_600_000;
const LAG_MS: i64 = 30_000;
const LOOKBACK_MS: i64 = 24 * WINDOW_MS;
const PAGE_SIZE: i64 = 100;
const MAX_PAGE: i64 = 100;
const MAX_ROWS: i64 = PAGE_SIZE * MAX_PAGE;

/// One window and page of the poll.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Cursor {
    from: i64,
    to: Option<i64>,
    page: i64,
}

fn floor_minute(ms: i64) -> i64 {
    ms.div_euclid(MINUTE_MS) * MINUTE_MS
}

/// The end of a window starting at `from` that is not fixed yet.
fn window_end(from: i64, now: i64) -> i64 {
    (from + WINDOW_MS).min(floor_minute(now - LAG_MS)).max(from)
}

fn local(ms: i64) -> String {
    time::format_local(ms, time::shanghai())
}

impl Cursor {
    fn first(now: i64) -> Self {
        Self::since(now - LOOKBACK_MS)
    }

    /// Page 1 of a window starting on the minute of `start` (UTC
    /// milliseconds), its end left open: the request fixes it at most an
    /// hour later, so a window from long ago is walked an hour at a time.
    fn since(start: i64) -> Self {
        Cursor {
            from: floor_minute(start),
            to: None,
            page: 1,
        }
    }

    fn parse(text: Option<&str>, now: i64) -> Result<Self, KitError> {
        let Some(text) = text else {
            return Ok(Self::first(now));
        };
        let value = json::parse(text.as_bytes())
            .map_err(|_| KitError::invalid("cursor", "not the adapter's JSON cursor"))?;
        let fields = Fields::of(&value, "cursor")
            .map_err(|_| KitError::invalid("cursor", "not a JSON object"))?;
        let zone = time::shanghai();
        let from = time::parse_local(&fields.string("from")?, zone, "cursor.from")?;
        let to = match fields.opt_string("to") {
            Some(to) => Some(time::parse_local(&to, zone, "cursor.to")?),
            None => None,
        };
        let page = fields.integer("page")?;
        if !(1..=MAX_PAGE).contains(&page) {
            return Err(KitError::invalid("cursor.page", "not between 1 and 100"));
        }
        Ok(Cursor { from, to, page })
    }

    fn text(&self) -> String {
        let mut value = json!({"from": local(self.from), "page": self.page});
        if let Some(to) = self.to {
            value["to"] = json!(local(to));
        }
        value.to_string()
    }
}

/// The signed request for the cursor's window and page.
pub fn request(
    cursor: Option<&str>,
    account: &Account,
    now: i64,
) -> Result<OutboundRequest, KitError> {
    let c = Cursor::parse(cursor, now)?;
    let to = c.to.unwrap_or_else(|| window_end(c.from, now));
    // Keys in sorted order so the body is the same whether or not JSON
    // objects keep insertion order.
    let body = json!({
        "end_update": local(to),
        "page_no": c.page,
        "page_size": PAGE_SIZE,
        "start_update": local(c.from),
    });
    api::post_json(account, API, VERSION, &body)
}

/// Refuses error answers, naming the platform's code and message.
fn check_errors(response: &HttpResponse, root: &Fields<'_>) -> Result<(), KitError> {
    if let Some(gw) = root.opt_object("gw_err_resp") {
        let code = gw.opt_string("err_code").unwrap_or_default();
        let message = gw.opt_string("err_msg").unwrap_or_default();
        // 4201-4203: the token is missing, invalid or expired.
        return Err(if code.starts_with("420") {
            KitError::MissingCredential(format!("access_token rejected: {code} {message}"))
        } else {
            KitError::InvalidField(format!("response: gateway error {code} {message}"))
        });
    }
    if root.opt_bool("success") == Some(false) {
        let code = root.opt_string("code").unwrap_or_default();
        let message = root.opt_string("message").unwrap_or_default();
        return Err(KitError::InvalidField(format!(
            "response: {API} failed: {code} {message}"
        )));
    }
    if !(200..300).contains(&response.status) {
        return Err(if matches!(response.status, 401 | 403) {
            KitError::MissingCredential(format!("access_token rejected: HTTP {}", response.status))
        } else {
            KitError::InvalidField(format!("response: HTTP {}", response.status))
        });
    }
    Ok(())
}

/// Parses one page into events and the next cursor.
pub fn response(
    cursor: Option<&str>,
    response: &HttpResponse,
    now: i64,
) -> Result<PollPage, KitError> {
    let c = Cursor::parse(cursor, now)?;
    let to = c.to.unwrap_or_else(|| window_end(c.from, now));
    let value = match json::parse(&response.body) {
        Ok(value) => value,
        Err(e) if (200..300).contains(&response.status) => return Err(e),
        Err(_) => {
            return Err(KitError::InvalidField(format!(
                "response: HTTP {}",
                response.status
            )));
        }
    };
    let root = Fields::of(&value, "")?;
    check_errors(response, &root)?;
    let data = root.object("data")?;
    let items = data.objects("full_order_info_list")?;
    let total = match data.optional("total_results") {
        Some(_) => data.integer("total_results")?,
        None => i64::try_from(items.len()).unwrap_or(i64::MAX),
    };

    if total > MAX_ROWS {
        let span = to - c.from;
        if span < 2_000 {
            return Err(KitError::invalid(
                "data.total_results",
                format_args!(
                    "{total} rows updated within two seconds exceed the 10 000 the API can page"
                ),
            ));
        }
        // Halve on a whole second: the API takes second precision.
        let half = c.from + (span / 2).div_euclid(1_000) * 1_000;
        return Ok(PollPage {
            events: Vec::new(),
            next_cursor: Some(
                Cursor {
                    from: c.from,
                    to: Some(half),
                    page: 1,
                }
                .text(),
            ),
            more: true,
        });
    }

    let mut events: Vec<Event> = Vec::with_capacity(items.len());
    for item in &items {
        let mut event = push::trade_event(item, TOPIC)?;
        event.topic = TOPIC.into();
        event.event_id = match &event.body {
            crate::bindings::orderhub::adapter::types::EventBody::Order(order) => Some(format!(
                "{}:{}",
                order.external_id,
                order.updated_at.map(|t| t.to_string()).unwrap_or_default()
            )),
            _ => None,
        };
        events.push(event);
    }

    let (next, more) = if c.page * PAGE_SIZE < total && c.page < MAX_PAGE {
        (
            Cursor {
                from: c.from,
                to: Some(to),
                page: c.page + 1,
            },
            true,
        )
    } else {
        // The window is done; the next starts where it ended, and more is
        // due at once only when a whole window is already behind the lag.
        let more = window_end(to, now) >= to + WINDOW_MS;
        (
            Cursor {
                from: to,
                to: None,
                page: 1,
            },
            more,
        )
    };
    Ok(PollPage {
        events,
        next_cursor: Some(next.text()),
        more,
    })
}

/// The cursor that reads again every trade updated since `since` (UTC
/// milliseconds), from the start of that minute.
pub fn cursor_at(since: i64) -> String {
    Cursor::since(since).text()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bindings::orderhub::adapter::types::Field;

    // 2024-04-01T00:00:00Z = 2024-04-01 08:00:00 in Shanghai.
    const NOW: i64 = 1_711_929_600_000;

    fn account() -> Account {
        Account {
            id: "main".into(),
            secrets: vec![],
            credentials: vec![Field {
                name: "access_token".into(),
                value: "tok".into(),
            }],
        }
    }

    fn reply(status: u16, body: &str) -> HttpResponse {
        HttpResponse {
            status,
            headers: vec![],
            body: body.as_bytes().to_vec(),
        }
    }

    #[test]
    fn first_request_is_an_hour_a_day_back() {
        let r = request(None, &account(), NOW).unwrap();
        assert_eq!(
            r.url,
            "https://open.youzanyun.com/api/youzan.trades.sold.get/4.0.4"
        );
        let body: serde_json::Value = serde_json::from_slice(&r.body).unwrap();
        assert_eq!(body["start_update"], "2024-03-31 08:00:00");
        assert_eq!(body["end_update"], "2024-03-31 09:00:00");
        assert_eq!(body["page_no"], 1);
        assert_eq!(r.query[0].value, "tok");
    }

    #[test]
    fn cursor_at_opens_a_window_on_the_minute_of_since() {
        // 2024-03-30T01:02:03Z = 2024-03-30 09:02:03 in Shanghai.
        let cursor = cursor_at(1_711_760_523_000);
        assert_eq!(cursor, r#"{"from":"2024-03-30 09:02:00","page":1}"#);
        // The request caps that window at one hour, like any other.
        let r = request(Some(&cursor), &account(), NOW).unwrap();
        let body: serde_json::Value = serde_json::from_slice(&r.body).unwrap();
        assert_eq!(body["start_update"], "2024-03-30 09:02:00");
        assert_eq!(body["end_update"], "2024-03-30 10:02:00");
    }

    #[test]
    fn pages_then_windows() {
        let body =
            r#"{"success":true,"code":200,"data":{"total_results":150,"full_order_info_list":[]}}"#;
        let page = response(None, &reply(200, body), NOW).unwrap();
        assert!(page.more);
        assert_eq!(
            page.next_cursor.as_deref(),
            Some(r#"{"from":"2024-03-31 08:00:00","page":2,"to":"2024-03-31 09:00:00"}"#)
        );
        let page = response(page.next_cursor.as_deref(), &reply(200, body), NOW).unwrap();
        assert_eq!(
            page.next_cursor.as_deref(),
            Some(r#"{"from":"2024-03-31 09:00:00","page":1}"#)
        );
        assert!(page.more);
    }

    #[test]
    fn too_many_rows_halve_the_window() {
        let body = r#"{"success":true,"data":{"total_results":10001,"full_order_info_list":[]}}"#;
        let page = response(None, &reply(200, body), NOW).unwrap();
        assert!(page.events.is_empty());
        assert_eq!(
            page.next_cursor.as_deref(),
            Some(r#"{"from":"2024-03-31 08:00:00","page":1,"to":"2024-03-31 08:30:00"}"#)
        );
    }

    #[test]
    fn errors_are_typed() {
        let token = r#"{"gw_err_resp":{"err_code":4203,"err_msg":"access_token expired"}}"#;
        assert!(matches!(
            response(None, &reply(200, token), NOW),
            Err(KitError::MissingCredential(_))
        ));
        let failed = r#"{"success":false,"code":141500101,"message":"bad"}"#;
        assert!(matches!(
            response(None, &reply(200, failed), NOW),
            Err(KitError::InvalidField(_))
        ));
        assert!(response(Some("nonsense"), &reply(200, "{}"), NOW).is_err());
        assert!(matches!(
            response(None, &reply(200, "{\"data\""), NOW),
            Err(KitError::MalformedPayload(_))
        ));
    }
}
