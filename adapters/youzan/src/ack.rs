//! The reply to a push once the host has accepted it.
//!
//! Youzan treats a push as delivered only when the reply is `200` with the
//! body `{"code":0,"msg":"success"}`; anything else is retried (the envelope's
//! `sendCount` grows), so the body is fixed.

use crate::bindings::orderhub::adapter::types::{Field, HttpResponse};

/// `200` with `{"code":0,"msg":"success"}`.
pub fn acknowledge() -> HttpResponse {
    HttpResponse {
        status: 200,
        headers: vec![Field {
            name: "Content-Type".into(),
            value: "application/json".into(),
        }],
        body: br#"{"code":0,"msg":"success"}"#.to_vec(),
    }
}
