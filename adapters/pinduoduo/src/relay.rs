//! OrderHub's relay contract for Pinduoduo pushes, and its verification.
//!
//! The message service delivers frames over a WebSocket whose handshake is
//! signed but whose frames are not, so they cannot be posted to OrderHub as
//! they are. The relay (or the host's own consumer) posts each frame's JSON
//! text verbatim as the body, with two headers:
//!
//! - `X-PDD-Timestamp`: when the relay signed, in Unix seconds;
//! - `X-PDD-Sign`: `MD5(client_secret + timestamp + raw body +
//!   client_secret)` in upper-case hex.
//!
//! The signature covers the raw bytes as received and is compared in constant
//! time against every secret of the account (rotation). A timestamp more than
//! ten minutes away from `now` — the gateway's own tolerance for request
//! timestamps — is refused, so a captured request cannot be replayed later.
//! The README describes the format as a contract.

use orderhub_adapter_kit::{KitError, http, sig};

use crate::bindings::orderhub::adapter::types::HttpRequest;
use crate::pdd_sign;

/// The header carrying the relay's signing time (Unix seconds).
pub const TIMESTAMP_HEADER: &str = "X-PDD-Timestamp";
/// The header carrying the signature.
pub const SIGN_HEADER: &str = "X-PDD-Sign";

/// How far the relay's clock may be from `now`.
const TIMESTAMP_TOLERANCE_MS: u64 = 10 * 60 * 1000;

fn header<'a>(request: &'a HttpRequest, name: &str) -> Option<&'a str> {
    http::header(request.headers.iter().map(|h| (&h.name, &h.value)), name)
        .map(str::trim)
        .filter(|v| !v.is_empty())
}

/// Verifies a relayed body against every secret of the account, in constant
/// time, then checks that its timestamp is fresh.
pub fn verify(request: &HttpRequest, secrets: &[String], now: i64) -> Result<(), KitError> {
    let sent = header(request, SIGN_HEADER);
    let stamp = match (sent, header(request, TIMESTAMP_HEADER)) {
        (None, _) => {
            return Err(KitError::MissingSignature(format!("header {SIGN_HEADER}")));
        }
        // The timestamp is signed: without it the signature cannot be checked.
        (Some(_), None) => {
            return Err(KitError::MissingSignature(format!(
                "header {TIMESTAMP_HEADER} (part of the signature)"
            )));
        }
        (Some(_), Some(stamp)) => stamp,
    };
    // The contract prints the digest in upper-case hex; an exact comparison
    // refuses any other spelling rather than guessing.
    sig::verify_with_any_secret(
        sent,
        &format!("header {SIGN_HEADER}"),
        secrets,
        |secret| pdd_sign::relay(secret, stamp, &request.body),
        sig::exact,
    )?;
    let seconds = stamp
        .parse::<i64>()
        .ok()
        .filter(|_| stamp.bytes().all(|b| b.is_ascii_digit()))
        .ok_or_else(|| {
            KitError::StaleTimestamp(format!(
                "{TIMESTAMP_HEADER} {stamp:?} is not a time in Unix seconds"
            ))
        })?;
    let at = seconds.saturating_mul(1000);
    if now.abs_diff(at) > TIMESTAMP_TOLERANCE_MS {
        return Err(KitError::StaleTimestamp(format!(
            "{TIMESTAMP_HEADER} {stamp} is more than 10 minutes away from now"
        )));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bindings::orderhub::adapter::types::Field;

    /// 2024-04-01 00:00:00 UTC.
    const NOW: i64 = 1_711_929_600_000;
    const BODY: &[u8] = br#"{"id":1,"commandType":"Common","message":{"type":"pdd_trade_TradeConfirmed","mallID":100,"content":"{\"mall_id\":100,\"tid\":\"240401-1\"}"}}"#;

    fn request(body: &[u8], headers: &[(&str, &str)]) -> HttpRequest {
        HttpRequest {
            method: "POST".into(),
            url: "/webhooks/pinduoduo/main".into(),
            headers: headers
                .iter()
                .map(|(n, v)| Field {
                    name: (*n).into(),
                    value: (*v).into(),
                })
                .collect(),
            body: body.to_vec(),
        }
    }

    fn signed(body: &[u8], secret: &str, stamp: &str) -> HttpRequest {
        let sign = pdd_sign::relay(secret, stamp, body);
        request(body, &[("x-pdd-timestamp", stamp), ("X-PDD-Sign", &sign)])
    }

    #[test]
    fn accepts_any_rotated_secret() {
        let secrets = vec!["new".to_string(), "old".to_string()];
        assert_eq!(
            verify(&signed(BODY, "old", "1711929600"), &secrets, NOW),
            Ok(())
        );
        assert_eq!(
            verify(&signed(BODY, "new", "1711929600"), &secrets, NOW),
            Ok(())
        );
    }

    #[test]
    fn refuses_tampering_wrong_secrets_and_lower_case_hex() {
        let secrets = vec!["s".to_string()];
        let mut tampered = signed(BODY, "s", "1711929600");
        tampered.body[10] ^= 1;
        assert!(matches!(
            verify(&tampered, &secrets, NOW),
            Err(KitError::BadSignature(_))
        ));
        assert!(matches!(
            verify(&signed(BODY, "other", "1711929600"), &secrets, NOW),
            Err(KitError::BadSignature(_))
        ));
        let lower = pdd_sign::relay("s", "1711929600", BODY).to_ascii_lowercase();
        let lower = request(
            BODY,
            &[("X-PDD-Timestamp", "1711929600"), ("X-PDD-Sign", &lower)],
        );
        assert!(matches!(
            verify(&lower, &secrets, NOW),
            Err(KitError::BadSignature(_))
        ));
        // A signature over another timestamp does not match this one.
        let mut moved = signed(BODY, "s", "1711929600");
        moved.headers[0].value = "1711929601".into();
        assert!(matches!(
            verify(&moved, &secrets, NOW),
            Err(KitError::BadSignature(_))
        ));
    }

    #[test]
    fn the_readme_example_verifies() {
        let body = br#"{"id":7354931207653261313,"commandType":"Common","sendTime":1711929595000,"message":{"type":"pdd_trade_TradeConfirmed","mallID":100200300,"content":"{\"mall_id\":100200300,\"tid\":\"240401-384756192837465\"}"}}"#;
        let example = request(
            body,
            &[
                ("X-PDD-Timestamp", "1711929600"),
                ("X-PDD-Sign", "22B443E950B55A3FC191E320A1E99FA5"),
            ],
        );
        assert_eq!(
            verify(&example, &["example-secret".to_string()], NOW),
            Ok(())
        );
    }

    #[test]
    fn missing_headers_are_missing_signatures() {
        let secrets = vec!["s".to_string()];
        assert!(matches!(
            verify(&request(BODY, &[]), &secrets, NOW),
            Err(KitError::MissingSignature(m)) if m.contains(SIGN_HEADER)
        ));
        let sign = pdd_sign::relay("s", "1711929600", BODY);
        assert!(matches!(
            verify(&request(BODY, &[("X-PDD-Sign", &sign)]), &secrets, NOW),
            Err(KitError::MissingSignature(m)) if m.contains(TIMESTAMP_HEADER)
        ));
        assert!(matches!(
            verify(&signed(BODY, "s", "1711929600"), &[], NOW),
            Err(KitError::MissingCredential(_))
        ));
    }

    #[test]
    fn stale_and_garbled_timestamps_are_refused_after_the_signature() {
        let secrets = vec!["s".to_string()];
        // Exactly ten minutes either way is still accepted.
        assert_eq!(
            verify(&signed(BODY, "s", "1711929000"), &secrets, NOW),
            Ok(())
        );
        assert_eq!(
            verify(&signed(BODY, "s", "1711930200"), &secrets, NOW),
            Ok(())
        );
        for stamp in [
            "1711928999",
            "1711930201",
            "-5",
            "1711929600000000000000",
            "17e8",
        ] {
            assert!(
                matches!(
                    verify(&signed(BODY, "s", stamp), &secrets, NOW),
                    Err(KitError::StaleTimestamp(_))
                ),
                "{stamp}"
            );
        }
    }
}
