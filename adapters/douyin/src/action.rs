//! Ship confirmations through `/order/logisticsAdd`.
//!
//! That call ships a whole order with one parcel (`order_id`,
//! `company_code`, `logistics_code`). Shipping some sku orders only needs
//! `/order/logisticsAddMultiPack`, whose parcel shape is not covered by the
//! sources, so line-level confirmations are refused as unsupported.

use orderhub_adapter_kit::KitError;
use serde_json::json;

use crate::api_sign::{call, required_credential};
use crate::bindings::orderhub::adapter::types::{Account, Action, OutboundRequest};

/// The API path.
pub const PATH: &str = "/order/logisticsAdd";

/// The signed request performing `action`.
pub fn build(action: Action, account: &Account, now_ms: i64) -> Result<OutboundRequest, KitError> {
    let Action::ConfirmShipment(ship) = action;
    if !ship.line_ids.is_empty() {
        return Err(KitError::Unsupported(
            "line_ids: partial shipment needs /order/logisticsAddMultiPack, which this adapter does not build".into(),
        ));
    }
    required_credential(account, "access_token")?;
    for (name, value) in [
        ("order_external_id", &ship.order_external_id),
        ("carrier", &ship.carrier),
        ("tracking_number", &ship.tracking_number),
    ] {
        if value.trim().is_empty() {
            return Err(KitError::MissingField(name.into()));
        }
    }
    let params = json!({
        "order_id": ship.order_external_id.trim(),
        "company_code": ship.carrier.trim(),
        "logistics_code": ship.tracking_number.trim(),
    });
    call(PATH, &params, account, now_ms)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bindings::orderhub::adapter::types::{Field, ShipmentConfirmation};

    fn account(token: bool) -> Account {
        let mut credentials = vec![Field {
            name: "app_key".into(),
            value: "7000000000000000001".into(),
        }];
        if token {
            credentials.push(Field {
                name: "access_token".into(),
                value: "t".into(),
            });
        }
        Account {
            id: "main".into(),
            secrets: vec!["s".into()],
            credentials,
        }
    }

    fn ship(lines: Vec<String>) -> Action {
        Action::ConfirmShipment(ShipmentConfirmation {
            order_external_id: "4781320682406083640".into(),
            carrier: "shunfeng".into(),
            tracking_number: "SF1".into(),
            line_ids: lines,
        })
    }

    #[test]
    fn whole_order_body_is_sorted_and_signed() {
        let request = build(ship(vec![]), &account(true), 1_711_933_200_000).unwrap();
        assert_eq!(
            request.url,
            "https://openapi-fxg.jinritemai.com/order/logisticsAdd"
        );
        assert_eq!(
            request.body,
            br#"{"company_code":"shunfeng","logistics_code":"SF1","order_id":"4781320682406083640"}"#
        );
        assert!(request.query.iter().any(|f| f.name == "sign"));
    }

    #[test]
    fn lines_and_missing_token_are_refused() {
        assert!(matches!(
            build(ship(vec!["1".into()]), &account(true), 0),
            Err(KitError::Unsupported(_))
        ));
        assert!(matches!(
            build(ship(vec![]), &account(false), 0),
            Err(KitError::MissingCredential(_))
        ));
    }
}
