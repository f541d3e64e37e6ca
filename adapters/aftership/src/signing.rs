//! AfterShip's two signatures: the webhook HMAC and the API key header.
//!
//! Tracking webhooks carry `aftership-hmac-sha256`, the standard Base64 of
//! HMAC-SHA256 over the raw body keyed with the account's webhook secret
//! (aftership.com/docs/tracking/webhook/webhook-signature). API calls
//! authenticate with the `as-api-key` header (`AfterShip/tracking-sdk-nodejs`
//! `src/lib/request.ts`); the optional AES/RSA request signing is not used.

use orderhub_adapter_kit::{KitError, sig};

use crate::account;
use crate::bindings::orderhub::adapter::types::{Account, Field, OutboundRequest};

/// The API key header.
pub(crate) const API_KEY_HEADER: &str = "as-api-key";

/// The `aftership-hmac-sha256` value for `body` signed with `secret`.
pub(crate) fn webhook_signature(secret: &str, body: &[u8]) -> String {
    sig::base64(&sig::hmac_sha256(secret.as_bytes(), body))
}

/// Signs an API draft: replaces any `as-api-key` header with the account's key.
pub(crate) fn sign_request(
    mut request: OutboundRequest,
    account: &Account,
) -> Result<OutboundRequest, KitError> {
    let api_key = account::required(
        account,
        "api_key",
        "the AfterShip API key (Admin > Settings > API keys) sent as `as-api-key`",
    )?;
    request
        .headers
        .retain(|h| !h.name.eq_ignore_ascii_case(API_KEY_HEADER));
    request.headers.push(Field {
        name: API_KEY_HEADER.into(),
        value: api_key.into(),
    });
    Ok(request)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signature_is_base64_hmac_sha256_of_the_body() {
        // Known vector (HMAC-SHA256, key "key", the quick brown fox).
        assert_eq!(
            webhook_signature("key", b"The quick brown fox jumps over the lazy dog"),
            "97yD9DBThCSxMpjmqm+xQ+9NWaFJRhdZl0edvC0aPNg="
        );
    }

    #[test]
    fn sign_sets_the_key_header_once() {
        let account = Account {
            id: "main".into(),
            secrets: vec![],
            credentials: vec![Field {
                name: "api_key".into(),
                value: "asak_123".into(),
            }],
        };
        let draft = OutboundRequest {
            method: "GET".into(),
            url: "https://api.aftership.com/tracking/2025-01/trackings".into(),
            query: vec![],
            headers: vec![Field {
                name: "AS-API-KEY".into(),
                value: "old".into(),
            }],
            body: vec![],
        };
        let signed = sign_request(draft.clone(), &account).unwrap();
        assert_eq!(signed.headers.len(), 1);
        assert_eq!(
            (
                signed.headers[0].name.as_str(),
                signed.headers[0].value.as_str()
            ),
            ("as-api-key", "asak_123")
        );
        let none = Account {
            credentials: vec![],
            ..account
        };
        assert!(matches!(
            sign_request(draft, &none),
            Err(KitError::MissingCredential(_))
        ));
    }
}
