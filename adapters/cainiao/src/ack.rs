//! The reply a LINK push expects once accepted.
//!
//! LINK partners answer a push with a JSON body whose `success` is the string
//! `"true"`; anything else counts as a failed delivery and is retried. The
//! exact body is 🟡 (third-party handlers, no Cainiao page), see the README.

use crate::bindings::orderhub::adapter::types::{Field, HttpResponse};

/// The success reply.
pub(crate) const SUCCESS_BODY: &str = r#"{"success":"true","errorCode":"","errorMsg":""}"#;

/// `200` with [`SUCCESS_BODY`] as JSON.
pub(crate) fn acknowledge() -> HttpResponse {
    HttpResponse {
        status: 200,
        headers: vec![Field {
            name: "Content-Type".into(),
            value: "application/json;charset=UTF-8".into(),
        }],
        body: SUCCESS_BODY.as_bytes().to_vec(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reply_says_success_true() {
        let reply = acknowledge();
        assert_eq!(reply.status, 200);
        let body: serde_json::Value = serde_json::from_slice(&reply.body).unwrap();
        assert_eq!(body["success"], "true");
    }
}
