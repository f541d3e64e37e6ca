//! Cainiao LINK's `data_digest`, for both directions.
//!
//! LINK signs a message as `Base64(MD5(logistics_interface + secretKey))`:
//! the MD5 of the UTF-8 text of the `logistics_interface` form field exactly
//! as sent, followed by the partner's secret key, as raw digest bytes in
//! standard Base64 (Base64 of the hex text gives a different, wrong value).
//! Inbound pushes are verified and outbound requests signed the same way.

use orderhub_adapter_kit::{KitError, http, sig};

use crate::account;
use crate::bindings::orderhub::adapter::types::{Account, Field, OutboundRequest};

/// The form field carrying the signature.
pub(crate) const DIGEST_FIELD: &str = "data_digest";
/// The form field carrying the signed message.
pub(crate) const INTERFACE_FIELD: &str = "logistics_interface";

/// `data_digest` of `logistics_interface` under `secret`.
pub(crate) fn data_digest(logistics_interface: &str, secret: &str) -> String {
    let mut text = String::with_capacity(logistics_interface.len() + secret.len());
    text.push_str(logistics_interface);
    text.push_str(secret);
    sig::base64(&sig::md5(text.as_bytes()))
}

/// Signs a LINK request draft: a form body with `msg_type` and
/// `logistics_interface`. Adds `logistic_provider_id` (from the credential,
/// unless the draft has one), `to_code` (when configured and absent) and
/// `data_digest` under the account's newest secret.
pub(crate) fn sign(
    mut request: OutboundRequest,
    account: &Account,
) -> Result<OutboundRequest, KitError> {
    let secret = account
        .secrets
        .iter()
        .find(|s| !s.trim().is_empty())
        .ok_or_else(|| {
            KitError::MissingCredential(
                "secret_key: the LINK secret key (account secrets) signs data_digest".into(),
            )
        })?;
    let mut fields = http::parse_form(&request.body)?;
    let interface = http::form_value(&fields, INTERFACE_FIELD)
        .map(str::to_string)
        .ok_or_else(|| {
            KitError::MissingField(format!(
                "{INTERFACE_FIELD}: the draft's form body has no message to sign"
            ))
        })?;
    if http::form_value(&fields, "logistic_provider_id").is_none() {
        let provider = account::required(
            account,
            "logistic_provider_id",
            "the partner's LINK resource code (logistic_provider_id)",
        )?;
        fields.push(("logistic_provider_id".into(), provider.into()));
    }
    if let (None, Some(to_code)) = (
        http::form_value(&fields, "to_code"),
        account::optional(account, "to_code"),
    ) {
        fields.push(("to_code".into(), to_code.into()));
    }
    fields.retain(|(name, _)| name != DIGEST_FIELD);
    fields.push((DIGEST_FIELD.into(), data_digest(&interface, secret)));
    request.body =
        http::encode_form(fields.iter().map(|(n, v)| (n.as_str(), v.as_str()))).into_bytes();
    request
        .headers
        .retain(|h| !h.name.eq_ignore_ascii_case("content-type"));
    request.headers.push(Field {
        name: "Content-Type".into(),
        value: "application/x-www-form-urlencoded; charset=UTF-8".into(),
    });
    Ok(request)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn account(secrets: &[&str], credentials: &[(&str, &str)]) -> Account {
        Account {
            id: "main".into(),
            secrets: secrets.iter().map(|s| s.to_string()).collect(),
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
    fn digest_is_base64_of_the_raw_md5() {
        // MD5("abc") = 900150983cd24fb0d6963f7d28e17f72.
        assert_eq!(data_digest("ab", "c"), "kAFQmDzST7DWlj99KOF/cg==");
    }

    #[test]
    fn sign_adds_provider_to_code_and_digest() {
        let draft = OutboundRequest {
            method: "POST".into(),
            url: "https://link.cainiao.com/gateway/link.do".into(),
            query: vec![],
            headers: vec![],
            body: http::encode_form([
                ("msg_type", "CN_OVERSEA_LOGISTICS_INQUIRY_TRACKING"),
                (INTERFACE_FIELD, r#"{"mailNo":"LP00123"}"#),
            ])
            .into_bytes(),
        };
        let a = account(
            &["sec"],
            &[("logistic_provider_id", "PARTNER1"), ("to_code", "CNL_EU")],
        );
        let signed = sign(draft, &a).unwrap();
        let fields = http::parse_form(&signed.body).unwrap();
        assert_eq!(
            http::form_value(&fields, "logistic_provider_id"),
            Some("PARTNER1")
        );
        assert_eq!(http::form_value(&fields, "to_code"), Some("CNL_EU"));
        assert_eq!(
            http::form_value(&fields, DIGEST_FIELD),
            Some(data_digest(r#"{"mailNo":"LP00123"}"#, "sec").as_str())
        );
    }

    #[test]
    fn sign_needs_a_secret_a_message_and_a_provider() {
        let draft = |body: &str| OutboundRequest {
            method: "POST".into(),
            url: "https://link.cainiao.com/gateway/link.do".into(),
            query: vec![],
            headers: vec![],
            body: body.as_bytes().to_vec(),
        };
        assert!(matches!(
            sign(draft("logistics_interface=x"), &account(&[], &[])),
            Err(KitError::MissingCredential(_))
        ));
        assert!(matches!(
            sign(draft("msg_type=A"), &account(&["s"], &[])),
            Err(KitError::MissingField(_))
        ));
        assert!(matches!(
            sign(draft("logistics_interface=x"), &account(&["s"], &[])),
            Err(KitError::MissingCredential(_))
        ));
    }
}
