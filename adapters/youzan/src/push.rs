//! The push envelope: its signature and the events it carries.
//!
//! Youzan POSTs a JSON envelope `{client_id, id, kdt_id, kdt_name, mode, msg,
//! msg_id, root_kdt_id, sendCount, sign, status, test, type, version}` with
//! the header `Event-Sign` = lower-case hex md5(client_id + raw body +
//! client_secret). `msg` is the URL-encoded message JSON; `version` is a
//! millisecond stamp (a higher version supersedes a lower one); `test: true`
//! marks a connectivity check that carries nothing to record.

use orderhub_adapter_kit::json::{self, Fields, scalar_text};
use orderhub_adapter_kit::{KitError, http, sig};

use crate::bindings::orderhub::adapter::types::{
    Account, Event, EventBody, Field, HttpRequest, Order, PlatformStatus, StatusDomain,
};
use crate::topics::{self, Kind};
use crate::{refund, trade, urldecode};

/// The signature header.
pub const SIGNATURE_HEADER: &str = "Event-Sign";

/// The credential holding the app's client id.
pub const CLIENT_ID: &str = "client_id";

/// md5(client_id + body + client_secret) as lower-case hex.
pub fn signature(client_id: &str, body: &[u8], secret: &str) -> String {
    let mut data = Vec::with_capacity(client_id.len() + body.len() + secret.len());
    data.extend_from_slice(client_id.as_bytes());
    data.extend_from_slice(body);
    data.extend_from_slice(secret.as_bytes());
    sig::hex_lower(&sig::md5(&data))
}

/// Checks `Event-Sign` against every client secret of the account.
pub fn verify(request: &HttpRequest, account: &Account) -> Result<(), KitError> {
    let client_id = http::named_value(
        account.credentials.iter().map(|f| (&f.name, &f.value)),
        CLIENT_ID,
    )
    .ok_or_else(|| KitError::MissingCredential(format!("{CLIENT_ID} is not configured")))?;
    let sent = http::header(
        request.headers.iter().map(|f| (&f.name, &f.value)),
        SIGNATURE_HEADER,
    );
    sig::verify_with_any_secret(
        sent,
        SIGNATURE_HEADER,
        &account.secrets,
        |secret| signature(client_id, &request.body, secret),
        sig::constant_time_eq_ignore_case,
    )
}

/// Turns a verified push into events; a test push gives none.
pub fn normalize(body: &[u8]) -> Result<Vec<Event>, KitError> {
    let value = json::parse(body)?;
    let envelope = Fields::of(&value, "")?;
    // `test` may come as a boolean, a number or text.
    if envelope.opt_bool("test") == Some(true) {
        return Ok(Vec::new());
    }
    let message_type = envelope.string("type")?;
    let kind = topics::kind(&message_type).ok_or_else(|| {
        KitError::Unsupported(format!("message type {message_type:?} is not handled"))
    })?;
    let raw_msg = envelope.string("msg")?;
    // Pushes carry `msg` URL-encoded; a relay that already decoded it sends
    // the JSON itself, which never starts with a percent escape.
    let msg_text = if raw_msg.trim_start().starts_with('{') {
        raw_msg
    } else {
        urldecode::decode(&raw_msg, "msg")?
    };
    let msg_value = json::parse(msg_text.as_bytes())
        .map_err(|e| KitError::MalformedPayload(format!("msg: {e}")))?;
    let msg = Fields::of(&msg_value, "msg")
        .map_err(|_| KitError::MalformedPayload("msg is not a JSON object".into()))?;

    let version = envelope.optional("version").and_then(scalar_text);
    let event_id = match envelope.optional("msg_id").and_then(scalar_text) {
        Some(id) if !id.is_empty() => id,
        _ => {
            let id = envelope
                .optional("id")
                .and_then(scalar_text)
                .ok_or_else(|| KitError::MissingField("id".into()))?;
            format!("{message_type}:{id}:{}", version.as_deref().unwrap_or(""))
        }
    };
    let version_ms = version.and_then(|v| v.parse::<i64>().ok());

    let event = match kind {
        Kind::Trade => trade_event(&msg, &message_type)?,
        Kind::Refund(implied) => {
            let refund = refund::from_message(&msg, implied)?;
            Event {
                event_id: None,
                topic: String::new(),
                occurred_at: refund.updated_at,
                status: Some(refund.status),
                body: EventBody::AfterSale(refund.case),
            }
        }
    };
    Ok(vec![Event {
        event_id: Some(event_id),
        topic: message_type,
        occurred_at: version_ms.or(event.occurred_at),
        ..event
    }])
}

/// A trade message: a full `full_order_info`, or a thin `{tid, status}`.
pub fn trade_event(msg: &Fields<'_>, message_type: &str) -> Result<Event, KitError> {
    let (order, status, updated_at, refund_state) = match msg.opt_object("full_order_info") {
        Some(info) => {
            let t = trade::from_full_order_info(&info)?;
            (t.order, t.status, t.updated_at, trade::refund_state(&info))
        }
        None => {
            let tid = trade::required_id(msg, "tid")?;
            let status = msg.string("status")?;
            let updated_at = trade::local_time(msg, "update_time")?;
            let order = Order {
                external_id: tid,
                display_id: None,
                created_at: None,
                updated_at,
                currency: trade::CURRENCY.into(),
                total_minor: None,
                subtotal_minor: None,
                shipping_minor: None,
                discount_minor: None,
                tax_minor: None,
                buyer: None,
                receiver: None,
                lines: Vec::new(),
                presale: false,
                note: None,
            };
            let status = PlatformStatus {
                domain: StatusDomain::Order,
                value: status,
                context: Vec::new(),
            };
            (
                order,
                Some(status),
                updated_at,
                trade::text(msg, "refund_state"),
            )
        }
    };
    let status = status.map(|mut s| {
        if let Some(value) = refund_state {
            s.context.push(Field {
                name: "refund_state".into(),
                value,
            });
        }
        if message_type == topics::PARTLY_SHIPPED {
            s.context.push(Field {
                name: "type".into(),
                value: message_type.into(),
            });
        }
        s
    });
    Ok(Event {
        event_id: None,
        topic: String::new(),
        occurred_at: updated_at,
        status,
        body: EventBody::Order(order),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const SAMPLE: &str = include_str!("../testdata/youzan-push-trade-msg-decoded.json");

    fn encode(text: &str) -> String {
        http::encode_form([("m", text)])
            .strip_prefix("m=")
            .unwrap_or_default()
            .to_string()
    }

    fn envelope(message_type: &str, msg: &str, test: bool) -> Vec<u8> {
        serde_json::json!({
            "client_id": "cid", "id": "E20180825151213075100007", "kdt_id": 40553542,
            "kdt_name": "shop", "mode": 1, "msg": encode(msg), "sendCount": 0,
            "sign": "x", "status": "WAIT_SELLER_SEND_GOODS", "test": test,
            "type": message_type, "version": 1535181140000_i64
        })
        .to_string()
        .into_bytes()
    }

    fn account(secrets: &[&str]) -> Account {
        Account {
            id: "main".into(),
            secrets: secrets.iter().map(|s| (*s).to_string()).collect(),
            credentials: vec![Field {
                name: "client_id".into(),
                value: "cid".into(),
            }],
        }
    }

    fn request(body: Vec<u8>, sign: Option<String>) -> HttpRequest {
        HttpRequest {
            method: "POST".into(),
            url: "/".into(),
            headers: sign
                .map(|value| {
                    vec![Field {
                        name: "event-sign".into(),
                        value,
                    }]
                })
                .unwrap_or_default(),
            body,
        }
    }

    #[test]
    fn signature_is_md5_of_id_body_secret() {
        // md5("cid" + "{}" + "sec"), computed independently.
        assert_eq!(
            signature("cid", b"{}", "sec"),
            sig::hex_lower(&sig::md5(b"cid{}sec"))
        );
    }

    #[test]
    fn verify_tries_every_secret() {
        let body = envelope("trade_TradeBuyerPay", SAMPLE, false);
        let good = signature("cid", &body, "old");
        assert!(
            verify(
                &request(body.clone(), Some(good.clone())),
                &account(&["new", "old"])
            )
            .is_ok()
        );
        assert!(matches!(
            verify(&request(body.clone(), Some(good)), &account(&["new"])),
            Err(KitError::BadSignature(_))
        ));
        assert!(matches!(
            verify(&request(body, None), &account(&["new"])),
            Err(KitError::MissingSignature(_))
        ));
    }

    #[test]
    fn trade_push_becomes_an_order_event() {
        let events = normalize(&envelope("trade_TradeBuyerPay", SAMPLE, false)).unwrap();
        assert_eq!(events.len(), 1);
        let event = &events[0];
        assert_eq!(
            event.event_id.as_deref(),
            Some("trade_TradeBuyerPay:E20180825151213075100007:1535181140000")
        );
        assert_eq!(event.occurred_at, Some(1_535_181_140_000));
        let status = event.status.as_ref().unwrap();
        assert_eq!(status.value, "WAIT_SELLER_SEND_GOODS");
        assert_eq!(status.context[0].value, "0");
        assert!(matches!(&event.body, EventBody::Order(o) if o.total_minor == Some(8900)));
    }

    #[test]
    fn test_pings_and_bad_input() {
        assert!(
            normalize(&envelope("trade_TradeBuyerPay", SAMPLE, true))
                .unwrap()
                .is_empty()
        );
        assert!(matches!(
            normalize(&envelope("ITEM_STATE", SAMPLE, false)),
            Err(KitError::Unsupported(_))
        ));
        assert!(matches!(
            normalize(&envelope("trade_TradeBuyerPay", "{\"full_order", false)),
            Err(KitError::MalformedPayload(_))
        ));
        assert!(matches!(
            normalize(b"{\"type\""),
            Err(KitError::MalformedPayload(_))
        ));
    }
}
