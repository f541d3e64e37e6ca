//! Small readers shared by the other modules: header and credential lookup on
//! the contract's name/value lists, and optional amounts and instants on
//! Shopify JSON objects.
//!
//! Shopify leaves many money and time fields out or `null` depending on the
//! order (no shipping, never closed, …), so "absent" is a normal answer here
//! while a present but unreadable value is always an error naming the field.

use orderhub_adapter_kit::json::Fields;
use orderhub_adapter_kit::{KitError, money, time};

use crate::bindings::orderhub::adapter::types::Field;

/// The first value of a header, matching the name without regard to ASCII case.
pub fn header<'a>(headers: &'a [Field], name: &str) -> Option<&'a str> {
    orderhub_adapter_kit::http::header(headers.iter().map(|f| (&f.name, &f.value)), name)
}

/// A credential's value, trimmed; empty values count as absent.
pub fn credential<'a>(credentials: &'a [Field], name: &str) -> Option<&'a str> {
    orderhub_adapter_kit::http::named_value(credentials.iter().map(|f| (&f.name, &f.value)), name)
}

/// A decimal amount in minor units, or `None` when the field is absent or null.
pub fn opt_amount(fields: &Fields<'_>, key: &str, exponent: u32) -> Result<Option<i64>, KitError> {
    fields
        .optional(key)
        .map(|value| money::decimal_value_minor(value, exponent, &fields.path_of(key)))
        .transpose()
}

/// An RFC 3339 instant in UTC milliseconds, or `None` when absent, null or empty.
pub fn opt_instant(fields: &Fields<'_>, key: &str) -> Result<Option<i64>, KitError> {
    fields
        .opt_string(key)
        .map(|text| time::parse_rfc3339(&text, &fields.path_of(key)))
        .transpose()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn headers_ignore_case_and_credentials_ignore_blank_values() {
        let list = vec![
            Field {
                name: "X-Shopify-Topic".into(),
                value: "orders/paid".into(),
            },
            Field {
                name: "shop".into(),
                value: "  ".into(),
            },
        ];
        assert_eq!(header(&list, "x-shopify-topic"), Some("orders/paid"));
        assert_eq!(credential(&list, "shop"), None);
    }

    #[test]
    fn absent_is_none_and_garbage_names_the_field() {
        let v =
            json!({"total_price": "598.94", "closed_at": null, "bad": "12,5", "when": "yesterday"});
        let f = Fields::of(&v, "orders[0]").unwrap();
        assert_eq!(opt_amount(&f, "total_price", 2), Ok(Some(59894)));
        assert_eq!(opt_amount(&f, "missing", 2), Ok(None));
        assert!(
            matches!(opt_amount(&f, "bad", 2), Err(KitError::InvalidField(m)) if m.starts_with("orders[0].bad"))
        );
        assert_eq!(opt_instant(&f, "closed_at"), Ok(None));
        assert!(
            matches!(opt_instant(&f, "when"), Err(KitError::InvalidField(m)) if m.starts_with("orders[0].when"))
        );
    }
}
