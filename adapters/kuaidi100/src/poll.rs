//! Polling through the realtime query API (`POST /poll/query.do`).
//!
//! Kuaidi100 has no "what changed since" query: it answers for one parcel at
//! a time. The cursor therefore names the parcel, as JSON:
//! `{"com":"shunfeng","num":"SF1234567890","phone":"1234"}` (`phone` is needed
//! by carriers such as SF that check the receiver's or sender's phone). The
//! cursor never advances; the host polls the same parcel until it stops.
//!
//! The answer has the shape of a push's `lastResult`. Failures come back as
//! HTTP 200 with `{"result":false,"returnCode":"…","message":"…"}`.

use orderhub_adapter_kit::json::Fields;
use orderhub_adapter_kit::{KitError, http};
use serde_json::{Map, Value};

use crate::account;
use crate::bindings::orderhub::adapter::types::{
    Account, Field, HttpResponse, OutboundRequest, PollPage,
};
use crate::signing::sign_query;
use crate::track::{self, TOPIC_QUERY};

/// Kuaidi100's API host; the `base_url` credential replaces it (for a test
/// double, say).
const DEFAULT_BASE_URL: &str = "https://poll.kuaidi100.com";
const QUERY_PATH: &str = "/poll/query.do";
/// `resultv2=4` asks for the advanced sub-states, the same detail a
/// subscription with `resultv2=4` pushes.
const RESULT_VERSION: &str = "4";

/// The parcel a cursor names.
#[derive(Debug, PartialEq)]
struct Parcel {
    com: String,
    num: String,
    phone: Option<String>,
}

fn parse_cursor(cursor: Option<&str>) -> Result<Parcel, KitError> {
    let Some(text) = cursor.filter(|c| !c.trim().is_empty()) else {
        return Err(KitError::MissingField(
            "cursor: Kuaidi100 has no time-window query, so the cursor must name the parcel, \
             e.g. {\"com\":\"shunfeng\",\"num\":\"SF1234567890\",\"phone\":\"1234\"}"
                .into(),
        ));
    };
    let value: Value = serde_json::from_str(text).map_err(|e| {
        KitError::invalid(
            "cursor",
            format_args!("not JSON ({e}); expected {{\"com\":…,\"num\":…,\"phone\":…}}"),
        )
    })?;
    let parcel = Fields::of(&value, "cursor")?;
    let required = |key: &str| {
        parcel
            .opt_string(key)
            .ok_or_else(|| KitError::MissingField(parcel.path_of(key)))
    };
    Ok(Parcel {
        com: required("com")?,
        num: required("num")?,
        phone: parcel.opt_string("phone"),
    })
}

/// The query's `param` JSON, in the order Kuaidi100 documents its fields.
fn query_param(parcel: &Parcel) -> String {
    let mut param = Map::new();
    param.insert("com".into(), parcel.com.clone().into());
    param.insert("num".into(), parcel.num.clone().into());
    if let Some(phone) = &parcel.phone {
        param.insert("phone".into(), phone.clone().into());
    }
    param.insert("resultv2".into(), RESULT_VERSION.into());
    Value::Object(param).to_string()
}

/// The signed realtime query for the parcel the cursor names.
pub(crate) fn request(
    cursor: Option<&str>,
    account: &Account,
) -> Result<OutboundRequest, KitError> {
    let parcel = parse_cursor(cursor)?;
    let base = account::optional(account, "base_url")
        .unwrap_or(DEFAULT_BASE_URL)
        .trim_end_matches('/');
    let draft = OutboundRequest {
        method: "POST".into(),
        url: format!("{base}{QUERY_PATH}"),
        query: vec![],
        headers: vec![Field {
            name: "Content-Type".into(),
            value: "application/x-www-form-urlencoded".into(),
        }],
        body: http::encode_form([("param", query_param(&parcel).as_str())]).into_bytes(),
    };
    sign_query(draft, account)
}

/// Why there is no reconciliation cursor: a cursor names one parcel, and no
/// query lists the parcels that changed since a time.
pub(crate) fn cursor_at() -> Result<String, KitError> {
    Err(KitError::Unsupported(
        "cursor-at: Kuaidi100 answers for one parcel at a time (the cursor names it) and has no \
         query for what changed since a time, so there is no window to start from"
            .into(),
    ))
}

/// One shipment event from the query's answer. The cursor stays as it is.
pub(crate) fn response(
    cursor: Option<&str>,
    response: &HttpResponse,
) -> Result<PollPage, KitError> {
    if !(200..300).contains(&response.status) {
        return Err(KitError::invalid(
            "status",
            format_args!("Kuaidi100 answered HTTP {}", response.status),
        ));
    }
    let value: Value = serde_json::from_slice(&response.body)
        .map_err(|e| KitError::MalformedPayload(format!("the query answer is not JSON: {e}")))?;
    let answer = Fields::of(&value, "")?;
    let next_cursor = cursor.map(str::to_string);

    if let Some(failure) = failure(&answer) {
        return match failure {
            Failure::NoResultYet => Ok(PollPage {
                events: vec![],
                next_cursor,
                more: false,
            }),
            Failure::Error(error) => Err(error),
        };
    }
    let carrier = match answer.opt_string("com") {
        Some(com) => com,
        None if cursor.is_some() => parse_cursor(cursor)?.com,
        None => return Err(KitError::MissingField("com".into())),
    };
    let event = track::shipment_event(&answer, TOPIC_QUERY, carrier, vec![])?;
    Ok(PollPage {
        events: vec![event],
        next_cursor,
        more: false,
    })
}

enum Failure {
    /// `returnCode` 500: nothing is known about the number yet (or it does
    /// not belong to that carrier). Not an error: the next poll may find it.
    NoResultYet,
    Error(KitError),
}

/// Reads a failure answer; `None` for a tracking result.
fn failure(answer: &Fields<'_>) -> Option<Failure> {
    let refused = answer.opt_bool("result") == Some(false);
    let code = answer.opt_string("returnCode").filter(|c| c != "200");
    if !refused && code.is_none() {
        return None;
    }
    let message = answer.opt_string("message").unwrap_or_default();
    let code = code.unwrap_or_default();
    let said = format!("returnCode {code:?}: {message}");
    let error = match code.as_str() {
        "500" => return Some(Failure::NoResultYet),
        "400" => KitError::invalid(
            "cursor.com",
            format_args!(
                "Kuaidi100 refused the query ({said}); check the carrier code and the account's quota"
            ),
        ),
        "408" => KitError::invalid(
            "cursor.phone",
            format_args!(
                "Kuaidi100 refused the phone check ({said}); this carrier needs the receiver's or sender's phone"
            ),
        ),
        "503" => KitError::BadSignature(format!(
            "Kuaidi100 refused the query signature ({said}); check the `key` and `customer` credentials"
        )),
        "601" => KitError::MissingCredential(format!(
            "key: Kuaidi100 says the key has expired or has no query quota left ({said})"
        )),
        _ => KitError::invalid(
            "returnCode",
            format_args!("Kuaidi100 refused the query ({said})"),
        ),
    };
    Some(Failure::Error(error))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bindings::orderhub::adapter::types::EventBody;
    use crate::signing::query_signature;

    const CURSOR: &str = r#"{"com":"shunfeng","num":"SF1234567890","phone":"1234"}"#;

    fn account(base_url: Option<&str>) -> Account {
        let mut credentials = vec![
            Field {
                name: "customer".into(),
                value: "CUST".into(),
            },
            Field {
                name: "key".into(),
                value: "KEY".into(),
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
            secrets: vec!["salt".into()],
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
    fn request_is_a_signed_form_post() {
        let request = request(Some(CURSOR), &account(None)).unwrap();
        assert_eq!(request.method, "POST");
        assert_eq!(request.url, "https://poll.kuaidi100.com/poll/query.do");
        let fields = http::parse_form(&request.body).unwrap();
        let param = r#"{"com":"shunfeng","num":"SF1234567890","phone":"1234","resultv2":"4"}"#;
        assert_eq!(http::form_value(&fields, "param"), Some(param));
        assert_eq!(http::form_value(&fields, "customer"), Some("CUST"));
        assert_eq!(
            http::form_value(&fields, "sign"),
            Some(query_signature(param, "KEY", "CUST").as_str())
        );
    }

    #[test]
    fn base_url_replaces_the_host_and_phone_is_optional() {
        let request = request(
            Some(r#"{"com":"yunda","num":4310508235533}"#),
            &account(Some("http://127.0.0.1:8080/")),
        )
        .unwrap();
        assert_eq!(request.url, "http://127.0.0.1:8080/poll/query.do");
        let fields = http::parse_form(&request.body).unwrap();
        assert_eq!(
            http::form_value(&fields, "param"),
            Some(r#"{"com":"yunda","num":"4310508235533","resultv2":"4"}"#)
        );
    }

    #[test]
    fn cursor_is_required_and_checked() {
        assert!(
            matches!(request(None, &account(None)), Err(KitError::MissingField(m)) if m.starts_with("cursor:"))
        );
        assert!(
            matches!(request(Some("SF1"), &account(None)), Err(KitError::InvalidField(m)) if m.starts_with("cursor:"))
        );
        assert_eq!(
            request(Some(r#"{"com":"jd"}"#), &account(None)).err(),
            Some(KitError::MissingField("cursor.num".into()))
        );
    }

    #[test]
    fn a_result_becomes_one_event_and_the_cursor_stays() {
        let body = r#"{"message":"ok","nu":"SF1234567890","ischeck":"0","com":"shunfeng","status":"200","state":"5",
            "data":[{"time":"2024-05-01 09:00:00","ftime":"2024-05-01 09:00:00","context":"派送中","statusCode":"5"}]}"#;
        let page = response(Some(CURSOR), &answer(body)).unwrap();
        assert_eq!(page.next_cursor.as_deref(), Some(CURSOR));
        assert!(!page.more);
        assert_eq!(page.events.len(), 1);
        assert_eq!(page.events[0].topic, "kuaidi100_query");
        assert_eq!(
            page.events[0].status.as_ref().map(|s| s.value.as_str()),
            Some("5")
        );
        match &page.events[0].body {
            EventBody::Shipment(s) => {
                assert_eq!((s.carrier.as_str(), s.checkpoints.len()), ("shunfeng", 1))
            }
            _ => panic!("not a shipment"),
        }
    }

    #[test]
    fn failures_are_typed() {
        let page = response(
            Some(CURSOR),
            &answer(
                r#"{"result":false,"returnCode":"500","message":"查询无结果，请隔段时间再查"}"#,
            ),
        );
        assert!(
            matches!(page, Ok(p) if p.events.is_empty() && p.next_cursor.as_deref() == Some(CURSOR))
        );
        let err = |body: &str| response(Some(CURSOR), &answer(body)).err();
        assert!(matches!(
            err(r#"{"result":false,"returnCode":"503","message":"验证签名失败"}"#),
            Some(KitError::BadSignature(_))
        ));
        assert!(
            matches!(err(r#"{"result":false,"returnCode":"400","message":"找不到对应公司"}"#), Some(KitError::InvalidField(m)) if m.starts_with("cursor.com"))
        );
        assert!(
            matches!(err(r#"{"result":false,"returnCode":"408","message":"x"}"#), Some(KitError::InvalidField(m)) if m.starts_with("cursor.phone"))
        );
        assert!(matches!(
            err(r#"{"result":false,"returnCode":"601","message":"key已过期"}"#),
            Some(KitError::MissingCredential(_))
        ));
        assert!(
            matches!(err(r#"{"result":false,"returnCode":"502","message":"服务器繁忙"}"#), Some(KitError::InvalidField(m)) if m.starts_with("returnCode"))
        );
        assert!(matches!(
            err(r#"{"result":false}"#),
            Some(KitError::InvalidField(_))
        ));
        assert!(matches!(err("<html>"), Some(KitError::MalformedPayload(_))));
        let status = response(
            Some(CURSOR),
            &HttpResponse {
                status: 502,
                headers: vec![],
                body: vec![],
            },
        )
        .err();
        assert!(matches!(status, Some(KitError::InvalidField(_))));
    }
}
