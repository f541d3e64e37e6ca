//! Reading the account's named credentials.
//!
//! The webhook secret(s) live in `account.secrets` (newest first, so a
//! rotation can list both); the REST API key pair, the site's `base_url` and
//! the site's UTC offset come from `account.credentials`.

use chrono::FixedOffset;
use orderhub_adapter_kit::KitError;

use crate::bindings::orderhub::adapter::types::Account;

orderhub_adapter_kit::account_credentials!(Account);

/// The site's UTC offset (`utc_offset`, e.g. `+08:00`), which Frappe's
/// zone-less datetimes are in. `None` when not configured: times are then
/// left out rather than read as UTC.
pub(crate) fn utc_offset(account: &Account) -> Result<Option<FixedOffset>, KitError> {
    optional(account, "utc_offset")
        .map(parse_offset)
        .transpose()
}

/// Parses `+08:00`, `-05:30`, `+0800` or `Z`.
pub(crate) fn parse_offset(text: &str) -> Result<FixedOffset, KitError> {
    let bad = || {
        KitError::invalid(
            "credentials.utc_offset",
            format_args!("{text:?} is not an offset like +08:00"),
        )
    };
    if text == "Z" || text == "UTC" {
        return FixedOffset::east_opt(0).ok_or_else(bad);
    }
    let (sign, rest) = match text.as_bytes().first() {
        Some(b'+') => (1, &text[1..]),
        Some(b'-') => (-1, &text[1..]),
        _ => return Err(bad()),
    };
    let digits: String = rest.chars().filter(|c| *c != ':').collect();
    if digits.len() != 4 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err(bad());
    }
    let hours: i32 = digits[..2].parse().map_err(|_| bad())?;
    let minutes: i32 = digits[2..].parse().map_err(|_| bad())?;
    FixedOffset::east_opt(sign * (hours * 3600 + minutes * 60)).ok_or_else(bad)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offsets_parse() {
        assert_eq!(parse_offset("+08:00").unwrap().local_minus_utc(), 8 * 3600);
        assert_eq!(
            parse_offset("-0530").unwrap().local_minus_utc(),
            -(5 * 3600 + 1800)
        );
        assert_eq!(parse_offset("Z").unwrap().local_minus_utc(), 0);
        assert!(parse_offset("8").is_err());
        assert!(parse_offset("+99:00").is_err());
    }
}
