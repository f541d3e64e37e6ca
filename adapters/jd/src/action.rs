//! Ship confirmations: `jingdong.pop.order.shipment`.
//!
//! The call marks a POP order shipped (出库): `order_id`, JD's own logistics
//! company id as `logiCoprId` and the tracking number as `logiNo`. JD's
//! company ids are numbers the seller looks up on JD's side, so the carrier
//! must be given as that number; a canonical carrier name such as `sf` is
//! refused rather than guessed. The call ships the whole order, so a partial
//! shipment (line ids given) is unsupported.
//!
//! JOS answers a failed call with HTTP 200 too, so [`result`] reads the body
//! to tell the host whether the shipment was recorded:
//!
//! - `error_response {code, zh_desc, en_desc}` is a gateway refusal, except
//!   the codes that say the gateway or the service behind it is busy or
//!   throttling ([`RETRY_CODES`]), which are worth retrying;
//! - `jingdong_pop_order_shipment_responce {code, sopjosshipment_result
//!   {success, errorCode, chineseErrCode, englishErrCode}}` is done when
//!   `code` is `"0"` and `success` is true, and a refusal naming JD's error
//!   otherwise.

use orderhub_adapter_kit::KitError;
use orderhub_adapter_kit::contract::{self, ActionOutcome as Outcome};
use orderhub_adapter_kit::json::Fields;

use crate::bindings::orderhub::adapter::types::{
    Account, Action, ActionOutcome, HttpResponse, OutboundRequest,
};
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

/// The answer envelope of [`SHIPMENT_API`] (JD's spelling, `responce`).
pub const SHIPMENT_ENVELOPE: &str = "jingdong_pop_order_shipment_responce";
/// The result object inside it (the JOS SDKs' `PopOrderShipmentResponse`).
const SHIPMENT_RESULT: &str = "sopjosshipment_result";

/// JOS gateway codes that say "not now" rather than "no": `1` service
/// unavailable, `2` the app's call limit reached (App Call Limited), `43`
/// system error while processing, `65` the gateway timed out reaching the
/// service, `66` the service is unavailable, `67` the service failed with an
/// unknown exception. Every other code (signature, token, parameters,
/// permissions, the order's own state) is a refusal.
pub const RETRY_CODES: [&str; 6] = ["1", "2", "43", "65", "66", "67"];

/// What JD's reply to a ship confirmation means.
pub fn result(response: &HttpResponse) -> ActionOutcome {
    let by_status = || {
        from_kit(contract::action_outcome_by_status(
            response.status,
            &response.body,
        ))
    };
    let Ok(body) = serde_json::from_slice::<serde_json::Value>(&response.body) else {
        return if (200..300).contains(&response.status) {
            // A 2xx whose body is not JSON is not JOS talking (a proxy or a
            // maintenance page): nothing says the shipment was recorded.
            ActionOutcome::Retry(format!(
                "JD answered {} with a body that is not JSON: {}",
                response.status,
                excerpt(&response.body)
            ))
        } else {
            by_status()
        };
    };
    let Ok(root) = Fields::of(&body, "") else {
        return ActionOutcome::Refused(format!(
            "JD answered {} with JSON that is not an object: {}",
            response.status,
            excerpt(&response.body)
        ));
    };
    if let Some(error) = root.opt_object("error_response") {
        return gateway_error(&error);
    }
    if !(200..300).contains(&response.status) {
        return by_status();
    }
    match root.opt_object(SHIPMENT_ENVELOPE) {
        Some(envelope) => shipment_answer(&envelope),
        None => ActionOutcome::Refused(format!(
            "JD's answer has neither {SHIPMENT_ENVELOPE} nor error_response: {}",
            excerpt(&response.body)
        )),
    }
}

/// A gateway `error_response`: retry for busy or throttled, else refused.
fn gateway_error(error: &Fields<'_>) -> ActionOutcome {
    let text = |key: &str| error.opt_string(key).unwrap_or_default();
    let (code, zh, en) = (text("code"), text("zh_desc"), text("en_desc"));
    let why = format!("JOS error {code}: {en} ({zh})");
    if RETRY_CODES.contains(&code.as_str()) {
        ActionOutcome::Retry(why)
    } else {
        ActionOutcome::Refused(why)
    }
}

/// The shipment envelope: done only when JD says the call succeeded.
fn shipment_answer(envelope: &Fields<'_>) -> ActionOutcome {
    if let Some(code) = envelope.opt_string("code")
        && code != "0"
    {
        return ActionOutcome::Refused(format!(
            "{}: JOS answered code {code}",
            envelope.path_of("code")
        ));
    }
    let Some(result) = envelope.opt_object(SHIPMENT_RESULT) else {
        return ActionOutcome::Refused(format!(
            "{} has no {SHIPMENT_RESULT} saying whether the shipment was recorded",
            envelope.path()
        ));
    };
    match result.opt_bool("success") {
        Some(true) => ActionOutcome::Done,
        Some(false) => {
            let text = |key: &str| result.opt_string(key).unwrap_or_default();
            ActionOutcome::Refused(format!(
                "{}.success is false: error {} {} ({})",
                result.path(),
                text("errorCode"),
                text("englishErrCode"),
                text("chineseErrCode")
            ))
        }
        None => ActionOutcome::Refused(format!(
            "{}.success is absent or not a boolean",
            result.path()
        )),
    }
}

/// The kit's status rule, as the contract's outcome.
fn from_kit(outcome: Outcome) -> ActionOutcome {
    match outcome {
        Outcome::Done => ActionOutcome::Done,
        Outcome::Retry(why) => ActionOutcome::Retry(why),
        Outcome::Refused(why) => ActionOutcome::Refused(why),
    }
}

/// The start of a body, for messages.
fn excerpt(body: &[u8]) -> String {
    String::from_utf8_lossy(body).chars().take(200).collect()
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

    fn reply(status: u16, body: &str) -> HttpResponse {
        HttpResponse {
            status,
            headers: vec![],
            body: body.as_bytes().to_vec(),
        }
    }

    #[test]
    fn a_successful_shipment_is_done() {
        let body = r#"{"jingdong_pop_order_shipment_responce":{"code":"0","sopjosshipment_result":{"success":true,"errorCode":"","chineseErrCode":"","englishErrCode":""}}}"#;
        assert_eq!(result(&reply(200, body)), ActionOutcome::Done);
        // Some SDK users see the flag as a string.
        let text = r#"{"jingdong_pop_order_shipment_responce":{"code":"0","sopjosshipment_result":{"success":"true"}}}"#;
        assert_eq!(result(&reply(200, text)), ActionOutcome::Done);
    }

    #[test]
    fn a_shipment_jd_did_not_record_is_refused_with_its_message() {
        let body = r#"{"jingdong_pop_order_shipment_responce":{"code":"0","sopjosshipment_result":{"success":false,"errorCode":"10400001","chineseErrCode":"订单已出库","englishErrCode":"order already out of storage"}}}"#;
        assert_eq!(
            result(&reply(200, body)),
            ActionOutcome::Refused(
                "jingdong_pop_order_shipment_responce.sopjosshipment_result.success is false: \
                 error 10400001 order already out of storage (订单已出库)"
                    .into()
            )
        );
        let code = r#"{"jingdong_pop_order_shipment_responce":{"code":"1"}}"#;
        assert_eq!(
            result(&reply(200, code)),
            ActionOutcome::Refused(
                "jingdong_pop_order_shipment_responce.code: JOS answered code 1".into()
            )
        );
    }

    #[test]
    fn gateway_errors_are_refused_unless_busy_or_throttled() {
        let token = r#"{"error_response":{"code":"19","zh_desc":"无效access_token","en_desc":"Invalid access_token"}}"#;
        assert_eq!(
            result(&reply(200, token)),
            ActionOutcome::Refused("JOS error 19: Invalid access_token (无效access_token)".into())
        );
        let limited = r#"{"error_response":{"code":"2","zh_desc":"限制时间内调用失败次数","en_desc":"App Call Limited"}}"#;
        assert_eq!(
            result(&reply(200, limited)),
            ActionOutcome::Retry("JOS error 2: App Call Limited (限制时间内调用失败次数)".into())
        );
        let busy = r#"{"error_response":{"code":"66","zh_desc":"平台连接后端服务不可用","en_desc":"platform to connect to the back-end service not available"}}"#;
        assert!(
            matches!(result(&reply(200, busy)), ActionOutcome::Retry(m) if m.starts_with("JOS error 66"))
        );
        // Codes may come as numbers.
        let numeric =
            r#"{"error_response":{"code":65,"en_desc":"platform connecting service timeout"}}"#;
        assert!(matches!(
            result(&reply(200, numeric)),
            ActionOutcome::Retry(_)
        ));
    }

    #[test]
    fn unreadable_answers_fall_back_to_the_status() {
        assert!(matches!(
            result(&reply(502, "<html>bad gateway</html>")),
            ActionOutcome::Retry(_)
        ));
        assert!(
            matches!(result(&reply(200, "<html>maintenance</html>")), ActionOutcome::Retry(m) if m.contains("not JSON"))
        );
        assert!(matches!(
            result(&reply(403, "forbidden")),
            ActionOutcome::Refused(_)
        ));
        assert!(
            matches!(result(&reply(200, "{}")), ActionOutcome::Refused(m) if m.contains("neither"))
        );
        assert!(matches!(
            result(&reply(200, "[1]")),
            ActionOutcome::Refused(_)
        ));
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
