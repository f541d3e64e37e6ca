//! Polling through the ECAP trace query (`POST /ecap/v1/orders/trace/query`).
//!
//! JD has no "what changed since" query and no documented trace push, so the
//! adapter polls one parcel per cursor. The cursor names it as JSON:
//! `{"waybillCode":"JDV000123456789"}`, optionally with `orderCode` (JD's
//! order number, instead of or next to the waybill), `orderOrigin` (`0` c2c,
//! `1` b2c — the default —, `2` c2b) and `customerCode` (required for b2c;
//! defaults to the `customer_code` credential). The cursor never advances.
//!
//! The request body is a JSON array with one query object; the answer is
//! `{"code":0,"msg":…,"data":{"waybillCode":…,"traceDetails":[…]}}`, or a
//! gateway refusal `{"error_response":{"code":…,"zh_desc":…}}`.

use orderhub_adapter_kit::json::{self, Fields};
use orderhub_adapter_kit::{KitError, http};
use serde_json::{Map, Value};

use crate::account;
use crate::bindings::orderhub::adapter::types::{
    Account, Field, HttpResponse, OutboundRequest, PollPage,
};
use crate::signing::sign_request;
use crate::trace;

/// JD Logistics' API host; the `base_url` credential replaces it (the UAT
/// environment is `https://uat-api.jdl.com`).
const DEFAULT_BASE_URL: &str = "https://api.jdl.com";
const TRACE_PATH: &str = "/ecap/v1/orders/trace/query";

/// The parcel a cursor names, as the query object JD expects.
struct Query {
    waybill_code: Option<String>,
    body: String,
}

fn query(cursor: Option<&str>, account: &Account) -> Result<Query, KitError> {
    let Some(text) = cursor.filter(|c| !c.trim().is_empty()) else {
        return Err(KitError::MissingField(
            "cursor: JD Logistics has no time-window trace query, so the cursor must name the parcel, \
             e.g. {\"waybillCode\":\"JDV000123456789\"}"
                .into(),
        ));
    };
    let value: Value = serde_json::from_str(text).map_err(|e| {
        KitError::invalid(
            "cursor",
            format_args!("not JSON ({e}); expected {{\"waybillCode\":…}}"),
        )
    })?;
    let cursor = Fields::of(&value, "cursor")?;
    let waybill_code = cursor.opt_string("waybillCode");
    let order_code = cursor.opt_string("orderCode");
    if waybill_code.is_none() && order_code.is_none() {
        return Err(KitError::MissingField(
            "cursor.waybillCode: the cursor names no waybillCode or orderCode".into(),
        ));
    }
    let origin = match cursor.optional("orderOrigin") {
        None => 1,
        Some(_) => match cursor.integer("orderOrigin")? {
            o @ 0..=2 => o,
            o => {
                return Err(KitError::invalid(
                    "cursor.orderOrigin",
                    format_args!("{o}: 0 is c2c, 1 b2c, 2 c2b"),
                ));
            }
        },
    };
    let customer_code = cursor
        .opt_string("customerCode")
        .or_else(|| account::optional(account, "customer_code").map(str::to_string));
    if origin == 1 && customer_code.is_none() {
        return Err(KitError::MissingCredential(
            "customer_code: a b2c trace query (orderOrigin 1) needs the JD customer code (商家编码)".into(),
        ));
    }
    let mut object = Map::new();
    if let Some(code) = &waybill_code {
        object.insert("waybillCode".into(), code.clone().into());
    }
    if let Some(code) = order_code {
        object.insert("orderCode".into(), code.into());
    }
    object.insert("orderOrigin".into(), origin.into());
    if let Some(code) = customer_code {
        object.insert("customerCode".into(), code.into());
    }
    Ok(Query {
        waybill_code,
        body: Value::Array(vec![Value::Object(object)]).to_string(),
    })
}

/// Why there is no reconciliation cursor: a cursor names one parcel, and JD
/// has no query for the parcels that changed since a time.
pub(crate) fn cursor_at() -> Result<String, KitError> {
    Err(KitError::Unsupported(
        "cursor-at: JD Logistics' trace query answers for the parcel the cursor names and has \
         no query for what changed since a time, so there is no window to start from"
            .into(),
    ))
}

/// The signed trace query for the parcel the cursor names.
pub(crate) fn request(
    cursor: Option<&str>,
    account: &Account,
    now: i64,
) -> Result<OutboundRequest, KitError> {
    let query = query(cursor, account)?;
    let base = http::base_url(
        account::optional(account, "base_url"),
        DEFAULT_BASE_URL,
        "credentials.base_url",
    )?;
    let draft = OutboundRequest {
        method: "POST".into(),
        url: format!("{}{TRACE_PATH}", base.trim_end_matches('/')),
        query: vec![],
        headers: vec![Field {
            name: "Content-Type".into(),
            value: "application/json;charset=utf-8".into(),
        }],
        body: query.body.into_bytes(),
    };
    sign_request(draft, account, now)
}

/// One shipment event for the parcel, when JD has scans for it. The cursor
/// stays as it is.
pub(crate) fn response(
    cursor: Option<&str>,
    response: &HttpResponse,
    account: &Account,
) -> Result<PollPage, KitError> {
    if !(200..300).contains(&response.status) {
        return Err(KitError::invalid(
            "status",
            format_args!("JD Logistics answered HTTP {}", response.status),
        ));
    }
    let value = json::parse(&response.body)?;
    let answer = Fields::of(&value, "")?;
    if let Some(refusal) = answer.opt_object("error_response") {
        return Err(KitError::invalid(
            "error_response",
            format_args!(
                "the LOP gateway refused the call (code {:?}: {}); check app_key, access_token and the app secret",
                refusal.opt_string("code").unwrap_or_default(),
                refusal
                    .opt_string("zh_desc")
                    .or_else(|| refusal.opt_string("en_desc"))
                    .unwrap_or_default()
            ),
        ));
    }
    let code = answer.integer("code")?;
    if code != 0 {
        return Err(KitError::invalid(
            "code",
            format_args!(
                "JD Logistics refused the trace query (code {code}: {})",
                answer.opt_string("msg").unwrap_or_default()
            ),
        ));
    }
    let asked = cursor
        .and_then(|c| query(Some(c), account).ok())
        .and_then(|q| q.waybill_code);
    let results = match answer.optional("data") {
        None => Vec::new(),
        Some(Value::Array(_)) => answer.objects("data")?,
        Some(_) => vec![answer.object("data")?],
    };
    let events = results
        .iter()
        .map(|result| trace::shipment_event(result, asked.as_deref()))
        .filter_map(Result::transpose)
        .collect::<Result<Vec<_>, _>>()?;
    Ok(PollPage {
        events,
        next_cursor: cursor.map(str::to_string),
        more: false,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::signing::lop_sign;

    const CURSOR: &str = r#"{"waybillCode":"JDV000123456789"}"#;

    fn account(base_url: Option<&str>) -> Account {
        let mut credentials = vec![
            Field {
                name: "app_key".into(),
                value: "KEY".into(),
            },
            Field {
                name: "access_token".into(),
                value: "TOKEN".into(),
            },
            Field {
                name: "customer_code".into(),
                value: "010K123456".into(),
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
            secrets: vec!["SECRET".into()],
            credentials,
        }
    }

    fn answer(body: &str) -> HttpResponse {
        HttpResponse {
            status: 200,
            headers: vec![],
            body: body.as_bytes().to_vec(),
        }
    }

    #[test]
    fn request_is_a_signed_json_post() {
        let r = request(Some(CURSOR), &account(None), 1_717_200_000_000).unwrap();
        assert_eq!(r.url, "https://api.jdl.com/ecap/v1/orders/trace/query");
        let body =
            r#"[{"waybillCode":"JDV000123456789","orderOrigin":1,"customerCode":"010K123456"}]"#;
        assert_eq!(String::from_utf8(r.body.clone()).unwrap(), body);
        let sign = r
            .query
            .iter()
            .find(|f| f.name == "sign")
            .map(|f| f.value.clone());
        assert_eq!(
            sign,
            Some(lop_sign(
                "SECRET",
                "TOKEN",
                "KEY",
                TRACE_PATH,
                body,
                "2024-06-01 08:00:00"
            ))
        );
        let uat = request(Some(CURSOR), &account(Some("https://uat-api.jdl.com")), 0).unwrap();
        assert_eq!(
            uat.url,
            "https://uat-api.jdl.com/ecap/v1/orders/trace/query"
        );
    }

    #[test]
    fn cursor_is_required_and_checked() {
        let a = account(None);
        assert!(
            matches!(request(None, &a, 0), Err(KitError::MissingField(m)) if m.starts_with("cursor:"))
        );
        assert!(matches!(
            request(Some("JDV1"), &a, 0),
            Err(KitError::InvalidField(_))
        ));
        assert!(matches!(
            request(Some("{}"), &a, 0),
            Err(KitError::MissingField(_))
        ));
        assert!(matches!(
            request(Some(r#"{"waybillCode":"1","orderOrigin":7}"#), &a, 0),
            Err(KitError::InvalidField(_))
        ));
        let mut no_code = account(None);
        no_code.credentials.pop();
        assert!(matches!(
            request(Some(CURSOR), &no_code, 0),
            Err(KitError::MissingCredential(_))
        ));
        let c2c = request(Some(r#"{"orderCode":"O1","orderOrigin":0}"#), &no_code, 0).unwrap();
        assert_eq!(
            String::from_utf8(c2c.body).unwrap(),
            r#"[{"orderCode":"O1","orderOrigin":0}]"#
        );
    }

    #[test]
    fn a_result_becomes_one_event_and_failures_are_typed() {
        let a = account(None);
        let ok = r#"{"code":0,"msg":"成功","data":{"waybillCode":"JDV000123456789","traceDetails":[{"operationTime":"2024-05-30 14:03:51","operationRemark":"已揽收","categoryName":"揽收"}]}}"#;
        let page = response(Some(CURSOR), &answer(ok), &a).unwrap();
        assert_eq!(page.events.len(), 1);
        assert_eq!(page.next_cursor.as_deref(), Some(CURSOR));
        let empty = r#"{"code":0,"data":{"waybillCode":"JDV000123456789","traceDetails":[]}}"#;
        assert!(
            response(Some(CURSOR), &answer(empty), &a)
                .unwrap()
                .events
                .is_empty()
        );
        assert!(matches!(
            response(None, &answer(r#"{"code":1001,"msg":"x"}"#), &a),
            Err(KitError::InvalidField(m)) if m.starts_with("code")
        ));
        assert!(matches!(
            response(None, &answer(r#"{"error_response":{"code":"1","zh_desc":"签名错误"}}"#), &a),
            Err(KitError::InvalidField(m)) if m.starts_with("error_response")
        ));
        assert!(matches!(
            response(None, &answer("<html>"), &a),
            Err(KitError::MalformedPayload(_))
        ));
        let down = HttpResponse {
            status: 503,
            headers: vec![],
            body: vec![],
        };
        assert!(matches!(
            response(None, &down, &a),
            Err(KitError::InvalidField(_))
        ));
    }
}
