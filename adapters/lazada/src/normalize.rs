//! Turning a verified inbound body into events.
//!
//! Two kinds of body arrive: Lazada's own push messages, and `/order/get` or
//! `/orders/get` responses relayed as they are (signed with the push rule),
//! which carry full orders.

use orderhub_adapter_kit::{KitError, http, json, json::Fields};

use crate::bindings::orderhub::adapter::types::{Account, Event};
use crate::site::{self, Site};
use crate::{order, push};

/// The topic of a relayed `/order/get` response.
pub const TOPIC_ORDER_GET: &str = "order/get";
/// The topic of a relayed `/orders/get` response (and of poll events).
pub const TOPIC_ORDERS_GET: &str = "orders/get";

/// The account's configured site, if any.
pub fn account_site(account: &Account) -> Option<&str> {
    http::named_value(
        account.credentials.iter().map(|f| (&f.name, &f.value)),
        "site",
    )
}

/// The site for API responses, which do not name it.
pub fn required_site(account: &Account) -> Result<Site, KitError> {
    let text = account_site(account).ok_or_else(|| {
        KitError::MissingCredential(
            "site (sg, my, th, ph, id or vn; decides the currency of API orders)".into(),
        )
    })?;
    site::parse(text, "credentials.site")
}

/// Refuses an API response whose `code` is not `"0"`.
pub fn check_code(root: &Fields<'_>) -> Result<(), KitError> {
    match root.opt_string("code") {
        Some(code) if code != "0" => Err(KitError::invalid(
            "code",
            format_args!(
                "the API answered {code}: {}",
                root.opt_string("message").unwrap_or_default()
            ),
        )),
        _ => Ok(()),
    }
}

/// The orders of an `/orders/get` response's `data`.
pub fn orders_events(data: &Fields<'_>, site: Site) -> Result<Vec<Event>, KitError> {
    data.objects("orders")?
        .iter()
        .map(|o| order::event(o, site, TOPIC_ORDERS_GET))
        .collect()
}

/// `normalize`: the events of a verified body.
pub fn normalize(body: &[u8], account: &Account) -> Result<Vec<Event>, KitError> {
    let value = json::parse(body)?;
    let root = Fields::of(&value, "")?;
    if root.optional("message_type").is_some() {
        return push::events(&root, account_site(account));
    }
    let Some(_) = root.optional("data") else {
        return Err(KitError::MissingField(
            "message_type (a push message) or data (a relayed API response)".into(),
        ));
    };
    check_code(&root)?;
    let data = root.object("data")?;
    let site = required_site(account)?;
    if data.optional("orders").is_some() {
        orders_events(&data, site)
    } else {
        Ok(vec![order::event(&data, site, TOPIC_ORDER_GET)?])
    }
}
