//! The Cainiao (菜鸟) LINK carrier adapter.
//!
//! Cainiao's LINK gateway exchanges messages as form posts: `msg_type`,
//! `logistics_interface` (the message), `data_digest` =
//! `Base64(MD5(logistics_interface + secretKey))` and routing fields. Cainiao
//! pushes trace updates to a partner's endpoint in that format; partners call
//! the gateway the same way.
//!
//! The adapter verifies and normalizes trace pushes into one `shipment` event
//! each, maps Cainiao's action codes to canonical tracking states, and signs
//! outbound LINK requests. Each module does one of those jobs:
//!
//! - [`push`]: verifying and normalizing a push;
//! - [`trace`]: reading a trace message into a shipment event;
//! - [`status`]: the action-code table behind `status-map` and the declared statuses;
//! - [`digest`]: `data_digest` and signing outbound drafts;
//! - [`metadata`]: what the adapter declares; [`ack`]: the reply to a push;
//! - [`account`]: reading credentials from the account.

mod account;
mod ack;
mod digest;
mod metadata;
mod push;
mod status;
mod trace;

mod bindings {
    wit_bindgen::generate!({
        path: "../../wit",
        world: "adapter",
        generate_all,
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
const NO_POLL: &str = "Cainiao pushes trace updates through LINK; no partner trace query with a \
     verified request and answer format is known, so this adapter does not poll";

/// The component's implementation of the `connector` interface.
struct Cainiao;

impl Guest for Cainiao {
    fn metadata() -> AdapterMetadata {
        metadata::metadata()
    }

    fn verify(request: HttpRequest, account: Account, _now: i64) -> Result<(), AdapterError> {
        // LINK messages carry no timestamp, so there is nothing to check `now` against.
        Ok(push::verify(&request, &account.secrets)?)
    }

    fn sign(
        request: OutboundRequest,
        account: Account,
        _now: i64,
    ) -> Result<OutboundRequest, AdapterError> {
        Ok(digest::sign(request, &account)?)
    }

    fn normalize(request: HttpRequest, _account: Account) -> Result<Vec<Event>, AdapterError> {
        Ok(push::normalize(&request)?)
    }

    fn status_map(status: PlatformStatus) -> Result<StatusMapping, AdapterError> {
        Ok(status::status_map(&status)?)
    }

    fn acknowledge(_request: HttpRequest) -> HttpResponse {
        ack::acknowledge()
    }

    fn poll_request(
        _cursor: Option<String>,
        _account: Account,
        _now: i64,
    ) -> Result<OutboundRequest, AdapterError> {
        Err(AdapterError::Unsupported(NO_POLL.into()))
    }

    fn poll_response(
        _cursor: Option<String>,
        _response: HttpResponse,
        _account: Account,
        _now: i64,
    ) -> Result<PollPage, AdapterError> {
        Err(AdapterError::Unsupported(NO_POLL.into()))
    }

    fn outbound_action(
        action: Action,
        _account: Account,
        _now: i64,
    ) -> Result<OutboundRequest, AdapterError> {
        let Action::ConfirmShipment(_) = action;
        Err(AdapterError::Unsupported(
            "confirm-shipment: Cainiao is a carrier; ship confirmations go to the sales channel's adapter"
                .into(),
        ))
    }

    // No action is ever built, so no Cainiao reply to one needs reading.
    orderhub_adapter_kit::action_result_by_status!();

    orderhub_adapter_kit::no_cursor_at!("Cainiao");

    orderhub_adapter_kit::no_push_stream!("Cainiao");
}

// The component exports exist only in the wasm build: their names
// (`orderhub:adapter/connector@0.2.0#verify`) are not valid native symbols, and
// native builds serve the unit tests, which call the functions directly.
#[cfg(target_arch = "wasm32")]
bindings::export!(Cainiao with_types_in bindings);

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
    fn polling_and_outbound_actions_are_unsupported() {
        let action = Action::ConfirmShipment(ShipmentConfirmation {
            order_external_id: "1".into(),
            carrier: "cainiao".into(),
            tracking_number: "LP1".into(),
            line_ids: vec![],
        });
        assert!(matches!(
            Cainiao::outbound_action(action, account(), 0),
            Err(AdapterError::Unsupported(_))
        ));
        assert!(matches!(
            Cainiao::poll_request(None, account(), 0),
            Err(AdapterError::Unsupported(_))
        ));
    }

    #[test]
    fn reconciliation_windows_and_push_streams_are_unsupported() {
        assert!(matches!(
            Cainiao::cursor_at(1_711_929_600_000, account(), 1_711_933_200_000),
            Err(AdapterError::Unsupported(m))
                if m == "Cainiao is not polled, so it has no cursor to start from"
        ));
        assert!(matches!(
            Cainiao::stream_open(account(), 0),
            Err(AdapterError::Unsupported(m)) if m.starts_with("Cainiao ")
        ));
        assert!(matches!(
            Cainiao::stream_tick(account(), 0),
            Err(AdapterError::Unsupported(_))
        ));
        let limits = Cainiao::metadata().limits;
        assert_eq!(
            (limits.wall_clock_ms, limits.fuel, limits.memory_bytes),
            (None, None, None)
        );
        assert_eq!((limits.input_bytes, limits.output_bytes), (None, None));
    }
}
