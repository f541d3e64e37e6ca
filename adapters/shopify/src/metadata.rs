//! The adapter's self-description: credentials, hosts, topics and every
//! status value the status table accepts.

use crate::bindings::orderhub::adapter::types::{
    AdapterKind, AdapterLimits, AdapterMetadata, CredentialSpec, DeclaredStatus, StatusDomain,
};
use crate::normalize::{FULFILLMENT_TOPICS, ORDER_TOPICS};
use crate::status::{FINANCIAL_STATUSES, SHIPMENT_STATUSES};

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
    let declared = |domain: StatusDomain, table: &[(&str, &str)]| {
        table
            .iter()
            .map(move |(value, description)| DeclaredStatus {
                domain,
                value: (*value).into(),
                description: (*description).into(),
            })
            .collect::<Vec<_>>()
    };
    let mut statuses = declared(StatusDomain::Payment, FINANCIAL_STATUSES);
    statuses.extend(declared(StatusDomain::Fulfillment, SHIPMENT_STATUSES));
    AdapterMetadata {
        id: "shopify".into(),
        kind: AdapterKind::Channel,
        version: env!("CARGO_PKG_VERSION").into(),
        description: "Shopify orders and fulfillments: HMAC-verified webhooks, REST Admin API 2024-04 order polling."
            .into(),
        credentials: vec![
            credential(
                "secret",
                "The app's API secret key (Partner Dashboard or the custom app's API credentials); given in the \
                 account's secrets, several while it is rotated. Verifies X-Shopify-Hmac-Sha256.",
                true,
                true,
            ),
            credential(
                "shop",
                "The shop's myshopify.com domain, e.g. jsmith.myshopify.com (the bare name is accepted).",
                false,
                true,
            ),
            credential(
                "access_token",
                "The Admin API access token of the app installation (shpat_…), with the read_orders scope.",
                true,
                true,
            ),
            credential(
                "base_url",
                "Optional origin replacing https://{shop}, e.g. a proxy; must be an allowed outbound host.",
                false,
                false,
            ),
        ],
        outbound_hosts: vec!["*.myshopify.com".into()],
        topics: ORDER_TOPICS.iter().chain(FULFILLMENT_TOPICS).map(|t| (*t).to_string()).collect(),
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
        assert_eq!(m.id, "shopify");
        assert_eq!(m.topics.len(), 8);
        assert!(
            m.credentials
                .iter()
                .any(|c| c.name == "secret" && c.secret && c.required)
        );
        assert!(
            m.credentials
                .iter()
                .any(|c| c.name == "access_token" && c.secret)
        );
        assert_eq!(
            m.statuses.len(),
            FINANCIAL_STATUSES.len() + SHIPMENT_STATUSES.len()
        );
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
