//! The reply to a push: Lazada only needs HTTP 200 and retries otherwise.

use crate::bindings::orderhub::adapter::types::HttpResponse;

/// HTTP 200 with an empty body.
pub fn acknowledge() -> HttpResponse {
    HttpResponse {
        status: 200,
        headers: vec![],
        body: vec![],
    }
}
