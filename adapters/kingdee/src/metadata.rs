//! What the adapter declares to hosts: credentials, hosts, topics, statuses.

use crate::bill::FORM_ID;
use crate::bindings::orderhub::adapter::types::{
    AdapterKind, AdapterLimits, AdapterMetadata, CredentialSpec, DeclaredStatus, StatusDomain,
};
use crate::status::DOCUMENT_STATUSES;

pub(crate) fn metadata() -> AdapterMetadata {
    AdapterMetadata {
        id: "kingdee".into(),
        kind: AdapterKind::Erp,
        version: env!("CARGO_PKG_VERSION").into(),
        description: "Kingdee K3 Cloud (金蝶云星空) WebAPI: polls audited sales outbound bills \
                      (SAL_OUTSTOCK) into shipment events, signs requests with the SDK 8.2 headers."
            .into(),
        credentials: vec![
            credential(
                "app_secret",
                "The third-party app's AppSecret (account secrets, newest first); signs X-Kd-Signature.",
                true,
                true,
            ),
            credential(
                "app_id",
                "The third-party app's AppID, <clientId>_<32-character secret>, from 第三方系统登录授权.",
                true,
                true,
            ),
            credential(
                "acct_id",
                "The data centre (账套) id the app is authorised for.",
                false,
                true,
            ),
            credential("user_name", "The integration user's name.", false, true),
            credential(
                "lcid",
                "Language id, default 2052 (Simplified Chinese).",
                false,
                false,
            ),
            credential(
                "org_num",
                "Organisation number sent in X-Kd-Appdata, default 0.",
                false,
                false,
            ),
            credential(
                "base_url",
                "The K3 Cloud server URL the services hang under, e.g. https://<tenant>.ik3cloud.com/k3cloud.",
                false,
                true,
            ),
            credential(
                "time_zone",
                "The server's time zone (+08:00 by default); K3 Cloud datetimes carry no offset.",
                false,
                false,
            ),
        ],
        outbound_hosts: vec!["*.ik3cloud.com".into(), "*.kingdee.com".into()],
        topics: vec![FORM_ID.into()],
        statuses: DOCUMENT_STATUSES
            .iter()
            .map(|s| DeclaredStatus {
                domain: StatusDomain::Fulfillment,
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
    fn declares_an_erp_with_every_document_status() {
        let m = metadata();
        assert_eq!(m.id, "kingdee");
        assert!(matches!(m.kind, AdapterKind::Erp));
        assert_eq!(m.statuses.len(), 5);
        assert_eq!(m.topics, vec!["SAL_OUTSTOCK".to_string()]);
    }
}
