//! The gateway's `error_response` as a typed error.
//!
//! Every gateway API answers a failure with
//! `{"error_response": {"error_code", "error_msg", "sub_code", "sub_msg",
//! "request_id"}}`. A failure of the shop's authorization (an expired or
//! invalid `access_token`, error 10019) means the account's credentials must
//! be renewed, so it is `missing-credential`; anything else (throttling,
//! bad parameters, platform errors) is `invalid-field` naming
//! `error_response`, which leaves a poll cursor where it was so the next
//! poll retries.

use orderhub_adapter_kit::KitError;
use orderhub_adapter_kit::json::Fields;

/// The error an `error_response` object stands for.
pub fn from_response(error: &Fields<'_>) -> KitError {
    let text = |key: &str| error.opt_string(key).unwrap_or_default();
    let (code, msg, sub_code, sub_msg) = (
        text("error_code"),
        text("error_msg"),
        text("sub_code"),
        text("sub_msg"),
    );
    let message = format!("PDD error {code} {msg} ({sub_code}: {sub_msg})");
    let authorization =
        code == "10019" || sub_code.contains("access_token") || msg.contains("access_token");
    if authorization {
        KitError::MissingCredential(message)
    } else {
        KitError::InvalidField(format!("error_response: {message}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn expired_tokens_are_credential_problems() {
        let value = serde_json::json!({"error_code": 10019, "error_msg": "access_token已过期"});
        let error = Fields::of(&value, "error_response").unwrap();
        assert!(
            matches!(from_response(&error), KitError::MissingCredential(m) if m.contains("10019"))
        );
        let value = serde_json::json!({"error_code": 70031, "error_msg": "调用过于频繁", "sub_code": "70031"});
        let error = Fields::of(&value, "error_response").unwrap();
        assert!(
            matches!(from_response(&error), KitError::InvalidField(m) if m.starts_with("error_response"))
        );
    }
}
