//! The reply SF expects once a route push is accepted.
//!
//! SF's route push documentation (JSON mode) asks for `return_code` `0000`
//! (success) or `1000` (failure) with a `return_msg`; anything else counts as
//! a failed delivery and SF pushes the same routes again.

use crate::bindings::orderhub::adapter::types::{Field, HttpResponse};

/// The success reply, byte for byte as SF's clients answer it.
pub(crate) const SUCCESS_BODY: &str = r#"{"return_code":"0000","return_msg":"成功"}"#;

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
    fn reply_is_the_documented_success_json() {
        let reply = acknowledge();
        assert_eq!(reply.status, 200);
        assert_eq!(
            String::from_utf8(reply.body).unwrap(),
            "{\"return_code\":\"0000\",\"return_msg\":\"成功\"}"
        );
    }
}
