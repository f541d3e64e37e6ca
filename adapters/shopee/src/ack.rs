//! The reply to a push: the platform wants a 2xx with an empty body, and
//! retries otherwise.

use crate::bindings::orderhub::adapter::types::HttpResponse;

pub fn acknowledge() -> HttpResponse {
    HttpResponse {
        status: 200,
        headers: vec![],
        body: vec![],
    }
}
