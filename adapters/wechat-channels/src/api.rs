//! The open API: access token, request signing and error codes.
//!
//! WeChat API calls are not signed; they carry the shop's `access_token` as
//! a query parameter. Errors come back as HTTP 200 with a non-zero `errcode`.

use orderhub_adapter_kit::json::Fields;
use orderhub_adapter_kit::{KitError, http};

use crate::bindings::orderhub::adapter::types::{Account, Field, OutboundRequest};

/// The API host.
pub const API_HOST: &str = "api.weixin.qq.com";

/// Error codes that mean the access token is invalid (40001, 40014) or
/// expired (42001): the operator must refresh the credential.
const TOKEN_ERRORS: &[i64] = &[40001, 40014, 42001];

/// A credential of the account, when configured and not empty.
pub fn credential<'a>(account: &'a Account, name: &str) -> Option<&'a str> {
    http::named_value(
        account.credentials.iter().map(|f| (&f.name, &f.value)),
        name,
    )
    .filter(|v| !v.trim().is_empty())
}

/// The access token, or `missing-credential`.
pub fn access_token(account: &Account) -> Result<&str, KitError> {
    credential(account, "access_token").ok_or_else(|| {
        KitError::MissingCredential("credential access_token is not configured".into())
    })
}

/// Adds (or replaces) the `access_token` query parameter.
pub fn sign(mut request: OutboundRequest, account: &Account) -> Result<OutboundRequest, KitError> {
    let token = access_token(account)?;
    request.query.retain(|f| f.name != "access_token");
    request.query.push(Field {
        name: "access_token".into(),
        value: token.into(),
    });
    Ok(request)
}

/// Turns a non-zero `errcode` into a typed error.
pub fn check_error(root: &Fields) -> Result<(), KitError> {
    let Some(code) = root.optional("errcode") else {
        return Ok(());
    };
    let code_value = root.integer("errcode")?;
    if code_value == 0 {
        return Ok(());
    }
    let message = root.opt_string("errmsg").unwrap_or_default();
    if TOKEN_ERRORS.contains(&code_value) {
        return Err(KitError::MissingCredential(format!(
            "access_token was refused (errcode {code}: {message}); refresh it"
        )));
    }
    Err(KitError::invalid(
        "errcode",
        format_args!("the API answered {code}: {message}"),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use orderhub_adapter_kit::json;

    fn account(token: Option<&str>) -> Account {
        Account {
            id: "t".into(),
            secrets: vec![],
            credentials: token
                .map(|t| Field {
                    name: "access_token".into(),
                    value: t.into(),
                })
                .into_iter()
                .collect(),
        }
    }

    #[test]
    fn sign_sets_one_access_token() {
        let request = OutboundRequest {
            method: "POST".into(),
            url: "https://api.weixin.qq.com/channels/ec/order/get".into(),
            query: vec![Field {
                name: "access_token".into(),
                value: "stale".into(),
            }],
            headers: vec![],
            body: vec![],
        };
        let signed = sign(request.clone(), &account(Some("TOKEN"))).unwrap();
        assert_eq!(signed.query.len(), 1);
        assert_eq!(signed.query[0].value, "TOKEN");
        assert!(matches!(
            sign(request, &account(None)),
            Err(KitError::MissingCredential(_))
        ));
    }

    #[test]
    fn errcodes_are_typed() {
        let expired = json::parse(br#"{"errcode":42001,"errmsg":"access_token expired"}"#).unwrap();
        assert!(matches!(
            check_error(&Fields::of(&expired, "").unwrap()),
            Err(KitError::MissingCredential(_))
        ));
        let other = json::parse(br#"{"errcode":10020002,"errmsg":"x"}"#).unwrap();
        assert!(matches!(
            check_error(&Fields::of(&other, "").unwrap()),
            Err(KitError::InvalidField(_))
        ));
        let ok = json::parse(br#"{"errcode":0}"#).unwrap();
        assert_eq!(check_error(&Fields::of(&ok, "").unwrap()), Ok(()));
    }
}
