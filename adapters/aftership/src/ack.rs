//! The reply AfterShip expects once a webhook is accepted.
//!
//! AfterShip retries a delivery (up to 14 times, backing off) unless it gets
//! a `200`; it reads no body.

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
