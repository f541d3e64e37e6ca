//! Ship confirmations: `youzan.logistics.online.confirm` 3.0.0.
//!
//! The call marks a trade (or some of its lines, `oids`) shipped with a
//! carrier: `tid`, the tracking number as `out_sid` and the carrier as
//! `out_stype`, Youzan's own numeric express-company id. A canonical carrier
//! code such as `sf` cannot be turned into that id without Youzan's carrier
//! list, so the carrier must already be the numeric id.

use orderhub_adapter_kit::KitError;
use serde_json::json;

use crate::api;
use crate::bindings::orderhub::adapter::types::{Account, Action, OutboundRequest};

/// The API and its version.
pub const API: &str = "youzan.logistics.online.confirm";
pub const VERSION: &str = "3.0.0";

/// Builds the signed confirmation call.
pub fn build(action: Action, account: &Account) -> Result<OutboundRequest, KitError> {
    let Action::ConfirmShipment(ship) = action;
    let tid = ship.order_external_id.trim();
    if tid.is_empty() {
        return Err(KitError::MissingField("order_external_id".into()));
    }
    let carrier = ship.carrier.trim();
    if carrier.is_empty() || !carrier.bytes().all(|b| b.is_ascii_digit()) {
        return Err(KitError::invalid(
            "carrier",
            format_args!("{carrier:?} is not a Youzan express-company id (out_stype, digits)"),
        ));
    }
    let tracking = ship.tracking_number.trim();
    if tracking.is_empty() {
        return Err(KitError::MissingField("tracking_number".into()));
    }
    // Keys in sorted order so the body is the same whether or not JSON
    // objects keep insertion order.
    let body = if ship.line_ids.is_empty() {
        json!({
            "is_no_express": 0,
            "out_sid": tracking,
            "out_stype": carrier,
            "tid": tid,
        })
    } else {
        json!({
            "is_no_express": 0,
            "oids": ship.line_ids.join(","),
            "out_sid": tracking,
            "out_stype": carrier,
            "tid": tid,
        })
    };
    api::post_json(account, API, VERSION, &body)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bindings::orderhub::adapter::types::{Field, ShipmentConfirmation};

    fn account() -> Account {
        Account {
            id: "main".into(),
            secrets: vec![],
            credentials: vec![Field {
                name: "access_token".into(),
                value: "tok".into(),
            }],
        }
    }

    fn ship(carrier: &str, lines: &[&str]) -> Action {
        Action::ConfirmShipment(ShipmentConfirmation {
            order_external_id: "E1".into(),
            carrier: carrier.into(),
            tracking_number: "SF123".into(),
            line_ids: lines.iter().map(|s| (*s).to_string()).collect(),
        })
    }

    #[test]
    fn builds_whole_and_split_confirmations() {
        let r = build(ship("1", &[]), &account()).unwrap();
        assert_eq!(
            r.url,
            "https://open.youzanyun.com/api/youzan.logistics.online.confirm/3.0.0"
        );
        let body: serde_json::Value = serde_json::from_slice(&r.body).unwrap();
        assert_eq!(body["out_stype"], "1");
        assert!(body.get("oids").is_none());
        let r = build(ship("1", &["11", "12"]), &account()).unwrap();
        let body: serde_json::Value = serde_json::from_slice(&r.body).unwrap();
        assert_eq!(body["oids"], "11,12");
        assert!(matches!(
            build(ship("sf", &[]), &account()),
            Err(KitError::InvalidField(_))
        ));
    }
}
