//! Strict readers for the payload's JSON and the request's headers.
//!
//! The payload format is OrderHub's own, so a value of the wrong JSON type is
//! a sender bug worth reporting rather than a platform quirk to tolerate: the
//! kit's lenient optional readers (which read a non-object as "absent") are
//! wrapped here so that a present value of the wrong type is an
//! `invalid-field` naming its full path, and an absent or `null` one is simply
//! absent. Unknown keys are never looked at, which is what lets senders add
//! their own metadata.

use orderhub_adapter_kit::json::Fields;
use orderhub_adapter_kit::{KitError, money, time};
use serde_json::Value;

use crate::bindings::orderhub::adapter::types::Field;

/// The first value of a header, matching the name without regard to ASCII case.
pub fn header<'a>(headers: &'a [Field], name: &str) -> Option<&'a str> {
    orderhub_adapter_kit::http::header(headers.iter().map(|f| (&f.name, &f.value)), name)
}

/// Text of a string or number value (ids may arrive as JSON integers); any
/// other type is refused. Empty or blank strings count as absent.
pub fn opt_text(fields: &Fields<'_>, key: &str) -> Result<Option<String>, KitError> {
    match fields.optional(key) {
        None => Ok(None),
        Some(Value::String(s)) if s.trim().is_empty() => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.clone())),
        Some(Value::Number(n)) => Ok(Some(n.to_string())),
        Some(_) => Err(KitError::invalid(&fields.path_of(key), "expected a string")),
    }
}

/// Required text: absent, `null` or blank is `missing-field`.
pub fn text(fields: &Fields<'_>, key: &str) -> Result<String, KitError> {
    opt_text(fields, key)?.ok_or_else(|| KitError::MissingField(fields.path_of(key)))
}

/// A boolean flag; absent or `null` is `false`.
pub fn flag(fields: &Fields<'_>, key: &str) -> Result<bool, KitError> {
    match fields.optional(key) {
        None => Ok(false),
        Some(Value::Bool(b)) => Ok(*b),
        Some(other) => Err(KitError::invalid(
            &fields.path_of(key),
            format_args!("expected true or false, got {other}"),
        )),
    }
}

/// A boolean flag that may be absent, to tell "not said" from `false`.
pub fn opt_flag(fields: &Fields<'_>, key: &str) -> Result<Option<bool>, KitError> {
    match fields.optional(key) {
        None => Ok(None),
        Some(_) => flag(fields, key).map(Some),
    }
}

/// An amount in integer minor units; never negative (discounts and refunds
/// are amounts taken off, not negative amounts).
pub fn opt_minor(fields: &Fields<'_>, key: &str) -> Result<Option<i64>, KitError> {
    let path = fields.path_of(key);
    let Some(value) = fields.optional(key) else {
        return Ok(None);
    };
    let minor = money::minor_units_value(value, &path)?;
    if minor < 0 {
        return Err(KitError::invalid(
            &path,
            format_args!("{minor} is negative"),
        ));
    }
    Ok(Some(minor))
}

/// An RFC 3339 instant with an explicit offset, in UTC milliseconds.
pub fn opt_instant(fields: &Fields<'_>, key: &str) -> Result<Option<i64>, KitError> {
    let path = fields.path_of(key);
    match fields.optional(key) {
        None => Ok(None),
        Some(Value::String(s)) => time::parse_rfc3339(s, &path).map(Some),
        Some(_) => Err(KitError::invalid(&path, "expected an RFC 3339 time string")),
    }
}

/// A nested object that may be absent; any other type is refused.
pub fn opt_object<'a>(fields: &Fields<'a>, key: &str) -> Result<Option<Fields<'a>>, KitError> {
    match fields.optional(key) {
        None => Ok(None),
        Some(_) => fields.object(key).map(Some),
    }
}

/// The objects of an array that may be absent; a non-array is refused.
pub fn objects<'a>(fields: &Fields<'a>, key: &str) -> Result<Vec<Fields<'a>>, KitError> {
    match fields.optional(key) {
        None => Ok(Vec::new()),
        Some(Value::Array(_)) => fields.objects(key),
        Some(_) => Err(KitError::invalid(&fields.path_of(key), "expected an array")),
    }
}

/// An ISO 4217 alphabetic code: three upper-case ASCII letters.
pub fn currency(fields: &Fields<'_>, key: &str) -> Result<Option<String>, KitError> {
    let Some(code) = opt_text(fields, key)? else {
        return Ok(None);
    };
    if code.len() == 3 && code.bytes().all(|b| b.is_ascii_uppercase()) {
        Ok(Some(code))
    } else {
        Err(KitError::invalid(
            &fields.path_of(key),
            format_args!("{code:?} is not an ISO 4217 code (three upper-case letters)"),
        ))
    }
}

/// Prefixes an error's message with the path it is about, keeping its kind;
/// used where a nested reader's message does not know where it was called.
pub fn at(path: &str, error: KitError) -> KitError {
    let prefix = |m: String| format!("{path}: {m}");
    match error {
        KitError::MissingSignature(m) => KitError::MissingSignature(prefix(m)),
        KitError::BadSignature(m) => KitError::BadSignature(prefix(m)),
        KitError::StaleTimestamp(m) => KitError::StaleTimestamp(prefix(m)),
        KitError::MissingCredential(m) => KitError::MissingCredential(prefix(m)),
        KitError::MalformedPayload(m) => KitError::MalformedPayload(prefix(m)),
        KitError::MissingField(m) => KitError::MissingField(prefix(m)),
        KitError::InvalidField(m) => KitError::InvalidField(prefix(m)),
        KitError::UnknownStatus(m) => KitError::UnknownStatus(prefix(m)),
        KitError::Unsupported(m) => KitError::Unsupported(prefix(m)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn invalid_at(result: Result<impl std::fmt::Debug, KitError>, path: &str) {
        match result {
            Err(KitError::InvalidField(m)) => assert!(m.starts_with(path), "{m}"),
            other => panic!("expected invalid-field at {path}, got {other:?}"),
        }
    }

    #[test]
    fn absent_and_null_are_absent_wrong_types_name_the_path() {
        let v = json!({"a": null, "s": "x", "n": 12, "b": true, "o": {"k": 1}, "blank": " "});
        let f = Fields::of(&v, "data").unwrap();
        assert_eq!(opt_text(&f, "a"), Ok(None));
        assert_eq!(opt_text(&f, "blank"), Ok(None));
        assert_eq!(opt_text(&f, "n"), Ok(Some("12".into())));
        invalid_at(opt_text(&f, "b"), "data.b");
        assert_eq!(
            text(&f, "missing"),
            Err(KitError::MissingField("data.missing".into()))
        );
        assert_eq!(flag(&f, "a"), Ok(false));
        assert_eq!(opt_flag(&f, "b"), Ok(Some(true)));
        invalid_at(flag(&f, "s"), "data.s");
        invalid_at(opt_object(&f, "s"), "data.s");
        assert!(opt_object(&f, "o").unwrap().is_some());
        invalid_at(objects(&f, "o"), "data.o");
        assert!(objects(&f, "a").unwrap().is_empty());
    }

    #[test]
    fn money_times_and_currencies_are_strict() {
        let v = json!({"m": 1250, "neg": -1, "frac": 12.5, "t": "2024-04-01T08:00:00+08:00",
                       "local": "2024-04-01 08:00:00", "c": "CNY", "lc": "cny"});
        let f = Fields::of(&v, "data").unwrap();
        assert_eq!(opt_minor(&f, "m"), Ok(Some(1250)));
        invalid_at(opt_minor(&f, "neg"), "data.neg");
        invalid_at(opt_minor(&f, "frac"), "data.frac");
        assert_eq!(opt_instant(&f, "t"), Ok(Some(1_711_929_600_000)));
        invalid_at(opt_instant(&f, "local"), "data.local");
        invalid_at(opt_instant(&f, "m"), "data.m");
        assert_eq!(currency(&f, "c"), Ok(Some("CNY".into())));
        invalid_at(currency(&f, "lc"), "data.lc");
    }

    #[test]
    fn at_keeps_the_kind() {
        assert_eq!(
            at("status", KitError::UnknownStatus("x".into())),
            KitError::UnknownStatus("status: x".into())
        );
    }
}
