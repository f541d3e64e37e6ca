//! What the adapter declares to hosts: credentials, hosts, topics, statuses.

use crate::bindings::orderhub::adapter::types::{
    AdapterKind, AdapterLimits, AdapterMetadata, CredentialSpec, DeclaredStatus, StatusDomain,
};
use crate::poll::TOPIC_QUERY;
use crate::push::TOPIC_PUSH;
use crate::status::{OP_CODES, SECONDARY_CODES};

pub(crate) fn metadata() -> AdapterMetadata {
    let declare = |field: &str, table: &[crate::status::Code]| {
        table
            .iter()
            .map(|c| DeclaredStatus {
                domain: StatusDomain::Tracking,
                value: c.code.into(),
                description: format!("{field} {}: {} ({})", c.code, c.name, c.evidence),
            })
            .collect::<Vec<_>>()
    };
    let mut statuses = declare("secondaryStatusCode", SECONDARY_CODES);
    statuses.extend(declare("opCode", OP_CODES));
    AdapterMetadata {
        id: "sf-express".into(),
        kind: AdapterKind::Carrier,
        version: env!("CARGO_PKG_VERSION").into(),
        description:
            "SF Express (顺丰): authenticates and normalizes route pushes, polls the route \
                      query (EXP_RECE_SEARCH_ROUTES), maps secondary status codes and opCodes."
                .into(),
        credentials: vec![
            credential(
                "token",
                "A random secret token; the route push URL configured at SF is \
                 /webhooks/sf-express/<account>?token=<token>. Configured as the account's secrets, \
                 newest first, to rotate it.",
                true,
                true,
            ),
            credential(
                "partner_id",
                "SF's partnerID (顾客编码), from the SF open platform console; needed to poll.",
                false,
                false,
            ),
            credential(
                "check_word",
                "SF's checkWord (校验码), from the SF open platform console; signs queries and \
                 verifies pushes that carry msgDigest.",
                true,
                false,
            ),
            credential(
                "check_word_old",
                "The previous checkWord while SF rotates it; also accepted on signed pushes.",
                true,
                false,
            ),
            credential(
                "base_url",
                "Optional replacement for https://sfapi.sf-express.com (scheme and host), e.g. the \
                 sandbox https://sfapi-sbox.sf-express.com.",
                false,
                false,
            ),
        ],
        outbound_hosts: vec![
            "sfapi.sf-express.com".into(),
            "sfapi-sbox.sf-express.com".into(),
        ],
        topics: vec![TOPIC_PUSH.into(), TOPIC_QUERY.into()],
        statuses,
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
    fn declares_both_tables_and_the_gateway_hosts() {
        let m = metadata();
        assert_eq!(m.id, "sf-express");
        assert!(matches!(m.kind, AdapterKind::Carrier));
        assert_eq!(m.statuses.len(), SECONDARY_CODES.len() + OP_CODES.len());
        assert!(
            m.outbound_hosts
                .contains(&"sfapi.sf-express.com".to_string())
        );
        assert!(
            m.credentials
                .iter()
                .any(|c| c.name == "token" && c.secret && c.required)
        );
    }
}
