//! Authenticating REST calls: Frappe's token authentication.
//!
//! `Authorization: token <api_key>:<api_secret>` (the API key pair generated
//! on the ERPNext user). The webhook secret in `account.secrets` is a
//! different value and is not used here.

use orderhub_adapter_kit::KitError;

use crate::account;
use crate::bindings::orderhub::adapter::types::{Account, Field, OutboundRequest};

/// Adds (or replaces) the `Authorization` header.
pub(crate) fn sign_request(
    mut request: OutboundRequest,
    account: &Account,
) -> Result<OutboundRequest, KitError> {
    let key = account::required(
        account,
        "api_key",
        "REST calls authenticate with the user's API key",
    )?;
    let secret = account::required(
        account,
        "api_secret",
        "REST calls authenticate with the user's API secret",
    )?;
    request
        .headers
        .retain(|h| !h.name.eq_ignore_ascii_case("authorization"));
    request.headers.push(Field {
        name: "Authorization".into(),
        value: format!("token {key}:{secret}"),
    });
    Ok(request)
}
