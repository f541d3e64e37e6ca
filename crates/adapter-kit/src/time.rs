//! Platform times to UTC instants (milliseconds since the Unix epoch, the
//! contract's `timestamp`).
//!
//! Many Chinese APIs send `yyyy-MM-dd HH:mm:ss` with no zone and mean
//! Asia/Shanghai; South-East Asian platforms use their own offsets. The zone is
//! always an explicit argument so no adapter silently assumes UTC. The zones
//! used here have had no daylight saving since 1991, so a fixed offset is exact.

use chrono::{DateTime, FixedOffset, NaiveDateTime, TimeZone as _};
use serde_json::Value;

use crate::KitError;

/// China Standard Time (Asia/Shanghai), UTC+08:00, no daylight saving.
pub fn shanghai() -> FixedOffset {
    FixedOffset::east_opt(8 * 3600).expect("+08:00 is a valid offset")
}

/// Parses `yyyy-MM-dd HH:mm:ss` (optionally with `.SSS`) in the given zone.
pub fn parse_local(text: &str, zone: FixedOffset, field: &str) -> Result<i64, KitError> {
    let text = text.trim();
    let naive = NaiveDateTime::parse_from_str(text, "%Y-%m-%d %H:%M:%S%.f")
        .or_else(|_| NaiveDateTime::parse_from_str(text, "%Y-%m-%dT%H:%M:%S%.f"))
        .map_err(|_| {
            KitError::invalid(field, format_args!("{text:?} is not yyyy-MM-dd HH:mm:ss"))
        })?;
    zone.from_local_datetime(&naive)
        .single()
        .map(|t| t.timestamp_millis())
        .ok_or_else(|| {
            KitError::invalid(field, format_args!("{text:?} does not exist in the zone"))
        })
}

/// Parses an RFC 3339 / ISO 8601 instant with an offset
/// (`2008-01-10T11:00:00-05:00`, `2024-01-01T00:00:00Z`).
pub fn parse_rfc3339(text: &str, field: &str) -> Result<i64, KitError> {
    DateTime::parse_from_rfc3339(text.trim())
        .or_else(|_| DateTime::parse_from_str(text.trim(), "%Y-%m-%d %H:%M:%S %z"))
        .map(|t| t.timestamp_millis())
        .map_err(|_| KitError::invalid(field, format_args!("{text:?} is not an RFC 3339 time")))
}

/// Reads Unix seconds given as a JSON number or a numeric string.
pub fn unix_seconds_value(value: &Value, field: &str) -> Result<i64, KitError> {
    integer_value(value, field)?
        .checked_mul(1000)
        .ok_or_else(|| KitError::invalid(field, "out of range"))
}

/// Reads Unix milliseconds given as a JSON number or a numeric string.
pub fn unix_millis_value(value: &Value, field: &str) -> Result<i64, KitError> {
    integer_value(value, field)
}

fn integer_value(value: &Value, field: &str) -> Result<i64, KitError> {
    match value {
        Value::Number(n) => n.as_i64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
    .ok_or_else(|| KitError::invalid(field, format_args!("{value} is not a Unix time")))
}

/// Formats an instant as `yyyy-MM-dd HH:mm:ss` in the given zone (for APIs
/// that take local-time query parameters).
pub fn format_local(millis: i64, zone: FixedOffset) -> String {
    zone.timestamp_millis_opt(millis)
        .single()
        .map(|t| t.format("%Y-%m-%d %H:%M:%S").to_string())
        .unwrap_or_default()
}

/// Formats an instant as RFC 3339 in UTC with second precision.
pub fn format_rfc3339(millis: i64) -> String {
    chrono::Utc
        .timestamp_millis_opt(millis)
        .single()
        .map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true))
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shanghai_local_time_is_eight_hours_ahead_of_utc() {
        // 2016-01-01 12:00:00 +08:00 == 2016-01-01 04:00:00Z == 1451620800 s.
        assert_eq!(
            parse_local("2016-01-01 12:00:00", shanghai(), "t"),
            Ok(1_451_620_800_000)
        );
        assert_eq!(
            format_local(1_451_620_800_000, shanghai()),
            "2016-01-01 12:00:00"
        );
    }

    #[test]
    fn rfc3339_with_offsets() {
        assert_eq!(
            parse_rfc3339("2008-01-10T11:00:00-05:00", "t"),
            Ok(1_199_980_800_000)
        );
        assert_eq!(
            parse_rfc3339("2014-10-15 18:36:05 +0800", "t"),
            Ok(1_413_369_365_000)
        );
        assert_eq!(format_rfc3339(1_199_980_800_000), "2008-01-10T16:00:00Z");
    }

    #[test]
    fn bad_times_name_the_field() {
        assert_eq!(
            parse_local("yesterday", shanghai(), "trade.created"),
            Err(KitError::InvalidField(
                "trade.created: \"yesterday\" is not yyyy-MM-dd HH:mm:ss".into()
            ))
        );
        assert!(parse_rfc3339("2020-13-01T00:00:00Z", "t").is_err());
    }

    #[test]
    fn unix_values() {
        assert_eq!(
            unix_seconds_value(&serde_json::json!(1480411125), "t"),
            Ok(1_480_411_125_000)
        );
        assert_eq!(
            unix_millis_value(&serde_json::json!("1517820392000"), "t"),
            Ok(1_517_820_392_000)
        );
        assert!(unix_seconds_value(&serde_json::json!(null), "t").is_err());
    }
}
