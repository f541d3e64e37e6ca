//! The generic channel adapter: sellers' own systems (mini-program backends,
//! in-house ERPs) that push OrderHub's canonical order JSON, signed per the
//! Standard Webhooks specification.
//!
//! There is no platform to translate here: the sender already speaks the
//! canonical model and its status vocabulary. The adapter's job is to make
//! that safe to accept — authentic, fresh, well-formed, every status one the
//! state machine knows — and to sign OrderHub's callbacks to the seller the
//! same way.
//!
//! Each module does one job:
//!
//! - [`scheme`]: the Standard Webhooks headers, signed content and `v1` list;
//! - [`secret`]: reading `whsec_` secrets into HMAC keys;
//! - [`verify`]: inbound verification; [`sign`]: outbound signing;
//! - [`normalize`]: the payload envelope and the event it becomes, with
//!   [`order`], [`shipment`], [`inventory`] and [`after_sale`] reading `data`;
//! - [`status`]: the status table; [`status_object`]: statuses nested in data;
//! - [`fields`]: strict JSON and header readers; [`metadata`]: the declaration.

mod after_sale;
mod fields;
mod inventory;
mod metadata;
mod normalize;
mod order;
mod scheme;
mod secret;
mod shipment;
mod sign;
mod status;
mod status_object;
mod verify;

mod bindings {
    wit_bindgen::generate!({
        path: "../../wit",
        world: "adapter",
        generate_all,
        // Lets unit tests compare whole results.
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

/// Why polling is not offered.
const PUSH_ONLY: &str = "the generic adapter is push-only: the seller's system POSTs signed events \
                         to its webhook URL, and there is no common API to poll";

/// The component's implementation of the `connector` interface.
// Only the wasm build exports it; native builds reach it from the tests.
#[cfg_attr(not(target_arch = "wasm32"), allow(dead_code))]
struct Generic;

impl Guest for Generic {
    fn metadata() -> AdapterMetadata {
        metadata::metadata()
    }

    fn verify(request: HttpRequest, account: Account, now: i64) -> Result<(), AdapterError> {
        Ok(verify::verify(&request, &account, now)?)
    }

    fn sign(
        request: OutboundRequest,
        account: Account,
        now: i64,
    ) -> Result<OutboundRequest, AdapterError> {
        Ok(sign::sign(request, &account, now)?)
    }

    fn normalize(request: HttpRequest, _account: Account) -> Result<Vec<Event>, AdapterError> {
        Ok(normalize::normalize(&request)?)
    }

    fn status_map(status: PlatformStatus) -> Result<StatusMapping, AdapterError> {
        Ok(status::map(&status)?)
    }

    fn acknowledge(_request: HttpRequest) -> HttpResponse {
        // Standard Webhooks counts any 2xx as delivered; a plain empty 200 is
        // what the simplest in-house sender checks for.
        HttpResponse {
            status: 200,
            headers: Vec::new(),
            body: Vec::new(),
        }
    }

    fn poll_request(
        _cursor: Option<String>,
        _account: Account,
        _now: i64,
    ) -> Result<OutboundRequest, AdapterError> {
        Err(AdapterError::Unsupported(PUSH_ONLY.into()))
    }

    fn poll_response(
        _cursor: Option<String>,
        _response: HttpResponse,
        _account: Account,
        _now: i64,
    ) -> Result<PollPage, AdapterError> {
        Err(AdapterError::Unsupported(PUSH_ONLY.into()))
    }

    fn outbound_action(
        action: Action,
        _account: Account,
        _now: i64,
    ) -> Result<OutboundRequest, AdapterError> {
        match action {
            Action::ConfirmShipment(confirmation) => Err(AdapterError::Unsupported(format!(
                "confirm-shipment for order {}: sellers' own systems have no common API to receive it; \
                 OrderHub can instead call the seller back with a request signed by `sign` \
                 (Standard Webhooks headers)",
                confirmation.order_external_id
            ))),
        }
    }

    // No action is ever built, so there is no platform reply with a body
    // format to read; the HTTP status is all a reply could say.
    orderhub_adapter_kit::action_result_by_status!();

    orderhub_adapter_kit::no_cursor_at!("The generic adapter");

    orderhub_adapter_kit::no_push_stream!("The generic adapter");
}

// The component exports only exist in the wasm build: natively the exported
// symbol names (`orderhub:adapter/connector@0.2.0#…`) are not valid in a
// linker version script, and native builds only run the unit tests.
#[cfg(target_arch = "wasm32")]
bindings::export!(Generic with_types_in bindings);

#[cfg(test)]
mod tests {
    use super::*;
    use bindings::orderhub::adapter::types::ShipmentConfirmation;

    fn account() -> Account {
        Account {
            id: "main".into(),
            secrets: vec![],
            credentials: vec![],
        }
    }

    #[test]
    fn acknowledge_is_an_empty_200() {
        let request = HttpRequest {
            method: "POST".into(),
            url: "/".into(),
            headers: vec![],
            body: vec![],
        };
        let reply = Generic::acknowledge(request);
        assert_eq!(reply.status, 200);
        assert!(reply.body.is_empty() && reply.headers.is_empty());
    }

    #[test]
    fn polling_and_actions_are_unsupported_and_say_why() {
        assert!(matches!(
            Generic::poll_request(None, account(), 0),
            Err(AdapterError::Unsupported(m)) if m.contains("push-only")
        ));
        let reply = HttpResponse {
            status: 200,
            headers: vec![],
            body: vec![],
        };
        assert!(matches!(
            Generic::poll_response(None, reply, account(), 0),
            Err(AdapterError::Unsupported(m)) if m.contains("push-only")
        ));
        let action = Action::ConfirmShipment(ShipmentConfirmation {
            order_external_id: "MP20240401000123".into(),
            carrier: "sf".into(),
            tracking_number: "SF1".into(),
            line_ids: vec![],
        });
        assert!(matches!(
            Generic::outbound_action(action, account(), 0),
            Err(AdapterError::Unsupported(m)) if m.contains("MP20240401000123")
        ));
    }

    #[test]
    fn reconciliation_windows_and_push_streams_are_unsupported() {
        assert_eq!(
            Generic::cursor_at(1_711_929_600_000, account(), 1_711_933_200_000),
            Err(AdapterError::Unsupported(
                "The generic adapter is not polled, so it has no cursor to start from".into()
            ))
        );
        assert!(matches!(
            Generic::stream_open(account(), 0),
            Err(AdapterError::Unsupported(m)) if m.contains("WebSocket")
        ));
        assert!(matches!(
            Generic::stream_tick(account(), 0),
            Err(AdapterError::Unsupported(_))
        ));
    }
}
