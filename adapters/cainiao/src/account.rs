//! Reading the account's named credentials.
//!
//! Credentials other than the signing secrets live in `account.credentials`;
//! blank values count as absent so an unset `env:` expansion reads as missing.

use crate::bindings::orderhub::adapter::types::Account;

orderhub_adapter_kit::account_credentials!(Account);
