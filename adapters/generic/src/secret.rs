//! Signing secrets in the Standard Webhooks form.
//!
//! A symmetric secret is shown to people as `whsec_` followed by the base64 of
//! the random key bytes; the HMAC is keyed by those bytes, not by the text.
//! Reading the secrets is the first step of both verifying and signing, and a
//! malformed secret is a configuration error, so it is reported as a missing
//! credential that names the offending entry (never its value).

use orderhub_adapter_kit::{KitError, sig};

/// The prefix the specification puts in front of symmetric secrets.
pub const PREFIX: &str = "whsec_";
/// The specification asks for at least 24 random bytes (192 bits)…
pub const MIN_KEY_BYTES: usize = 24;
/// …and at most 512 bits.
pub const MAX_KEY_BYTES: usize = 64;

/// The HMAC keys of every configured secret, in the account's order (newest
/// first). Empty entries are skipped; a malformed entry fails the whole list
/// so a broken rotation is noticed at once instead of when the other secret
/// is retired.
pub fn keys(secrets: &[String]) -> Result<Vec<Vec<u8>>, KitError> {
    let keys = secrets
        .iter()
        .enumerate()
        .filter(|(_, s)| !s.trim().is_empty())
        .map(|(i, s)| key(s, i))
        .collect::<Result<Vec<_>, _>>()?;
    if keys.is_empty() {
        return Err(KitError::MissingCredential(
            "no signing secret is configured for this account (expected whsec_<base64 key>)".into(),
        ));
    }
    Ok(keys)
}

/// The key of one secret, or `None` when it is malformed (callers that need
/// the reason use [`keys`] first).
pub fn decoded(secret: &str) -> Option<Vec<u8>> {
    key(secret, 0).ok()
}

/// Decodes one secret: `whsec_` is optional (the reference libraries accept
/// the bare base64 too), the rest must be base64 of 24 to 64 bytes.
fn key(secret: &str, index: usize) -> Result<Vec<u8>, KitError> {
    let text = secret.trim();
    let encoded = text.strip_prefix(PREFIX).unwrap_or(text);
    let what = format!("secrets[{index}]");
    let bytes = sig::base64_decode(encoded, &what).map_err(|_| {
        KitError::MissingCredential(format!(
            "{what} is not a Standard Webhooks secret: expected {PREFIX}<base64 key>"
        ))
    })?;
    if !(MIN_KEY_BYTES..=MAX_KEY_BYTES).contains(&bytes.len()) {
        return Err(KitError::MissingCredential(format!(
            "{what} decodes to {} bytes; Standard Webhooks secrets are {MIN_KEY_BYTES} to {MAX_KEY_BYTES} random bytes",
            bytes.len()
        )));
    }
    Ok(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn list(items: &[&str]) -> Vec<String> {
        items.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn prefix_is_optional_and_empty_entries_are_skipped() {
        let keys = keys(&list(&[
            "",
            "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
            "MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
        ]))
        .unwrap();
        assert_eq!(keys.len(), 2);
        assert_eq!(keys[0], keys[1]);
        assert_eq!(keys[0].len(), 24);
    }

    #[test]
    fn no_secret_or_a_malformed_one_is_a_missing_credential() {
        assert!(matches!(keys(&[]), Err(KitError::MissingCredential(_))));
        assert!(matches!(
            keys(&list(&["  "])),
            Err(KitError::MissingCredential(_))
        ));
        match keys(&list(&[
            "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
            "whsec_not base64!",
        ])) {
            Err(KitError::MissingCredential(m)) => {
                assert!(
                    m.starts_with("secrets[1]") && !m.contains("not base64"),
                    "{m}"
                );
            }
            other => panic!("expected missing-credential, got {other:?}"),
        }
        // Valid base64, but only 3 bytes: far too weak to be a real secret.
        assert!(matches!(
            keys(&list(&["whsec_YWJj"])),
            Err(KitError::MissingCredential(m)) if m.contains("3 bytes")
        ));
    }
}
