//! Lazada push messages: their signature and their canonical events.
//!
//! Lazada posts JSON to the app's callback URL with the header
//! `Authorization` = hex HMAC-SHA256 keyed by the app secret over the app key
//! followed by the raw body. The documentation's example header is lower
//! case; the case is not specified, so it is compared ignoring case.
//!
//! A trade order message (`message_type` 0) reports one order item's new
//! status; messages about reverse orders (cancellations, returns, refunds)
//! add `reverse_order_id`.

use orderhub_adapter_kit::{KitError, http, json::Fields, sig, time};

use crate::bindings::orderhub::adapter::types::{
    Account, AfterSale, Event, EventBody, HttpRequest, Order, OrderLine, PlatformStatus,
    StatusDomain,
};
use crate::request;
use crate::site::{self, Site};

/// The topic of a trade order status message.
pub const TOPIC_TRADE_ORDER: &str = "trade_order";
/// The topic of a reverse order (cancel / return / refund) message.
pub const TOPIC_REVERSE_ORDER: &str = "reverse_order";

/// The digest one secret gives for a body.
pub fn signature(secret: &str, app_key: &str, body: &[u8]) -> String {
    let mut data = app_key.as_bytes().to_vec();
    data.extend_from_slice(body);
    sig::hex_lower(&sig::hmac_sha256(secret.as_bytes(), &data))
}

/// Verifies the `Authorization` header against every configured secret.
pub fn verify(request: &HttpRequest, account: &Account) -> Result<(), KitError> {
    let sent = http::header(
        request.headers.iter().map(|f| (&f.name, &f.value)),
        "authorization",
    );
    // The header is checked first so an unsigned request reads as such even
    // on an account without an app key.
    if sent.is_none_or(|s| s.trim().is_empty()) {
        return Err(KitError::MissingSignature("Authorization header".into()));
    }
    let app_key = request::app_key(account)?;
    sig::verify_with_any_secret(
        sent,
        "Authorization header",
        &account.secrets,
        |secret| signature(secret, app_key, &request.body),
        sig::constant_time_eq_ignore_case,
    )
}

/// The site of a message: its own `site` field, else the account's.
pub fn message_site(message: &Fields<'_>, account_site: Option<&str>) -> Result<Site, KitError> {
    match message.opt_string("site") {
        Some(text) => site::parse(&text, &message.path_of("site")),
        None => match account_site {
            Some(text) => site::parse(text, "credentials.site"),
            None => Err(KitError::MissingField(message.path_of("site"))),
        },
    }
}

/// The events of one push message. Messages that are not about orders give
/// no event.
pub fn events(message: &Fields<'_>, account_site: Option<&str>) -> Result<Vec<Event>, KitError> {
    let message_type = message.integer("message_type")?;
    let data = message.object("data")?;
    let reverse_id = data.opt_string("reverse_order_id");
    if message_type != 0 && reverse_id.is_none() {
        return Ok(vec![]);
    }
    let order_id = data.string("trade_order_id")?;
    let value = data.string("order_status")?;
    let line_id = data.opt_string("trade_order_line_id");
    let site = message_site(message, account_site)?;
    let occurred_at = match data.optional("status_update_time") {
        Some(v) => Some(time::unix_seconds_value(
            v,
            &data.path_of("status_update_time"),
        )?),
        None => message
            .optional("timestamp")
            .map(|v| time::unix_millis_value(v, &message.path_of("timestamp")))
            .transpose()?,
    };
    let status = PlatformStatus {
        domain: StatusDomain::Order,
        value: value.clone(),
        context: vec![],
    };
    let topic = if reverse_id.is_some() {
        TOPIC_REVERSE_ORDER
    } else {
        TOPIC_TRADE_ORDER
    };
    let key = |prefix: &str| {
        format!(
            "{prefix}:{}:{}:{value}:{}",
            order_id,
            line_id.as_deref().unwrap_or(""),
            occurred_at.map_or_else(String::new, |t| t.to_string())
        )
    };
    let lines = line_id
        .iter()
        .map(|id| OrderLine {
            external_id: Some(id.clone()),
            sku: None,
            title: None,
            // A Lazada order item is one unit: quantities are separate items.
            quantity: 1,
            unit_price_minor: None,
            discount_minor: None,
            status: Some(status.clone()),
        })
        .collect();
    let mut events = vec![Event {
        event_id: Some(key("order")),
        topic: topic.to_string(),
        occurred_at,
        status: Some(status.clone()),
        body: EventBody::Order(Order {
            external_id: order_id.clone(),
            display_id: None,
            created_at: None,
            updated_at: occurred_at,
            currency: site.currency.to_string(),
            total_minor: None,
            subtotal_minor: None,
            shipping_minor: None,
            discount_minor: None,
            tax_minor: None,
            buyer: None,
            receiver: None,
            lines,
            presale: false,
            note: None,
        }),
    }];
    if let Some(reverse_id) = reverse_id {
        events.push(Event {
            event_id: Some(key("reverse")),
            topic: topic.to_string(),
            occurred_at,
            // The order event already carries the status; the case itself
            // only records that a reverse order exists.
            status: None,
            body: EventBody::AfterSale(AfterSale {
                external_id: reverse_id,
                order_external_id: order_id,
                amount_minor: None,
                currency: Some(site.currency.to_string()),
                reason: data.opt_string("reason"),
            }),
        });
    }
    Ok(events)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bindings::orderhub::adapter::types::Field;

    fn account() -> Account {
        Account {
            id: "shop".into(),
            secrets: vec!["new".into(), "old".into()],
            credentials: vec![Field {
                name: "app_key".into(),
                value: "123456".into(),
            }],
        }
    }

    fn request(header: Option<String>, body: &[u8]) -> HttpRequest {
        HttpRequest {
            method: "POST".into(),
            url: "/".into(),
            headers: header
                .into_iter()
                .map(|v| Field {
                    name: "Authorization".into(),
                    value: v,
                })
                .collect(),
            body: body.to_vec(),
        }
    }

    #[test]
    fn any_secret_and_any_case_verifies() {
        let body = br#"{"message_type":0}"#;
        let sent = signature("old", "123456", body).to_ascii_uppercase();
        assert!(verify(&request(Some(sent), body), &account()).is_ok());
    }

    #[test]
    fn tampered_and_unsigned_bodies_fail() {
        let sent = signature("new", "123456", b"{}");
        assert!(matches!(
            verify(&request(Some(sent), b"{ }"), &account()),
            Err(KitError::BadSignature(_))
        ));
        assert!(matches!(
            verify(&request(None, b"{}"), &account()),
            Err(KitError::MissingSignature(_))
        ));
    }

    #[test]
    fn the_push_sample_is_one_line_status() {
        let value: serde_json::Value =
            serde_json::from_str(include_str!("../testdata/lazada-push-trade-order.json"))
                .unwrap_or_default();
        let events = Fields::of(&value, "").and_then(|m| events(&m, None));
        let Ok(
            [
                Event {
                    body: EventBody::Order(order),
                    occurred_at,
                    status,
                    ..
                },
            ],
        ) = events.as_deref()
        else {
            panic!("{events:?}");
        };
        assert_eq!(order.external_id, "260422900198363");
        assert_eq!(order.currency, "VND");
        assert_eq!(*occurred_at, Some(1_603_698_638_000));
        assert_eq!(status.as_ref().map(|s| s.value.as_str()), Some("unpaid"));
        assert_eq!(
            order.lines.first().and_then(|l| l.external_id.as_deref()),
            Some("260422900298363")
        );
    }
}
