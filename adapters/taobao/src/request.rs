//! Signing outbound TOP calls, and building them.
//!
//! A TOP call carries system parameters (`method`, `app_key`, `session`,
//! `timestamp`, `format`, `v`, `sign_method`, `sign`) next to the API's own
//! parameters. The platform's SDK sends the system parameters in the query
//! and the API parameters as a form body, and signs both together; the calls
//! built here do the same. [`sign`] accepts any draft: it fills the system
//! parameters the draft leaves out and appends `sign`.

use orderhub_adapter_kit::{KitError, http, time};

use crate::bindings::orderhub::adapter::types::{Account, Field, OutboundRequest};
use crate::top_sign::{self, SignMethod};

/// The production gateway.
pub const DEFAULT_BASE_URL: &str = "https://eco.taobao.com/router/rest";

const FORM_CONTENT_TYPE: &str = "application/x-www-form-urlencoded;charset=utf-8";

/// A credential's value, when configured and not empty.
pub fn credential<'a>(account: &'a Account, name: &str) -> Option<&'a str> {
    http::named_value(
        account.credentials.iter().map(|f| (&f.name, &f.value)),
        name,
    )
}

/// The app secret: the newest of the account's secrets.
pub fn app_secret(account: &Account) -> Result<&str, KitError> {
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

/// The seller's session key, which every seller-scoped call needs.
pub fn require_session(account: &Account) -> Result<&str, KitError> {
    credential(account, "session").ok_or_else(|| {
        KitError::MissingCredential(
            "session: the seller's session key is needed to call seller APIs".into(),
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

/// Whether the draft's body is a form whose fields take part in the signature.
fn has_form_body(request: &OutboundRequest) -> bool {
    http::header(
        request.headers.iter().map(|h| (&h.name, &h.value)),
        "content-type",
    )
    .is_some_and(http::is_form_content_type)
}

/// Signs a draft TOP call: fills the system parameters it leaves out
/// (`app_key` from the credentials, `session` when the account has one,
/// `timestamp` from `now` in GMT+8, `format=json`, `v=2.0`, `sign_method`
/// from the credentials or `md5`) and appends `sign`, computed over the query
/// and, for form bodies, the form fields. Parameters the draft already has
/// are kept as they are.
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
            "query.method (the TOP API name)".into(),
        ));
    }
    let method = match params.iter().find(|(n, _)| n == "sign_method") {
        Some((_, value)) => SignMethod::parse(value, "sign_method")?,
        None => match credential(account, "sign_method") {
            Some(value) => SignMethod::parse(value, "credentials.sign_method")?,
            None => SignMethod::Md5,
        },
    };
    let mut added: Vec<(String, String)> = Vec::new();
    if !present(&params, "app_key") {
        let app_key = credential(account, "app_key").ok_or_else(|| {
            KitError::MissingCredential("app_key: the TOP app key is not configured".into())
        })?;
        added.push(("app_key".into(), app_key.into()));
    }
    if !present(&params, "session")
        && let Some(session) = credential(account, "session")
    {
        added.push(("session".into(), session.into()));
    }
    if !present(&params, "timestamp") {
        added.push((
            "timestamp".into(),
            time::format_local(now, time::shanghai()),
        ));
    }
    if !present(&params, "format") {
        added.push(("format".into(), "json".into()));
    }
    if !present(&params, "v") {
        added.push(("v".into(), "2.0".into()));
    }
    if !present(&params, "sign_method") {
        added.push(("sign_method".into(), method.as_str().into()));
    }
    params.extend(added.iter().cloned());

    let signature = top_sign::sign(
        params.iter().map(|(n, v)| (n.as_str(), v.as_str())),
        secret,
        method,
    );
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

/// Builds and signs a call to the TOP API `api` with its own parameters
/// `params`, the way the platform's SDK sends it: a POST with the system
/// parameters in the query and `params` as the form body.
pub fn call(
    api: &str,
    params: &[(&str, &str)],
    account: &Account,
    now: i64,
) -> Result<OutboundRequest, KitError> {
    let draft = OutboundRequest {
        method: "POST".into(),
        url: base_url(account)?,
        query: vec![field("method", api)],
        headers: vec![field("Content-Type", FORM_CONTENT_TYPE)],
        body: http::encode_form(params.iter().copied()).into_bytes(),
    };
    sign(draft, account, now)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn account(credentials: &[(&str, &str)]) -> Account {
        Account {
            id: "shop".into(),
            secrets: vec!["helloworld".into()],
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
        let query = [
            ("method", "taobao.item.seller.get"),
            ("app_key", "12345678"),
            ("session", "test"),
            ("timestamp", "2016-01-01 12:00:00"),
            ("format", "json"),
            ("v", "2.0"),
            ("sign_method", "md5"),
            ("fields", "num_iid,title,nick,price,num"),
            ("num_iid", "11223344"),
        ];
        let draft = OutboundRequest {
            method: "GET".into(),
            url: DEFAULT_BASE_URL.into(),
            query: query.iter().map(|(n, v)| field(n, v)).collect(),
            headers: vec![],
            body: vec![],
        };
        let signed = sign(draft, &account(&[("app_key", "other")]), 0).unwrap();
        assert_eq!(signed.query.len(), 10);
        assert_eq!(
            value(&signed.query, "sign"),
            Some("66987CB115214E59E6EC978214934FB8")
        );
        assert_eq!(value(&signed.query, "app_key"), Some("12345678"));
    }

    #[test]
    fn missing_system_parameters_are_filled_and_form_fields_signed() {
        // 2016-01-01 12:00:00 in Shanghai.
        let now = 1_451_620_800_000;
        let draft = OutboundRequest {
            method: "POST".into(),
            url: DEFAULT_BASE_URL.into(),
            query: vec![field("method", "taobao.item.seller.get")],
            headers: vec![field("content-type", "application/x-www-form-urlencoded")],
            body: b"fields=num_iid%2Ctitle%2Cnick%2Cprice%2Cnum&num_iid=11223344".to_vec(),
        };
        let acct = account(&[("app_key", "12345678"), ("session", "test")]);
        let signed = sign(draft, &acct, now).unwrap();
        assert_eq!(
            value(&signed.query, "timestamp"),
            Some("2016-01-01 12:00:00")
        );
        assert_eq!(value(&signed.query, "format"), Some("json"));
        assert_eq!(value(&signed.query, "v"), Some("2.0"));
        assert_eq!(value(&signed.query, "sign_method"), Some("md5"));
        // The same parameters as the documented example, split between
        // query and body, give the same signature.
        assert_eq!(
            value(&signed.query, "sign"),
            Some("66987CB115214E59E6EC978214934FB8")
        );
    }

    #[test]
    fn credential_sign_method_is_used() {
        let draft = OutboundRequest {
            method: "POST".into(),
            url: DEFAULT_BASE_URL.into(),
            query: vec![field("method", "taobao.time.get")],
            headers: vec![],
            body: vec![],
        };
        let acct = account(&[("app_key", "1"), ("sign_method", "hmac-sha256")]);
        let signed = sign(draft, &acct, 0).unwrap();
        assert_eq!(value(&signed.query, "sign_method"), Some("hmac-sha256"));
        assert_eq!(value(&signed.query, "sign").map(str::len), Some(64));
        assert_eq!(value(&signed.query, "session"), None);
    }

    #[test]
    fn missing_inputs_are_typed_errors() {
        let draft = OutboundRequest {
            method: "POST".into(),
            url: DEFAULT_BASE_URL.into(),
            query: vec![field("method", "taobao.time.get")],
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
        twice.query.push(field("method", "taobao.time.get"));
        assert!(matches!(
            sign(twice, &account(&[("app_key", "1")]), 0),
            Err(KitError::InvalidField(m)) if m.starts_with("method")
        ));
    }

    #[test]
    fn calls_use_the_gateway_and_a_form_body() {
        let acct = account(&[
            ("app_key", "1"),
            ("base_url", "https://gw.api.taobao.com/router/rest"),
        ]);
        let call = call("taobao.time.get", &[("a", "b c")], &acct, 0).unwrap();
        assert_eq!(call.url, "https://gw.api.taobao.com/router/rest");
        assert_eq!(call.body, b"a=b+c");
        assert!(value(&call.query, "sign").is_some());
        let bad = account(&[("app_key", "1"), ("base_url", "eco.taobao.com")]);
        assert!(matches!(
            super::call("taobao.time.get", &[], &bad, 0),
            Err(KitError::InvalidField(m)) if m.starts_with("credentials.base_url")
        ));
    }
}
