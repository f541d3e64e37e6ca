//! The ERPNext (Frappe) ERP adapter.
//!
//! ERPNext reports document changes through Frappe's Webhook doctype: a POST
//! whose JSON body the operator defines with a `webhook_json` template and
//! which, with "Enable Security", carries a base64 HMAC-SHA256 of the body.
//! The README gives the templates for Sales Order, Delivery Note and
//! Shipment that this adapter reads. Delivery Notes can also be polled over
//! Frappe's REST API.
//!
//! - [`webhook`]: verifying the signature and reading a delivery;
//! - [`docs`]: one Sales Order / Delivery Note / Shipment as events;
//! - [`poll`]: the Delivery Note REST poll; [`signing`]: token auth;
//! - [`status`]: the status table behind `status-map`, metadata and README;
//! - [`metadata`]: what the adapter declares; [`account`]: credentials.

mod account;
mod docs;
mod metadata;
mod poll;
mod signing;
mod status;
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
struct ErpNext;

impl Guest for ErpNext {
    fn metadata() -> AdapterMetadata {
        metadata::metadata()
    }

    fn verify(request: HttpRequest, account: Account, _now: i64) -> Result<(), AdapterError> {
        // Frappe signs no timestamp, so there is nothing to check `now` against.
        Ok(webhook::verify(&request, &account.secrets)?)
    }

    fn sign(
        request: OutboundRequest,
        account: Account,
        _now: i64,
    ) -> Result<OutboundRequest, AdapterError> {
        Ok(signing::sign_request(request, &account)?)
    }

    fn normalize(request: HttpRequest, account: Account) -> Result<Vec<Event>, AdapterError> {
        let zone = account::utc_offset(&account)?;
        Ok(webhook::normalize(&request.body, zone)?)
    }

    fn status_map(status: PlatformStatus) -> Result<StatusMapping, AdapterError> {
        Ok(status::status_map(&status)?)
    }

    fn acknowledge(_request: HttpRequest) -> HttpResponse {
        // Frappe treats any 2xx as delivered and ignores the body.
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
            "confirm-shipment: ERPNext records its own deliveries; ship confirmations go to the sales \
             channel's adapter"
                .into(),
        ))
    }

    // No action is ever built, so no ERPNext reply to one needs reading.
    orderhub_adapter_kit::action_result_by_status!();

    fn cursor_at(since: i64, account: Account, _now: i64) -> Result<String, AdapterError> {
        Ok(poll::cursor_at(since, &account)?)
    }

    orderhub_adapter_kit::no_push_stream!("ERPNext");
}

// The component exports exist only in the wasm build; native builds serve
// the unit tests, which call the functions directly.
#[cfg(target_arch = "wasm32")]
bindings::export!(ErpNext with_types_in bindings);

#[cfg(test)]
mod tests {
    use super::*;
    use bindings::orderhub::adapter::types::Field;

    fn account(utc_offset: &str) -> Account {
        Account {
            id: "main".into(),
            secrets: vec!["hook".into()],
            credentials: vec![Field {
                name: "utc_offset".into(),
                value: utc_offset.into(),
            }],
        }
    }

    #[test]
    fn contract_0_2_functions_answer() {
        // 2024-03-05T00:00:00Z read in the site's zone; 2024-03-06T00:00:00Z now.
        let (since, now) = (1_709_596_800_000, 1_709_683_200_000);
        assert!(matches!(
            ErpNext::cursor_at(since, account("+08:00"), now),
            Ok(c) if c == r#"{"modified":"2024-03-05 08:00:00","skip":0}"#
        ));
        assert!(matches!(
            ErpNext::cursor_at(since, account("8"), now),
            Err(AdapterError::InvalidField(m)) if m.starts_with("credentials.utc_offset")
        ));
        assert!(matches!(
            ErpNext::stream_open(account("+08:00"), now),
            Err(AdapterError::Unsupported(m)) if m.starts_with("ERPNext ")
        ));
        assert!(matches!(
            ErpNext::stream_tick(account("+08:00"), now),
            Err(AdapterError::Unsupported(_))
        ));
        let limits = ErpNext::metadata().limits;
        assert_eq!(
            (limits.wall_clock_ms, limits.fuel, limits.memory_bytes),
            (None, None, None)
        );
        assert_eq!((limits.input_bytes, limits.output_bytes), (None, None));
    }
}
