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
        id: "taobao".into(),
        kind: AdapterKind::Channel,
        version: env!("CARGO_PKG_VERSION").into(),
        description: "Taobao / Tmall via TOP: TMC trade and refund messages (push stream or relay), incremental order poll, ship confirmations.".into(),
        credentials: vec![
            credential("app_key", "The TOP app key (open.taobao.com console, app overview).", false, true),
            credential(
                "secret",
                "The TOP app secret, given as the account's secrets (newest first); signs every call and every relayed message.",
                true,
                true,
            ),
            credential(
                "session",
                "The seller's session key from the app authorization; needed to poll orders and confirm shipments.",
                true,
                false,
            ),
            credential("base_url", "The TOP gateway; defaults to https://eco.taobao.com/router/rest.", false, false),
            credential("sign_method", "md5 (default), hmac or hmac-sha256 for outbound calls.", false, false),
            credential(
                "stream_url",
                "The TMC WebSocket; defaults to ws://mc.api.taobao.com/ (sandbox: ws://mc.api.tbsandbox.com/).",
                false,
                false,
            ),
            credential(
                "tmc_group",
                "The TMC message group to consume (TMC console, user groups); defaults to `default`.",
                false,
                false,
            ),
        ],
        outbound_hosts: vec![
            "eco.taobao.com".into(),
            "gw.api.taobao.com".into(),
            "mc.api.taobao.com".into(),
            "mc.api.tbsandbox.com".into(),
        ],
        topics: topics::all(),
        statuses: status::declared(),
        limits: orderhub_adapter_kit::host_limits!(),
    }
}
