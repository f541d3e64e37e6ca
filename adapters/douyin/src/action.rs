//! Ship confirmations through `/order/logisticsAdd`, and how to read the
//! reply.
//!
//! That call ships a whole order with one parcel (`order_id`,
//! `company_code`, `logistics_code`). Shipping some sku orders only needs
//! `/order/logisticsAddMultiPack`, whose parcel shape is not covered by the
//! sources, so line-level confirmations are refused as unsupported.
//!
//! Douyin answers HTTP 200 with the outcome in the body: `code` 10000 is
//! success (legacy replies: `err_no` 0). [`result`] retries code 20000
//! (系统错误, sub-codes `isp.service-error:*`, documented as "请重试") and any
//! error whose message asks to try again (重试); everything else is refused
//! naming `code`, `msg`, `sub_code` and `sub_msg`.

use orderhub_adapter_kit::KitError;
use orderhub_adapter_kit::contract::{self, ActionOutcome as Judged};
use orderhub_adapter_kit::json::Fields;
use serde_json::json;

use crate::api_sign::{call, required_credential};
use crate::bindings::orderhub::adapter::types::{
    Account, Action, ActionOutcome, HttpResponse, OutboundRequest,
};

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

/// The success code of the current API.
const SUCCESS: &str = "10000";
/// 系统错误: the platform failed (sub-codes `isp.service-error:*`).
const SYSTEM_ERROR: &str = "20000";

/// Reads Douyin's reply to a `/order/logisticsAdd` call.
pub fn result(response: &HttpResponse) -> ActionOutcome {
    let value = serde_json::from_slice::<serde_json::Value>(&response.body).ok();
    let Some(root) = value.as_ref().and_then(|v| Fields::of(v, "").ok()) else {
        return by_status(response, false);
    };
    let code = root.opt_string("code");
    let err_no = root.opt_string("err_no");
    let failed = match (&code, &err_no) {
        (Some(code), _) => code != SUCCESS,
        (None, Some(err_no)) => err_no != "0",
        // Neither field: not Douyin's answer.
        (None, None) => return by_status(response, false),
    };
    if !failed {
        return by_status(response, true);
    }
    let text = [
        code.as_ref().map(|c| format!("code {c}")),
        err_no.as_ref().map(|e| format!("err_no {e}")),
        root.opt_string("msg")
            .or_else(|| root.opt_string("message")),
        root.opt_string("sub_code"),
        root.opt_string("sub_msg"),
    ]
    .into_iter()
    .flatten()
    .collect::<Vec<_>>()
    .join(" ");
    let asks_to_retry = ["msg", "message", "sub_msg"]
        .iter()
        .filter_map(|k| root.opt_string(k))
        .any(|m| m.contains("重试"));
    if code.as_deref() == Some(SYSTEM_ERROR)
        || asks_to_retry
        || matches!(response.status, 408 | 425 | 429 | 500..=599)
    {
        ActionOutcome::Retry(format!("Douyin: {text}"))
    } else {
        ActionOutcome::Refused(format!("Douyin refused the ship confirmation: {text}"))
    }
}

/// A reply that reports no error: its HTTP status decides, and a 2xx that is
/// not Douyin's JSON is tried again.
fn by_status(response: &HttpResponse, readable: bool) -> ActionOutcome {
    match contract::action_outcome_by_status(response.status, &response.body) {
        Judged::Done if readable => ActionOutcome::Done,
        Judged::Done => ActionOutcome::Retry(format!(
            "Douyin's reply (HTTP {}) is not its JSON answer",
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

    fn reply(body: &str) -> HttpResponse {
        HttpResponse {
            status: 200,
            headers: vec![],
            body: body.as_bytes().to_vec(),
        }
    }

    #[test]
    fn success_codes_are_done() {
        let ok = r#"{"code":10000,"msg":"success","sub_code":"","sub_msg":"","log_id":"2024040109000001020304050607","data":{}}"#;
        assert_eq!(result(&reply(ok)), ActionOutcome::Done);
        let legacy = r#"{"err_no":0,"message":"success","data":""}"#;
        assert_eq!(result(&reply(legacy)), ActionOutcome::Done);
    }

    #[test]
    fn system_errors_and_retry_hints_are_retried() {
        let system = r#"{"code":20000,"msg":"系统错误","sub_code":"isp.service-error:10000","sub_msg":"请重试","log_id":"1","data":{}}"#;
        assert_eq!(
            result(&reply(system)),
            ActionOutcome::Retry(
                "Douyin: code 20000 系统错误 isp.service-error:10000 请重试".into()
            )
        );
        let busy = r#"{"code":50002,"msg":"业务处理失败","sub_code":"isv.business-failed:-1","sub_msg":"系统繁忙，请稍后重试","log_id":"2","data":{}}"#;
        assert!(
            matches!(result(&reply(busy)), ActionOutcome::Retry(m) if m.contains("isv.business-failed:-1"))
        );
        let gateway = HttpResponse {
            status: 502,
            headers: vec![],
            body: b"<html>502 Bad Gateway</html>".to_vec(),
        };
        assert!(matches!(result(&gateway), ActionOutcome::Retry(_)));
        assert!(matches!(result(&reply("")), ActionOutcome::Retry(m) if m.contains("HTTP 200")));
        assert!(matches!(result(&reply("{}")), ActionOutcome::Retry(m) if m.contains("HTTP 200")));
    }

    #[test]
    fn business_and_parameter_errors_are_refused() {
        let invalid = r#"{"code":40004,"msg":"非法的参数","sub_code":"isv.parameter-invalid:11000","sub_msg":"请检查输入参数是否合法","log_id":"3","data":{}}"#;
        assert_eq!(
            result(&reply(invalid)),
            ActionOutcome::Refused(
                "Douyin refused the ship confirmation: code 40004 非法的参数 isv.parameter-invalid:11000 请检查输入参数是否合法".into()
            )
        );
        let auth = r#"{"code":30002,"msg":"no auth","data":{}}"#;
        assert!(matches!(result(&reply(auth)), ActionOutcome::Refused(m) if m.contains("30002")));
        let legacy = r#"{"err_no":1,"message":"订单状态不允许发货","data":""}"#;
        assert!(
            matches!(result(&reply(legacy)), ActionOutcome::Refused(m) if m.contains("err_no 1"))
        );
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
