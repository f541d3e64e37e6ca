//! What the adapter declares: credentials, outbound hosts, topics, statuses.

use crate::bindings::orderhub::adapter::types::{
    AdapterKind, AdapterLimits, AdapterMetadata, CredentialSpec,
};
use crate::{events, status};

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
        id: "shopee".into(),
        kind: AdapterKind::Channel,
        version: env!("CARGO_PKG_VERSION").into(),
        description: "Shopee Open Platform v2: order status and tracking pushes, relayed order details, order-list poll, ship confirmations for non-integrated channels.".into(),
        credentials: vec![
            credential(
                "partner_key",
                "The live partner key (Open Platform console, app list), given as the account's secrets (newest first); signs every call and every push.",
                true,
                true,
            ),
            credential("partner_id", "The partner id of the app (Open Platform console).", false, true),
            credential(
                "callback_base_url",
                "Scheme and host of the push callback URL registered with Shopee, e.g. https://hub.example.com; pushes are signed over the full URL.",
                false,
                true,
            ),
            credential("shop_id", "The authorised shop's id; needed to poll and to ship.", false, false),
            credential(
                "access_token",
                "The shop's access token (valid 4 hours, refreshed outside the adapter); needed to poll and to ship.",
                true,
                false,
            ),
            credential(
                "base_url",
                "The API gateway; defaults to https://partner.shopeemobile.com (also openplatform.shopee.cn, openplatform.shopee.com.br, the sandbox).",
                false,
                false,
            ),
        ],
        outbound_hosts: vec![
            "partner.shopeemobile.com".into(),
            "openplatform.shopee.cn".into(),
            "openplatform.shopee.com.br".into(),
            "partner.test-stable.shopeemobile.com".into(),
            "openplatform.sandbox.test-stable.shopee.sg".into(),
        ],
        topics: events::all_topics(),
        statuses: status::declared(),
        limits: orderhub_adapter_kit::host_limits!(),
    }
}
