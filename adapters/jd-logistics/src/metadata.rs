//! What the adapter declares to hosts: credentials, hosts, topics, statuses.

use crate::bindings::orderhub::adapter::types::{
    AdapterKind, AdapterLimits, AdapterMetadata, CredentialSpec, DeclaredStatus, StatusDomain,
};
use crate::status::CATEGORIES;
use crate::trace::TOPIC_QUERY;

pub(crate) fn metadata() -> AdapterMetadata {
    AdapterMetadata {
        id: "jd-logistics".into(),
        kind: AdapterKind::Carrier,
        version: env!("CARGO_PKG_VERSION").into(),
        description: "JD Logistics (京东物流) open platform: polls the ECAP trace query with LOP \
                      md5-salt signing and maps trace categories; poll-only (no documented push)."
            .into(),
        credentials: vec![
            credential(
                "app_secret",
                "The LOP application's AppSecret, from the JD Logistics open platform console \
                 (open.jdl.com); configured as the account's secrets, newest first.",
                true,
                true,
            ),
            credential(
                "app_key",
                "The LOP application's AppKey, from the same console.",
                false,
                true,
            ),
            credential(
                "access_token",
                "The OAuth access token the merchant granted the application (renew it before it expires).",
                true,
                true,
            ),
            credential(
                "customer_code",
                "The merchant's JD customer code (商家编码), required by b2c trace queries \
                 unless the cursor carries customerCode.",
                false,
                false,
            ),
            credential(
                "base_url",
                "Optional replacement for https://api.jdl.com (scheme and host), e.g. UAT \
                 https://uat-api.jdl.com.",
                false,
                false,
            ),
        ],
        outbound_hosts: vec!["api.jdl.com".into(), "uat-api.jdl.com".into()],
        topics: vec![TOPIC_QUERY.into()],
        statuses: CATEGORIES
            .iter()
            .map(|c| DeclaredStatus {
                domain: StatusDomain::Tracking,
                value: c.name.into(),
                description: format!("{}: {} (🧭 unverified)", c.name, c.meaning),
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
    fn declares_every_category_and_the_api_hosts() {
        let m = metadata();
        assert_eq!(m.id, "jd-logistics");
        assert_eq!(m.statuses.len(), CATEGORIES.len());
        assert_eq!(m.outbound_hosts[0], "api.jdl.com");
        assert!(
            m.credentials
                .iter()
                .any(|c| c.name == "app_secret" && c.secret && c.required)
        );
    }
}
