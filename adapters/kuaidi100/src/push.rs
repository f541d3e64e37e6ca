//! Subscription pushes: verifying their signature and turning them into events.
//!
//! Kuaidi100 POSTs `application/x-www-form-urlencoded` with two fields:
//! `param`, the JSON text of the update, and `sign`, the upper-hex
//! `MD5(param + salt)` where `salt` is the one given when subscribing. The
//! JSON carries the monitoring status (`status`: `polling`, `shutdown`,
//! `abort`, `updateall`), its `message`, a carrier-code correction
//! (`autoCheck`, `comOld`, `comNew`) and the tracking result `lastResult`.
//!
//! Kuaidi100 signs only when the subscription set a salt, so accounts must
//! subscribe with one: an unsigned push is refused as `missing-signature`.
//! A push without `param` is verified as if `param` were empty (that is what
//! its signature covers) and refused by `normalize` as malformed.

use orderhub_adapter_kit::json::Fields;
use orderhub_adapter_kit::{KitError, http, sig};

use crate::bindings::orderhub::adapter::types::{Event, Field};
use crate::signing::push_signature;
use crate::status::{ABORT, MESSAGE, MONITOR_STATUS};
use crate::track::{self, TOPIC_PUSH};

/// Checks `sign` against `MD5(param + salt)` for every configured salt.
pub(crate) fn verify(body: &[u8], salts: &[String]) -> Result<(), KitError> {
    let fields = http::parse_form(body)?;
    let sent = http::form_value(&fields, "sign").filter(|s| !s.trim().is_empty());
    if sent.is_none() {
        return Err(KitError::MissingSignature(
            "form field `sign` is absent: Kuaidi100 signs pushes only when the subscription sets `salt`".into(),
        ));
    }
    let param = http::form_value(&fields, "param").unwrap_or("");
    sig::verify_with_any_secret(
        sent,
        "form field `sign`",
        salts,
        |salt| push_signature(param, salt),
        // Kuaidi100 always prints upper hex, so anything else is not its signature.
        sig::exact,
    )
}

/// One shipment event per push.
pub(crate) fn normalize(body: &[u8]) -> Result<Vec<Event>, KitError> {
    let fields = http::parse_form(body)?;
    let param = http::form_value(&fields, "param")
        .filter(|p| !p.trim().is_empty())
        .ok_or_else(|| {
            KitError::MalformedPayload(
                "no form field `param`: a Kuaidi100 push is a form with `param` (JSON) and `sign`"
                    .into(),
            )
        })?;
    let value: serde_json::Value = serde_json::from_str(param).map_err(|e| {
        KitError::MalformedPayload(format!("form field `param` is not valid JSON: {e}"))
    })?;
    let push = Fields::of(&value, "")?;
    let result = push.object("lastResult")?;

    // A corrected carrier code replaces the one the subscription used: the
    // parcel is tracked under the new one from now on.
    let carrier = match push
        .opt_string("comNew")
        .or_else(|| result.opt_string("com"))
    {
        Some(carrier) => carrier,
        None => return Err(KitError::MissingField(result.path_of("com"))),
    };
    Ok(vec![track::shipment_event(
        &result,
        TOPIC_PUSH,
        carrier,
        monitor_context(&push),
    )?])
}

/// The monitoring status, and why monitoring stopped when it did.
fn monitor_context(push: &Fields<'_>) -> Vec<Field> {
    let mut context = Vec::new();
    if let Some(status) = push.opt_string("status") {
        let aborted = status == ABORT;
        context.push(Field {
            name: MONITOR_STATUS.into(),
            value: status,
        });
        if let Some(message) = push.opt_string("message").filter(|_| aborted) {
            context.push(Field {
                name: MESSAGE.into(),
                value: message,
            });
        }
    }
    context
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bindings::orderhub::adapter::types::{EventBody, Shipment};

    const SAMPLE_PARAM: &str = include_str!("../testdata/push-param-sample.json");

    fn form(param: Option<&str>, sign: Option<&str>) -> Vec<u8> {
        let fields = [("param", param), ("sign", sign)];
        http::encode_form(fields.iter().filter_map(|(n, v)| v.map(|v| (*n, v)))).into_bytes()
    }

    fn salts(salts: &[&str]) -> Vec<String> {
        salts.iter().map(|s| s.to_string()).collect()
    }

    fn shipment(event: &Event) -> &Shipment {
        match &event.body {
            EventBody::Shipment(s) => s,
            _ => panic!("not a shipment"),
        }
    }

    #[test]
    fn published_example_verifies() {
        let body = form(Some(SAMPLE_PARAM), Some("315EDA9CDABADA878C643EBFE3DBCF1B"));
        assert_eq!(verify(&body, &salts(&["123"])), Ok(()));
        // Rotation: the old salt still verifies while a new one is configured.
        assert_eq!(verify(&body, &salts(&["new-salt", "123"])), Ok(()));
    }

    #[test]
    fn tampering_wrong_salt_and_missing_sign_are_refused() {
        let tampered = SAMPLE_PARAM.replace("JD0076810060555", "JD0076810060556");
        let body = form(Some(&tampered), Some("315EDA9CDABADA878C643EBFE3DBCF1B"));
        assert!(matches!(
            verify(&body, &salts(&["123"])),
            Err(KitError::BadSignature(_))
        ));
        let body = form(Some(SAMPLE_PARAM), Some("315EDA9CDABADA878C643EBFE3DBCF1B"));
        assert!(matches!(
            verify(&body, &salts(&["456"])),
            Err(KitError::BadSignature(_))
        ));
        assert!(matches!(
            verify(&body, &[]),
            Err(KitError::MissingCredential(_))
        ));
        let lower = form(Some(SAMPLE_PARAM), Some("315eda9cdabada878c643ebfe3dbcf1b"));
        assert!(matches!(
            verify(&lower, &salts(&["123"])),
            Err(KitError::BadSignature(_))
        ));
        assert!(matches!(
            verify(&form(Some(SAMPLE_PARAM), None), &salts(&["123"])),
            Err(KitError::MissingSignature(_))
        ));
        assert!(matches!(
            verify(&form(Some(SAMPLE_PARAM), Some(" ")), &salts(&["123"])),
            Err(KitError::MissingSignature(_))
        ));
    }

    #[test]
    fn a_push_without_param_verifies_over_the_empty_param_then_is_malformed() {
        let body = form(None, Some(&push_signature("", "123")));
        assert_eq!(verify(&body, &salts(&["123"])), Ok(()));
        assert!(matches!(
            normalize(&body),
            Err(KitError::MalformedPayload(_))
        ));
    }

    #[test]
    fn bad_bodies_are_malformed() {
        assert!(matches!(
            normalize(&form(Some("{not json"), None)),
            Err(KitError::MalformedPayload(_))
        ));
        assert!(matches!(
            normalize(&form(Some("[1]"), None)),
            Err(KitError::MalformedPayload(_))
        ));
        assert!(matches!(
            normalize(b"\xff\xfe"),
            Err(KitError::MalformedPayload(_))
        ));
        assert!(matches!(
            verify(b"\xff\xfe", &salts(&["123"])),
            Err(KitError::MalformedPayload(_))
        ));
    }

    #[test]
    fn sample_push_is_a_delivered_shipment() {
        let events = normalize(&form(Some(SAMPLE_PARAM), None)).unwrap();
        assert_eq!(events.len(), 1);
        let e = &events[0];
        assert_eq!(e.topic, "kuaidi100_push");
        assert!(e.event_id.is_none());
        let status = e.status.as_ref().unwrap();
        assert_eq!(status.value, "304");
        assert_eq!(status.context.len(), 1);
        assert_eq!(
            (
                status.context[0].name.as_str(),
                status.context[0].value.as_str()
            ),
            ("monitor_status", "shutdown")
        );
        let s = shipment(e);
        assert_eq!(
            (s.carrier.as_str(), s.tracking_number.as_str(), s.signed),
            ("jd", "JD0076810060555", true)
        );
        assert_eq!(s.checkpoints.len(), 5);
        assert_eq!(
            s.checkpoints[0].description,
            "您的快件在【西安灞桥分拣中心】分拣完成"
        );
        assert_eq!(
            s.checkpoints[4].status.as_ref().map(|s| s.value.as_str()),
            Some("304")
        );
    }

    #[test]
    fn abort_carries_its_message_and_corrected_carrier() {
        let param = r#"{"status":"abort","message":"3天查询无记录","autoCheck":"0","comOld":"","comNew":"zhongtong","lastResult":{"nu":"1","com":"yunda","state":"0","data":[]}}"#;
        let events = normalize(&form(Some(param), None)).unwrap();
        let status = events[0].status.as_ref().unwrap();
        let context: Vec<(&str, &str)> = status
            .context
            .iter()
            .map(|f| (f.name.as_str(), f.value.as_str()))
            .collect();
        assert_eq!(
            context,
            vec![("monitor_status", "abort"), ("message", "3天查询无记录")]
        );
        assert_eq!(shipment(&events[0]).carrier, "zhongtong");
    }

    #[test]
    fn missing_parts_name_the_field() {
        let no_nu = r#"{"status":"polling","lastResult":{"com":"jd","state":"0","data":[]}}"#;
        assert_eq!(
            normalize(&form(Some(no_nu), None)).err(),
            Some(KitError::MissingField("lastResult.nu".into()))
        );
        let no_com = r#"{"status":"polling","lastResult":{"nu":"1","data":[]}}"#;
        assert_eq!(
            normalize(&form(Some(no_com), None)).err(),
            Some(KitError::MissingField("lastResult.com".into()))
        );
        let no_result = r#"{"status":"polling"}"#;
        assert_eq!(
            normalize(&form(Some(no_result), None)).err(),
            Some(KitError::MissingField("lastResult".into()))
        );
    }
}
