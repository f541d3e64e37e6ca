//! UTC offsets as platforms and operators write them.
//!
//! Carriers put a zone next to a local scan time (Cainiao's `timeZone`), and
//! ERPs send server-local times whose zone the operator configures
//! (Kingdee's tenant zone). Both are written as `+8`, `-3`, `GMT+8`,
//! `UTC+08:00`, `+0800` or a zone name such as `Asia/Shanghai`. The offset is
//! what turns a local time into UTC, so an unreadable zone is an error, never
//! a silent UTC.

use crate::KitError;
use chrono::FixedOffset;

/// Zone names platforms and operators write, with their fixed offsets in hours.
/// None of these has observed daylight saving since 2011.
const NAMED: &[(&str, i32)] = &[
    ("Asia/Shanghai", 8),
    ("PRC", 8),
    ("Asia/Hong_Kong", 8),
    ("Asia/Singapore", 8),
    ("Asia/Tokyo", 9),
    ("Asia/Seoul", 9),
    ("Europe/Moscow", 3),
    ("UTC", 0),
    ("GMT", 0),
    ("Z", 0),
];

/// Parses `+8`, `-3`, `+08:00`, `+0800`, `GMT+8`, `UTC+08:00` or a known name.
pub fn parse_zone(text: &str, field: &str) -> Result<FixedOffset, KitError> {
    let raw = text.trim();
    if let Some((_, hours)) = NAMED
        .iter()
        .find(|(name, _)| name.eq_ignore_ascii_case(raw))
    {
        return offset(hours * 3600, raw, field);
    }
    let upper = raw.to_ascii_uppercase();
    let signed = upper
        .strip_prefix("GMT")
        .or_else(|| upper.strip_prefix("UTC"))
        .unwrap_or(&upper)
        .trim();
    let bad = || KitError::invalid(field, format_args!("{raw:?} is not a time zone offset"));
    let (sign, digits) = match signed.chars().next() {
        Some('+') => (1, &signed[1..]),
        Some('-') => (-1, &signed[1..]),
        Some(c) if c.is_ascii_digit() => (1, signed),
        _ => return Err(bad()),
    };
    if !digits.bytes().all(|b| b.is_ascii_digit() || b == b':') {
        return Err(bad());
    }
    let (hours, minutes) = match digits.split_once(':') {
        Some((h, m)) => (h, m),
        None if digits.len() == 4 => digits.split_at(2),
        None => (digits, "0"),
    };
    let number = |text: &str| -> Result<i32, KitError> {
        if text.is_empty() || !text.bytes().all(|b| b.is_ascii_digit()) {
            return Err(bad());
        }
        text.parse().map_err(|_| bad())
    };
    let hours = number(hours)?;
    let minutes = number(minutes)?;
    if !(0..=14).contains(&hours) || !(0..60).contains(&minutes) {
        return Err(bad());
    }
    offset(sign * (hours * 3600 + minutes * 60), raw, field)
}

fn offset(seconds: i32, raw: &str, field: &str) -> Result<FixedOffset, KitError> {
    FixedOffset::east_opt(seconds)
        .ok_or_else(|| KitError::invalid(field, format_args!("{raw:?} is out of range")))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn secs(text: &str) -> i32 {
        parse_zone(text, "z").unwrap().local_minus_utc()
    }

    #[test]
    fn offsets_in_every_spelling() {
        assert_eq!(secs("+8"), 8 * 3600);
        assert_eq!(secs("8"), 8 * 3600);
        assert_eq!(secs("-3"), -3 * 3600);
        assert_eq!(secs("GMT+8"), 8 * 3600);
        assert_eq!(secs("UTC+05:30"), 5 * 3600 + 1800);
        assert_eq!(secs("+0800"), 8 * 3600);
        assert_eq!(secs("Asia/Shanghai"), 8 * 3600);
        assert_eq!(secs("utc"), 0);
    }

    #[test]
    fn garbage_is_an_invalid_field() {
        for bad in [
            "",
            "Mars/Olympus",
            "+99",
            "+8:75",
            "++8",
            "東八區",
            "+a東",
            "+8:",
        ] {
            assert!(
                matches!(parse_zone(bad, "z"), Err(KitError::InvalidField(_))),
                "{bad}"
            );
        }
    }
}
