//! The Youzan Cloud API gateway and its one authentication rule.
//!
//! Calls go to `https://open.youzanyun.com/api/{api}/{version}` with the
//! seller's token as the `access_token` query parameter; Youzan has no
//! per-request signature (the token itself is obtained with the client id and
//! secret, outside the adapter).

use orderhub_adapter_kit::{KitError, http};

use crate::bindings::orderhub::adapter::types::{Account, Field, OutboundRequest};

/// The gateway's default base.
pub const DEFAULT_BASE: &str = "https://open.youzanyun.com/api";

/// The credential holding the seller's access token.
pub const ACCESS_TOKEN: &str = "access_token";

fn credential<'a>(account: &'a Account, name: &str) -> Option<&'a str> {
    http::named_value(
        account.credentials.iter().map(|f| (&f.name, &f.value)),
        name,
    )
}

/// The URL of one API version.
pub fn url(account: &Account, api: &str, version: &str) -> Result<String, KitError> {
    let base = http::base_url(credential(account, "base_url"), DEFAULT_BASE, "base_url")?;
    Ok(format!("{}/{api}/{version}", base.trim_end_matches('/')))
}

/// Adds (or replaces) the `access_token` query parameter.
pub fn sign(mut request: OutboundRequest, account: &Account) -> Result<OutboundRequest, KitError> {
    let token = credential(account, ACCESS_TOKEN)
        .ok_or_else(|| KitError::MissingCredential(format!("{ACCESS_TOKEN} is not configured")))?;
    request.query.retain(|f| f.name != ACCESS_TOKEN);
    request.query.push(Field {
        name: ACCESS_TOKEN.into(),
        value: token.to_string(),
    });
    Ok(request)
}

/// A JSON POST to one API, signed.
pub fn post_json(
    account: &Account,
    api: &str,
    version: &str,
    body: &serde_json::Value,
) -> Result<OutboundRequest, KitError> {
    let request = OutboundRequest {
        method: "POST".into(),
        url: url(account, api, version)?,
        query: Vec::new(),
        headers: vec![Field {
            name: "Content-Type".into(),
            value: "application/json".into(),
        }],
        body: body.to_string().into_bytes(),
    };
    sign(request, account)
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
                    name: (*n).into(),
                    value: (*v).into(),
                })
                .collect(),
        }
    }

    #[test]
    fn sign_adds_the_token_once() {
        let request = OutboundRequest {
            method: "GET".into(),
            url: "https://open.youzanyun.com/api/x/1.0.0".into(),
            query: vec![Field {
                name: "access_token".into(),
                value: "stale".into(),
            }],
            headers: vec![],
            body: vec![],
        };
        let signed = sign(request.clone(), &account(&[("access_token", "tok")])).unwrap();
        assert_eq!(signed.query.len(), 1);
        assert_eq!(signed.query[0].value, "tok");
        assert!(matches!(
            sign(request, &account(&[])),
            Err(KitError::MissingCredential(_))
        ));
    }

    #[test]
    fn url_uses_the_configured_base() {
        let a = account(&[("base_url", "http://127.0.0.1:9/api/")]);
        assert_eq!(
            url(&a, "a.b", "1.0.0").unwrap(),
            "http://127.0.0.1:9/api/a.b/1.0.0"
        );
        assert!(url(&account(&[("base_url", "ftp://x")]), "a", "1").is_err());
    }
}
