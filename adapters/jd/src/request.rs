//! Signing outbound JOS calls, and building them.
//!
//! A JOS call carries system parameters (`method`, `app_key`,
//! `access_token`, `timestamp`, `v`, `sign`) next to `360buy_param_json`, the
//! API's own parameters as one JSON text. The calls built here send the
//! system parameters in the query and `360buy_param_json` as a form body, and
//! sign both together. [`sign`] accepts any draft: it fills the system
//! parameters the draft leaves out and appends `sign`.

use orderhub_adapter_kit::{KitError, http, time};

use crate::bindings::orderhub::adapter::types::{Account, Field, OutboundRequest};
use crate::jos_sign;

/// The production gateway.
pub const DEFAULT_BASE_URL: &str = "https://api.jd.com/routerjson";

/// The name of the business-parameter field.
pub const PARAM_JSON: &str = "360buy_param_json";

const FORM_CONTENT_TYPE: &str = "application/x-www-form-urlencoded;charset=utf-8";

/// A credential's value, when configured and not empty.
pub fn credential<'a>(account: &'a Account, name: &str) -> Option<&'a str> {
    http::named_value(
        account.credentials.iter().map(|f| (&f.name, &f.value)),
        name,
    )
}

/// The app secret: the newest of the account's secrets.
fn app_secret(account: &Account) -> Result<&str, KitError> {
    account
        .secrets
        .first()
        .map(String::as_str)
        .filter(|s| !s.is_empty())
        .ok_or_else(|| {
            KitError::MissingCredential(
                "secret: the app secret (account secrets) is not configured".into(),
            )
        })
}

/// The seller's access token, which every seller-scoped call needs.
pub fn require_access_token(account: &Account) -> Result<&str, KitError> {
    credential(account, "access_token").ok_or_else(|| {
        KitError::MissingCredential(
            "access_token: the seller's access token is needed to call seller APIs".into(),
        )
    })
}

/// The gateway URL: the `base_url` credential, else the production gateway.
fn base_url(account: &Account) -> Result<String, KitError> {
    http::base_url(
        credential(account, "base_url"),
        DEFAULT_BASE_URL,
        "credentials.base_url",
    )
}

fn field(name: &str, value: &str) -> Field {
    Field {
        name: name.to_string(),
        value: value.to_string(),
    }
}

/// The timestamp as JOS's example spells it: GMT+8 with milliseconds and
/// the offset, `yyyy-MM-dd HH:mm:ss.SSS+0800`.
pub fn timestamp(now: i64) -> String {
    format!(
        "{}.{:03}+0800",
        time::format_local(now, time::shanghai()),
        now.rem_euclid(1000)
    )
}

/// Whether the draft's body is a form whose fields take part in the signature.
fn has_form_body(request: &OutboundRequest) -> bool {
    http::header(
        request.headers.iter().map(|h| (&h.name, &h.value)),
        "content-type",
    )
    .is_some_and(http::is_form_content_type)
}

/// Signs a draft JOS call: fills the system parameters it leaves out
/// (`app_key` from the credentials, `access_token` when the account has one,
/// `timestamp` from `now`, `v=2.0`) and appends `sign`, computed over the
/// query and, for form bodies, the form fields. Parameters the draft already
/// has are kept as they are.
pub fn sign(
    mut request: OutboundRequest,
    account: &Account,
    now: i64,
) -> Result<OutboundRequest, KitError> {
    let secret = app_secret(account)?;
    request.query.retain(|f| f.name != "sign");
    let form = if has_form_body(&request) {
        http::parse_form(&request.body)?
    } else {
        Vec::new()
    };
    let mut params: Vec<(String, String)> = request
        .query
        .iter()
        .map(|f| (f.name.clone(), f.value.clone()))
        .chain(form)
        .collect();
    if params.iter().any(|(name, _)| name == "sign") {
        // The query's old `sign` is dropped above; one in the body could not
        // be replaced without rewriting the body.
        return Err(KitError::invalid(
            "sign",
            "the draft's form body already carries a signature",
        ));
    }
    reject_duplicates(&params)?;

    let present = |params: &[(String, String)], name: &str| params.iter().any(|(n, _)| n == name);
    if !present(&params, "method") {
        return Err(KitError::MissingField(
            "query.method (the JOS API name)".into(),
        ));
    }
    let mut added: Vec<(String, String)> = Vec::new();
    if !present(&params, "app_key") {
        let app_key = credential(account, "app_key").ok_or_else(|| {
            KitError::MissingCredential("app_key: the JOS app key is not configured".into())
        })?;
        added.push(("app_key".into(), app_key.into()));
    }
    if !present(&params, "access_token")
        && let Some(token) = credential(account, "access_token")
    {
        added.push(("access_token".into(), token.into()));
    }
    if !present(&params, "timestamp") {
        added.push(("timestamp".into(), timestamp(now)));
    }
    if !present(&params, "v") {
        added.push(("v".into(), "2.0".into()));
    }
    params.extend(added.iter().cloned());

    let signature = jos_sign::sign(params.iter().map(|(n, v)| (n.as_str(), v.as_str())), secret);
    request.query.extend(added.iter().map(|(n, v)| field(n, v)));
    request.query.push(field("sign", &signature));
    Ok(request)
}

/// A parameter given twice would be signed one way and read another.
fn reject_duplicates(params: &[(String, String)]) -> Result<(), KitError> {
    for (i, (name, _)) in params.iter().enumerate() {
        if params.iter().skip(i + 1).any(|(other, _)| other == name) {
            return Err(KitError::invalid(
                name,
                "the parameter is given more than once",
            ));
        }
    }
    Ok(())
}

/// Builds and signs a call to the JOS API `api` with its business
/// parameters `param_json` (one JSON object): a POST with the system
/// parameters in the query and `360buy_param_json` as the form body.
pub fn call(
    api: &str,
    param_json: &serde_json::Value,
    account: &Account,
    now: i64,
) -> Result<OutboundRequest, KitError> {
    let json = param_json.to_string();
    let draft = OutboundRequest {
        method: "POST".into(),
        url: base_url(account)?,
        query: vec![field("method", api)],
        headers: vec![field("Content-Type", FORM_CONTENT_TYPE)],
        body: http::encode_form([(PARAM_JSON, json.as_str())]).into_bytes(),
    };
    sign(draft, account, now)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::jos_sign::tests::DOC_PARAMS;

    fn account(credentials: &[(&str, &str)]) -> Account {
        Account {
            id: "shop".into(),
            secrets: vec!["yourappSecret".into()],
            credentials: credentials.iter().map(|(n, v)| field(n, v)).collect(),
        }
    }

    fn value<'a>(query: &'a [Field], name: &str) -> Option<&'a str> {
        query
            .iter()
            .find(|f| f.name == name)
            .map(|f| f.value.as_str())
    }

    #[test]
    fn documented_example_signs_to_the_published_digest() {
        let draft = OutboundRequest {
            method: "POST".into(),
            url: DEFAULT_BASE_URL.into(),
            query: DOC_PARAMS.iter().map(|(n, v)| field(n, v)).collect(),
            headers: vec![],
            body: vec![],
        };
        let signed = sign(draft, &account(&[("app_key", "other")]), 0).unwrap();
        assert_eq!(signed.query.len(), 7);
        assert_eq!(
            value(&signed.query, "sign"),
            Some("D70825340F4084360B9362B60DFD7930")
        );
        assert_eq!(value(&signed.query, "app_key"), Some("yourappkey"));
    }

    #[test]
    fn missing_system_parameters_are_filled_and_the_form_is_signed() {
        // 2021-05-07 09:20:39.683 in Shanghai.
        let now = 1_620_350_439_683;
        assert_eq!(timestamp(now), "2021-05-07 09:20:39.683+0800");
        let json = DOC_PARAMS[3].1;
        let draft = OutboundRequest {
            method: "POST".into(),
            url: DEFAULT_BASE_URL.into(),
            query: vec![field("method", "jingdong.pop.order.search")],
            headers: vec![field("content-type", "application/x-www-form-urlencoded")],
            body: http::encode_form([(PARAM_JSON, json)]).into_bytes(),
        };
        let acct = account(&[("app_key", "yourappkey"), ("access_token", "yourtoken")]);
        let signed = sign(draft, &acct, now).unwrap();
        assert_eq!(value(&signed.query, "v"), Some("2.0"));
        assert_eq!(value(&signed.query, "access_token"), Some("yourtoken"));
        assert_eq!(
            value(&signed.query, "sign"),
            Some("D70825340F4084360B9362B60DFD7930")
        );
    }

    #[test]
    fn missing_inputs_are_typed_errors() {
        let draft = OutboundRequest {
            method: "POST".into(),
            url: DEFAULT_BASE_URL.into(),
            query: vec![field("method", "jingdong.pop.order.search")],
            headers: vec![],
            body: vec![],
        };
        assert!(matches!(
            sign(draft.clone(), &account(&[]), 0),
            Err(KitError::MissingCredential(m)) if m.starts_with("app_key")
        ));
        let mut no_secret = account(&[("app_key", "1")]);
        no_secret.secrets.clear();
        assert!(matches!(
            sign(draft.clone(), &no_secret, 0),
            Err(KitError::MissingCredential(_))
        ));
        let mut no_method = draft.clone();
        no_method.query.clear();
        assert!(matches!(
            sign(no_method, &account(&[("app_key", "1")]), 0),
            Err(KitError::MissingField(_))
        ));
        let mut twice = draft;
        twice.query.push(field("method", "x"));
        assert!(matches!(
            sign(twice, &account(&[("app_key", "1")]), 0),
            Err(KitError::InvalidField(m)) if m.starts_with("method")
        ));
    }

    #[test]
    fn calls_use_the_configured_gateway() {
        let acct = account(&[
            ("app_key", "1"),
            ("base_url", "https://api-dev.jd.com/routerjson"),
        ]);
        let call = call(
            "jingdong.pop.order.get",
            &serde_json::json!({"order_id": "1"}),
            &acct,
            0,
        )
        .unwrap();
        assert_eq!(call.url, "https://api-dev.jd.com/routerjson");
        assert_eq!(
            call.body,
            b"360buy_param_json=%7B%22order_id%22%3A%221%22%7D"
        );
        assert!(value(&call.query, "sign").is_some());
    }
}
