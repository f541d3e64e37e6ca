//! The Lazada channel adapter (Lazada Open Platform, all six country sites).
//!
//! Lazada pushes order item status changes as signed JSON messages; OrderHub
//! also accepts `/order/get` and `/orders/get` responses relayed under the
//! same signature, and polls `/orders/get` by update time.
//!
//! Each module does one job:
//!
//! - [`lazop_sign`]: the request signature; [`request`]: signing a draft call;
//! - [`push`]: push verification and push messages as events;
//! - [`normalize`]: telling pushes from relayed responses;
//! - [`order`]: a Lazada order object as a canonical order;
//! - [`site`]: the country sites, their gateways and currencies;
//! - [`status`]: the status table behind `status-map`;
//! - [`poll`]: the poll cursor, windows and pages;
//! - [`action`]: why outbound actions are not offered;
//! - [`metadata`]: what the adapter declares; [`ack`]: the reply to a push.

mod ack;
mod action;
mod lazop_sign;
mod metadata;
mod normalize;
mod order;
mod poll;
mod push;
mod request;
mod site;
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
struct Lazada;

impl Guest for Lazada {
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
        Ok(request::sign(request, &account, now)?)
    }

    fn normalize(request: HttpRequest, account: Account) -> Result<Vec<Event>, AdapterError> {
        Ok(normalize::normalize(&request.body, &account)?)
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
        account: Account,
        now: i64,
    ) -> Result<PollPage, AdapterError> {
        Ok(poll::response(cursor.as_deref(), &response, &account, now)?)
    }

    fn outbound_action(
        action: Action,
        _account: Account,
        _now: i64,
    ) -> Result<OutboundRequest, AdapterError> {
        Err(action::build(&action).into())
    }

    // No action is built (see `action`), so there is no LazOP reply body
    // to read; the HTTP status is all a reply could say.
    orderhub_adapter_kit::action_result_by_status!();

    fn cursor_at(since: i64, _account: Account, _now: i64) -> Result<String, AdapterError> {
        Ok(poll::cursor_at(since))
    }

    orderhub_adapter_kit::no_push_stream!("Lazada");
}

// The component exports exist only in the wasm build: their names are not
// valid native symbols, and native builds serve the unit tests.
#[cfg(target_arch = "wasm32")]
bindings::export!(Lazada with_types_in bindings);

#[cfg(test)]
mod tests {
    use super::*;
    use bindings::orderhub::adapter::types::{Field, ShipmentConfirmation, StatusDomain};

    #[test]
    fn metadata_statuses_all_map() {
        let meta = <Lazada as Guest>::metadata();
        assert_eq!(meta.id, "lazada");
        for declared in meta.statuses {
            let status = PlatformStatus {
                domain: declared.domain,
                value: declared.value,
                context: vec![],
            };
            assert!(<Lazada as Guest>::status_map(status).is_ok());
        }
    }

    #[test]
    fn kit_errors_become_contract_errors() {
        let status = PlatformStatus {
            domain: StatusDomain::Order,
            value: "teleported".into(),
            context: vec![],
        };
        assert!(matches!(
            <Lazada as Guest>::status_map(status),
            Err(AdapterError::UnknownStatus(_))
        ));
        let account = Account {
            id: "shop".into(),
            secrets: vec!["s".into()],
            credentials: vec![Field {
                name: "app_key".into(),
                value: "1".into(),
            }],
        };
        let action = Action::ConfirmShipment(ShipmentConfirmation {
            order_external_id: "1".into(),
            carrier: "ninjavan".into(),
            tracking_number: "T".into(),
            line_ids: vec![],
        });
        assert!(matches!(
            <Lazada as Guest>::outbound_action(action, account, 0),
            Err(AdapterError::Unsupported(_))
        ));
    }

    #[test]
    fn reconciliation_cursor_and_unsupported_streams() {
        let account = Account {
            id: "shop".into(),
            secrets: vec![],
            credentials: vec![],
        };
        assert_eq!(
            <Lazada as Guest>::cursor_at(1_699_574_400_000, account.clone(), 1_700_000_000_000),
            Ok(r#"{"after":1699574400000,"offset":0}"#.to_string())
        );
        assert!(matches!(
            <Lazada as Guest>::stream_open(account, 0),
            Err(AdapterError::Unsupported(m)) if m.starts_with("Lazada")
        ));
        let action = Action::ConfirmShipment(ShipmentConfirmation {
            order_external_id: "1".into(),
            carrier: "ninjavan".into(),
            tracking_number: "T".into(),
            line_ids: vec![],
        });
        let reply = HttpResponse {
            status: 503,
            headers: vec![],
            body: b"busy".to_vec(),
        };
        assert_eq!(
            <Lazada as Guest>::action_result(action, reply),
            ActionOutcome::Retry("the platform answered 503: busy".into())
        );
    }

    #[test]
    fn acknowledgement_is_an_empty_200() {
        let request = HttpRequest {
            method: "POST".into(),
            url: "/".into(),
            headers: vec![],
            body: vec![],
        };
        let reply = <Lazada as Guest>::acknowledge(request);
        assert_eq!((reply.status, reply.body.len()), (200, 0));
    }
}
