//! Ship confirmations: `v2.logistics.ship_order` for non-integrated
//! logistics channels.
//!
//! A confirmation that brings its own tracking number fits the
//! non-integrated channels, where the seller ships with a carrier Shopee does
//! not integrate and reports the number as `non_integrated.tracking_number`.
//! Integrated channels instead need a pickup address and time slot or a
//! drop-off branch from `v2.logistics.get_shipping_parameter`, and shipping
//! some lines needs a split into packages first; neither can be built from a
//! confirmation alone, so they are refused as `unsupported`.
//!
//! Shopee reports errors in the body (`error` non-empty, with `message`),
//! so [`result`] reads it: the documented system, network, timeout and lock
//! errors are retried, as is any error Shopee words "please try again
//! later"; an order or package that is already shipped counts as done (a
//! repeat after a lost reply); anything else is refused.

use orderhub_adapter_kit::KitError;
use orderhub_adapter_kit::contract::{self, ActionOutcome as Judged};
use orderhub_adapter_kit::json::Fields;

use crate::api;
use crate::bindings::orderhub::adapter::types::{
    Account, Action, ActionOutcome, HttpResponse, OutboundRequest,
};

pub const SHIP_PATH: &str = "/api/v2/logistics/ship_order";

pub fn build(action: Action, account: &Account, now: i64) -> Result<OutboundRequest, KitError> {
    let Action::ConfirmShipment(confirmation) = action;
    if !confirmation.line_ids.is_empty() {
        return Err(KitError::Unsupported(
            "shipping some lines needs the order split into packages (v2.order.split_order) first; only whole orders are confirmed".into(),
        ));
    }
    if confirmation.order_external_id.trim().is_empty() {
        return Err(KitError::MissingField("order_external_id".into()));
    }
    if confirmation.tracking_number.trim().is_empty() {
        return Err(KitError::MissingField("tracking_number".into()));
    }
    let body = serde_json::json!({
        "order_sn": confirmation.order_external_id,
        "non_integrated": {"tracking_number": confirmation.tracking_number},
    });
    api::call("POST", SHIP_PATH, &[], Some(body.to_string()), account, now)
}

/// `v2.logistics.ship_order` errors that say the platform, not the request,
/// failed: system and network errors, timeouts and calls to external
/// systems, and the order's lock being held by another call.
const TEMPORARY: [&str; 8] = [
    "error_server",
    "error_network",
    "logistics.error_timeout",
    "logistics.error_connection",
    "logistics.error_core_server",
    "logistics.error_third_party_server",
    "logistics.error_too_many_invoke_function",
    "logistics.logistic_order_is_locked_on_creating",
];

/// The shipment was already arranged: a repeat of a call that went through.
const ALREADY_SHIPPED: &str = "logistics.package_already_shipped";
/// `logistics.error_param` carries this message when the order is shipped.
const ORDER_SHIPPED_MESSAGE: &str = "order has been shipped";

/// Reads Shopee's reply to a `ship_order` call.
pub fn result(response: &HttpResponse) -> ActionOutcome {
    let value = serde_json::from_slice::<serde_json::Value>(&response.body).ok();
    let Some(root) = value.as_ref().and_then(|v| Fields::of(v, "").ok()) else {
        return by_status(response, false);
    };
    // Every answer carries `error`, empty on success; without it the body
    // is not Shopee's answer.
    if root.optional("error").is_none() {
        return by_status(response, false);
    }
    let error = root
        .opt_string("error")
        .map(|e| e.trim().to_string())
        .unwrap_or_default();
    if error.is_empty() {
        return by_status(response, true);
    }
    let message = root.opt_string("message").unwrap_or_default();
    let lower = message.to_ascii_lowercase();
    let text = format!("Shopee error {error}: {message}");
    if error == ALREADY_SHIPPED || lower.contains(ORDER_SHIPPED_MESSAGE) {
        ActionOutcome::Done
    } else if TEMPORARY.contains(&error.as_str())
        || lower.contains("try again later")
        || lower.contains("try later")
        || matches!(response.status, 408 | 425 | 429 | 500..=599)
    {
        ActionOutcome::Retry(text)
    } else {
        ActionOutcome::Refused(format!("Shopee refused the ship confirmation: {text}"))
    }
}

/// A reply without an error in the body: its HTTP status decides, and a 2xx
/// that is not Shopee's answer is tried again (the order may not be shipped).
fn by_status(response: &HttpResponse, readable: bool) -> ActionOutcome {
    match contract::action_outcome_by_status(response.status, &response.body) {
        Judged::Done if readable => ActionOutcome::Done,
        Judged::Done => ActionOutcome::Retry(format!(
            "Shopee's reply (HTTP {}) is not its JSON answer",
            response.status
        )),
        Judged::Retry(why) => ActionOutcome::Retry(why),
        Judged::Refused(why) => ActionOutcome::Refused(why),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::field;
    use crate::bindings::orderhub::adapter::types::ShipmentConfirmation;

    fn account() -> Account {
        Account {
            id: "main".into(),
            secrets: vec!["k".into()],
            credentials: vec![
                field("partner_id", "1"),
                field("access_token", "t"),
                field("shop_id", "2"),
            ],
        }
    }

    fn confirm(lines: Vec<String>) -> Action {
        Action::ConfirmShipment(ShipmentConfirmation {
            order_external_id: "2404098R48U37H".into(),
            carrier: "ghn".into(),
            tracking_number: "GHN123".into(),
            line_ids: lines,
        })
    }

    #[test]
    fn whole_orders_become_a_signed_ship_order() {
        let request = build(confirm(vec![]), &account(), 1_000).unwrap();
        assert_eq!(request.method, "POST");
        assert_eq!(
            request.url,
            "https://partner.shopeemobile.com/api/v2/logistics/ship_order"
        );
        assert_eq!(
            String::from_utf8(request.body).unwrap(),
            r#"{"order_sn":"2404098R48U37H","non_integrated":{"tracking_number":"GHN123"}}"#
        );
        assert!(request.query.iter().any(|f| f.name == "sign"));
    }

    fn reply(status: u16, body: &str) -> HttpResponse {
        HttpResponse {
            status,
            headers: vec![],
            body: body.as_bytes().to_vec(),
        }
    }

    #[test]
    fn the_documented_success_is_done() {
        let ok = r#"{"error":"","message":"","request_id":"3dad66f43b8447d282ae6da36626c6b7"}"#;
        assert_eq!(result(&reply(200, ok)), ActionOutcome::Done);
        let shipped = r#"{"error":"logistics.package_already_shipped","message":"This package has already been arranged shipment and you can't call this API again.","request_id":"b2e2b8f1c0a94f3e9d7c6b5a49382716"}"#;
        assert_eq!(result(&reply(200, shipped)), ActionOutcome::Done);
        let order_shipped = r#"{"error":"logistics.error_param","message":"Order has been shipped.","request_id":"c1"}"#;
        assert_eq!(result(&reply(200, order_shipped)), ActionOutcome::Done);
    }

    #[test]
    fn system_errors_and_busy_locks_are_retried() {
        let server = r#"{"error":"error_server","message":"Something wrong. Please try later.","request_id":"a1"}"#;
        assert_eq!(
            result(&reply(200, server)),
            ActionOutcome::Retry(
                "Shopee error error_server: Something wrong. Please try later.".into()
            )
        );
        let lock = r#"{"error":"logistics.error_too_many_invoke_function","message":"Failed to get lock.","request_id":"a2"}"#;
        assert!(matches!(result(&reply(200, lock)), ActionOutcome::Retry(_)));
        let worded = r#"{"error":"logistics.error_param","message":"System error, please try again later.","request_id":"a3"}"#;
        assert!(matches!(
            result(&reply(200, worded)),
            ActionOutcome::Retry(_)
        ));
        let throttled = r#"{"error":"error_busy","message":"too many requests","request_id":"a4"}"#;
        assert!(matches!(
            result(&reply(429, throttled)),
            ActionOutcome::Retry(_)
        ));
        assert!(matches!(result(&reply(504, "")), ActionOutcome::Retry(_)));
        assert!(
            matches!(result(&reply(200, "<html>")), ActionOutcome::Retry(m) if m.contains("HTTP 200"))
        );
        assert!(
            matches!(result(&reply(200, r#"{"ok":true}"#)), ActionOutcome::Retry(m) if m.contains("HTTP 200"))
        );
    }

    #[test]
    fn other_errors_are_refused_naming_the_error() {
        let example = r#"{"error":"logistics.ship_order_need_sender_real_name","message":"Parameter sender_real_name can not be null.","request_id":"6ea20540431c35f2a76cfbaa0c090683"}"#;
        assert_eq!(
            result(&reply(200, example)),
            ActionOutcome::Refused(
                "Shopee refused the ship confirmation: Shopee error logistics.ship_order_need_sender_real_name: Parameter sender_real_name can not be null.".into()
            )
        );
        let auth = r#"{"error":"error_auth","message":"Invalid access_token.","request_id":"d1"}"#;
        assert!(
            matches!(result(&reply(403, auth)), ActionOutcome::Refused(m) if m.contains("error_auth"))
        );
        let not_ready = r#"{"error":"logistics.ship_order_not_ready_to_ship","message":"The order is not ready to ship.","request_id":"d2"}"#;
        assert!(matches!(
            result(&reply(200, not_ready)),
            ActionOutcome::Refused(_)
        ));
    }

    #[test]
    fn partial_shipments_are_unsupported() {
        assert!(matches!(
            build(confirm(vec!["1-2".into()]), &account(), 0),
            Err(KitError::Unsupported(_))
        ));
    }
}
