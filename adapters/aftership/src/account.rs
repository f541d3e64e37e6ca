//! Reading the account's named credentials.
//!
//! The webhook secret lives in `account.secrets` (so it can be rotated); the
//! `as-api-key` used to poll and the optional `base_url` come from
//! `account.credentials`.

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

    #[test]
    fn blank_credentials_count_as_absent() {
        let a = Account {
            id: "main".into(),
            secrets: vec![],
            credentials: vec![
                Field {
                    name: "api_key".into(),
                    value: " ".into(),
                },
                Field {
                    name: "base_url".into(),
                    value: "http://x".into(),
                },
            ],
        };
        assert_eq!(optional(&a, "api_key"), None);
        assert_eq!(optional(&a, "base_url"), Some("http://x"));
        assert_eq!(
            required(&a, "api_key", "to poll"),
            Err(KitError::MissingCredential("api_key: to poll".into()))
        );
    }
}
