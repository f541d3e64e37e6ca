//! Route pushes (RoutePushService): authenticating them and turning them into
//! events.
//!
//! SF pushes `{"Body":{"WaybillRoute":[{…}, …]}}` (JSON mode, at most ten
//! routes) to the URL configured at SF and expects
//! `{"return_code":"0000","return_msg":"成功"}`. Pushes in this mode carry no
//! signature, so the URL configured at SF carries a per-account secret token,
//! `…/webhooks/sf-express/<account>?token=<secret>`, compared in constant time
//! against every secret of the account. A push sent in the standard service
//! style (form fields `msgData`, `timestamp`, `msgDigest`) is verified by its
//! digest under the account's checkWord instead, and its timestamp checked.
//!
//! Each route becomes one `shipment` event keyed by the route's `id`, so a
//! route SF pushes again is recognised as the same event.

use orderhub_adapter_kit::json::{self, Fields};
use orderhub_adapter_kit::{KitError, http, sig};
use serde_json::Value;

use crate::account;
use crate::bindings::orderhub::adapter::types::{Account, Event, HttpRequest};
use crate::digest::msg_digest;
use crate::route;

/// The topic of events from a route push.
pub(crate) const TOPIC_PUSH: &str = "sf_route_push";
/// How far a signed push's `timestamp` may be from `now` (🧭: SF documents no
/// tolerance for pushes; its gateway's own requests allow minutes, and a
/// retried push may be re-sent later, so the window is generous).
const TOLERANCE_MS: i64 = 30 * 60 * 1000;

/// Authenticates a push: by its `msgDigest` when it is a signed form, else by
/// the `token` query parameter of the URL.
pub(crate) fn verify(request: &HttpRequest, account: &Account, now: i64) -> Result<(), KitError> {
    if let Some(fields) = form_fields(&request.body)?
        && http::form_value(&fields, "msgDigest").is_some_and(|d| !d.trim().is_empty())
    {
        return verify_digest(&fields, account, now);
    }
    let params = http::query_params(&request.url);
    let token = params
        .iter()
        .find(|(name, _)| name == "token")
        .map(|(_, value)| value.as_str());
    sig::verify_with_any_secret(
        token,
        "query parameter `token` (SF route pushes are unsigned: the push URL configured at SF must carry ?token=<one of the account's secrets>)",
        &account.secrets,
        str::to_string,
        sig::exact,
    )
}

/// `msgDigest` = Base64(MD5(URLEncode(msgData + timestamp + checkWord))) under
/// any configured checkWord, then the timestamp's age.
fn verify_digest(fields: &[(String, String)], account: &Account, now: i64) -> Result<(), KitError> {
    let Some(timestamp) = http::form_value(fields, "timestamp").filter(|t| !t.trim().is_empty())
    else {
        return Err(KitError::MissingSignature(
            "form field `timestamp`: a push signed with msgDigest must carry the timestamp it signed".into(),
        ));
    };
    let check_words = account::check_words(account);
    if check_words.is_empty() {
        return Err(KitError::MissingCredential(
            "check_word: the push carries msgDigest, which is verified with SF's checkWord".into(),
        ));
    }
    let msg_data = http::form_value(fields, "msgData").unwrap_or("");
    sig::verify_with_any_secret(
        http::form_value(fields, "msgDigest"),
        "form field `msgDigest`",
        &check_words,
        |check_word| msg_digest(msg_data, timestamp, check_word),
        sig::exact,
    )?;
    let sent: i64 = timestamp.trim().parse().map_err(|_| {
        KitError::invalid(
            "timestamp",
            format_args!("{timestamp:?} is not Unix milliseconds"),
        )
    })?;
    if now.abs_diff(sent) > TOLERANCE_MS.unsigned_abs() {
        return Err(KitError::StaleTimestamp(format!(
            "form field `timestamp` {sent} is more than 30 minutes from now ({now})"
        )));
    }
    Ok(())
}

/// The form fields of a body that is not JSON; `None` for a JSON body.
fn form_fields(body: &[u8]) -> Result<Option<Vec<(String, String)>>, KitError> {
    match body.iter().find(|b| !b.is_ascii_whitespace()) {
        Some(b'{') | Some(b'[') | None => Ok(None),
        Some(_) => http::parse_form(body).map(Some),
    }
}

/// One shipment event per route, oldest first.
pub(crate) fn normalize(body: &[u8]) -> Result<Vec<Event>, KitError> {
    let value = payload(body)?;
    let root = Fields::of(&value, "")?;
    let (container, key) = match root.opt_object("Body") {
        Some(body) => (body, "WaybillRoute"),
        None if root.optional("WaybillRoute").is_some() => (root.clone(), "WaybillRoute"),
        None => return Err(KitError::MissingField("Body.WaybillRoute".into())),
    };
    let mut events = routes(&container, key)?
        .iter()
        .map(route_event)
        .collect::<Result<Vec<_>, _>>()?;
    events.sort_by_key(|e| e.occurred_at);
    Ok(events)
}

/// The JSON a push carries: the body itself, or a signed form's `msgData`.
fn payload(body: &[u8]) -> Result<Value, KitError> {
    let Some(fields) = form_fields(body)? else {
        return json::parse(body);
    };
    if let Some(msg_data) = http::form_value(&fields, "msgData") {
        return serde_json::from_str(msg_data).map_err(|e| {
            KitError::MalformedPayload(format!("form field `msgData` is not valid JSON: {e}"))
        });
    }
    if http::form_value(&fields, "content").is_some() {
        return Err(KitError::MalformedPayload(
            "form field `content`: SF's XML push mode is not supported; choose the JSON request method for the route push at SF".into(),
        ));
    }
    Err(KitError::MalformedPayload(
        "the body is neither SF's JSON route push nor a form with `msgData`".into(),
    ))
}

/// The route items: an array, or a single object (as XML-to-JSON bridges
/// send one route).
fn routes<'a>(container: &Fields<'a>, key: &str) -> Result<Vec<Fields<'a>>, KitError> {
    match container.required(key)? {
        Value::Array(_) => container.objects(key),
        single @ Value::Object(_) => Ok(vec![Fields::of(single, &container.path_of(key))?]),
        _ => Err(KitError::invalid(
            &container.path_of(key),
            "expected an array of routes",
        )),
    }
}

fn route_event(item: &Fields<'_>) -> Result<Event, KitError> {
    let tracking_number = item
        .opt_string("mailno")
        .ok_or_else(|| KitError::MissingField(item.path_of("mailno")))?;
    Ok(route::shipment_event(
        item.opt_string("id"),
        TOPIC_PUSH,
        tracking_number,
        item.opt_string("orderid"),
        vec![route::checkpoint(item)?],
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bindings::orderhub::adapter::types::{EventBody, Shipment};

    const PUSH: &str = r#"{"Body":{"WaybillRoute":[{"mailno":"SF1","orderid":"O-1","id":"1004936106408","acceptTime":"2025-05-19 10:40:41","acceptAddress":"深圳市","remark":"已签收","opCode":"80"},{"mailno":"SF1","orderid":"O-1","id":"1004936106407","acceptTime":"2025-05-19 08:07:12","acceptAddress":"深圳市","remark":"派送中","opCode":"204"}]}}"#;

    fn request(url: &str, body: &str) -> HttpRequest {
        HttpRequest {
            method: "POST".into(),
            url: url.into(),
            headers: vec![],
            body: body.as_bytes().to_vec(),
        }
    }

    fn account(secrets: &[&str], check_word: Option<&str>) -> Account {
        Account {
            id: "main".into(),
            secrets: secrets.iter().map(|s| s.to_string()).collect(),
            credentials: check_word
                .map(|cw| crate::bindings::orderhub::adapter::types::Field {
                    name: "check_word".into(),
                    value: cw.into(),
                })
                .into_iter()
                .collect(),
        }
    }

    fn shipment(event: &Event) -> &Shipment {
        match &event.body {
            EventBody::Shipment(s) => s,
            _ => panic!("not a shipment"),
        }
    }

    #[test]
    fn token_is_checked_against_every_secret() {
        let a = account(&["new-token", "old-token"], None);
        let ok = |url: &str| verify(&request(url, PUSH), &a, 0);
        assert_eq!(ok("/webhooks/sf-express/main?token=old-token"), Ok(()));
        assert_eq!(ok("/webhooks/sf-express/main?token=new-token"), Ok(()));
        assert!(matches!(
            ok("/webhooks/sf-express/main?token=nope"),
            Err(KitError::BadSignature(_))
        ));
        assert!(matches!(
            ok("/webhooks/sf-express/main"),
            Err(KitError::MissingSignature(_))
        ));
        assert!(matches!(
            ok("/webhooks/sf-express/main?token="),
            Err(KitError::MissingSignature(_))
        ));
        assert!(matches!(
            verify(&request("/x?token=t", PUSH), &account(&[], None), 0),
            Err(KitError::MissingCredential(_))
        ));
    }

    fn signed_form(msg_data: &str, timestamp: &str, digest: &str) -> String {
        http::encode_form([
            ("serviceCode", "RoutePushService"),
            ("msgData", msg_data),
            ("timestamp", timestamp),
            ("msgDigest", digest),
        ])
    }

    #[test]
    fn a_signed_form_is_verified_by_its_digest_and_timestamp() {
        let ts = "1747622441000";
        let digest = msg_digest(PUSH, ts, "cw");
        let body = signed_form(PUSH, ts, &digest);
        let a = account(&[], Some("cw"));
        let now = 1_747_622_441_000;
        assert_eq!(verify(&request("/x", &body), &a, now), Ok(()));
        assert!(matches!(
            verify(&request("/x", &body), &account(&[], Some("other")), now),
            Err(KitError::BadSignature(_))
        ));
        assert!(matches!(
            verify(&request("/x", &body), &account(&["t"], None), now),
            Err(KitError::MissingCredential(_))
        ));
        assert!(matches!(
            verify(&request("/x", &body), &a, now + 31 * 60 * 1000),
            Err(KitError::StaleTimestamp(_))
        ));
        let no_ts = http::encode_form([("msgData", PUSH), ("msgDigest", digest.as_str())]);
        assert!(matches!(
            verify(&request("/x", &no_ts), &a, now),
            Err(KitError::MissingSignature(_))
        ));
        let events = normalize(body.as_bytes()).unwrap();
        assert_eq!(events.len(), 2);
    }

    #[test]
    fn routes_become_events_oldest_first() {
        let events = normalize(PUSH.as_bytes()).unwrap();
        assert_eq!(events.len(), 2);
        assert_eq!(events[0].event_id.as_deref(), Some("1004936106407"));
        assert_eq!(events[1].event_id.as_deref(), Some("1004936106408"));
        let s = shipment(&events[1]);
        assert_eq!(
            (s.carrier.as_str(), s.tracking_number.as_str()),
            ("SF", "SF1")
        );
        assert_eq!(s.order_external_id.as_deref(), Some("O-1"));
        assert!(s.signed);
        assert!(!shipment(&events[0]).signed);
        assert_eq!(
            events[1].status.as_ref().map(|s| s.value.as_str()),
            Some("80")
        );
    }

    #[test]
    fn bad_pushes_are_typed() {
        assert!(matches!(
            normalize(b"{not json"),
            Err(KitError::MalformedPayload(_))
        ));
        assert!(matches!(
            normalize(b"content=%3CRequest%3E"),
            Err(KitError::MalformedPayload(_))
        ));
        assert!(matches!(
            normalize(b"\xff\xfe"),
            Err(KitError::MalformedPayload(_))
        ));
        assert_eq!(
            normalize(br#"{"Body":{}}"#).err(),
            Some(KitError::MissingField("Body.WaybillRoute".into()))
        );
        assert_eq!(
            normalize(br#"{"Body":{"WaybillRoute":[{"opCode":"80"}]}}"#).err(),
            Some(KitError::MissingField("Body.WaybillRoute[0].mailno".into()))
        );
        let single =
            normalize(br#"{"Body":{"WaybillRoute":{"mailno":"SF2","opCode":"50"}}}"#).unwrap();
        assert_eq!(single.len(), 1);
        assert!(matches!(
            normalize(br#"{"Body":{"WaybillRoute":"x"}}"#),
            Err(KitError::InvalidField(_))
        ));
    }
}
