//! The Kuaishou shop (快手小店) channel adapter.
//!
//! Kuaishou posts each message as base64 AES-CBC ciphertext under the app's
//! message secret, with no signature header; successful decryption to an
//! envelope for the configured app key is what authenticates it. Orders are
//! polled with `open.order.cursor.list`, signed with the dedicated sign
//! secret.
//!
//! Each module does one job:
//!
//! - [`push`]: decrypting (the kit's AES-CBC) and authenticating a push body;
//! - [`message`]: one envelope as canonical events; [`topics`]: the events;
//! - [`order`]: one polled order as a canonical order;
//! - [`status`]: the status tables behind `status-map` and the declarations;
//! - [`sign`]: the request signature; [`request`]: signing an outbound call;
//! - [`poll`]: the poll cursor and windows; [`credentials`]: credential look-up;
//! - [`metadata`]: what the adapter declares; [`ack`]: the reply to a push.

mod ack;
mod credentials;
mod message;
mod metadata;
mod order;
mod poll;
mod push;
mod request;
mod sign;
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
struct Kuaishou;

impl Guest for Kuaishou {
    fn metadata() -> AdapterMetadata {
        metadata::metadata()
    }

    fn verify(request: HttpRequest, account: Account, _now: i64) -> Result<(), AdapterError> {
        let app_key = credentials::required(&account, "app_key")?;
        push::open(&request.body, &account.secrets, app_key)?;
        Ok(())
    }

    fn sign(
        request: OutboundRequest,
        account: Account,
        now: i64,
    ) -> Result<OutboundRequest, AdapterError> {
        Ok(request::sign(request, &account, now)?)
    }

    fn normalize(request: HttpRequest, account: Account) -> Result<Vec<Event>, AdapterError> {
        let app_key = credentials::required(&account, "app_key")?;
        let envelope = push::open(&request.body, &account.secrets, app_key)?;
        Ok(message::normalize(&envelope)?)
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
        _account: Account,
        _now: i64,
    ) -> Result<OutboundRequest, AdapterError> {
        match action {
            Action::ConfirmShipment(_) => Err(AdapterError::Unsupported(
                "confirm-shipment: the Kuaishou ship API is not implemented by this adapter".into(),
            )),
        }
    }

    // No action is built (see `outbound_action`), so there is no `result`
    // body to read; the HTTP status is all a reply could say.
    orderhub_adapter_kit::action_result_by_status!();

    fn cursor_at(since: i64, _account: Account, now: i64) -> Result<String, AdapterError> {
        Ok(poll::cursor_at(since, now))
    }

    orderhub_adapter_kit::no_push_stream!("Kuaishou");
}

// The component exports exist only in the wasm build: their names are not
// valid native symbols, and native builds serve the unit tests.
#[cfg(target_arch = "wasm32")]
bindings::export!(Kuaishou with_types_in bindings);

#[cfg(test)]
mod tests {
    use super::*;
    use bindings::orderhub::adapter::types::{ShipmentConfirmation, StatusDomain};

    #[test]
    fn metadata_declares_what_the_adapter_does() {
        let meta = <Kuaishou as Guest>::metadata();
        assert_eq!(meta.id, "kuaishou");
        assert_eq!(meta.outbound_hosts, ["openapi.kwaixiaodian.com"]);
        for declared in meta.statuses {
            let status = PlatformStatus {
                domain: declared.domain,
                value: declared.value,
                context: vec![],
            };
            assert!(<Kuaishou as Guest>::status_map(status).is_ok());
        }
    }

    #[test]
    fn kit_errors_become_contract_errors() {
        let status = PlatformStatus {
            domain: StatusDomain::Order,
            value: "0".into(),
            context: vec![],
        };
        assert!(matches!(
            <Kuaishou as Guest>::status_map(status),
            Err(AdapterError::UnknownStatus(_))
        ));
        let action = Action::ConfirmShipment(ShipmentConfirmation {
            order_external_id: "1".into(),
            carrier: "SF".into(),
            tracking_number: "SF1".into(),
            line_ids: vec![],
        });
        let account = Account {
            id: "shop".into(),
            secrets: vec![],
            credentials: vec![],
        };
        assert!(matches!(
            <Kuaishou as Guest>::outbound_action(action, account, 0),
            Err(AdapterError::Unsupported(_))
        ));
    }

    #[test]
    fn reconciliation_cursor_and_status_judged_replies() {
        let account = Account {
            id: "shop".into(),
            secrets: vec![],
            credentials: vec![],
        };
        assert_eq!(
            <Kuaishou as Guest>::cursor_at(1_711_843_200_000, account.clone(), 1_711_929_600_000),
            Ok(r#"{"begin":1711843200000,"end":1711929600000,"cursor":""}"#.to_string())
        );
        assert!(matches!(
            <Kuaishou as Guest>::stream_tick(account, 0),
            Err(AdapterError::Unsupported(m)) if m.starts_with("Kuaishou")
        ));
        let action = Action::ConfirmShipment(ShipmentConfirmation {
            order_external_id: "2412345678901234".into(),
            carrier: "SF".into(),
            tracking_number: "SF1".into(),
            line_ids: vec![],
        });
        let reply = HttpResponse {
            status: 429,
            headers: vec![],
            body: b"slow down".to_vec(),
        };
        assert_eq!(
            <Kuaishou as Guest>::action_result(action, reply),
            ActionOutcome::Retry("the platform answered 429: slow down".into())
        );
    }

    #[test]
    fn acknowledgement_is_result_one() {
        let request = HttpRequest {
            method: "POST".into(),
            url: "/".into(),
            headers: vec![],
            body: vec![],
        };
        let reply = <Kuaishou as Guest>::acknowledge(request);
        assert_eq!(
            (reply.status, reply.body.as_slice()),
            (200, br#"{"result":1}"#.as_slice())
        );
    }
}
