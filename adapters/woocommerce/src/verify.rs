//! Webhook verification.
//!
//! WooCommerce signs each delivery with HMAC-SHA256 over the exact body it
//! sends, keyed by the webhook's secret, and sends the digest base64-encoded
//! in `X-WC-Webhook-Signature` (`WC_Webhook::generate_signature`). Every
//! configured secret is tried, so a webhook's secret can be changed without
//! refusing deliveries signed with the previous one.
//!
//! When a webhook is first activated WooCommerce sends a creation ping: a form
//! body `webhook_id=<id>` with no signature at all. It is refused like any
//! other unsigned request (`missing-signature`, so the host answers 401): an
//! unsigned request can be sent by anyone, and accepting it would let anyone
//! write to the inbox. WooCommerce saves and activates the webhook before it
//! pings, so the only effect is a "Delivery URL returned response code: 401"
//! notice in the store's admin; order deliveries are signed and unaffected.

use orderhub_adapter_kit::{KitError, sig};

use crate::bindings::orderhub::adapter::types::{Account, HttpRequest};
use crate::fields::header;

/// The header carrying the body's signature.
pub const SIGNATURE_HEADER: &str = "X-WC-Webhook-Signature";

/// The signature WooCommerce sends for `body` when the webhook secret is `secret`.
pub fn signature(secret: &str, body: &[u8]) -> String {
    sig::base64(&sig::hmac_sha256(secret.as_bytes(), body))
}

/// Accepts the request when its signature matches the body under any of the
/// account's secrets.
pub fn verify(request: &HttpRequest, account: &Account) -> Result<(), KitError> {
    let sent = header(&request.headers, SIGNATURE_HEADER);
    let unsigned = sent.is_none_or(|s| s.trim().is_empty());
    if unsigned && is_creation_ping(&request.body) {
        return Err(KitError::MissingSignature(format!(
            "{SIGNATURE_HEADER} is absent: the body is WooCommerce's unsigned creation ping \
             (webhook_id=…), refused on purpose; signed order deliveries are unaffected"
        )));
    }
    sig::verify_with_any_secret(
        sent,
        SIGNATURE_HEADER,
        &account.secrets,
        |secret| signature(secret, &request.body),
        sig::exact,
    )
}

/// True for the body of `WC_Webhook::deliver_ping`: `webhook_id=<digits>`.
fn is_creation_ping(body: &[u8]) -> bool {
    body.strip_prefix(b"webhook_id=")
        .is_some_and(|id| !id.is_empty() && id.iter().all(u8::is_ascii_digit))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fields::field;

    const BODY: &[u8] = br#"{"id":727,"status":"processing"}"#;

    fn request(signature: Option<&str>, body: &[u8]) -> HttpRequest {
        let mut headers = vec![field("X-WC-Webhook-Topic", "order.updated")];
        if let Some(s) = signature {
            headers.push(field("x-wc-webhook-signature", s));
        }
        HttpRequest {
            method: "POST".into(),
            url: "/webhooks/woocommerce/main".into(),
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

    /// The digest of a known input, computed independently:
    /// `base64(HMAC-SHA256(key "test_secret_key", '{"foo": "bar"}'))`, the same
    /// primitive and encoding WooCommerce uses.
    #[test]
    fn digest_is_base64_hmac_sha256_of_the_raw_body() {
        assert_eq!(
            signature("test_secret_key", br#"{"foo": "bar"}"#),
            "B23tXN681gZ0qIWNRrgtzBE9XSDo5yaUu6wfmhu3a7g="
        );
    }

    #[test]
    fn any_rotated_secret_verifies() {
        let sig = signature("old", BODY);
        assert_eq!(
            verify(&request(Some(&sig), BODY), &account(&["new", "old"])),
            Ok(())
        );
    }

    #[test]
    fn tampered_missing_and_unconfigured_are_refused() {
        let sig = signature("s", BODY);
        assert!(matches!(
            verify(
                &request(Some(&sig), br#"{"id":728,"status":"processing"}"#),
                &account(&["s"])
            ),
            Err(KitError::BadSignature(_))
        ));
        assert_eq!(
            verify(&request(None, BODY), &account(&["s"])),
            Err(KitError::MissingSignature(SIGNATURE_HEADER.into()))
        );
        assert!(matches!(
            verify(&request(Some(&sig), BODY), &account(&[])),
            Err(KitError::MissingCredential(_))
        ));
    }

    #[test]
    fn the_creation_ping_is_refused_and_named() {
        match verify(&request(None, b"webhook_id=14"), &account(&["s"])) {
            Err(KitError::MissingSignature(m)) => assert!(m.contains("creation ping")),
            other => panic!("expected missing-signature, got {other:?}"),
        }
        // A signed body that merely looks like a ping is checked like any other.
        assert!(matches!(
            verify(&request(Some("AAAA"), b"webhook_id=14"), &account(&["s"])),
            Err(KitError::BadSignature(_))
        ));
        assert!(!is_creation_ping(b"webhook_id="));
        assert!(!is_creation_ping(b"webhook_id=1&x=2"));
    }
}
