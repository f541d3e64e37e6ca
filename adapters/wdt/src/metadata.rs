//! What the adapter declares to hosts: credentials, hosts, topics, statuses.

use crate::bindings::orderhub::adapter::types::{
    AdapterKind, AdapterLimits, AdapterMetadata, CredentialSpec, DeclaredStatus,
};
use crate::status::STATUSES;
use crate::trade::TOPIC;

pub(crate) fn metadata() -> AdapterMetadata {
    AdapterMetadata {
        id: "wdt".into(),
        kind: AdapterKind::Erp,
        version: env!("CARGO_PKG_VERSION").into(),
        description: "旺店通 WDT 企业版 ERP: polls shipped system orders (trade_query.php) into \
                      shipment events with shop order, warehouse and lines; signs calls."
            .into(),
        credentials: vec![
            credential(
                "appsecret",
                "The interface secret (account secrets, newest first); signs every call.",
                true,
                true,
            ),
            credential(
                "sid",
                "The seller account (卖家账号) WDT assigned to the ERP buyer.",
                false,
                true,
            ),
            credential(
                "appkey",
                "The interface account (接口账号) from the open platform.",
                false,
                true,
            ),
            credential(
                "shop_no",
                "Optional shop number (店铺编号) to poll only that shop's orders.",
                false,
                false,
            ),
            credential(
                "base_url",
                "Optional replacement for https://openapi.huice.com/openapi (e.g. the test \
                 environment https://openapi.ali.huice.cc/openapi or https://api.wangdian.cn/openapi2).",
                false,
                false,
            ),
        ],
        outbound_hosts: vec![
            "openapi.huice.com".into(),
            "openapi.ali.huice.cc".into(),
            "api.wangdian.cn".into(),
        ],
        topics: vec![TOPIC.into()],
        statuses: STATUSES
            .iter()
            .map(|s| DeclaredStatus {
                domain: s.domain,
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
    fn declares_every_status() {
        let m = metadata();
        assert_eq!(m.id, "wdt");
        assert!(matches!(m.kind, AdapterKind::Erp));
        assert_eq!(m.statuses.len(), STATUSES.len());
    }
}
