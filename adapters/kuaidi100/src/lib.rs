//! The Kuaidi100 (快递100) carrier adapter.
//!
//! Kuaidi100 aggregates the tracking of most Chinese carriers. A merchant
//! subscribes a parcel once; Kuaidi100 then pushes the whole scan history to
//! the subscription's callback URL whenever it changes, signed with the
//! subscription's `salt`. The realtime query API returns the same shape on
//! demand and serves as the polling fallback.
//!
//! The adapter turns both into one `shipment` event per parcel, maps
//! Kuaidi100's main and advanced tracking states to the canonical tracking
//! states, and signs realtime queries. Each module does one of those jobs:
//!
//! - [`push`]: verifying and normalizing a subscription push;
//! - [`track`]: reading the tracking result both the push and the query carry;
//! - [`status`]: the state table behind `status-map` and the declared statuses;
//! - [`signing`]: Kuaidi100's MD5 digests and signing a realtime query draft;
//! - [`poll`]: building a realtime query from a cursor and reading its answer;
//! - [`metadata`]: what the adapter declares; [`ack`]: the reply to a push;
//! - [`account`]: reading credentials from the account.

mod account;
mod ack;
mod metadata;
mod poll;
mod push;
mod signing;
mod status;
mod track;

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
struct Kuaidi100;

impl Guest for Kuaidi100 {
    fn metadata() -> AdapterMetadata {
        metadata::metadata()
    }

    fn verify(request: HttpRequest, account: Account, _now: i64) -> Result<(), AdapterError> {
        // Pushes carry no timestamp, so there is nothing to check `now` against.
        Ok(push::verify(&request.body, &account.secrets)?)
    }

    fn sign(
        request: OutboundRequest,
        account: Account,
        _now: i64,
    ) -> Result<OutboundRequest, AdapterError> {
        Ok(signing::sign_query(request, &account)?)
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
        _now: i64,
    ) -> Result<OutboundRequest, AdapterError> {
        Ok(poll::request(cursor.as_deref(), &account)?)
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
            "confirm-shipment: Kuaidi100 is a carrier tracking service; ship confirmations go to the sales channel's adapter"
                .into(),
        ))
    }

    // No action is ever built, so no Kuaidi100 reply to one needs reading.
    orderhub_adapter_kit::action_result_by_status!();

    fn cursor_at(_since: i64, _account: Account, _now: i64) -> Result<String, AdapterError> {
        Ok(poll::cursor_at()?)
    }

    orderhub_adapter_kit::no_push_stream!("Kuaidi100");
}

// The component exports exist only in the wasm build: their names
// (`orderhub:adapter/connector@0.2.0#verify`) are not valid native symbols, and
// native builds serve the unit tests, which call the functions directly.
#[cfg(target_arch = "wasm32")]
bindings::export!(Kuaidi100 with_types_in bindings);

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
            Kuaidi100::outbound_action(action, account, 0),
            Err(AdapterError::Unsupported(_))
        ));
    }

    #[test]
    fn reconciliation_windows_and_push_streams_are_unsupported() {
        let account = Account {
            id: "main".into(),
            secrets: vec!["salt".into()],
            credentials: vec![],
        };
        assert!(matches!(
            Kuaidi100::cursor_at(1_711_929_600_000, account.clone(), 1_711_933_200_000),
            Err(AdapterError::Unsupported(m)) if m.contains("one parcel")
        ));
        assert!(matches!(
            Kuaidi100::stream_open(account.clone(), 0),
            Err(AdapterError::Unsupported(m)) if m.starts_with("Kuaidi100 ")
        ));
        assert!(matches!(
            Kuaidi100::stream_tick(account, 0),
            Err(AdapterError::Unsupported(_))
        ));
        let limits = Kuaidi100::metadata().limits;
        assert_eq!(
            (limits.wall_clock_ms, limits.fuel, limits.memory_bytes),
            (None, None, None)
        );
        assert_eq!((limits.input_bytes, limits.output_bytes), (None, None));
    }
}
