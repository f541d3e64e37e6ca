//! What the adapter declares to hosts: credentials, hosts, topics, statuses.

use crate::bindings::orderhub::adapter::types::{
    AdapterKind, AdapterLimits, AdapterMetadata, CredentialSpec, DeclaredStatus, StatusDomain,
};
use crate::status::STATES;
use crate::track::{TOPIC_PUSH, TOPIC_QUERY};

pub(crate) fn metadata() -> AdapterMetadata {
    AdapterMetadata {
        id: "kuaidi100".into(),
        kind: AdapterKind::Carrier,
        version: env!("CARGO_PKG_VERSION").into(),
        description: "Kuaidi100 (快递100) tracking: verifies and normalizes subscription pushes, \
                      polls the realtime query API, maps main and advanced tracking states."
            .into(),
        credentials: vec![
            credential(
                "salt",
                "The `salt` given in each Kuaidi100 subscription (parameters.salt); pushes are signed \
                 MD5(param + salt). Configured as the account's secrets, newest first, to rotate it.",
                true,
                true,
            ),
            credential(
                "customer",
                "The realtime query's customer id (授权码 customer), from the Kuaidi100 enterprise console.",
                false,
                false,
            ),
            credential(
                "key",
                "The realtime query's authorisation key (授权key), from the Kuaidi100 enterprise console; \
                 needed to poll.",
                true,
                false,
            ),
            credential(
                "base_url",
                "Optional replacement for https://poll.kuaidi100.com (scheme and host), e.g. a test double.",
                false,
                false,
            ),
        ],
        outbound_hosts: vec!["poll.kuaidi100.com".into()],
        topics: vec![TOPIC_PUSH.into(), TOPIC_QUERY.into()],
        statuses: STATES
            .iter()
            .map(|s| DeclaredStatus {
                domain: StatusDomain::Tracking,
                value: s.code.into(),
                description: format!("{}: {}", s.name, s.meaning),
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
    fn declares_every_state_and_the_query_host() {
        let m = metadata();
        assert_eq!(m.id, "kuaidi100");
        assert!(matches!(m.kind, AdapterKind::Carrier));
        assert_eq!(m.statuses.len(), STATES.len());
        assert!(m.statuses.iter().any(|s| s.value == "304"));
        assert_eq!(m.outbound_hosts, vec!["poll.kuaidi100.com".to_string()]);
        assert!(
            m.credentials
                .iter()
                .any(|c| c.name == "salt" && c.secret && c.required)
        );
    }
}
