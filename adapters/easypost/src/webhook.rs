//! EasyPost webhooks: verifying `X-Hmac-Signature` and reading the Event.
//!
//! EasyPost POSTs an Event object (`id` `evt_…`, `description` such as
//! `tracker.updated`, `result` the changed object) to every webhook URL of
//! the account, for all kinds of objects. Only tracker events become
//! shipment events; the others (batches, refunds, invoices, …) are
//! acknowledged and recorded as nothing.

use orderhub_adapter_kit::json::{self, Fields};
use orderhub_adapter_kit::{KitError, http, sig};

use crate::bindings::orderhub::adapter::types::{Event, Field};
use crate::signing::webhook_signature;
use crate::tracker;

/// The signature header.
pub(crate) const SIGNATURE_HEADER: &str = "X-Hmac-Signature";
/// A tracker was created (its first state).
pub(crate) const TRACKER_CREATED: &str = "tracker.created";
/// A tracker's status or scans changed.
pub(crate) const TRACKER_UPDATED: &str = "tracker.updated";

/// Checks `X-Hmac-Signature` against every configured webhook secret.
pub(crate) fn verify(headers: &[Field], body: &[u8], secrets: &[String]) -> Result<(), KitError> {
    let sent = http::header(
        headers.iter().map(|h| (&h.name, &h.value)),
        SIGNATURE_HEADER,
    );
    sig::verify_with_any_secret(
        sent,
        "header X-Hmac-Signature",
        secrets,
        |secret| webhook_signature(secret, body),
        // EasyPost prints lower hex after a fixed prefix and compares exactly.
        sig::exact,
    )
}

/// One shipment event for a tracker Event; nothing for other Events.
pub(crate) fn normalize(body: &[u8]) -> Result<Vec<Event>, KitError> {
    let value = json::parse(body)?;
    let event = Fields::of(&value, "")?;
    if let Some(object) = event.opt_string("object")
        && object != "Event"
    {
        return Err(KitError::invalid(
            "object",
            format_args!("{object:?} is not an EasyPost Event"),
        ));
    }
    let description = event.string("description")?;
    if description != TRACKER_CREATED && description != TRACKER_UPDATED {
        return Ok(Vec::new());
    }
    let result = event.object("result")?;
    // The evt_ id is the same on every retry of the delivery.
    let event_id = event.opt_string("id");
    Ok(vec![tracker::shipment_event(
        &result,
        &description,
        event_id,
    )?])
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bindings::orderhub::adapter::types::EventBody;

    const SAMPLE: &[u8] = include_bytes!("../testdata/event-tracker-updated.json");
    const SIGNATURE: &str =
        "hmac-sha256-hex=38f3f53c103713df81616a0a186d77141957323ec21d5fe9363db93840f527db";

    fn headers(signature: Option<&str>) -> Vec<Field> {
        signature
            .map(|s| Field {
                name: "x-hmac-signature".into(),
                value: s.into(),
            })
            .into_iter()
            .collect()
    }

    fn secrets(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn published_example_verifies_with_rotation() {
        assert_eq!(
            verify(&headers(Some(SIGNATURE)), SAMPLE, &secrets(&["sécret"])),
            Ok(())
        );
        assert_eq!(
            verify(
                &headers(Some(SIGNATURE)),
                SAMPLE,
                &secrets(&["new", "sécret"])
            ),
            Ok(())
        );
    }

    #[test]
    fn tampered_missing_and_unconfigured_are_refused() {
        let mut tampered = SAMPLE.to_vec();
        tampered[20] ^= 1;
        assert!(matches!(
            verify(&headers(Some(SIGNATURE)), &tampered, &secrets(&["sécret"])),
            Err(KitError::BadSignature(_))
        ));
        assert!(matches!(
            verify(&headers(None), SAMPLE, &secrets(&["sécret"])),
            Err(KitError::MissingSignature(_))
        ));
        assert!(matches!(
            verify(&headers(Some(SIGNATURE)), SAMPLE, &[]),
            Err(KitError::MissingCredential(_))
        ));
        let bare = SIGNATURE.trim_start_matches("hmac-sha256-hex=");
        assert!(matches!(
            verify(&headers(Some(bare)), SAMPLE, &secrets(&["sécret"])),
            Err(KitError::BadSignature(_))
        ));
    }

    #[test]
    fn sample_becomes_one_shipment_event() {
        let events = normalize(SAMPLE).unwrap();
        assert_eq!(events.len(), 1);
        let e = &events[0];
        assert_eq!(
            (e.topic.as_str(), e.event_id.as_deref()),
            ("tracker.updated", Some("evt_1"))
        );
        assert_eq!(e.occurred_at, Some(1_722_626_811_000));
        assert_eq!(e.status.as_ref().unwrap().value, "in_transit");
        match &e.body {
            EventBody::Shipment(s) => {
                assert_eq!(
                    (s.carrier.as_str(), s.tracking_number.as_str()),
                    ("FedEx", "1")
                );
                assert_eq!(s.checkpoints.len(), 7);
                assert_eq!(
                    s.checkpoints[0].description,
                    "Shipment information sent to FedEx"
                );
                assert!(!s.signed);
            }
            _ => panic!("not a shipment"),
        }
    }

    #[test]
    fn other_events_are_nothing_and_bad_bodies_are_typed() {
        let batch = br#"{"object":"Event","id":"evt_2","description":"batch.updated","result":{"object":"Batch"}}"#;
        assert_eq!(normalize(batch).unwrap().len(), 0);
        assert!(matches!(
            normalize(b"{\"id\":"),
            Err(KitError::MalformedPayload(_))
        ));
        assert!(matches!(
            normalize(b"[]"),
            Err(KitError::MalformedPayload(_))
        ));
        assert_eq!(
            normalize(br#"{"object":"Event","description":"tracker.updated"}"#).err(),
            Some(KitError::MissingField("result".into()))
        );
        assert_eq!(
            normalize(br#"{"object":"Event"}"#).err(),
            Some(KitError::MissingField("description".into()))
        );
    }
}
