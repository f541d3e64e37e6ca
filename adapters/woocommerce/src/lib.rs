//! The WooCommerce channel adapter.
//!
//! WooCommerce is a plugin that turns a self-hosted WordPress site into a
//! store. It pushes order webhooks signed with the webhook's secret and serves
//! the REST API v3 (`/wp-json/wc/v3/…`), authorised with the store's REST API
//! keys. This crate translates both into OrderHub's canonical events and maps
//! WooCommerce's single order `status` (refined by whether the order was paid,
//! completed or refunded) onto the canonical lifecycle.
//!
//! Each module does one job: [`verify`] checks webhook signatures,
//! [`normalize`] routes a webhook by topic to [`order`], [`status`] is the
//! status table, [`poll`] builds and reads order polls, [`store`] knows where
//! the store is and authorises requests (Basic auth over HTTPS, [`oauth`]
//! signatures over plain HTTP), [`action`] builds ship confirmations, and
//! [`metadata`] describes all of it to the host. [`fields`] holds the small
//! readers the others share.

mod action;
mod fields;
mod metadata;
mod normalize;
mod oauth;
mod order;
mod poll;
mod status;
mod store;
mod verify;

mod bindings {
    wit_bindgen::generate!({
        path: "../../wit",
        world: "adapter",
        generate_all,
        // Lets unit tests compare whole results.
        additional_derives: [PartialEq],
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

/// The component's export; every function delegates to the module that owns it.
struct WooCommerce;

impl Guest for WooCommerce {
    fn metadata() -> AdapterMetadata {
        metadata::metadata()
    }

    fn verify(request: HttpRequest, account: Account, _now: i64) -> Result<(), AdapterError> {
        // WooCommerce signs the body only: there is no timestamp to hold
        // against `now`. Exact replays are harmless because the host keys a
        // delivery by its body.
        Ok(verify::verify(&request, &account)?)
    }

    fn sign(
        request: OutboundRequest,
        account: Account,
        now: i64,
    ) -> Result<OutboundRequest, AdapterError> {
        Ok(store::sign(request, &account, now)?)
    }

    fn normalize(request: HttpRequest, _account: Account) -> Result<Vec<Event>, AdapterError> {
        Ok(normalize::normalize(&request)?)
    }

    fn status_map(status: PlatformStatus) -> Result<StatusMapping, AdapterError> {
        Ok(status::map(&status)?)
    }

    fn acknowledge(_request: HttpRequest) -> HttpResponse {
        // WooCommerce counts any 2xx (and 301/302) as delivered and reads
        // nothing else of the reply.
        HttpResponse {
            status: 200,
            headers: Vec::new(),
            body: Vec::new(),
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
        account: Account,
        now: i64,
    ) -> Result<OutboundRequest, AdapterError> {
        Ok(action::build(action, &account, now)?)
    }

    // The REST API answers with meaningful HTTP statuses (400/404 for a bad
    // order, 401 for a bad key, 5xx when the site is down), so the status
    // alone says how the ship confirmation went.
    orderhub_adapter_kit::action_result_by_status!();

    fn cursor_at(since: i64, _account: Account, _now: i64) -> Result<String, AdapterError> {
        Ok(poll::cursor_at(since))
    }

    orderhub_adapter_kit::no_push_stream!("WooCommerce");
}

// The component exports only exist in the wasm build: natively the exported
// symbol names (`orderhub:adapter/connector@0.2.0#…`) are not valid in a
// linker version script, and native builds only run the unit tests.
#[cfg(target_arch = "wasm32")]
bindings::export!(WooCommerce with_types_in bindings);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn acknowledge_is_an_empty_200() {
        let request = HttpRequest {
            method: "POST".into(),
            url: "/".into(),
            headers: vec![],
            body: b"{}".to_vec(),
        };
        let reply = WooCommerce::acknowledge(request);
        assert_eq!(reply.status, 200);
        assert!(reply.body.is_empty() && reply.headers.is_empty());
    }

    fn confirm(order: &str) -> Action {
        Action::ConfirmShipment(bindings::orderhub::adapter::types::ShipmentConfirmation {
            order_external_id: order.into(),
            carrier: "ups".into(),
            tracking_number: "1Z999AA10123456784".into(),
            line_ids: vec![],
        })
    }

    fn reply(status: u16, body: &str) -> HttpResponse {
        HttpResponse {
            status,
            headers: vec![],
            body: body.as_bytes().to_vec(),
        }
    }

    #[test]
    fn ship_confirmation_replies_are_judged_by_their_status() {
        assert_eq!(
            WooCommerce::action_result(
                confirm("727"),
                reply(200, r#"{"id":727,"status":"completed"}"#)
            ),
            ActionOutcome::Done
        );
        let missing = r#"{"code":"woocommerce_rest_shop_order_invalid_id","message":"Invalid ID.","data":{"status":404}}"#;
        assert_eq!(
            WooCommerce::action_result(confirm("728"), reply(404, missing)),
            ActionOutcome::Refused(format!("the platform answered 404: {missing}"))
        );
        assert!(matches!(
            WooCommerce::action_result(confirm("727"), reply(503, "<html>Service Unavailable</html>")),
            ActionOutcome::Retry(m) if m.starts_with("the platform answered 503")
        ));
    }

    #[test]
    fn reconciliation_cursor_is_the_poll_cursor_and_streams_are_unsupported() {
        let account = Account {
            id: "main".into(),
            secrets: vec![],
            credentials: vec![],
        };
        assert_eq!(
            WooCommerce::cursor_at(1_711_929_600_000, account.clone(), 1_712_066_400_000),
            Ok(r#"{"modified_after":"2024-04-01T00:00:00"}"#.to_string())
        );
        assert!(matches!(
            WooCommerce::stream_open(account, 0),
            Err(AdapterError::Unsupported(m)) if m.starts_with("WooCommerce")
        ));
    }

    #[test]
    fn kit_errors_keep_their_kind_across_the_boundary() {
        let status = PlatformStatus {
            domain: bindings::orderhub::adapter::types::StatusDomain::Order,
            value: "wc-shipped".into(),
            context: vec![],
        };
        assert!(matches!(
            WooCommerce::status_map(status),
            Err(AdapterError::UnknownStatus(_))
        ));
    }
}
