//! `inventory.level` data: the sellable stock of one SKU.

use orderhub_adapter_kit::KitError;
use orderhub_adapter_kit::json::Fields;

use crate::bindings::orderhub::adapter::types::InventoryLevel;
use crate::fields::{opt_text, text};

/// Reads the level. `available` may be negative: ERPs report oversold stock
/// that way, and hiding it would overstate what can be sold.
pub fn inventory(data: &Fields<'_>) -> Result<InventoryLevel, KitError> {
    Ok(InventoryLevel {
        sku: text(data, "sku")?,
        warehouse: opt_text(data, "warehouse")?,
        available: data.integer("available")?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn reads_the_level_and_names_missing_fields() {
        let v = json!({"sku": "TEA-1", "warehouse": "HZ-01", "available": -2});
        let level = inventory(&Fields::of(&v, "data").unwrap()).unwrap();
        assert_eq!((level.sku.as_str(), level.available), ("TEA-1", -2));
        let v = json!({"sku": "TEA-1"});
        assert_eq!(
            inventory(&Fields::of(&v, "data").unwrap()).unwrap_err(),
            KitError::MissingField("data.available".into())
        );
        let v = json!({"sku": "TEA-1", "available": 2.5});
        assert!(matches!(
            inventory(&Fields::of(&v, "data").unwrap()),
            Err(KitError::InvalidField(m)) if m.starts_with("data.available")
        ));
    }
}
