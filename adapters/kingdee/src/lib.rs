//! The Kingdee K3 Cloud (金蝶云星空) ERP adapter.
//!
//! K3 Cloud offers no webhooks: an integration reads bills back through the
//! WebAPI. This adapter polls sales outbound bills (`SAL_OUTSTOCK`) with
//! `DynamicFormService.ExecuteBillQuery` over modify-date windows and turns
//! every audited bill with a waybill number into a `shipment` event (order
//! reference, warehouse, material lines), signing each call with the headers
//! of Kingdee's official SDK 8.2. Each module does one of those jobs:
//!
//! - [`poll`]: the windowed, paged query and its cursor;
//! - [`bill`]: reading query rows into shipment events;
//! - [`status`]: the bill statuses behind `status-map` and the declared statuses;
//! - [`signing`]: the SDK's signed headers (`X-Api-Signature`, `X-Kd-Signature`…);
//! - [`metadata`]: what the adapter declares;
//! - [`account`]: reading credentials from the account.

mod account;
mod bill;
mod metadata;
mod poll;
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

/// Why there is nothing to verify or normalize.
const NO_PUSH: &str = "Kingdee K3 Cloud sends no webhooks: poll SAL_OUTSTOCK bills instead \
     (poll-request / poll-response)";

/// The component's implementation of the `connector` interface.
struct Kingdee;

impl Guest for Kingdee {
    fn metadata() -> AdapterMetadata {
        metadata::metadata()
    }

    fn verify(_request: HttpRequest, _account: Account, _now: i64) -> Result<(), AdapterError> {
        Err(AdapterError::Unsupported(NO_PUSH.into()))
    }

    fn sign(
        request: OutboundRequest,
        account: Account,
        now: i64,
    ) -> Result<OutboundRequest, AdapterError> {
        Ok(signing::sign(request, &account, now)?)
    }

    fn normalize(_request: HttpRequest, _account: Account) -> Result<Vec<Event>, AdapterError> {
        Err(AdapterError::Unsupported(NO_PUSH.into()))
    }

    fn status_map(status: PlatformStatus) -> Result<StatusMapping, AdapterError> {
        Ok(status::status_map(&status)?)
    }

    fn acknowledge(_request: HttpRequest) -> HttpResponse {
        // Nothing is ever pushed; a plain 200 is all a stray caller gets.
        HttpResponse {
            status: 200,
            headers: vec![],
            body: vec![],
        }
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
        let Action::ConfirmShipment(_) = action;
        Err(AdapterError::Unsupported(
            "confirm-shipment: Kingdee is the ERP that ships; ship confirmations go to the sales channel's adapter"
                .into(),
        ))
    }

    // No action is ever built, so no K3 Cloud reply to one needs reading.
    orderhub_adapter_kit::action_result_by_status!();

    fn cursor_at(since: i64, _account: Account, now: i64) -> Result<String, AdapterError> {
        Ok(poll::cursor_at(since, now))
    }

    orderhub_adapter_kit::no_push_stream!("Kingdee K3 Cloud");
}

// The component exports exist only in the wasm build: their names
// (`orderhub:adapter/connector@0.2.0#verify`) are not valid native symbols, and
// native builds serve the unit tests, which call the functions directly.
#[cfg(target_arch = "wasm32")]
bindings::export!(Kingdee with_types_in bindings);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pushes_are_unsupported_and_say_to_poll() {
        let account = Account {
            id: "main".into(),
            secrets: vec![],
            credentials: vec![],
        };
        let request = HttpRequest {
            method: "POST".into(),
            url: "/".into(),
            headers: vec![],
            body: b"{}".to_vec(),
        };
        match Kingdee::verify(request.clone(), account.clone(), 0) {
            Err(AdapterError::Unsupported(m)) => assert!(m.contains("poll")),
            other => panic!("{other:?}"),
        }
        assert!(matches!(
            Kingdee::normalize(request, account),
            Err(AdapterError::Unsupported(_))
        ));
    }

    fn account() -> Account {
        Account {
            id: "main".into(),
            secrets: vec!["appsecret".into()],
            credentials: vec![],
        }
    }

    #[test]
    fn contract_0_2_functions_answer() {
        // 2024-05-01T10:40:00Z; a window from 2024-04-30T00:00:00Z.
        let now = 1_714_560_000_000;
        assert!(matches!(
            Kingdee::cursor_at(1_714_435_200_000, account(), now),
            Ok(c) if c == r#"{"from":"2024-04-30T00:00:00Z","to":"2024-04-30T00:30:00Z","row":0}"#
        ));
        assert!(matches!(
            Kingdee::stream_open(account(), now),
            Err(AdapterError::Unsupported(m)) if m.starts_with("Kingdee K3 Cloud ")
        ));
        assert!(matches!(
            Kingdee::stream_tick(account(), now),
            Err(AdapterError::Unsupported(_))
        ));
        let limits = Kingdee::metadata().limits;
        assert_eq!(
            (limits.wall_clock_ms, limits.fuel, limits.memory_bytes),
            (None, None, None)
        );
        assert_eq!((limits.input_bytes, limits.output_bytes), (None, None));
    }
}
