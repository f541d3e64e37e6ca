//! The Shopee channel adapter (Shopee Open Platform, API v2).
//!
//! Shopee pushes order changes to a registered callback URL, signing each
//! push over that URL and the raw body with the partner key; the same key
//! signs every outbound v2 call. The adapter verifies and normalises pushes
//! (and relayed `get_order_detail` responses, which give full orders), polls
//! `get_order_list` over closed time windows, and confirms shipments.
//!
//! Each module does one job:
//!
//! - [`push`]: the push signature and its verification;
//! - [`shop_sign`]: the v2 signature of shop-level calls;
//! - [`api`]: account values and building signed calls;
//! - [`events`]: turning a push or relayed detail into events;
//! - [`order`]: a Shopee order object as a canonical order;
//! - [`status`]: the status table behind `status-map`;
//! - [`poll`]: the poll cursor and its windows;
//! - [`action`]: ship confirmations; [`metadata`]; [`ack`]: the push reply.

mod ack;
mod action;
mod api;
mod events;
mod metadata;
mod order;
mod poll;
mod push;
mod shop_sign;
mod status;

mod bindings {
    wit_bindgen::generate!({
        path: "../../wit",
        world: "adapter",
        generate_all,
        additional_derives: [PartialEq],
    });
}

use bindings::exports::orderhub::adapter::connector::Guest;
use bindings::orderhub::adapter::types::{
    Account, Action, ActionOutcome, AdapterError, AdapterMetadata, Event, HttpRequest,
    HttpResponse, OutboundRequest, PlatformStatus, PollPage, StatusMapping, StreamFrame,
    StreamReply, StreamSession,
};

orderhub_adapter_kit::impl_adapter_error_from_kit!(
    bindings::orderhub::adapter::types::AdapterError
);

/// The component's implementation of the `connector` interface.
// Only the wasm build exports it; native builds reach it from the tests.
#[cfg_attr(not(target_arch = "wasm32"), allow(dead_code))]
struct Shopee;

impl Guest for Shopee {
    fn metadata() -> AdapterMetadata {
        metadata::metadata()
    }

    fn verify(request: HttpRequest, account: Account, _now: i64) -> Result<(), AdapterError> {
        Ok(push::verify(&request, &account)?)
    }

    fn sign(
        request: OutboundRequest,
        account: Account,
        now: i64,
    ) -> Result<OutboundRequest, AdapterError> {
        Ok(shop_sign::sign(request, &account, now)?)
    }

    fn normalize(request: HttpRequest, _account: Account) -> Result<Vec<Event>, AdapterError> {
        Ok(events::normalize(&request.body)?)
    }

    fn status_map(status: PlatformStatus) -> Result<StatusMapping, AdapterError> {
        Ok(status::map(&status)?)
    }

    fn acknowledge(_request: HttpRequest) -> HttpResponse {
        ack::acknowledge()
    }

    fn poll_request(
        cursor: Option<String>,
        account: Account,
        now: i64,
    ) -> Result<OutboundRequest, AdapterError> {
        Ok(poll::request(cursor.as_deref(), &account, now)?)
    }

    fn poll_response(
        cursor: Option<String>,
        response: HttpResponse,
        _account: Account,
        now: i64,
    ) -> Result<PollPage, AdapterError> {
        Ok(poll::response(cursor.as_deref(), &response, now)?)
    }

    fn outbound_action(
        action: Action,
        account: Account,
        now: i64,
    ) -> Result<OutboundRequest, AdapterError> {
        Ok(action::build(action, &account, now)?)
    }

    fn action_result(_action: Action, response: HttpResponse) -> ActionOutcome {
        action::result(&response)
    }

    fn cursor_at(since: i64, _account: Account, now: i64) -> Result<String, AdapterError> {
        Ok(poll::cursor_at(since, now))
    }

    orderhub_adapter_kit::no_push_stream!("Shopee");
}

// The component exports exist only in the wasm build: their names are not
// valid native symbols, and native builds serve the unit tests.
#[cfg(target_arch = "wasm32")]
bindings::export!(Shopee with_types_in bindings);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn metadata_statuses_all_map() {
        let meta = <Shopee as Guest>::metadata();
        assert_eq!(meta.id, "shopee");
        for declared in meta.statuses {
            let status = PlatformStatus {
                domain: declared.domain,
                value: declared.value,
                context: vec![],
            };
            assert!(<Shopee as Guest>::status_map(status).is_ok());
        }
    }

    #[test]
    fn acknowledgement_is_empty() {
        let request = HttpRequest {
            method: "POST".into(),
            url: "/".into(),
            headers: vec![],
            body: vec![],
        };
        let reply = <Shopee as Guest>::acknowledge(request);
        assert_eq!((reply.status, reply.body.len()), (200, 0));
    }
}
