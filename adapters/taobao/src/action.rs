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
//!
//! [`result`] reads the gateway's reply. TOP answers HTTP 200 whether or not
//! the call worked and reports failures in the body as `error_response`
//! `{code, msg, sub_code, sub_msg}`, so the status alone says nothing.

use orderhub_adapter_kit::json::{self, Fields};
use orderhub_adapter_kit::{KitError, contract};

use crate::bindings::orderhub::adapter::types::{
    Account, Action, ActionOutcome, HttpResponse, OutboundRequest,
};
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

/// Reads the reply to a `taobao.logistics.offline.send` built by [`build`]:
/// `{"logistics_offline_send_response":{"shipping":{"is_success":true}}}` is
/// done; an `error_response` is a retry when [`is_transient`] says so and a
/// refusal otherwise; a reply that is not JSON is judged by its HTTP status
/// (a 2xx that is not JSON is a garbled answer from some proxy: retried).
pub fn result(response: &HttpResponse) -> ActionOutcome {
    let body = json::parse(&response.body).ok();
    let root = body.as_ref().and_then(|b| Fields::of(b, "").ok());
    if let Some(error) = root.as_ref().and_then(|r| r.opt_object("error_response")) {
        let text = |key: &str| error.opt_string(key).unwrap_or_default();
        let (code, msg, sub_code, sub_msg) =
            (text("code"), text("msg"), text("sub_code"), text("sub_msg"));
        let why = format!("TOP error {code} {msg} ({sub_code}: {sub_msg})");
        return if is_transient(&code, &sub_code) {
            ActionOutcome::Retry(why)
        } else {
            ActionOutcome::Refused(why)
        };
    }
    let status = response.status;
    if !(200..300).contains(&status) {
        return match contract::action_outcome_by_status(status, &response.body) {
            contract::ActionOutcome::Done => ActionOutcome::Done,
            contract::ActionOutcome::Retry(why) => ActionOutcome::Retry(why),
            contract::ActionOutcome::Refused(why) => ActionOutcome::Refused(why),
        };
    }
    let excerpt = || -> String {
        String::from_utf8_lossy(&response.body)
            .chars()
            .take(200)
            .collect()
    };
    let Some(root) = root else {
        return ActionOutcome::Retry(format!(
            "TOP answered {status} with a body that is not a JSON object: {}",
            excerpt()
        ));
    };
    let success = root
        .opt_object("logistics_offline_send_response")
        .and_then(|reply| reply.opt_object("shipping"))
        .and_then(|shipping| shipping.opt_bool("is_success"));
    match success {
        Some(true) => ActionOutcome::Done,
        Some(false) => ActionOutcome::Refused(
            "taobao.logistics.offline.send answered shipping.is_success=false".into(),
        ),
        None => ActionOutcome::Refused(format!(
            "the reply has neither error_response nor logistics_offline_send_response.shipping.is_success: {}",
            excerpt()
        )),
    }
}

/// TOP errors worth retrying: throttling and the service side failing.
///
/// - code `7` "App Call Limited" (sub-codes `accesscontrol.limited-by-*`,
///   e.g. `accesscontrol.limited-by-dynamic-access-count`, "This ban will
///   last for N more seconds"): the app's call quota;
/// - sub-codes `isv.access-limited-by-app-access-count`,
///   `isv.access-limited-by-api-access-count`,
///   `isv.access-limited-by-app-api-access-count` (the gateway's flow-limit
///   codes, `TOPConstants.FLOW_LIMITED_BY_*`);
/// - every `isp.*` sub-code — the platform's own side failing, e.g.
///   `isp.top-remote-connection-timeout`, `isp.top-remote-service-unavailable`,
///   `isp.top-remote-connection-error`, `isp.unknown-error` — which the
///   official Java SDK's `AutoRetryTaobaoClient` retries as a rule;
/// - `isv.logistics-offline-service-error:B150`, which the ship call answers
///   for a passing failure ("发货异常，请稍等后重试": shipping failed, try again
///   later — as handled by public callers of this API);
/// - codes `10` "Service Currently Unavailable" and `520` (remote service
///   error), from the platform's error table as commonly reproduced.
///
/// Everything else — `isv.*` business errors such as a trade in the wrong
/// state or a bad carrier code, and credential errors — is refused.
fn is_transient(code: &str, sub_code: &str) -> bool {
    matches!(code, "7" | "10" | "520")
        || sub_code.starts_with("isp.")
        || sub_code.starts_with("accesscontrol.limited-by")
        || sub_code.starts_with("isv.access-limited-by")
        || sub_code == "isv.logistics-offline-service-error:B150"
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

    fn reply(status: u16, body: &str) -> HttpResponse {
        HttpResponse {
            status,
            headers: vec![],
            body: body.as_bytes().to_vec(),
        }
    }

    #[test]
    fn success_is_done() {
        assert_eq!(
            result(&reply(
                200,
                r#"{"logistics_offline_send_response":{"shipping":{"is_success":true},"request_id":"s1"}}"#
            )),
            ActionOutcome::Done
        );
        assert_eq!(
            result(&reply(
                200,
                r#"{"logistics_offline_send_response":{"shipping":{"is_success":false}}}"#
            )),
            ActionOutcome::Refused(
                "taobao.logistics.offline.send answered shipping.is_success=false".into()
            )
        );
    }

    #[test]
    fn throttling_and_platform_failures_are_retried() {
        let limited = r#"{"error_response":{"code":7,"msg":"App Call Limited","sub_code":"accesscontrol.limited-by-dynamic-access-count","sub_msg":"This ban will last for 1 more seconds","request_id":"r1"}}"#;
        assert_eq!(
            result(&reply(200, limited)),
            ActionOutcome::Retry(
                "TOP error 7 App Call Limited (accesscontrol.limited-by-dynamic-access-count: This ban will last for 1 more seconds)".into()
            )
        );
        let timeout = r#"{"error_response":{"code":15,"msg":"Remote service error","sub_code":"isp.top-remote-connection-timeout","sub_msg":"timeout"}}"#;
        assert!(
            matches!(result(&reply(200, timeout)), ActionOutcome::Retry(m) if m.starts_with("TOP error 15"))
        );
        let b150 = r#"{"error_response":{"code":15,"msg":"Remote service error","sub_code":"isv.logistics-offline-service-error:B150"}}"#;
        assert!(matches!(result(&reply(200, b150)), ActionOutcome::Retry(_)));
        let flow = r#"{"error_response":{"code":15,"msg":"Remote service error","sub_code":"isv.access-limited-by-api-access-count"}}"#;
        assert!(matches!(result(&reply(200, flow)), ActionOutcome::Retry(_)));
        assert!(matches!(
            result(&reply(
                200,
                r#"{"error_response":{"code":520,"msg":"Remote service error"}}"#
            )),
            ActionOutcome::Retry(_)
        ));
        // The gateway itself failing, without a TOP body.
        assert!(
            matches!(result(&reply(502, "<html>bad gateway</html>")), ActionOutcome::Retry(m) if m.contains("502"))
        );
        assert!(
            matches!(result(&reply(200, "<html>")), ActionOutcome::Retry(m) if m.contains("not a JSON object"))
        );
    }

    #[test]
    fn business_and_credential_errors_are_refused() {
        let state = r#"{"error_response":{"code":15,"msg":"Remote service error","sub_code":"isv.logistics-offline-service-error:ORDER_NOT_FOUND_ERROR","sub_msg":"order not found"}}"#;
        assert_eq!(
            result(&reply(200, state)),
            ActionOutcome::Refused(
                "TOP error 15 Remote service error (isv.logistics-offline-service-error:ORDER_NOT_FOUND_ERROR: order not found)".into()
            )
        );
        let session = r#"{"error_response":{"code":27,"msg":"Invalid session","sub_code":"invalid-sessionkey"}}"#;
        assert!(
            matches!(result(&reply(200, session)), ActionOutcome::Refused(m) if m.contains("Invalid session"))
        );
        assert!(
            matches!(result(&reply(200, r#"{"other_response":{}}"#)), ActionOutcome::Refused(m) if m.contains("neither"))
        );
        assert!(matches!(
            result(&reply(403, "forbidden")),
            ActionOutcome::Refused(_)
        ));
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
