//! The Taobao / Tmall channel adapter (Taobao Open Platform, TOP, and its
//! message service, TMC).
//!
//! Taobao pushes order changes as TMC messages over a WebSocket that only
//! signs its handshake. OrderHub takes them two ways: the host holds the TMC
//! WebSocket itself through the push-stream functions, or a relay posts each
//! message as a form whose fields are signed with the TOP request rule and
//! the app secret. Both give the same events. The TOP rule also signs every
//! outbound call: the incremental order poll
//! (`taobao.trades.sold.increment.get`) and ship confirmations
//! (`taobao.logistics.offline.send`).
//!
//! Each module does one job:
//!
//! - [`top_sign`]: the TOP signature (md5, hmac, hmac-sha256);
//! - [`request`]: signing an outbound draft and building TOP calls;
//! - [`relay`]: the HTTP relay form and its verification;
//! - [`tmc`]: turning one TMC message (relayed or streamed) into canonical events;
//! - [`tmc_frame`]: the TMC WebSocket frame codec; [`stream`]: the push stream;
//! - [`topics`]: the topics understood and the status each one implies;
//! - [`trade`]: a TOP trade object as a canonical order;
//! - [`status`]: the status table behind `status-map` and the declared statuses;
//! - [`poll`]: the poll cursor, its time windows and the page order;
//! - [`action`]: ship confirmations and reading their replies;
//!   [`metadata`]: what the adapter declares;
//! - [`ack`]: the reply to a relayed message.

mod ack;
mod action;
mod metadata;
mod poll;
mod relay;
mod request;
mod status;
mod stream;
mod tmc;
mod tmc_frame;
mod top_sign;
mod topics;
mod trade;

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
struct Taobao;

impl Guest for Taobao {
    fn metadata() -> AdapterMetadata {
        metadata::metadata()
    }

    fn verify(request: HttpRequest, account: Account, now: i64) -> Result<(), AdapterError> {
        Ok(relay::verify(&request.body, &account.secrets, now)?)
    }

    fn sign(
        request: OutboundRequest,
        account: Account,
        now: i64,
    ) -> Result<OutboundRequest, AdapterError> {
        Ok(request::sign(request, &account, now)?)
    }

    fn normalize(request: HttpRequest, _account: Account) -> Result<Vec<Event>, AdapterError> {
        Ok(tmc::normalize(&request.body)?)
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

    fn stream_open(account: Account, now: i64) -> Result<StreamSession, AdapterError> {
        Ok(stream::open(&account, now)?)
    }

    fn stream_receive(
        frame: StreamFrame,
        _account: Account,
        _now: i64,
    ) -> Result<StreamReply, AdapterError> {
        Ok(stream::receive(&frame)?)
    }

    fn stream_tick(_account: Account, _now: i64) -> Result<Vec<StreamFrame>, AdapterError> {
        Ok(stream::tick())
    }
}

// The component exports exist only in the wasm build: their names
// (`orderhub:adapter/connector@0.2.0#verify`) are not valid native symbols,
// and native builds serve the unit tests, which call the functions directly.
#[cfg(target_arch = "wasm32")]
bindings::export!(Taobao with_types_in bindings);

#[cfg(test)]
mod tests {
    use super::*;
    use bindings::orderhub::adapter::types::{AdapterLimits, Field, StatusDomain};

    #[test]
    fn metadata_declares_what_the_adapter_does() {
        let meta = <Taobao as Guest>::metadata();
        assert_eq!(meta.id, "taobao");
        assert_eq!(
            meta.outbound_hosts,
            [
                "eco.taobao.com",
                "gw.api.taobao.com",
                "mc.api.taobao.com",
                "mc.api.tbsandbox.com"
            ]
        );
        for name in ["stream_url", "tmc_group"] {
            assert!(
                meta.credentials
                    .iter()
                    .any(|c| c.name == name && !c.secret && !c.required),
                "{name} is declared, not secret, not required"
            );
        }
        assert_eq!(meta.limits, orderhub_adapter_kit::host_limits!());
        assert!(
            meta.credentials
                .iter()
                .any(|c| c.name == "session" && c.secret)
        );
        for declared in meta.statuses {
            let status = PlatformStatus {
                domain: declared.domain,
                value: declared.value,
                context: vec![],
            };
            assert!(<Taobao as Guest>::status_map(status).is_ok());
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
            <Taobao as Guest>::status_map(status),
            Err(AdapterError::UnknownStatus(_))
        ));
        let request = HttpRequest {
            method: "POST".into(),
            url: "/".into(),
            headers: vec![],
            body: b"topic=x".to_vec(),
        };
        let account = Account {
            id: "shop".into(),
            secrets: vec!["s".into()],
            credentials: vec![Field {
                name: "app_key".into(),
                value: "1".into(),
            }],
        };
        assert!(matches!(
            <Taobao as Guest>::verify(request, account, 0),
            Err(AdapterError::MissingSignature(_))
        ));
    }

    #[test]
    fn acknowledgement_is_a_json_success() {
        let request = HttpRequest {
            method: "POST".into(),
            url: "/".into(),
            headers: vec![],
            body: vec![],
        };
        let reply = <Taobao as Guest>::acknowledge(request);
        assert_eq!(
            (reply.status, reply.body.as_slice()),
            (200, br#"{"success":true}"#.as_slice())
        );
    }
}
