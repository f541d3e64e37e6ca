//! The Lazada Open Platform request signature.
//!
//! `sign` = upper-case hex HMAC-SHA256 keyed by the app secret over the API
//! path followed by every parameter except `sign`, sorted by name, as
//! `name` + `value` with no separators, followed by the request body when the
//! call has one.

use orderhub_adapter_kit::sig;

/// The text that is signed.
pub fn sign_base(api_path: &str, params: &[(String, String)], body: &[u8]) -> Vec<u8> {
    let mut sorted: Vec<&(String, String)> = params.iter().filter(|(k, _)| k != "sign").collect();
    sorted.sort_by(|a, b| a.0.as_bytes().cmp(b.0.as_bytes()));
    let mut text = api_path.as_bytes().to_vec();
    for (name, value) in sorted {
        text.extend_from_slice(name.as_bytes());
        text.extend_from_slice(value.as_bytes());
    }
    text.extend_from_slice(body);
    text
}

/// The signature of a call with the given secret.
pub fn sign(secret: &str, api_path: &str, params: &[(String, String)], body: &[u8]) -> String {
    sig::hex_upper(&sig::hmac_sha256(
        secret.as_bytes(),
        &sign_base(api_path, params, body),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
        list.iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    /// The documented example (Lazada Open Platform signature guide).
    #[test]
    fn documented_example() {
        let params = pairs(&[
            ("app_key", "123456"),
            ("timestamp", "1517820392000"),
            ("sign_method", "sha256"),
            ("access_token", "test"),
            ("order_id", "1234"),
        ]);
        assert_eq!(
            String::from_utf8_lossy(&sign_base("/order/get", &params, b"")),
            "/order/getaccess_tokentestapp_key123456order_id1234sign_methodsha256timestamp1517820392000"
        );
        assert_eq!(
            sign("helloworld", "/order/get", &params, b""),
            "4190D32361CFB9581350222F345CB77F3B19F0E31D162316848A2C1FFD5FAB4A"
        );
    }

    #[test]
    fn an_existing_sign_is_not_signed() {
        let with = pairs(&[("a", "1"), ("sign", "X")]);
        let without = pairs(&[("a", "1")]);
        assert_eq!(sign("s", "/p", &with, b""), sign("s", "/p", &without, b""));
    }
}
