//! The reply to a relayed message once the host has accepted it.
//!
//! The relay only needs a 2xx to drop the message from its own queue; the
//! small JSON body `{"success":true}` is for people and logs reading the
//! exchange.

use crate::bindings::orderhub::adapter::types::{Field, HttpResponse};

/// `200` with `{"success":true}`.
pub fn acknowledge() -> HttpResponse {
    HttpResponse {
        status: 200,
        headers: vec![Field {
            name: "Content-Type".into(),
            value: "application/json".into(),
        }],
        body: br#"{"success":true}"#.to_vec(),
    }
}
