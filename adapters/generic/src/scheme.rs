//! The Standard Webhooks signature scheme (standardwebhooks.com, spec 1.0.0),
//! shared by inbound verification and outbound signing.
//!
//! A message carries three headers: `webhook-id` (the idempotency key),
//! `webhook-timestamp` (Unix seconds of the attempt) and `webhook-signature`,
//! a space-separated list of `<version>,<base64 signature>` entries. The
//! symmetric scheme is `v1`: HMAC-SHA256 over `{id}.{timestamp}.{body}` keyed
//! by the decoded secret. The list exists so a sender can sign with the old
//! and the new secret while rotating; a receiver accepts the message when any
//! `v1` entry matches, and skips entries of other versions (`v1a` is the
//! asymmetric ed25519 scheme, not offered here).

use orderhub_adapter_kit::sig;

/// The message id header.
pub const ID_HEADER: &str = "webhook-id";
/// The attempt time header, integer Unix seconds.
pub const TIMESTAMP_HEADER: &str = "webhook-timestamp";
/// The signature list header.
pub const SIGNATURE_HEADER: &str = "webhook-signature";
/// The version tag of the symmetric (HMAC-SHA256) scheme.
pub const VERSION: &str = "v1";
/// How far the attempt time may be from `now`, either way: the five minutes
/// the reference libraries use, which bounds how long a captured request can
/// be replayed.
pub const TOLERANCE_SECONDS: i64 = 5 * 60;

/// The bytes that are signed: `{id}.{timestamp}.{body}`, with the timestamp
/// printed as a plain integer and the body exactly as sent.
pub fn signed_content(id: &str, timestamp: i64, body: &[u8]) -> Vec<u8> {
    let prefix = format!("{id}.{timestamp}.");
    let mut content = Vec::with_capacity(prefix.len() + body.len());
    content.extend_from_slice(prefix.as_bytes());
    content.extend_from_slice(body);
    content
}

/// The base64 `v1` signature of a message under one key (without the tag).
pub fn signature(key: &[u8], id: &str, timestamp: i64, body: &[u8]) -> String {
    sig::base64(&sig::hmac_sha256(key, &signed_content(id, timestamp, body)))
}

/// One entry of the signature list: `v1,<base64>`.
pub fn tagged(signature: &str) -> String {
    format!("{VERSION},{signature}")
}

/// The non-empty `v1` signatures of a `webhook-signature` value, in order.
pub fn v1_signatures(header: &str) -> impl Iterator<Item = &str> {
    header
        .split_whitespace()
        .filter_map(|entry| entry.split_once(','))
        .filter(|(version, signature)| *version == VERSION && !signature.is_empty())
        .map(|(_, signature)| signature)
}

/// True when any `v1` entry of `header` equals `expected`. Every entry is
/// compared in constant time and none is skipped after a match, so the time
/// taken says nothing about which entry (or how much of it) matched.
pub fn header_matches(header: &str, expected: &str) -> bool {
    if expected.is_empty() {
        return false;
    }
    let mut any = false;
    for candidate in v1_signatures(header) {
        any |= sig::exact(candidate, expected);
    }
    any
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::secret;

    fn key(secret: &str) -> Vec<u8> {
        secret::keys(&[secret.to_string()]).unwrap().remove(0)
    }

    /// standard-webhooks/standard-webhooks `libraries/javascript/src/webhook.test.ts`
    /// ("sign function works") and `libraries/python/tests/test_webhooks.py`
    /// (`test_sign_function`); the same values are Svix's verification example.
    #[test]
    fn published_example_javascript_and_python_libraries() {
        let key = key("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw");
        let signed = signature(
            &key,
            "msg_p5jXN8AQM9LWM0D4loKWxJek",
            1_614_265_330,
            br#"{"test": 2432232314}"#,
        );
        assert_eq!(
            tagged(&signed),
            "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="
        );
    }

    /// standard-webhooks/standard-webhooks `libraries/rust/src/lib.rs` (`test_sign`).
    #[test]
    fn published_example_rust_library() {
        let key = key("whsec_C2FVsBQIhrscChlQIMV+b5sSYspob7oD");
        let signed = signature(
            &key,
            "msg_27UH4WbU6Z5A5EzD8u03UvzRbpk",
            1_649_367_553,
            br#"{"email":"test@example.com","username":"test_user"}"#,
        );
        assert_eq!(
            tagged(&signed),
            "v1,tZ1I4/hDygAJgO5TYxiSd6Sd0kDW6hPenDe+bTa3Kkw="
        );
    }

    #[test]
    fn signed_content_joins_id_timestamp_and_raw_body() {
        assert_eq!(signed_content("msg_1", 42, b"{}"), b"msg_1.42.{}".to_vec());
        assert_eq!(signed_content("m", -5, b""), b"m.-5.".to_vec());
    }

    /// The multi-signature list of the reference libraries' tests: other
    /// versions and non-matching `v1` entries around the valid one.
    #[test]
    fn any_v1_entry_of_the_list_matches() {
        let valid = "g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=";
        let header = format!(
            "v1,Ceo5qEr07ixe2NLpvHk3FH9bwy/WavXrAFQ/9tdO6mc= v2,{valid} v1,{valid} v1,Ceo5qEr07ixe2NLpvHk3FH9bwy/WavXrAFQ/9tdO6mc="
        );
        assert!(header_matches(&header, valid));
        assert!(!header_matches(&format!("v2,{valid} v1a,{valid}"), valid));
        assert!(!header_matches("v1, v1 garbage", valid));
        assert!(!header_matches("v1,", ""));
        assert_eq!(
            v1_signatures("v1,a  v1a,b v1,c").collect::<Vec<_>>(),
            ["a", "c"]
        );
    }
}
