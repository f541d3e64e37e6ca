//! LINK pushes: verifying `data_digest` and turning the message into events.
//!
//! Cainiao POSTs `application/x-www-form-urlencoded` with `msg_type` (the
//! message type, used as the event topic), `logistics_interface` (the
//! message, JSON text here), `data_digest`, and routing fields
//! (`partner_code`, `from_code`, `to_code`, `logistic_provider_id`). Only
//! `logistics_interface` is covered by the digest. Some gateways send the
//! fields in the query string with an empty body; both are read.
//!
//! LINK can also carry XML messages. This adapter reads JSON only: an XML
//! `logistics_interface` still verifies (the digest is over the text) but
//! `normalize` answers `unsupported`, asking for the JSON format.

use orderhub_adapter_kit::json::Fields;
use orderhub_adapter_kit::{KitError, http, sig};

use crate::bindings::orderhub::adapter::types::{Event, HttpRequest};
use crate::digest::{DIGEST_FIELD, INTERFACE_FIELD, data_digest};
use crate::trace;

/// The push's fields: the form body, or the query string when the body is empty.
fn fields(request: &HttpRequest) -> Result<Vec<(String, String)>, KitError> {
    if request.body.iter().all(u8::is_ascii_whitespace) {
        Ok(http::query_params(&request.url))
    } else {
        http::parse_form(&request.body)
    }
}

/// Checks `data_digest` against every secret of the account. A push without
/// `logistics_interface` is verified as if it were empty (that is what its
/// digest covers) and then refused by `normalize`.
pub(crate) fn verify(request: &HttpRequest, secrets: &[String]) -> Result<(), KitError> {
    let fields = fields(request)?;
    let interface = http::form_value(&fields, INTERFACE_FIELD).unwrap_or("");
    sig::verify_with_any_secret(
        http::form_value(&fields, DIGEST_FIELD),
        "form field `data_digest`",
        secrets,
        |secret| data_digest(interface, secret),
        // Base64 is case-sensitive: compare exactly.
        sig::exact,
    )
}

/// One shipment event per trace message.
pub(crate) fn normalize(request: &HttpRequest) -> Result<Vec<Event>, KitError> {
    let fields = fields(request)?;
    let interface = http::form_value(&fields, INTERFACE_FIELD)
        .map(str::trim)
        .filter(|text| !text.is_empty())
        .ok_or_else(|| {
            KitError::MalformedPayload(format!(
                "no form field `{INTERFACE_FIELD}`: a LINK push carries msg_type, logistics_interface and data_digest"
            ))
        })?;
    let topic = http::form_value(&fields, "msg_type")
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .ok_or_else(|| KitError::MissingField("msg_type".into()))?;
    if interface.starts_with('<') {
        return Err(KitError::Unsupported(format!(
            "{INTERFACE_FIELD} is XML: this adapter reads LINK messages in JSON; \
             ask Cainiao to configure the JSON format for this resource"
        )));
    }
    let value: serde_json::Value = serde_json::from_str(interface).map_err(|e| {
        KitError::MalformedPayload(format!(
            "form field `{INTERFACE_FIELD}` is not valid JSON: {e}"
        ))
    })?;
    let message = match Fields::of(&value, INTERFACE_FIELD) {
        Ok(message) => message,
        Err(_) => {
            return Err(KitError::MalformedPayload(format!(
                "form field `{INTERFACE_FIELD}` is not a JSON object"
            )));
        }
    };
    Ok(vec![trace::shipment_event(&message, topic)?])
}

#[cfg(test)]
mod tests {
    use super::*;

    const MESSAGE: &str = r#"{"mailNo":"LP00123","traceDetail":{"actionCode":"GTMS_SIGNED","time":"2024-03-01 10:00:00","timeZone":"+8","standardDesc":"Delivered"}}"#;

    fn request(pairs: &[(&str, &str)]) -> HttpRequest {
        HttpRequest {
            method: "POST".into(),
            url: "/webhooks/cainiao/main".into(),
            headers: vec![],
            body: http::encode_form(pairs.iter().copied()).into_bytes(),
        }
    }

    fn secrets(s: &[&str]) -> Vec<String> {
        s.iter().map(|x| x.to_string()).collect()
    }

    #[test]
    fn verifies_with_any_secret_and_refuses_tampering() {
        let digest = data_digest(MESSAGE, "new");
        let ok = request(&[
            ("msg_type", "CAINIAO_TRACE_PUSH"),
            (INTERFACE_FIELD, MESSAGE),
            (DIGEST_FIELD, &digest),
        ]);
        assert_eq!(verify(&ok, &secrets(&["old", "new"])), Ok(()));
        assert!(matches!(
            verify(&ok, &secrets(&["old"])),
            Err(KitError::BadSignature(_))
        ));
        let tampered = request(&[
            (INTERFACE_FIELD, &MESSAGE.replace("LP00123", "LP00124")),
            (DIGEST_FIELD, &digest),
        ]);
        assert!(matches!(
            verify(&tampered, &secrets(&["new"])),
            Err(KitError::BadSignature(_))
        ));
        let unsigned = request(&[(INTERFACE_FIELD, MESSAGE)]);
        assert!(matches!(
            verify(&unsigned, &secrets(&["new"])),
            Err(KitError::MissingSignature(_))
        ));
    }

    #[test]
    fn query_string_pushes_are_read_too() {
        let query = http::encode_form([
            ("msg_type", "CAINIAO_TRACE_PUSH"),
            (INTERFACE_FIELD, MESSAGE),
            (DIGEST_FIELD, data_digest(MESSAGE, "k").as_str()),
        ]);
        let r = HttpRequest {
            method: "POST".into(),
            url: format!("/webhooks/cainiao/main?{query}"),
            headers: vec![],
            body: vec![],
        };
        assert_eq!(verify(&r, &secrets(&["k"])), Ok(()));
        assert_eq!(normalize(&r).unwrap().len(), 1);
    }

    #[test]
    fn normalize_reads_json_and_refuses_the_rest() {
        let events = normalize(&request(&[
            ("msg_type", "CAINIAO_TRACE_PUSH"),
            (INTERFACE_FIELD, MESSAGE),
        ]))
        .unwrap();
        assert_eq!(events[0].topic, "CAINIAO_TRACE_PUSH");
        assert!(matches!(
            normalize(&request(&[
                ("msg_type", "X"),
                (INTERFACE_FIELD, "<request/>")
            ])),
            Err(KitError::Unsupported(_))
        ));
        assert!(matches!(
            normalize(&request(&[
                ("msg_type", "X"),
                (INTERFACE_FIELD, "{\"mailNo\":")
            ])),
            Err(KitError::MalformedPayload(_))
        ));
        assert!(matches!(
            normalize(&request(&[("msg_type", "X"), (INTERFACE_FIELD, "[1]")])),
            Err(KitError::MalformedPayload(_))
        ));
        assert!(matches!(
            normalize(&request(&[(INTERFACE_FIELD, MESSAGE)])),
            Err(KitError::MissingField(_))
        ));
        assert!(matches!(
            normalize(&request(&[("msg_type", "X")])),
            Err(KitError::MalformedPayload(_))
        ));
    }
}
