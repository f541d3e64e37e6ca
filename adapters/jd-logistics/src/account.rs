//! Reading the account's named credentials.
//!
//! The LOP app secret lives in `account.secrets` (so it can be rotated); the
//! trace query needs `app_key`, `access_token` and usually `customer_code`,
//! and may point at another host through `base_url` (all in `account.credentials`).

use orderhub_adapter_kit::KitError;

use crate::bindings::orderhub::adapter::types::Account;

/// A credential's value, when configured and not blank.
pub(crate) fn optional<'a>(account: &'a Account, name: &str) -> Option<&'a str> {
    orderhub_adapter_kit::http::named_value(
        account.credentials.iter().map(|c| (&c.name, &c.value)),
        name,
    )
}

/// A credential the caller cannot work without; `why` says what it is for.
pub(crate) fn required<'a>(
    account: &'a Account,
    name: &str,
    why: &str,
) -> Result<&'a str, KitError> {
    optional(account, name).ok_or_else(|| KitError::MissingCredential(format!("{name}: {why}")))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bindings::orderhub::adapter::types::Field;

    fn account(credentials: &[(&str, &str)]) -> Account {
        Account {
            id: "main".into(),
            secrets: vec![],
            credentials: credentials
                .iter()
                .map(|(n, v)| Field {
                    name: (*n).into(),
                    value: (*v).into(),
                })
                .collect(),
        }
    }

    #[test]
    fn blank_credentials_count_as_absent() {
        let a = account(&[("app_key", "  "), ("access_token", "t")]);
        assert_eq!(optional(&a, "app_key"), None);
        assert_eq!(
            required(&a, "app_key", "the query needs it"),
            Err(KitError::MissingCredential(
                "app_key: the query needs it".into()
            ))
        );
    }
}
