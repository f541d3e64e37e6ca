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
        id: "pinduoduo".into(),
        kind: AdapterKind::Channel,
        version: env!("CARGO_PKG_VERSION").into(),
        description: "Pinduoduo (拼多多) via the PDD open platform: message-service trade and refund messages (push stream or relay), full orders, incremental order poll, ship confirmations.".into(),
        credentials: vec![
            credential("client_id", "The PDD app's client_id (open.pinduoduo.com console, app details).", false, true),
            credential(
                "secret",
                "The PDD app's client_secret, given as the account's secrets (newest first); signs every call and every relayed message.",
                true,
                true,
            ),
            credential(
                "access_token",
                "The shop's access token from the app authorization; needed to poll orders and confirm shipments.",
                true,
                false,
            ),
            credential(
                "mall_id",
                "The shop's mall id; when set, relayed messages for another shop are refused.",
                false,
                false,
            ),
            credential("base_url", "The API gateway; defaults to https://gw-api.pinduoduo.com/api/router.", false, false),
            credential(
                "stream_url",
                "The message-service WebSocket endpoint (ws:// or wss://); defaults to wss://message-api.pinduoduo.com/message.",
                false,
                false,
            ),
        ],
        outbound_hosts: vec![
            "gw-api.pinduoduo.com".into(),
            "message-api.pinduoduo.com".into(),
        ],
        topics: topics::all(),
        statuses: status::declared(),
        limits: orderhub_adapter_kit::host_limits!(),
    }
}
