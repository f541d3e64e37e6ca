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
//!
//! The gateway answers a failed call with HTTP 200 too, so [`result`] reads
//! the body: `logistics_online_send_response.is_success` true is done; an
//! `error_response {error_code, error_msg, sub_code, sub_msg}` is retried
//! when it says the app is throttled or the platform is busy
//! ([`is_transient`]) and refused otherwise.

use orderhub_adapter_kit::KitError;
use orderhub_adapter_kit::contract::{self, ActionOutcome as Outcome};
use orderhub_adapter_kit::json::Fields;

use crate::bindings::orderhub::adapter::types::{
    Account, Action, ActionOutcome, HttpResponse, OutboundRequest,
};
use crate::request;

/// The ship confirmation's answer envelope.
pub const SEND_ENVELOPE: &str = "logistics_online_send_response";

/// Gateway error codes that mean "too many calls, try later": `70031`
/// (called too often) and `70032` (throttled), which public clients built on
/// the platform's Java SDK retry after a pause.
pub const RETRY_CODES: [&str; 2] = ["70031", "70032"];

/// Words in `sub_code`, `error_msg` or `sub_msg` that mark throttling, a busy
/// platform or a timeout.
const TRANSIENT_MARKS: [&str; 9] = [
    "too-many-requests",
    "too many requests",
    "busy",
    "timeout",
    "限流",
    "频繁",
    "繁忙",
    "超时",
    "稍后重试",
];

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

/// What the gateway's reply to a ship confirmation means.
pub fn result(response: &HttpResponse) -> ActionOutcome {
    let Ok(body) = serde_json::from_slice::<serde_json::Value>(&response.body) else {
        return if (200..300).contains(&response.status) {
            // A 2xx whose body is not JSON is not the gateway talking (a
            // proxy or a maintenance page): nothing says the order shipped.
            ActionOutcome::Retry(format!(
                "the PDD gateway answered {} with a body that is not JSON: {}",
                response.status,
                excerpt(&response.body)
            ))
        } else {
            by_status(response)
        };
    };
    let Ok(root) = Fields::of(&body, "") else {
        return ActionOutcome::Refused(format!(
            "the PDD gateway answered {} with JSON that is not an object: {}",
            response.status,
            excerpt(&response.body)
        ));
    };
    if let Some(error) = root.opt_object("error_response") {
        let why = describe(&error);
        return if is_transient(&error) {
            ActionOutcome::Retry(why)
        } else {
            ActionOutcome::Refused(why)
        };
    }
    if !(200..300).contains(&response.status) {
        return by_status(response);
    }
    let Some(answer) = root.opt_object(SEND_ENVELOPE) else {
        return ActionOutcome::Refused(format!(
            "the answer has neither {SEND_ENVELOPE} nor error_response: {}",
            excerpt(&response.body)
        ));
    };
    match answer.opt_bool("is_success") {
        Some(true) => ActionOutcome::Done,
        Some(false) => ActionOutcome::Refused(format!(
            "{}: the platform did not record the shipment",
            answer.path_of("is_success")
        )),
        None => ActionOutcome::Refused(format!(
            "{} is absent or not a boolean",
            answer.path_of("is_success")
        )),
    }
}

/// Throttling and busy-platform errors: a code of [`RETRY_CODES`], or a
/// sub-code or message that says so.
pub fn is_transient(error: &Fields<'_>) -> bool {
    let code = error.opt_string("error_code").unwrap_or_default();
    if RETRY_CODES.contains(&code.as_str()) {
        return true;
    }
    let sub_code = error
        .opt_string("sub_code")
        .unwrap_or_default()
        .to_ascii_lowercase();
    if sub_code.starts_with("isp.") {
        return true;
    }
    let text = [
        sub_code,
        error.opt_string("error_msg").unwrap_or_default(),
        error.opt_string("sub_msg").unwrap_or_default(),
    ]
    .join(" ")
    .to_lowercase();
    TRANSIENT_MARKS.iter().any(|mark| text.contains(mark))
}

/// `PDD error <code> <msg> (<sub_code>: <sub_msg>)`.
fn describe(error: &Fields<'_>) -> String {
    let text = |key: &str| error.opt_string(key).unwrap_or_default();
    format!(
        "PDD error {} {} ({}: {})",
        text("error_code"),
        text("error_msg"),
        text("sub_code"),
        text("sub_msg")
    )
}

/// The kit's rule for replies judged by their status alone.
fn by_status(response: &HttpResponse) -> ActionOutcome {
    match contract::action_outcome_by_status(response.status, &response.body) {
        Outcome::Done => ActionOutcome::Done,
        Outcome::Retry(why) => ActionOutcome::Retry(why),
        Outcome::Refused(why) => ActionOutcome::Refused(why),
    }
}

/// The start of a body, for messages.
fn excerpt(body: &[u8]) -> String {
    String::from_utf8_lossy(body).chars().take(200).collect()
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

    fn reply(status: u16, body: &str) -> HttpResponse {
        HttpResponse {
            status,
            headers: vec![],
            body: body.as_bytes().to_vec(),
        }
    }

    #[test]
    fn a_recorded_shipment_is_done() {
        let body = r#"{"logistics_online_send_response":{"is_success":true,"request_id":"17119296001234567"}}"#;
        assert_eq!(result(&reply(200, body)), ActionOutcome::Done);
        let not = r#"{"logistics_online_send_response":{"is_success":false}}"#;
        assert_eq!(
            result(&reply(200, not)),
            ActionOutcome::Refused(
                "logistics_online_send_response.is_success: the platform did not record the shipment"
                    .into()
            )
        );
    }

    #[test]
    fn throttling_and_busy_errors_are_retried() {
        let throttled = r#"{"error_response":{"error_code":70031,"error_msg":"调用过于频繁，请调整调用频率","sub_code":"70031","sub_msg":"","request_id":"1"}}"#;
        assert_eq!(
            result(&reply(200, throttled)),
            ActionOutcome::Retry("PDD error 70031 调用过于频繁，请调整调用频率 (70031: )".into())
        );
        let limited = r#"{"error_response":{"error_code":70032,"error_msg":"当前请求已被限流"}}"#;
        assert!(matches!(
            result(&reply(200, limited)),
            ActionOutcome::Retry(_)
        ));
        let isp = r#"{"error_response":{"error_code":50001,"error_msg":"业务服务错误","sub_code":"isp.service-unavailable","sub_msg":"服务不可用"}}"#;
        assert!(matches!(result(&reply(200, isp)), ActionOutcome::Retry(_)));
        let busy = r#"{"error_response":{"error_code":50000,"error_msg":"系统繁忙"}}"#;
        assert!(matches!(result(&reply(200, busy)), ActionOutcome::Retry(_)));
    }

    #[test]
    fn other_errors_are_refused_with_their_code_and_message() {
        let token = r#"{"error_response":{"error_code":10019,"error_msg":"access_token已过期","sub_code":"10019","sub_msg":"access_token已过期"}}"#;
        assert_eq!(
            result(&reply(200, token)),
            ActionOutcome::Refused(
                "PDD error 10019 access_token已过期 (10019: access_token已过期)".into()
            )
        );
        let shipped = r#"{"error_response":{"error_code":50001,"error_msg":"业务服务错误","sub_code":"10000","sub_msg":"订单已发货"}}"#;
        assert!(
            matches!(result(&reply(200, shipped)), ActionOutcome::Refused(m) if m.contains("订单已发货"))
        );
    }

    #[test]
    fn unreadable_answers_fall_back_to_the_status() {
        assert!(matches!(
            result(&reply(503, "unavailable")),
            ActionOutcome::Retry(_)
        ));
        assert!(
            matches!(result(&reply(200, "<html>")), ActionOutcome::Retry(m) if m.contains("not JSON"))
        );
        assert!(matches!(
            result(&reply(400, "bad")),
            ActionOutcome::Refused(_)
        ));
        assert!(
            matches!(result(&reply(200, r#"{"x":1}"#)), ActionOutcome::Refused(m) if m.contains("neither"))
        );
        assert!(matches!(
            result(&reply(200, r#"{"logistics_online_send_response":{}}"#)),
            ActionOutcome::Refused(_)
        ));
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
