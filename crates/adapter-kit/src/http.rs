//! Raw HTTP helpers: header lookup, form bodies and query strings, encoded
//! the way platforms' signature rules expect.

use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};

use crate::KitError;

/// Finds a header by name, ignoring ASCII case; the first occurrence wins.
pub fn header<'a, I, N, V>(headers: I, name: &str) -> Option<&'a str>
where
    I: IntoIterator<Item = (&'a N, &'a V)>,
    N: AsRef<str> + ?Sized + 'a,
    V: AsRef<str> + ?Sized + 'a,
{
    headers
        .into_iter()
        .find(|(n, _)| n.as_ref().eq_ignore_ascii_case(name))
        .map(|(_, v)| v.as_ref())
}

/// A configured value (a credential) by exact name, trimmed; an empty value
/// counts as absent, so a blank `env:` expansion reads as "not configured".
pub fn named_value<'a, I, N, V>(pairs: I, name: &str) -> Option<&'a str>
where
    I: IntoIterator<Item = (&'a N, &'a V)>,
    N: AsRef<str> + ?Sized + 'a,
    V: AsRef<str> + ?Sized + 'a,
{
    pairs
        .into_iter()
        .find(|(n, _)| n.as_ref() == name)
        .map(|(_, v)| v.as_ref().trim())
        .filter(|v| !v.is_empty())
}

/// Whether a `Content-Type` value announces a form body.
pub fn is_form_content_type(value: &str) -> bool {
    value
        .trim_start()
        .to_ascii_lowercase()
        .starts_with("application/x-www-form-urlencoded")
}

/// A configured http(s) base URL (e.g. a sandbox or a test server), or the
/// platform's default when none is configured; `field` names the setting.
pub fn base_url(configured: Option<&str>, default: &str, field: &str) -> Result<String, KitError> {
    match configured.map(str::trim) {
        None | Some("") => Ok(default.to_string()),
        Some(url) if url.starts_with("https://") || url.starts_with("http://") => {
            Ok(url.to_string())
        }
        Some(url) => Err(KitError::invalid(
            field,
            format_args!("{url:?} is not an http(s) URL"),
        )),
    }
}

/// Decodes an `application/x-www-form-urlencoded` body into its fields, in order.
pub fn parse_form(body: &[u8]) -> Result<Vec<(String, String)>, KitError> {
    std::str::from_utf8(body)
        .map_err(|_| KitError::MalformedPayload("form body is not UTF-8".into()))?;
    Ok(form_urlencoded::parse(body).into_owned().collect())
}

/// The value of a form field, if present.
pub fn form_value<'a>(fields: &'a [(String, String)], name: &str) -> Option<&'a str> {
    fields
        .iter()
        .find(|(n, _)| n == name)
        .map(|(_, v)| v.as_str())
}

/// Encodes fields as `application/x-www-form-urlencoded` (space as `+`,
/// the Java `URLEncoder` convention most Chinese platforms sign with).
pub fn encode_form<'a, I>(fields: I) -> String
where
    I: IntoIterator<Item = (&'a str, &'a str)>,
{
    let mut ser = form_urlencoded::Serializer::new(String::new());
    for (k, v) in fields {
        ser.append_pair(k, v);
    }
    ser.finish()
}

/// Characters RFC 3986 leaves unreserved; everything else is percent-encoded.
const RFC3986: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// Percent-encodes with RFC 3986 rules (space as `%20`).
pub fn percent_encode(text: &str) -> String {
    utf8_percent_encode(text, RFC3986).to_string()
}

/// Splits `path?query` and returns the decoded query parameters.
pub fn query_params(url: &str) -> Vec<(String, String)> {
    match url.split_once('?') {
        Some((_, q)) => form_urlencoded::parse(q.as_bytes()).into_owned().collect(),
        None => Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_lookup_ignores_case() {
        let h = [("X-Shopify-Topic".to_string(), "orders/paid".to_string())];
        assert_eq!(
            header(h.iter().map(|(a, b)| (a, b)), "x-shopify-topic"),
            Some("orders/paid")
        );
        assert_eq!(header(h.iter().map(|(a, b)| (a, b)), "x-other"), None);
    }

    #[test]
    fn named_values_base_urls_and_form_types() {
        let creds = [("app_key", " 123 "), ("session", "  ")];
        let pairs = || creds.iter().map(|(a, b)| (*a, *b));
        assert_eq!(named_value(pairs(), "app_key"), Some("123"));
        assert_eq!(named_value(pairs(), "session"), None);
        assert_eq!(named_value(pairs(), "absent"), None);
        assert_eq!(
            base_url(None, "https://d", "base_url"),
            Ok("https://d".into())
        );
        assert_eq!(
            base_url(Some("http://127.0.0.1:9"), "https://d", "base_url"),
            Ok("http://127.0.0.1:9".into())
        );
        assert!(base_url(Some("ftp://x"), "https://d", "credentials.base_url").is_err());
        assert!(is_form_content_type(
            "application/x-www-form-urlencoded;charset=utf-8"
        ));
        assert!(!is_form_content_type("application/json"));
    }

    #[test]
    fn form_round_trip_keeps_plus_and_percent() {
        let body = encode_form([("param", "{\"a\":\"b c+d\"}"), ("sign", "AB")]);
        assert_eq!(body, "param=%7B%22a%22%3A%22b+c%2Bd%22%7D&sign=AB");
        let fields = parse_form(body.as_bytes()).unwrap();
        assert_eq!(form_value(&fields, "param"), Some("{\"a\":\"b c+d\"}"));
    }

    #[test]
    fn query_and_percent_encoding() {
        assert_eq!(
            query_params("/x?a=1&b=two%20words"),
            vec![("a".into(), "1".into()), ("b".into(), "two words".into())]
        );
        assert_eq!(percent_encode("a b/c~"), "a%20b%2Fc~");
    }
}
