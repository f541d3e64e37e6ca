//! A refund message as an after-sale case.
//!
//! Refund messages carry `tid`, `oid`, `refund_id`, `refund_state`
//! (`SAFE_*`), `refund_type`, `refunded_fee` (yuan), `refund_reason` and
//! `update_time`. Current `trade_refund_*` messages may leave
//! `refund_state` out; the state their type implies is used then.

use orderhub_adapter_kit::KitError;
use orderhub_adapter_kit::json::Fields;

use crate::bindings::orderhub::adapter::types::{AfterSale, Field, PlatformStatus, StatusDomain};
use crate::trade::{CURRENCY, local_time, required_id, text, yuan};

/// An after-sale case, its status and when it changed.
pub struct Refund {
    pub case: AfterSale,
    pub status: PlatformStatus,
    pub updated_at: Option<i64>,
}

/// Reads a refund message; `implied` is the state the message type stands for.
pub fn from_message(msg: &Fields<'_>, implied: Option<&str>) -> Result<Refund, KitError> {
    let tid = required_id(msg, "tid")?;
    let refund_id = required_id(msg, "refund_id")?;
    let state = match (text(msg, "refund_state"), implied) {
        (Some(state), _) => state,
        (None, Some(implied)) => implied.to_string(),
        (None, None) => return Err(KitError::MissingField(msg.path_of("refund_state"))),
    };
    let context = text(msg, "refund_type")
        .map(|value| {
            vec![Field {
                name: "refund_type".into(),
                value,
            }]
        })
        .unwrap_or_default();
    Ok(Refund {
        case: AfterSale {
            external_id: refund_id,
            order_external_id: tid,
            amount_minor: yuan(msg, "refunded_fee")?,
            currency: Some(CURRENCY.into()),
            reason: text(msg, "refund_reason"),
        },
        status: PlatformStatus {
            domain: StatusDomain::Refund,
            value: state,
            context,
        },
        updated_at: local_time(msg, "update_time")?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn reads_a_refund_message() {
        let value = json!({"tid": "E1", "oid": 5, "refund_id": "W1", "refunded_fee": "12.30",
            "refund_type": "REFUND_ONLY", "update_time": "2024-04-01 08:00:00"});
        let msg = Fields::of(&value, "msg").unwrap();
        let refund = from_message(&msg, Some("SAFE_NEW")).unwrap();
        assert_eq!(refund.case.amount_minor, Some(1230));
        assert_eq!(refund.status.value, "SAFE_NEW");
        assert_eq!(refund.updated_at, Some(1_711_929_600_000));
        assert_eq!(
            from_message(&msg, None).err(),
            Some(KitError::MissingField("msg.refund_state".into()))
        );
    }
}
