//! Reading the account's named credentials.
//!
//! The push tokens live in `account.secrets` (so they can be rotated); the
//! route query needs `partner_id` and `check_word`, and may point at another
//! host through `base_url`. All of those come from `account.credentials`.

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

/// The checkWords to try, newest first: `check_word`, then `check_word_old`
/// while SF rotates it.
pub(crate) fn check_words(account: &Account) -> Vec<String> {
    ["check_word", "check_word_old"]
        .iter()
        .filter_map(|name| optional(account, name))
        .map(str::to_string)
        .collect()
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
        let a = account(&[("partner_id", "  "), ("check_word", "cw")]);
        assert_eq!(optional(&a, "partner_id"), None);
        assert_eq!(
            required(&a, "partner_id", "the query needs it"),
            Err(KitError::MissingCredential(
                "partner_id: the query needs it".into()
            ))
        );
        assert_eq!(check_words(&a), vec!["cw".to_string()]);
        let rotating = account(&[("check_word_old", "old"), ("check_word", "new")]);
        assert_eq!(
            check_words(&rotating),
            vec!["new".to_string(), "old".to_string()]
        );
    }
}
