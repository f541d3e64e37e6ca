//! What the adapter declares to hosts: credentials, hosts, topics, statuses.

use crate::bindings::orderhub::adapter::types::{
    AdapterKind, AdapterLimits, AdapterMetadata, CredentialSpec,
};
use crate::orders::TOPIC;
use crate::status;

pub(crate) fn metadata() -> AdapterMetadata {
    AdapterMetadata {
        id: "jushuitan".into(),
        kind: AdapterKind::Erp,
        version: env!("CARGO_PKG_VERSION").into(),
        description: "JuShuiTan (聚水潭) ERP: polls the order query by modification time and turns \
                      each order into an order event and, once it has a tracking number, a shipment \
                      event; maps ERP and channel order states."
            .into(),
        credentials: vec![
            credential(
                "app_secret",
                "The open-platform app_secret (开放平台 应用 app_secret) that signs every call; the \
                 account's secrets, newest first.",
                true,
                true,
            ),
            credential("app_key", "The open-platform app_key of the application.", false, true),
            credential(
                "access_token",
                "The access_token of the merchant's authorisation (getInitToken / refreshToken); \
                 refresh it outside OrderHub before it expires.",
                true,
                true,
            ),
            credential(
                "base_url",
                "Optional replacement for https://openapi.jushuitan.com, e.g. the test gateway \
                 https://dev-api.jushuitan.com or a test double.",
                false,
                false,
            ),
        ],
        outbound_hosts: vec!["openapi.jushuitan.com".into(), "dev-api.jushuitan.com".into()],
        topics: vec![TOPIC.into()],
        statuses: status::declared(),
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
    fn declares_an_erp_with_every_status() {
        let m = metadata();
        assert_eq!(m.id, "jushuitan");
        assert!(matches!(m.kind, AdapterKind::Erp));
        assert_eq!(m.statuses.len(), status::ROWS.len());
        assert!(
            m.credentials
                .iter()
                .any(|c| c.name == "app_secret" && c.secret)
        );
    }
}
