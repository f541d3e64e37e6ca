//! Ship confirmations: `pdd.logistics.online.send`.
//!
//! The call marks a whole order shipped: `order_sn`, the carrier as PDD's
//! numeric `logistics_id` and the `tracking_number`. The platform has no
//! order lines to ship separately through this call, so a confirmation that
//! names lines is refused rather than silently shipping the whole order.
//!
//! The carrier is given either as PDD's own numeric id (as listed by
//! `pdd.logistics.companies.get`) or as a common carrier code, translated by
//! the table below.

use orderhub_adapter_kit::KitError;

use crate::bindings::orderhub::adapter::types::{Account, Action, OutboundRequest};
use crate::request;

/// Common carrier codes (lower-case canonical ids, or PDD's own `code`
/// column upper-cased) and PDD's `logistics_id` for them.
pub const CARRIERS: [(&str, &str); 12] = [
    ("sto", "1"),
    ("ht", "3"),
    ("sf", "44"),
    ("yto", "85"),
    ("zto", "115"),
    ("ys", "117"),
    ("ems", "118"),
    ("jd", "120"),
    ("yunda", "121"),
    ("zjs", "129"),
    ("db", "131"),
    ("yzxb", "132"),
];

/// PDD's `logistics_id` for a carrier code or id.
fn logistics_id(carrier: &str) -> Result<String, KitError> {
    let carrier = carrier.trim();
    if carrier.is_empty() {
        return Err(KitError::MissingField("carrier (PDD logistics_id)".into()));
    }
    if carrier.bytes().all(|b| b.is_ascii_digit()) {
        return Ok(carrier.to_string());
    }
    let code = carrier.to_ascii_lowercase();
    CARRIERS
        .iter()
        .find(|(known, _)| *known == code)
        .map(|(_, id)| (*id).to_string())
        .ok_or_else(|| {
            KitError::invalid(
                "carrier",
                format_args!(
                    "{carrier:?} is not a carrier this adapter knows; give PDD's numeric \
                     logistics_id (pdd.logistics.companies.get)"
                ),
            )
        })
}

/// Builds the signed call for an action.
pub fn build(action: Action, account: &Account, now: i64) -> Result<OutboundRequest, KitError> {
    let Action::ConfirmShipment(ship) = action;
    request::require_access_token(account)?;
    if !ship.line_ids.is_empty() {
        return Err(KitError::Unsupported(
            "pdd.logistics.online.send ships whole orders; Pinduoduo orders have no lines \
             to confirm separately"
                .into(),
        ));
    }
    let order_sn = ship.order_external_id.trim();
    if order_sn.is_empty() {
        return Err(KitError::MissingField("order_external_id".into()));
    }
    let tracking = ship.tracking_number.trim();
    if tracking.is_empty() {
        return Err(KitError::MissingField("tracking_number".into()));
    }
    let logistics_id = logistics_id(&ship.carrier)?;
    let params = [
        ("order_sn", order_sn),
        ("logistics_id", logistics_id.as_str()),
        ("tracking_number", tracking),
    ];
    request::call("pdd.logistics.online.send", &params, account, now)
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
            credentials: vec![field("client_id", "cid"), field("access_token", "tok")],
        }
    }

    fn ship(carrier: &str, lines: &[&str]) -> Action {
        Action::ConfirmShipment(ShipmentConfirmation {
            order_external_id: "240401-123456789012345".into(),
            carrier: carrier.into(),
            tracking_number: "SF1400012345678".into(),
            line_ids: lines.iter().map(|l| (*l).to_string()).collect(),
        })
    }

    #[test]
    fn carriers_by_code_or_id() {
        let call = build(ship("sf", &[]), &account(), 0).unwrap();
        let body = String::from_utf8(call.body).unwrap();
        assert!(
            body.starts_with(
                "type=pdd.logistics.online.send&order_sn=240401-123456789012345\
                 &logistics_id=44&tracking_number=SF1400012345678&client_id=cid&access_token=tok"
            ),
            "{body}"
        );
        let by_id = build(ship("121", &[]), &account(), 0).unwrap();
        assert!(
            String::from_utf8(by_id.body)
                .unwrap()
                .contains("&logistics_id=121&")
        );
        let upper = build(ship("ZTO", &[]), &account(), 0).unwrap();
        assert!(
            String::from_utf8(upper.body)
                .unwrap()
                .contains("&logistics_id=115&")
        );
    }

    #[test]
    fn bad_inputs_are_named() {
        assert!(matches!(
            build(ship("pigeon", &[]), &account(), 0),
            Err(KitError::InvalidField(m)) if m.starts_with("carrier")
        ));
        assert!(matches!(
            build(ship("sf", &["51972265894"]), &account(), 0),
            Err(KitError::Unsupported(_))
        ));
        let Action::ConfirmShipment(mut s) = ship("sf", &[]);
        s.tracking_number = " ".into();
        assert_eq!(
            build(Action::ConfirmShipment(s), &account(), 0).err(),
            Some(KitError::MissingField("tracking_number".into()))
        );
        let mut no_token = account();
        no_token.credentials.pop();
        assert!(matches!(
            build(ship("sf", &[]), &no_token, 0),
            Err(KitError::MissingCredential(_))
        ));
    }
}
