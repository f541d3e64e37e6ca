//! The reply Kuaidi100 expects once a push is accepted.
//!
//! Kuaidi100 treats anything but this exact JSON as a failed delivery and
//! pushes the same update again later, so the body is a constant.

use crate::bindings::orderhub::adapter::types::{Field, HttpResponse};

/// The success reply from Kuaidi100's push documentation.
pub(crate) const SUCCESS_BODY: &str = r#"{"result":true,"returnCode":"200","message":"成功"}"#;

/// `200` with [`SUCCESS_BODY`] as JSON.
pub(crate) fn acknowledge() -> HttpResponse {
    HttpResponse {
        status: 200,
        headers: vec![Field {
            name: "Content-Type".into(),
            value: "application/json".into(),
        }],
        body: SUCCESS_BODY.as_bytes().to_vec(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reply_is_the_documented_success_json() {
        let reply = acknowledge();
        assert_eq!(reply.status, 200);
        assert_eq!(
            String::from_utf8(reply.body).unwrap(),
            "{\"result\":true,\"returnCode\":\"200\",\"message\":\"成功\"}"
        );
        assert_eq!(reply.headers[0].value, "application/json");
    }
}
