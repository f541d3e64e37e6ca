//! The Odoo ERP adapter.
//!
//! Odoo Community has no outbound webhooks, so the adapter only polls: the
//! JSON-RPC external API's `execute_kw` / `search_read` on outgoing delivery
//! orders (`stock.picking`) and sale orders (`sale.order`), by `write_date`.
//! A delivery order with a tracking reference becomes a `shipment` event;
//! other delivery orders and sale orders become `order` events carrying
//! their state.
//!
//! - [`rpc`]: building, authenticating and reading JSON-RPC calls;
//! - [`poll`]: the two-model `(write_date, id)` cursor;
//! - [`records`]: one picking or sale order as events;
//! - [`status`]: the state table behind `status-map`, metadata and README;
//! - [`metadata`]: what the adapter declares; [`account`]: credentials.

mod account;
mod metadata;
mod poll;
mod records;
mod rpc;
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
const NO_WEBHOOKS: &str = "Odoo Community sends no webhooks; poll stock.picking and sale.order \
                           through JSON-RPC (poll-request / poll-response) instead";

/// The component's implementation of the `connector` interface.
struct Odoo;

impl Guest for Odoo {
    fn metadata() -> AdapterMetadata {
        metadata::metadata()
    }

    fn verify(_request: HttpRequest, _account: Account, _now: i64) -> Result<(), AdapterError> {
        Err(AdapterError::Unsupported(format!("verify: {NO_WEBHOOKS}")))
    }

    fn sign(
        request: OutboundRequest,
        account: Account,
        _now: i64,
    ) -> Result<OutboundRequest, AdapterError> {
        Ok(rpc::sign(request, &account)?)
    }

    fn normalize(_request: HttpRequest, _account: Account) -> Result<Vec<Event>, AdapterError> {
        Err(AdapterError::Unsupported(format!(
            "normalize: {NO_WEBHOOKS}"
        )))
    }

    fn status_map(status: PlatformStatus) -> Result<StatusMapping, AdapterError> {
        Ok(status::status_map(&status)?)
    }

    fn acknowledge(_request: HttpRequest) -> HttpResponse {
        // Never sent: there are no webhooks.
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
            "confirm-shipment: Odoo validates its own delivery orders; ship confirmations go to the \
             sales channel's adapter"
                .into(),
        ))
    }

    // No action is ever built, so no Odoo reply to one needs reading.
    orderhub_adapter_kit::action_result_by_status!();

    fn cursor_at(since: i64, _account: Account, _now: i64) -> Result<String, AdapterError> {
        Ok(poll::cursor_at(since)?)
    }

    orderhub_adapter_kit::no_push_stream!("Odoo");
}

// The component exports exist only in the wasm build; native builds serve
// the unit tests, which call the functions directly.
#[cfg(target_arch = "wasm32")]
bindings::export!(Odoo with_types_in bindings);

#[cfg(test)]
mod tests {
    use super::*;

    fn account() -> Account {
        Account {
            id: "main".into(),
            secrets: vec!["api-key".into()],
            credentials: vec![],
        }
    }

    #[test]
    fn contract_0_2_functions_answer() {
        // 2024-03-05T00:00:00Z; now is 2024-03-06T00:00:00Z.
        let (since, now) = (1_709_596_800_000, 1_709_683_200_000);
        assert!(matches!(
            Odoo::cursor_at(since, account(), now),
            Ok(c) if c == r#"{"model":"stock.picking","picking":{"write_date":"2024-03-05 00:00:00","id":0},"order":{"write_date":"2024-03-05 00:00:00","id":0}}"#
        ));
        assert!(matches!(
            Odoo::stream_open(account(), now),
            Err(AdapterError::Unsupported(m)) if m.starts_with("Odoo ")
        ));
        assert!(matches!(
            Odoo::stream_tick(account(), now),
            Err(AdapterError::Unsupported(_))
        ));
        let limits = Odoo::metadata().limits;
        assert_eq!(
            (limits.wall_clock_ms, limits.fuel, limits.memory_bytes),
            (None, None, None)
        );
        assert_eq!((limits.input_bytes, limits.output_bytes), (None, None));
    }
}
