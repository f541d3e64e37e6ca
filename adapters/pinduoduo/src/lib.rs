//! The Pinduoduo (拼多多) channel adapter: the PDD open platform's API
//! gateway and its message service.
//!
//! Pinduoduo pushes order changes over a WebSocket (the message service,
//! PMC) whose handshake is signed but whose messages are not. The host holds
//! that WebSocket itself through the contract's push stream (`stream-open`,
//! `stream-receive`, `stream-tick`): the adapter signs the URL, reads each
//! frame, writes the acknowledgements and the heartbeat. Frames can also
//! reach OrderHub through a relay: each frame posted verbatim as the body,
//! with a timestamp and an MD5 signature over the raw body in two headers;
//! the same relay carries full `pdd.order.information.get` responses.
//! Outbound calls — the incremental order poll
//! (`pdd.order.number.list.increment.get`) and ship confirmations
//! (`pdd.logistics.online.send`) — use the gateway's request signature, and
//! `sign` also signs the message-service handshake URL.
//!
//! Each module does one job:
//!
//! - [`pdd_sign`]: the gateway signature and the handshake signature;
//! - [`request`]: signing outbound drafts and building gateway calls;
//! - [`stream`]: the message service as a push stream;
//! - [`relay`]: the relay headers and their verification;
//! - [`message`]: turning one frame or relayed body into canonical events;
//! - [`topics`]: the message types understood and the status each implies;
//! - [`order`]: a PDD order object as a canonical order and its status;
//! - [`status`]: the status tables behind `status-map` and the declared statuses;
//! - [`poll`]: the poll cursor, its time windows and the page order;
//! - [`gateway_error`]: the gateway's `error_response` as a typed error;
//! - [`action`]: ship confirmations, carrier ids and reading the reply;
//! - [`metadata`]: what the adapter declares; [`ack`]: the reply to a
//!   relayed message.

mod ack;
mod action;
mod gateway_error;
mod message;
mod metadata;
mod order;
mod pdd_sign;
mod poll;
mod relay;
mod request;
mod status;
mod stream;
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
struct Pinduoduo;

impl Guest for Pinduoduo {
    fn metadata() -> AdapterMetadata {
        metadata::metadata()
    }

    fn verify(request: HttpRequest, account: Account, now: i64) -> Result<(), AdapterError> {
        Ok(relay::verify(&request, &account.secrets, now)?)
    }

    fn sign(
        request: OutboundRequest,
        account: Account,
        now: i64,
    ) -> Result<OutboundRequest, AdapterError> {
        Ok(request::sign(request, &account, now)?)
    }

    fn normalize(request: HttpRequest, account: Account) -> Result<Vec<Event>, AdapterError> {
        Ok(message::normalize(&request.body, &account)?)
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
        account: Account,
        now: i64,
    ) -> Result<StreamReply, AdapterError> {
        Ok(stream::receive(&frame, &account, now)?)
    }

    fn stream_tick(_account: Account, now: i64) -> Result<Vec<StreamFrame>, AdapterError> {
        Ok(stream::tick(now))
    }
}

// The component exports exist only in the wasm build: their names
// (`orderhub:adapter/connector@0.2.0#verify`) are not valid native symbols,
// and native builds serve the unit tests, which call the functions directly.
#[cfg(target_arch = "wasm32")]
bindings::export!(Pinduoduo with_types_in bindings);

#[cfg(test)]
mod tests {
    use super::*;
    use bindings::orderhub::adapter::types::{Field, StatusDomain};

    fn request(body: &[u8]) -> HttpRequest {
        HttpRequest {
            method: "POST".into(),
            url: "/webhooks/pinduoduo/main".into(),
            headers: vec![],
            body: body.to_vec(),
        }
    }

    #[test]
    fn metadata_declares_what_the_adapter_does() {
        let meta = <Pinduoduo as Guest>::metadata();
        assert_eq!(meta.id, "pinduoduo");
        assert_eq!(
            meta.outbound_hosts,
            ["gw-api.pinduoduo.com", "message-api.pinduoduo.com"]
        );
        assert!(
            meta.credentials
                .iter()
                .any(|c| c.name == "access_token" && c.secret)
        );
        for declared in meta.statuses {
            let status = PlatformStatus {
                domain: declared.domain,
                value: declared.value,
                context: vec![],
            };
            assert!(<Pinduoduo as Guest>::status_map(status).is_ok());
        }
    }

    #[test]
    fn kit_errors_become_contract_errors() {
        let status = PlatformStatus {
            domain: StatusDomain::Order,
            value: "9".into(),
            context: vec![],
        };
        assert!(matches!(
            <Pinduoduo as Guest>::status_map(status),
            Err(AdapterError::UnknownStatus(_))
        ));
        let account = Account {
            id: "shop".into(),
            secrets: vec!["s".into()],
            credentials: vec![Field {
                name: "client_id".into(),
                value: "1".into(),
            }],
        };
        assert!(matches!(
            <Pinduoduo as Guest>::verify(request(b"{}"), account.clone(), 0),
            Err(AdapterError::MissingSignature(_))
        ));
        assert!(matches!(
            <Pinduoduo as Guest>::normalize(request(b"{\"message\":"), account),
            Err(AdapterError::MalformedPayload(_))
        ));
    }

    #[test]
    fn contract_0_2_functions_answer() {
        let account = Account {
            id: "shop".into(),
            secrets: vec!["secret".into()],
            credentials: vec![Field {
                name: "client_id".into(),
                value: "app".into(),
            }],
        };
        let session =
            <Pinduoduo as Guest>::stream_open(account.clone(), 1_700_000_000_000).unwrap();
        assert!(
            session
                .connect
                .url
                .ends_with("/app/1700000000000/OTgxODMwNDI2NWZiN2NiNzA2NzIxOTI0ZjJlMDMxMjE%3D")
        );
        assert_eq!(
            <Pinduoduo as Guest>::stream_tick(account.clone(), 5),
            Ok(vec![StreamFrame::Text(
                r#"{"commandType":"HeartBeat","time":5}"#.into()
            )])
        );
        assert!(matches!(
            <Pinduoduo as Guest>::stream_receive(StreamFrame::Binary(vec![1]), account.clone(), 0),
            Err(AdapterError::MalformedPayload(_))
        ));
        // 2024-04-01 00:00:00 UTC; the window starts at 2024-03-31 00:00:00 UTC.
        assert_eq!(
            <Pinduoduo as Guest>::cursor_at(1_711_843_200_000, account, 1_711_929_600_000),
            Ok(r#"{"start":1711843200,"end":1711845000}"#.into())
        );
        let reply = HttpResponse {
            status: 200,
            headers: vec![],
            body: br#"{"logistics_online_send_response":{"is_success":true}}"#.to_vec(),
        };
        let action =
            Action::ConfirmShipment(bindings::orderhub::adapter::types::ShipmentConfirmation {
                order_external_id: "240401-1".into(),
                carrier: "sf".into(),
                tracking_number: "SF1".into(),
                line_ids: vec![],
            });
        assert_eq!(
            <Pinduoduo as Guest>::action_result(action, reply),
            ActionOutcome::Done
        );
    }

    #[test]
    fn acknowledgement_is_a_json_success() {
        let reply = <Pinduoduo as Guest>::acknowledge(request(b""));
        assert_eq!(
            (reply.status, reply.body.as_slice()),
            (200, br#"{"success":true}"#.as_slice())
        );
    }
}
