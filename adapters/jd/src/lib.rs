//! The JD channel adapter (JD Open Service, JOS, for POP sellers).
//!
//! JD's own order-message delivery is not established here, so OrderHub
//! receives JD order messages through a relay: a form whose fields are signed
//! with the JOS request rule and the app secret (OrderHub's own format, see
//! the README). The same rule signs every outbound JOS call: the incremental
//! order poll (`jingdong.pop.order.search`) and ship confirmations
//! (`jingdong.pop.order.shipment`).
//!
//! Each module does one job:
//!
//! - [`jos_sign`]: the JOS signature;
//! - [`request`]: signing an outbound draft and building JOS calls;
//! - [`relay`]: the HTTP relay form and its verification;
//! - [`message`]: turning one relayed message into canonical events;
//! - [`response`]: reading JOS answers and their errors;
//! - [`order`]: a POP order object as a canonical order;
//! - [`status`]: the status table behind `status-map` and the declared statuses;
//! - [`poll`]: the poll cursor, its time windows and the page order;
//! - [`action`]: ship confirmations and reading JD's reply to them;
//! - [`metadata`]: what the adapter declares;
//! - [`ack`]: the reply to a relayed message.

mod ack;
mod action;
mod jos_sign;
mod message;
mod metadata;
mod order;
mod poll;
mod relay;
mod request;
mod response;
mod status;

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
    Account, Action, ActionOutcome, AdapterError, AdapterMetadata, Event, HttpRequest,
    HttpResponse, OutboundRequest, PlatformStatus, PollPage, StatusMapping, StreamFrame,
    StreamReply, StreamSession,
};

orderhub_adapter_kit::impl_adapter_error_from_kit!(
    bindings::orderhub::adapter::types::AdapterError
);

/// The component's implementation of the `connector` interface.
// Only the wasm build exports it; native builds reach it from the tests.
#[cfg_attr(not(target_arch = "wasm32"), allow(dead_code))]
struct Jd;

impl Guest for Jd {
    fn metadata() -> AdapterMetadata {
        metadata::metadata()
    }

    fn verify(request: HttpRequest, account: Account, now: i64) -> Result<(), AdapterError> {
        Ok(relay::verify(&request.body, &account.secrets, now)?)
    }

    fn sign(
        request: OutboundRequest,
        account: Account,
        now: i64,
    ) -> Result<OutboundRequest, AdapterError> {
        Ok(request::sign(request, &account, now)?)
    }

    fn normalize(request: HttpRequest, _account: Account) -> Result<Vec<Event>, AdapterError> {
        Ok(message::normalize(&request.body)?)
    }

    fn status_map(status: PlatformStatus) -> Result<StatusMapping, AdapterError> {
        Ok(status::map(&status)?)
    }

    fn acknowledge(_request: HttpRequest) -> HttpResponse {
        ack::acknowledge()
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

    fn action_result(_action: Action, response: HttpResponse) -> ActionOutcome {
        action::result(&response)
    }

    fn cursor_at(since: i64, _account: Account, now: i64) -> Result<String, AdapterError> {
        Ok(poll::cursor_at(since, now))
    }

    orderhub_adapter_kit::no_push_stream!("JD");
}

// The component exports exist only in the wasm build: their names
// (`orderhub:adapter/connector@0.2.0#verify`) are not valid native symbols,
// and native builds serve the unit tests, which call the functions directly.
#[cfg(target_arch = "wasm32")]
bindings::export!(Jd with_types_in bindings);

#[cfg(test)]
mod tests {
    use super::*;
    use bindings::orderhub::adapter::types::{Field, StatusDomain};

    #[test]
    fn metadata_declares_what_the_adapter_does() {
        let meta = <Jd as Guest>::metadata();
        assert_eq!(meta.id, "jd");
        assert_eq!(meta.outbound_hosts, ["api.jd.com"]);
        assert!(
            meta.credentials
                .iter()
                .any(|c| c.name == "access_token" && c.secret)
        );
        for declared in meta.statuses {
            let status = PlatformStatus {
                domain: declared.domain,
                value: declared.value,
                context: vec![],
            };
            assert!(<Jd as Guest>::status_map(status).is_ok());
        }
    }

    #[test]
    fn kit_errors_become_contract_errors() {
        let status = PlatformStatus {
            domain: StatusDomain::Order,
            value: "NEW".into(),
            context: vec![],
        };
        assert!(matches!(
            <Jd as Guest>::status_map(status),
            Err(AdapterError::UnknownStatus(_))
        ));
        let request = HttpRequest {
            method: "POST".into(),
            url: "/".into(),
            headers: vec![],
            body: b"topic=jd_order".to_vec(),
        };
        let account = Account {
            id: "shop".into(),
            secrets: vec!["s".into()],
            credentials: vec![Field {
                name: "app_key".into(),
                value: "1".into(),
            }],
        };
        assert!(matches!(
            <Jd as Guest>::verify(request, account, 0),
            Err(AdapterError::MissingSignature(_))
        ));
    }

    #[test]
    fn contract_0_2_functions_answer() {
        let account = Account {
            id: "shop".into(),
            secrets: vec!["s".into()],
            credentials: vec![],
        };
        assert!(matches!(
            <Jd as Guest>::stream_open(account.clone(), 0),
            Err(AdapterError::Unsupported(_))
        ));
        // 2024-04-01 08:00:00 +08:00; a window from 2024-03-31 08:00:00.
        assert_eq!(
            <Jd as Guest>::cursor_at(1_711_843_200_000, account, 1_711_929_600_000),
            Ok(r#"{"start":"2024-03-31 08:00:00","end":"2024-03-31 08:30:00"}"#.into())
        );
        assert_eq!(
            <Jd as Guest>::metadata().limits,
            bindings::orderhub::adapter::types::AdapterLimits {
                wall_clock_ms: None,
                fuel: None,
                memory_bytes: None,
                input_bytes: None,
                output_bytes: None,
            }
        );
    }

    #[test]
    fn acknowledgement_is_a_json_success() {
        let request = HttpRequest {
            method: "POST".into(),
            url: "/".into(),
            headers: vec![],
            body: vec![],
        };
        let reply = <Jd as Guest>::acknowledge(request);
        assert_eq!(
            (reply.status, reply.body.as_slice()),
            (200, br#"{"success":true}"#.as_slice())
        );
    }
}
