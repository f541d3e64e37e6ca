//! Inbound verification of a Standard Webhooks request.
//!
//! The checks run in the reference libraries' order: the three headers must
//! be present, the attempt time must be within five minutes of `now` either
//! way (a captured request cannot be replayed later, nor pre-signed for
//! later), and one `v1` entry of the signature list must match the raw body
//! under one of the account's secrets. Both lists are walked in full, in
//! constant time per comparison, so rotation on either side — the sender
//! listing old and new signatures, or the account holding old and new
//! secrets — never interrupts deliveries.

use orderhub_adapter_kit::{KitError, sig};

use crate::bindings::orderhub::adapter::types::{Account, HttpRequest};
use crate::fields::header;
use crate::scheme::{
    ID_HEADER, SIGNATURE_HEADER, TIMESTAMP_HEADER, TOLERANCE_SECONDS, header_matches, signature,
    v1_signatures,
};
use crate::secret;

/// Accepts the request when it is fresh and signed with a configured secret.
pub fn verify(request: &HttpRequest, account: &Account, now: i64) -> Result<(), KitError> {
    let id = required(request, ID_HEADER)?;
    let stamp = required(request, TIMESTAMP_HEADER)?;
    let signatures = required(request, SIGNATURE_HEADER)?;
    // A broken secret is reported before the request's contents are judged,
    // so it shows up as a configuration error and not as a forged request.
    secret::keys(&account.secrets)?;
    if id.contains('.') {
        // The id is the first `.`-delimited part of the signed content; the
        // specification asks that ids never contain `.`, so the parts cannot
        // be shifted against each other.
        return Err(KitError::invalid(
            ID_HEADER,
            "must not contain '.' (the delimiter of the signed content)",
        ));
    }
    let timestamp = unix_seconds(stamp)?;
    fresh(timestamp, now)?;
    if v1_signatures(signatures).next().is_none() {
        return Err(KitError::MissingSignature(format!(
            "{SIGNATURE_HEADER} has no v1,<base64> entry (asymmetric v1a signatures are not supported)"
        )));
    }
    sig::verify_with_any_secret(
        Some(signatures),
        SIGNATURE_HEADER,
        &account.secrets,
        // Every secret was decoded above; an undecodable one yields an empty
        // expectation, which never matches.
        |secret| {
            secret::decoded(secret)
                .map(|key| signature(&key, id, timestamp, &request.body))
                .unwrap_or_default()
        },
        header_matches,
    )
}

/// A header that must be present and not blank.
fn required<'a>(request: &'a HttpRequest, name: &str) -> Result<&'a str, KitError> {
    header(&request.headers, name)
        .map(str::trim)
        .filter(|v| !v.is_empty())
        .ok_or_else(|| {
            KitError::MissingSignature(format!(
                "{name} header is absent (Standard Webhooks requests carry {ID_HEADER}, \
                 {TIMESTAMP_HEADER} and {SIGNATURE_HEADER})"
            ))
        })
}

/// The attempt time: an integer number of Unix seconds.
fn unix_seconds(stamp: &str) -> Result<i64, KitError> {
    stamp.parse().map_err(|_| {
        KitError::invalid(
            TIMESTAMP_HEADER,
            format_args!("{stamp:?} is not an integer number of Unix seconds"),
        )
    })
}

/// Refuses attempt times more than the tolerance away from `now` (ms).
fn fresh(timestamp: i64, now: i64) -> Result<(), KitError> {
    let now = now.div_euclid(1000);
    let age = now.saturating_sub(timestamp);
    if age > TOLERANCE_SECONDS {
        return Err(KitError::StaleTimestamp(format!(
            "{TIMESTAMP_HEADER} {timestamp} is {age} s before now, more than the {TOLERANCE_SECONDS} s tolerance"
        )));
    }
    let ahead = timestamp.saturating_sub(now);
    if ahead > TOLERANCE_SECONDS {
        return Err(KitError::StaleTimestamp(format!(
            "{TIMESTAMP_HEADER} {timestamp} is {ahead} s after now, more than the {TOLERANCE_SECONDS} s tolerance"
        )));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bindings::orderhub::adapter::types::Field;

    const SECRET: &str = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
    const ID: &str = "msg_p5jXN8AQM9LWM0D4loKWxJek";
    const STAMP: i64 = 1_614_265_330;
    const BODY: &[u8] = br#"{"test": 2432232314}"#;
    const PUBLISHED: &str = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=";

    fn request(headers: &[(&str, &str)], body: &[u8]) -> HttpRequest {
        HttpRequest {
            method: "POST".into(),
            url: "/webhooks/generic/main".into(),
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

    fn published(signature: &str, stamp: &str) -> HttpRequest {
        request(
            &[
                ("Webhook-Id", ID),
                ("Webhook-Timestamp", stamp),
                ("Webhook-Signature", signature),
            ],
            BODY,
        )
    }

    fn account(secrets: &[&str]) -> Account {
        Account {
            id: "main".into(),
            secrets: secrets.iter().map(|s| s.to_string()).collect(),
            credentials: vec![],
        }
    }

    /// The reference libraries' published example verifies at its own time.
    #[test]
    fn published_example_verifies() {
        let req = published(PUBLISHED, "1614265330");
        assert_eq!(verify(&req, &account(&[SECRET]), STAMP * 1000), Ok(()));
        // Without the prefix, and as the second secret of a rotation.
        let other = "whsec_C2FVsBQIhrscChlQIMV+b5sSYspob7oD";
        assert_eq!(
            verify(
                &req,
                &account(&[other, "MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"]),
                STAMP * 1000
            ),
            Ok(())
        );
    }

    #[test]
    fn a_signature_list_verifies_when_any_v1_entry_matches() {
        let list =
            format!("v1,Ceo5qEr07ixe2NLpvHk3FH9bwy/WavXrAFQ/9tdO6mc= v1a,AAAA {PUBLISHED} v2,x");
        let req = published(&list, "1614265330");
        assert_eq!(verify(&req, &account(&[SECRET]), STAMP * 1000), Ok(()));
    }

    #[test]
    fn tolerance_is_five_minutes_either_way() {
        let req = published(PUBLISHED, "1614265330");
        let acc = account(&[SECRET]);
        assert_eq!(verify(&req, &acc, (STAMP + 300) * 1000 + 999), Ok(()));
        assert_eq!(verify(&req, &acc, (STAMP - 300) * 1000), Ok(()));
        assert!(matches!(
            verify(&req, &acc, (STAMP + 301) * 1000),
            Err(KitError::StaleTimestamp(m)) if m.contains("before now")
        ));
        assert!(matches!(
            verify(&req, &acc, (STAMP - 301) * 1000),
            Err(KitError::StaleTimestamp(m)) if m.contains("after now")
        ));
        let far = published(PUBLISHED, "-9223372036854775808");
        assert!(matches!(
            verify(&far, &acc, i64::MAX),
            Err(KitError::StaleTimestamp(_))
        ));
    }

    #[test]
    fn tampering_and_wrong_secrets_are_bad_signatures() {
        let acc = account(&[SECRET]);
        let mut tampered = published(PUBLISHED, "1614265330");
        tampered.body = br#"{"test": 2432232315}"#.to_vec();
        assert!(matches!(
            verify(&tampered, &acc, STAMP * 1000),
            Err(KitError::BadSignature(_))
        ));
        // A signature for another timestamp does not verify at this one.
        let moved = published(PUBLISHED, "1614265331");
        assert!(matches!(
            verify(&moved, &acc, STAMP * 1000),
            Err(KitError::BadSignature(_))
        ));
        let req = published(PUBLISHED, "1614265330");
        assert!(matches!(
            verify(
                &req,
                &account(&["whsec_C2FVsBQIhrscChlQIMV+b5sSYspob7oD"]),
                STAMP * 1000
            ),
            Err(KitError::BadSignature(_))
        ));
    }

    #[test]
    fn missing_headers_and_entries_are_missing_signatures() {
        let acc = account(&[SECRET]);
        for absent in [ID_HEADER, TIMESTAMP_HEADER, SIGNATURE_HEADER] {
            let all = [
                (ID_HEADER, ID),
                (TIMESTAMP_HEADER, "1614265330"),
                (SIGNATURE_HEADER, PUBLISHED),
            ];
            let kept: Vec<_> = all.into_iter().filter(|(n, _)| *n != absent).collect();
            match verify(&request(&kept, BODY), &acc, STAMP * 1000) {
                Err(KitError::MissingSignature(m)) => assert!(m.starts_with(absent), "{m}"),
                other => panic!("expected missing-signature for {absent}, got {other:?}"),
            }
        }
        for list in ["v1a,AAAA", "v1,", "garbage"] {
            assert!(matches!(
                verify(&published(list, "1614265330"), &acc, STAMP * 1000),
                Err(KitError::MissingSignature(_))
            ));
        }
    }

    #[test]
    fn bad_timestamps_ids_and_secrets() {
        let acc = account(&[SECRET]);
        assert!(matches!(
            verify(&published(PUBLISHED, "hello"), &acc, STAMP * 1000),
            Err(KitError::InvalidField(m)) if m.starts_with(TIMESTAMP_HEADER)
        ));
        let dotted = request(
            &[
                (ID_HEADER, "msg.1"),
                (TIMESTAMP_HEADER, "1614265330"),
                (SIGNATURE_HEADER, PUBLISHED),
            ],
            BODY,
        );
        assert!(matches!(
            verify(&dotted, &acc, STAMP * 1000),
            Err(KitError::InvalidField(m)) if m.starts_with(ID_HEADER)
        ));
        let req = published(PUBLISHED, "1614265330");
        assert!(matches!(
            verify(&req, &account(&[]), STAMP * 1000),
            Err(KitError::MissingCredential(_))
        ));
        assert!(matches!(
            verify(&req, &account(&[SECRET, "whsec_%%%"]), STAMP * 1000),
            Err(KitError::MissingCredential(m)) if m.starts_with("secrets[1]")
        ));
    }
}
