//! Digests, HMACs and constant-time comparison for webhook verification and
//! request signing.
//!
//! Platforms disagree on everything except the primitives: MD5, SHA-1,
//! SHA-256 and their HMACs, printed as upper hex, lower hex or base64. The
//! helpers here return raw digest bytes and leave the encoding to the caller,
//! because the encoding is exactly where platforms differ (Kingdee base64s the
//! *hex text*, SF base64s the raw MD5).

use base64::Engine as _;
use hmac::{Hmac, Mac};
use md5::{Digest as _, Md5};
use sha1::Sha1;
use sha2::Sha256;
use subtle::ConstantTimeEq;

use crate::KitError;

/// MD5 of `data`.
pub fn md5(data: &[u8]) -> [u8; 16] {
    Md5::digest(data).into()
}

/// SHA-1 of `data`.
pub fn sha1(data: &[u8]) -> [u8; 20] {
    Sha1::digest(data).into()
}

/// SHA-256 of `data`.
pub fn sha256(data: &[u8]) -> [u8; 32] {
    Sha256::digest(data).into()
}

/// HMAC-SHA256 of `data` keyed by `key`.
pub fn hmac_sha256(key: &[u8], data: &[u8]) -> [u8; 32] {
    let mut mac = Hmac::<Sha256>::new_from_slice(key).expect("HMAC accepts keys of any length");
    mac.update(data);
    mac.finalize().into_bytes().into()
}

/// HMAC-MD5 of `data` keyed by `key`.
pub fn hmac_md5(key: &[u8], data: &[u8]) -> [u8; 16] {
    let mut mac = Hmac::<Md5>::new_from_slice(key).expect("HMAC accepts keys of any length");
    mac.update(data);
    mac.finalize().into_bytes().into()
}

/// HMAC-SHA1 of `data` keyed by `key`.
pub fn hmac_sha1(key: &[u8], data: &[u8]) -> [u8; 20] {
    let mut mac = Hmac::<Sha1>::new_from_slice(key).expect("HMAC accepts keys of any length");
    mac.update(data);
    mac.finalize().into_bytes().into()
}

/// Lower-case hex.
pub fn hex_lower(bytes: &[u8]) -> String {
    hex::encode(bytes)
}

/// Upper-case hex.
pub fn hex_upper(bytes: &[u8]) -> String {
    hex::encode_upper(bytes)
}

/// Standard base64 with padding.
pub fn base64(bytes: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

/// Decodes standard base64 (with or without padding); `what` names the field
/// in the error.
pub fn base64_decode(text: &str, what: &str) -> Result<Vec<u8>, KitError> {
    let trimmed = text.trim();
    base64::engine::general_purpose::STANDARD
        .decode(trimmed)
        .or_else(|_| base64::engine::general_purpose::STANDARD_NO_PAD.decode(trimmed))
        .map_err(|e| KitError::invalid(what, format_args!("not base64 ({e})")))
}

/// Compares two byte strings in time independent of where they differ.
pub fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && bool::from(a.ct_eq(b))
}

/// Compares an ASCII signature as sent with one computed here, in constant
/// time, ignoring ASCII case (for hex signatures whose case platforms vary).
pub fn constant_time_eq_ignore_case(sent: &str, expected: &str) -> bool {
    let sent = sent.trim().to_ascii_lowercase();
    let expected = expected.to_ascii_lowercase();
    constant_time_eq(sent.as_bytes(), expected.as_bytes())
}

/// Verifies a signature against every secret of an account (several during a
/// key rotation). `expected` computes the signature one secret would produce;
/// `matches` compares it with what was sent.
///
/// Returns `missing-signature` when `sent` is absent or empty, `missing-credential`
/// when there is no secret at all, and `bad-signature` when no secret matches.
pub fn verify_with_any_secret<E>(
    sent: Option<&str>,
    signature_name: &str,
    secrets: &[String],
    mut expected: E,
    matches: fn(&str, &str) -> bool,
) -> Result<(), KitError>
where
    E: FnMut(&str) -> String,
{
    let sent = match sent.map(str::trim) {
        Some(s) if !s.is_empty() => s,
        _ => return Err(KitError::MissingSignature(signature_name.to_string())),
    };
    if secrets.iter().all(|s| s.is_empty()) {
        return Err(KitError::MissingCredential(
            "no signing secret is configured for this account".to_string(),
        ));
    }
    // Every secret is tried even after a match so the time taken does not
    // reveal which secret matched.
    let mut any = false;
    for secret in secrets.iter().filter(|s| !s.is_empty()) {
        any |= matches(sent, &expected(secret));
    }
    if any {
        Ok(())
    } else {
        Err(KitError::BadSignature(format!(
            "{signature_name} does not match the body signed with any configured secret"
        )))
    }
}

/// Exact, constant-time string comparison (for base64 signatures).
pub fn exact(sent: &str, expected: &str) -> bool {
    constant_time_eq(sent.trim().as_bytes(), expected.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hmac_sha256_base64_matches_shopify_published_example() {
        let mac = hmac_sha256(b"test_secret_key", br#"{"foo": "bar"}"#);
        assert_eq!(base64(&mac), "B23tXN681gZ0qIWNRrgtzBE9XSDo5yaUu6wfmhu3a7g=");
    }

    #[test]
    fn md5_hex_upper_of_known_text() {
        assert_eq!(hex_upper(&md5(b"abc")), "900150983CD24FB0D6963F7D28E17F72");
    }

    #[test]
    fn verify_accepts_any_rotated_secret() {
        let secrets = vec!["old".to_string(), "new".to_string()];
        let sig = hex_lower(&hmac_sha256(b"new", b"body"));
        let ok = verify_with_any_secret(
            Some(&sig),
            "X-Sig",
            &secrets,
            |s| hex_lower(&hmac_sha256(s.as_bytes(), b"body")),
            constant_time_eq_ignore_case,
        );
        assert_eq!(ok, Ok(()));
    }

    #[test]
    fn verify_reports_missing_and_bad_signatures() {
        let secrets = vec!["k".to_string()];
        let compute = |s: &str| hex_lower(&hmac_sha256(s.as_bytes(), b"body"));
        assert_eq!(
            verify_with_any_secret(None, "X-Sig", &secrets, compute, exact),
            Err(KitError::MissingSignature("X-Sig".into()))
        );
        assert!(matches!(
            verify_with_any_secret(Some("00"), "X-Sig", &secrets, compute, exact),
            Err(KitError::BadSignature(_))
        ));
        assert!(matches!(
            verify_with_any_secret(Some("00"), "X-Sig", &[], compute, exact),
            Err(KitError::MissingCredential(_))
        ));
    }

    #[test]
    fn constant_time_eq_rejects_different_lengths() {
        assert!(!constant_time_eq(b"abc", b"abcd"));
        assert!(constant_time_eq(b"abc", b"abc"));
        assert!(constant_time_eq_ignore_case("ABC", "abc"));
    }
}
