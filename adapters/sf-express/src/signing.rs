//! Signing a request to SF's standard service gateway (`/std/service`).
//!
//! Every call is a form POST of `partnerID`, `requestID`, `serviceCode`,
//! `timestamp` (Unix milliseconds), `msgDigest` and `msgData`, where
//! `msgDigest` is computed over `msgData + timestamp + checkWord`
//! ([`crate::digest`]). A draft's own `timestamp` and `requestID` are kept
//! (so documented examples can be reproduced); missing ones are derived from
//! `now` and the message, since adapters have no randomness.

use orderhub_adapter_kit::{KitError, http, sig};

use crate::account;
use crate::bindings::orderhub::adapter::types::{Account, Field, OutboundRequest};
use crate::digest::msg_digest;

/// The gateway's fields, in the order SF's demo sends them.
const ORDER: [&str; 6] = [
    "partnerID",
    "requestID",
    "serviceCode",
    "timestamp",
    "msgDigest",
    "msgData",
];

/// A request id derived from the message and the time: the same inputs give
/// the same id, different polls different ids. UUID-shaped, as SF's demos send.
pub(crate) fn request_id(msg_data: &str, timestamp: &str) -> String {
    let hex = sig::hex_lower(&sig::md5(format!("{msg_data}\n{timestamp}").as_bytes()));
    format!(
        "{}-{}-{}-{}-{}",
        &hex[0..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..32]
    )
}

/// Adds `partnerID`, `timestamp`, `requestID` and `msgDigest` to a draft whose
/// form body carries `msgData` (and `serviceCode`).
pub(crate) fn sign_request(
    mut request: OutboundRequest,
    account: &Account,
    now: i64,
) -> Result<OutboundRequest, KitError> {
    let partner_id = account::required(
        account,
        "partner_id",
        "SF's partnerID (顾客编码) from the SF open platform console",
    )?;
    let check_word = account::required(
        account,
        "check_word",
        "SF's checkWord (校验码) from the SF open platform console",
    )?;
    let fields = http::parse_form(&request.body)?;
    let get = |name: &str| http::form_value(&fields, name).filter(|v| !v.trim().is_empty());
    let msg_data = get("msgData").ok_or_else(|| {
        KitError::MissingField("msgData: the draft's form body carries no `msgData` to sign".into())
    })?;
    let timestamp = get("timestamp").map_or_else(|| now.to_string(), str::to_string);
    let request_id =
        get("requestID").map_or_else(|| request_id(msg_data, &timestamp), str::to_string);
    let digest = msg_digest(msg_data, &timestamp, check_word);

    let mut signed: Vec<(String, String)> = Vec::new();
    for name in ORDER {
        let value = match name {
            "partnerID" => Some(partner_id.to_string()),
            "requestID" => Some(request_id.clone()),
            "timestamp" => Some(timestamp.clone()),
            "msgDigest" => Some(digest.clone()),
            other => get(other).map(str::to_string),
        };
        if let Some(value) = value {
            signed.push((name.to_string(), value));
        }
    }
    signed.extend(
        fields
            .iter()
            .filter(|(name, _)| !ORDER.contains(&name.as_str()))
            .cloned(),
    );
    request.body =
        http::encode_form(signed.iter().map(|(n, v)| (n.as_str(), v.as_str()))).into_bytes();
    if !request
        .headers
        .iter()
        .any(|h| h.name.eq_ignore_ascii_case("content-type"))
    {
        request.headers.push(Field {
            name: "Content-Type".into(),
            value: "application/x-www-form-urlencoded;charset=UTF-8".into(),
        });
    }
    Ok(request)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn account() -> Account {
        Account {
            id: "main".into(),
            secrets: vec![],
            credentials: vec![
                Field {
                    name: "partner_id".into(),
                    value: "QIAO".into(),
                },
                Field {
                    name: "check_word".into(),
                    value: "fjcg5PGKaNpPSHFAZ4QsCOkV71R3zVci".into(),
                },
            ],
        }
    }

    fn draft(body: &str) -> OutboundRequest {
        OutboundRequest {
            method: "POST".into(),
            url: "https://sfapi.sf-express.com/std/service".into(),
            query: vec![],
            headers: vec![],
            body: body.as_bytes().to_vec(),
        }
    }

    #[test]
    fn reproduces_the_documented_digest_and_keeps_the_draft_values() {
        let body = http::encode_form([
            ("serviceCode", "EXP_RECE_CREATE_ORDER"),
            (
                "msgData",
                r#"{"language":"zh-CN","orderId":"QIAO-20200618-004"}"#,
            ),
            ("timestamp", "12312334453453"),
            ("requestID", "R1"),
        ]);
        let signed = sign_request(draft(&body), &account(), 0).unwrap();
        let fields = http::parse_form(&signed.body).unwrap();
        let names: Vec<&str> = fields.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(names, ORDER.to_vec());
        assert_eq!(
            http::form_value(&fields, "msgDigest"),
            Some("IIKJtuLVzoFTu4kHI8M8vA==")
        );
        assert_eq!(http::form_value(&fields, "requestID"), Some("R1"));
        assert_eq!(http::form_value(&fields, "partnerID"), Some("QIAO"));
    }

    #[test]
    fn derives_timestamp_and_request_id_from_the_inputs() {
        let body = http::encode_form([("serviceCode", "S"), ("msgData", "{}")]);
        let a = sign_request(draft(&body), &account(), 1_700_000_000_000).unwrap();
        let b = sign_request(draft(&body), &account(), 1_700_000_000_000).unwrap();
        assert_eq!(a.body, b.body);
        let fields = http::parse_form(&a.body).unwrap();
        assert_eq!(
            http::form_value(&fields, "timestamp"),
            Some("1700000000000")
        );
        let id = http::form_value(&fields, "requestID").unwrap();
        assert_eq!(id, request_id("{}", "1700000000000"));
        assert_eq!(id.len(), 36);
    }

    #[test]
    fn refuses_drafts_without_msg_data_or_credentials() {
        assert!(matches!(
            sign_request(draft("serviceCode=S"), &account(), 0),
            Err(KitError::MissingField(_))
        ));
        let mut no_cw = account();
        no_cw.credentials.pop();
        assert!(matches!(
            sign_request(draft("msgData=%7B%7D"), &no_cw, 0),
            Err(KitError::MissingCredential(m)) if m.starts_with("check_word:")
        ));
    }
}
