//! The Youzan (有赞) channel adapter.
//!
//! Youzan pushes message envelopes as JSON over HTTPS, signed in the
//! `Event-Sign` header with md5(client_id + raw body + client_secret); the
//! envelope's `msg` field carries the URL-encoded message JSON. Outbound calls
//! to `https://open.youzanyun.com/api/{api}/{version}` are not signed: they
//! carry the `access_token` query parameter.
//!
//! Each module does one job:
//!
//! - [`push`]: the push envelope, its signature and its events;
//! - [`urldecode`]: decoding the URL-encoded `msg` field;
//! - [`topics`]: the message types understood and the refund state each implies;
//! - [`trade`]: a `full_order_info` as a canonical order;
//! - [`refund`]: a refund message as an after-sale case;
//! - [`status`]: the status table behind `status-map` and the declared statuses;
//! - [`api`]: the API gateway URL and the `access_token` parameter;
//! - [`poll`]: the poll cursor, its time windows and the page order;
//! - [`action`]: ship confirmations; [`metadata`]: what the adapter declares;
//! - [`ack`]: the reply Youzan expects to a push.

mod ack;
mod action;
mod api;
mod metadata;
mod poll;
mod push;
mod refund;
mod status;
mod topics;
mod trade;
mod urldecode;

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
struct Youzan;

impl Guest for Youzan {
    fn metadata() -> AdapterMetadata {
        metadata::metadata()
    }

    fn verify(request: HttpRequest, account: Account, _now: i64) -> Result<(), AdapterError> {
        Ok(push::verify(&request, &account)?)
    }

    fn sign(
        request: OutboundRequest,
        account: Account,
        _now: i64,
    ) -> Result<OutboundRequest, AdapterError> {
        Ok(api::sign(request, &account)?)
    }

    fn normalize(request: HttpRequest, _account: Account) -> Result<Vec<Event>, AdapterError> {
        Ok(push::normalize(&request.body)?)
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
        _now: i64,
    ) -> Result<OutboundRequest, AdapterError> {
        Ok(action::build(action, &account)?)
    }

    fn action_result(_action: Action, response: HttpResponse) -> ActionOutcome {
        action::result(&response)
    }

    fn cursor_at(since: i64, _account: Account, _now: i64) -> Result<String, AdapterError> {
        Ok(poll::cursor_at(since))
    }

    orderhub_adapter_kit::no_push_stream!("Youzan");
}

// The component exports exist only in the wasm build: their names are not
// valid native symbols, and native builds serve the unit tests, which call
// the functions directly.
#[cfg(target_arch = "wasm32")]
bindings::export!(Youzan with_types_in bindings);

#[cfg(test)]
mod tests {
    use super::*;
    use bindings::orderhub::adapter::types::StatusDomain;

    #[test]
    fn metadata_statuses_all_map() {
        let meta = <Youzan as Guest>::metadata();
        assert_eq!(meta.id, "youzan");
        assert_eq!(meta.outbound_hosts, ["open.youzanyun.com"]);
        for declared in meta.statuses {
            let status = PlatformStatus {
                domain: declared.domain,
                value: declared.value,
                context: vec![],
            };
            assert!(<Youzan as Guest>::status_map(status).is_ok());
        }
    }

    #[test]
    fn kit_errors_become_contract_errors() {
        let status = PlatformStatus {
            domain: StatusDomain::Order,
            value: "NEW".into(),
            context: vec![],
        };
        assert!(matches!(
            <Youzan as Guest>::status_map(status),
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
        let reply = <Youzan as Guest>::acknowledge(request);
        assert_eq!(
            (reply.status, reply.body.as_slice()),
            (200, br#"{"code":0,"msg":"success"}"#.as_slice())
        );
    }
}
