//! What the adapter declares to hosts: credentials, hosts, topics, statuses.

use crate::bindings::orderhub::adapter::types::{
    AdapterKind, AdapterLimits, AdapterMetadata, CredentialSpec, DeclaredStatus, StatusDomain,
};
use crate::poll::TOPIC_POLL;
use crate::status::STATUSES;
use crate::webhook::{TRACKER_CREATED, TRACKER_UPDATED};

pub(crate) fn metadata() -> AdapterMetadata {
    AdapterMetadata {
        id: "easypost".into(),
        kind: AdapterKind::Carrier,
        version: env!("CARGO_PKG_VERSION").into(),
        description:
            "EasyPost trackers: verifies and normalizes tracker webhooks (X-Hmac-Signature, \
                      NFKD secret), polls GET /v2/trackers, maps status + status_detail."
                .into(),
        credentials: vec![
            credential(
                "webhook_secret",
                "The webhook's secret set when creating it (POST /v2/webhooks `webhook_secret`); \
                 configured as the account's secrets, newest first, to rotate it.",
                true,
                true,
            ),
            credential(
                "api_key",
                "An EasyPost API key (Dashboard > API Keys, production or test); needed to poll.",
                true,
                false,
            ),
            credential(
                "base_url",
                "Optional replacement for https://api.easypost.com (scheme and host), e.g. a test double.",
                false,
                false,
            ),
        ],
        outbound_hosts: vec!["api.easypost.com".into()],
        topics: vec![
            TRACKER_CREATED.into(),
            TRACKER_UPDATED.into(),
            TOPIC_POLL.into(),
        ],
        statuses: STATUSES
            .iter()
            .map(|s| DeclaredStatus {
                domain: StatusDomain::Tracking,
                value: s.value.into(),
                description: format!(
                    "{} (context status_detail: any documented detail)",
                    s.meaning
                ),
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
    fn declares_every_status_and_the_api_host() {
        let m = metadata();
        assert_eq!(m.id, "easypost");
        assert!(matches!(m.kind, AdapterKind::Carrier));
        assert_eq!(m.statuses.len(), STATUSES.len());
        assert_eq!(m.outbound_hosts, vec!["api.easypost.com".to_string()]);
        assert_eq!(m.topics.len(), 3);
    }
}
