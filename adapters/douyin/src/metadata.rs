//! What the adapter declares: credentials, outbound hosts, topics, statuses.

use crate::bindings::orderhub::adapter::types::{
    AdapterKind, AdapterLimits, AdapterMetadata, CredentialSpec,
};
use crate::{status, topics};

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
        id: "douyin".into(),
        kind: AdapterKind::Channel,
        version: env!("CARGO_PKG_VERSION").into(),
        description: "Douyin shop (抖店): signed trade and refund push messages, relayed order details, /order/searchList poll, /order/logisticsAdd ship confirmations.".into(),
        credentials: vec![
            credential("app_key", "The app key of the Douyin shop open platform app (op.jinritemai.com console).", false, true),
            credential(
                "app_secret",
                "The app secret, given as the account's secrets (newest first); signs API calls and push messages.",
                true,
                true,
            ),
            credential(
                "access_token",
                "The shop's access token from the app authorization; needed to poll and confirm shipments.",
                true,
                false,
            ),
            credential("base_url", "The API gateway; defaults to https://openapi-fxg.jinritemai.com.", false, false),
            credential("sign_method", "hmac-sha256 (default) or md5 for outbound calls.", false, false),
        ],
        outbound_hosts: vec!["openapi-fxg.jinritemai.com".into()],
        topics: topics::all(),
        statuses: status::declared(),
        limits: orderhub_adapter_kit::host_limits!(),
    }
}
