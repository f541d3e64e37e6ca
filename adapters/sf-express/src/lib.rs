//! The SF Express (顺丰) carrier adapter.
//!
//! SF pushes route updates (RoutePushService) to a URL the merchant
//! configures at SF, and answers route queries (EXP_RECE_SEARCH_ROUTES) on
//! its standard service gateway. The adapter authenticates pushes (a secret
//! token in the push URL, or the `msgDigest` of a signed form), turns each
//! route into a `shipment` event, polls the route query, and maps SF's
//! secondary status codes and opCodes to canonical tracking states. Each
//! module does one of those jobs:
//!
//! - [`push`]: authenticating and normalizing a route push;
//! - [`route`]: reading the route items pushes and queries share;
//! - [`status`]: the code tables behind `status-map` and the declared statuses;
//! - [`digest`]: SF's `msgDigest` and its Java-style URL encoding;
//! - [`signing`]: signing a gateway request;
//! - [`poll`]: building a route query from a cursor and reading its answer;
//! - [`metadata`]: what the adapter declares; [`ack`]: the reply to a push;
//! - [`account`]: reading credentials from the account.

mod account;
mod ack;
mod digest;
mod metadata;
mod poll;
mod push;
mod route;
mod signing;
mod status;

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

/// The component's implementation of the `connector` interface.
struct SfExpress;

impl Guest for SfExpress {
    fn metadata() -> AdapterMetadata {
        metadata::metadata()
    }

    fn verify(request: HttpRequest, account: Account, now: i64) -> Result<(), AdapterError> {
        Ok(push::verify(&request, &account, now)?)
    }

    fn sign(
        request: OutboundRequest,
        account: Account,
        now: i64,
    ) -> Result<OutboundRequest, AdapterError> {
        Ok(signing::sign_request(request, &account, now)?)
    }

    fn normalize(request: HttpRequest, _account: Account) -> Result<Vec<Event>, AdapterError> {
        Ok(push::normalize(&request.body)?)
    }

    fn status_map(status: PlatformStatus) -> Result<StatusMapping, AdapterError> {
        Ok(status::status_map(&status)?)
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
        _now: i64,
    ) -> Result<PollPage, AdapterError> {
        Ok(poll::response(cursor.as_deref(), &response)?)
    }

    fn outbound_action(
        action: Action,
        _account: Account,
        _now: i64,
    ) -> Result<OutboundRequest, AdapterError> {
        let Action::ConfirmShipment(_) = action;
        Err(AdapterError::Unsupported(
            "confirm-shipment: SF Express is a carrier; ship confirmations go to the sales channel's adapter"
                .into(),
        ))
    }

    // No action is ever built, so no SF reply to one needs reading.
    orderhub_adapter_kit::action_result_by_status!();

    fn cursor_at(_since: i64, _account: Account, _now: i64) -> Result<String, AdapterError> {
        Ok(poll::cursor_at()?)
    }

    orderhub_adapter_kit::no_push_stream!("SF Express");
}

// The component exports exist only in the wasm build: their names
// (`orderhub:adapter/connector@0.2.0#verify`) are not valid native symbols, and
// native builds serve the unit tests, which call the functions directly.
#[cfg(target_arch = "wasm32")]
bindings::export!(SfExpress with_types_in bindings);

#[cfg(test)]
mod tests {
    use super::*;
    use bindings::orderhub::adapter::types::ShipmentConfirmation;

    #[test]
    fn outbound_actions_are_unsupported() {
        let account = Account {
            id: "main".into(),
            secrets: vec![],
            credentials: vec![],
        };
        let action = Action::ConfirmShipment(ShipmentConfirmation {
            order_external_id: "1".into(),
            carrier: "sf".into(),
            tracking_number: "SF1".into(),
            line_ids: vec![],
        });
        assert!(matches!(
            SfExpress::outbound_action(action, account, 0),
            Err(AdapterError::Unsupported(_))
        ));
    }

    #[test]
    fn reconciliation_windows_and_push_streams_are_unsupported() {
        let account = Account {
            id: "main".into(),
            secrets: vec!["token".into()],
            credentials: vec![],
        };
        assert!(matches!(
            SfExpress::cursor_at(1_711_929_600_000, account.clone(), 1_711_933_200_000),
            Err(AdapterError::Unsupported(m)) if m.contains("the waybills the cursor names")
        ));
        assert!(matches!(
            SfExpress::stream_open(account.clone(), 0),
            Err(AdapterError::Unsupported(m)) if m.starts_with("SF Express ")
        ));
        assert!(matches!(
            SfExpress::stream_receive(StreamFrame::Text("{}".into()), account, 0),
            Err(AdapterError::Unsupported(_))
        ));
        let limits = SfExpress::metadata().limits;
        assert_eq!(
            (limits.wall_clock_ms, limits.fuel, limits.memory_bytes),
            (None, None, None)
        );
        assert_eq!((limits.input_bytes, limits.output_bytes), (None, None));
    }
}
