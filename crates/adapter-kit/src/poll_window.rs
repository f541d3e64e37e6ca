//! The cursor of a windowed incremental poll, for China-based gateways
//! (Taobao TOP, JD JOS, …) whose time parameters are `yyyy-MM-dd HH:mm:ss`
//! in China Standard Time.
//!
//! Adapters read one closed time window at a time, page by page; the cursor
//! is the window and the page to read next. It is stored by the host as this
//! JSON text, so it is readable in `orderhub` output and stable across
//! adapter versions.

use chrono::FixedOffset;

use crate::json::Fields;
use crate::{KitError, time};

fn zone() -> FixedOffset {
    time::shanghai()
}

/// A window being read, and the page to read next (`None`: page 1 with the count).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WindowCursor {
    /// Window start, UTC milliseconds.
    pub start: i64,
    /// Window end, UTC milliseconds.
    pub end: i64,
    /// The page to read next, when paging has started.
    pub page: Option<i64>,
}

impl WindowCursor {
    /// Parses the cursor's JSON form; errors name the cursor field.
    pub fn parse(text: &str) -> Result<Self, KitError> {
        let value = serde_json::from_str::<serde_json::Value>(text).map_err(|e| {
            KitError::invalid(
                "cursor",
                format_args!("not this adapter's cursor JSON: {e}"),
            )
        })?;
        let fields = Fields::of(&value, "cursor")?;
        let at = |key: &str| time::parse_local(&fields.string(key)?, zone(), &fields.path_of(key));
        let (start, end) = (at("start")?, at("end")?);
        if end <= start {
            return Err(KitError::invalid(
                "cursor.end",
                "the window ends before it starts",
            ));
        }
        let page = match fields.optional("page") {
            None => None,
            Some(_) => match fields.integer("page")? {
                page if page >= 1 => Some(page),
                page => {
                    return Err(KitError::invalid(
                        "cursor.page",
                        format_args!("{page} is not a page number"),
                    ));
                }
            },
        };
        Ok(WindowCursor { start, end, page })
    }

    /// The cursor's JSON form.
    pub fn to_json(&self) -> String {
        let mut value = serde_json::json!({
            "start": time::format_local(self.start, zone()),
            "end": time::format_local(self.end, zone()),
        });
        if let (Some(page), Some(map)) = (self.page, value.as_object_mut()) {
            map.insert("page".into(), page.into());
        }
        value.to_string()
    }
}

/// Whole seconds: these gateways' times have no milliseconds.
pub fn floor_second(millis: i64) -> i64 {
    millis.div_euclid(1000).saturating_mul(1000)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_and_refuses_bad_windows() {
        let c = WindowCursor {
            start: 1_451_620_800_000,
            end: 1_451_622_600_000,
            page: Some(3),
        };
        let text = c.to_json();
        assert_eq!(
            text,
            r#"{"start":"2016-01-01 12:00:00","end":"2016-01-01 12:30:00","page":3}"#
        );
        assert_eq!(WindowCursor::parse(&text), Ok(c));
        assert!(
            WindowCursor::parse(r#"{"start":"2016-01-01 12:00:00","end":"2016-01-01 11:00:00"}"#)
                .is_err()
        );
        assert!(
            WindowCursor::parse(
                r#"{"start":"2016-01-01 12:00:00","end":"2016-01-01 13:00:00","page":0}"#
            )
            .is_err()
        );
        assert!(matches!(
            WindowCursor::parse("nope"),
            Err(KitError::InvalidField(_))
        ));
        assert_eq!(floor_second(1_999), 1_000);
    }
}
