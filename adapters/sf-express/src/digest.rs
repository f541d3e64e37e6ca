//! SF's `msgDigest`: `Base64(MD5_raw(URLEncode_UTF8(msgData + timestamp + checkWord)))`.
//!
//! SF's own demos URL-encode with Java `URLEncoder` semantics (Python's
//! `quote_plus`): ASCII letters, digits and `.-*_` stay, a space becomes `+`,
//! every other UTF-8 byte becomes `%XX` in upper hex. JavaScript's
//! `encodeURIComponent` differs (space as `%20`, `!'()~` kept), so the
//! encoder is spelled out here rather than borrowed.

use orderhub_adapter_kit::sig;

/// Java `URLEncoder.encode(text, "UTF-8")`.
///
/// Kept here because the kit has only the RFC 3986 and form encoders; a
/// shared `java_url_encode` would serve every platform that signs
/// URL-encoded text (SF, Cainiao, ZTO).
pub(crate) fn java_url_encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len() * 3);
    for byte in text.bytes() {
        match byte {
            b'a'..=b'z' | b'A'..=b'Z' | b'0'..=b'9' | b'.' | b'-' | b'*' | b'_' => {
                out.push(char::from(byte))
            }
            b' ' => out.push('+'),
            _ => out.push_str(&format!("%{byte:02X}")),
        }
    }
    out
}

/// The `msgDigest` of `msg_data` sent at `timestamp` under `check_word`.
pub(crate) fn msg_digest(msg_data: &str, timestamp: &str, check_word: &str) -> String {
    let text = format!("{msg_data}{timestamp}{check_word}");
    sig::base64(&sig::md5(java_url_encode(&text).as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// SF's documented example (reproduced in carriers-erps.md §2.3).
    #[test]
    fn documented_example() {
        assert_eq!(
            msg_digest(
                r#"{"language":"zh-CN","orderId":"QIAO-20200618-004"}"#,
                "12312334453453",
                "fjcg5PGKaNpPSHFAZ4QsCOkV71R3zVci"
            ),
            "IIKJtuLVzoFTu4kHI8M8vA=="
        );
    }

    #[test]
    fn java_url_encoder_semantics() {
        assert_eq!(java_url_encode("a b*c~d"), "a+b*c%7Ed");
        assert_eq!(java_url_encode("顺"), "%E9%A1%BA");
        assert_eq!(java_url_encode("{\"k\":1}"), "%7B%22k%22%3A1%7D");
        assert_eq!(java_url_encode("!'()"), "%21%27%28%29");
    }
}
