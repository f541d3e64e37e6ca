//! What the adapter declares: credentials, outbound hosts, topics, statuses.

use crate::bindings::orderhub::adapter::types::{
    AdapterKind, AdapterLimits, AdapterMetadata, CredentialSpec,
};
use crate::{api, safe_mode, status, topics};

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
        id: "wechat-channels".into(),
        kind: AdapterKind::Channel,
        version: env!("CARGO_PKG_VERSION").into(),
        description: "WeChat Channels shop (视频号小店/微信小店): signed order message pushes (plaintext, compatible and safe mode, decrypted with the EncodingAESKey), relayed /channels/ec/order/get orders, /channels/ec/order/list/get poll.".into(),
        credentials: vec![
            credential(
                "token",
                "The message push Token (消息推送 Token in the shop/mini-program console), given as the account's secrets (newest first); verifies pushes.",
                true,
                true,
            ),
            credential(
                safe_mode::AES_KEY,
                "The message push EncodingAESKey (43 characters, 消息加密密钥 in the console); needed to decrypt safe-mode (安全模式) pushes.",
                true,
                false,
            ),
            credential(
                safe_mode::PREVIOUS_AES_KEY,
                "The previous EncodingAESKey while it is being rotated; tried after encoding_aes_key.",
                true,
                false,
            ),
            credential(
                safe_mode::APP_ID,
                "The shop's (or mini program's) AppID (wx…); decrypted safe-mode messages must end with it. Needed with encoding_aes_key.",
                false,
                false,
            ),
            credential(
                "access_token",
                "The shop's current API access_token; needed to poll. Refresh it before it expires (2 hours).",
                true,
                false,
            ),
        ],
        outbound_hosts: vec![api::API_HOST.into()],
        topics: topics::all(),
        statuses: status::declared(),
        limits: orderhub_adapter_kit::host_limits!(),
    }
}
