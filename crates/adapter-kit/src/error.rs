//! The one error type of the kit, shaped like the contract's `adapter-error`
//! so adapters convert it without losing which field or rule failed.

/// Why a helper refused its input. Each variant maps one-to-one onto a WIT
/// `adapter-error` case of the same name.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum KitError {
    /// The signature header or form field is absent.
    #[error("missing signature: {0}")]
    MissingSignature(String),
    /// A signature is present but matches none of the secrets.
    #[error("bad signature: {0}")]
    BadSignature(String),
    /// A timestamp is outside the platform's tolerance.
    #[error("stale timestamp: {0}")]
    StaleTimestamp(String),
    /// A credential the adapter needs is not configured.
    #[error("missing credential: {0}")]
    MissingCredential(String),
    /// The payload cannot be parsed at all.
    #[error("malformed payload: {0}")]
    MalformedPayload(String),
    /// A required field is absent; the message is the field's path.
    #[error("missing field: {0}")]
    MissingField(String),
    /// A field is present but its value is not acceptable.
    #[error("invalid field: {0}")]
    InvalidField(String),
    /// A status value the adapter does not know.
    #[error("unknown status: {0}")]
    UnknownStatus(String),
    /// The adapter does not offer this function or variant.
    #[error("unsupported: {0}")]
    Unsupported(String),
}

impl KitError {
    /// An invalid-field error naming the field and the rule it broke.
    pub fn invalid(field: &str, why: impl std::fmt::Display) -> Self {
        KitError::InvalidField(format!("{field}: {why}"))
    }
}

/// Implements `From<KitError>` for the adapter's generated WIT error type, so
/// `?` works on every kit helper inside an adapter.
///
/// ```ignore
/// orderhub_adapter_kit::impl_adapter_error_from_kit!(crate::bindings::exports::orderhub::adapter::connector::AdapterError);
/// ```
#[macro_export]
macro_rules! impl_adapter_error_from_kit {
    ($wit_error:ty) => {
        impl ::core::convert::From<$crate::KitError> for $wit_error {
            fn from(error: $crate::KitError) -> Self {
                use $crate::KitError as K;
                match error {
                    K::MissingSignature(m) => Self::MissingSignature(m),
                    K::BadSignature(m) => Self::BadSignature(m),
                    K::StaleTimestamp(m) => Self::StaleTimestamp(m),
                    K::MissingCredential(m) => Self::MissingCredential(m),
                    K::MalformedPayload(m) => Self::MalformedPayload(m),
                    K::MissingField(m) => Self::MissingField(m),
                    K::InvalidField(m) => Self::InvalidField(m),
                    K::UnknownStatus(m) => Self::UnknownStatus(m),
                    K::Unsupported(m) => Self::Unsupported(m),
                }
            }
        }
    };
}
