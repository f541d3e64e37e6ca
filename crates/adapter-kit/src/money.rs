//! Money as integer minor units, never floats.
//!
//! Chinese platforms send yuan as decimal strings (`"12.50"`), some send fen
//! as integers, Shopify sends decimal strings in the shop currency. Parsing
//! the decimal text directly keeps every amount exact.

use serde_json::Value;

use crate::KitError;

/// Parses a decimal amount such as `"12.50"`, `"-3"`, `"0.5"` into minor
/// units with `exponent` decimal places (2 for CNY/USD, 0 for JPY/IDR).
///
/// More fractional digits than the currency has are accepted only when they
/// are zeros (`"12.500"`); anything else would silently lose money.
pub fn parse_decimal_minor(text: &str, exponent: u32, field: &str) -> Result<i64, KitError> {
    let text = text.trim();
    let (negative, digits) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text.strip_prefix('+').unwrap_or(text)),
    };
    let (whole, frac) = digits.split_once('.').unwrap_or((digits, ""));
    let is_digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    if (whole.is_empty() && frac.is_empty()) || !is_digits(whole) || !is_digits(frac) {
        return Err(KitError::invalid(
            field,
            format_args!("{text:?} is not a decimal amount"),
        ));
    }
    let exp = exponent as usize;
    if frac.len() > exp && frac[exp..].bytes().any(|b| b != b'0') {
        return Err(KitError::invalid(
            field,
            format_args!("{text:?} has more than {exponent} decimal places"),
        ));
    }
    let mut minor: i64 = 0;
    let padded = frac.bytes().chain(std::iter::repeat(b'0')).take(exp);
    for b in whole.bytes().chain(padded) {
        minor = minor
            .checked_mul(10)
            .and_then(|m| m.checked_add(i64::from(b - b'0')))
            .ok_or_else(|| KitError::invalid(field, format_args!("{text:?} is out of range")))?;
    }
    Ok(if negative { -minor } else { minor })
}

/// Reads a decimal amount given either as a JSON string or a JSON number.
///
/// Numbers are read through their shortest decimal text, which for amounts
/// with up to 15 significant digits is exactly what the platform sent.
pub fn decimal_value_minor(value: &Value, exponent: u32, field: &str) -> Result<i64, KitError> {
    match value {
        Value::String(s) => parse_decimal_minor(s, exponent, field),
        Value::Number(n) => parse_decimal_minor(&n.to_string(), exponent, field),
        other => Err(KitError::invalid(
            field,
            format_args!("expected an amount, got {other}"),
        )),
    }
}

/// Reads an amount already in minor units (fen integers), as number or string.
pub fn minor_units_value(value: &Value, field: &str) -> Result<i64, KitError> {
    match value {
        Value::Number(n) => n.as_i64().ok_or_else(|| {
            KitError::invalid(
                field,
                format_args!("{n} is not a whole number of minor units"),
            )
        }),
        Value::String(s) => s.trim().parse::<i64>().map_err(|_| {
            KitError::invalid(
                field,
                format_args!("{s:?} is not a whole number of minor units"),
            )
        }),
        other => Err(KitError::invalid(
            field,
            format_args!("expected minor units, got {other}"),
        )),
    }
}

/// The number of minor-unit digits of an ISO 4217 currency.
pub fn currency_exponent(currency: &str) -> u32 {
    match currency.to_ascii_uppercase().as_str() {
        "JPY" | "KRW" | "VND" | "IDR" | "CLP" | "ISK" | "UGX" | "PYG" => 0,
        "BHD" | "KWD" | "OMR" | "JOD" | "TND" | "LYD" | "IQD" => 3,
        _ => 2,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn yuan_strings_become_fen() {
        assert_eq!(parse_decimal_minor("12.50", 2, "p"), Ok(1250));
        assert_eq!(parse_decimal_minor("200.07", 2, "p"), Ok(20007));
        assert_eq!(parse_decimal_minor("0.5", 2, "p"), Ok(50));
        assert_eq!(parse_decimal_minor("7", 2, "p"), Ok(700));
        assert_eq!(parse_decimal_minor("-3.10", 2, "p"), Ok(-310));
        assert_eq!(parse_decimal_minor("12.500", 2, "p"), Ok(1250));
        assert_eq!(parse_decimal_minor("1500", 0, "p"), Ok(1500));
    }

    #[test]
    fn lossy_or_garbage_amounts_are_refused_with_the_field_name() {
        assert_eq!(
            parse_decimal_minor("12.505", 2, "order.total"),
            Err(KitError::InvalidField(
                "order.total: \"12.505\" has more than 2 decimal places".into()
            ))
        );
        assert!(parse_decimal_minor("abc", 2, "p").is_err());
        assert!(parse_decimal_minor("", 2, "p").is_err());
        assert!(parse_decimal_minor(".", 2, "p").is_err());
        assert!(parse_decimal_minor("1e5", 2, "p").is_err());
        assert!(parse_decimal_minor("99999999999999999999", 2, "p").is_err());
    }

    #[test]
    fn json_numbers_and_strings_read_exactly() {
        assert_eq!(decimal_value_minor(&json!(199.99), 2, "p"), Ok(19999));
        assert_eq!(decimal_value_minor(&json!("199.99"), 2, "p"), Ok(19999));
        assert_eq!(minor_units_value(&json!(20000), "p"), Ok(20000));
        assert_eq!(minor_units_value(&json!("150"), "p"), Ok(150));
        assert!(minor_units_value(&json!(1.5), "p").is_err());
    }

    #[test]
    fn currency_exponents() {
        assert_eq!(currency_exponent("CNY"), 2);
        assert_eq!(currency_exponent("jpy"), 0);
        assert_eq!(currency_exponent("KWD"), 3);
    }
}
