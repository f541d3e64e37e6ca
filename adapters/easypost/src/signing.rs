//! EasyPost's two signatures: the webhook HMAC and the API's Basic auth.
//!
//! Webhooks carry `X-Hmac-Signature: hmac-sha256-hex=<hex>`, the lower-hex
//! HMAC-SHA256 of the raw body keyed with the webhook secret *after Unicode
//! NFKD normalisation* (EasyPost's client libraries normalise the secret, so
//! a secret such as `sécret` only matches in its decomposed form). API calls
//! authenticate with HTTP Basic: the API key as user name, no password.

use orderhub_adapter_kit::{KitError, sig};
use unicode_normalization::UnicodeNormalization as _;

use crate::account;
use crate::bindings::orderhub::adapter::types::{Account, Field, OutboundRequest};

/// The prefix EasyPost puts before the hex digest.
pub(crate) const SIGNATURE_PREFIX: &str = "hmac-sha256-hex=";

/// The `X-Hmac-Signature` value EasyPost sends for `body` signed with `secret`.
pub(crate) fn webhook_signature(secret: &str, body: &[u8]) -> String {
    let key: String = secret.nfkd().collect();
    format!(
        "{SIGNATURE_PREFIX}{}",
        sig::hex_lower(&sig::hmac_sha256(key.as_bytes(), body))
    )
}

/// The `Authorization` value for an API key: `Basic base64(key + ":")`.
pub(crate) fn basic_authorization(api_key: &str) -> String {
    format!("Basic {}", sig::base64(format!("{api_key}:").as_bytes()))
}

/// Signs an API draft: replaces any `Authorization` header with Basic auth.
pub(crate) fn sign_request(
    mut request: OutboundRequest,
    account: &Account,
) -> Result<OutboundRequest, KitError> {
    let api_key = account::required(
        account,
        "api_key",
        "the EasyPost API key (production or test) that authenticates API calls",
    )?;
    request
        .headers
        .retain(|h| !h.name.eq_ignore_ascii_case("authorization"));
    request.headers.push(Field {
        name: "Authorization".into(),
        value: basic_authorization(api_key),
    });
    Ok(request)
}

#[cfg(test)]
mod tests {
    use super::*;

    const SAMPLE: &[u8] = include_bytes!("../testdata/event-tracker-updated.json");

    #[test]
    fn published_webhook_example_matches_with_the_nfkd_secret() {
        assert_eq!(
            webhook_signature("sécret", SAMPLE),
            "hmac-sha256-hex=38f3f53c103713df81616a0a186d77141957323ec21d5fe9363db93840f527db"
        );
        // The precomposed and decomposed spellings are the same secret.
        assert_eq!(
            webhook_signature("se\u{301}cret", SAMPLE),
            webhook_signature("s\u{e9}cret", SAMPLE)
        );
        // Keyed with the NFC bytes the digest differs (EasyPost's documented pitfall).
        let nfc = sig::hex_lower(&sig::hmac_sha256("sécret".as_bytes(), SAMPLE));
        assert!(nfc.starts_with("7f1669d6"));
    }

    #[test]
    fn basic_auth_is_the_key_with_an_empty_password() {
        assert_eq!(basic_authorization("EZAK123"), "Basic RVpBSzEyMzo=");
    }

    #[test]
    fn sign_replaces_authorization_and_needs_the_key() {
        let account = Account {
            id: "main".into(),
            secrets: vec![],
            credentials: vec![Field {
                name: "api_key".into(),
                value: "EZAK123".into(),
            }],
        };
        let draft = OutboundRequest {
            method: "GET".into(),
            url: "https://api.easypost.com/v2/trackers".into(),
            query: vec![],
            headers: vec![Field {
                name: "authorization".into(),
                value: "old".into(),
            }],
            body: vec![],
        };
        let signed = sign_request(draft.clone(), &account).unwrap();
        assert_eq!(signed.headers.len(), 1);
        assert_eq!(signed.headers[0].value, "Basic RVpBSzEyMzo=");
        let no_key = Account {
            credentials: vec![],
            ..account
        };
        assert!(matches!(
            sign_request(draft, &no_key),
            Err(KitError::MissingCredential(m)) if m.starts_with("api_key:")
        ));
    }
}
