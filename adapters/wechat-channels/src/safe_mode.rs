//! Decrypting a safe-mode (安全模式) push: the `Encrypt` field of the body.
//!
//! WeChat's scheme (WXBizMsgCrypt, the official sample code): the
//! EncodingAESKey (43 characters) plus `=` is base64 of a 32-byte AES key;
//! the IV is the key's first 16 bytes; `Encrypt` is base64 AES-256-CBC
//! ciphertext of `16 random bytes ‖ message length (4 bytes, big-endian) ‖
//! message ‖ appid`, PKCS#7-padded over **32-byte** blocks. The message is the
//! push as plaintext mode would have delivered it (JSON or XML).
//!
//! The `msg_signature` checked by `verify` already covers `Encrypt`, so
//! decryption here is not the authentication; it recovers the message and
//! checks that WeChat addressed it to this account's app (the trailing appid).
//! Key rotation: the current `encoding_aes_key` is tried first, then
//! `encoding_aes_key_previous` when configured.

use orderhub_adapter_kit::{KitError, aes, sig};

use crate::api;
use crate::bindings::orderhub::adapter::types::Account;

/// The credential holding the current EncodingAESKey.
pub const AES_KEY: &str = "encoding_aes_key";
/// The credential holding the previous EncodingAESKey during a rotation.
pub const PREVIOUS_AES_KEY: &str = "encoding_aes_key_previous";
/// The credential holding the app id the messages must be addressed to.
pub const APP_ID: &str = "app_id";

/// WeChat pads to 32-byte blocks, not AES's 16.
const PAD_BLOCK: usize = 32;
/// The random prefix before the length field.
const RANDOM_LEN: usize = 16;

const BASE64: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/// Whether the account has an EncodingAESKey configured at all.
pub fn configured(account: &Account) -> bool {
    api::credential(account, AES_KEY).is_some()
}

/// The 32-byte AES key of an EncodingAESKey.
///
/// 43 base64 characters carry 258 bits; the last 2 are not part of the key.
/// WeChat's own decoders ignore them (the published sample key ends in `C`,
/// whose low bits are set), so they are cleared before a strict decode.
pub fn aes_key(encoding_aes_key: &str, name: &str) -> Result<[u8; 32], KitError> {
    let field = format!("credential {name}");
    let text = encoding_aes_key.trim();
    if text.len() != 43 || !text.is_ascii() {
        return Err(KitError::invalid(
            &field,
            format_args!(
                "an EncodingAESKey is 43 base64 characters, got {}",
                text.chars().count()
            ),
        ));
    }
    let mut chars = text.as_bytes().to_vec();
    if let Some(last) = chars.last_mut()
        && let Some(index) = BASE64.iter().position(|c| c == last)
    {
        *last = BASE64[index & !3];
    }
    let canonical = String::from_utf8_lossy(&chars);
    let key = sig::base64_decode(&format!("{canonical}="), &field)?;
    key.try_into()
        .map_err(|_| KitError::invalid(&field, "does not decode to a 32-byte key"))
}

/// The plaintext parts of one decrypted `Encrypt`.
#[derive(Debug, PartialEq, Eq)]
pub struct Opened {
    /// The push message (JSON or XML text).
    pub message: Vec<u8>,
    /// The appid WeChat appended.
    pub app_id: Vec<u8>,
}

/// Decrypts `Encrypt` with one 32-byte key and splits the plaintext.
pub fn open_with(key: &[u8; 32], ciphertext: &[u8]) -> Result<Opened, KitError> {
    let padded = aes::aes_cbc_decrypt(key, &key[..16], ciphertext)?;
    let plain = aes::strip_pkcs7(&padded, PAD_BLOCK)?;
    let length: [u8; 4] = plain
        .get(RANDOM_LEN..RANDOM_LEN + 4)
        .and_then(|b| b.try_into().ok())
        .ok_or_else(|| {
            KitError::MalformedPayload(format!(
                "Encrypt: {} plaintext bytes, too short for the random prefix and length",
                plain.len()
            ))
        })?;
    let length = u32::from_be_bytes(length);
    let start = RANDOM_LEN + 4;
    let message = usize::try_from(length)
        .ok()
        .and_then(|n| start.checked_add(n))
        .and_then(|end| Some((plain.get(start..end)?, plain.get(end..)?)));
    let Some((message, app_id)) = message else {
        return Err(KitError::MalformedPayload(format!(
            "Encrypt: message length {length} exceeds the {} plaintext bytes",
            plain.len()
        )));
    };
    Ok(Opened {
        message: message.to_vec(),
        app_id: app_id.to_vec(),
    })
}

/// Decrypts the `Encrypt` field for `account` and returns the message.
///
/// Errors: no EncodingAESKey or no `app_id` → `missing-credential`; a key
/// that is not 43 base64 characters → `invalid-field`; `Encrypt` that is not
/// base64, not whole blocks, badly padded under every key, or whose length
/// field overruns → `malformed-payload`; a message for another appid →
/// `invalid-field`.
pub fn decrypt(encrypt: &str, account: &Account) -> Result<Vec<u8>, KitError> {
    let keys: Vec<(&str, &str)> = [AES_KEY, PREVIOUS_AES_KEY]
        .into_iter()
        .filter_map(|name| api::credential(account, name).map(|value| (name, value)))
        .collect();
    if keys.is_empty() {
        return Err(KitError::MissingCredential(format!(
            "credential {AES_KEY} (the push EncodingAESKey) is not configured; \
             safe-mode pushes cannot be decrypted"
        )));
    }
    let app_id = api::credential(account, APP_ID)
        .map(str::trim)
        .ok_or_else(|| {
            KitError::MissingCredential(format!(
                "credential {APP_ID} is not configured; safe-mode messages are checked against it"
            ))
        })?;
    let ciphertext = sig::base64_decode(encrypt, "Encrypt")
        .map_err(|_| KitError::MalformedPayload("Encrypt: not base64".into()))?;
    let mut failure = None;
    for (name, value) in keys {
        let key = aes_key(value, name)?;
        match open_with(&key, &ciphertext) {
            Ok(opened) if sig::constant_time_eq(&opened.app_id, app_id.as_bytes()) => {
                return Ok(opened.message);
            }
            Ok(opened) => {
                // A structurally valid message for another app is the more
                // telling error; keep it over a padding failure.
                failure = Some(KitError::invalid(
                    "Encrypt.appid",
                    format_args!(
                        "the message is addressed to app {:?}, not this account's {APP_ID} {app_id:?}",
                        String::from_utf8_lossy(&opened.app_id)
                    ),
                ));
            }
            Err(error) => {
                if failure.is_none() {
                    failure = Some(error);
                }
            }
        }
    }
    Err(failure.unwrap_or_else(|| KitError::MalformedPayload("Encrypt: cannot decrypt".into())))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bindings::orderhub::adapter::types::Field;

    /// WeChat's published safe-mode sample (token QDG6eK).
    const VECTOR_KEY: &str = "jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C";
    const VECTOR_APP_ID: &str = "wx5823bf96d3bd56c7";
    const VECTOR_ENCRYPT: &str = "RypEvHKD8QQKFhvQ6QleEB4J58tiPdvo+rtK1I9qca6aM/wvqnLSV5zEPeusUiX5L5X/0lWfrf0QADHHhGd3QczcdCUpj911L3vg3W/sYYvuJTs3TUUkSUXxaccAS0qhxchrRYt66wiSpGLYL42aM6A8dTT+6k4aSknmPj48kzJs8qLjvd4Xgpue06DOdnLxAUHzM6+kDZ+HMZfJYuR+LtwGc2hgf5gsijff0ekUNXZiqATP7PF5mZxZ3Izoun1s4zG4LUMnvw2r+KqCKIw+3IQH03v+BCA9nMELNqbSf6tiWSrXJB3LAVGUcallcrw8V2t9EL4EhzJWrQUax5wLVMNS0+rUPA3k22Ncx4XXZS9o0MBH27Bo6BpNelZpS+/uh9KsNlY6bHCmJU9p8g7m3fVKn28H3KDYA5Pl/T8Z1ptDAVe0lXdQ2YoyyH2uyPIGHBZZIs2pDBS8R07+qN+E7Q==";

    fn account(credentials: &[(&str, &str)]) -> Account {
        Account {
            id: "t".into(),
            secrets: vec!["QDG6eK".into()],
            credentials: credentials
                .iter()
                .map(|(name, value)| Field {
                    name: (*name).into(),
                    value: (*value).into(),
                })
                .collect(),
        }
    }

    #[test]
    fn published_vector_decrypts_to_the_text_message() {
        let account = account(&[(AES_KEY, VECTOR_KEY), (APP_ID, VECTOR_APP_ID)]);
        let message = decrypt(VECTOR_ENCRYPT, &account).unwrap();
        let text = String::from_utf8(message).unwrap();
        assert!(text.starts_with("<xml><ToUserName><![CDATA[wx5823bf96d3bd56c7]]></ToUserName>"));
        assert!(text.contains("<FromUserName><![CDATA[mycreate]]></FromUserName>"));
        assert!(text.contains("<Content><![CDATA[hello]]></Content>"));
        assert!(text.ends_with("</xml>"));
        assert_eq!(text.len(), 284);
    }

    #[test]
    fn rotation_tries_the_previous_key() {
        let other = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG";
        let account = account(&[
            (AES_KEY, other),
            (PREVIOUS_AES_KEY, VECTOR_KEY),
            (APP_ID, VECTOR_APP_ID),
        ]);
        assert!(decrypt(VECTOR_ENCRYPT, &account).is_ok());
        let only_other = self::account(&[(AES_KEY, other), (APP_ID, VECTOR_APP_ID)]);
        assert!(matches!(
            decrypt(VECTOR_ENCRYPT, &only_other),
            Err(KitError::MalformedPayload(_))
        ));
    }

    #[test]
    fn wrong_app_id_is_a_typed_error() {
        let account = account(&[(AES_KEY, VECTOR_KEY), (APP_ID, "wx0000000000000000")]);
        let error = decrypt(VECTOR_ENCRYPT, &account).unwrap_err();
        assert!(matches!(&error, KitError::InvalidField(m) if m.contains("wx5823bf96d3bd56c7")));
    }

    #[test]
    fn missing_credentials_and_bad_keys() {
        assert!(matches!(
            decrypt(VECTOR_ENCRYPT, &account(&[(APP_ID, VECTOR_APP_ID)])),
            Err(KitError::MissingCredential(_))
        ));
        assert!(matches!(
            decrypt(VECTOR_ENCRYPT, &account(&[(AES_KEY, VECTOR_KEY)])),
            Err(KitError::MissingCredential(_))
        ));
        assert!(matches!(
            decrypt(
                VECTOR_ENCRYPT,
                &account(&[(AES_KEY, "short"), (APP_ID, VECTOR_APP_ID)])
            ),
            Err(KitError::InvalidField(_))
        ));
        assert!(matches!(
            aes_key(&"é".repeat(21), AES_KEY),
            Err(KitError::InvalidField(_))
        ));
    }

    #[test]
    fn truncated_or_damaged_ciphertext_is_malformed() {
        let account = account(&[(AES_KEY, VECTOR_KEY), (APP_ID, VECTOR_APP_ID)]);
        let bytes = sig::base64_decode(VECTOR_ENCRYPT, "t").unwrap();
        for cut in [bytes.len() - 7, bytes.len() - 16, 0] {
            let encrypt = sig::base64(&bytes[..cut]);
            assert!(matches!(
                decrypt(&encrypt, &account),
                Err(KitError::MalformedPayload(_))
            ));
        }
        assert!(matches!(
            decrypt("not base64!", &account),
            Err(KitError::MalformedPayload(_))
        ));
    }
}
