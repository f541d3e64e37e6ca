//! OAuth 1.0a "one-legged" request signatures, which WooCommerce requires for
//! REST calls over plain HTTP (over HTTPS it takes Basic auth instead).
//!
//! The rule, as `WC_REST_Authentication::check_oauth_signature` checks it:
//!
//! 1. parameters = the query parameters plus `oauth_consumer_key`,
//!    `oauth_nonce`, `oauth_signature_method`, `oauth_timestamp` (no
//!    `oauth_version`, no token; the body is not signed);
//! 2. sorted by name (byte order, PHP `strcmp`), each name and value
//!    percent-encoded per RFC 3986 and joined as `name=value` with `&`;
//! 3. base string = `METHOD&` + encode(URL without query) + `&` +
//!    encode(parameter string);
//! 4. `oauth_signature` = base64(HMAC-SHA256(key = consumer secret + `&`,
//!    base string)).
//!
//! WooCommerce refuses timestamps more than 15 minutes from its clock and a
//! nonce it saw in the last 15 minutes. Adapters have no randomness, so the
//! nonce is derived: the first 32 hex digits of SHA-256 over the base string
//! of the request with the consumer key and the timestamp (before the nonce
//! is added). It differs for every request, key and second; only the very
//! same request signed twice in the same second repeats it, and WooCommerce
//! then refuses the second copy (`Invalid nonce - nonce has already been
//! used`), which a later poll repeats harmlessly.

use orderhub_adapter_kit::{http, sig};

/// The signature method sent and used.
pub const SIGNATURE_METHOD: &str = "HMAC-SHA256";

/// The OAuth 1.0a signature base string of a request.
pub fn base_string(method: &str, url: &str, params: &[(String, String)]) -> String {
    let mut sorted: Vec<&(String, String)> = params.iter().collect();
    sorted.sort_by(|a, b| {
        a.0.as_bytes()
            .cmp(b.0.as_bytes())
            .then_with(|| a.1.as_bytes().cmp(b.1.as_bytes()))
    });
    let joined = sorted
        .iter()
        .map(|(name, value)| {
            format!(
                "{}={}",
                http::percent_encode(name),
                http::percent_encode(value)
            )
        })
        .collect::<Vec<_>>()
        .join("&");
    format!(
        "{}&{}&{}",
        method.to_ascii_uppercase(),
        http::percent_encode(url),
        http::percent_encode(&joined)
    )
}

/// `oauth_signature` for a base string.
pub fn signature(consumer_secret: &str, base: &str) -> String {
    let key = format!("{consumer_secret}&");
    sig::base64(&sig::hmac_sha256(key.as_bytes(), base.as_bytes()))
}

/// The OAuth parameters to add to a request's query, signature last.
pub fn parameters(
    method: &str,
    url: &str,
    query: &[(String, String)],
    consumer_key: &str,
    consumer_secret: &str,
    now_millis: i64,
) -> Vec<(String, String)> {
    let timestamp = now_millis.div_euclid(1000).to_string();
    let pair = |name: &str, value: &str| (name.to_string(), value.to_string());
    let mut params = query.to_vec();
    params.push(pair("oauth_consumer_key", consumer_key));
    params.push(pair("oauth_timestamp", &timestamp));
    let seed = base_string(method, url, &params);
    let digest = sig::hex_lower(&sig::sha256(seed.as_bytes()));
    let nonce = digest.get(..32).unwrap_or(&digest).to_string();
    params.push(pair("oauth_nonce", &nonce));
    params.push(pair("oauth_signature_method", SIGNATURE_METHOD));
    let signature = signature(consumer_secret, &base_string(method, url, &params));
    vec![
        pair("oauth_consumer_key", consumer_key),
        pair("oauth_timestamp", &timestamp),
        pair("oauth_nonce", &nonce),
        pair("oauth_signature_method", SIGNATURE_METHOD),
        pair("oauth_signature", &signature),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
        list.iter()
            .map(|(n, v)| (n.to_string(), v.to_string()))
            .collect()
    }

    /// The example base string of WooCommerce's REST API documentation
    /// (`_authentication.md`, "Example signature base string").
    #[test]
    fn documented_base_string() {
        assert_eq!(
            base_string(
                "GET",
                "http://www.example.com/wp-json/wc/v3/orders",
                &pairs(&[
                    ("oauth_signature_method", "HMAC-SHA1"),
                    ("oauth_consumer_key", "abc123")
                ])
            ),
            "GET&http%3A%2F%2Fwww.example.com%2Fwp-json%2Fwc%2Fv3%2Forders&oauth_consumer_key%3Dabc123%26oauth_signature_method%3DHMAC-SHA1"
        );
    }

    /// Worked by hand: names sorted, `:` `&` and space encoded once in the
    /// parameter string and once more in the base string (`%253A`,
    /// `%2526`, `%2520`), `~` left alone. The digest was computed
    /// independently with Python's `hmac` over the same string.
    #[test]
    fn hand_computed_base_string_and_signature() {
        let base = base_string(
            "get",
            "http://shop.example.com/wp-json/wc/v3/orders",
            &pairs(&[
                ("modified_after", "2024-04-01T14:00:00"),
                ("dates_are_gmt", "true"),
                ("oauth_consumer_key", "ck_test"),
                ("oauth_nonce", "0123456789abcdef0123456789abcdef"),
                ("oauth_signature_method", "HMAC-SHA256"),
                ("oauth_timestamp", "1712066400"),
                ("search", "a b&c~"),
            ]),
        );
        assert_eq!(
            base,
            "GET&http%3A%2F%2Fshop.example.com%2Fwp-json%2Fwc%2Fv3%2Forders&\
             dates_are_gmt%3Dtrue%26modified_after%3D2024-04-01T14%253A00%253A00%26\
             oauth_consumer_key%3Dck_test%26oauth_nonce%3D0123456789abcdef0123456789abcdef%26\
             oauth_signature_method%3DHMAC-SHA256%26oauth_timestamp%3D1712066400%26\
             search%3Da%2520b%2526c~"
        );
        assert_eq!(
            signature("cs_test", &base),
            "qBpmAeVPUL9Z5BBN3H+7XQI0x86JrekcjB0TzPrn1Xk="
        );
    }

    #[test]
    fn parameters_are_deterministic_and_self_consistent() {
        let query = pairs(&[("per_page", "100")]);
        let url = "http://shop.example.com/wp-json/wc/v3/orders";
        let added = parameters("GET", url, &query, "ck_test", "cs_test", 1_712_066_400_999);
        let names: Vec<&str> = added.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(
            names,
            [
                "oauth_consumer_key",
                "oauth_timestamp",
                "oauth_nonce",
                "oauth_signature_method",
                "oauth_signature"
            ]
        );
        assert_eq!(added[1].1, "1712066400");
        assert_eq!(added[2].1.len(), 32);
        assert_eq!(
            added,
            parameters("GET", url, &query, "ck_test", "cs_test", 1_712_066_400_000)
        );
        // The signature covers the query and the other OAuth parameters.
        let mut signed = query.clone();
        signed.extend(added[..4].iter().cloned());
        assert_eq!(
            added[4].1,
            signature("cs_test", &base_string("GET", url, &signed))
        );
        let next_second = parameters("GET", url, &query, "ck_test", "cs_test", 1_712_066_401_000);
        assert_ne!(next_second[2].1, added[2].1);
    }
}
