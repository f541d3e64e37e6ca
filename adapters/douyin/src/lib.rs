//! The Douyin shop (抖店) channel adapter.
//!
//! Douyin pushes order and refund changes as signed JSON message arrays;
//! every open API call is a signed POST with a JSON body. The adapter
//! verifies and normalises pushes (and relayed order responses), polls
//! `/order/searchList` and builds `/order/logisticsAdd` ship confirmations.
//!
//! Each module does one job:
//!
//! - [`api_sign`]: the open API signature and signed request shape;
//! - [`push`]: push verification and message normalisation;
//! - [`topics`]: the message tags understood and the status each implies;
//! - [`order`]: an order object as a canonical order;
//! - [`status`]: the status table behind `status-map`;
//! - [`poll`]: the poll cursor, its windows and pages;
//! - [`action`]: ship confirmations; [`metadata`]: what the adapter declares.

mod action;
mod api_sign;
mod metadata;
mod order;
mod poll;
mod push;
mod status;
mod topics;

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
    Account, Action, ActionOutcome, AdapterError, AdapterMetadata, Event, Field, HttpRequest,
    HttpResponse, OutboundRequest, PlatformStatus, PollPage, StatusMapping, StreamFrame,
    StreamReply, StreamSession,
};

orderhub_adapter_kit::impl_adapter_error_from_kit!(
    bindings::orderhub::adapter::types::AdapterError
);

/// The component's implementation of the `connector` interface.
// Only the wasm build exports it; native builds reach it from the tests.
#[cfg_attr(not(target_arch = "wasm32"), allow(dead_code))]
struct Douyin;

impl Guest for Douyin {
    fn metadata() -> AdapterMetadata {
        metadata::metadata()
    }

    fn verify(request: HttpRequest, account: Account, _now: i64) -> Result<(), AdapterError> {
        // Push messages carry no request timestamp to check for staleness;
        // replays are absorbed by the message id idempotency.
        Ok(push::verify(&request, &account)?)
    }

    fn sign(
        request: OutboundRequest,
        account: Account,
        now: i64,
    ) -> Result<OutboundRequest, AdapterError> {
        Ok(api_sign::sign(request, &account, now)?)
    }

    fn normalize(request: HttpRequest, _account: Account) -> Result<Vec<Event>, AdapterError> {
        Ok(push::normalize(&request.body)?)
    }

    fn status_map(status: PlatformStatus) -> Result<StatusMapping, AdapterError> {
        Ok(status::map(&status)?)
    }

    fn acknowledge(_request: HttpRequest) -> HttpResponse {
        // Douyin redelivers a message unless the reply is this exact body.
        HttpResponse {
            status: 200,
            headers: vec![Field {
                name: "Content-Type".into(),
                value: "application/json".into(),
            }],
            body: br#"{"code":0,"msg":"success"}"#.to_vec(),
        }
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

    fn cursor_at(since: i64, _account: Account, _now: i64) -> Result<String, AdapterError> {
        Ok(poll::cursor_at(since))
    }

    orderhub_adapter_kit::no_push_stream!("Douyin");
}

// The component exports exist only in the wasm build: their names are not
// valid native symbols, and native builds serve the unit tests.
#[cfg(target_arch = "wasm32")]
bindings::export!(Douyin with_types_in bindings);

#[cfg(test)]
mod tests {
    use super::*;
    use bindings::orderhub::adapter::types::StatusDomain;

    #[test]
    fn metadata_statuses_all_map() {
        let meta = <Douyin as Guest>::metadata();
        assert_eq!(meta.id, "douyin");
        for declared in meta.statuses {
            let status = PlatformStatus {
                domain: declared.domain,
                value: declared.value,
                context: vec![],
            };
            assert!(<Douyin as Guest>::status_map(status).is_ok());
        }
    }

    #[test]
    fn unknown_status_is_a_contract_error() {
        let status = PlatformStatus {
            domain: StatusDomain::Order,
            value: "7".into(),
            context: vec![],
        };
        assert!(matches!(
            <Douyin as Guest>::status_map(status),
            Err(AdapterError::UnknownStatus(_))
        ));
    }

    #[test]
    fn acknowledgement_is_the_documented_body() {
        let request = HttpRequest {
            method: "POST".into(),
            url: "/".into(),
            headers: vec![],
            body: vec![],
        };
        let reply = <Douyin as Guest>::acknowledge(request);
        assert_eq!(reply.body, br#"{"code":0,"msg":"success"}"#);
    }
}
