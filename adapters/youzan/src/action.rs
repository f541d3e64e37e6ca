//! Ship confirmations: `youzan.logistics.online.confirm` 3.0.0, and how to
//! read Youzan's reply to one.
//!
//! The call marks a trade (or some of its lines, `oids`) shipped with a
//! carrier: `tid`, the tracking number as `out_sid` and the carrier as
//! `out_stype`, Youzan's own numeric express-company id. A canonical carrier
//! code such as `sf` cannot be turned into that id without Youzan's carrier
//! list, so the carrier must already be the numeric id.
//!
//! Youzan answers HTTP 200 to nearly everything, errors included, so the
//! reply is judged by its body ([`result`]): a gateway refusal
//! (`gw_err_resp.err_code`), a legacy 3.0.0 error (`error_response.code`),
//! a business failure (`success: false` with `code`), or `is_success: false`
//! in the data. Throttling and concurrent-request codes are retried; a
//! confirmation of goods Youzan already shipped counts as done, so a retry
//! after a lost reply does not turn into a refusal.

use orderhub_adapter_kit::KitError;
use orderhub_adapter_kit::contract::{self, ActionOutcome as Judged};
use orderhub_adapter_kit::json::Fields;
use serde_json::{Value, json};

use crate::api;
use crate::bindings::orderhub::adapter::types::{
    Account, Action, ActionOutcome, HttpResponse, OutboundRequest,
};

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

/// Gateway `err_code`: 请求太频繁 (the call was throttled).
const GW_THROTTLED: &str = "4101";
/// Business codes for 请求被限流 (throttled).
const THROTTLED: [&str; 2] = ["500100004", "123000042"];
/// 不能同时发起两笔相同的发货请求: the same confirmation is already being
/// processed; once it finishes a repeat reads as done (below) or as its error.
const CONCURRENT: &str = "102510001";
/// 不能重复提交已发过货的商品: the goods are already shipped.
const ALREADY_SHIPPED: &str = "102570007";

/// 操作异常: a failure the confirmation's error list says to try again.
const OPERATION_EXCEPTION: &str = "-100";

/// The code and message of one error object, read as text (Youzan sends codes
/// as numbers, some proxies as strings).
fn code_and_message(error: &Fields<'_>, code: &str, message: &str) -> (String, String) {
    (
        error.opt_string(code).unwrap_or_else(|| "?".into()),
        error.opt_string(message).unwrap_or_default(),
    )
}

/// A code Youzan documents as throttling, as a request still in progress, or
/// as an operation failure worth repeating.
fn temporary(code: &str) -> bool {
    code == GW_THROTTLED
        || code == CONCURRENT
        || code == OPERATION_EXCEPTION
        || THROTTLED.contains(&code)
}

fn judge_error(code: String, message: String, layer: &str, status: u16) -> ActionOutcome {
    if code == ALREADY_SHIPPED {
        ActionOutcome::Done
    } else if temporary(&code) || matches!(status, 408 | 425 | 429 | 500..=599) {
        ActionOutcome::Retry(format!("Youzan {layer} {code} {message}, try again later"))
    } else {
        ActionOutcome::Refused(format!(
            "Youzan refused the ship confirmation: {layer} {code} {message}"
        ))
    }
}

/// Reads Youzan's reply to a ship confirmation.
pub fn result(response: &HttpResponse) -> ActionOutcome {
    let value = serde_json::from_slice::<Value>(&response.body).ok();
    let Some(root) = value.as_ref().and_then(|v| Fields::of(v, "").ok()) else {
        return unreadable(response);
    };
    if let Some(gw) = root.opt_object("gw_err_resp") {
        let (code, message) = code_and_message(&gw, "err_code", "err_msg");
        return judge_error(code, message, "gateway error", response.status);
    }
    if let Some(error) = root.opt_object("error_response") {
        let (code, message) = code_and_message(&error, "code", "msg");
        return judge_error(code, message, "error", response.status);
    }
    let code = root.opt_string("code");
    let failed = match root.opt_bool("success") {
        Some(success) => !success,
        // Legacy replies carry no `success`; a `code` other than 200 is an error.
        None => code.as_deref().is_some_and(|c| c != "200"),
    };
    if failed {
        let (code, message) = code_and_message(&root, "code", "message");
        return judge_error(code, message, "error", response.status);
    }
    let answer = root
        .opt_object("data")
        .or_else(|| root.opt_object("response"));
    if answer.as_ref().and_then(|a| a.opt_bool("is_success")) == Some(false) {
        return ActionOutcome::Refused(
            "Youzan refused the ship confirmation: is_success is false".into(),
        );
    }
    // Without a success marker the body is not Youzan's answer (a proxy's
    // page, say), and only the HTTP status can be read.
    let succeeded = root.opt_bool("success") == Some(true)
        || code.as_deref() == Some("200")
        || answer.is_some();
    if !succeeded || !(200..300).contains(&response.status) {
        return unreadable(response);
    }
    ActionOutcome::Done
}

/// A reply without Youzan's JSON: its HTTP status decides, and a 2xx that
/// cannot be read is tried again (a repeat is safe: see [`ALREADY_SHIPPED`]).
fn unreadable(response: &HttpResponse) -> ActionOutcome {
    match contract::action_outcome_by_status(response.status, &response.body) {
        Judged::Done => ActionOutcome::Retry(format!(
            "Youzan's reply (HTTP {}) is not its JSON answer",
            response.status
        )),
        Judged::Retry(why) => ActionOutcome::Retry(why),
        Judged::Refused(why) => ActionOutcome::Refused(why),
    }
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

    fn reply(status: u16, body: &str) -> HttpResponse {
        HttpResponse {
            status,
            headers: vec![],
            body: body.as_bytes().to_vec(),
        }
    }

    #[test]
    fn a_successful_confirmation_is_done() {
        let ok = r#"{"trace_id":"yz7-0a0b0c0d-1711929600000-123456","code":200,"data":{"is_success":true},"success":true,"message":"successful"}"#;
        assert_eq!(result(&reply(200, ok)), ActionOutcome::Done);
        let legacy = r#"{"response":{"is_success":true}}"#;
        assert_eq!(result(&reply(200, legacy)), ActionOutcome::Done);
        // Goods already shipped: a repeat of a confirmation that went through.
        let repeat = r#"{"code":102570007,"data":null,"success":false,"message":"不能重复提交已发过货的商品","request_id":null}"#;
        assert_eq!(result(&reply(200, repeat)), ActionOutcome::Done);
    }

    #[test]
    fn throttling_and_concurrent_requests_are_retried() {
        let gateway =
            r#"{"gw_err_resp":{"trace_id":"yz7-0a0b0c0d","err_msg":"请求太频繁","err_code":4101}}"#;
        assert_eq!(
            result(&reply(200, gateway)),
            ActionOutcome::Retry("Youzan gateway error 4101 请求太频繁, try again later".into())
        );
        let limited = r#"{"code":123000042,"success":false,"message":"请求被限流"}"#;
        assert!(
            matches!(result(&reply(200, limited)), ActionOutcome::Retry(m) if m.contains("123000042"))
        );
        let concurrent = r#"{"code":102510001,"data":null,"success":false,"message":"不能同时发起两笔相同的发货请求","request_id":null}"#;
        assert!(
            matches!(result(&reply(200, concurrent)), ActionOutcome::Retry(m) if m.contains("102510001"))
        );
        let exception = r#"{"code":-100,"data":null,"success":false,"message":"操作异常"}"#;
        assert_eq!(
            result(&reply(200, exception)),
            ActionOutcome::Retry("Youzan error -100 操作异常, try again later".into())
        );
        assert!(matches!(
            result(&reply(502, "<html>Bad Gateway</html>")),
            ActionOutcome::Retry(_)
        ));
        assert!(
            matches!(result(&reply(200, "<html></html>")), ActionOutcome::Retry(m) if m.contains("HTTP 200"))
        );
        assert!(
            matches!(result(&reply(200, "{}")), ActionOutcome::Retry(m) if m.contains("HTTP 200"))
        );
    }

    #[test]
    fn other_errors_are_refused_with_code_and_message() {
        let nothing = r#"{"code":102570020,"data":null,"success":false,"message":"订单没有可发货的商品","request_id":null}"#;
        assert_eq!(
            result(&reply(200, nothing)),
            ActionOutcome::Refused(
                "Youzan refused the ship confirmation: error 102570020 订单没有可发货的商品".into()
            )
        );
        let token = r#"{"gw_err_resp":{"trace_id":"yz7-0a0b0c0d","err_msg":"Token 不存在","err_code":4203}}"#;
        assert_eq!(
            result(&reply(200, token)),
            ActionOutcome::Refused(
                "Youzan refused the ship confirmation: gateway error 4203 Token 不存在".into()
            )
        );
        let legacy = r#"{"error_response":{"msg":"trade not found","code":500}}"#;
        assert!(
            matches!(result(&reply(200, legacy)), ActionOutcome::Refused(m) if m.contains("500 trade not found"))
        );
        let not_done = r#"{"code":200,"success":true,"data":{"is_success":false}}"#;
        assert!(
            matches!(result(&reply(200, not_done)), ActionOutcome::Refused(m) if m.contains("is_success"))
        );
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
