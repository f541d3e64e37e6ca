//! Polling the tracker list (`GET /v2/trackers`) as a fallback to webhooks.
//!
//! EasyPost lists trackers newest first, `page_size` at a time; the next
//! page is asked for with `before_id` = the last tracker id of the page, and
//! `has_more` says whether one exists. The list has no "updated since"
//! filter, so polling sweeps the trackers created in the last
//! [`LOOKBACK_DAYS`] days (`start_datetime`), page by page, and starts a new
//! sweep once one ends. Every tracker comes back as a shipment event each
//! sweep; the host's idempotency makes the repeats harmless.
//!
//! The cursor is JSON: `{}` for "start a sweep", or
//! `{"start_datetime":"…","before_id":"trk_…"}` in the middle of one.
//!
//! A reconciliation window ([`cursor_at`]) is a sweep like any other, reaching
//! back to the window's start when that is further back than a usual sweep.

use orderhub_adapter_kit::json::Fields;
use orderhub_adapter_kit::{KitError, http, json, time};
use serde_json::{Map, Value};

use crate::account;
use crate::bindings::orderhub::adapter::types::{
    Account, Field, HttpResponse, OutboundRequest, PollPage,
};
use crate::signing::sign_request;
use crate::tracker;

/// EasyPost's API; the `base_url` credential replaces it.
pub(crate) const DEFAULT_BASE_URL: &str = "https://api.easypost.com";
const TRACKERS_PATH: &str = "/v2/trackers";
/// Trackers per page (EasyPost's maximum is 100).
const PAGE_SIZE: &str = "100";
/// How far back a sweep reaches, by tracker creation time.
pub(crate) const LOOKBACK_DAYS: i64 = 30;
const DAY_MILLIS: i64 = 86_400_000;
/// The topic of events read from the tracker list.
pub(crate) const TOPIC_POLL: &str = "trackers.list";
/// The cursor that starts a new sweep.
const NEW_SWEEP: &str = "{}";

/// Where a sweep stands.
#[derive(Debug, PartialEq)]
struct Sweep {
    start_datetime: String,
    before_id: Option<String>,
}

impl Sweep {
    /// A sweep starting now: trackers created since midnight UTC
    /// [`LOOKBACK_DAYS`] days ago (a whole day, so the value is stable
    /// between the request and the response).
    fn new(now: i64) -> Self {
        Sweep::starting_at(usual_start(now))
    }

    /// A sweep of the trackers created since `start` (UTC milliseconds,
    /// truncated to the second), from its first page.
    fn starting_at(start: i64) -> Self {
        Sweep {
            start_datetime: time::format_rfc3339(start),
            before_id: None,
        }
    }

    fn parse(cursor: Option<&str>, now: i64) -> Result<Self, KitError> {
        let Some(text) = cursor.map(str::trim).filter(|c| !c.is_empty()) else {
            return Ok(Sweep::new(now));
        };
        let value: Value = serde_json::from_str(text).map_err(|e| {
            KitError::invalid(
                "cursor",
                format_args!("not this adapter's cursor JSON ({e}); expected {{}} or {{\"start_datetime\":…,\"before_id\":…}}"),
            )
        })?;
        let fields = Fields::of(&value, "cursor")?;
        let start_datetime = match fields.opt_string("start_datetime") {
            Some(start) => {
                time::parse_rfc3339(&start, &fields.path_of("start_datetime"))?;
                start
            }
            None => Sweep::new(now).start_datetime,
        };
        Ok(Sweep {
            start_datetime,
            before_id: fields.opt_string("before_id"),
        })
    }

    fn to_json(&self) -> String {
        let mut map = Map::new();
        map.insert("start_datetime".into(), self.start_datetime.clone().into());
        if let Some(id) = &self.before_id {
            map.insert("before_id".into(), id.clone().into());
        }
        Value::Object(map).to_string()
    }
}

/// Where a usual sweep starts: midnight UTC [`LOOKBACK_DAYS`] days before `now`.
fn usual_start(now: i64) -> i64 {
    let midnight = now.div_euclid(DAY_MILLIS).saturating_mul(DAY_MILLIS);
    midnight.saturating_sub(LOOKBACK_DAYS * DAY_MILLIS)
}

/// The cursor of a sweep that reads again every tracker changed since
/// `since`. The list filters by creation time only, and a tracker created
/// before `since` may have changed after it, so the sweep reaches back as far
/// as a usual sweep does, or to `since` when that is earlier.
pub(crate) fn cursor_at(since: i64, now: i64) -> Result<String, KitError> {
    let sweep = Sweep::starting_at(since.min(usual_start(now)));
    if sweep.start_datetime.is_empty() {
        return Err(KitError::invalid(
            "since",
            format_args!("{since} ms is not a representable time"),
        ));
    }
    Ok(sweep.to_json())
}

/// The signed request for the page the cursor names.
pub(crate) fn request(
    cursor: Option<&str>,
    account: &Account,
    now: i64,
) -> Result<OutboundRequest, KitError> {
    let sweep = Sweep::parse(cursor, now)?;
    let base = http::base_url(
        account::optional(account, "base_url"),
        DEFAULT_BASE_URL,
        "credentials.base_url",
    )?;
    let mut query = vec![
        field("page_size", PAGE_SIZE),
        field("start_datetime", &sweep.start_datetime),
    ];
    if let Some(id) = &sweep.before_id {
        query.push(field("before_id", id));
    }
    let draft = OutboundRequest {
        method: "GET".into(),
        url: format!("{}{TRACKERS_PATH}", base.trim_end_matches('/')),
        query,
        headers: vec![field("Accept", "application/json")],
        body: vec![],
    };
    sign_request(draft, account)
}

/// The trackers of one page, and where the sweep goes next.
pub(crate) fn response(
    cursor: Option<&str>,
    response: &HttpResponse,
    now: i64,
) -> Result<PollPage, KitError> {
    let sweep = Sweep::parse(cursor, now)?;
    if !(200..300).contains(&response.status) {
        return Err(http_error(response));
    }
    let value = json::parse(&response.body)?;
    let page = Fields::of(&value, "")?;
    // Required, and an array: a page without the list is not a tracker page.
    page.array("trackers")?;
    let trackers = page.objects("trackers")?;
    let events = trackers
        .iter()
        .map(|t| tracker::shipment_event(t, TOPIC_POLL, None))
        .collect::<Result<Vec<_>, _>>()?;
    let has_more = page.opt_bool("has_more") == Some(true);
    let last_id = match trackers.last() {
        Some(last) => Some(last.string("id")?),
        None => None,
    };
    let (next, more) = match last_id {
        Some(id) if has_more => (
            Sweep {
                start_datetime: sweep.start_datetime,
                before_id: Some(id),
            }
            .to_json(),
            true,
        ),
        // The sweep is complete: the next poll starts again from the newest.
        _ => (NEW_SWEEP.to_string(), false),
    };
    Ok(PollPage {
        events,
        next_cursor: Some(next),
        more,
    })
}

/// A refused call, typed by its HTTP status and EasyPost's error message.
fn http_error(response: &HttpResponse) -> KitError {
    let message = serde_json::from_slice::<Value>(&response.body)
        .ok()
        .and_then(|v| {
            v.pointer("/error/message")
                .and_then(Value::as_str)
                .map(str::to_string)
        })
        .unwrap_or_default();
    match response.status {
        401 | 403 => KitError::MissingCredential(format!(
            "api_key: EasyPost refused the API key (HTTP {}: {message})",
            response.status
        )),
        status => KitError::invalid(
            "status",
            format_args!("EasyPost answered HTTP {status}: {message}"),
        ),
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

    /// 2024-08-02T19:30:00Z.
    const NOW: i64 = 1_722_627_000_000;

    fn account(base_url: Option<&str>) -> Account {
        let mut credentials = vec![field("api_key", "EZAK123")];
        if let Some(url) = base_url {
            credentials.push(field("base_url", url));
        }
        Account {
            id: "main".into(),
            secrets: vec!["whsec".into()],
            credentials,
        }
    }

    fn answer(status: u16, body: serde_json::Value) -> HttpResponse {
        HttpResponse {
            status,
            headers: vec![],
            body: body.to_string().into_bytes(),
        }
    }

    fn query(r: &OutboundRequest) -> Vec<(&str, &str)> {
        r.query
            .iter()
            .map(|f| (f.name.as_str(), f.value.as_str()))
            .collect()
    }

    #[test]
    fn first_request_starts_a_sweep() {
        let r = request(None, &account(None), NOW).unwrap();
        assert_eq!(
            (r.method.as_str(), r.url.as_str()),
            ("GET", "https://api.easypost.com/v2/trackers")
        );
        assert_eq!(
            query(&r),
            vec![
                ("page_size", "100"),
                ("start_datetime", "2024-07-03T00:00:00Z")
            ]
        );
        assert!(
            r.headers
                .iter()
                .any(|h| h.name == "Authorization" && h.value == "Basic RVpBSzEyMzo=")
        );
        let again = request(Some("{}"), &account(None), NOW).unwrap();
        assert_eq!(query(&again), query(&r));
    }

    #[test]
    fn next_page_uses_before_id_and_base_url() {
        let cursor = r#"{"start_datetime":"2024-07-01T00:00:00Z","before_id":"trk_9"}"#;
        let r = request(Some(cursor), &account(Some("http://127.0.0.1:9/")), NOW).unwrap();
        assert_eq!(r.url, "http://127.0.0.1:9/v2/trackers");
        assert_eq!(
            query(&r),
            vec![
                ("page_size", "100"),
                ("start_datetime", "2024-07-01T00:00:00Z"),
                ("before_id", "trk_9")
            ]
        );
        assert!(matches!(
            request(Some("trk_9"), &account(None), NOW),
            Err(KitError::InvalidField(_))
        ));
        assert!(matches!(
            request(
                None,
                &Account {
                    credentials: vec![],
                    ..account(None)
                },
                NOW
            ),
            Err(KitError::MissingCredential(_))
        ));
    }

    #[test]
    fn pages_advance_then_a_new_sweep_starts() {
        let tracker = |id: &str| json!({"id": id, "object": "Tracker", "tracking_code": id, "carrier": "USPS", "status": "in_transit", "tracking_details": []});
        let page = response(
            None,
            &answer(
                200,
                json!({"trackers": [tracker("trk_2"), tracker("trk_1")], "has_more": true}),
            ),
            NOW,
        )
        .unwrap();
        assert_eq!(page.events.len(), 2);
        assert!(page.more);
        assert_eq!(
            page.next_cursor.as_deref(),
            Some(r#"{"start_datetime":"2024-07-03T00:00:00Z","before_id":"trk_1"}"#)
        );
        let last = response(
            page.next_cursor.as_deref(),
            &answer(
                200,
                json!({"trackers": [tracker("trk_0")], "has_more": false}),
            ),
            NOW,
        )
        .unwrap();
        assert_eq!(
            (last.next_cursor.as_deref(), last.more),
            (Some("{}"), false)
        );
        let empty = response(
            Some("{}"),
            &answer(200, json!({"trackers": [], "has_more": false})),
            NOW,
        )
        .unwrap();
        assert_eq!(
            (empty.events.len(), empty.next_cursor.as_deref()),
            (0, Some("{}"))
        );
    }

    #[test]
    fn cursor_at_sweeps_from_the_earlier_of_since_and_the_usual_start() {
        // 2024-07-01T00:00:00.900Z is before the usual start (2024-07-03).
        assert_eq!(
            cursor_at(1_719_792_000_900, NOW).unwrap(),
            r#"{"start_datetime":"2024-07-01T00:00:00Z"}"#
        );
        // An hour ago: trackers created weeks ago may have changed since.
        assert_eq!(
            cursor_at(NOW - 3_600_000, NOW).unwrap(),
            r#"{"start_datetime":"2024-07-03T00:00:00Z"}"#
        );
        // The poll reads it like any cursor.
        let text = cursor_at(1_719_792_000_000, NOW).unwrap();
        let r = request(Some(&text), &account(None), NOW).unwrap();
        assert_eq!(
            query(&r),
            vec![
                ("page_size", "100"),
                ("start_datetime", "2024-07-01T00:00:00Z")
            ]
        );
        assert!(matches!(
            cursor_at(i64::MIN, NOW),
            Err(KitError::InvalidField(m)) if m.starts_with("since:")
        ));
    }

    #[test]
    fn failures_are_typed() {
        assert!(matches!(
            response(None, &answer(401, json!({"error": {"code": "APIKEY.INACTIVE", "message": "inactive"}})), NOW),
            Err(KitError::MissingCredential(m)) if m.contains("inactive")
        ));
        assert!(matches!(
            response(None, &answer(500, json!({})), NOW),
            Err(KitError::InvalidField(_))
        ));
        assert!(matches!(
            response(None, &answer(200, json!({})), NOW),
            Err(KitError::MissingField(_))
        ));
        let garbage = HttpResponse {
            status: 200,
            headers: vec![],
            body: b"<html>".to_vec(),
        };
        assert!(matches!(
            response(None, &garbage, NOW),
            Err(KitError::MalformedPayload(_))
        ));
        assert!(matches!(
            response(None, &answer(200, json!({"trackers": [{"tracking_code": "1", "carrier": "UPS"}], "has_more": true})), NOW),
            Err(KitError::MissingField(m)) if m == "trackers[0].id"
        ));
    }
}
