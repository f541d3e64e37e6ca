//! What the adapter declares to hosts: credentials, hosts, topics, statuses.

use crate::bindings::orderhub::adapter::types::{
    AdapterKind, AdapterLimits, AdapterMetadata, CredentialSpec,
};
use crate::docs::{DELIVERY_NOTE, SALES_ORDER, SHIPMENT};
use crate::poll::TOPIC;
use crate::status;

pub(crate) fn metadata() -> AdapterMetadata {
    AdapterMetadata {
        id: "erpnext".into(),
        kind: AdapterKind::Erp,
        version: env!("CARGO_PKG_VERSION").into(),
        description: "ERPNext / Frappe: verifies signed webhooks for Sales Order, Delivery Note and \
                      Shipment (payload templates in the README), polls Delivery Notes over REST, maps \
                      document and tracking statuses."
            .into(),
        credentials: vec![
            credential(
                "webhook_secret",
                "The Webhook's secret (Webhook > Enable Security > Webhook Secret); the account's \
                 secrets, newest first.",
                true,
                false,
            ),
            credential(
                "base_url",
                "The ERPNext site, e.g. https://erp.example.com (needed to poll).",
                false,
                false,
            ),
            credential("api_key", "API key of the ERPNext user OrderHub reads as (needed to poll).", false, false),
            credential("api_secret", "API secret of that user (needed to poll).", true, false),
            credential(
                "utc_offset",
                "The site's time zone as a UTC offset, e.g. +08:00 (System Settings > Time Zone); \
                 without it event times are left out.",
                false,
                false,
            ),
        ],
        outbound_hosts: vec!["*.frappe.cloud".into(), "*.erpnext.com".into()],
        topics: vec![
            SALES_ORDER.into(),
            DELIVERY_NOTE.into(),
            SHIPMENT.into(),
            TOPIC.into(),
        ],
        statuses: status::declared(),
        limits: orderhub_adapter_kit::host_limits!(),
    }
}

fn credential(name: &str, description: &str, secret: bool, required: bool) -> CredentialSpec {
    CredentialSpec {
        name: name.into(),
        description: description.into(),
        secret,
        required,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn declares_every_status() {
        let m = metadata();
        assert_eq!(m.id, "erpnext");
        assert_eq!(m.statuses.len(), status::ROWS.len());
    }
}
