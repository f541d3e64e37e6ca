//! The 旺店通 (WDT, Wangdiantong) 企业版 ERP adapter.
//!
//! WDT sends no webhooks to merchants' systems: shipments are read back from
//! its open API. This adapter polls `trade_query.php` (system orders by
//! modify time) and turns every shipped order with a waybill into `shipment`
//! events — one per shop order merged into it — with the shop order number,
//! the warehouse and the goods lines; it signs every call with WDT's
//! `%02d-name:%04d-value` MD5 scheme. Each module does one of those jobs:
//!
//! - [`poll`]: the windowed, paged `trade_query` call and its cursor;
//! - [`trade`]: reading a trade into shipment events;
//! - [`status`]: the `trade_status` / `sync_status` tables behind `status-map`;
//! - [`signing`]: WDT's request signature;
//! - [`metadata`]: what the adapter declares; [`account`]: reading credentials.

mod account;
mod metadata;
mod poll;
mod signing;
mod status;
mod trade;

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
const NO_PUSH: &str = "WDT (旺店通) sends no webhooks: poll trade_query.php instead \
     (poll-request / poll-response)";

/// The component's implementation of the `connector` interface.
struct Wdt;

impl Guest for Wdt {
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
            "confirm-shipment: WDT is the ERP that ships; ship confirmations go to the sales channel's adapter"
                .into(),
        ))
    }

    // No action is ever built, so no WDT reply to one needs reading.
    orderhub_adapter_kit::action_result_by_status!();

    fn cursor_at(since: i64, _account: Account, now: i64) -> Result<String, AdapterError> {
        Ok(poll::cursor_at(since, now))
    }

    orderhub_adapter_kit::no_push_stream!("WDT");
}

// The component exports exist only in the wasm build: their names
// (`orderhub:adapter/connector@0.2.0#verify`) are not valid native symbols, and
// native builds serve the unit tests, which call the functions directly.
#[cfg(target_arch = "wasm32")]
bindings::export!(Wdt with_types_in bindings);

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
        match Wdt::verify(request.clone(), account.clone(), 0) {
            Err(AdapterError::Unsupported(m)) => assert!(m.contains("poll")),
            other => panic!("{other:?}"),
        }
        assert!(matches!(
            Wdt::normalize(request, account),
            Err(AdapterError::Unsupported(_))
        ));
    }

    fn account() -> Account {
        Account {
            id: "main".into(),
            secrets: vec!["secret".into()],
            credentials: vec![],
        }
    }

    #[test]
    fn contract_0_2_functions_answer() {
        // 2024-05-01 18:40:00 +08:00; a window from 2024-05-01 09:00:00 +08:00.
        let now = 1_714_560_000_000;
        assert!(matches!(
            Wdt::cursor_at(1_714_525_200_000, account(), now),
            Ok(c) if c == r#"{"start":"2024-05-01 09:00:00","end":"2024-05-01 10:00:00"}"#
        ));
        assert!(matches!(
            Wdt::stream_open(account(), now),
            Err(AdapterError::Unsupported(m)) if m.starts_with("WDT ")
        ));
        assert!(matches!(
            Wdt::stream_tick(account(), now),
            Err(AdapterError::Unsupported(_))
        ));
        let limits = Wdt::metadata().limits;
        assert_eq!(
            (limits.wall_clock_ms, limits.fuel, limits.memory_bytes),
            (None, None, None)
        );
        assert_eq!((limits.input_bytes, limits.output_bytes), (None, None));
    }
}
