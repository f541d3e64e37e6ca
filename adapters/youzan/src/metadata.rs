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
        id: "youzan".into(),
        kind: AdapterKind::Channel,
        version: env!("CARGO_PKG_VERSION").into(),
        description: "Youzan (有赞) via Youzan Cloud: signed trade and refund pushes, incremental order poll, ship confirmations.".into(),
        credentials: vec![
            credential("client_id", "The app's client_id (Youzan Cloud console, app credentials); part of every push signature.", false, true),
            credential(
                "client_secret",
                "The app's client_secret, given as the account's secrets (newest first); signs every push.",
                true,
                true,
            ),
            credential(
                "access_token",
                "The shop's access token from the app authorization; needed to poll orders and confirm shipments.",
                true,
                false,
            ),
            credential("base_url", "The API gateway; defaults to https://open.youzanyun.com/api.", false, false),
        ],
        outbound_hosts: vec!["open.youzanyun.com".into()],
        topics: topics::all(),
        statuses: status::declared(),
        limits: orderhub_adapter_kit::host_limits!(),
    }
}
