//! Incremental polling with `open.order.cursor.list`.
//!
//! The API lists orders updated (`queryType` 2) between `beginTime` and
//! `endTime` (ms, at most 7 days apart, not older than 90 days), 50 a page,
//! paged by an opaque `cursor` that starts as `""` and comes back as
//! `"nomore"` on the last page. The adapter's cursor is the JSON
//! `{"begin":ms,"end":ms,"cursor":"…"}`: the window being read and the
//! platform cursor within it. The first poll reads the last day. When a
//! window is done the next one starts 5 minutes before its end, so a
//! difference between the clocks of the request and of the response loses
//! no update; the overlap only repeats events, whose ids (`oid:updateTime`)
//! make them idempotent.

use orderhub_adapter_kit::{KitError, json};
use serde_json::{Value, json as json_value};

use crate::bindings::orderhub::adapter::types::{
    Account, Event, EventBody, Field, HttpResponse, OutboundRequest, PollPage,
};
use crate::{order, request};

/// The topic of polled orders.
pub const TOPIC: &str = "open.order.cursor.list";

const MINUTE: i64 = 60_000;
const DAY: i64 = 24 * 60 * MINUTE;
const FIRST_LOOKBACK: i64 = DAY;
const MAX_WINDOW: i64 = 7 * DAY;
// A little under the platform's 90 days so a window is never refused for age.
const MAX_AGE: i64 = 89 * DAY;
const OVERLAP: i64 = 5 * MINUTE;
const PAGE_SIZE: i64 = 50;
const LAST_PAGE: &str = "nomore";

/// The window being read and the platform cursor inside it.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Cursor {
    begin: i64,
    end: i64,
    page: String,
}

impl Cursor {
    /// The first page of a window starting at `begin` (ms) as a poll at
    /// `now` reads it: no older than the platform's 90 days, at most 7 days
    /// long and ending no later than `now`.
    fn since(begin: i64, now: i64) -> Self {
        let begin = begin.max(now.saturating_sub(MAX_AGE));
        Cursor {
            begin,
            end: begin.saturating_add(MAX_WINDOW).min(now).max(begin),
            page: String::new(),
        }
    }

    /// The window a poll at `now` reads for the stored cursor.
    fn resolve(stored: Option<&str>, now: i64) -> Result<Self, KitError> {
        let Some(text) = stored.filter(|t| !t.trim().is_empty()) else {
            return Ok(Cursor::since(now.saturating_sub(FIRST_LOOKBACK), now));
        };
        let value = serde_json::from_str::<Value>(text)
            .map_err(|e| KitError::invalid("cursor", format_args!("not JSON: {e}")))?;
        let fields = json::Fields::of(&value, "cursor")?;
        let begin = fields.integer("begin")?;
        let page = fields.opt_string("cursor").unwrap_or_default();
        if page.is_empty() {
            return Ok(Cursor::since(begin, now));
        }
        let begin = begin.max(now.saturating_sub(MAX_AGE));
        Ok(Cursor {
            begin,
            end: fields.integer("end")?.max(begin),
            page,
        })
    }

    fn to_json(&self) -> String {
        json_value!({"begin": self.begin, "end": self.end, "cursor": self.page}).to_string()
    }
}

/// The cursor that reads again every order updated since `since` (UTC
/// milliseconds): the first page of a window from `since` (or from 90 days
/// back, the oldest the platform serves), at most 7 days long.
pub fn cursor_at(since: i64, now: i64) -> String {
    Cursor::since(since, now).to_json()
}

/// The signed request for the next page.
pub fn request(
    stored: Option<&str>,
    account: &Account,
    now: i64,
) -> Result<OutboundRequest, KitError> {
    let cursor = Cursor::resolve(stored, now)?;
    let param = json_value!({
        "queryType": 2,
        "orderViewStatus": 1,
        "beginTime": cursor.begin,
        "endTime": cursor.end,
        "pageSize": PAGE_SIZE,
        "sort": 1,
        "cursor": cursor.page,
    })
    .to_string();
    let draft = OutboundRequest {
        method: "GET".into(),
        url: request::method_url(account, TOPIC)?,
        query: vec![
            Field {
                name: "method".into(),
                value: TOPIC.into(),
            },
            Field {
                name: "param".into(),
                value: param,
            },
        ],
        headers: vec![],
        body: vec![],
    };
    request::sign(draft, account, now)
}

fn platform_error(root: &json::Fields<'_>, code: &str) -> KitError {
    let message = ["errorMsg", "error_msg", "subMsg", "msg"]
        .iter()
        .find_map(|k| root.opt_string(k))
        .unwrap_or_default();
    KitError::invalid(
        "response.result",
        format_args!("platform error {code}: {message}"),
    )
}

/// The events of one page and the cursor after it.
pub fn response(
    stored: Option<&str>,
    response: &HttpResponse,
    now: i64,
) -> Result<PollPage, KitError> {
    let cursor = Cursor::resolve(stored, now)?;
    let value = json::parse(&response.body)?;
    let root = json::Fields::of(&value, "response")?;
    let result = root
        .optional("result")
        .and_then(json::scalar_text)
        .ok_or_else(|| KitError::MissingField("response.result".into()))?;
    if result != "1" {
        return Err(platform_error(&root, &result));
    }
    if !(200..300).contains(&response.status) {
        return Err(KitError::invalid(
            "response.status",
            format_args!("HTTP {}", response.status),
        ));
    }
    let data = root.object("data")?;
    let mut events = Vec::new();
    for (index, item) in data.opt_array("orderList").iter().enumerate() {
        let (order, status) = order::order(item, &format!("response.data.orderList[{index}]"))?;
        let stamp = order.updated_at.map(|t| t.to_string()).unwrap_or_default();
        events.push(Event {
            event_id: Some(format!("{}:{stamp}", order.external_id)),
            topic: TOPIC.into(),
            occurred_at: order.updated_at,
            status,
            body: EventBody::Order(order),
        });
    }
    let page = data.opt_string("cursor").unwrap_or_default();
    let next = if page.is_empty() || page == LAST_PAGE {
        Cursor {
            begin: (cursor.end - OVERLAP).max(cursor.begin),
            end: cursor.end,
            page: String::new(),
        }
    } else {
        Cursor {
            page,
            ..cursor.clone()
        }
    };
    // More to read now: another page, or a catch-up window that ended well
    // before `now`.
    let more = !next.page.is_empty() || now - cursor.end > OVERLAP;
    Ok(PollPage {
        events,
        next_cursor: Some(next.to_json()),
        more,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOW: i64 = 1_711_929_600_000;

    #[test]
    fn first_window_is_the_last_day() {
        let c = Cursor::resolve(None, NOW).unwrap();
        assert_eq!((c.begin, c.end, c.page.as_str()), (NOW - DAY, NOW, ""));
    }

    #[test]
    fn windows_are_capped_at_seven_days_and_ninety_days_age() {
        let old = r#"{"begin":0,"end":0,"cursor":""}"#;
        let c = Cursor::resolve(Some(old), NOW).unwrap();
        assert_eq!(
            (c.begin, c.end),
            (NOW - MAX_AGE, NOW - MAX_AGE + MAX_WINDOW)
        );
    }

    #[test]
    fn cursor_at_opens_a_window_of_at_most_seven_days() {
        // 2024-03-20T00:00:00Z, 12 days before NOW.
        assert_eq!(
            cursor_at(1_710_892_800_000, NOW),
            r#"{"begin":1710892800000,"end":1711497600000,"cursor":""}"#
        );
        // A day back: the window ends at now.
        assert_eq!(
            cursor_at(NOW - DAY, NOW),
            r#"{"begin":1711843200000,"end":1711929600000,"cursor":""}"#
        );
        // Older than the platform serves: from 89 days back.
        let c = Cursor::resolve(Some(&cursor_at(0, NOW)), NOW).unwrap();
        assert_eq!(
            (c.begin, c.end),
            (NOW - MAX_AGE, NOW - MAX_AGE + MAX_WINDOW)
        );
    }

    #[test]
    fn last_page_moves_to_the_next_window_with_overlap() {
        let body = br#"{"result":1,"data":{"cursor":"nomore","orderList":[{"orderBaseInfo":{"oid":7,"status":30,"updateTime":5,"totalFee":100}}]}}"#;
        let resp = HttpResponse {
            status: 200,
            headers: vec![],
            body: body.to_vec(),
        };
        let page = response(None, &resp, NOW).unwrap();
        assert_eq!(page.events.len(), 1);
        assert_eq!(page.events[0].event_id.as_deref(), Some("7:5"));
        assert!(!page.more);
        let next = format!(r#"{{"begin":{},"end":{NOW},"cursor":""}}"#, NOW - OVERLAP);
        assert_eq!(page.next_cursor.as_deref(), Some(next.as_str()));
    }

    #[test]
    fn platform_errors_are_typed() {
        let body = br#"{"result":2001,"errorMsg":"endTime invalid"}"#;
        let resp = HttpResponse {
            status: 200,
            headers: vec![],
            body: body.to_vec(),
        };
        assert!(
            matches!(response(None, &resp, NOW), Err(KitError::InvalidField(m)) if m.contains("2001"))
        );
        let resp = HttpResponse {
            status: 200,
            headers: vec![],
            body: b"<html>".to_vec(),
        };
        assert!(matches!(
            response(None, &resp, NOW),
            Err(KitError::MalformedPayload(_))
        ));
        assert!(Cursor::resolve(Some("nope"), NOW).is_err());
    }
}
