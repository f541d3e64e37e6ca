//! What the adapter declares to hosts: credentials, hosts, topics, statuses.

use crate::bindings::orderhub::adapter::types::{
    AdapterKind, AdapterLimits, AdapterMetadata, CredentialSpec, DeclaredStatus, StatusDomain,
};
use crate::status::ACTION_CODES;

/// The trace push message types this adapter was written against (🟡).
pub(crate) const TOPICS: &[&str] = &[
    "CAINIAO_TRACE_PUSH",
    "LOGISTICS_TRACE_PUSH",
    "CAINIAO_GLOBAL_LOGISTICS_TRACE_PUSH",
];

pub(crate) fn metadata() -> AdapterMetadata {
    AdapterMetadata {
        id: "cainiao".into(),
        kind: AdapterKind::Carrier,
        version: env!("CARGO_PKG_VERSION").into(),
        description: "Cainiao (菜鸟) LINK: verifies data_digest on trace pushes, normalizes JSON \
                      trace messages, maps action codes, signs outbound LINK requests."
            .into(),
        credentials: vec![
            credential(
                "secret_key",
                "The LINK secret key of the partner resource (account secrets, newest first); \
                 data_digest = Base64(MD5(logistics_interface + secret_key)).",
                true,
                true,
            ),
            credential(
                "logistic_provider_id",
                "The partner's LINK resource code, sent as logistic_provider_id on outbound requests.",
                false,
                false,
            ),
            credential(
                "to_code",
                "Optional LINK to_code for outbound requests (the target resource, e.g. CNL_EU).",
                false,
                false,
            ),
        ],
        outbound_hosts: vec![
            "link.cainiao.com".into(),
            // prelink.cainiao.com (pre-release), regional gateways (de-link.…).
            "*.cainiao.com".into(),
        ],
        topics: TOPICS.iter().map(|t| t.to_string()).collect(),
        statuses: ACTION_CODES
            .iter()
            .map(|c| DeclaredStatus {
                domain: StatusDomain::Tracking,
                value: c.code.into(),
                description: c.meaning.into(),
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
    fn declares_every_action_code() {
        let m = metadata();
        assert_eq!(m.id, "cainiao");
        assert!(matches!(m.kind, AdapterKind::Carrier));
        assert_eq!(m.statuses.len(), ACTION_CODES.len());
        assert!(m.statuses.iter().any(|s| s.value == "GTMS_SIGNED"));
    }
}
