//! The Shopify channel adapter.
//!
//! Shopify pushes order and fulfillment webhooks signed with the app's API
//! secret and offers a REST Admin API to poll orders by `updated_at`. This
//! crate translates both into OrderHub's canonical events and maps Shopify's
//! two-dimensional order status (`financial_status` refined by
//! `fulfillment_status`, `cancelled_at` and `closed_at`) and its carrier
//! `shipment_status` onto the canonical lifecycle.
//!
//! Each module does one job: [`verify`] checks webhook signatures, [`normalize`]
//! routes a webhook by topic to [`order`] or [`fulfillment`], [`status`] is the
//! status table, [`poll`] builds and reads order polls (with [`link`] for the
//! pagination header), [`api`] holds what every outbound call shares (base URL,
//! access token), and [`metadata`] describes all of it to the host.

mod api;
mod fields;
mod fulfillment;
mod link;
mod metadata;
mod normalize;
mod order;
mod poll;
mod status;
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
struct Shopify;

impl Guest for Shopify {
    fn metadata() -> AdapterMetadata {
        metadata::metadata()
    }

    fn verify(request: HttpRequest, account: Account, _now: i64) -> Result<(), AdapterError> {
        // Shopify webhooks carry no timestamp inside the signed bytes, so there
        // is nothing to check `now` against.
        Ok(verify::verify(&request, &account)?)
    }

    fn sign(
        request: OutboundRequest,
        account: Account,
        _now: i64,
    ) -> Result<OutboundRequest, AdapterError> {
        Ok(api::sign(request, &account)?)
    }

    fn normalize(request: HttpRequest, _account: Account) -> Result<Vec<Event>, AdapterError> {
        Ok(normalize::normalize(&request)?)
    }

    fn status_map(status: PlatformStatus) -> Result<StatusMapping, AdapterError> {
        Ok(status::map(&status)?)
    }

    fn acknowledge(_request: HttpRequest) -> HttpResponse {
        // Shopify only looks at the status code; any 2xx within its timeout
        // stops the retries.
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
        _account: Account,
        _now: i64,
    ) -> Result<OutboundRequest, AdapterError> {
        match action {
            Action::ConfirmShipment(confirmation) => Err(AdapterError::Unsupported(format!(
                "confirm-shipment for order {}: Shopify creates fulfillments against fulfillment orders \
                 (POST /admin/api/2024-04/fulfillments.json with line_items_by_fulfillment_order), whose ids \
                 a ship confirmation does not carry; this adapter version does not push shipments to Shopify",
                confirmation.order_external_id
            ))),
        }
    }

    orderhub_adapter_kit::action_result_by_status!();

    fn cursor_at(since: i64, _account: Account, _now: i64) -> Result<String, AdapterError> {
        Ok(poll::cursor_at(since))
    }

    orderhub_adapter_kit::no_push_stream!("Shopify");
}

// The component exports only exist in the wasm build: natively the exported
// symbol names (`orderhub:adapter/connector@0.2.0#…`) are not valid in a
// linker version script, and native builds only run the unit tests.
#[cfg(target_arch = "wasm32")]
bindings::export!(Shopify with_types_in bindings);

#[cfg(test)]
mod tests {
    use super::*;
    use bindings::orderhub::adapter::types::ShipmentConfirmation;

    fn account() -> Account {
        Account {
            id: "main".into(),
            secrets: vec![],
            credentials: vec![],
        }
    }

    #[test]
    fn acknowledge_is_an_empty_200() {
        let request = HttpRequest {
            method: "POST".into(),
            url: "/".into(),
            headers: vec![],
            body: vec![],
        };
        let reply = Shopify::acknowledge(request);
        assert_eq!(reply.status, 200);
        assert!(reply.body.is_empty() && reply.headers.is_empty());
    }

    #[test]
    fn confirm_shipment_is_unsupported_and_says_why() {
        let action = Action::ConfirmShipment(ShipmentConfirmation {
            order_external_id: "450789469".into(),
            carrier: "ups".into(),
            tracking_number: "1Z999".into(),
            line_ids: vec![],
        });
        match Shopify::outbound_action(action, account(), 0) {
            Err(AdapterError::Unsupported(message)) => {
                assert!(message.contains("450789469") && message.contains("fulfillment orders"));
            }
            other => panic!("expected unsupported, got {other:?}"),
        }
    }
}
