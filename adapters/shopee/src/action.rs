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

use orderhub_adapter_kit::KitError;

use crate::api;
use crate::bindings::orderhub::adapter::types::{Account, Action, OutboundRequest};

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

    #[test]
    fn partial_shipments_are_unsupported() {
        assert!(matches!(
            build(confirm(vec!["1-2".into()]), &account(), 0),
            Err(KitError::Unsupported(_))
        ));
    }
}
