//! `order.upsert` data: a full order snapshot in the canonical JSON form.

use orderhub_adapter_kit::KitError;
use orderhub_adapter_kit::json::Fields;

use crate::bindings::orderhub::adapter::types::{Address, Order, OrderLine, Party, StatusDomain};
use crate::fields::{
    currency, flag, objects, opt_flag, opt_instant, opt_minor, opt_object, opt_text, text,
};
use crate::status_object::opt_status;

/// Line statuses are the line's own lifecycle or after-sale state.
const LINE_DOMAINS: &[StatusDomain] = &[StatusDomain::Order, StatusDomain::Refund];

/// Reads the order. `presale` is what the event's status implies when the
/// data does not say (`deposit_paid` only exists for presale orders).
pub fn order(data: &Fields<'_>, presale: bool) -> Result<Order, KitError> {
    Ok(Order {
        external_id: text(data, "external_id")?,
        display_id: opt_text(data, "display_id")?,
        created_at: opt_instant(data, "created_at")?,
        updated_at: opt_instant(data, "updated_at")?,
        currency: currency(data, "currency")?
            .ok_or_else(|| KitError::MissingField(data.path_of("currency")))?,
        total_minor: opt_minor(data, "total_minor")?,
        subtotal_minor: opt_minor(data, "subtotal_minor")?,
        shipping_minor: opt_minor(data, "shipping_minor")?,
        discount_minor: opt_minor(data, "discount_minor")?,
        tax_minor: opt_minor(data, "tax_minor")?,
        buyer: party(data, "buyer")?,
        receiver: party(data, "receiver")?,
        lines: objects(data, "lines")?
            .iter()
            .map(line)
            .collect::<Result<_, _>>()?,
        presale: opt_flag(data, "presale")?.unwrap_or(presale),
        note: opt_text(data, "note")?,
    })
}

fn party(data: &Fields<'_>, key: &str) -> Result<Option<Party>, KitError> {
    let Some(party) = opt_object(data, key)? else {
        return Ok(None);
    };
    Ok(Some(Party {
        name: opt_text(&party, "name")?,
        phone: opt_text(&party, "phone")?,
        email: opt_text(&party, "email")?,
        address: address(&party)?,
        masked: flag(&party, "masked")?,
    }))
}

fn address(party: &Fields<'_>) -> Result<Option<Address>, KitError> {
    let Some(address) = opt_object(party, "address")? else {
        return Ok(None);
    };
    Ok(Some(Address {
        country: opt_text(&address, "country")?,
        province: opt_text(&address, "province")?,
        city: opt_text(&address, "city")?,
        district: opt_text(&address, "district")?,
        street: opt_text(&address, "street")?,
        postal_code: opt_text(&address, "postal_code")?,
    }))
}

fn line(line: &Fields<'_>) -> Result<OrderLine, KitError> {
    let quantity = line.count("quantity")?;
    Ok(OrderLine {
        external_id: opt_text(line, "external_id")?,
        sku: opt_text(line, "sku")?,
        title: opt_text(line, "title")?,
        quantity,
        unit_price_minor: opt_minor(line, "unit_price_minor")?,
        discount_minor: opt_minor(line, "discount_minor")?,
        status: opt_status(line, "status", LINE_DOMAINS)?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn read(v: serde_json::Value) -> Result<Order, KitError> {
        order(&Fields::of(&v, "data").unwrap(), false)
    }

    #[test]
    fn full_snapshot() {
        let o = read(json!({
            "external_id": 9007199254740993u64, "display_id": "MP-1", "currency": "CNY",
            "created_at": "2024-04-01T08:00:00+08:00", "total_minor": 12900, "shipping_minor": 0,
            "buyer": {"name": "张*", "phone": "138****0000", "masked": true,
                      "address": {"country": "CN", "city": "杭州市"}},
            "lines": [{"sku": "TEA-1", "quantity": 2, "unit_price_minor": 6450,
                       "status": {"domain": "order", "value": "shipped"}}],
            "presale": null, "whatever": [1, 2]
        }))
        .unwrap();
        assert_eq!(o.external_id, "9007199254740993");
        assert_eq!(o.created_at, Some(1_711_929_600_000));
        assert_eq!(o.total_minor, Some(12900));
        assert_eq!(o.shipping_minor, Some(0));
        let buyer = o.buyer.unwrap();
        assert!(buyer.masked);
        assert_eq!(buyer.address.unwrap().city.as_deref(), Some("杭州市"));
        assert_eq!(o.lines[0].quantity, 2);
        assert_eq!(o.lines[0].status.as_ref().unwrap().value, "shipped");
        assert!(!o.presale && o.receiver.is_none());
    }

    #[test]
    fn required_fields_and_bad_values_name_their_paths() {
        assert_eq!(
            read(json!({"currency": "CNY"})).unwrap_err(),
            KitError::MissingField("data.external_id".into())
        );
        assert_eq!(
            read(json!({"external_id": "1"})).unwrap_err(),
            KitError::MissingField("data.currency".into())
        );
        for (bad, path) in [
            (
                json!({"lines": [{"quantity": -1}]}),
                "data.lines[0].quantity",
            ),
            (
                json!({"lines": [{"quantity": 1.5}]}),
                "data.lines[0].quantity",
            ),
            (json!({"total_minor": "12.90"}), "data.total_minor"),
            (
                json!({"buyer": {"address": "Hangzhou"}}),
                "data.buyer.address",
            ),
            (
                json!({"receiver": {"masked": "yes"}}),
                "data.receiver.masked",
            ),
            (
                json!({"created_at": "2024-04-01 08:00:00"}),
                "data.created_at",
            ),
        ] {
            let mut v = json!({"external_id": "1", "currency": "CNY"});
            v.as_object_mut()
                .unwrap()
                .extend(bad.as_object().unwrap().clone());
            match read(v) {
                Err(KitError::InvalidField(m)) => assert!(m.starts_with(path), "{m}"),
                other => panic!("expected invalid-field at {path}, got {other:?}"),
            }
        }
        assert_eq!(
            read(json!({"external_id": "1", "currency": "CNY", "lines": [{"sku": "A"}]}))
                .unwrap_err(),
            KitError::MissingField("data.lines[0].quantity".into())
        );
    }

    #[test]
    fn presale_follows_the_data_then_the_status() {
        let v = json!({"external_id": "1", "currency": "CNY"});
        assert!(
            order(&Fields::of(&v, "data").unwrap(), true)
                .unwrap()
                .presale
        );
        let v = json!({"external_id": "1", "currency": "CNY", "presale": false});
        assert!(
            !order(&Fields::of(&v, "data").unwrap(), true)
                .unwrap()
                .presale
        );
    }
}
