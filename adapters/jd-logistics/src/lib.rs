//! The JD Logistics (京东物流) carrier adapter.
//!
//! JD Logistics' open platform (LOP, `api.jdl.com`) answers trace queries for
//! parcels shipped with it. No trace push format is documented publicly (the
//! platform has a trace *subscription* API, but what it delivers and how it
//! is signed could not be established), so this adapter is poll-only:
//! `verify` and `normalize` answer `unsupported` and say to poll instead.
//! Each module does one job:
//!
//! - [`signing`]: LOP `md5-salt` request signing;
//! - [`poll`]: building a trace query from a cursor and reading its answer;
//! - [`trace`]: reading a trace result into a shipment event;
//! - [`status`]: the trace categories behind `status-map`;
//! - [`metadata`]: what the adapter declares; [`account`]: credentials.

mod account;
mod metadata;
mod poll;
mod signing;
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

/// Why inbound requests are refused.
const NO_PUSH: &str = "JD Logistics documents no trace push this adapter could verify; \
                       poll the trace query instead (poll-request with a cursor naming the waybill)";

/// The component's implementation of the `connector` interface.
struct JdLogistics;

impl Guest for JdLogistics {
    fn metadata() -> AdapterMetadata {
        metadata::metadata()
    }

    fn verify(_request: HttpRequest, _account: Account, _now: i64) -> Result<(), AdapterError> {
        Err(AdapterError::Unsupported(format!("verify: {NO_PUSH}")))
    }

    fn sign(
        request: OutboundRequest,
        account: Account,
        now: i64,
    ) -> Result<OutboundRequest, AdapterError> {
        Ok(signing::sign_request(request, &account, now)?)
    }

    fn normalize(_request: HttpRequest, _account: Account) -> Result<Vec<Event>, AdapterError> {
        Err(AdapterError::Unsupported(format!("normalize: {NO_PUSH}")))
    }

    fn status_map(status: PlatformStatus) -> Result<StatusMapping, AdapterError> {
        Ok(status::status_map(&status)?)
    }

    /// Nothing is pushed, so nothing expects a reply; a bare `200` is what an
    /// unexpected caller gets.
    fn acknowledge(_request: HttpRequest) -> HttpResponse {
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
        _now: i64,
    ) -> Result<PollPage, AdapterError> {
        Ok(poll::response(cursor.as_deref(), &response, &account)?)
    }

    fn outbound_action(
        action: Action,
        _account: Account,
        _now: i64,
    ) -> Result<OutboundRequest, AdapterError> {
        let Action::ConfirmShipment(_) = action;
        Err(AdapterError::Unsupported(
            "confirm-shipment: JD Logistics is a carrier; ship confirmations go to the sales channel's adapter"
                .into(),
        ))
    }

    // No action is ever built, so no JD Logistics reply to one needs reading.
    orderhub_adapter_kit::action_result_by_status!();

    fn cursor_at(_since: i64, _account: Account, _now: i64) -> Result<String, AdapterError> {
        Ok(poll::cursor_at()?)
    }

    orderhub_adapter_kit::no_push_stream!("JD Logistics");
}

// The component exports exist only in the wasm build: their names
// (`orderhub:adapter/connector@0.2.0#verify`) are not valid native symbols, and
// native builds serve the unit tests, which call the functions directly.
#[cfg(target_arch = "wasm32")]
bindings::export!(JdLogistics with_types_in bindings);

#[cfg(test)]
mod tests {
    use super::*;
    use bindings::orderhub::adapter::types::ShipmentConfirmation;

    fn account() -> Account {
        Account {
            id: "main".into(),
            secrets: vec!["s".into()],
            credentials: vec![],
        }
    }

    fn request() -> HttpRequest {
        HttpRequest {
            method: "POST".into(),
            url: "/webhooks/jd-logistics/main".into(),
            headers: vec![],
            body: b"{}".to_vec(),
        }
    }

    #[test]
    fn inbound_requests_and_outbound_actions_are_unsupported() {
        assert!(matches!(
            JdLogistics::verify(request(), account(), 0),
            Err(AdapterError::Unsupported(m)) if m.contains("poll")
        ));
        assert!(matches!(
            JdLogistics::normalize(request(), account()),
            Err(AdapterError::Unsupported(_))
        ));
        let action = Action::ConfirmShipment(ShipmentConfirmation {
            order_external_id: "1".into(),
            carrier: "jd".into(),
            tracking_number: "JDV1".into(),
            line_ids: vec![],
        });
        assert!(matches!(
            JdLogistics::outbound_action(action, account(), 0),
            Err(AdapterError::Unsupported(_))
        ));
        assert_eq!(JdLogistics::acknowledge(request()).status, 200);
    }

    #[test]
    fn reconciliation_windows_and_push_streams_are_unsupported() {
        assert!(matches!(
            JdLogistics::cursor_at(1_711_929_600_000, account(), 1_711_933_200_000),
            Err(AdapterError::Unsupported(m)) if m.contains("the parcel the cursor names")
        ));
        assert!(matches!(
            JdLogistics::stream_open(account(), 0),
            Err(AdapterError::Unsupported(m)) if m.starts_with("JD Logistics ")
        ));
        assert!(matches!(
            JdLogistics::stream_tick(account(), 0),
            Err(AdapterError::Unsupported(_))
        ));
        let limits = JdLogistics::metadata().limits;
        assert_eq!(
            (limits.wall_clock_ms, limits.fuel, limits.memory_bytes),
            (None, None, None)
        );
        assert_eq!((limits.input_bytes, limits.output_bytes), (None, None));
    }
}
