//! The encrypted push body and its authentication.
//!
//! Kuaishou posts each message as the base64 text of an AES-CBC ciphertext
//! (key = base64-decoded message secret, IV = 16 zero bytes, PKCS#5
//! padding) and sends no separate signature header. A body is therefore
//! accepted only when it decrypts under one of the account's message secrets
//! to a JSON envelope whose `appKey` is the configured app key: a forger
//! without the secret cannot produce such a ciphertext, and a flipped byte
//! garbles the JSON or the padding.

use orderhub_adapter_kit::{KitError, aes, json, sig};
use serde_json::Value;

const ZERO_IV: [u8; 16] = [0; 16];

/// Decrypts `body` with one message secret, returning the plaintext.
fn decrypt_with(secret: &str, ciphertext: &[u8]) -> Option<Vec<u8>> {
    let key = sig::base64_decode(secret.trim(), "message secret").ok()?;
    aes::aes_cbc_decrypt_pkcs7(&key, &ZERO_IV, ciphertext, aes::BLOCK).ok()
}

/// Whether the plaintext is an envelope addressed to `app_key`.
fn is_envelope_for(plain: &[u8], app_key: &str) -> bool {
    let Ok(value) = serde_json::from_slice::<Value>(plain) else {
        return false;
    };
    let sent = value.get("appKey").and_then(json::scalar_text);
    sent.is_some_and(|sent| sig::constant_time_eq(sent.as_bytes(), app_key.as_bytes()))
}

/// Decrypts and authenticates a push body, returning the envelope.
///
/// A body that is not base64 (for example plain JSON) carries no
/// authentication at all and gives `missing-signature`; a ciphertext that
/// no secret opens to this app's envelope gives `bad-signature`.
pub fn open(body: &[u8], secrets: &[String], app_key: &str) -> Result<Value, KitError> {
    let text = std::str::from_utf8(body)
        .map_err(|_| KitError::BadSignature("body: not base64 text".into()))?
        .trim();
    if text.is_empty() || text.starts_with('{') || text.starts_with('[') {
        return Err(KitError::MissingSignature(
            "body: not an encrypted message (expected base64 AES-CBC ciphertext)".into(),
        ));
    }
    if secrets.iter().all(|s| s.trim().is_empty()) {
        return Err(KitError::MissingCredential(
            "secrets: no message secret (msgSecret) is configured for this account".into(),
        ));
    }
    let ciphertext = sig::base64_decode(text, "body")
        .map_err(|_| KitError::BadSignature("body: not valid base64 ciphertext".into()))?;
    // Every secret is tried even after a match so the time taken does not
    // reveal which one matched.
    let mut opened = None;
    for secret in secrets.iter().filter(|s| !s.trim().is_empty()) {
        if let Some(plain) = decrypt_with(secret, &ciphertext)
            && opened.is_none()
            && is_envelope_for(&plain, app_key)
        {
            opened = Some(plain);
        }
    }
    let plain = opened.ok_or_else(|| {
        KitError::BadSignature(
            "body: does not decrypt to an envelope for this appKey with any configured message secret"
                .into(),
        )
    })?;
    json::parse(&plain)
}

#[cfg(test)]
mod tests {
    use super::*;

    // Encrypted by Python's `cryptography` (AES-128-CBC, zero IV, PKCS#7)
    // with key base64 "AAECAwQFBgcICQoLDA0ODw==" (bytes 0..15).
    const KEY: &str = "AAECAwQFBgcICQoLDA0ODw==";
    const BODY: &str = "Vadvd3F6h6442PZDmvNmRUdHyBsDq3jjCeBHDRyX1kc=";

    #[test]
    fn opens_with_the_right_secret_and_app_key() {
        let secrets = vec!["b2xkLXNlY3JldC0xMjM0NQ==".to_string(), KEY.to_string()];
        let envelope = open(BODY.as_bytes(), &secrets, "ks123").unwrap();
        assert_eq!(envelope["msgId"], "m1");
    }

    #[test]
    fn refuses_wrong_app_key_wrong_secret_and_plaintext() {
        let secrets = vec![KEY.to_string()];
        assert!(matches!(
            open(BODY.as_bytes(), &secrets, "ks999"),
            Err(KitError::BadSignature(_))
        ));
        assert!(matches!(
            open(
                BODY.as_bytes(),
                &["AQECAwQFBgcICQoLDA0ODw==".into()],
                "ks123"
            ),
            Err(KitError::BadSignature(_))
        ));
        assert!(matches!(
            open(br#"{"appKey":"ks123"}"#, &secrets, "ks123"),
            Err(KitError::MissingSignature(_))
        ));
        assert!(matches!(
            open(BODY.as_bytes(), &[], "ks123"),
            Err(KitError::MissingCredential(_))
        ));
    }
}
