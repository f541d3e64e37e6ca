//! Ship confirmations.
//!
//! WooCommerce core has no shipments and no tracking numbers (those come from
//! extensions with their own APIs). Its own notion of "fulfilled" is the
//! `completed` status, which merchants and shipping integrations set once an
//! order has shipped, and which sends the customer the "order complete"
//! email. A whole-order confirmation is therefore
//! `PUT /wp-json/wc/v3/orders/{id}` with `status: completed`, and the carrier
//! and tracking number written to the order's custom fields
//! (`orderhub_carrier`, `orderhub_tracking_number`, shown in the order screen
//! of the admin), so the store keeps what was shipped. The request is
//! idempotent: repeating it sets the same values again.
//!
//! A confirmation for some lines only is refused (`unsupported`): core has no
//! partial fulfilment, and completing the order would claim every line shipped.

use orderhub_adapter_kit::KitError;
use serde_json::json;

use crate::bindings::orderhub::adapter::types::{Account, Action, OutboundRequest};
use crate::fields::field;
use crate::store::{self, Store};

/// The custom field receiving the carrier.
pub const CARRIER_META: &str = "orderhub_carrier";
/// The custom field receiving the tracking number.
pub const TRACKING_META: &str = "orderhub_tracking_number";

/// Builds the signed request for an action.
pub fn build(action: Action, account: &Account, now: i64) -> Result<OutboundRequest, KitError> {
    let Action::ConfirmShipment(ship) = action;
    let id = ship.order_external_id.trim();
    if id.is_empty() || !id.bytes().all(|b| b.is_ascii_digit()) {
        return Err(KitError::invalid(
            "order_external_id",
            format_args!("{id:?} is not a WooCommerce order id (digits)"),
        ));
    }
    if !ship.line_ids.is_empty() {
        return Err(KitError::Unsupported(format!(
            "confirm-shipment of some lines of order {id}: WooCommerce core has no partial \
             fulfilment, and completing the order would mark all of its lines shipped"
        )));
    }
    let tracking = ship.tracking_number.trim();
    if tracking.is_empty() {
        return Err(KitError::MissingField("tracking_number".into()));
    }
    let body = json!({
        "status": "completed",
        "meta_data": [
            {"key": CARRIER_META, "value": ship.carrier.trim()},
            {"key": TRACKING_META, "value": tracking},
        ],
    });
    let request = OutboundRequest {
        method: "PUT".into(),
        url: Store::of(account)?.api_url(&format!("/orders/{id}")),
        query: Vec::new(),
        headers: vec![
            field("Content-Type", "application/json"),
            field("Accept", "application/json"),
        ],
        body: body.to_string().into_bytes(),
    };
    store::sign(request, account, now)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bindings::orderhub::adapter::types::ShipmentConfirmation;

    fn account() -> Account {
        Account {
            id: "main".into(),
            secrets: vec![],
            credentials: vec![
                field("base_url", "https://example.com"),
                field("consumer_key", "ck_test"),
                field("consumer_secret", "cs_test"),
            ],
        }
    }

    fn confirm(order: &str, tracking: &str, lines: &[&str]) -> Action {
        Action::ConfirmShipment(ShipmentConfirmation {
            order_external_id: order.into(),
            carrier: "ups".into(),
            tracking_number: tracking.into(),
            line_ids: lines.iter().map(|l| l.to_string()).collect(),
        })
    }

    #[test]
    fn whole_orders_are_completed_with_the_tracking_recorded() {
        let req = build(confirm("727", " 1Z999AA10123456784 ", &[]), &account(), 0).unwrap();
        assert_eq!(req.method, "PUT");
        assert_eq!(req.url, "https://example.com/wp-json/wc/v3/orders/727");
        assert_eq!(
            String::from_utf8(req.body).unwrap(),
            r#"{"status":"completed","meta_data":[{"key":"orderhub_carrier","value":"ups"},{"key":"orderhub_tracking_number","value":"1Z999AA10123456784"}]}"#
        );
        assert!(req.headers.iter().any(|h| h.name == "Authorization"));
    }

    #[test]
    fn partial_bad_ids_and_empty_tracking_are_refused() {
        assert!(matches!(
            build(confirm("727", "1Z", &["315"]), &account(), 0),
            Err(KitError::Unsupported(m)) if m.contains("727")
        ));
        assert!(matches!(
            build(confirm("727/notes", "1Z", &[]), &account(), 0),
            Err(KitError::InvalidField(_))
        ));
        assert_eq!(
            build(confirm("727", " ", &[]), &account(), 0),
            Err(KitError::MissingField("tracking_number".into()))
        );
    }
}
