//! The HTTP relay form OrderHub accepts for JD order messages, and its
//! verification.
//!
//! This is OrderHub's own format, not a JD one: how JD delivers order
//! messages is not established here, so whatever receives them (a message
//! consumer, a poller, a middleware) relays each one to OrderHub as an
//! `application/x-www-form-urlencoded` body with the fields `topic`,
//! `content` (JSON text), `id` (the message id), `timestamp`
//! (`yyyy-MM-dd HH:mm:ss` in GMT+8, optionally with `.SSS` and `+0800`) and
//! `sign`: the JOS signature (`jos_sign`) over every other field of the form,
//! with the app secret. Extra fields are allowed and signed like the others.
//! A `timestamp` more than ten minutes away from `now` is refused, so a
//! captured body cannot be replayed later. The README describes the format
//! as a contract.

use orderhub_adapter_kit::{KitError, http, sig, time};

use crate::jos_sign;

/// Relayed messages must be signed within ten minutes of `now`.
const TIMESTAMP_TOLERANCE_MS: u64 = 10 * 60 * 1000;

/// Decodes the relay form from the raw body. A field given twice is refused:
/// the signature would cover both copies while the reader takes one.
pub fn parse(body: &[u8]) -> Result<Vec<(String, String)>, KitError> {
    let fields = http::parse_form(body)?;
    for (i, (name, _)) in fields.iter().enumerate() {
        if fields.iter().skip(i + 1).any(|(other, _)| other == name) {
            return Err(KitError::MalformedPayload(format!(
                "form field {name:?} is given more than once"
            )));
        }
    }
    Ok(fields)
}

/// Reads a relay `timestamp`: GMT+8 local time, with an optional `+0800`.
pub fn parse_timestamp(text: &str, field: &str) -> Result<i64, KitError> {
    let local = text.trim();
    let local = local.strip_suffix("+0800").unwrap_or(local);
    time::parse_local(local, time::shanghai(), field)
}

/// Verifies a relayed message against every secret of the account, in
/// constant time, then checks its `timestamp`.
pub fn verify(body: &[u8], secrets: &[String], now: i64) -> Result<(), KitError> {
    let fields = parse(body)?;
    let signed = || fields.iter().map(|(n, v)| (n.as_str(), v.as_str()));
    // JOS prints signatures in upper-case hex; an exact comparison refuses
    // any other spelling rather than guessing.
    sig::verify_with_any_secret(
        http::form_value(&fields, "sign"),
        "form field `sign`",
        secrets,
        |secret| jos_sign::sign(signed(), secret),
        sig::exact,
    )?;
    let stamp = http::form_value(&fields, "timestamp")
        .filter(|t| !t.is_empty())
        .ok_or_else(|| KitError::MissingField("form field `timestamp`".into()))?;
    let at = parse_timestamp(stamp, "timestamp")?;
    if now.abs_diff(at) > TIMESTAMP_TOLERANCE_MS {
        return Err(KitError::StaleTimestamp(format!(
            "timestamp {stamp:?} (GMT+8) is more than 10 minutes away from now"
        )));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOW: i64 = 1_711_929_600_000; // 2024-04-01 08:00:00 +08:00

    fn form(fields: &[(&str, &str)], secret: &str) -> Vec<u8> {
        let sign = jos_sign::sign(fields.iter().copied(), secret);
        let mut all = fields.to_vec();
        all.push(("sign", &sign));
        http::encode_form(all).into_bytes()
    }

    const MESSAGE: [(&str, &str); 4] = [
        ("topic", "jd_order"),
        ("content", r#"{"orderId":"1","orderPayment":"1.00"}"#),
        ("id", "42"),
        ("timestamp", "2024-04-01 07:59:00"),
    ];

    #[test]
    fn accepts_any_rotated_secret() {
        let secrets = vec!["new".to_string(), "old".to_string()];
        assert_eq!(verify(&form(&MESSAGE, "old"), &secrets, NOW), Ok(()));
        assert_eq!(verify(&form(&MESSAGE, "new"), &secrets, NOW), Ok(()));
    }

    #[test]
    fn refuses_tampering_missing_signatures_and_lower_case_hex() {
        let secrets = vec!["s".to_string()];
        let body = form(&MESSAGE, "s");
        let tampered = String::from_utf8(body.clone())
            .unwrap()
            .replace("1.00", "9.00");
        assert!(matches!(
            verify(tampered.as_bytes(), &secrets, NOW),
            Err(KitError::BadSignature(_))
        ));
        let lower_sign = jos_sign::sign(MESSAGE, "s").to_ascii_lowercase();
        let mut lower = MESSAGE.to_vec();
        lower.push(("sign", &lower_sign));
        assert!(matches!(
            verify(http::encode_form(lower).as_bytes(), &secrets, NOW),
            Err(KitError::BadSignature(_))
        ));
        assert!(matches!(
            verify(http::encode_form(MESSAGE).as_bytes(), &secrets, NOW),
            Err(KitError::MissingSignature(_))
        ));
        assert!(matches!(
            verify(b"", &secrets, NOW),
            Err(KitError::MissingSignature(_))
        ));
    }

    #[test]
    fn the_timestamp_is_required_and_fresh() {
        let secrets = vec!["s".to_string()];
        let mut fields = MESSAGE.to_vec();
        fields[3] = ("timestamp", "2024-04-01 07:51:00.123+0800");
        assert_eq!(verify(&form(&fields, "s"), &secrets, NOW), Ok(()));
        fields[3] = ("timestamp", "2024-04-01 07:49:59");
        assert!(matches!(
            verify(&form(&fields, "s"), &secrets, NOW),
            Err(KitError::StaleTimestamp(_))
        ));
        fields.pop();
        assert!(matches!(
            verify(&form(&fields, "s"), &secrets, NOW),
            Err(KitError::MissingField(_))
        ));
    }

    #[test]
    fn duplicate_fields_are_refused() {
        let mut body = form(&MESSAGE, "s");
        body.extend_from_slice(b"&id=43");
        assert!(matches!(
            verify(&body, &["s".to_string()], NOW),
            Err(KitError::MalformedPayload(_))
        ));
    }
}
