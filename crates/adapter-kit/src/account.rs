//! Reading an account's named credentials.
//!
//! Every adapter reads credentials the same way: by name, a blank value
//! counting as absent (an unset `env:` expansion must read as missing, not as
//! an empty key), and a missing required one named in a `missing-credential`
//! error that says what it is for. The `account` record is generated per
//! adapter crate, so the kit gives a macro that writes the two accessors for
//! the crate's own type.

/// Writes `optional(account, name)` and `required(account, name, why)` for
/// the adapter's generated `Account` type.
///
/// ```ignore
/// orderhub_adapter_kit::account_credentials!(crate::bindings::orderhub::adapter::types::Account);
/// ```
#[macro_export]
macro_rules! account_credentials {
    ($account:ty) => {
        /// A credential's value, when configured and not blank.
        #[allow(dead_code)]
        pub(crate) fn optional<'a>(account: &'a $account, name: &str) -> Option<&'a str> {
            $crate::http::named_value(
                account.credentials.iter().map(|c| (&c.name, &c.value)),
                name,
            )
        }

        /// A credential the caller cannot work without; `why` says what it is for.
        #[allow(dead_code)]
        pub(crate) fn required<'a>(
            account: &'a $account,
            name: &str,
            why: &str,
        ) -> Result<&'a str, $crate::KitError> {
            optional(account, name)
                .ok_or_else(|| $crate::KitError::MissingCredential(format!("{name}: {why}")))
        }
    };
}
