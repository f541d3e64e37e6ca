//! Polling Delivery Notes through Frappe's REST API.
//!
//! `GET /api/resource/Delivery Note` with `fields`, `filters`
//! (`[["modified", ">=", watermark]]`), `order_by=modified asc, name asc`,
//! `limit_start` and `limit_page_length` answers `{"data": [rows]}` (standard
//! Frappe REST, 🟡 not re-verified against a live site).
//!
//! The cursor is `{"modified": "<Frappe datetime text>", "skip": n}`: the
//! `modified` of the last row read, exactly as the site printed it (so no
//! time zone is involved), and how many rows with exactly that `modified`
//! were already read. The next request asks for `modified >= watermark`
//! starting at `skip`; a document saved again while pages are read moves to
//! the end of the list and is read again, never lost. Rows are sorted by
//! `modified`, then `name`, so equal timestamps page deterministically.
//!
//! The first poll starts one day before `now` (in the site's `utc_offset`,
//! else UTC minus a further 14 hours, so no zone can make it start late). A
//! reconciliation window ([`cursor_at`]) starts at the given time the same
//! way; the watermark has no span to respect.

use chrono::FixedOffset;
use orderhub_adapter_kit::json::{self, Fields};
use orderhub_adapter_kit::{KitError, http, time};
use serde_json::json;

use crate::account;
use crate::bindings::orderhub::adapter::types::{
    Account, Field, HttpResponse, OutboundRequest, PollPage,
};
use crate::docs;
use crate::signing;

pub(crate) const TOPIC: &str = "erpnext_delivery_note_poll";
const RESOURCE_PATH: &str = "/api/resource/Delivery%20Note";
const PAGE_SIZE: usize = 100;
const FIRST_LOOKBACK_MS: i64 = 24 * 60 * 60 * 1000;
/// Extra look-back when the site's offset is unknown (the widest offset).
const UNKNOWN_ZONE_LOOKBACK_MS: i64 = 14 * 60 * 60 * 1000;
/// The Delivery Note fields read (all top-level: child rows are not listed).
pub(crate) const FIELDS: &[&str] = &[
    "name",
    "status",
    "docstatus",
    "modified",
    "po_no",
    "lr_no",
    "transporter",
    "transporter_name",
    "set_warehouse",
];

/// Where a poll stands.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Cursor {
    modified: String,
    skip: usize,
}

impl Cursor {
    fn parse(text: &str) -> Result<Self, KitError> {
        let value = serde_json::from_str::<serde_json::Value>(text).map_err(|e| {
            KitError::invalid(
                "cursor",
                format_args!("not this adapter's cursor JSON: {e}"),
            )
        })?;
        let f = Fields::of(&value, "cursor")?;
        let modified = f.string("modified")?;
        // Refuse text that is not a datetime, so a filter is never garbage.
        time::parse_local(&modified, time::shanghai(), "cursor.modified")?;
        let skip = match f.optional("skip") {
            None => 0,
            Some(_) => usize::try_from(f.count("skip")?).unwrap_or(usize::MAX),
        };
        Ok(Cursor { modified, skip })
    }

    fn to_json(&self) -> String {
        json!({"modified": self.modified, "skip": self.skip}).to_string()
    }

    fn first(now: i64, zone: Option<FixedOffset>) -> Self {
        Cursor::starting_at(now.saturating_sub(FIRST_LOOKBACK_MS), zone)
    }

    /// The watermark of the instant `start` in the site's zone; without a
    /// zone, UTC a further 14 hours back, so no site's clock reads it late.
    fn starting_at(start: i64, zone: Option<FixedOffset>) -> Self {
        let (zone, start) = match zone {
            Some(z) => (z, start),
            None => (
                FixedOffset::east_opt(0).unwrap_or_else(time::shanghai),
                start.saturating_sub(UNKNOWN_ZONE_LOOKBACK_MS),
            ),
        };
        Cursor {
            modified: time::format_local(start, zone),
            skip: 0,
        }
    }
}

/// The cursor that reads every Delivery Note modified since `since` again:
/// the watermark of `since` in the site's time, from its first row.
pub(crate) fn cursor_at(since: i64, account: &Account) -> Result<String, KitError> {
    let cursor = Cursor::starting_at(since, account::utc_offset(account)?);
    if cursor.modified.is_empty() {
        return Err(KitError::invalid(
            "since",
            format_args!("{since} ms is not a representable time"),
        ));
    }
    Ok(cursor.to_json())
}

/// The signed request for the cursor's page.
pub(crate) fn request(
    cursor: Option<&str>,
    account: &Account,
    now: i64,
) -> Result<OutboundRequest, KitError> {
    let cursor = match cursor {
        Some(text) => Cursor::parse(text)?,
        None => Cursor::first(now, account::utc_offset(account)?),
    };
    let base = account::required(
        account,
        "base_url",
        "the ERPNext site to poll, e.g. https://erp.example.com",
    )?;
    let base = http::base_url(Some(base), "", "credentials.base_url")?;
    let query = vec![
        ("fields", json!(FIELDS).to_string()),
        (
            "filters",
            json!([["modified", ">=", cursor.modified]]).to_string(),
        ),
        ("order_by", "modified asc, name asc".to_string()),
        ("limit_start", cursor.skip.to_string()),
        ("limit_page_length", PAGE_SIZE.to_string()),
    ];
    let draft = OutboundRequest {
        method: "GET".into(),
        url: format!("{}{RESOURCE_PATH}", base.trim_end_matches('/')),
        query: query
            .into_iter()
            .map(|(name, value)| Field {
                name: name.into(),
                value,
            })
            .collect(),
        headers: vec![Field {
            name: "Accept".into(),
            value: "application/json".into(),
        }],
        body: vec![],
    };
    signing::sign_request(draft, account)
}

/// The events of one page and the cursor to read next.
pub(crate) fn response(
    cursor: Option<&str>,
    response: &HttpResponse,
    account: &Account,
    now: i64,
) -> Result<PollPage, KitError> {
    match response.status {
        200..=299 => {}
        401 | 403 => {
            return Err(KitError::MissingCredential(format!(
                "ERPNext answered HTTP {}: check api_key / api_secret and the user's read permission on Delivery Note",
                response.status
            )));
        }
        status => {
            return Err(KitError::invalid(
                "status",
                format_args!("ERPNext answered HTTP {status}"),
            ));
        }
    }
    let zone = account::utc_offset(account)?;
    let cursor = match cursor {
        Some(text) => Cursor::parse(text)?,
        None => Cursor::first(now, zone),
    };
    let body = json::parse(&response.body)?;
    let root = Fields::of(&body, "")?;
    let rows = root.objects("data")?;
    if root.optional("data").is_none() {
        return Err(KitError::MissingField("data".into()));
    }
    let mut events = Vec::new();
    let mut last_modified: Option<String> = None;
    let mut same_as_last = 0usize;
    for row in &rows {
        let modified = row.string("modified")?;
        let mut doc = row.map().clone();
        doc.insert("doctype".into(), docs::DELIVERY_NOTE.into());
        let doc_value = serde_json::Value::Object(doc);
        let fields = Fields::of(&doc_value, row.path())?;
        events.extend(docs::events(&fields, TOPIC, zone)?);
        if last_modified.as_deref() == Some(modified.as_str()) {
            same_as_last += 1;
        } else {
            last_modified = Some(modified);
            same_as_last = 1;
        }
    }
    let next = match last_modified {
        None => cursor.clone(),
        Some(m) if m == cursor.modified => Cursor {
            modified: m,
            skip: cursor.skip.saturating_add(rows.len()),
        },
        Some(m) => Cursor {
            modified: m,
            skip: same_as_last,
        },
    };
    Ok(PollPage {
        events,
        next_cursor: Some(next.to_json()),
        more: rows.len() >= PAGE_SIZE,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// 2024-03-06 00:00:00 UTC.
    const NOW: i64 = 1_709_683_200_000;

    fn account() -> Account {
        let f = |n: &str, v: &str| Field {
            name: n.into(),
            value: v.into(),
        };
        Account {
            id: "main".into(),
            secrets: vec!["hook".into()],
            credentials: vec![
                f("base_url", "https://erp.example.com/"),
                f("api_key", "k"),
                f("api_secret", "s"),
                f("utc_offset", "+08:00"),
            ],
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
    fn first_request_filters_one_day_back_in_site_time() {
        let r = request(None, &account(), NOW).unwrap();
        assert_eq!(
            r.url,
            "https://erp.example.com/api/resource/Delivery%20Note"
        );
        assert_eq!(
            r.query[1].value,
            r#"[["modified",">=","2024-03-05 08:00:00"]]"#
        );
        assert_eq!(r.query[3].value, "0");
        assert!(
            r.headers
                .iter()
                .any(|h| h.name == "Authorization" && h.value == "token k:s")
        );
    }

    #[test]
    fn cursor_at_is_the_watermark_of_since_in_site_time() {
        // 2024-03-05T02:30:00.500Z is 10:30:00 at +08:00.
        let text = cursor_at(1_709_605_800_500, &account()).unwrap();
        assert_eq!(text, r#"{"modified":"2024-03-05 10:30:00","skip":0}"#);
        let r = request(Some(&text), &account(), NOW).unwrap();
        assert_eq!(
            r.query[1].value,
            r#"[["modified",">=","2024-03-05 10:30:00"]]"#
        );
        assert_eq!(r.query[3].value, "0");
        // Without the site's zone: UTC, 14 hours further back.
        let no_zone = Account {
            credentials: account()
                .credentials
                .into_iter()
                .filter(|f| f.name != "utc_offset")
                .collect(),
            ..account()
        };
        assert_eq!(
            cursor_at(1_709_605_800_000, &no_zone).unwrap(),
            r#"{"modified":"2024-03-04 12:30:00","skip":0}"#
        );
        assert!(matches!(
            cursor_at(i64::MIN, &account()),
            Err(KitError::InvalidField(m)) if m.starts_with("since:")
        ));
    }

    #[test]
    fn equal_timestamps_advance_the_skip() {
        let c = r#"{"modified":"2024-03-05 10:00:00.000001","skip":2}"#;
        let page = response(
            Some(c),
            &reply(r#"{"data":[{"name":"DN-3","status":"Draft","modified":"2024-03-05 10:00:00.000001"}]}"#),
            &account(),
            NOW,
        )
        .unwrap();
        assert_eq!(
            page.next_cursor.as_deref(),
            Some(r#"{"modified":"2024-03-05 10:00:00.000001","skip":3}"#)
        );
        let page = response(
            Some(c),
            &reply(r#"{"data":[{"name":"DN-4","status":"Draft","modified":"2024-03-05 11:00:00"},{"name":"DN-5","status":"Draft","modified":"2024-03-05 11:00:00"}]}"#),
            &account(),
            NOW,
        )
        .unwrap();
        assert_eq!(
            page.next_cursor.as_deref(),
            Some(r#"{"modified":"2024-03-05 11:00:00","skip":2}"#)
        );
        assert!(!page.more);
    }

    #[test]
    fn auth_failures_are_credential_errors() {
        let r = HttpResponse {
            status: 401,
            headers: vec![],
            body: vec![],
        };
        assert!(matches!(
            response(None, &r, &account(), NOW),
            Err(KitError::MissingCredential(_))
        ));
    }
}
