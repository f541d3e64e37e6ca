//! Where the store is and how a request to it is authorised.
//!
//! A WooCommerce store is a WordPress site on its own domain, so the account
//! names it: `base_url` is the site's home URL (`https://example.com`, or
//! `https://example.com/shop` for a WordPress in a sub-folder); the REST API
//! lives under `{base_url}/wp-json/wc/v3/`. Requests are authorised with the
//! store's REST API key (`consumer_key`, `consumer_secret`):
//!
//! - over HTTPS with HTTP Basic auth (`Authorization: Basic
//!   base64(consumer_key:consumer_secret)`), as WooCommerce documents;
//! - over plain HTTP with an OAuth 1.0a signature in the query (see
//!   [`crate::oauth`]), never with the secret itself, which would travel in
//!   clear text.
//!
//! Only requests to the configured store are signed, so the key can never be
//! sent to another host.

use orderhub_adapter_kit::{KitError, sig};

use crate::bindings::orderhub::adapter::types::{Account, OutboundRequest};
use crate::fields::{credential, field};
use crate::oauth;

/// The path of the REST API v3 under the store's home URL.
pub const API_PATH: &str = "/wp-json/wc/v3";

/// The configured store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Store {
    /// The home URL without a trailing slash.
    pub base: String,
    /// Whether requests go over HTTPS (Basic auth) or HTTP (OAuth 1.0a).
    pub https: bool,
}

impl Store {
    /// The account's store, from the `base_url` credential.
    pub fn of(account: &Account) -> Result<Self, KitError> {
        let raw = credential(&account.credentials, "base_url").ok_or_else(|| {
            KitError::MissingCredential(
                "base_url: the store's home URL, e.g. https://example.com".into(),
            )
        })?;
        let base = raw.trim_end_matches('/');
        let lower = base.to_ascii_lowercase();
        let (https, rest) = if let Some(rest) = lower.strip_prefix("https://") {
            (true, rest)
        } else if let Some(rest) = lower.strip_prefix("http://") {
            (false, rest)
        } else {
            return Err(invalid_base(raw, "it is not an http(s) URL"));
        };
        let host = rest.split('/').next().unwrap_or_default();
        if host.is_empty() {
            return Err(invalid_base(raw, "it names no host"));
        }
        if base.contains(['?', '#', '@']) || base.chars().any(char::is_whitespace) {
            return Err(invalid_base(
                raw,
                "it must be a plain URL (no query, fragment, user or spaces)",
            ));
        }
        // The scheme and host are case-insensitive; the path is kept as given
        // because WooCommerce signs the path exactly.
        let scheme_len = if https { 8 } else { 7 };
        let base = format!(
            "{}{}{}",
            &lower[..scheme_len],
            host,
            base.get(scheme_len + host.len()..).unwrap_or_default()
        );
        Ok(Store { base, https })
    }

    /// The absolute URL of a REST API v3 path (`/orders`).
    pub fn api_url(&self, path: &str) -> String {
        format!("{}{API_PATH}{path}", self.base)
    }

    /// True when `url` is this store's home URL or below it.
    fn owns(&self, url: &str) -> bool {
        url.strip_prefix(&self.base)
            .is_some_and(|rest| rest.is_empty() || rest.starts_with('/'))
    }
}

fn invalid_base(raw: &str, why: &str) -> KitError {
    KitError::invalid("credential base_url", format_args!("{raw:?}: {why}"))
}

fn required<'a>(account: &'a Account, name: &str, what: &str) -> Result<&'a str, KitError> {
    credential(&account.credentials, name)
        .ok_or_else(|| KitError::MissingCredential(format!("{name}: {what}")))
}

/// Authorises a request to the account's store: Basic auth over HTTPS, an
/// OAuth 1.0a signature over HTTP. Earlier authorisation is replaced.
pub fn sign(
    mut request: OutboundRequest,
    account: &Account,
    now: i64,
) -> Result<OutboundRequest, KitError> {
    let store = Store::of(account)?;
    let key = required(
        account,
        "consumer_key",
        "the REST API consumer key (ck_…), WooCommerce → Settings → Advanced → REST API",
    )?;
    let secret = required(
        account,
        "consumer_secret",
        "the REST API consumer secret (cs_…) shown with the consumer key",
    )?;
    if !store.owns(&request.url) {
        return Err(KitError::invalid(
            "request.url",
            format_args!(
                "{:?} is not under the account's base_url {:?}; only the store is sent its key",
                request.url, store.base
            ),
        ));
    }
    if request.url.contains('?') {
        return Err(KitError::invalid(
            "request.url",
            "carries a query; parameters belong in `query` so they are signed",
        ));
    }
    if store.https {
        request
            .headers
            .retain(|h| !h.name.eq_ignore_ascii_case("Authorization"));
        let credentials = sig::base64(format!("{key}:{secret}").as_bytes());
        request
            .headers
            .push(field("Authorization", &format!("Basic {credentials}")));
    } else {
        request.query.retain(|q| !q.name.starts_with("oauth_"));
        let query: Vec<(String, String)> = request
            .query
            .iter()
            .map(|q| (q.name.clone(), q.value.clone()))
            .collect();
        let added = oauth::parameters(&request.method, &request.url, &query, key, secret, now);
        request
            .query
            .extend(added.iter().map(|(name, value)| field(name, value)));
    }
    Ok(request)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bindings::orderhub::adapter::types::Field;

    fn account(credentials: &[(&str, &str)]) -> Account {
        Account {
            id: "main".into(),
            secrets: vec!["webhook-secret".into()],
            credentials: credentials.iter().map(|(n, v)| field(n, v)).collect(),
        }
    }

    fn keys(base: &str) -> Account {
        account(&[
            ("base_url", base),
            ("consumer_key", "ck_test"),
            ("consumer_secret", "cs_test"),
        ])
    }

    fn request(url: &str) -> OutboundRequest {
        OutboundRequest {
            method: "GET".into(),
            url: url.into(),
            query: vec![field("per_page", "100")],
            headers: vec![field("authorization", "stale")],
            body: vec![],
        }
    }

    fn value<'a>(list: &'a [Field], name: &str) -> Option<&'a str> {
        list.iter()
            .find(|f| f.name == name)
            .map(|f| f.value.as_str())
    }

    #[test]
    fn base_urls_are_normalised_and_checked() {
        assert_eq!(
            Store::of(&keys("HTTPS://Example.COM/Shop/")),
            Ok(Store {
                base: "https://example.com/Shop".into(),
                https: true
            })
        );
        assert_eq!(
            Store::of(&keys("http://127.0.0.1:8080")).map(|s| s.https),
            Ok(false)
        );
        for bad in [
            "ftp://x",
            "https://",
            "https://a.com?x=1",
            "https://u@a.com",
            "example.com",
        ] {
            assert!(
                matches!(Store::of(&keys(bad)), Err(KitError::InvalidField(_))),
                "{bad}"
            );
        }
        assert!(matches!(
            Store::of(&account(&[])),
            Err(KitError::MissingCredential(_))
        ));
        assert_eq!(
            Store::of(&keys("https://example.com"))
                .unwrap()
                .api_url("/orders"),
            "https://example.com/wp-json/wc/v3/orders"
        );
    }

    #[test]
    fn https_requests_carry_exactly_one_basic_header() {
        let signed = sign(
            request("https://example.com/wp-json/wc/v3/orders"),
            &keys("https://example.com"),
            0,
        )
        .unwrap();
        let auth: Vec<_> = signed
            .headers
            .iter()
            .filter(|h| h.name.eq_ignore_ascii_case("Authorization"))
            .collect();
        assert_eq!(auth.len(), 1);
        // base64("ck_test:cs_test")
        assert_eq!(auth[0].value, "Basic Y2tfdGVzdDpjc190ZXN0");
        assert_eq!(signed.query, vec![field("per_page", "100")]);
    }

    #[test]
    fn http_requests_are_signed_with_oauth_in_the_query() {
        let url = "http://shop.example.com/wp-json/wc/v3/orders";
        let mut draft = request(url);
        draft.query.push(field("oauth_signature", "stale"));
        let signed = sign(draft, &keys("http://shop.example.com"), 1_712_066_400_000).unwrap();
        assert_eq!(value(&signed.query, "oauth_consumer_key"), Some("ck_test"));
        assert_eq!(value(&signed.query, "oauth_timestamp"), Some("1712066400"));
        assert_eq!(
            value(&signed.query, "oauth_signature_method"),
            Some("HMAC-SHA256")
        );
        assert_eq!(
            signed
                .query
                .iter()
                .filter(|f| f.name == "oauth_signature")
                .count(),
            1
        );
        // No secret travels over plain HTTP.
        assert!(!signed.query.iter().any(|f| f.value.contains("cs_test")));
        assert_eq!(value(&signed.headers, "authorization"), Some("stale"));
    }

    #[test]
    fn foreign_urls_queries_and_missing_keys_are_refused() {
        let store = keys("https://example.com");
        for url in [
            "https://example.com.evil.net/wp-json/wc/v3/orders",
            "https://other.com/wp-json/wc/v3/orders",
            "https://example.com/wp-json/wc/v3/orders?page=2",
        ] {
            assert!(
                matches!(
                    sign(request(url), &store, 0),
                    Err(KitError::InvalidField(_))
                ),
                "{url}"
            );
        }
        let no_secret = account(&[("base_url", "https://example.com"), ("consumer_key", "ck")]);
        assert!(matches!(
            sign(request("https://example.com/wp-json/wc/v3/orders"), &no_secret, 0),
            Err(KitError::MissingCredential(m)) if m.starts_with("consumer_secret")
        ));
    }
}
