//! Signing an outbound Lazada Open Platform call.
//!
//! The draft names the gateway URL with the API path (`…/rest/orders/get`)
//! and the API's own parameters; signing adds the common parameters
//! (`app_key`, `timestamp` in ms, `access_token`, `sign_method=sha256`) and
//! the `sign` query parameter. Form fields of a form body take part in the
//! signature like query parameters; any other body is appended raw.

use orderhub_adapter_kit::{KitError, http};

use crate::bindings::orderhub::adapter::types::{Account, Field, OutboundRequest};
use crate::lazop_sign;

/// The API path the signature covers: what follows `/rest` in the URL (or the
/// URL's path when it has no `/rest` segment).
pub fn api_path(url: &str) -> Result<String, KitError> {
    let without_scheme = url.split_once("://").map_or(url, |(_, rest)| rest);
    let path = without_scheme
        .find('/')
        .and_then(|i| without_scheme.get(i..))
        .unwrap_or("");
    let path = path.split(['?', '#']).next().unwrap_or("");
    let api = match path.find("/rest/") {
        Some(i) => path.get(i + 5..).unwrap_or(""),
        None => path,
    };
    if api.len() <= 1 || path.trim_end_matches('/').ends_with("/rest") {
        return Err(KitError::invalid(
            "request.url",
            format_args!("{url:?} names no API path (expected …/rest/<api>)"),
        ));
    }
    Ok(api.to_string())
}

fn credential<'a>(account: &'a Account, name: &str) -> Option<&'a str> {
    http::named_value(
        account.credentials.iter().map(|f| (&f.name, &f.value)),
        name,
    )
}

/// The app key, required for every call.
pub fn app_key(account: &Account) -> Result<&str, KitError> {
    credential(account, "app_key")
        .ok_or_else(|| KitError::MissingCredential("app_key (the Lazada app key)".into()))
}

/// The newest configured app secret.
fn secret(account: &Account) -> Result<&str, KitError> {
    account
        .secrets
        .iter()
        .map(|s| s.trim())
        .find(|s| !s.is_empty())
        .ok_or_else(|| {
            KitError::MissingCredential("secret (the Lazada app secret, in secrets)".into())
        })
}

/// Adds the common parameters and the signature to a draft request.
pub fn sign(
    mut request: OutboundRequest,
    account: &Account,
    now: i64,
) -> Result<OutboundRequest, KitError> {
    let path = api_path(&request.url)?;
    let app_key = app_key(account)?.to_string();
    let secret = secret(account)?;
    let has = |request: &OutboundRequest, name: &str| request.query.iter().any(|f| f.name == name);
    let fill = |request: &mut OutboundRequest, name: &str, value: String| {
        if !has(request, name) {
            request.query.push(Field {
                name: name.into(),
                value,
            });
        }
    };
    fill(&mut request, "app_key", app_key);
    fill(&mut request, "timestamp", now.to_string());
    fill(&mut request, "sign_method", "sha256".into());
    if let Some(token) = credential(account, "access_token") {
        fill(&mut request, "access_token", token.to_string());
    }
    request.query.retain(|f| f.name != "sign");

    let mut params: Vec<(String, String)> = request
        .query
        .iter()
        .map(|f| (f.name.clone(), f.value.clone()))
        .collect();
    let is_form = http::header(
        request.headers.iter().map(|f| (&f.name, &f.value)),
        "content-type",
    )
    .is_some_and(http::is_form_content_type);
    let raw_body: &[u8] = if is_form {
        params.extend(http::parse_form(&request.body)?);
        b""
    } else {
        &request.body
    };
    let sign = lazop_sign::sign(secret, &path, &params, raw_body);
    request.query.push(Field {
        name: "sign".into(),
        value: sign,
    });
    Ok(request)
}

#[cfg(test)]
mod tests {
    use super::*;

    pub fn account() -> Account {
        Account {
            id: "shop".into(),
            secrets: vec!["helloworld".into()],
            credentials: vec![
                Field {
                    name: "app_key".into(),
                    value: "123456".into(),
                },
                Field {
                    name: "access_token".into(),
                    value: "test".into(),
                },
            ],
        }
    }

    fn value<'a>(request: &'a OutboundRequest, name: &str) -> Option<&'a str> {
        request
            .query
            .iter()
            .find(|f| f.name == name)
            .map(|f| f.value.as_str())
    }

    #[test]
    fn paths_follow_rest() {
        assert_eq!(
            api_path("https://api.lazada.sg/rest/order/get")
                .ok()
                .as_deref(),
            Some("/order/get")
        );
        assert_eq!(
            api_path("http://127.0.0.1:8080/orders/get?x=1")
                .ok()
                .as_deref(),
            Some("/orders/get")
        );
        assert!(api_path("https://api.lazada.sg/rest").is_err());
    }

    /// The documented example, reached through the draft-signing path.
    #[test]
    fn documented_example_through_sign() {
        let draft = OutboundRequest {
            method: "GET".into(),
            url: "https://api.lazada.sg/rest/order/get".into(),
            query: vec![Field {
                name: "order_id".into(),
                value: "1234".into(),
            }],
            headers: vec![],
            body: vec![],
        };
        let signed = sign(draft, &account(), 1_517_820_392_000);
        let signed = signed.ok();
        let signed = signed.as_ref();
        assert_eq!(
            signed.and_then(|r| value(r, "timestamp")),
            Some("1517820392000")
        );
        assert_eq!(
            signed.and_then(|r| value(r, "sign")),
            Some("4190D32361CFB9581350222F345CB77F3B19F0E31D162316848A2C1FFD5FAB4A")
        );
    }

    #[test]
    fn app_key_is_required() {
        let mut account = account();
        account.credentials.clear();
        let draft = OutboundRequest {
            method: "GET".into(),
            url: "https://api.lazada.sg/rest/order/get".into(),
            query: vec![],
            headers: vec![],
            body: vec![],
        };
        assert!(matches!(
            sign(draft, &account, 0),
            Err(KitError::MissingCredential(_))
        ));
    }
}
