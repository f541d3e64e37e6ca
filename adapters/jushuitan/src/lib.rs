//! The JuShuiTan (聚水潭) ERP adapter.
//!
//! JuShuiTan is the order-processing ERP many Chinese merchants run between
//! their sales channels and their warehouses. Its open API has no documented
//! push for order changes, so the adapter polls the order query
//! (`/open/orders/single/query`) by modification time and turns each order
//! into an `order` event (the ERP state, with the channel's state as
//! context) and, once the order has a tracking number, a `shipment` event
//! (carrier, tracking number, warehouse, lines).
//!
//! - [`signing`]: JuShuiTan's MD5 request signature and signing a call;
//! - [`poll`]: the windowed order query and reading its answer;
//! - [`orders`]: one order as canonical events;
//! - [`status`]: the state table behind `status-map`, metadata and README;
//! - [`metadata`]: what the adapter declares; [`account`]: credentials.
//!
//! `verify` and `normalize` answer `unsupported` (no push to verify), as
//! does `outbound-action` (ship confirmations go to the sales channel).

mod account;
mod metadata;
mod orders;
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
const NO_PUSH: &str = "JuShuiTan documents no signed push for order changes; poll the order \
                       query (poll-request / poll-response) instead";

/// The component's implementation of the `connector` interface.
struct JuShuiTan;

impl Guest for JuShuiTan {
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

    fn acknowledge(_request: HttpRequest) -> HttpResponse {
        // Never sent: there is no push. A plain 200 is the harmless answer.
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
            "confirm-shipment: JuShuiTan ships orders itself and reports them; ship confirmations \
             go to the sales channel's adapter"
                .into(),
        ))
    }

    // No action is ever built, so no JuShuiTan reply to one needs reading.
    orderhub_adapter_kit::action_result_by_status!();

    fn cursor_at(since: i64, _account: Account, now: i64) -> Result<String, AdapterError> {
        Ok(poll::cursor_at(since, now))
    }

    orderhub_adapter_kit::no_push_stream!("JuShuiTan");
}

// The component exports exist only in the wasm build; native builds serve
// the unit tests, which call the functions directly.
#[cfg(target_arch = "wasm32")]
bindings::export!(JuShuiTan with_types_in bindings);

#[cfg(test)]
mod tests {
    use super::*;

    fn request() -> HttpRequest {
        HttpRequest {
            method: "POST".into(),
            url: "/webhooks/jushuitan/main".into(),
            headers: vec![],
            body: b"{}".to_vec(),
        }
    }

    #[test]
    fn pushes_are_unsupported() {
        let account = Account {
            id: "main".into(),
            secrets: vec![],
            credentials: vec![],
        };
        assert!(matches!(
            JuShuiTan::verify(request(), account.clone(), 0),
            Err(AdapterError::Unsupported(_))
        ));
        assert!(matches!(
            JuShuiTan::normalize(request(), account),
            Err(AdapterError::Unsupported(_))
        ));
    }

    fn account() -> Account {
        Account {
            id: "main".into(),
            secrets: vec!["secret-demo".into()],
            credentials: vec![],
        }
    }

    #[test]
    fn contract_0_2_functions_answer() {
        // 2024-04-01 08:00:00 +08:00; a window from 2024-03-30 08:00:00.
        let now = 1_711_929_600_000;
        assert!(matches!(
            JuShuiTan::cursor_at(1_711_756_800_000, account(), now),
            Ok(c) if c == r#"{"start":"2024-03-30 08:00:00","end":"2024-03-30 09:00:00"}"#
        ));
        assert!(matches!(
            JuShuiTan::stream_open(account(), now),
            Err(AdapterError::Unsupported(m)) if m.starts_with("JuShuiTan ")
        ));
        assert!(matches!(
            JuShuiTan::stream_tick(account(), now),
            Err(AdapterError::Unsupported(_))
        ));
        let limits = JuShuiTan::metadata().limits;
        assert_eq!(
            (limits.wall_clock_ms, limits.fuel, limits.memory_bytes),
            (None, None, None)
        );
        assert_eq!((limits.input_bytes, limits.output_bytes), (None, None));
    }
}
