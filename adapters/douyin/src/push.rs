//! Verifying a push and turning its messages into canonical events.
//!
//! Douyin posts a JSON array of messages `{tag, msg_id, data}` where `data` is
//! itself JSON text. The header `event-sign` is lower-hex
//! md5(app_key + raw body + app_secret). Only that md5 rule is documented in
//! the sources; a `sign-method` header naming anything else is refused
//! rather than guessed.
//!
//! The same endpoint also accepts a relayed `/order/orderDetail` or
//! `/order/searchList` response (a JSON object), signed the same way, so a
//! full order can be recorded without waiting for a poll.

use orderhub_adapter_kit::json::{self, Fields, scalar_text};
use orderhub_adapter_kit::{KitError, http, sig};
use serde_json::Value;

use crate::api_sign::required_credential;
use crate::bindings::orderhub::adapter::types::{
    Account, AfterSale, Event, EventBody, Field, HttpRequest, Order, Party, PlatformStatus,
    StatusDomain,
};
use crate::order::{self, CURRENCY, opt_fen, opt_time};
use crate::topics::{self, Kind};

/// The signature header.
pub const SIGN_HEADER: &str = "event-sign";

fn header<'a>(request: &'a HttpRequest, name: &str) -> Option<&'a str> {
    http::header(request.headers.iter().map(|f| (&f.name, &f.value)), name)
}

/// Checks `event-sign` against every secret of the account.
pub fn verify(request: &HttpRequest, account: &Account) -> Result<(), KitError> {
    if let Some(method) = header(request, "sign-method").map(str::trim)
        && !method.is_empty()
        && !method.eq_ignore_ascii_case("md5")
    {
        return Err(KitError::Unsupported(format!(
            "sign-method {method:?}: only the md5 event-sign rule is documented"
        )));
    }
    let sent = header(request, SIGN_HEADER);
    // A missing signature is reported before a missing app key.
    let app_key = if sent.is_some_and(|s| !s.trim().is_empty()) {
        required_credential(account, "app_key")?
    } else {
        ""
    };
    sig::verify_with_any_secret(
        sent,
        SIGN_HEADER,
        &account.secrets,
        |secret| {
            let mut plain = Vec::with_capacity(app_key.len() + request.body.len() + secret.len());
            plain.extend_from_slice(app_key.as_bytes());
            plain.extend_from_slice(&request.body);
            plain.extend_from_slice(secret.as_bytes());
            sig::hex_lower(&sig::md5(&plain))
        },
        sig::constant_time_eq_ignore_case,
    )
}

/// The events of a verified push (or relayed response).
pub fn normalize(body: &[u8]) -> Result<Vec<Event>, KitError> {
    match json::parse(body)? {
        Value::Array(messages) => {
            let mut events = Vec::new();
            for (i, message) in messages.iter().enumerate() {
                let fields = Fields::of(message, &format!("[{i}]"))?;
                events.extend(message_event(&fields)?);
            }
            Ok(events)
        }
        value @ Value::Object(_) => relayed(&value),
        _ => Err(KitError::MalformedPayload(
            "the body is neither a message array nor an API response object".into(),
        )),
    }
}

/// A relayed `/order/orderDetail` or `/order/searchList` response.
fn relayed(value: &Value) -> Result<Vec<Event>, KitError> {
    let root = Fields::of(value, "")?;
    crate::poll::check_api_error(&root)?;
    let data = root.object("data")?;
    if let Some(detail) = data.opt_object("shop_order_detail") {
        return Ok(vec![order::event(&detail, "order/orderDetail")?]);
    }
    if data.optional("shop_order_list").is_some() {
        return data
            .objects("shop_order_list")?
            .iter()
            .map(|o| order::event(o, "order/searchList"))
            .collect();
    }
    Err(KitError::MissingField(
        "data.shop_order_detail (or data.shop_order_list)".into(),
    ))
}

/// One message's event; `None` for tags this adapter does not record.
fn message_event(message: &Fields) -> Result<Option<Event>, KitError> {
    let tag = message.string("tag")?;
    let Some(known) = topics::find(&tag) else {
        return Ok(None);
    };
    let msg_id = message.string("msg_id")?;
    let data_path = message.path_of("data");
    let parsed;
    let data_value = match message.required("data")? {
        Value::String(text) => {
            parsed = json::parse_embedded(text, &data_path)?;
            &parsed
        }
        other => other,
    };
    let data = Fields::of(data_value, &data_path)?;
    let event = match known.kind {
        Kind::Trade => trade(&data, known.implied)?,
        Kind::Refund => refund(&data, known.implied)?,
    };
    Ok(Some(Event {
        event_id: Some(msg_id),
        topic: tag,
        ..event
    }))
}

fn first_time(data: &Fields, keys: &[&str]) -> Result<Option<i64>, KitError> {
    for key in keys {
        if let Some(t) = opt_time(data, key)? {
            return Ok(Some(t));
        }
    }
    Ok(None)
}

/// A trade message: an order snapshot with what the message says.
fn trade(data: &Fields, implied: Option<&str>) -> Result<Event, KitError> {
    let external_id = data.string("p_id")?;
    let reported = data.opt_string("order_status");
    let value = implied.map(str::to_string).or_else(|| reported.clone());
    let status = value.map(|value| PlatformStatus {
        domain: StatusDomain::Order,
        context: match (&reported, implied) {
            (Some(r), Some(_)) if *r != value => vec![Field {
                name: "order_status".into(),
                value: r.clone(),
            }],
            _ => vec![],
        },
        value,
    });
    let occurred_at = first_time(
        data,
        &[
            "update_time",
            "cancel_time",
            "complete_time",
            "pay_time",
            "create_time",
        ],
    )?;
    let receiver = data.opt_object("receiver_msg").map(|r| Party {
        name: r.opt_string("name"),
        phone: r.opt_string("tel"),
        email: None,
        address: None,
        masked: true,
    });
    let order = Order {
        external_id,
        display_id: None,
        created_at: opt_time(data, "create_time")?,
        updated_at: occurred_at,
        currency: CURRENCY.into(),
        total_minor: opt_fen(data, "pay_amount")?,
        subtotal_minor: None,
        shipping_minor: None,
        discount_minor: None,
        tax_minor: None,
        buyer: None,
        receiver,
        lines: vec![],
        presale: false,
        note: data
            .opt_string("cancel_reason")
            .map(|r| format!("cancel reason: {r}")),
    };
    Ok(Event {
        event_id: None,
        topic: String::new(),
        occurred_at,
        status,
        body: EventBody::Order(order),
    })
}

/// A refund message: the after-sale case.
fn refund(data: &Fields, implied: Option<&str>) -> Result<Event, KitError> {
    let value = data
        .opt_string("aftersale_status")
        .or(implied.map(str::to_string));
    let occurred_at = first_time(data, &["update_time", "apply_time"])?;
    let after_sale = AfterSale {
        external_id: data.string("aftersale_id")?,
        order_external_id: data.string("p_id")?,
        amount_minor: opt_fen(data, "refund_amount")?,
        currency: Some(CURRENCY.into()),
        reason: data
            .optional("reason_code")
            .and_then(scalar_text)
            .map(|c| format!("reason_code {c}")),
    };
    Ok(Event {
        event_id: None,
        topic: String::new(),
        occurred_at,
        status: value.map(|value| PlatformStatus {
            domain: StatusDomain::Refund,
            value,
            context: vec![],
        }),
        body: EventBody::AfterSale(after_sale),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn account() -> Account {
        Account {
            id: "main".into(),
            secrets: vec!["new-secret".into(), "app-secret".into()],
            credentials: vec![Field {
                name: "app_key".into(),
                value: "7000000000000000001".into(),
            }],
        }
    }

    fn request(body: &str, sign: Option<&str>) -> HttpRequest {
        HttpRequest {
            method: "POST".into(),
            url: "/".into(),
            headers: sign
                .map(|s| Field {
                    name: "Event-Sign".into(),
                    value: s.into(),
                })
                .into_iter()
                .collect(),
            body: body.as_bytes().to_vec(),
        }
    }

    #[test]
    fn md5_of_app_key_body_secret_with_rotation() {
        // md5("7000000000000000001" + "[]" + "app-secret"), computed with Python's hashlib.
        let sign = sig::hex_lower(&sig::md5(b"7000000000000000001[]app-secret"));
        assert!(verify(&request("[]", Some(&sign)), &account()).is_ok());
        assert!(verify(&request("[]", Some(&sign.to_uppercase())), &account()).is_ok());
        assert!(matches!(
            verify(&request("[ ]", Some(&sign)), &account()),
            Err(KitError::BadSignature(_))
        ));
        assert!(matches!(
            verify(&request("[]", None), &account()),
            Err(KitError::MissingSignature(_))
        ));
    }

    #[test]
    fn cancel_tag_overrides_the_stale_order_status() {
        let body = r#"[{"tag":"106","msg_id":"m1","data":"{\"p_id\":12345,\"s_ids\":[12345],\"shop_id\":1,\"order_status\":1,\"cancel_time\":1618990925}"}]"#;
        let events = normalize(body.as_bytes()).unwrap();
        let e = events.first().unwrap();
        assert_eq!(e.topic, "106");
        assert_eq!(e.event_id.as_deref(), Some("m1"));
        assert_eq!(e.occurred_at, Some(1_618_990_925_000));
        assert_eq!(e.status.as_ref().map(|s| s.value.as_str()), Some("4"));
    }

    #[test]
    fn bad_embedded_data_names_the_message() {
        let body = r#"[{"tag":100,"msg_id":"m","data":"{\"p_id\":"}]"#;
        assert!(
            matches!(normalize(body.as_bytes()), Err(KitError::InvalidField(m)) if m.starts_with("[0].data"))
        );
        assert!(matches!(
            normalize(b"\"x\""),
            Err(KitError::MalformedPayload(_))
        ));
    }

    #[test]
    fn unknown_tags_are_not_recorded() {
        let body = r#"[{"tag":999,"msg_id":"m","data":"{}"}]"#;
        assert!(normalize(body.as_bytes()).unwrap().is_empty());
    }
}
