//! The adapter's self-description: its one credential, its event types and
//! every status value the status table accepts.

use crate::bindings::orderhub::adapter::types::{
    AdapterKind, AdapterLimits, AdapterMetadata, CredentialSpec, DeclaredStatus, StatusDomain,
};
use crate::normalize::TYPES;
use crate::status::{ORDER_STATUSES, PRESALE_STATUSES, REFUND_STATUSES, TRACKING_STATUSES};

/// What the host needs to know about this adapter.
pub fn metadata() -> AdapterMetadata {
    let statuses = [
        (StatusDomain::Order, ORDER_STATUSES),
        (StatusDomain::Refund, REFUND_STATUSES),
        (StatusDomain::Tracking, TRACKING_STATUSES),
        (StatusDomain::Presale, PRESALE_STATUSES),
    ]
    .into_iter()
    .flat_map(|(domain, table)| {
        table
            .iter()
            .map(move |(value, description)| DeclaredStatus {
                domain,
                value: (*value).into(),
                description: (*description).into(),
            })
    })
    .collect();
    AdapterMetadata {
        id: "generic".into(),
        kind: AdapterKind::Channel,
        version: env!("CARGO_PKG_VERSION").into(),
        description: "Sellers' own systems (mini-program backends, in-house ERPs) pushing OrderHub's \
                      canonical JSON, signed per Standard Webhooks."
            .into(),
        credentials: vec![CredentialSpec {
            name: "secret".into(),
            description: "The Standard Webhooks signing secret shared with the seller's system: whsec_ \
                          followed by the base64 of 24 to 64 random bytes. Given in the account's secrets, \
                          newest first, several while rotating. Verifies webhook-signature and signs callbacks."
                .into(),
            secret: true,
            required: true,
        }],
        // Push only: the adapter never asks the host to call anywhere. `sign`
        // only adds headers to callbacks whose destination the host chose.
        outbound_hosts: vec![],
        topics: TYPES.iter().map(|t| (*t).to_string()).collect(),
        statuses,
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
        assert_eq!(m.id, "generic");
        assert_eq!(m.topics, TYPES);
        assert!(m.credentials.iter().all(|c| c.secret && c.required));
        assert_eq!(m.statuses.len(), 11 + 5 + 11 + 1);
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
