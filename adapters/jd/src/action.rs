//! Ship confirmations: `jingdong.pop.order.shipment`.
//!
//! The call marks a POP order shipped (出库): `order_id`, JD's own logistics
//! company id as `logiCoprId` and the tracking number as `logiNo`. JD's
//! company ids are numbers the seller looks up on JD's side, so the carrier
//! must be given as that number; a canonical carrier name such as `sf` is
//! refused rather than guessed. The call ships the whole order, so a partial
//! shipment (line ids given) is unsupported.

use orderhub_adapter_kit::KitError;

use crate::bindings::orderhub::adapter::types::{Account, Action, OutboundRequest};
use crate::request;

/// The ship-confirmation API.
pub const SHIPMENT_API: &str = "jingdong.pop.order.shipment";

/// Builds the signed call for an action.
pub fn build(action: Action, account: &Account, now: i64) -> Result<OutboundRequest, KitError> {
    let Action::ConfirmShipment(ship) = action;
    request::require_access_token(account)?;
    if !ship.line_ids.is_empty() {
        return Err(KitError::Unsupported(
            "line_ids: jingdong.pop.order.shipment ships the whole order; partial shipments are not supported".into(),
        ));
    }
    let order_id = digits(
        &ship.order_external_id,
        "order_external_id",
        "a JD order id",
    )?;
    let tracking = ship.tracking_number.trim();
    if tracking.is_empty() {
        return Err(KitError::MissingField("tracking_number".into()));
    }
    let carrier = digits(
        &ship.carrier,
        "carrier",
        "JD's numeric logistics company id (logiCoprId)",
    )?;
    let params = serde_json::json!({
        "order_id": order_id,
        "logiCoprId": carrier,
        "logiNo": tracking,
    });
    request::call(SHIPMENT_API, &params, account, now)
}

/// Order ids and logistics company ids are numbers.
fn digits<'a>(text: &'a str, field: &str, what: &str) -> Result<&'a str, KitError> {
    let text = text.trim();
    if text.is_empty() {
        return Err(KitError::MissingField(field.into()));
    }
    if text.bytes().all(|b| b.is_ascii_digit()) {
        Ok(text)
    } else {
        Err(KitError::invalid(
            field,
            format_args!("{text:?} is not {what}"),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bindings::orderhub::adapter::types::{Field, ShipmentConfirmation};

    fn account() -> Account {
        let field = |n: &str, v: &str| Field {
            name: n.into(),
            value: v.into(),
        };
        Account {
            id: "shop".into(),
            secrets: vec!["secret".into()],
            credentials: vec![field("app_key", "key"), field("access_token", "tok")],
        }
    }

    fn ship(carrier: &str, lines: &[&str]) -> Action {
        Action::ConfirmShipment(ShipmentConfirmation {
            order_external_id: "230415123456789".into(),
            carrier: carrier.into(),
            tracking_number: "SF1234567890".into(),
            line_ids: lines.iter().map(|l| (*l).to_string()).collect(),
        })
    }

    #[test]
    fn whole_order_shipment() {
        let call = build(ship("467", &[]), &account(), 0).unwrap();
        assert_eq!(
            call.body,
            b"360buy_param_json=%7B%22order_id%22%3A%22230415123456789%22%2C%22logiCoprId%22%3A%22467%22%2C%22logiNo%22%3A%22SF1234567890%22%7D"
        );
        assert!(
            call.query
                .iter()
                .any(|f| f.name == "method" && f.value == SHIPMENT_API)
        );
        assert!(
            call.query
                .iter()
                .any(|f| f.name == "access_token" && f.value == "tok")
        );
    }

    #[test]
    fn bad_inputs_are_named() {
        assert!(
            matches!(build(ship("sf", &[]), &account(), 0), Err(KitError::InvalidField(m)) if m.starts_with("carrier"))
        );
        assert!(matches!(
            build(ship("467", &["1"]), &account(), 0),
            Err(KitError::Unsupported(_))
        ));
    }
}
