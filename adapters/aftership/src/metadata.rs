//! What the adapter declares to hosts: credentials, hosts, topics, statuses.

use crate::bindings::orderhub::adapter::types::{
    AdapterKind, AdapterLimits, AdapterMetadata, CredentialSpec, DeclaredStatus, StatusDomain,
};
use crate::poll::TOPIC_POLL;
use crate::status::TAGS;
use crate::webhook::{EDD_REVISE, TRACKING_UPDATE};

pub(crate) fn metadata() -> AdapterMetadata {
    AdapterMetadata {
        id: "aftership".into(),
        kind: AdapterKind::Carrier,
        version: env!("CARGO_PKG_VERSION").into(),
        description: "AfterShip Tracking: verifies and normalizes tracking webhooks \
                      (aftership-hmac-sha256), polls GET /tracking/2025-01/trackings, maps tags and subtags."
            .into(),
        credentials: vec![
            credential(
                "webhook_secret",
                "The webhook secret (Admin > Settings > Webhooks); configured as the account's \
                 secrets, newest first, to rotate it.",
                true,
                true,
            ),
            credential(
                "api_key",
                "An AfterShip API key (Admin > Settings > API keys), sent as `as-api-key`; needed to poll.",
                true,
                false,
            ),
            credential(
                "base_url",
                "Optional replacement for https://api.aftership.com (scheme and host), e.g. a test double.",
                false,
                false,
            ),
        ],
        outbound_hosts: vec!["api.aftership.com".into()],
        topics: vec![TRACKING_UPDATE.into(), EDD_REVISE.into(), TOPIC_POLL.into()],
        statuses: TAGS
            .iter()
            .map(|t| DeclaredStatus {
                domain: StatusDomain::Tracking,
                value: t.value.into(),
                description: format!("{} (context subtag: any documented {}_NNN)", t.meaning, t.value),
            })
            .collect(),
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn declares_every_tag_and_the_api_host() {
        let m = metadata();
        assert_eq!(m.id, "aftership");
        assert!(matches!(m.kind, AdapterKind::Carrier));
        assert_eq!(m.statuses.len(), 9);
        assert_eq!(m.outbound_hosts, vec!["api.aftership.com".to_string()]);
    }
}
