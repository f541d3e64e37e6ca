//! What every call to the Shopify Admin API shares: where the shop is and how
//! a request is authorised.
//!
//! Admin API requests are not signed; they carry the app's access token in
//! `X-Shopify-Access-Token`. The shop is addressed as
//! `https://{shop}.myshopify.com`; a `base_url` credential replaces that
//! origin (a proxy or a test server).

use orderhub_adapter_kit::KitError;

use crate::bindings::orderhub::adapter::types::{Account, Field, OutboundRequest};
use crate::fields::credential;

/// The Admin API version every request is built for.
pub const API_VERSION: &str = "2024-04";
/// The header carrying the access token.
pub const ACCESS_TOKEN_HEADER: &str = "X-Shopify-Access-Token";
/// The domain every Shopify shop has.
const SHOP_DOMAIN: &str = ".myshopify.com";

/// The origin (`https://host`, no trailing slash) the account's requests go to.
pub fn base_url(account: &Account) -> Result<String, KitError> {
    if let Some(base) = credential(&account.credentials, "base_url") {
        let base = base.trim_end_matches('/');
        let scheme_ok = base.starts_with("https://") || base.starts_with("http://");
        if !scheme_ok || base.contains(['?', '#', ' ']) {
            return Err(KitError::invalid(
                "credential base_url",
                format_args!("{base:?} is not an http(s) URL without query"),
            ));
        }
        return Ok(base.to_string());
    }
    let shop = credential(&account.credentials, "shop").ok_or_else(|| {
        KitError::MissingCredential("shop: the shop's myshopify.com domain".into())
    })?;
    Ok(format!("https://{}", shop_host(shop)?))
}

/// `name.myshopify.com` from `name`, `name.myshopify.com` or
/// `https://name.myshopify.com/`, refusing anything else so a credential can
/// never point requests at another host.
fn shop_host(shop: &str) -> Result<String, KitError> {
    let host = shop
        .trim()
        .trim_start_matches("https://")
        .trim_end_matches('/')
        .to_ascii_lowercase();
    let host = if host.contains('.') {
        host
    } else {
        format!("{host}{SHOP_DOMAIN}")
    };
    let name = host.strip_suffix(SHOP_DOMAIN).unwrap_or_default();
    let valid_name = !name.is_empty()
        && !name.starts_with('-')
        && name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
    if valid_name {
        Ok(host)
    } else {
        Err(KitError::invalid(
            "credential shop",
            format_args!("{shop:?} is not a name.myshopify.com domain"),
        ))
    }
}

/// Adds the access token, replacing any token header already present.
pub fn sign(mut request: OutboundRequest, account: &Account) -> Result<OutboundRequest, KitError> {
    let token = credential(&account.credentials, "access_token").ok_or_else(|| {
        KitError::MissingCredential(
            "access_token: the Admin API access token of the app installation".into(),
        )
    })?;
    request
        .headers
        .retain(|h| !h.name.eq_ignore_ascii_case(ACCESS_TOKEN_HEADER));
    request.headers.push(Field {
        name: ACCESS_TOKEN_HEADER.into(),
        value: token.to_string(),
    });
    Ok(request)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn account(credentials: &[(&str, &str)]) -> Account {
        Account {
            id: "main".into(),
            secrets: vec![],
            credentials: credentials
                .iter()
                .map(|(n, v)| Field {
                    name: n.to_string(),
                    value: v.to_string(),
                })
                .collect(),
        }
    }

    #[test]
    fn shop_forms_and_base_url_override() {
        assert_eq!(
            base_url(&account(&[("shop", "jsmith.myshopify.com")])),
            Ok("https://jsmith.myshopify.com".into())
        );
        assert_eq!(
            base_url(&account(&[("shop", "jsmith")])),
            Ok("https://jsmith.myshopify.com".into())
        );
        assert_eq!(
            base_url(&account(&[("shop", "https://JSmith.myshopify.com/")])),
            Ok("https://jsmith.myshopify.com".into())
        );
        assert_eq!(
            base_url(&account(&[
                ("shop", "jsmith"),
                ("base_url", "http://127.0.0.1:8080/")
            ])),
            Ok("http://127.0.0.1:8080".into())
        );
    }

    #[test]
    fn foreign_hosts_and_missing_shops_are_refused() {
        assert!(matches!(
            base_url(&account(&[("shop", "evil.example.com")])),
            Err(KitError::InvalidField(_))
        ));
        assert!(matches!(
            base_url(&account(&[("shop", "a/b")])),
            Err(KitError::InvalidField(_))
        ));
        assert!(matches!(
            base_url(&account(&[("shop", ".myshopify.com")])),
            Err(KitError::InvalidField(_))
        ));
        assert!(matches!(
            base_url(&account(&[])),
            Err(KitError::MissingCredential(_))
        ));
        assert!(matches!(
            base_url(&account(&[("base_url", "ftp://x")])),
            Err(KitError::InvalidField(_))
        ));
    }

    #[test]
    fn sign_sets_exactly_one_token_header() {
        let request = OutboundRequest {
            method: "GET".into(),
            url: "https://jsmith.myshopify.com/admin/api/2024-04/orders.json".into(),
            query: vec![],
            headers: vec![Field {
                name: "x-shopify-access-token".into(),
                value: "stale".into(),
            }],
            body: vec![],
        };
        let signed = sign(request.clone(), &account(&[("access_token", "shpat_123")])).unwrap();
        let tokens: Vec<_> = signed
            .headers
            .iter()
            .filter(|h| h.name.eq_ignore_ascii_case(ACCESS_TOKEN_HEADER))
            .collect();
        assert_eq!(tokens.len(), 1);
        assert_eq!(tokens[0].value, "shpat_123");
        assert!(matches!(
            sign(request, &account(&[])),
            Err(KitError::MissingCredential(_))
        ));
    }
}
