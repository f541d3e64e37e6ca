//! The adapter's self-description: credentials, hosts, topics and every
//! status value the status table accepts.
//!
//! Each WooCommerce store runs on its own domain, so no fixed host list can
//! name it: the adapter declares `*` and only ever addresses the account's
//! `base_url` ([`crate::store`] refuses to sign anything else). A host that
//! allow-lists outbound calls should pin each account to its `base_url` host.

use crate::bindings::orderhub::adapter::types::{
    AdapterKind, AdapterLimits, AdapterMetadata, CredentialSpec, DeclaredStatus, StatusDomain,
};
use crate::normalize::TOPICS;
use crate::status::ORDER_STATUSES;

fn credential(name: &str, description: &str, secret: bool, required: bool) -> CredentialSpec {
    CredentialSpec {
        name: name.into(),
        description: description.into(),
        secret,
        required,
    }
}

/// What the host needs to know about this adapter.
pub fn metadata() -> AdapterMetadata {
    AdapterMetadata {
        id: "woocommerce".into(),
        kind: AdapterKind::Channel,
        version: env!("CARGO_PKG_VERSION").into(),
        description: "WooCommerce orders: HMAC-verified webhooks, REST API v3 order polling and \
                      ship confirmations (Basic auth over HTTPS, OAuth 1.0a over HTTP)."
            .into(),
        credentials: vec![
            credential(
                "secret",
                "The webhook's secret (WooCommerce → Settings → Advanced → Webhooks), as typed; \
                 given in the account's secrets, several while it is changed. Verifies \
                 X-WC-Webhook-Signature.",
                true,
                true,
            ),
            credential(
                "base_url",
                "The store's WordPress home URL, e.g. https://example.com (with the sub-folder \
                 if WordPress lives in one). https uses Basic auth, http OAuth 1.0a.",
                false,
                true,
            ),
            credential(
                "consumer_key",
                "The REST API key's consumer key (ck_…), WooCommerce → Settings → Advanced → \
                 REST API; Read access polls, Read/Write also confirms shipments.",
                true,
                true,
            ),
            credential(
                "consumer_secret",
                "The REST API key's consumer secret (cs_…), shown once with the consumer key.",
                true,
                true,
            ),
        ],
        outbound_hosts: vec!["*".into()],
        topics: TOPICS.iter().map(|t| (*t).to_string()).collect(),
        statuses: ORDER_STATUSES
            .iter()
            .map(|(value, description)| DeclaredStatus {
                domain: StatusDomain::Order,
                value: (*value).into(),
                description: (*description).into(),
            })
            .collect(),
        limits: orderhub_adapter_kit::host_limits!(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bindings::orderhub::adapter::types::PlatformStatus;

    #[test]
    fn describes_the_adapter_and_every_declared_status_maps() {
        let m = metadata();
        assert_eq!(m.id, "woocommerce");
        assert_eq!(
            m.topics,
            [
                "order.created",
                "order.updated",
                "order.deleted",
                "order.restored"
            ]
        );
        for name in ["secret", "consumer_key", "consumer_secret"] {
            assert!(
                m.credentials.iter().any(|c| c.name == name && c.secret),
                "{name}"
            );
        }
        assert!(
            m.credentials
                .iter()
                .any(|c| c.name == "base_url" && !c.secret && c.required)
        );
        assert_eq!(m.statuses.len(), 13);
        for declared in m.statuses {
            let status = PlatformStatus {
                domain: declared.domain,
                value: declared.value.clone(),
                context: vec![],
            };
            assert!(crate::status::map(&status).is_ok(), "{}", declared.value);
        }
    }
}
