//! The AfterShip Tracking carrier adapter.
//!
//! AfterShip tracks parcels of 1,000+ carriers behind one API. A merchant
//! creates a tracking per parcel (slug + number); AfterShip then POSTs a
//! webhook envelope carrying the whole Tracking whenever its status changes,
//! signed with the account's webhook secret. The trackings list API, filtered
//! by update time, serves as the polling fallback.
//!
//! The adapter turns both into one `shipment` event per tracking, maps
//! AfterShip's tags and subtags to the canonical tracking states, and signs
//! API calls. Each module does one of those jobs:
//!
//! - [`webhook`]: verifying and normalizing a webhook envelope;
//! - [`tracking`]: reading a Tracking, which webhooks and polls share;
//! - [`status`]: the tag and subtag tables behind `status-map`;
//! - [`signing`]: the webhook HMAC and the `as-api-key` header;
//! - [`poll`]: reading update-time windows of the trackings list;
//! - [`metadata`]: what the adapter declares; [`ack`]: the reply to a webhook;
//! - [`account`]: reading credentials from the account.

mod account;
mod ack;
mod metadata;
mod poll;
mod signing;
mod status;
mod tracking;
mod webhook;

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
struct AfterShip;

impl Guest for AfterShip {
    fn metadata() -> AdapterMetadata {
        metadata::metadata()
    }

    fn verify(request: HttpRequest, account: Account, _now: i64) -> Result<(), AdapterError> {
        // The signature covers no header timestamp; the body's `ts` is not
        // checked against `now` because AfterShip retries for days.
        Ok(webhook::verify(
            &request.headers,
            &request.body,
            &account.secrets,
        )?)
    }

    fn sign(
        request: OutboundRequest,
        account: Account,
        _now: i64,
    ) -> Result<OutboundRequest, AdapterError> {
        Ok(signing::sign_request(request, &account)?)
    }

    fn normalize(request: HttpRequest, _account: Account) -> Result<Vec<Event>, AdapterError> {
        Ok(webhook::normalize(&request.body)?)
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
        now: i64,
    ) -> Result<PollPage, AdapterError> {
        Ok(poll::response(cursor.as_deref(), &response, now)?)
    }

    fn outbound_action(
        action: Action,
        _account: Account,
        _now: i64,
    ) -> Result<OutboundRequest, AdapterError> {
        let Action::ConfirmShipment(_) = action;
        Err(AdapterError::Unsupported(
            "confirm-shipment: AfterShip is a carrier tracking service; ship confirmations go to the sales channel's adapter"
                .into(),
        ))
    }

    // No action is ever built, so no AfterShip reply to one needs reading.
    orderhub_adapter_kit::action_result_by_status!();

    fn cursor_at(since: i64, _account: Account, now: i64) -> Result<String, AdapterError> {
        Ok(poll::cursor_at(since, now)?)
    }

    orderhub_adapter_kit::no_push_stream!("AfterShip");
}

// The component exports exist only in the wasm build: their names
// (`orderhub:adapter/connector@0.2.0#verify`) are not valid native symbols, and
// native builds serve the unit tests, which call the functions directly.
#[cfg(target_arch = "wasm32")]
bindings::export!(AfterShip with_types_in bindings);

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
            carrier: "fedex".into(),
            tracking_number: "111111111111".into(),
            line_ids: vec![],
        });
        assert!(matches!(
            AfterShip::outbound_action(action, account, 0),
            Err(AdapterError::Unsupported(_))
        ));
    }

    fn account() -> Account {
        Account {
            id: "main".into(),
            secrets: vec!["whsec".into()],
            credentials: vec![],
        }
    }

    #[test]
    fn contract_0_2_functions_answer() {
        // 2024-05-06T12:00:30Z; a window from 2024-05-01T00:00:00Z.
        let now = 1_714_996_830_000;
        assert!(matches!(
            AfterShip::cursor_at(1_714_521_600_000, account(), now),
            Ok(c) if c == r#"{"updated_at_min":"2024-05-01T00:00:00+00:00","updated_at_max":"2024-05-06T11:59:30+00:00"}"#
        ));
        assert!(matches!(
            AfterShip::stream_open(account(), now),
            Err(AdapterError::Unsupported(m)) if m.starts_with("AfterShip ")
        ));
        assert!(matches!(
            AfterShip::stream_tick(account(), now),
            Err(AdapterError::Unsupported(_))
        ));
        let limits = AfterShip::metadata().limits;
        assert_eq!(
            (limits.wall_clock_ms, limits.fuel, limits.memory_bytes),
            (None, None, None)
        );
        assert_eq!((limits.input_bytes, limits.output_bytes), (None, None));
    }
}
