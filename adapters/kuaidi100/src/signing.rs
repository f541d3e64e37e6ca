//! Kuaidi100's signatures: MD5 over concatenated text, printed as upper hex.
//!
//! A push is signed as `MD5(param + salt)`, a realtime query as
//! `MD5(param + key + customer)`, where `param` is the JSON text exactly as
//! it travels in the form (after URL-decoding), never a re-serialisation.

use orderhub_adapter_kit::{KitError, http, sig};

use crate::account;
use crate::bindings::orderhub::adapter::types::{Account, Field, OutboundRequest};

/// Upper-hex MD5 of the concatenated parts.
fn md5_upper(parts: &[&str]) -> String {
    sig::hex_upper(&sig::md5(parts.concat().as_bytes()))
}

/// The `sign` of a push whose form field `param` is `param`.
pub(crate) fn push_signature(param: &str, salt: &str) -> String {
    md5_upper(&[param, salt])
}

/// The `sign` of a realtime query carrying `param`.
pub(crate) fn query_signature(param: &str, key: &str, customer: &str) -> String {
    md5_upper(&[param, key, customer])
}

/// Signs a query draft: adds `customer` and `sign` next to the draft's
/// `param`, in the form body when `param` is there, else in the query string.
/// Fields of those names already present are replaced.
pub(crate) fn sign_query(
    mut request: OutboundRequest,
    account: &Account,
) -> Result<OutboundRequest, KitError> {
    let customer = account::required(
        account,
        "customer",
        "the realtime query's customer id from the Kuaidi100 console",
    )?;
    let key = account::required(
        account,
        "key",
        "the realtime query's authorisation key from the Kuaidi100 console",
    )?;

    if !request.body.is_empty() {
        let mut fields = http::parse_form(&request.body)?;
        if let Some(param) = http::form_value(&fields, "param") {
            let sign = query_signature(param, key, customer);
            fields.retain(|(name, _)| name != "customer" && name != "sign");
            fields.push(("customer".into(), customer.into()));
            fields.push(("sign".into(), sign));
            request.body = http::encode_form(fields.iter().map(|(n, v)| (n.as_str(), v.as_str())))
                .into_bytes();
            set_form_content_type(&mut request.headers);
            return Ok(request);
        }
    }
    if let Some(param) = request
        .query
        .iter()
        .find(|f| f.name == "param")
        .map(|f| f.value.clone())
    {
        let sign = query_signature(&param, key, customer);
        request
            .query
            .retain(|f| f.name != "customer" && f.name != "sign");
        request.query.push(Field {
            name: "customer".into(),
            value: customer.into(),
        });
        request.query.push(Field {
            name: "sign".into(),
            value: sign,
        });
        return Ok(request);
    }
    Err(KitError::MissingField(
        "param: the request carries no `param` form field or query parameter to sign".into(),
    ))
}

/// Declares the form encoding unless the draft already says what it is.
fn set_form_content_type(headers: &mut Vec<Field>) {
    if !headers
        .iter()
        .any(|h| h.name.eq_ignore_ascii_case("content-type"))
    {
        headers.push(Field {
            name: "Content-Type".into(),
            value: "application/x-www-form-urlencoded".into(),
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The real push captured in go-tron/express-trace (kuaidi100_test.go),
    /// byte for byte, and the salt used there.
    const SAMPLE_PARAM: &str = include_str!("../testdata/push-param-sample.json");

    #[test]
    fn push_signature_matches_the_published_example() {
        assert_eq!(
            push_signature(SAMPLE_PARAM, "123"),
            "315EDA9CDABADA878C643EBFE3DBCF1B"
        );
    }

    #[test]
    fn query_signature_is_param_key_customer() {
        // MD5("abc") with the three parts split anywhere is the same digest.
        assert_eq!(
            query_signature("a", "b", "c"),
            "900150983CD24FB0D6963F7D28E17F72"
        );
    }

    fn account() -> Account {
        Account {
            id: "main".into(),
            secrets: vec![],
            credentials: vec![
                Field {
                    name: "customer".into(),
                    value: "CUST".into(),
                },
                Field {
                    name: "key".into(),
                    value: "KEY".into(),
                },
            ],
        }
    }

    fn draft(body: &str, query: Vec<Field>) -> OutboundRequest {
        OutboundRequest {
            method: "POST".into(),
            url: "https://poll.kuaidi100.com/poll/query.do".into(),
            query,
            headers: vec![],
            body: body.as_bytes().to_vec(),
        }
    }

    #[test]
    fn signs_the_form_body_and_replaces_old_fields() {
        let param = r#"{"com":"yunda","num":"4310508235533"}"#;
        let body = http::encode_form([("sign", "OLD"), ("param", param)]);
        let signed = sign_query(draft(&body, vec![]), &account()).unwrap();
        let fields = http::parse_form(&signed.body).unwrap();
        let expected = query_signature(param, "KEY", "CUST");
        assert_eq!(
            fields,
            vec![
                ("param".to_string(), param.to_string()),
                ("customer".to_string(), "CUST".to_string()),
                ("sign".to_string(), expected),
            ]
        );
        assert_eq!(signed.headers[0].value, "application/x-www-form-urlencoded");
    }

    #[test]
    fn signs_a_param_carried_in_the_query() {
        let query = vec![Field {
            name: "param".into(),
            value: "{}".into(),
        }];
        let signed = sign_query(draft("", query), &account()).unwrap();
        let sign = signed
            .query
            .iter()
            .find(|f| f.name == "sign")
            .map(|f| f.value.clone());
        assert_eq!(sign, Some(query_signature("{}", "KEY", "CUST")));
        assert!(signed.body.is_empty());
    }

    #[test]
    fn refuses_drafts_without_param_or_credentials() {
        assert!(matches!(
            sign_query(draft("a=1", vec![]), &account()),
            Err(KitError::MissingField(_))
        ));
        let mut no_key = account();
        no_key.credentials.pop();
        assert!(matches!(
            sign_query(draft("param=%7B%7D", vec![]), &no_key),
            Err(KitError::MissingCredential(m)) if m.starts_with("key:")
        ));
    }
}
