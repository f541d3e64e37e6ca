//! Webhook verification.
//!
//! Shopify signs each webhook with HMAC-SHA256 over the raw body, keyed by the
//! app's API secret key, and sends the digest base64-encoded in
//! `X-Shopify-Hmac-Sha256`. Every configured secret is tried so a secret can
//! be rotated without rejecting deliveries signed with the previous one.

use orderhub_adapter_kit::{KitError, sig};

use crate::bindings::orderhub::adapter::types::{Account, HttpRequest};
use crate::fields::header;

/// The header carrying the body's signature.
pub const SIGNATURE_HEADER: &str = "X-Shopify-Hmac-Sha256";

/// The signature Shopify sends for `body` when the app secret is `secret`.
pub fn signature(secret: &str, body: &[u8]) -> String {
    sig::base64(&sig::hmac_sha256(secret.as_bytes(), body))
}

/// Accepts the request when its signature matches the body under any of the
/// account's secrets.
pub fn verify(request: &HttpRequest, account: &Account) -> Result<(), KitError> {
    sig::verify_with_any_secret(
        header(&request.headers, SIGNATURE_HEADER),
        SIGNATURE_HEADER,
        &account.secrets,
        |secret| signature(secret, &request.body),
        sig::exact,
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bindings::orderhub::adapter::types::Field;

    fn request(signature: Option<&str>, body: &[u8]) -> HttpRequest {
        let mut headers = vec![Field {
            name: "X-Shopify-Topic".into(),
            value: "orders/paid".into(),
        }];
        if let Some(s) = signature {
            headers.push(Field {
                name: "x-shopify-hmac-sha256".into(),
                value: s.into(),
            });
        }
        HttpRequest {
            method: "POST".into(),
            url: "/webhooks/shopify/main".into(),
            headers,
            body: body.to_vec(),
        }
    }

    fn account(secrets: &[&str]) -> Account {
        Account {
            id: "main".into(),
            secrets: secrets.iter().map(|s| s.to_string()).collect(),
            credentials: vec![],
        }
    }

    /// Shopify's published example (shopify-api-js, webhooks validate test):
    /// secret `test_secret_key`, body `{"foo": "bar"}`.
    #[test]
    fn published_example_digest() {
        assert_eq!(
            signature("test_secret_key", br#"{"foo": "bar"}"#),
            "B23tXN681gZ0qIWNRrgtzBE9XSDo5yaUu6wfmhu3a7g="
        );
        let req = request(
            Some("B23tXN681gZ0qIWNRrgtzBE9XSDo5yaUu6wfmhu3a7g="),
            br#"{"foo": "bar"}"#,
        );
        assert_eq!(verify(&req, &account(&["test_secret_key"])), Ok(()));
    }

    #[test]
    fn any_rotated_secret_verifies() {
        let req = request(
            Some("B23tXN681gZ0qIWNRrgtzBE9XSDo5yaUu6wfmhu3a7g="),
            br#"{"foo": "bar"}"#,
        );
        assert_eq!(
            verify(&req, &account(&["new_secret", "test_secret_key"])),
            Ok(())
        );
    }

    #[test]
    fn tampered_body_missing_header_and_no_secret_are_refused() {
        let tampered = request(
            Some("B23tXN681gZ0qIWNRrgtzBE9XSDo5yaUu6wfmhu3a7g="),
            br#"{"foo": "baz"}"#,
        );
        assert!(matches!(
            verify(&tampered, &account(&["test_secret_key"])),
            Err(KitError::BadSignature(_))
        ));
        let unsigned = request(None, br#"{"foo": "bar"}"#);
        assert_eq!(
            verify(&unsigned, &account(&["test_secret_key"])),
            Err(KitError::MissingSignature(SIGNATURE_HEADER.into()))
        );
        let signed = request(
            Some("B23tXN681gZ0qIWNRrgtzBE9XSDo5yaUu6wfmhu3a7g="),
            br#"{"foo": "bar"}"#,
        );
        assert!(matches!(
            verify(&signed, &account(&[])),
            Err(KitError::MissingCredential(_))
        ));
    }
}
