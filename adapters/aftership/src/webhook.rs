//! AfterShip tracking webhooks: verifying the signature, reading the envelope.
//!
//! A webhook is a JSON envelope `{ts, event, event_id, is_tracking_first_tag,
//! msg}`: `ts` the UTC Unix time, `event` the topic (`tracking_update` on a
//! status change, `edd_revise` when the estimated delivery changes),
//! `event_id` a UUID that stays the same on retries, and `msg` the whole
//! Tracking. Every envelope becomes one shipment event.

use orderhub_adapter_kit::json::{self, Fields};
use orderhub_adapter_kit::{KitError, http, sig, time};

use crate::bindings::orderhub::adapter::types::{Event, Field};
use crate::signing::webhook_signature;
use crate::tracking;

/// The signature header.
pub(crate) const SIGNATURE_HEADER: &str = "aftership-hmac-sha256";
/// A tracking's status changed.
pub(crate) const TRACKING_UPDATE: &str = "tracking_update";
/// A tracking's estimated delivery date changed.
pub(crate) const EDD_REVISE: &str = "edd_revise";

/// Checks `aftership-hmac-sha256` against every configured webhook secret.
pub(crate) fn verify(headers: &[Field], body: &[u8], secrets: &[String]) -> Result<(), KitError> {
    let sent = http::header(
        headers.iter().map(|h| (&h.name, &h.value)),
        SIGNATURE_HEADER,
    );
    sig::verify_with_any_secret(
        sent,
        "header aftership-hmac-sha256",
        secrets,
        |secret| webhook_signature(secret, body),
        // Base64 is case-sensitive: compare exactly.
        sig::exact,
    )
}

/// One shipment event per envelope.
pub(crate) fn normalize(body: &[u8]) -> Result<Vec<Event>, KitError> {
    let value = json::parse(body)?;
    let envelope = Fields::of(&value, "")?;
    let topic = envelope.string("event")?;
    let msg = envelope.object("msg")?;
    let sent_at = envelope
        .optional("ts")
        .map(|ts| time::unix_seconds_value(ts, "ts"))
        .transpose()?;
    Ok(vec![tracking::shipment_event(
        &msg,
        &topic,
        envelope.opt_string("event_id"),
        sent_at,
    )?])
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bindings::orderhub::adapter::types::EventBody;

    const BODY: &[u8] = br#"{"ts":1715000000,"event":"tracking_update","event_id":"0f3d7bb6-5c7e-4f0e-9d43-6c1c8d1f2e11","is_tracking_first_tag":false,"msg":{"id":"t1","tracking_number":"111111111111","slug":"fedex","tag":"OutForDelivery","subtag":"OutForDelivery_001","order_id":"1001","checkpoints":[{"checkpoint_time":"2024-05-06T08:00:00-05:00","message":"On vehicle","tag":"OutForDelivery","subtag":"OutForDelivery_001"}]}}"#;

    fn headers(signature: Option<&str>) -> Vec<Field> {
        signature
            .map(|s| Field {
                name: "Aftership-Hmac-Sha256".into(),
                value: s.into(),
            })
            .into_iter()
            .collect()
    }

    #[test]
    fn signature_verifies_with_any_secret_and_refuses_tampering() {
        let signature = webhook_signature("whsec_new", BODY);
        let secrets = vec!["whsec_old".to_string(), "whsec_new".to_string()];
        assert_eq!(verify(&headers(Some(&signature)), BODY, &secrets), Ok(()));
        let mut tampered = BODY.to_vec();
        tampered[10] ^= 1;
        assert!(matches!(
            verify(&headers(Some(&signature)), &tampered, &secrets),
            Err(KitError::BadSignature(_))
        ));
        assert!(matches!(
            verify(&headers(None), BODY, &secrets),
            Err(KitError::MissingSignature(_))
        ));
        assert!(matches!(
            verify(&headers(Some(&signature)), BODY, &[]),
            Err(KitError::MissingCredential(_))
        ));
    }

    #[test]
    fn envelope_becomes_one_event() {
        let events = normalize(BODY).unwrap();
        let e = &events[0];
        assert_eq!(e.topic, "tracking_update");
        assert_eq!(
            e.event_id.as_deref(),
            Some("0f3d7bb6-5c7e-4f0e-9d43-6c1c8d1f2e11")
        );
        // No updated_at in msg: the envelope's ts.
        assert_eq!(e.occurred_at, Some(1_715_000_000_000));
        match &e.body {
            EventBody::Shipment(s) => {
                assert_eq!(
                    (s.carrier.as_str(), s.order_external_id.as_deref()),
                    ("fedex", Some("1001"))
                );
                assert_eq!(s.checkpoints[0].at, Some(1_715_000_400_000));
            }
            _ => panic!("not a shipment"),
        }
    }

    #[test]
    fn bad_envelopes_are_typed() {
        assert!(matches!(
            normalize(b"{\"ts\":"),
            Err(KitError::MalformedPayload(_))
        ));
        assert_eq!(
            normalize(br#"{"event":"tracking_update"}"#).err(),
            Some(KitError::MissingField("msg".into()))
        );
        assert_eq!(
            normalize(br#"{"msg":{}}"#).err(),
            Some(KitError::MissingField("event".into()))
        );
        assert!(matches!(
            normalize(br#"{"event":"x","ts":"soon","msg":{"tracking_number":"1","slug":"ups"}}"#),
            Err(KitError::InvalidField(_))
        ));
    }
}
