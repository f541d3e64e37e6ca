//! The reply EasyPost expects once a webhook is accepted.
//!
//! EasyPost counts any 2xx answered within a few seconds as delivered and
//! retries otherwise; it reads no body, so the reply is an empty `200`.

use crate::bindings::orderhub::adapter::types::HttpResponse;

/// `200` with an empty body.
pub(crate) fn acknowledge() -> HttpResponse {
    HttpResponse {
        status: 200,
        headers: vec![],
        body: vec![],
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn reply_is_an_empty_200() {
        let reply = super::acknowledge();
        assert_eq!((reply.status, reply.body.len()), (200, 0));
    }
}
