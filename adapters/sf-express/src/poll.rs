//! Polling through the route query (`EXP_RECE_SEARCH_ROUTES`).
//!
//! SF has no "what changed since" query: it answers for up to ten waybills
//! (or order ids) at a time. The cursor therefore names them, as JSON:
//! `{"trackingNumber":["SF1402519523281"],"checkPhoneNo":"5678"}`
//! (`checkPhoneNo`, the last four digits of the sender's or receiver's phone,
//! is required when querying by waybill; `"trackingType":"2"` queries by the
//! merchant's order ids instead). The cursor never advances; the host polls
//! the same parcels until it drops the cursor.
//!
//! The answer is an envelope `{"apiResultCode":"A1000","apiResultData":"…"}`
//! whose `apiResultData` is a JSON *string* holding
//! `{"success":true,"msgData":{"routeResps":[{"mailNo":…,"routes":[…]}]}}`.

use orderhub_adapter_kit::json::{self, Fields};
use orderhub_adapter_kit::{KitError, http};
use serde_json::{Map, Value};

use crate::account;
use crate::bindings::orderhub::adapter::types::{
    Account, Event, Field, HttpResponse, OutboundRequest, PollPage,
};
use crate::route;
use crate::signing::sign_request;

/// SF's production gateway; the `base_url` credential replaces the scheme and
/// host (the sandbox is `https://sfapi-sbox.sf-express.com`).
const DEFAULT_BASE_URL: &str = "https://sfapi.sf-express.com";
const SERVICE_PATH: &str = "/std/service";
const SERVICE_CODE: &str = "EXP_RECE_SEARCH_ROUTES";
/// The topic of events from a route query (polling).
pub(crate) const TOPIC_QUERY: &str = "sf_route_query";
/// SF answers for at most ten numbers per query.
const MAX_NUMBERS: usize = 10;

/// The route query's `msgData` for the parcels the cursor names, in the order
/// of SF's demo (`language`, `trackingType`, `trackingNumber`, `methodType`).
fn msg_data(cursor: Option<&str>) -> Result<String, KitError> {
    let Some(text) = cursor.filter(|c| !c.trim().is_empty()) else {
        return Err(KitError::MissingField(
            "cursor: SF has no time-window route query, so the cursor must name the parcels, \
             e.g. {\"trackingNumber\":[\"SF1402519523281\"],\"checkPhoneNo\":\"5678\"}"
                .into(),
        ));
    };
    let value: Value = serde_json::from_str(text).map_err(|e| {
        KitError::invalid(
            "cursor",
            format_args!("not JSON ({e}); expected {{\"trackingNumber\":[…],\"checkPhoneNo\":…}}"),
        )
    })?;
    let cursor = Fields::of(&value, "cursor")?;
    let numbers: Vec<String> = match cursor.required("trackingNumber")? {
        Value::Array(items) => items.iter().filter_map(json::scalar_text).collect(),
        other => json::scalar_text(other).into_iter().collect(),
    };
    let numbers: Vec<String> = numbers
        .into_iter()
        .filter(|n| !n.trim().is_empty())
        .collect();
    if numbers.is_empty() || numbers.len() > MAX_NUMBERS {
        return Err(KitError::invalid(
            "cursor.trackingNumber",
            format_args!(
                "SF queries 1 to {MAX_NUMBERS} numbers, got {}",
                numbers.len()
            ),
        ));
    }
    let tracking_type = cursor
        .opt_string("trackingType")
        .unwrap_or_else(|| "1".into());
    if tracking_type != "1" && tracking_type != "2" {
        return Err(KitError::invalid(
            "cursor.trackingType",
            format_args!("{tracking_type:?}: 1 queries waybills, 2 order ids"),
        ));
    }
    let mut data = Map::new();
    data.insert("language".into(), "0".into());
    data.insert("trackingType".into(), tracking_type.into());
    data.insert("trackingNumber".into(), numbers.into());
    data.insert("methodType".into(), "1".into());
    if let Some(phone) = cursor.opt_string("checkPhoneNo") {
        data.insert("checkPhoneNo".into(), phone.into());
    }
    Ok(Value::Object(data).to_string())
}

/// Why there is no reconciliation cursor: a cursor names the waybills to ask
/// about, and no SF query lists the waybills that changed since a time.
pub(crate) fn cursor_at() -> Result<String, KitError> {
    Err(KitError::Unsupported(
        "cursor-at: SF's route query answers for the waybills the cursor names and has no \
         query for what changed since a time, so there is no window to start from"
            .into(),
    ))
}

/// The signed route query for the parcels the cursor names.
pub(crate) fn request(
    cursor: Option<&str>,
    account: &Account,
    now: i64,
) -> Result<OutboundRequest, KitError> {
    let msg_data = msg_data(cursor)?;
    let base = http::base_url(
        account::optional(account, "base_url"),
        DEFAULT_BASE_URL,
        "credentials.base_url",
    )?;
    let draft = OutboundRequest {
        method: "POST".into(),
        url: format!("{}{SERVICE_PATH}", base.trim_end_matches('/')),
        query: vec![],
        headers: vec![Field {
            name: "Content-Type".into(),
            value: "application/x-www-form-urlencoded;charset=UTF-8".into(),
        }],
        body: http::encode_form([
            ("serviceCode", SERVICE_CODE),
            ("msgData", msg_data.as_str()),
        ])
        .into_bytes(),
    };
    sign_request(draft, account, now)
}

/// One shipment event per waybill with routes. The cursor stays as it is.
pub(crate) fn response(
    cursor: Option<&str>,
    response: &HttpResponse,
) -> Result<PollPage, KitError> {
    if !(200..300).contains(&response.status) {
        return Err(KitError::invalid(
            "status",
            format_args!("SF answered HTTP {}", response.status),
        ));
    }
    let envelope_value = json::parse(&response.body)?;
    let envelope = Fields::of(&envelope_value, "")?;
    let code = envelope.opt_string("apiResultCode").unwrap_or_default();
    if code != "A1000" {
        return Err(gateway_error(
            &code,
            &envelope.opt_string("apiErrorMsg").unwrap_or_default(),
        ));
    }
    let data_text = envelope.string("apiResultData")?;
    let data_value = json::parse_embedded(&data_text, "apiResultData")?;
    let data = Fields::of(&data_value, "apiResultData")?;
    if data.opt_bool("success") != Some(true) {
        return Err(KitError::invalid(
            "apiResultData.success",
            format_args!(
                "SF refused the route query (errorCode {:?}: {})",
                data.opt_string("errorCode").unwrap_or_default(),
                data.opt_string("errorMsg").unwrap_or_default()
            ),
        ));
    }
    let events = match data.opt_object("msgData") {
        Some(msg) => msg
            .objects("routeResps")?
            .iter()
            .map(route_resp)
            .filter_map(Result::transpose)
            .collect::<Result<Vec<_>, _>>()?,
        None => Vec::new(),
    };
    Ok(PollPage {
        events,
        next_cursor: cursor.map(str::to_string),
        more: false,
    })
}

/// The event of one waybill; `None` while SF has no route for it yet.
fn route_resp(resp: &Fields<'_>) -> Result<Option<Event>, KitError> {
    let tracking_number = resp
        .opt_string("mailNo")
        .ok_or_else(|| KitError::MissingField(resp.path_of("mailNo")))?;
    if resp.optional("routes").is_some_and(|r| !r.is_array()) {
        return Err(KitError::invalid(
            &resp.path_of("routes"),
            "expected an array of routes",
        ));
    }
    let checkpoints = resp
        .objects("routes")?
        .iter()
        .map(route::checkpoint)
        .collect::<Result<Vec<_>, _>>()?;
    if checkpoints.is_empty() {
        return Ok(None);
    }
    // Query results carry no route ids: the host keys the event by its content.
    Ok(Some(route::shipment_event(
        None,
        TOPIC_QUERY,
        tracking_number,
        resp.opt_string("orderId"),
        checkpoints,
    )))
}

/// A gateway refusal (`apiResultCode` other than `A1000`) as a typed error.
/// The code meanings are SF's gateway table as third-party clients quote it (🟡).
fn gateway_error(code: &str, message: &str) -> KitError {
    let said = format!("apiResultCode {code:?}: {message}");
    match code {
        "A1006" => KitError::BadSignature(format!(
            "SF refused the msgDigest ({said}); check the `check_word` credential"
        )),
        "A1003" | "A1004" => KitError::MissingCredential(format!(
            "partner_id: SF refused the caller or its rights to the route query ({said})"
        )),
        _ => KitError::invalid(
            "apiResultCode",
            format_args!("SF refused the route query ({said})"),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bindings::orderhub::adapter::types::EventBody;
    use crate::digest::msg_digest;

    const CURSOR: &str = r#"{"trackingNumber":["SF1402519523281"],"checkPhoneNo":"5678"}"#;

    fn account(base_url: Option<&str>) -> Account {
        let mut credentials = vec![
            Field {
                name: "partner_id".into(),
                value: "PARTNER".into(),
            },
            Field {
                name: "check_word".into(),
                value: "CW".into(),
            },
        ];
        if let Some(url) = base_url {
            credentials.push(Field {
                name: "base_url".into(),
                value: url.into(),
            });
        }
        Account {
            id: "main".into(),
            secrets: vec!["token".into()],
            credentials,
        }
    }

    fn answer(api_result_data: &str) -> HttpResponse {
        let body = serde_json::json!({"apiErrorMsg": "", "apiResponseID": "X", "apiResultCode": "A1000",
            "apiResultData": api_result_data});
        HttpResponse {
            status: 200,
            headers: vec![],
            body: body.to_string().into_bytes(),
        }
    }

    #[test]
    fn request_is_a_signed_form_post() {
        let r = request(Some(CURSOR), &account(None), 1_717_200_000_000).unwrap();
        assert_eq!(r.url, "https://sfapi.sf-express.com/std/service");
        let fields = http::parse_form(&r.body).unwrap();
        let data = r#"{"language":"0","trackingType":"1","trackingNumber":["SF1402519523281"],"methodType":"1","checkPhoneNo":"5678"}"#;
        assert_eq!(http::form_value(&fields, "msgData"), Some(data));
        assert_eq!(http::form_value(&fields, "serviceCode"), Some(SERVICE_CODE));
        assert_eq!(
            http::form_value(&fields, "timestamp"),
            Some("1717200000000")
        );
        assert_eq!(
            http::form_value(&fields, "msgDigest"),
            Some(msg_digest(data, "1717200000000", "CW").as_str())
        );
        let sandbox = request(
            Some(CURSOR),
            &account(Some("https://sfapi-sbox.sf-express.com/")),
            0,
        )
        .unwrap();
        assert_eq!(sandbox.url, "https://sfapi-sbox.sf-express.com/std/service");
    }

    #[test]
    fn cursor_is_required_and_checked() {
        let a = account(None);
        assert!(
            matches!(request(None, &a, 0), Err(KitError::MissingField(m)) if m.starts_with("cursor:"))
        );
        assert!(matches!(
            request(Some("SF1"), &a, 0),
            Err(KitError::InvalidField(_))
        ));
        assert!(matches!(
            request(Some(r#"{"trackingNumber":[]}"#), &a, 0),
            Err(KitError::InvalidField(_))
        ));
        assert!(matches!(
            request(Some(r#"{"trackingNumber":"1","trackingType":"3"}"#), &a, 0),
            Err(KitError::InvalidField(_))
        ));
        assert!(
            request(
                Some(r#"{"trackingNumber":"O-1","trackingType":"2"}"#),
                &a,
                0
            )
            .is_ok()
        );
    }

    #[test]
    fn routes_become_one_event_per_waybill() {
        let data = r#"{"success":true,"errorCode":"S0000","errorMsg":null,"msgData":{"routeResps":[{"mailNo":"SF1","routes":[{"acceptTime":"2025-05-19 10:40:41","remark":"签收","opCode":"80","firstStatusCode":"4","secondaryStatusCode":"401"},{"acceptTime":"2025-05-16 01:15:16","remark":"收取","opCode":"54","secondaryStatusCode":"101"}]},{"mailNo":"SF2","routes":[]}]}}"#;
        let page = response(Some(CURSOR), &answer(data)).unwrap();
        assert_eq!(page.next_cursor.as_deref(), Some(CURSOR));
        assert_eq!(page.events.len(), 1);
        let EventBody::Shipment(s) = &page.events[0].body else {
            panic!("not a shipment")
        };
        assert!(s.signed);
        assert_eq!(s.checkpoints[0].description, "收取");
        assert_eq!(
            page.events[0].status.as_ref().map(|s| s.value.as_str()),
            Some("401")
        );
    }

    #[test]
    fn failures_are_typed() {
        let envelope = |code: &str| HttpResponse {
            status: 200,
            headers: vec![],
            body: format!(r#"{{"apiResultCode":"{code}","apiErrorMsg":"x"}}"#).into_bytes(),
        };
        assert!(matches!(
            response(None, &envelope("A1006")),
            Err(KitError::BadSignature(_))
        ));
        assert!(matches!(
            response(None, &envelope("A1004")),
            Err(KitError::MissingCredential(_))
        ));
        assert!(matches!(
            response(None, &envelope("A1099")),
            Err(KitError::InvalidField(_))
        ));
        assert!(matches!(
            response(
                None,
                &answer(r#"{"success":false,"errorCode":"8152","errorMsg":"x"}"#)
            ),
            Err(KitError::InvalidField(_))
        ));
        assert!(matches!(
            response(None, &answer("{")),
            Err(KitError::InvalidField(_))
        ));
        let html = HttpResponse {
            status: 200,
            headers: vec![],
            body: b"<html>".to_vec(),
        };
        assert!(matches!(
            response(None, &html),
            Err(KitError::MalformedPayload(_))
        ));
        let bad_gateway = HttpResponse {
            status: 502,
            headers: vec![],
            body: vec![],
        };
        assert!(matches!(
            response(None, &bad_gateway),
            Err(KitError::InvalidField(_))
        ));
    }
}
