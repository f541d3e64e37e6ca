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
    Account, Action, AdapterError, AdapterMetadata, Event, HttpRequest, HttpResponse,
    OutboundRequest, PlatformStatus, PollPage, StatusMapping,
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
}

// The component exports exist only in the wasm build; native builds serve
// the unit tests, which call the functions directly.
#[cfg(target_arch = "wasm32")]
bindings::export!(ErpNext with_types_in bindings);
