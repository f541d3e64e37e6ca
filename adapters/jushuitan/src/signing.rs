//! JuShuiTan's request signature and signing an outbound call.
//!
//! Every call to the open API (`openapi.jushuitan.com`) is a form POST of the
//! public parameters `app_key`, `access_token`, `timestamp` (Unix seconds),
//! `charset=utf-8`, `version=2`, the business parameters as one JSON string
//! `biz`, and `sign`:
//!
//! ```text
//! sign = lower-hex MD5( app_secret + k1 + v1 + k2 + v2 + … )
//! ```
//!
//! over every parameter except `sign`, sorted by name (byte order). Empty
//! values are left out of the digest: the PHP client `zmoyi/jushuitan`
//! (`src/Api/Common/Util.php getSign`) only skips empty *keys*, other clients
//! also skip empty values; the adapter never sends an empty value, so both
//! readings give the same digest for what it sends.

use orderhub_adapter_kit::{KitError, http, sig};

use crate::account;
use crate::bindings::orderhub::adapter::types::{Account, Field, OutboundRequest};

/// The digest of `fields` (name, value) under `app_secret`.
pub(crate) fn digest<'a, I>(app_secret: &str, fields: I) -> String
where
    I: IntoIterator<Item = (&'a str, &'a str)>,
{
    let mut pairs: Vec<(&str, &str)> = fields
        .into_iter()
        .filter(|(k, v)| !k.is_empty() && *k != "sign" && !v.is_empty())
        .collect();
    pairs.sort_by(|a, b| a.0.as_bytes().cmp(b.0.as_bytes()));
    let mut text = String::from(app_secret);
    for (k, v) in pairs {
        text.push_str(k);
        text.push_str(v);
    }
    sig::hex_lower(&sig::md5(text.as_bytes()))
}

/// Signs a draft call: the draft's form body carries at least `biz`; the
/// public parameters it lacks are filled in (`app_key`, `access_token` from
/// the account, `timestamp` from `now`, `charset`, `version`), any `sign` it
/// carries is replaced, and `sign` is appended last.
pub(crate) fn sign_request(
    mut request: OutboundRequest,
    account: &Account,
    now: i64,
) -> Result<OutboundRequest, KitError> {
    let secret = account::app_secret(account)?;
    let app_key = account::required(account, "app_key", "every open API call carries it")?;
    let token = account::required(
        account,
        "access_token",
        "every open API call carries the token of JuShuiTan's authorisation flow",
    )?;
    let mut fields: Vec<(String, String)> = http::parse_form(&request.body)?
        .into_iter()
        .filter(|(k, _)| k != "sign")
        .collect();
    let timestamp = now.div_euclid(1000).to_string();
    for (name, value) in [
        ("app_key", app_key),
        ("access_token", token),
        ("timestamp", timestamp.as_str()),
        ("charset", "utf-8"),
        ("version", "2"),
    ] {
        if !fields.iter().any(|(k, _)| k == name) {
            fields.push((name.into(), value.into()));
        }
    }
    if !fields.iter().any(|(k, _)| k == "biz") {
        fields.push(("biz".into(), "{}".into()));
    }
    let sign = digest(secret, fields.iter().map(|(k, v)| (k.as_str(), v.as_str())));
    fields.push(("sign".into(), sign));
    request.body =
        http::encode_form(fields.iter().map(|(k, v)| (k.as_str(), v.as_str()))).into_bytes();
    if !request
        .headers
        .iter()
        .any(|h| h.name.eq_ignore_ascii_case("content-type"))
    {
        request.headers.push(Field {
            name: "Content-Type".into(),
            value: "application/x-www-form-urlencoded;charset=UTF-8".into(),
        });
    }
    Ok(request)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn account() -> Account {
        let f = |n: &str, v: &str| Field {
            name: n.into(),
            value: v.into(),
        };
        Account {
            id: "main".into(),
            secrets: vec!["secret-demo".into()],
            credentials: vec![f("app_key", "key-demo"), f("access_token", "token-demo")],
        }
    }

    #[test]
    fn digest_sorts_skips_sign_and_empty_values() {
        // md5("S" + "a1" + "b2") computed independently.
        let expected = sig::hex_lower(&sig::md5(b"Sa1b2"));
        assert_eq!(
            digest("S", [("b", "2"), ("sign", "x"), ("a", "1"), ("c", "")]),
            expected
        );
    }

    #[test]
    fn sign_fills_public_parameters_and_appends_sign() {
        let draft = OutboundRequest {
            method: "POST".into(),
            url: "https://openapi.jushuitan.com/open/orders/single/query".into(),
            query: vec![],
            headers: vec![],
            body: b"biz=%7B%7D".to_vec(),
        };
        let signed = sign_request(draft, &account(), 1_700_000_000_123).unwrap();
        let body = String::from_utf8(signed.body).unwrap();
        let text = "secret-demoaccess_tokentoken-demoapp_keykey-demobiz{}charsetutf-8timestamp1700000000version2";
        let sign = sig::hex_lower(&sig::md5(text.as_bytes()));
        assert_eq!(
            body,
            format!(
                "biz=%7B%7D&app_key=key-demo&access_token=token-demo&timestamp=1700000000&charset=utf-8&version=2&sign={sign}"
            )
        );
        assert_eq!(signed.headers[0].name, "Content-Type");
    }

    #[test]
    fn sign_needs_the_token() {
        let mut a = account();
        a.credentials.pop();
        let draft = OutboundRequest {
            method: "POST".into(),
            url: "u".into(),
            query: vec![],
            headers: vec![],
            body: vec![],
        };
        assert!(matches!(
            sign_request(draft, &a, 0),
            Err(KitError::MissingCredential(_))
        ));
    }
}
