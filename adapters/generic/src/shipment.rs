//! `shipment.update` data: a parcel and its carrier scans.

use orderhub_adapter_kit::KitError;
use orderhub_adapter_kit::json::Fields;

use crate::bindings::orderhub::adapter::types::{Checkpoint, Shipment, ShippedLine, StatusDomain};
use crate::fields::{objects, opt_flag, opt_instant, opt_text, text};
use crate::status_object::opt_status;

/// Reads the shipment. `delivered` is whether the event's tracking status is
/// `delivered`, which stands for `signed` when the data does not say.
pub fn shipment(data: &Fields<'_>, delivered: bool) -> Result<Shipment, KitError> {
    let mut checkpoints = objects(data, "checkpoints")?
        .iter()
        .map(checkpoint)
        .collect::<Result<Vec<_>, _>>()?;
    // The contract wants scans oldest first; carriers and ERPs often list the
    // newest first. When every scan has a time the order is unambiguous; a
    // stable sort keeps scans of the same second as sent.
    if checkpoints.iter().all(|c| c.at.is_some()) {
        checkpoints.sort_by_key(|c| c.at);
    }
    Ok(Shipment {
        carrier: text(data, "carrier")?,
        tracking_number: text(data, "tracking_number")?,
        order_external_id: opt_text(data, "order_external_id")?,
        checkpoints,
        signed: opt_flag(data, "signed")?.unwrap_or(delivered),
        warehouse: opt_text(data, "warehouse")?,
        lines: objects(data, "lines")?
            .iter()
            .map(shipped_line)
            .collect::<Result<_, _>>()?,
    })
}

fn shipped_line(line: &Fields<'_>) -> Result<ShippedLine, KitError> {
    let shipped = ShippedLine {
        line_external_id: opt_text(line, "line_external_id")?,
        sku: opt_text(line, "sku")?,
        quantity: line.count("quantity")?,
    };
    if shipped.line_external_id.is_none() && shipped.sku.is_none() {
        return Err(KitError::MissingField(line.path_of("line_external_id")));
    }
    Ok(shipped)
}

fn checkpoint(scan: &Fields<'_>) -> Result<Checkpoint, KitError> {
    Ok(Checkpoint {
        at: opt_instant(scan, "at")?,
        description: text(scan, "description")?,
        location: opt_text(scan, "location")?,
        status: opt_status(scan, "status", &[StatusDomain::Tracking])?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn read(v: serde_json::Value, delivered: bool) -> Result<Shipment, KitError> {
        shipment(&Fields::of(&v, "data").unwrap(), delivered)
    }

    #[test]
    fn scans_are_put_oldest_first() {
        let s = read(
            json!({"carrier": "SF", "tracking_number": "SF1234567890123", "order_external_id": "MP-1",
                   "checkpoints": [
                       {"at": "2024-04-02T09:00:00+08:00", "description": "签收",
                        "status": {"domain": "tracking", "value": "delivered"}},
                       {"at": "2024-04-01T18:00:00+08:00", "description": "已揽收", "location": "杭州"}
                   ]}),
            true,
        )
        .unwrap();
        assert_eq!(s.checkpoints[0].description, "已揽收");
        assert_eq!(s.checkpoints[1].status.as_ref().unwrap().value, "delivered");
        assert!(s.signed);
        assert_eq!(s.order_external_id.as_deref(), Some("MP-1"));
    }

    #[test]
    fn signed_defaults_to_the_status_and_required_fields_are_named() {
        let s = read(
            json!({"carrier": "SF", "tracking_number": "1", "signed": false}),
            true,
        )
        .unwrap();
        assert!(!s.signed);
        assert!(
            !read(json!({"carrier": "SF", "tracking_number": "1"}), false)
                .unwrap()
                .signed
        );
        assert_eq!(
            read(json!({"carrier": "SF"}), false).unwrap_err(),
            KitError::MissingField("data.tracking_number".into())
        );
        assert_eq!(
            read(
                json!({"carrier": "SF", "tracking_number": "1", "checkpoints": [{"at": null}]}),
                false
            )
            .unwrap_err(),
            KitError::MissingField("data.checkpoints[0].description".into())
        );
        assert!(matches!(
            read(json!({"carrier": "SF", "tracking_number": "1",
                        "checkpoints": [{"description": "x", "status": {"domain": "order", "value": "shipped"}}]}), false),
            Err(KitError::InvalidField(m)) if m.starts_with("data.checkpoints[0].status.domain")
        ));
    }
}
