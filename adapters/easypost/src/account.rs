//! Reading the account's named credentials.
//!
//! The webhook secret lives in `account.secrets` (so it can be rotated); the
//! API key used to poll and the optional `base_url` come from
//! `account.credentials`.

use crate::bindings::orderhub::adapter::types::Account;

orderhub_adapter_kit::account_credentials!(Account);
