//! JSON access whose errors name the field that was missing or wrong.
//!
//! `Fields` wraps a JSON object together with its path from the payload root,
//! so an error reads `missing field: order.line_items[2].quantity` instead of
//! a bare "missing field".

use serde_json::{Map, Value};

use crate::KitError;

/// Parses a payload as JSON, turning syntax errors into `malformed-payload`.
pub fn parse(bytes: &[u8]) -> Result<Value, KitError> {
    serde_json::from_slice(bytes)
        .map_err(|e| KitError::MalformedPayload(format!("not valid JSON: {e}")))
}

/// Parses JSON held in a string field (platforms often embed JSON as text).
pub fn parse_embedded(text: &str, field: &str) -> Result<Value, KitError> {
    serde_json::from_str(text)
        .map_err(|e| KitError::invalid(field, format_args!("embedded JSON is invalid: {e}")))
}

/// A JSON object and its path in the payload.
#[derive(Debug, Clone)]
pub struct Fields<'a> {
    path: String,
    map: &'a Map<String, Value>,
}

/// An owned path, used when descending into nested objects.
fn join(path: &str, key: &str) -> String {
    if path.is_empty() {
        key.to_string()
    } else {
        format!("{path}.{key}")
    }
}

impl<'a> Fields<'a> {
    /// Views `value` as an object at `path` (`""` for the root).
    pub fn of(value: &'a Value, path: &str) -> Result<Self, KitError> {
        match value {
            Value::Object(map) => Ok(Fields {
                path: path.to_string(),
                map,
            }),
            _ if path.is_empty() => Err(KitError::MalformedPayload(
                "the payload is not a JSON object".into(),
            )),
            _ => Err(KitError::invalid(path, "expected an object")),
        }
    }

    /// The object's path.
    pub fn path(&self) -> &str {
        &self.path
    }

    /// The full path of `key` in this object.
    pub fn path_of(&self, key: &str) -> String {
        join(&self.path, key)
    }

    /// A present, non-null value, or `missing-field` naming its path.
    pub fn required(&self, key: &str) -> Result<&'a Value, KitError> {
        self.optional(key)
            .ok_or_else(|| KitError::MissingField(self.path_of(key)))
    }

    /// A value that is present and not null.
    pub fn optional(&self, key: &str) -> Option<&'a Value> {
        self.map.get(key).filter(|v| !v.is_null())
    }

    /// A required string; numbers are accepted and printed exactly (ids
    /// beyond 2^53 must arrive as strings to stay exact).
    pub fn string(&self, key: &str) -> Result<String, KitError> {
        let value = self.required(key)?;
        scalar_text(value).ok_or_else(|| KitError::invalid(&self.path_of(key), "expected a string"))
    }

    /// An optional string; empty strings count as absent.
    pub fn opt_string(&self, key: &str) -> Option<String> {
        self.optional(key)
            .and_then(scalar_text)
            .filter(|s| !s.is_empty())
    }

    /// A required integer (number or numeric string).
    pub fn integer(&self, key: &str) -> Result<i64, KitError> {
        let value = self.required(key)?;
        match value {
            Value::Number(n) => n.as_i64(),
            Value::String(s) => s.trim().parse().ok(),
            _ => None,
        }
        .ok_or_else(|| {
            KitError::invalid(
                &self.path_of(key),
                format_args!("{value} is not an integer"),
            )
        })
    }

    /// A required count of items: a non-negative integer that fits `u32`.
    pub fn count(&self, key: &str) -> Result<u32, KitError> {
        let n = self.integer(key)?;
        u32::try_from(n).map_err(|_| {
            KitError::invalid(
                &self.path_of(key),
                format_args!("{n} is not a count of items"),
            )
        })
    }

    /// An optional boolean (`true`/`false`, `1`/`0`, `"true"`/`"false"`).
    pub fn opt_bool(&self, key: &str) -> Option<bool> {
        match self.optional(key)? {
            Value::Bool(b) => Some(*b),
            Value::Number(n) => n.as_i64().map(|n| n != 0),
            Value::String(s) => match s.as_str() {
                "true" | "1" => Some(true),
                "false" | "0" => Some(false),
                _ => None,
            },
            _ => None,
        }
    }

    /// A required nested object.
    pub fn object(&self, key: &str) -> Result<Fields<'a>, KitError> {
        let value = self.required(key)?;
        match value {
            Value::Object(map) => Ok(Fields {
                path: self.path_of(key),
                map,
            }),
            _ => Err(KitError::invalid(&self.path_of(key), "expected an object")),
        }
    }

    /// An optional nested object.
    pub fn opt_object(&self, key: &str) -> Option<Fields<'a>> {
        match self.optional(key)? {
            Value::Object(map) => Some(Fields {
                path: self.path_of(key),
                map,
            }),
            _ => None,
        }
    }

    /// A required array.
    pub fn array(&self, key: &str) -> Result<&'a Vec<Value>, KitError> {
        match self.required(key)? {
            Value::Array(items) => Ok(items),
            _ => Err(KitError::invalid(&self.path_of(key), "expected an array")),
        }
    }

    /// An optional array; absent or null gives an empty slice.
    pub fn opt_array(&self, key: &str) -> &'a [Value] {
        match self.optional(key) {
            Some(Value::Array(items)) => items,
            _ => &[],
        }
    }

    /// The objects of an array, each with its indexed path.
    pub fn objects(&self, key: &str) -> Result<Vec<Fields<'a>>, KitError> {
        let base = self.path_of(key);
        self.opt_array(key)
            .iter()
            .enumerate()
            .map(|(i, item)| match item {
                Value::Object(map) => Ok(Fields {
                    path: format!("{base}[{i}]"),
                    map,
                }),
                _ => Err(KitError::invalid(
                    &format!("{base}[{i}]"),
                    "expected an object",
                )),
            })
            .collect()
    }

    /// The underlying map.
    pub fn map(&self) -> &'a Map<String, Value> {
        self.map
    }
}

/// The text of a JSON scalar: strings as they are, numbers and booleans as
/// printed. Objects, arrays and null have none.
pub fn scalar_text(value: &Value) -> Option<String> {
    match value {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn errors_name_the_full_path() {
        let v = json!({"order": {"lines": [{"sku": "A"}, {"qty": 1}]}});
        let root = Fields::of(&v, "").unwrap();
        let order = root.object("order").unwrap();
        let lines = order.objects("lines").unwrap();
        assert_eq!(lines[0].string("sku"), Ok("A".into()));
        assert_eq!(
            lines[1].string("sku"),
            Err(KitError::MissingField("order.lines[1].sku".into()))
        );
        assert_eq!(
            root.string("absent"),
            Err(KitError::MissingField("absent".into()))
        );
    }

    #[test]
    fn numbers_read_as_exact_text_and_integers() {
        let v = json!({"id": 450789469, "big": "1234567890123456789", "n": "42", "flag": 1});
        let f = Fields::of(&v, "").unwrap();
        assert_eq!(f.string("id"), Ok("450789469".into()));
        assert_eq!(f.string("big"), Ok("1234567890123456789".into()));
        assert_eq!(f.integer("n"), Ok(42));
        assert_eq!(f.opt_bool("flag"), Some(true));
        assert!(f.integer("flag").is_ok());
    }

    #[test]
    fn non_objects_and_bad_json_are_malformed() {
        assert!(matches!(
            parse(b"{not json"),
            Err(KitError::MalformedPayload(_))
        ));
        let v = json!([1, 2]);
        assert!(matches!(
            Fields::of(&v, ""),
            Err(KitError::MalformedPayload(_))
        ));
    }
}
