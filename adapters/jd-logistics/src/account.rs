//! Reading the account's named credentials.
//!
//! The LOP app secret lives in `account.secrets` (so it can be rotated); the
//! trace query needs `app_key`, `access_token` and usually `customer_code`,
//! and may point at another host through `base_url` (all in `account.credentials`).

use crate::bindings::orderhub::adapter::types::Account;

orderhub_adapter_kit::account_credentials!(Account);
