//! Polling the trackings list (`GET /tracking/2025-01/trackings`).
//!
//! The list filters by `updated_at_min` / `updated_at_max` and pages with an
//! opaque `cursor` (`data.pagination.next_cursor`, `has_next_page`). Polling
//! reads closed time windows of `updated_at`, page by page:
//!
//! - the cursor is JSON `{"updated_at_min":…,"updated_at_max":…,"cursor":…}`
//!   (times as `YYYY-MM-DDTHH:mm:ss+00:00`, the format AfterShip documents);
//! - a window ends [`SETTLE_SECONDS`] before the time the previous page was
//!   read, so it is closed by the time it is requested, and the next window
//!   starts where it ended (the boundary second is read twice: harmless);
//! - the first poll (no cursor, or a cursor without `updated_at_max`) reads
//!   from [`LOOKBACK_SECONDS`] ago and only bootstraps: its answer sets a
//!   proper window and asks to poll again at once;
//! - a reconciliation window ([`cursor_at`]) is a closed window from the
//!   given time, read like any other.
//!
//! The single-tracking GET answer (`data.tracking`) is read too, so a
//! tracking fetched by id can be fed through `poll-response`.

use orderhub_adapter_kit::json::Fields;
use orderhub_adapter_kit::{KitError, http, json, time};
use serde_json::{Map, Value};

use crate::account;
use crate::bindings::orderhub::adapter::types::{
    Account, Field, HttpResponse, OutboundRequest, PollPage,
};
use crate::signing::sign_request;
use crate::tracking;

/// AfterShip's API; the `base_url` credential replaces it.
pub(crate) const DEFAULT_BASE_URL: &str = "https://api.aftership.com";
const TRACKINGS_PATH: &str = "/tracking/2025-01/trackings";
/// Trackings per page (AfterShip's maximum).
const PAGE_LIMIT: &str = "200";
/// How far back the first poll reaches.
pub(crate) const LOOKBACK_SECONDS: i64 = 86_400;
/// How long before "now" a window must end, so late index updates are in it.
pub(crate) const SETTLE_SECONDS: i64 = 60;
/// The topic of events read from the trackings list.
pub(crate) const TOPIC_POLL: &str = "trackings.list";

/// A window of `updated_at` being read, and the page to read next.
#[derive(Debug, Clone, PartialEq)]
struct Window {
    /// UTC milliseconds, whole seconds.
    min: i64,
    /// `None` until the bootstrap poll has fixed the window's end.
    max: Option<i64>,
    page: Option<String>,
}

impl Window {
    fn bootstrap(now: i64) -> Self {
        Window {
            min: settled(now) - (LOOKBACK_SECONDS - SETTLE_SECONDS) * 1000,
            max: None,
            page: None,
        }
    }

    /// A closed window from `min` (whole seconds) to the settled `now`, from
    /// its first page.
    fn from_start(min: i64, now: i64) -> Self {
        Window {
            min,
            max: Some(settled(now).max(min)),
            page: None,
        }
    }

    fn parse(cursor: Option<&str>, now: i64) -> Result<Self, KitError> {
        let Some(text) = cursor.map(str::trim).filter(|c| !c.is_empty()) else {
            return Ok(Window::bootstrap(now));
        };
        let value: Value = serde_json::from_str(text).map_err(|e| {
            KitError::invalid(
                "cursor",
                format_args!(
                    "not this adapter's cursor JSON ({e}); expected {{\"updated_at_min\":…,\"updated_at_max\":…}}"
                ),
            )
        })?;
        let fields = Fields::of(&value, "cursor")?;
        let at = |key: &str| {
            fields
                .opt_string(key)
                .map(|t| time::parse_rfc3339(&t, &fields.path_of(key)))
                .transpose()
        };
        let min = at("updated_at_min")?
            .ok_or_else(|| KitError::MissingField(fields.path_of("updated_at_min")))?;
        let max = at("updated_at_max")?;
        if max.is_some_and(|max| max < min) {
            return Err(KitError::invalid(
                "cursor.updated_at_max",
                "the window ends before it starts",
            ));
        }
        Ok(Window {
            min,
            max,
            page: fields.opt_string("cursor"),
        })
    }

    fn to_json(&self) -> String {
        let mut map = Map::new();
        map.insert("updated_at_min".into(), format_time(self.min).into());
        if let Some(max) = self.max {
            map.insert("updated_at_max".into(), format_time(max).into());
        }
        if let Some(page) = &self.page {
            map.insert("cursor".into(), page.clone().into());
        }
        Value::Object(map).to_string()
    }
}

/// `now` minus the settling delay, in whole seconds.
fn settled(now: i64) -> i64 {
    (now.div_euclid(1000) - SETTLE_SECONDS) * 1000
}

/// `YYYY-MM-DDTHH:mm:ss+00:00`, the pattern AfterShip documents for the filters.
fn format_time(millis: i64) -> String {
    let text = time::format_rfc3339(millis);
    match text.strip_suffix('Z') {
        Some(base) => format!("{base}+00:00"),
        None => text,
    }
}

/// The cursor that reads again every tracking updated since `since`: one
/// closed window from `since` (truncated to the second) to the settled
/// `now`; the list pages through it with its own cursor, whatever its span.
pub(crate) fn cursor_at(since: i64, now: i64) -> Result<String, KitError> {
    let min = since.div_euclid(1000).saturating_mul(1000);
    if time::format_rfc3339(min).is_empty() {
        return Err(KitError::invalid(
            "since",
            format_args!("{since} ms is not a representable time"),
        ));
    }
    Ok(Window::from_start(min, now).to_json())
}

/// The signed request for the window and page the cursor names.
pub(crate) fn request(
    cursor: Option<&str>,
    account: &Account,
    now: i64,
) -> Result<OutboundRequest, KitError> {
    let window = Window::parse(cursor, now)?;
    let base = http::base_url(
        account::optional(account, "base_url"),
        DEFAULT_BASE_URL,
        "credentials.base_url",
    )?;
    let max = window.max.unwrap_or_else(|| settled(now).max(window.min));
    let mut query = vec![
        field("limit", PAGE_LIMIT),
        field("updated_at_min", &format_time(window.min)),
        field("updated_at_max", &format_time(max)),
    ];
    if let Some(page) = &window.page {
        query.push(field("cursor", page));
    }
    let draft = OutboundRequest {
        method: "GET".into(),
        url: format!("{}{TRACKINGS_PATH}", base.trim_end_matches('/')),
        query,
        // AfterShip documents Content-Type as required on every call.
        headers: vec![field("Content-Type", "application/json")],
        body: vec![],
    };
    sign_request(draft, account)
}

/// The trackings of one page, and the cursor to read next.
pub(crate) fn response(
    cursor: Option<&str>,
    response: &HttpResponse,
    now: i64,
) -> Result<PollPage, KitError> {
    let window = Window::parse(cursor, now)?;
    let value = json::parse(&response.body);
    if !(200..300).contains(&response.status) {
        return Err(http_error(response.status, value.ok().as_ref()));
    }
    let value = value?;
    let root = Fields::of(&value, "")?;
    let data = root.object("data")?;
    let trackings = match data.opt_object("tracking") {
        Some(single) => vec![single],
        None => {
            data.array("trackings")?;
            data.objects("trackings")?
        }
    };
    let events = trackings
        .iter()
        .map(|t| tracking::shipment_event(t, TOPIC_POLL, None, None))
        .collect::<Result<Vec<_>, _>>()?;
    let pagination = data.opt_object("pagination");
    let next_page = pagination
        .as_ref()
        .filter(|p| p.opt_bool("has_next_page") == Some(true))
        .and_then(|p| p.opt_string("next_cursor"));

    let (next, more) = match (window.max, next_page) {
        // Bootstrap: fix the window's end now; read it properly next time.
        (None, _) => (
            Window {
                min: window.min,
                max: Some(settled(now).max(window.min)),
                page: None,
            },
            true,
        ),
        (Some(max), Some(page)) => (
            Window {
                min: window.min,
                max: Some(max),
                page: Some(page),
            },
            true,
        ),
        // The window is read: the next one starts where it ended.
        (Some(max), None) => (Window::from_start(max, now), false),
    };
    Ok(PollPage {
        events,
        next_cursor: Some(next.to_json()),
        more,
    })
}

/// A refused call, typed by its HTTP status and AfterShip's `meta`.
fn http_error(status: u16, body: Option<&Value>) -> KitError {
    let meta = |key: &str| {
        body.and_then(|v| v.pointer(&format!("/meta/{key}")))
            .map(|v| json::scalar_text(v).unwrap_or_default())
            .unwrap_or_default()
    };
    let said = format!(
        "HTTP {status}, meta.code {}: {}",
        meta("code"),
        meta("message")
    );
    match status {
        401 | 403 => {
            KitError::MissingCredential(format!("api_key: AfterShip refused the API key ({said})"))
        }
        _ => KitError::invalid("status", format_args!("AfterShip answered {said}")),
    }
}

fn field(name: &str, value: &str) -> Field {
    Field {
        name: name.into(),
        value: value.into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// 2024-05-06T12:00:30Z.
    const NOW: i64 = 1_714_996_830_000;
    const SAMPLE: &str = include_str!("../testdata/tracking-get-response.json");

    fn account() -> Account {
        Account {
            id: "main".into(),
            secrets: vec![],
            credentials: vec![field("api_key", "asak_123")],
        }
    }

    fn answer(status: u16, body: &str) -> HttpResponse {
        HttpResponse {
            status,
            headers: vec![],
            body: body.as_bytes().to_vec(),
        }
    }

    fn query(r: &OutboundRequest) -> Vec<(&str, &str)> {
        r.query
            .iter()
            .map(|f| (f.name.as_str(), f.value.as_str()))
            .collect()
    }

    #[test]
    fn cursor_at_is_a_closed_window_from_since() {
        // 2024-05-01T00:00:00.750Z, truncated to the second.
        let text = cursor_at(1_714_521_600_750, NOW).unwrap();
        assert_eq!(
            text,
            r#"{"updated_at_min":"2024-05-01T00:00:00+00:00","updated_at_max":"2024-05-06T11:59:30+00:00"}"#
        );
        // The poll reads it as a proper window, with no bootstrap.
        let r = request(Some(&text), &account(), NOW).unwrap();
        assert_eq!(
            query(&r),
            vec![
                ("limit", "200"),
                ("updated_at_min", "2024-05-01T00:00:00+00:00"),
                ("updated_at_max", "2024-05-06T11:59:30+00:00"),
            ]
        );
        // A start after the settled `now` is an empty window, not a reversed one.
        assert_eq!(
            cursor_at(NOW, NOW).unwrap(),
            r#"{"updated_at_min":"2024-05-06T12:00:30+00:00","updated_at_max":"2024-05-06T12:00:30+00:00"}"#
        );
        assert!(matches!(
            cursor_at(i64::MAX, NOW),
            Err(KitError::InvalidField(m)) if m.starts_with("since:")
        ));
    }

    #[test]
    fn first_poll_reads_the_last_day() {
        let r = request(None, &account(), NOW).unwrap();
        assert_eq!(
            r.url,
            "https://api.aftership.com/tracking/2025-01/trackings"
        );
        assert_eq!(
            query(&r),
            vec![
                ("limit", "200"),
                ("updated_at_min", "2024-05-05T12:00:30+00:00"),
                ("updated_at_max", "2024-05-06T11:59:30+00:00"),
            ]
        );
        assert!(
            r.headers
                .iter()
                .any(|h| h.name == "as-api-key" && h.value == "asak_123")
        );
    }

    #[test]
    fn bootstrap_then_pages_then_next_window() {
        let list = |has_next: bool| {
            json!({"meta": {"code": 200}, "data": {"pagination": {"total": 3, "next_cursor": "WzE3", "has_next_page": has_next},
                "trackings": [{"tracking_number": "1", "slug": "ups", "tag": "InTransit"}]}})
            .to_string()
        };
        let boot = response(None, &answer(200, &list(true)), NOW).unwrap();
        assert!(boot.more);
        assert_eq!(boot.events.len(), 1);
        let cursor = boot.next_cursor.unwrap();
        assert_eq!(
            cursor,
            r#"{"updated_at_min":"2024-05-05T12:00:30+00:00","updated_at_max":"2024-05-06T11:59:30+00:00"}"#
        );

        let later = NOW + 600_000;
        let page = response(Some(&cursor), &answer(200, &list(true)), later).unwrap();
        assert!(page.more);
        let paged = page.next_cursor.unwrap();
        assert_eq!(
            paged,
            r#"{"updated_at_min":"2024-05-05T12:00:30+00:00","updated_at_max":"2024-05-06T11:59:30+00:00","cursor":"WzE3"}"#
        );
        let r = request(Some(&paged), &account(), later).unwrap();
        assert_eq!(
            query(&r)[2],
            ("updated_at_max", "2024-05-06T11:59:30+00:00")
        );
        assert_eq!(query(&r)[3], ("cursor", "WzE3"));

        let done = response(Some(&paged), &answer(200, &list(false)), later).unwrap();
        assert!(!done.more);
        assert_eq!(
            done.next_cursor.as_deref(),
            Some(
                r#"{"updated_at_min":"2024-05-06T11:59:30+00:00","updated_at_max":"2024-05-06T12:09:30+00:00"}"#
            )
        );
    }

    #[test]
    fn the_single_tracking_sample_is_read() {
        let cursor = r#"{"updated_at_min":"2018-08-17T00:00:00+00:00","updated_at_max":"2018-08-18T00:00:00+00:00"}"#;
        let page = response(Some(cursor), &answer(200, SAMPLE), NOW).unwrap();
        assert_eq!(page.events.len(), 1);
        assert_eq!(page.events[0].status.as_ref().unwrap().value, "Delivered");
        assert!(!page.more);
    }

    #[test]
    fn failures_are_typed() {
        assert!(matches!(
            response(None, &answer(401, r#"{"meta":{"code":401,"message":"Invalid API key."}}"#), NOW),
            Err(KitError::MissingCredential(m)) if m.contains("Invalid API key.")
        ));
        assert!(matches!(
            response(None, &answer(429, "{}"), NOW),
            Err(KitError::InvalidField(_))
        ));
        assert!(matches!(
            response(None, &answer(200, "<html>"), NOW),
            Err(KitError::MalformedPayload(_))
        ));
        assert_eq!(
            response(None, &answer(200, r#"{"data":{}}"#), NOW).err(),
            Some(KitError::MissingField("data.trackings".into()))
        );
        assert!(matches!(
            request(Some("x"), &account(), NOW),
            Err(KitError::InvalidField(_))
        ));
        assert!(matches!(
            request(Some("{}"), &account(), NOW),
            Err(KitError::MissingField(_))
        ));
        assert!(matches!(
            request(
                Some(
                    r#"{"updated_at_min":"2024-05-02T00:00:00+00:00","updated_at_max":"2024-05-01T00:00:00+00:00"}"#
                ),
                &account(),
                NOW
            ),
            Err(KitError::InvalidField(_))
        ));
    }
}
