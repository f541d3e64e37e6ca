//! The reply to a push once the host has accepted it.
//!
//! The platform redelivers messages that do not get a successful reply. The
//! body `{"result":1}` follows the platform's own success convention
//! (`result` 1 in every API answer); that the push receiver checks the body
//! and not only the HTTP status is not documented in the sources at hand.

use crate::bindings::orderhub::adapter::types::{Field, HttpResponse};

/// `200` with `{"result":1}`.
pub fn acknowledge() -> HttpResponse {
    HttpResponse {
        status: 200,
        headers: vec![Field {
            name: "Content-Type".into(),
            value: "application/json".into(),
        }],
        body: br#"{"result":1}"#.to_vec(),
    }
}
