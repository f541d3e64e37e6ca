//! Verifying a push (and a relayed order detail) on its raw bytes.
//!
//! Shopee signs each push with the header `Authorization`: the hex
//! HMAC-SHA256, keyed with the partner key, of the callback URL exactly as
//! registered, a `|`, and the raw body. The host hands adapters only the path
//! and query it received, so the public part of the registered URL (scheme
//! and host, e.g. `https://hub.example.com`) comes from the account's
//! `callback_base_url` credential; a request URL that is already absolute is
//! used as it is.

use orderhub_adapter_kit::{KitError, http, sig};

use crate::api;
use crate::bindings::orderhub::adapter::types::{Account, HttpRequest};

pub const SIGNATURE_HEADER: &str = "Authorization";

/// The callback URL the platform signed.
fn callback_url(request: &HttpRequest, account: &Account) -> Result<String, KitError> {
    if request.url.starts_with("https://") || request.url.starts_with("http://") {
        return Ok(request.url.clone());
    }
    let base = api::required(
        account,
        "callback_base_url",
        "the public scheme and host of the registered callback URL",
    )?;
    Ok(format!("{}{}", base.trim_end_matches('/'), request.url))
}

/// The signature one partner key gives.
pub fn expected(partner_key: &str, url: &str, body: &[u8]) -> String {
    let mut signed = Vec::with_capacity(url.len() + 1 + body.len());
    signed.extend_from_slice(url.as_bytes());
    signed.push(b'|');
    signed.extend_from_slice(body);
    sig::hex_lower(&sig::hmac_sha256(partner_key.as_bytes(), &signed))
}

/// Checks `Authorization` against every partner key of the account, in
/// constant time. Hex case is not significant.
pub fn verify(request: &HttpRequest, account: &Account) -> Result<(), KitError> {
    let sent = http::header(
        request.headers.iter().map(|h| (&h.name, &h.value)),
        SIGNATURE_HEADER,
    )
    .map(str::trim)
    .filter(|s| !s.is_empty())
    .ok_or_else(|| KitError::MissingSignature(SIGNATURE_HEADER.into()))?;
    let url = callback_url(request, account)?;
    sig::verify_with_any_secret(
        Some(sent),
        SIGNATURE_HEADER,
        &account.secrets,
        |key| expected(key, &url, &request.body),
        sig::constant_time_eq_ignore_case,
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::field;
    use crate::bindings::orderhub::adapter::types::Field;

    const BODY: &str = r#"{"shop_id":600000,"code":3,"timestamp":1712800000,"data":{"ordersn":"2404098R48U37H","status":"READY_TO_SHIP","update_time":1712800000}}"#;
    // python3: hmac.new(b"sandbox-partner-key-0001",
    //   b"https://hub.example.com/webhooks/shopee/main|" + BODY, hashlib.sha256).hexdigest()
    const SIGNATURE: &str = "a8285b2794a4abd3d9430fcb2e86656ff8b520e8cbc86b18c7178ff5914f2f72";

    fn account(secrets: &[&str]) -> Account {
        Account {
            id: "main".into(),
            secrets: secrets.iter().map(|s| s.to_string()).collect(),
            credentials: vec![field("callback_base_url", "https://hub.example.com/")],
        }
    }

    fn request(headers: Vec<Field>) -> HttpRequest {
        HttpRequest {
            method: "POST".into(),
            url: "/webhooks/shopee/main".into(),
            headers,
            body: BODY.as_bytes().to_vec(),
        }
    }

    #[test]
    fn independent_signature_verifies_with_any_key() {
        let signed = request(vec![field("authorization", SIGNATURE)]);
        assert_eq!(
            verify(&signed, &account(&["new", "sandbox-partner-key-0001"])),
            Ok(())
        );
        let upper = request(vec![field("Authorization", &SIGNATURE.to_uppercase())]);
        assert_eq!(
            verify(&upper, &account(&["sandbox-partner-key-0001"])),
            Ok(())
        );
    }

    #[test]
    fn failures_are_typed() {
        let signed = request(vec![field("Authorization", SIGNATURE)]);
        assert!(matches!(
            verify(&signed, &account(&["other"])),
            Err(KitError::BadSignature(_))
        ));
        assert!(matches!(
            verify(&request(vec![]), &account(&["k"])),
            Err(KitError::MissingSignature(_))
        ));
        let mut no_base = account(&["sandbox-partner-key-0001"]);
        no_base.credentials.clear();
        assert!(matches!(
            verify(&signed, &no_base),
            Err(KitError::MissingCredential(m)) if m.starts_with("callback_base_url")
        ));
    }
}
