//! Reading the account's configured credentials by name.

use orderhub_adapter_kit::{KitError, http};

use crate::bindings::orderhub::adapter::types::Account;

/// A configured credential, trimmed; blank counts as absent.
pub fn optional<'a>(account: &'a Account, name: &str) -> Option<&'a str> {
    http::named_value(
        account.credentials.iter().map(|f| (&f.name, &f.value)),
        name,
    )
}

/// A credential the current call cannot do without.
pub fn required<'a>(account: &'a Account, name: &str) -> Result<&'a str, KitError> {
    optional(account, name)
        .ok_or_else(|| KitError::MissingCredential(format!("credential {name} is not configured")))
}
