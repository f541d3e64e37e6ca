//! 旺店通 (WDT) 企业版 request signing.
//!
//! Every call is a form POST of `sid`, `appkey`, `timestamp` (Unix seconds,
//! checked within 5 minutes) and the business parameters, plus `sign`:
//!
//! 1. sort all parameters but `sign` by name;
//! 2. write each as `%02d-name:%04d-value`, the numbers being the lengths of
//!    name and value — in **characters** (Unicode code points), as the
//!    official `WdtClient.php` counts them with `iconv_strlen($v, 'UTF-8')`;
//! 3. join them with `;`, append the appsecret;
//! 4. `sign` = lowercase hex MD5 of that text (UTF-8).
//!
//! The documented fragment: `{"appkey":"test2-xx"}` packs to
//! `06-appkey:0008-test2-xx`.

use orderhub_adapter_kit::{KitError, http, sig};

use crate::account;
use crate::bindings::orderhub::adapter::types::{Account, Field, OutboundRequest};

/// Packs parameters as WDT signs them (without the secret).
pub(crate) fn pack(params: &[(String, String)]) -> String {
    let mut sorted: Vec<&(String, String)> = params.iter().filter(|(k, _)| k != "sign").collect();
    sorted.sort_by(|a, b| a.0.as_bytes().cmp(b.0.as_bytes()));
    sorted
        .iter()
        .map(|(k, v)| format!("{:02}-{k}:{:04}-{v}", k.chars().count(), v.chars().count()))
        .collect::<Vec<_>>()
        .join(";")
}

/// The `sign` of these parameters under `appsecret`.
pub(crate) fn signature(params: &[(String, String)], appsecret: &str) -> String {
    let mut text = pack(params);
    text.push_str(appsecret);
    sig::hex_lower(&sig::md5(text.as_bytes()))
}

/// Signs a draft whose business parameters are its form body (or, when the
/// body is empty, its query): adds `sid`, `appkey` and `timestamp` unless
/// present, then `sign`, and sends everything as the form body.
pub(crate) fn sign(
    mut request: OutboundRequest,
    account: &Account,
    now: i64,
) -> Result<OutboundRequest, KitError> {
    let appsecret = account
        .secrets
        .iter()
        .find(|s| !s.trim().is_empty())
        .ok_or_else(|| {
            KitError::MissingCredential(
                "appsecret: the WDT interface secret (account secrets) signs every call".into(),
            )
        })?;
    let sid = account::required(account, "sid", "the seller account (卖家账号) WDT assigned")?;
    let appkey = account::required(account, "appkey", "the interface account (接口账号)")?;
    let mut params: Vec<(String, String)> = if request.body.is_empty() {
        std::mem::take(&mut request.query)
            .into_iter()
            .map(|f| (f.name, f.value))
            .collect()
    } else {
        http::parse_form(&request.body)?
    };
    params.retain(|(k, _)| k != "sign");
    let timestamp = now.div_euclid(1000).to_string();
    for (name, value) in [
        ("sid", sid),
        ("appkey", appkey),
        ("timestamp", timestamp.as_str()),
    ] {
        if !params.iter().any(|(k, _)| k == name) {
            params.push((name.into(), value.into()));
        }
    }
    let sign = signature(&params, appsecret);
    params.push(("sign".into(), sign));
    request.body =
        http::encode_form(params.iter().map(|(k, v)| (k.as_str(), v.as_str()))).into_bytes();
    request
        .headers
        .retain(|h| !h.name.eq_ignore_ascii_case("content-type"));
    request.headers.push(Field {
        name: "Content-Type".into(),
        value: "application/x-www-form-urlencoded".into(),
    });
    request.method = "POST".into();
    Ok(request)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn params(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn documented_fragment() {
        assert_eq!(
            pack(&params(&[("appkey", "test2-xx")])),
            "06-appkey:0008-test2-xx"
        );
    }

    #[test]
    fn sorted_joined_and_counted_in_characters() {
        let p = params(&[("shop_no", "店铺1"), ("appkey", "k"), ("sign", "x")]);
        assert_eq!(pack(&p), "06-appkey:0001-k;07-shop_no:0003-店铺1");
        let expected = sig::hex_lower(&sig::md5(
            "06-appkey:0001-k;07-shop_no:0003-店铺1secret".as_bytes(),
        ));
        assert_eq!(signature(&p, "secret"), expected);
    }

    fn account() -> Account {
        let cred = |n: &str, v: &str| Field {
            name: n.into(),
            value: v.into(),
        };
        Account {
            id: "main".into(),
            secrets: vec!["secret".into()],
            credentials: vec![cred("sid", "test2"), cred("appkey", "test2-xx")],
        }
    }

    #[test]
    fn sign_adds_the_public_parameters_and_sign() {
        let draft = OutboundRequest {
            method: "POST".into(),
            url: "https://openapi.huice.com/openapi/trade_query.php".into(),
            query: vec![],
            headers: vec![],
            body: http::encode_form([("page_no", "0")]).into_bytes(),
        };
        let signed = sign(draft, &account(), 1_700_000_000_123).unwrap();
        let fields = http::parse_form(&signed.body).unwrap();
        assert_eq!(http::form_value(&fields, "timestamp"), Some("1700000000"));
        let expected = signature(
            &params(&[
                ("page_no", "0"),
                ("sid", "test2"),
                ("appkey", "test2-xx"),
                ("timestamp", "1700000000"),
            ]),
            "secret",
        );
        assert_eq!(http::form_value(&fields, "sign"), Some(expected.as_str()));
    }

    #[test]
    fn sign_needs_credentials() {
        let draft = OutboundRequest {
            method: "POST".into(),
            url: "https://x/y.php".into(),
            query: vec![],
            headers: vec![],
            body: vec![],
        };
        let mut a = account();
        a.secrets.clear();
        assert!(matches!(
            sign(draft.clone(), &a, 0),
            Err(KitError::MissingCredential(_))
        ));
        let mut a = account();
        a.credentials.clear();
        assert!(matches!(
            sign(draft, &a, 0),
            Err(KitError::MissingCredential(_))
        ));
    }
}
