//! The WeChat Channels shop (视频号小店 / 微信小店) channel adapter.
//!
//! WeChat delivers shop order events through its message push: the push URL
//! carries `signature` (plaintext mode) or `msg_signature` (safe/compatible
//! mode) query parameters computed from the push token. The open API has no
//! per-request signature, only an `access_token` query parameter. The adapter
//! verifies pushes, decrypts safe-mode pushes, normalises JSON order events and relayed
//! `/channels/ec/order/get` responses, and polls `/channels/ec/order/list/get`.
//!
//! Each module does one job:
//!
//! - [`push_sign`]: the push signature rule and timestamp tolerance;
//! - [`safe_mode`]: decrypting a safe-mode push's `Encrypt` (EncodingAESKey);
//! - [`push`]: push bodies (and relayed order responses) as events;
//! - [`topics`]: the order events understood and the status each implies;
//! - [`order`]: an `/channels/ec/order/get` order object as a canonical order;
//! - [`status`]: the status table behind `status-map`;
//! - [`api`]: the access token, API error codes and request signing;
//! - [`poll`]: the poll cursor, its windows and pages;
//! - [`metadata`]: what the adapter declares.

mod api;
mod metadata;
mod order;
mod poll;
mod push;
mod push_sign;
mod safe_mode;
mod status;
mod topics;

mod bindings {
    wit_bindgen::generate!({
        path: "../../wit",
        world: "adapter",
        generate_all,
        additional_derives: [PartialEq],
    });
}

use bindings::exports::orderhub::adapter::connector::Guest;
use bindings::orderhub::adapter::types::{
    Account, Action, ActionOutcome, AdapterError, AdapterMetadata, Event, Field, HttpRequest,
    HttpResponse, OutboundRequest, PlatformStatus, PollPage, StatusMapping, StreamFrame,
    StreamReply, StreamSession,
};

orderhub_adapter_kit::impl_adapter_error_from_kit!(
    bindings::orderhub::adapter::types::AdapterError
);

/// The component's implementation of the `connector` interface.
// Only the wasm build exports it; native builds reach it from the tests.
#[cfg_attr(not(target_arch = "wasm32"), allow(dead_code))]
struct WechatChannels;

impl Guest for WechatChannels {
    fn metadata() -> AdapterMetadata {
        metadata::metadata()
    }

    fn verify(request: HttpRequest, account: Account, now: i64) -> Result<(), AdapterError> {
        Ok(push_sign::verify(&request, &account, now)?)
    }

    fn sign(
        request: OutboundRequest,
        account: Account,
        _now: i64,
    ) -> Result<OutboundRequest, AdapterError> {
        Ok(api::sign(request, &account)?)
    }

    fn normalize(request: HttpRequest, account: Account) -> Result<Vec<Event>, AdapterError> {
        Ok(push::normalize(&request.body, &account)?)
    }

    fn status_map(status: PlatformStatus) -> Result<StatusMapping, AdapterError> {
        Ok(status::map(&status)?)
    }

    fn acknowledge(_request: HttpRequest) -> HttpResponse {
        // WeChat treats `success` (or an empty body) as accepted and retries
        // otherwise.
        HttpResponse {
            status: 200,
            headers: vec![Field {
                name: "Content-Type".into(),
                value: "text/plain".into(),
            }],
            body: b"success".to_vec(),
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
        _action: Action,
        _account: Account,
        _now: i64,
    ) -> Result<OutboundRequest, AdapterError> {
        Err(AdapterError::Unsupported(
            "confirm-shipment: the /channels/ec/order/delivery/send request shape is not \
             implemented by this adapter; ship confirmations must be sent another way"
                .into(),
        ))
    }

    // No action is built (see `outbound_action`), so there is no `errcode`
    // body to read; the HTTP status is all a reply could say.
    orderhub_adapter_kit::action_result_by_status!();

    fn cursor_at(since: i64, _account: Account, _now: i64) -> Result<String, AdapterError> {
        Ok(poll::cursor_at(since))
    }

    orderhub_adapter_kit::no_push_stream!("WeChat Channels");
}

// The component exports exist only in the wasm build: their names are not
// valid native symbols, and native builds serve the unit tests.
#[cfg(target_arch = "wasm32")]
bindings::export!(WechatChannels with_types_in bindings);

#[cfg(test)]
mod tests {
    use super::*;
    use bindings::orderhub::adapter::types::StatusDomain;

    #[test]
    fn metadata_statuses_all_map() {
        let meta = <WechatChannels as Guest>::metadata();
        assert_eq!(meta.id, "wechat-channels");
        for declared in meta.statuses {
            let status = PlatformStatus {
                domain: declared.domain,
                value: declared.value,
                context: vec![],
            };
            assert!(<WechatChannels as Guest>::status_map(status).is_ok());
        }
    }

    #[test]
    fn reconciliation_cursor_and_status_judged_replies() {
        let account = Account {
            id: "t".into(),
            secrets: vec![],
            credentials: vec![],
        };
        assert_eq!(
            <WechatChannels as Guest>::cursor_at(1_698_796_800_000, account.clone(), 0),
            Ok(r#"{"start":1698796800}"#.to_string())
        );
        assert!(matches!(
            <WechatChannels as Guest>::stream_receive(
                StreamFrame::Text("{}".into()),
                account,
                0
            ),
            Err(AdapterError::Unsupported(m)) if m.starts_with("WeChat Channels")
        ));
        let action =
            Action::ConfirmShipment(bindings::orderhub::adapter::types::ShipmentConfirmation {
                order_external_id: "3705115058471208928".into(),
                carrier: "SF".into(),
                tracking_number: "SF1".into(),
                line_ids: vec![],
            });
        let reply = HttpResponse {
            status: 404,
            headers: vec![],
            body: b"not found".to_vec(),
        };
        assert_eq!(
            <WechatChannels as Guest>::action_result(action, reply),
            ActionOutcome::Refused("the platform answered 404: not found".into())
        );
    }

    #[test]
    fn unknown_status_is_a_contract_error() {
        let status = PlatformStatus {
            domain: StatusDomain::Order,
            value: "11".into(),
            context: vec![],
        };
        assert!(matches!(
            <WechatChannels as Guest>::status_map(status),
            Err(AdapterError::UnknownStatus(_))
        ));
    }

    #[test]
    fn acknowledgement_is_success() {
        let request = HttpRequest {
            method: "POST".into(),
            url: "/".into(),
            headers: vec![],
            body: vec![],
        };
        assert_eq!(
            <WechatChannels as Guest>::acknowledge(request).body,
            b"success"
        );
    }
}
