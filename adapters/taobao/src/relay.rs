//! The HTTP relay form OrderHub accepts for Taobao pushes, and its
//! verification.
//!
//! TMC delivers messages over a WebSocket whose handshake is signed but whose
//! messages are not, so they cannot be posted to OrderHub as they are. The
//! relay (and the host's own TMC consumer) posts each message as an
//! `application/x-www-form-urlencoded` body with the message fields `topic`,
//! `content`, `id`, `pub_time`, `pub_app_key`, `user_id`, `user_nick` (any
//! subset), optionally `timestamp` and `sign_method`, and `sign`: the TOP
//! signature over every other field of the form, with the app secret. A
//! `timestamp` more than ten minutes away from `now` (TOP's own tolerance) is
//! refused. The README describes the format as a contract.

use orderhub_adapter_kit::{KitError, http, sig, time};

use crate::top_sign::{self, SignMethod};

/// TOP accepts request timestamps within ten minutes of its clock.
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

/// Verifies a relayed message against every secret of the account, in
/// constant time, then checks its `timestamp` when it has one.
pub fn verify(body: &[u8], secrets: &[String], now: i64) -> Result<(), KitError> {
    let fields = parse(body)?;
    let sent = match http::form_value(&fields, "sign") {
        Some(sign) if !sign.trim().is_empty() => sign,
        _ => return Err(KitError::MissingSignature("form field `sign`".into())),
    };
    // A method this adapter cannot compute is a signature it cannot match.
    let method = match http::form_value(&fields, "sign_method") {
        None | Some("") => SignMethod::Md5,
        Some(value) => SignMethod::parse(value, "sign_method").map_err(|e| match e {
            KitError::InvalidField(why) => KitError::BadSignature(why),
            other => other,
        })?,
    };
    let signed = || fields.iter().map(|(n, v)| (n.as_str(), v.as_str()));
    // TOP prints signatures in upper-case hex; an exact comparison refuses
    // any other spelling rather than guessing.
    sig::verify_with_any_secret(
        Some(sent),
        "form field `sign`",
        secrets,
        |secret| top_sign::sign(signed(), secret, method),
        sig::exact,
    )?;
    if let Some(stamp) = http::form_value(&fields, "timestamp").filter(|t| !t.is_empty()) {
        let at = time::parse_local(stamp, time::shanghai(), "timestamp")?;
        if now.abs_diff(at) > TIMESTAMP_TOLERANCE_MS {
            return Err(KitError::StaleTimestamp(format!(
                "timestamp {stamp:?} (GMT+8) is more than 10 minutes away from now"
            )));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOW: i64 = 1_711_929_600_000; // 2024-04-01 08:00:00 +08:00

    fn form(fields: &[(&str, &str)], secret: &str, method: SignMethod) -> Vec<u8> {
        let sign = top_sign::sign(fields.iter().copied(), secret, method);
        let mut all = fields.to_vec();
        all.push(("sign", &sign));
        http::encode_form(all).into_bytes()
    }

    const MESSAGE: [(&str, &str); 4] = [
        ("topic", "taobao_trade_TradeBuyerPay"),
        ("content", r#"{"tid":1,"payment":"1.00"}"#),
        ("id", "42"),
        ("pub_time", "2024-04-01 07:59:00"),
    ];

    #[test]
    fn accepts_every_sign_method_and_any_rotated_secret() {
        let secrets = vec!["new".to_string(), "old".to_string()];
        let md5 = form(&MESSAGE, "old", SignMethod::Md5);
        assert_eq!(verify(&md5, &secrets, NOW), Ok(()));
        let mut fields = MESSAGE.to_vec();
        fields.push(("sign_method", "hmac-sha256"));
        assert_eq!(
            verify(&form(&fields, "new", SignMethod::HmacSha256), &secrets, NOW),
            Ok(())
        );
        fields.pop();
        fields.push(("sign_method", "hmac"));
        assert_eq!(
            verify(&form(&fields, "new", SignMethod::HmacMd5), &secrets, NOW),
            Ok(())
        );
    }

    #[test]
    fn refuses_tampering_missing_signatures_and_lower_case_hex() {
        let secrets = vec!["s".to_string()];
        let body = form(&MESSAGE, "s", SignMethod::Md5);
        let tampered = String::from_utf8(body.clone())
            .unwrap()
            .replace("1.00", "9.00");
        assert!(matches!(
            verify(tampered.as_bytes(), &secrets, NOW),
            Err(KitError::BadSignature(_))
        ));
        let lower_sign = top_sign::sign(MESSAGE, "s", SignMethod::Md5).to_ascii_lowercase();
        let mut lower = MESSAGE.to_vec();
        lower.push(("sign", &lower_sign));
        let lower = http::encode_form(lower);
        assert!(matches!(
            verify(lower.as_bytes(), &secrets, NOW),
            Err(KitError::BadSignature(_))
        ));
        assert_eq!(verify(&body, &secrets, NOW), Ok(()));
        let unsigned = http::encode_form(MESSAGE);
        assert!(matches!(
            verify(unsigned.as_bytes(), &secrets, NOW),
            Err(KitError::MissingSignature(_))
        ));
        assert!(matches!(
            verify(b"", &secrets, NOW),
            Err(KitError::MissingSignature(_))
        ));
    }

    #[test]
    fn checks_the_timestamp_only_when_present() {
        let secrets = vec!["s".to_string()];
        let mut fields = MESSAGE.to_vec();
        fields.push(("timestamp", "2024-04-01 07:51:00"));
        assert_eq!(
            verify(&form(&fields, "s", SignMethod::Md5), &secrets, NOW),
            Ok(())
        );
        fields.pop();
        fields.push(("timestamp", "2024-04-01 07:49:59"));
        assert!(matches!(
            verify(&form(&fields, "s", SignMethod::Md5), &secrets, NOW),
            Err(KitError::StaleTimestamp(_))
        ));
    }

    #[test]
    fn the_readme_example_verifies() {
        let body = "topic=taobao_trade_TradeBuyerPay&content=%7B%22tid%22%3A1234567890123%2C%22buyer_nick%22%3A%22t%2A%2A1%22%2C%22payment%22%3A%2288.50%22%7D&id=2110700041190474002&pub_time=2024-04-01+07%3A59%3A30&sign=CA8F5B6A31E9BDF04F75A37B3D144D67";
        assert_eq!(
            verify(body.as_bytes(), &["example-secret".to_string()], NOW),
            Ok(())
        );
    }

    #[test]
    fn duplicate_fields_and_unknown_methods_are_refused() {
        let secrets = vec!["s".to_string()];
        let mut body = form(&MESSAGE, "s", SignMethod::Md5);
        body.extend_from_slice(b"&id=43");
        assert!(matches!(
            verify(&body, &secrets, NOW),
            Err(KitError::MalformedPayload(_))
        ));
        let mut fields = MESSAGE.to_vec();
        fields.push(("sign_method", "sha1"));
        assert!(matches!(
            verify(&form(&fields, "s", SignMethod::Md5), &secrets, NOW),
            Err(KitError::BadSignature(m)) if m.starts_with("sign_method")
        ));
    }
}
