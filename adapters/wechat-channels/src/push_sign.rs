//! Verifying a WeChat message push.
//!
//! WeChat signs the push URL, not the body: in plaintext mode the query
//! parameter `signature` is lower-hex sha1 of the sorted, concatenated
//! `[token, timestamp, nonce]`; in safe and compatible modes `msg_signature`
//! is sha1 of the sorted `[token, timestamp, nonce, Encrypt]`, where
//! `Encrypt` is the ciphertext field of the body. Only the safe-mode
//! signature therefore covers (the encrypted part of) the body; a plaintext
//! push is authenticated but not integrity-protected.
//!
//! The token is the account's secret. `timestamp` is Unix seconds; pushes
//! more than [`TOLERANCE_MS`] away from `now` are refused as stale, because
//! nothing else in the rule stops a captured URL from being replayed.

use orderhub_adapter_kit::json::{self, Fields};
use orderhub_adapter_kit::{KitError, http, sig};
use serde_json::Value;

use crate::bindings::orderhub::adapter::types::{Account, HttpRequest};

/// How far a push timestamp may be from `now`: 10 minutes.
pub const TOLERANCE_MS: i64 = 10 * 60 * 1000;

/// The WeChat signature: lower-hex sha1 of the parts sorted bytewise and
/// joined without a separator.
pub fn signature(parts: &[&str]) -> String {
    let mut sorted = parts.to_vec();
    sorted.sort_unstable();
    sig::hex_lower(&sig::sha1(sorted.concat().as_bytes()))
}

/// Checks the push signature against every token of the account, then the
/// timestamp tolerance.
pub fn verify(request: &HttpRequest, account: &Account, now: i64) -> Result<(), KitError> {
    let query = http::query_params(&request.url);
    let param = |name: &str| http::form_value(&query, name).filter(|v| !v.trim().is_empty());
    let (sent, name, encrypt) = match (param("msg_signature"), param("signature")) {
        (Some(sent), _) => (sent, "msg_signature", Some(encrypt_field(&request.body)?)),
        (None, Some(sent)) => (sent, "signature", None),
        (None, None) => {
            return Err(KitError::MissingSignature(
                "query parameter signature (or msg_signature)".into(),
            ));
        }
    };
    let timestamp = param("timestamp")
        .ok_or_else(|| KitError::MissingField("query parameter timestamp".into()))?;
    let nonce =
        param("nonce").ok_or_else(|| KitError::MissingField("query parameter nonce".into()))?;
    sig::verify_with_any_secret(
        Some(sent),
        name,
        &account.secrets,
        |token| match &encrypt {
            Some(encrypt) => signature(&[token, timestamp, nonce, encrypt]),
            None => signature(&[token, timestamp, nonce]),
        },
        sig::constant_time_eq_ignore_case,
    )?;
    check_fresh(timestamp, now)
}

/// Refuses timestamps further than the tolerance from `now`, either way.
fn check_fresh(timestamp: &str, now: i64) -> Result<(), KitError> {
    let seconds: i64 = timestamp
        .trim()
        .parse()
        .map_err(|_| KitError::invalid("query parameter timestamp", "not Unix seconds"))?;
    let at = seconds
        .checked_mul(1000)
        .ok_or_else(|| KitError::invalid("query parameter timestamp", "out of range"))?;
    if now.abs_diff(at) > TOLERANCE_MS.unsigned_abs() {
        return Err(KitError::StaleTimestamp(format!(
            "query parameter timestamp {seconds} is more than 10 minutes from now"
        )));
    }
    Ok(())
}

/// The `Encrypt` field of a safe/compatible-mode body, JSON or XML.
pub fn encrypt_field(body: &[u8]) -> Result<String, KitError> {
    let text = std::str::from_utf8(body)
        .map_err(|_| KitError::MalformedPayload("the body is not UTF-8".into()))?;
    if text.trim_start().starts_with('<') {
        return xml_element(text, "Encrypt")
            .map(str::to_string)
            .ok_or_else(|| KitError::MissingField("xml.Encrypt".into()));
    }
    let value: Value = json::parse(body)?;
    Fields::of(&value, "")?.string("Encrypt")
}

/// The text of the first `<name>` element, with a CDATA wrapper removed.
/// WeChat's push XML is flat and unescaped, so no general parser is needed.
pub fn xml_element<'a>(text: &'a str, name: &str) -> Option<&'a str> {
    let open = format!("<{name}>");
    let close = format!("</{name}>");
    let start = text.find(&open)? + open.len();
    let rest = text.get(start..)?;
    let inner = rest.get(..rest.find(&close)?)?.trim();
    Some(
        inner
            .strip_prefix("<![CDATA[")
            .and_then(|s| s.strip_suffix("]]>"))
            .unwrap_or(inner),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The encrypted field of WeChat's published safe-mode sample.
    pub const SAMPLE_ENCRYPT: &str = "RypEvHKD8QQKFhvQ6QleEB4J58tiPdvo+rtK1I9qca6aM/wvqnLSV5zEPeusUiX5L5X/0lWfrf0QADHHhGd3QczcdCUpj911L3vg3W/sYYvuJTs3TUUkSUXxaccAS0qhxchrRYt66wiSpGLYL42aM6A8dTT+6k4aSknmPj48kzJs8qLjvd4Xgpue06DOdnLxAUHzM6+kDZ+HMZfJYuR+LtwGc2hgf5gsijff0ekUNXZiqATP7PF5mZxZ3Izoun1s4zG4LUMnvw2r+KqCKIw+3IQH03v+BCA9nMELNqbSf6tiWSrXJB3LAVGUcallcrw8V2t9EL4EhzJWrQUax5wLVMNS0+rUPA3k22Ncx4XXZS9o0MBH27Bo6BpNelZpS+/uh9KsNlY6bHCmJU9p8g7m3fVKn28H3KDYA5Pl/T8Z1ptDAVe0lXdQ2YoyyH2uyPIGHBZZIs2pDBS8R07+qN+E7Q==";

    fn account(token: &str) -> Account {
        Account {
            id: "t".into(),
            secrets: vec!["old-token".into(), token.into()],
            credentials: vec![],
        }
    }

    fn request(url: &str, body: &str) -> HttpRequest {
        HttpRequest {
            method: "POST".into(),
            url: url.into(),
            headers: vec![],
            body: body.as_bytes().to_vec(),
        }
    }

    #[test]
    fn published_safe_mode_signature() {
        assert_eq!(
            signature(&["QDG6eK", "1409659813", "1372623149", SAMPLE_ENCRYPT]),
            "477715d11cdb4164915debcba66cb864d751f3e6"
        );
    }

    #[test]
    fn published_sample_verifies_from_xml_body() {
        let body = format!(
            "<xml><ToUserName><![CDATA[wx5823bf96d3bd56c7]]></ToUserName><Encrypt><![CDATA[{SAMPLE_ENCRYPT}]]></Encrypt></xml>"
        );
        let url = "/push?msg_signature=477715D11CDB4164915DEBCBA66CB864D751F3E6&timestamp=1409659813&nonce=1372623149";
        assert_eq!(
            verify(&request(url, &body), &account("QDG6eK"), 1_409_659_813_000),
            Ok(())
        );
        assert!(matches!(
            verify(
                &request(url, &body.replace("Ryp", "Ryq")),
                &account("QDG6eK"),
                1_409_659_813_000
            ),
            Err(KitError::BadSignature(_))
        ));
        assert!(matches!(
            verify(&request(url, &body), &account("QDG6eK"), 1_409_660_500_000),
            Err(KitError::StaleTimestamp(_))
        ));
    }

    #[test]
    fn plaintext_signature_and_missing_parts() {
        let sig = signature(&["tok", "1700000000", "42"]);
        let url = format!("/p?signature={sig}&timestamp=1700000000&nonce=42");
        assert_eq!(
            verify(&request(&url, "{}"), &account("tok"), 1_700_000_000_000),
            Ok(())
        );
        assert!(matches!(
            verify(&request("/p?timestamp=1&nonce=2", "{}"), &account("tok"), 0),
            Err(KitError::MissingSignature(_))
        ));
        assert_eq!(
            verify(
                &request(&format!("/p?signature={sig}&nonce=42"), "{}"),
                &account("tok"),
                0
            ),
            Err(KitError::MissingField("query parameter timestamp".into()))
        );
        assert!(matches!(
            verify(
                &request("/p?msg_signature=ab&timestamp=1&nonce=2", "{}"),
                &account("tok"),
                0
            ),
            Err(KitError::MissingField(_))
        ));
    }

    #[test]
    fn xml_elements_with_and_without_cdata() {
        assert_eq!(xml_element("<a><b>x</b></a>", "b"), Some("x"));
        assert_eq!(xml_element("<b><![CDATA[y]]></b>", "b"), Some("y"));
        assert_eq!(xml_element("<b>unclosed", "b"), None);
    }
}
