//! Reading the account's named credentials.
//!
//! The push tokens live in `account.secrets` (so they can be rotated); the
//! route query needs `partner_id` and `check_word`, and may point at another
//! host through `base_url`. All of those come from `account.credentials`.

use crate::bindings::orderhub::adapter::types::Account;

orderhub_adapter_kit::account_credentials!(Account);

/// The checkWords to try, newest first: `check_word`, then `check_word_old`
/// while SF rotates it.
pub(crate) fn check_words(account: &Account) -> Vec<String> {
    ["check_word", "check_word_old"]
        .iter()
        .filter_map(|name| optional(account, name))
        .map(str::to_string)
        .collect()
}
