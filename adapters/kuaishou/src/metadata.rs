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
        id: "kuaishou".into(),
        kind: AdapterKind::Channel,
        version: env!("CARGO_PKG_VERSION").into(),
        description: "Kuaishou shop (快手小店): encrypted order and after-sale push messages, incremental order poll (open.order.cursor.list).".into(),
        credentials: vec![
            credential("app_key", "The app key (ks…); push envelopes must carry it as appKey.", false, true),
            credential(
                "secret",
                "The message secret (msgSecret, base64 AES key), given as the account's secrets (newest first); decrypts and so authenticates push bodies.",
                true,
                true,
            ),
            credential("sign_secret", "The signSecret that signs outbound API calls (not the app secret).", true, false),
            credential("access_token", "The seller's OAuth access token; needed to poll.", true, false),
            credential("sign_method", "MD5 (default) or HMAC_SHA256 for outbound calls.", false, false),
            credential("base_url", "The API gateway; defaults to https://openapi.kwaixiaodian.com.", false, false),
        ],
        outbound_hosts: vec!["openapi.kwaixiaodian.com".into()],
        topics: topics::all(),
        statuses: status::declared(),
        limits: orderhub_adapter_kit::host_limits!(),
    }
}
