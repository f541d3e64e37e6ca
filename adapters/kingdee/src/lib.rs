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
    Account, Action, AdapterError, AdapterMetadata, Event, HttpRequest, HttpResponse,
    OutboundRequest, PlatformStatus, PollPage, StatusMapping,
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
}

// The component exports exist only in the wasm build: their names
// (`orderhub:adapter/connector@0.1.0#verify`) are not valid native symbols, and
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
}
