//! Verifying and normalizing a Frappe webhook.
//!
//! Frappe's Webhook doctype (`frappe/integrations/doctype/webhook/webhook.py`)
//! POSTs `json.dumps(data)` where `data` is the operator's `webhook_json`
//! template rendered against the document. With "Enable Security" it adds
//!
//! ```text
//! X-Frappe-Webhook-Signature: base64( HMAC-SHA256(webhook_secret, body) )
//! ```
//!
//! computed over the same `json.dumps(data)` text it sends, so the adapter
//! checks the raw body. There is no timestamp and no delivery id.

use chrono::FixedOffset;
use orderhub_adapter_kit::json::{self, Fields};
use orderhub_adapter_kit::{KitError, http, sig};

use crate::bindings::orderhub::adapter::types::{Event, HttpRequest};
use crate::docs;

pub(crate) const SIGNATURE_HEADER: &str = "X-Frappe-Webhook-Signature";

/// Checks the signature against every configured webhook secret.
pub(crate) fn verify(request: &HttpRequest, secrets: &[String]) -> Result<(), KitError> {
    let sent = http::header(
        request.headers.iter().map(|h| (&h.name, &h.value)),
        SIGNATURE_HEADER,
    );
    sig::verify_with_any_secret(
        sent,
        SIGNATURE_HEADER,
        secrets,
        |secret| sig::base64(&sig::hmac_sha256(secret.as_bytes(), &request.body)),
        sig::exact,
    )
}

/// The events of a verified delivery. The topic is the payload's doctype.
pub(crate) fn normalize(body: &[u8], zone: Option<FixedOffset>) -> Result<Vec<Event>, KitError> {
    let value = json::parse(body)?;
    let doc = Fields::of(&value, "")?;
    let topic = doc.string("doctype")?;
    docs::events(&doc, &topic, zone)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bindings::orderhub::adapter::types::Field;

    fn request(body: &str, signature: Option<&str>) -> HttpRequest {
        HttpRequest {
            method: "POST".into(),
            url: "/webhooks/erpnext/main".into(),
            headers: signature
                .map(|s| {
                    vec![Field {
                        name: "x-frappe-webhook-signature".into(),
                        value: s.into(),
                    }]
                })
                .unwrap_or_default(),
            body: body.as_bytes().to_vec(),
        }
    }

    #[test]
    fn verifies_base64_hmac_of_the_raw_body() {
        let body = r#"{"doctype": "Sales Order", "name": "SO-1"}"#;
        let good = sig::base64(&sig::hmac_sha256(b"new", body.as_bytes()));
        let secrets = vec!["old".to_string(), "new".to_string()];
        assert_eq!(verify(&request(body, Some(&good)), &secrets), Ok(()));
        assert!(matches!(
            verify(
                &request(&body.replace("SO-1", "SO-2"), Some(&good)),
                &secrets
            ),
            Err(KitError::BadSignature(_))
        ));
        assert!(matches!(
            verify(&request(body, None), &secrets),
            Err(KitError::MissingSignature(_))
        ));
    }

    #[test]
    fn bodies_without_doctype_are_refused() {
        assert!(matches!(
            normalize(b"{}", None),
            Err(KitError::MissingField(_))
        ));
        assert!(matches!(
            normalize(b"[", None),
            Err(KitError::MalformedPayload(_))
        ));
    }
}
