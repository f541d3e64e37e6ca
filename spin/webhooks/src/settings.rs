//! Accounts from Spin variables.
//!
//! Spin has no configuration file of its own for a component, only
//! variables (`[component.X.variables]` in `spin.toml`, filled from
//! application variables that a provider — the environment, Vault, Azure Key
//! Vault — supplies at run time). So one component's accounts are spelled as
//! variables:
//!
//! - `accounts`: the account ids this component serves, comma-separated;
//! - `account_<key>_secrets`: the account's signing secrets, newest first,
//!   comma-separated (usually a template of secret application variables);
//! - `account_<key>_credentials`: optional, a JSON object of credential names
//!   to values;
//! - `account_<key>_carriers`: optional, a JSON object of the account's own
//!   carrier codes to canonical carrier ids;
//! - `max_body_bytes`: optional request body cap (default 4 MiB).
//!
//! `<key>` is the account id in lower case with every character other than a
//! letter or digit turned into `_`, because Spin variable names allow only
//! those. This module is pure: [`Account::from_variables`] takes a lookup, so
//! it is tested natively.

use std::collections::BTreeMap;

use orderhub_core::model::AccountData;

/// The request body cap when `max_body_bytes` is not set, as in the native host.
pub const DEFAULT_MAX_BODY_BYTES: usize = 4 * 1024 * 1024;

/// Why the variables do not describe a usable account.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum SettingsError {
    #[error("variable {name}: {message}")]
    Invalid { name: String, message: String },
    #[error("variable {name} is not set")]
    Missing { name: String },
    #[error("variable {name} could not be read: {message}")]
    Lookup { name: String, message: String },
}

/// What a variable lookup found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Lookup {
    Found(String),
    /// The variable is not declared for the component, or has no value.
    Undefined,
    /// The provider failed.
    Failed(String),
}

/// One configured account.
#[derive(Debug, Clone)]
pub struct Account {
    pub data: AccountData,
    /// The account's own carrier codes → canonical carrier ids.
    pub carriers: BTreeMap<String, String>,
}

/// The variable-name form of an account id.
pub fn variable_key(account: &str) -> String {
    account
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '_'
            }
        })
        .collect()
}

/// Whether `account` is one of the comma-separated ids in `accounts`.
pub fn serves(accounts: &str, account: &str) -> bool {
    accounts.split(',').map(str::trim).any(|a| a == account)
}

/// The body cap from the `max_body_bytes` value, when set.
pub fn max_body_bytes(value: Option<&str>) -> Result<usize, SettingsError> {
    match value.map(str::trim).filter(|v| !v.is_empty()) {
        None => Ok(DEFAULT_MAX_BODY_BYTES),
        Some(text) => text.parse().map_err(|_| SettingsError::Invalid {
            name: "max_body_bytes".into(),
            message: format!("{text:?} is not a number of bytes"),
        }),
    }
}

impl Account {
    /// Reads one account's variables through `lookup`.
    pub fn from_variables(
        id: &str,
        mut lookup: impl FnMut(&str) -> Lookup,
    ) -> Result<Self, SettingsError> {
        let key = variable_key(id);
        let mut optional = |suffix: &str| -> Result<Option<(String, String)>, SettingsError> {
            let name = format!("account_{key}_{suffix}");
            match lookup(&name) {
                Lookup::Found(value) => Ok(Some((name, value))),
                Lookup::Undefined => Ok(None),
                Lookup::Failed(message) => Err(SettingsError::Lookup { name, message }),
            }
        };
        let (secrets_name, secrets) =
            optional("secrets")?.ok_or_else(|| SettingsError::Missing {
                name: format!("account_{key}_secrets"),
            })?;
        let secrets: Vec<String> = secrets
            .split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_string)
            .collect();
        if secrets.is_empty() {
            return Err(SettingsError::Invalid {
                name: secrets_name,
                message: "no secret in it".into(),
            });
        }
        let credentials = match optional("credentials")? {
            Some((name, text)) => string_map(&name, &text)?.into_iter().collect(),
            None => Vec::new(),
        };
        let carriers = match optional("carriers")? {
            Some((name, text)) => string_map(&name, &text)?,
            None => BTreeMap::new(),
        };
        Ok(Account {
            data: AccountData {
                id: id.to_string(),
                secrets,
                credentials,
            },
            carriers,
        })
    }
}

/// A JSON object of strings; an empty value is an empty map.
fn string_map(name: &str, text: &str) -> Result<BTreeMap<String, String>, SettingsError> {
    if text.trim().is_empty() {
        return Ok(BTreeMap::new());
    }
    serde_json::from_str(text).map_err(|e| SettingsError::Invalid {
        name: name.to_string(),
        message: format!("not a JSON object of strings: {e}"),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vars(pairs: &[(&str, &str)]) -> impl FnMut(&str) -> Lookup {
        let map: BTreeMap<String, String> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        move |name| match map.get(name) {
            Some(v) => Lookup::Found(v.clone()),
            None => Lookup::Undefined,
        }
    }

    #[test]
    fn reads_secrets_newest_first_credentials_and_carriers() {
        let account = Account::from_variables(
            "main-store",
            vars(&[
                ("account_main_store_secrets", "new, old"),
                (
                    "account_main_store_credentials",
                    r#"{"shop": "main-store.myshopify.com"}"#,
                ),
                ("account_main_store_carriers", r#"{"Acme Freight": "acme"}"#),
            ]),
        )
        .unwrap();
        assert_eq!(account.data.id, "main-store");
        assert_eq!(account.data.secrets, ["new", "old"]);
        assert_eq!(
            account.data.credentials,
            [("shop".to_string(), "main-store.myshopify.com".to_string())]
        );
        assert_eq!(account.carriers["Acme Freight"], "acme");
    }

    #[test]
    fn names_the_variable_that_is_wrong() {
        let missing = Account::from_variables("main-store", vars(&[])).unwrap_err();
        assert_eq!(
            missing.to_string(),
            "variable account_main_store_secrets is not set"
        );
        let bad = Account::from_variables(
            "Shop.1",
            vars(&[
                ("account_shop_1_secrets", "s"),
                ("account_shop_1_credentials", "shop=x"),
            ]),
        )
        .unwrap_err();
        assert!(
            bad.to_string()
                .starts_with("variable account_shop_1_credentials: not a JSON object"),
            "{bad}"
        );
        let empty = Account::from_variables("a", vars(&[("account_a_secrets", " , ")]));
        assert_eq!(
            empty.unwrap_err(),
            SettingsError::Invalid {
                name: "account_a_secrets".into(),
                message: "no secret in it".into()
            }
        );
    }

    #[test]
    fn account_lists_and_body_caps() {
        assert!(serves("main-store, outlet", "outlet"));
        assert!(!serves("main-store", "main"));
        assert_eq!(max_body_bytes(None).unwrap(), DEFAULT_MAX_BODY_BYTES);
        assert_eq!(max_body_bytes(Some("1024")).unwrap(), 1024);
        assert!(max_body_bytes(Some("4MB")).is_err());
    }
}
