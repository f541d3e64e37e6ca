//! What the adapter declares: credentials, outbound hosts, topics, statuses.

use crate::bindings::orderhub::adapter::types::{
    AdapterKind, AdapterLimits, AdapterMetadata, CredentialSpec,
};
use crate::normalize::{TOPIC_ORDER_GET, TOPIC_ORDERS_GET};
use crate::push::{TOPIC_REVERSE_ORDER, TOPIC_TRADE_ORDER};
use crate::status;

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
        id: "lazada".into(),
        kind: AdapterKind::Channel,
        version: env!("CARGO_PKG_VERSION").into(),
        description: "Lazada (SG, MY, TH, PH, ID, VN) via the Lazada Open Platform: signed push messages, relayed order responses, incremental order poll.".into(),
        credentials: vec![
            credential("app_key", "The Lazada app key (Lazada Open Platform console, app overview).", false, true),
            credential(
                "secret",
                "The Lazada app secret, given as the account's secrets (newest first); signs every call and every push.",
                true,
                true,
            ),
            credential(
                "access_token",
                "The seller's access token from the app authorization; needed to poll orders.",
                true,
                false,
            ),
            credential(
                "site",
                "The seller's site: sg, my, th, ph, id or vn; picks the gateway and the order currency.",
                false,
                false,
            ),
            credential(
                "base_url",
                "The API gateway (e.g. a test server); defaults to the site's https://api.lazada.*/rest.",
                false,
                false,
            ),
        ],
        outbound_hosts: vec![
            "api.lazada.sg".into(),
            "api.lazada.com.my".into(),
            "api.lazada.co.th".into(),
            "api.lazada.com.ph".into(),
            "api.lazada.co.id".into(),
            "api.lazada.vn".into(),
        ],
        topics: vec![
            TOPIC_TRADE_ORDER.into(),
            TOPIC_REVERSE_ORDER.into(),
            TOPIC_ORDER_GET.into(),
            TOPIC_ORDERS_GET.into(),
        ],
        statuses: status::declared(),
        limits: orderhub_adapter_kit::host_limits!(),
    }
}
