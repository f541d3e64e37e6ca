//! Signing outbound drafts, and building gateway calls.
//!
//! A gateway call carries the API name as `type`, the system parameters
//! `client_id`, `access_token`, `timestamp` (Unix seconds) and `data_type`,
//! the API's own parameters, and `sign` over all of them. The gateway reads
//! parameters from the query or from a form body alike; the calls built here
//! send everything as one form body, and [`sign`] adds what it adds next to
//! where the draft keeps its parameters (the form body when the draft has
//! one, else the query).
//!
//! A draft whose URL starts with `wss://` is the message-service handshake
//! instead: its signature is a URL path segment, not a parameter.

use orderhub_adapter_kit::{KitError, http};

use crate::bindings::orderhub::adapter::types::{Account, Field, OutboundRequest};
use crate::pdd_sign;

/// The production gateway.
pub const DEFAULT_BASE_URL: &str = "https://gw-api.pinduoduo.com/api/router";

const FORM_CONTENT_TYPE: &str = "application/x-www-form-urlencoded;charset=utf-8";

/// A credential's value, when configured and not empty.
pub fn credential<'a>(account: &'a Account, name: &str) -> Option<&'a str> {
    http::named_value(
        account.credentials.iter().map(|f| (&f.name, &f.value)),
        name,
    )
}

/// The client secret: the newest of the account's secrets.
pub fn client_secret(account: &Account) -> Result<&str, KitError> {
    account
        .secrets
        .first()
        .map(String::as_str)
        .filter(|s| !s.is_empty())
        .ok_or_else(|| {
            KitError::MissingCredential(
                "secret: the client secret (account secrets) is not configured".into(),
            )
        })
}

/// The app's client id, which signs calls and the message-service handshake.
pub fn client_id(account: &Account) -> Result<&str, KitError> {
    credential(account, "client_id").ok_or_else(|| {
        KitError::MissingCredential("client_id: the PDD app's client_id is not configured".into())
    })
}

/// The shop's access token, which every shop-scoped call needs.
pub fn require_access_token(account: &Account) -> Result<&str, KitError> {
    credential(account, "access_token").ok_or_else(|| {
        KitError::MissingCredential(
            "access_token: the shop's access token is needed to call shop APIs".into(),
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

/// Signs a draft: a gateway call, or the message-service handshake when the
/// URL starts with `wss://`.
pub fn sign(
    request: OutboundRequest,
    account: &Account,
    now: i64,
) -> Result<OutboundRequest, KitError> {
    if request.url.trim_start().starts_with("wss://") {
        sign_handshake(request, account, now)
    } else {
        sign_call(request, account, now)
    }
}

/// Signs a gateway call: fills the system parameters the draft leaves out
/// (`client_id` from the credentials, `access_token` when the account has
/// one, `timestamp` from `now` in Unix seconds, `data_type=JSON`) and appends
/// `sign`, computed over the query and, for form bodies, the form fields.
/// Parameters the draft already has are kept as they are.
fn sign_call(
    mut request: OutboundRequest,
    account: &Account,
    now: i64,
) -> Result<OutboundRequest, KitError> {
    let secret = client_secret(account)?;
    request.query.retain(|f| f.name != "sign");
    let in_body = has_form_body(&request);
    let form = if in_body {
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
    if !present(&params, "type") {
        return Err(KitError::MissingField("type (the PDD API name)".into()));
    }
    let mut added: Vec<(String, String)> = Vec::new();
    if !present(&params, "client_id") {
        added.push(("client_id".into(), client_id(account)?.into()));
    }
    if !present(&params, "access_token")
        && let Some(token) = credential(account, "access_token")
    {
        added.push(("access_token".into(), token.into()));
    }
    if !present(&params, "timestamp") {
        added.push(("timestamp".into(), now.div_euclid(1000).to_string()));
    }
    if !present(&params, "data_type") {
        added.push(("data_type".into(), "JSON".into()));
    }
    params.extend(added.iter().cloned());
    let signature = pdd_sign::sign(params.iter().map(|(n, v)| (n.as_str(), v.as_str())), secret);
    added.push(("sign".into(), signature));

    if in_body {
        let tail = http::encode_form(added.iter().map(|(n, v)| (n.as_str(), v.as_str())));
        if !request.body.is_empty() && !request.body.ends_with(b"&") {
            request.body.push(b'&');
        }
        request.body.extend_from_slice(tail.as_bytes());
    } else {
        request.query.extend(added.iter().map(|(n, v)| field(n, v)));
    }
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

/// Signs the message-service handshake: the draft URL is the endpoint
/// (`wss://message-api.pinduoduo.com/message`), optionally followed by
/// `/{client_id}/{timestamp_ms}`; the result is
/// `{endpoint}/{client_id}/{timestamp_ms}/{signature}` with the signature
/// URL-encoded. Without them in the URL, `client_id` comes from the
/// credentials and the timestamp is `now` in milliseconds.
fn sign_handshake(
    mut request: OutboundRequest,
    account: &Account,
    now: i64,
) -> Result<OutboundRequest, KitError> {
    let secret = client_secret(account)?;
    let url = request.url.trim().trim_end_matches('/');
    let (endpoint, client, stamp) = match url.rsplit_once("/message/") {
        None if url.ends_with("/message") => (
            url.to_string(),
            client_id(account)?.to_string(),
            now.to_string(),
        ),
        Some((host, rest)) => match rest.split('/').collect::<Vec<_>>().as_slice() {
            [client, stamp] | [client, stamp, _] if !client.is_empty() && is_digits(stamp) => (
                format!("{host}/message"),
                (*client).to_string(),
                (*stamp).to_string(),
            ),
            _ => return Err(bad_handshake_url(url)),
        },
        None => return Err(bad_handshake_url(url)),
    };
    request.url = handshake_url(&endpoint, &client, &stamp, secret);
    Ok(request)
}

/// The signed message-service URL: `{endpoint}/{client_id}/{timestamp_ms}/{sign}`,
/// the client id and the signature percent-encoded as path segments.
pub fn handshake_url(endpoint: &str, client: &str, stamp: &str, secret: &str) -> String {
    let signature = pdd_sign::handshake(client, stamp, secret);
    format!(
        "{}/{}/{stamp}/{}",
        endpoint.trim_end_matches('/'),
        http::percent_encode(client),
        http::percent_encode(&signature)
    )
}

fn is_digits(text: &str) -> bool {
    !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit())
}

fn bad_handshake_url(url: &str) -> KitError {
    KitError::invalid(
        "url",
        format_args!(
            "{url:?} is not the message-service endpoint `wss://…/message` \
             (optionally followed by /{{client_id}}/{{timestamp_ms}})"
        ),
    )
}

/// Builds and signs a call to the API `api` with its own parameters
/// `params`: a POST whose form body holds every parameter.
pub fn call(
    api: &str,
    params: &[(&str, &str)],
    account: &Account,
    now: i64,
) -> Result<OutboundRequest, KitError> {
    let body = http::encode_form(std::iter::once(("type", api)).chain(params.iter().copied()));
    let draft = OutboundRequest {
        method: "POST".into(),
        url: base_url(account)?,
        query: vec![],
        headers: vec![field("Content-Type", FORM_CONTENT_TYPE)],
        body: body.into_bytes(),
    };
    sign(draft, account, now)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn account(secret: &str, credentials: &[(&str, &str)]) -> Account {
        Account {
            id: "shop".into(),
            secrets: vec![secret.into()],
            credentials: credentials.iter().map(|(n, v)| field(n, v)).collect(),
        }
    }

    fn value<'a>(query: &'a [Field], name: &str) -> Option<&'a str> {
        query
            .iter()
            .find(|f| f.name == name)
            .map(|f| f.value.as_str())
    }

    fn draft(url: &str, query: &[(&str, &str)]) -> OutboundRequest {
        OutboundRequest {
            method: "POST".into(),
            url: url.into(),
            query: query.iter().map(|(n, v)| field(n, v)).collect(),
            headers: vec![],
            body: vec![],
        }
    }

    #[test]
    fn documented_example_signs_to_the_published_digest() {
        let query = [
            ("type", "pdd.order.number.list.get"),
            ("client_id", "1"),
            ("access_token", "asd78172s8ds9a921j9qqwda12312w1w21211"),
            ("timestamp", "1480411125"),
            ("data_type", "XML"),
            ("order_status", "1"),
            ("page", "1"),
            ("page_size", "10"),
        ];
        let acct = account("testSecret", &[("client_id", "other")]);
        let signed = sign(draft(DEFAULT_BASE_URL, &query), &acct, 0).unwrap();
        assert_eq!(signed.query.len(), 9);
        assert_eq!(
            value(&signed.query, "sign"),
            Some("E4DE3ED21002510DED352819E7AE6775")
        );
        assert_eq!(value(&signed.query, "client_id"), Some("1"));
    }

    #[test]
    fn missing_system_parameters_are_filled() {
        let query = [
            ("type", "pdd.order.number.list.get"),
            ("order_status", "1"),
            ("page", "1"),
            ("page_size", "10"),
            ("data_type", "XML"),
        ];
        let acct = account(
            "testSecret",
            &[
                ("client_id", "1"),
                ("access_token", "asd78172s8ds9a921j9qqwda12312w1w21211"),
            ],
        );
        // 1480411125 s, with milliseconds that must be dropped.
        let signed = sign(draft(DEFAULT_BASE_URL, &query), &acct, 1_480_411_125_999).unwrap();
        assert_eq!(value(&signed.query, "timestamp"), Some("1480411125"));
        assert_eq!(
            value(&signed.query, "sign"),
            Some("E4DE3ED21002510DED352819E7AE6775")
        );
        let plain = sign(
            draft(DEFAULT_BASE_URL, &[("type", "pdd.time.get")]),
            &account("s", &[("client_id", "1")]),
            0,
        )
        .unwrap();
        assert_eq!(value(&plain.query, "data_type"), Some("JSON"));
        assert_eq!(value(&plain.query, "access_token"), None);
    }

    #[test]
    fn form_drafts_are_signed_together_with_their_body() {
        let acct = account(
            "testSecret",
            &[
                ("client_id", "1"),
                ("access_token", "asd78172s8ds9a921j9qqwda12312w1w21211"),
            ],
        );
        let mut form = draft(DEFAULT_BASE_URL, &[]);
        form.headers = vec![field("content-type", "application/x-www-form-urlencoded")];
        form.body =
            b"type=pdd.order.number.list.get&order_status=1&page=1&page_size=10&data_type=XML"
                .to_vec();
        let signed = sign(form, &acct, 1_480_411_125_000).unwrap();
        assert!(signed.query.is_empty());
        let body = String::from_utf8(signed.body).unwrap();
        assert!(
            body.ends_with("&sign=E4DE3ED21002510DED352819E7AE6775"),
            "{body}"
        );
        assert!(body.contains("&client_id=1&access_token="));
    }

    #[test]
    fn missing_inputs_are_typed_errors() {
        let time = draft(DEFAULT_BASE_URL, &[("type", "pdd.time.get")]);
        assert!(matches!(
            sign(time.clone(), &account("s", &[]), 0),
            Err(KitError::MissingCredential(m)) if m.starts_with("client_id")
        ));
        assert!(matches!(
            sign(time.clone(), &account("", &[("client_id", "1")]), 0),
            Err(KitError::MissingCredential(_))
        ));
        assert!(matches!(
            sign(
                draft(DEFAULT_BASE_URL, &[]),
                &account("s", &[("client_id", "1")]),
                0
            ),
            Err(KitError::MissingField(_))
        ));
        let mut twice = time;
        twice.query.push(field("type", "pdd.time.get"));
        assert!(matches!(
            sign(twice, &account("s", &[("client_id", "1")]), 0),
            Err(KitError::InvalidField(m)) if m.starts_with("type")
        ));
    }

    #[test]
    fn handshake_url_uses_the_published_vector() {
        let acct = account("secret", &[("client_id", "app")]);
        let expected = "wss://message-api.pinduoduo.com/message/app/1700000000000/\
                        OTgxODMwNDI2NWZiN2NiNzA2NzIxOTI0ZjJlMDMxMjE%3D";
        let signed = sign(
            draft("wss://message-api.pinduoduo.com/message", &[]),
            &acct,
            1_700_000_000_000,
        )
        .unwrap();
        assert_eq!(signed.url, expected);
        // The client id and timestamp may already be in the draft URL.
        let given = sign(
            draft(
                "wss://message-api.pinduoduo.com/message/app/1700000000000/",
                &[],
            ),
            &account("secret", &[]),
            0,
        )
        .unwrap();
        assert_eq!(given.url, expected);
        assert!(matches!(
            sign(draft("wss://message-api.pinduoduo.com/other", &[]), &acct, 0),
            Err(KitError::InvalidField(m)) if m.starts_with("url")
        ));
    }

    #[test]
    fn calls_use_the_gateway_and_a_form_body() {
        let acct = account(
            "s",
            &[
                ("client_id", "1"),
                ("base_url", "https://gw-api.example.test/api/router"),
            ],
        );
        let call = call("pdd.time.get", &[("a", "b c")], &acct, 0).unwrap();
        assert_eq!(call.url, "https://gw-api.example.test/api/router");
        let body = String::from_utf8(call.body).unwrap();
        assert!(
            body.starts_with(
                "type=pdd.time.get&a=b+c&client_id=1&timestamp=0&data_type=JSON&sign="
            )
        );
        let bad = account(
            "s",
            &[("client_id", "1"), ("base_url", "gw-api.pinduoduo.com")],
        );
        assert!(matches!(
            super::call("pdd.time.get", &[], &bad, 0),
            Err(KitError::InvalidField(m)) if m.starts_with("credentials.base_url")
        ));
    }
}
