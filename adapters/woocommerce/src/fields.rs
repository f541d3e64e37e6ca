//! Small readers shared by the other modules: header and credential lookup on
//! the contract's name/value lists, amounts and GMT instants on WooCommerce
//! JSON objects.
//!
//! WooCommerce sends every date twice: `date_created` in the site's own
//! timezone, which the payload does not name, and `date_created_gmt` in UTC
//! written without a zone (`2017-03-22T19:28:02`). Only the `_gmt` fields are
//! read, and they are read as UTC explicitly.

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

/// A name/value pair.
pub fn field(name: &str, value: &str) -> Field {
    Field {
        name: name.to_string(),
        value: value.to_string(),
    }
}

/// A decimal amount in minor units, or `None` when the field is absent or null.
pub fn opt_amount(fields: &Fields<'_>, key: &str, exponent: u32) -> Result<Option<i64>, KitError> {
    fields
        .optional(key)
        .map(|value| money::decimal_value_minor(value, exponent, &fields.path_of(key)))
        .transpose()
}

/// A `_gmt` date in UTC milliseconds, or `None` when absent, null or empty.
pub fn opt_gmt(fields: &Fields<'_>, key: &str) -> Result<Option<i64>, KitError> {
    fields
        .opt_string(key)
        .map(|text| parse_gmt(&text, &fields.path_of(key)))
        .transpose()
}

/// Parses a WooCommerce GMT date (`2017-03-22T19:28:02`, no zone) as UTC. A
/// value that does carry a zone (`Z`, `+00:00`) is read with it.
pub fn parse_gmt(text: &str, field: &str) -> Result<i64, KitError> {
    let text = text.trim();
    let has_zone =
        text.ends_with(['Z', 'z']) || text.get(19..).is_some_and(|t| t.contains(['+', '-']));
    let parsed = if has_zone {
        time::parse_rfc3339(text, field)
    } else {
        time::parse_rfc3339(&format!("{text}Z"), field)
    };
    parsed.map_err(|_| {
        KitError::invalid(
            field,
            format_args!("{text:?} is not a GMT date (yyyy-MM-ddTHH:mm:ss)"),
        )
    })
}

/// Formats an instant the way WooCommerce writes GMT dates: UTC, second
/// precision, no zone (the zone is implied by `dates_are_gmt=true`).
pub fn format_gmt(millis: i64) -> String {
    let text = time::format_rfc3339(millis);
    text.strip_suffix('Z').unwrap_or(&text).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn headers_ignore_case_and_credentials_ignore_blank_values() {
        let list = vec![
            field("X-WC-Webhook-Topic", "order.updated"),
            field("base_url", "  "),
        ];
        assert_eq!(header(&list, "x-wc-webhook-topic"), Some("order.updated"));
        assert_eq!(credential(&list, "base_url"), None);
    }

    #[test]
    fn gmt_dates_are_utc() {
        // 2017-03-22T19:28:02Z is 1490210882 s.
        assert_eq!(parse_gmt("2017-03-22T19:28:02", "d"), Ok(1_490_210_882_000));
        assert_eq!(
            parse_gmt("2017-03-22T19:28:02Z", "d"),
            Ok(1_490_210_882_000)
        );
        assert_eq!(
            parse_gmt("2017-03-22T21:28:02+02:00", "d"),
            Ok(1_490_210_882_000)
        );
        assert_eq!(format_gmt(1_490_210_882_000), "2017-03-22T19:28:02");
        assert!(matches!(
            parse_gmt("2017-03-22", "order.date_created_gmt"),
            Err(KitError::InvalidField(m)) if m.starts_with("order.date_created_gmt")
        ));
        assert!(parse_gmt("yesterday", "d").is_err());
        assert!(parse_gmt("", "d").is_err());
    }

    #[test]
    fn absent_is_none_and_garbage_names_the_field() {
        let v = json!({"total": "29.35", "date_paid_gmt": null, "bad": "12,5"});
        let f = Fields::of(&v, "orders[0]").unwrap();
        assert_eq!(opt_amount(&f, "total", 2), Ok(Some(2935)));
        assert_eq!(opt_amount(&f, "missing", 2), Ok(None));
        assert!(
            matches!(opt_amount(&f, "bad", 2), Err(KitError::InvalidField(m)) if m.starts_with("orders[0].bad"))
        );
        assert_eq!(opt_gmt(&f, "date_paid_gmt"), Ok(None));
    }
}
