//! What the adapter declares to hosts: credentials, hosts, topics, statuses.

use crate::bindings::orderhub::adapter::types::{
    AdapterKind, AdapterLimits, AdapterMetadata, CredentialSpec,
};
use crate::records::{TOPIC_ORDER, TOPIC_PICKING};
use crate::status;

pub(crate) fn metadata() -> AdapterMetadata {
    AdapterMetadata {
        id: "odoo".into(),
        kind: AdapterKind::Erp,
        version: env!("CARGO_PKG_VERSION").into(),
        description: "Odoo: polls outgoing delivery orders (stock.picking) and sale orders through the \
                      JSON-RPC external API by write_date; maps sale.order and stock.picking states."
            .into(),
        credentials: vec![
            credential(
                "password",
                "The Odoo user's API key (Preferences > Account Security) or password; the account's \
                 secrets, newest first.",
                true,
                true,
            ),
            credential("base_url", "The Odoo server, e.g. https://mycompany.odoo.com.", false, true),
            credential("db", "The database name.", false, true),
            credential("uid", "The numeric id of the user OrderHub reads as.", false, true),
        ],
        outbound_hosts: vec!["*.odoo.com".into()],
        topics: vec![TOPIC_PICKING.into(), TOPIC_ORDER.into()],
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
