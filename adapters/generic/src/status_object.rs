//! Statuses nested in the data: an order line's own status and a checkpoint's
//! carrier status, written in the canonical JSON form
//! `{"domain": "order", "value": "shipped", "context": [["partial", "true"]]}`.
//!
//! They are checked against the same status table as the event's status, so
//! every status this adapter emits is one `status-map` accepts.

use orderhub_adapter_kit::KitError;
use orderhub_adapter_kit::json::Fields;
use serde_json::Value;

use crate::bindings::orderhub::adapter::types::{Field, PlatformStatus, StatusDomain};
use crate::fields::{at, opt_object, text};
use crate::status;

/// Reads an optional status object at `key`, refusing domains not in `allowed`.
pub fn opt_status(
    fields: &Fields<'_>,
    key: &str,
    allowed: &[StatusDomain],
) -> Result<Option<PlatformStatus>, KitError> {
    let Some(object) = opt_object(fields, key)? else {
        return Ok(None);
    };
    let domain_text = text(&object, "domain")?;
    let domain = domain(&domain_text)
        .filter(|d| allowed.contains(d))
        .ok_or_else(|| {
            let names: Vec<&str> = allowed.iter().map(|d| domain_name(*d)).collect();
            KitError::invalid(
                &object.path_of("domain"),
                format_args!(
                    "{domain_text:?} is not allowed here (expected {})",
                    names.join(" or ")
                ),
            )
        })?;
    let status = PlatformStatus {
        domain,
        value: text(&object, "value")?,
        context: context(&object)?,
    };
    status::map(&status).map_err(|e| at(object.path(), e))?;
    Ok(Some(status))
}

/// The context as `[[name, value], …]` or `{name: value, …}`, values as text.
fn context(object: &Fields<'_>) -> Result<Vec<Field>, KitError> {
    let path = object.path_of("context");
    let field = |name: &str, value: &Value, value_path: String| match value {
        Value::String(s) => Ok(Field {
            name: name.to_string(),
            value: s.clone(),
        }),
        Value::Bool(b) => Ok(Field {
            name: name.to_string(),
            value: b.to_string(),
        }),
        _ => Err(KitError::invalid(&value_path, "expected a string")),
    };
    match object.optional("context") {
        None => Ok(Vec::new()),
        Some(Value::Object(map)) => map
            .iter()
            .map(|(name, value)| field(name, value, format!("{path}.{name}")))
            .collect(),
        Some(Value::Array(pairs)) => pairs
            .iter()
            .enumerate()
            .map(|(i, pair)| match pair.as_array().map(Vec::as_slice) {
                Some([Value::String(name), value]) => field(name, value, format!("{path}[{i}][1]")),
                _ => Err(KitError::invalid(
                    &format!("{path}[{i}]"),
                    "expected a [name, value] pair",
                )),
            })
            .collect(),
        Some(_) => Err(KitError::invalid(
            &path,
            "expected an array of [name, value] pairs",
        )),
    }
}

fn domain(name: &str) -> Option<StatusDomain> {
    [
        StatusDomain::Order,
        StatusDomain::Payment,
        StatusDomain::Fulfillment,
        StatusDomain::Refund,
        StatusDomain::Presale,
        StatusDomain::Tracking,
    ]
    .into_iter()
    .find(|d| domain_name(*d) == name)
}

fn domain_name(domain: StatusDomain) -> &'static str {
    match domain {
        StatusDomain::Order => "order",
        StatusDomain::Payment => "payment",
        StatusDomain::Fulfillment => "fulfillment",
        StatusDomain::Refund => "refund",
        StatusDomain::Presale => "presale",
        StatusDomain::Tracking => "tracking",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const LINE: &[StatusDomain] = &[StatusDomain::Order, StatusDomain::Refund];

    fn read(v: serde_json::Value) -> Result<Option<PlatformStatus>, KitError> {
        let f = Fields::of(&v, "data.lines[1]").unwrap();
        opt_status(&f, "status", LINE)
    }

    #[test]
    fn canonical_form_with_pairs_or_object_context() {
        let s = read(json!({"status": {"domain": "order", "value": "shipped", "context": [["partial", "true"]]}}))
            .unwrap()
            .unwrap();
        assert_eq!(s.domain, StatusDomain::Order);
        assert_eq!(s.context[0].name, "partial");
        let s = read(json!({"status": {"domain": "order", "value": "shipped", "context": {"partial": true}}}))
            .unwrap()
            .unwrap();
        assert_eq!(s.context[0].value, "true");
        assert_eq!(read(json!({"status": null})), Ok(None));
    }

    #[test]
    fn errors_name_the_nested_path() {
        assert!(matches!(
            read(json!({"status": {"domain": "tracking", "value": "delivered"}})),
            Err(KitError::InvalidField(m)) if m.starts_with("data.lines[1].status.domain")
        ));
        assert!(matches!(
            read(json!({"status": {"domain": "order", "value": "SHIPPED"}})),
            Err(KitError::UnknownStatus(m)) if m.starts_with("data.lines[1].status:")
        ));
        assert!(matches!(
            read(json!({"status": {"domain": "order"}})),
            Err(KitError::MissingField(m)) if m == "data.lines[1].status.value"
        ));
        assert!(matches!(
            read(json!({"status": {"domain": "order", "value": "paid", "context": [["partial"]]}})),
            Err(KitError::InvalidField(m)) if m.starts_with("data.lines[1].status.context[0]")
        ));
        assert!(matches!(
            read(json!({"status": "shipped"})),
            Err(KitError::InvalidField(m)) if m.starts_with("data.lines[1].status")
        ));
    }
}
