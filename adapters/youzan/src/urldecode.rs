//! Decoding of the push envelope's `msg` field.
//!
//! Youzan URL-encodes the message JSON with the Java `URLEncoder` convention
//! (`%XX` bytes, space as `+`). The kit decodes whole forms but not one
//! value, and a value that is not a form must not be split on `&` or `=`,
//! so the decoding lives here.

use orderhub_adapter_kit::KitError;

fn hex(byte: u8) -> Option<u8> {
    match byte {
        b'0'..=b'9' => Some(byte - b'0'),
        b'a'..=b'f' => Some(byte - b'a' + 10),
        b'A'..=b'F' => Some(byte - b'A' + 10),
        _ => None,
    }
}

/// Decodes `%XX` escapes and `+` into UTF-8 text; `field` names the value in
/// errors.
pub fn decode(text: &str, field: &str) -> Result<String, KitError> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while let Some(&byte) = bytes.get(i) {
        match byte {
            b'+' => {
                out.push(b' ');
                i += 1;
            }
            b'%' => {
                let high = bytes.get(i + 1).copied().and_then(hex);
                let low = bytes.get(i + 2).copied().and_then(hex);
                match (high, low) {
                    (Some(h), Some(l)) => out.push(h * 16 + l),
                    _ => {
                        return Err(KitError::MalformedPayload(format!(
                            "{field}: bad percent escape at byte {i}"
                        )));
                    }
                }
                i += 3;
            }
            other => {
                out.push(other);
                i += 1;
            }
        }
    }
    String::from_utf8(out)
        .map_err(|_| KitError::MalformedPayload(format!("{field}: decoded bytes are not UTF-8")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_java_url_encoding() {
        assert_eq!(
            decode("%7B%22a%22%3A%22%E5%BE%85+x%22%7D", "msg").unwrap(),
            "{\"a\":\"待 x\"}"
        );
        assert!(decode("%7", "msg").is_err());
        assert!(decode("%zz", "msg").is_err());
        assert!(decode("%FF", "msg").is_err());
    }
}
