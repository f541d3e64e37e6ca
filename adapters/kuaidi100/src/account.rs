//! Reading the account's named credentials.
//!
//! The push salt lives in `account.secrets` (so it can be rotated); the
//! realtime query needs `customer` and `key`, and may point at another host
//! through `base_url`. All of those come from `account.credentials`.

use crate::bindings::orderhub::adapter::types::Account;

orderhub_adapter_kit::account_credentials!(Account);

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bindings::orderhub::adapter::types::Field;
    use orderhub_adapter_kit::KitError;

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
        let a = account(&[("customer", "  "), ("key", "k")]);
        assert_eq!(optional(&a, "customer"), None);
        assert_eq!(optional(&a, "key"), Some("k"));
        assert_eq!(
            required(&a, "customer", "the query needs it"),
            Err(KitError::MissingCredential(
                "customer: the query needs it".into()
            ))
        );
    }
}
