//! What the adapter declares: credentials, outbound hosts, topics, statuses.

use crate::bindings::orderhub::adapter::types::{
    AdapterKind, AdapterLimits, AdapterMetadata, CredentialSpec,
};
use crate::{message, status};

fn credential(name: &str, description: &str, secret: bool, required: bool) -> CredentialSpec {
    CredentialSpec {
        name: name.into(),
        description: description.into(),
        secret,
        required,
    }
}

/// The adapter's self-description.
pub fn metadata() -> AdapterMetadata {
    AdapterMetadata {
        id: "jd".into(),
        kind: AdapterKind::Channel,
        version: env!("CARGO_PKG_VERSION").into(),
        description: "JD POP via JOS: relayed order messages, incremental order poll (jingdong.pop.order.search), ship confirmations.".into(),
        credentials: vec![
            credential("app_key", "The JOS app key (JD open platform console, app overview).", false, true),
            credential(
                "secret",
                "The JOS app secret, given as the account's secrets (newest first); signs every call and every relayed message.",
                true,
                true,
            ),
            credential(
                "access_token",
                "The seller's access token from the app authorization; needed to poll orders and confirm shipments.",
                true,
                false,
            ),
            credential("base_url", "The JOS gateway; defaults to https://api.jd.com/routerjson.", false, false),
        ],
        outbound_hosts: vec!["api.jd.com".into()],
        topics: message::topics(),
        statuses: status::declared(),
        limits: orderhub_adapter_kit::host_limits!(),
    }
}
