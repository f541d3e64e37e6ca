//! Reading the account's named credentials.
//!
//! Odoo's external API authenticates every call with the database name, the
//! user's numeric id and the user's password or API key (the account's
//! secret, newest first). The server's `base_url` is required: Odoo is
//! usually self-hosted or on `<name>.odoo.com`.

use orderhub_adapter_kit::KitError;

use crate::bindings::orderhub::adapter::types::Account;

orderhub_adapter_kit::account_credentials!(Account);

/// The user's numeric id (`uid`).
pub(crate) fn uid(account: &Account) -> Result<i64, KitError> {
    let text = required(account, "uid", "execute_kw takes the user's numeric id")?;
    text.parse::<i64>().map_err(|_| {
        KitError::invalid("credentials.uid", format_args!("{text:?} is not a user id"))
    })
}

/// The password or API key calls authenticate with: the newest secret.
pub(crate) fn password(account: &Account) -> Result<&str, KitError> {
    account
        .secrets
        .iter()
        .map(|s| s.trim())
        .find(|s| !s.is_empty())
        .ok_or_else(|| {
            KitError::MissingCredential(
                "password: configure the Odoo user's API key (or password) as the account's secret"
                    .into(),
            )
        })
}
