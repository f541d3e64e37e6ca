//! Ship confirmations: `taobao.logistics.offline.send`.
//!
//! The call marks a trade shipped with the seller's own carrier
//! ("自己联系物流"): `tid`, the tracking number as `out_sid` and the carrier
//! as `company_code`. Shipping some sub-orders only is a split shipment:
//! their ids go in `sub_tid`, with `is_split=1`.
//!
//! `company_code` is Taobao's own carrier code, as listed by
//! `taobao.logistics.companies.get` (the API documents `POST` for China Post
//! and `ZJS` for ZJS). The carrier given is sent upper-cased, so canonical
//! ids that equal their Taobao code (`sf`, `zto`, `yto`, `sto`, `ems`, `zjs`)
//! work directly; others must be given as Taobao's code.

use orderhub_adapter_kit::KitError;

use crate::bindings::orderhub::adapter::types::{Account, Action, OutboundRequest};
use crate::request;

/// Builds the signed call for an action.
pub fn build(action: Action, account: &Account, now: i64) -> Result<OutboundRequest, KitError> {
    let Action::ConfirmShipment(ship) = action;
    request::require_session(account)?;
    let tid = numeric_id(&ship.order_external_id, "order_external_id")?;
    let tracking = ship.tracking_number.trim();
    if tracking.is_empty() {
        return Err(KitError::MissingField("tracking_number".into()));
    }
    let carrier = ship.carrier.trim().to_ascii_uppercase();
    if carrier.is_empty() {
        return Err(KitError::MissingField(
            "carrier (Taobao company_code)".into(),
        ));
    }
    let sub_tids = ship
        .line_ids
        .iter()
        .enumerate()
        .map(|(i, id)| numeric_id(id, &format!("line_ids[{i}]")))
        .collect::<Result<Vec<_>, _>>()?
        .join(",");
    let mut params = vec![
        ("tid", tid),
        ("out_sid", tracking),
        ("company_code", carrier.as_str()),
    ];
    if !sub_tids.is_empty() {
        params.push(("sub_tid", sub_tids.as_str()));
        params.push(("is_split", "1"));
    }
    request::call("taobao.logistics.offline.send", &params, account, now)
}

/// Trade and sub-order ids are numbers.
fn numeric_id<'a>(id: &'a str, field: &str) -> Result<&'a str, KitError> {
    let id = id.trim();
    if !id.is_empty() && id.bytes().all(|b| b.is_ascii_digit()) {
        Ok(id)
    } else {
        Err(KitError::invalid(
            field,
            format_args!("{id:?} is not a Taobao trade id"),
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
            credentials: vec![field("app_key", "12345678"), field("session", "sess")],
        }
    }

    fn ship(lines: &[&str]) -> Action {
        Action::ConfirmShipment(ShipmentConfirmation {
            order_external_id: "4011876543210987654".into(),
            carrier: "sf".into(),
            tracking_number: "SF1234567890".into(),
            line_ids: lines.iter().map(|l| (*l).to_string()).collect(),
        })
    }

    #[test]
    fn whole_and_split_shipments() {
        let whole = build(ship(&[]), &account(), 0).unwrap();
        assert_eq!(
            whole.body,
            b"tid=4011876543210987654&out_sid=SF1234567890&company_code=SF"
        );
        assert!(
            whole
                .query
                .iter()
                .any(|f| f.name == "method" && f.value == "taobao.logistics.offline.send")
        );
        assert!(
            whole
                .query
                .iter()
                .any(|f| f.name == "session" && f.value == "sess")
        );
        let split = build(ship(&["1", "2"]), &account(), 0).unwrap();
        assert!(
            String::from_utf8(split.body)
                .unwrap()
                .ends_with("&sub_tid=1%2C2&is_split=1")
        );
    }

    #[test]
    fn bad_inputs_are_named() {
        assert!(
            matches!(build(ship(&["x"]), &account(), 0), Err(KitError::InvalidField(m)) if m.starts_with("line_ids[0]"))
        );
        let Action::ConfirmShipment(mut s) = ship(&[]);
        s.tracking_number = " ".into();
        assert_eq!(
            build(Action::ConfirmShipment(s), &account(), 0).err(),
            Some(KitError::MissingField("tracking_number".into()))
        );
    }
}
