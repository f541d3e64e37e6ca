//! Reading the account's named credentials.
//!
//! The `app_secret` signs every call and lives in `account.secrets` (newest
//! first); `app_key`, the `access_token` obtained through JuShuiTan's
//! authorisation flow and an optional `base_url` come from
//! `account.credentials`.

use orderhub_adapter_kit::KitError;

use crate::bindings::orderhub::adapter::types::Account;

orderhub_adapter_kit::account_credentials!(Account);

/// The `app_secret` outbound calls are signed with: the newest secret.
pub(crate) fn app_secret(account: &Account) -> Result<&str, KitError> {
    account
        .secrets
        .iter()
        .map(|s| s.trim())
        .find(|s| !s.is_empty())
        .ok_or_else(|| {
            KitError::MissingCredential(
                "app_secret: configure JuShuiTan's app_secret as the account's secret".into(),
            )
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bindings::orderhub::adapter::types::Field;

    #[test]
    fn blank_values_count_as_absent() {
        let a = Account {
            id: "main".into(),
            secrets: vec![" ".into(), "s2".into()],
            credentials: vec![Field {
                name: "app_key".into(),
                value: " ".into(),
            }],
        };
        assert_eq!(optional(&a, "app_key"), None);
        assert!(required(&a, "app_key", "signing").is_err());
        assert_eq!(app_secret(&a), Ok("s2"));
    }
}
