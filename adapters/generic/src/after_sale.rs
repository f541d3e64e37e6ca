//! `after_sale.update` data: one refund or return case of an order.

use orderhub_adapter_kit::KitError;
use orderhub_adapter_kit::json::Fields;

use crate::bindings::orderhub::adapter::types::AfterSale;
use crate::fields::{currency, opt_minor, opt_text, text};

/// Reads the case. An amount is only meaningful with its currency, so
/// `amount_minor` without `currency` is refused rather than guessed.
pub fn after_sale(data: &Fields<'_>) -> Result<AfterSale, KitError> {
    let amount_minor = opt_minor(data, "amount_minor")?;
    let currency = currency(data, "currency")?;
    if amount_minor.is_some() && currency.is_none() {
        return Err(KitError::MissingField(data.path_of("currency")));
    }
    Ok(AfterSale {
        external_id: text(data, "external_id")?,
        order_external_id: text(data, "order_external_id")?,
        amount_minor,
        currency,
        reason: opt_text(data, "reason")?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn read(v: serde_json::Value) -> Result<AfterSale, KitError> {
        after_sale(&Fields::of(&v, "data").unwrap())
    }

    #[test]
    fn reads_the_case() {
        let case = read(json!({"external_id": "RF-1", "order_external_id": "MP-1",
                               "amount_minor": 6450, "currency": "CNY", "reason": "破损"}))
        .unwrap();
        assert_eq!(case.amount_minor, Some(6450));
        assert_eq!(case.reason.as_deref(), Some("破损"));
        let bare = read(json!({"external_id": "RF-1", "order_external_id": "MP-1"})).unwrap();
        assert!(bare.amount_minor.is_none() && bare.currency.is_none());
    }

    #[test]
    fn an_amount_needs_its_currency() {
        assert_eq!(
            read(json!({"external_id": "RF-1", "order_external_id": "MP-1", "amount_minor": 1}))
                .unwrap_err(),
            KitError::MissingField("data.currency".into())
        );
        assert_eq!(
            read(json!({"external_id": "RF-1"})).unwrap_err(),
            KitError::MissingField("data.order_external_id".into())
        );
    }
}
