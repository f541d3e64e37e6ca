//! Account values and the shape of every outbound Shopee call.
//!
//! All v2 calls go to one gateway (`base_url`, default the global production
//! host) and carry the same common query parameters; this module reads the
//! account's values once so every caller refuses a missing one with the same
//! message.

use orderhub_adapter_kit::{KitError, http};

use crate::bindings::orderhub::adapter::types::{Account, Field, OutboundRequest};
use crate::shop_sign;

/// The global production gateway.
pub const DEFAULT_BASE_URL: &str = "https://partner.shopeemobile.com";

/// A credential's value, when configured and not empty.
pub fn credential<'a>(account: &'a Account, name: &str) -> Option<&'a str> {
    http::named_value(
        account.credentials.iter().map(|f| (&f.name, &f.value)),
        name,
    )
}

/// A credential the call cannot do without.
pub fn required<'a>(account: &'a Account, name: &str, what: &str) -> Result<&'a str, KitError> {
    credential(account, name)
        .ok_or_else(|| KitError::MissingCredential(format!("{name}: {what} is not configured")))
}

/// The gateway URL without a trailing slash.
pub fn base_url(account: &Account) -> Result<String, KitError> {
    let url = http::base_url(
        credential(account, "base_url"),
        DEFAULT_BASE_URL,
        "credentials.base_url",
    )?;
    Ok(url.trim_end_matches('/').to_string())
}

pub fn field(name: &str, value: &str) -> Field {
    Field {
        name: name.to_string(),
        value: value.to_string(),
    }
}

/// A signed shop-level call to `path` (e.g. `/api/v2/order/get_order_list`).
pub fn call(
    method: &str,
    path: &str,
    query: &[(&str, &str)],
    body: Option<String>,
    account: &Account,
    now: i64,
) -> Result<OutboundRequest, KitError> {
    let headers = match body {
        Some(_) => vec![field("Content-Type", "application/json")],
        None => Vec::new(),
    };
    let draft = OutboundRequest {
        method: method.to_string(),
        url: format!("{}{path}", base_url(account)?),
        query: query.iter().map(|(n, v)| field(n, v)).collect(),
        headers,
        body: body.map(String::into_bytes).unwrap_or_default(),
    };
    shop_sign::sign(draft, account, now)
}
