//! The v2 API signature of shop-level calls.
//!
//! Every shop-level call carries `partner_id`, `timestamp` (Unix seconds,
//! valid five minutes), `access_token`, `shop_id` and `sign` in its query,
//! where `sign` is the lower-case hex HMAC-SHA256, keyed with the partner
//! key, of `partner_id + api_path + timestamp + access_token + shop_id`. The
//! body (JSON for POST calls) is not signed.

use orderhub_adapter_kit::{KitError, sig};

use crate::api::{self, field};
use crate::bindings::orderhub::adapter::types::{Account, OutboundRequest};

/// The query parameters the signature owns; a draft's own values for them
/// are replaced.
const COMMON: [&str; 5] = ["partner_id", "timestamp", "access_token", "shop_id", "sign"];

/// The string a shop-level call signs.
pub fn base_string(
    partner_id: &str,
    path: &str,
    timestamp: i64,
    access_token: &str,
    shop_id: &str,
) -> String {
    format!("{partner_id}{path}{timestamp}{access_token}{shop_id}")
}

/// Lower-case hex HMAC-SHA256 of `base` keyed with the partner key.
pub fn digest(partner_key: &str, base: &str) -> String {
    sig::hex_lower(&sig::hmac_sha256(partner_key.as_bytes(), base.as_bytes()))
}

/// The partner key that signs outbound calls: the newest of the secrets.
pub fn partner_key(account: &Account) -> Result<&str, KitError> {
    account
        .secrets
        .first()
        .map(String::as_str)
        .filter(|s| !s.is_empty())
        .ok_or_else(|| {
            KitError::MissingCredential(
                "partner_key: the partner key (account secrets) is not configured".into(),
            )
        })
}

/// The API path of an absolute URL: what follows the host, without a query.
fn api_path(url: &str) -> Result<&str, KitError> {
    let rest = url
        .split_once("://")
        .map(|(_, rest)| rest)
        .ok_or_else(|| KitError::invalid("url", format_args!("{url:?} is not absolute")))?;
    let path = rest.find('/').map(|at| &rest[at..]).unwrap_or_default();
    let path = path.split(['?', '#']).next().unwrap_or_default();
    if path.is_empty() || path == "/" {
        return Err(KitError::invalid(
            "url",
            format_args!("{url:?} has no API path (e.g. /api/v2/order/get_order_list)"),
        ));
    }
    Ok(path)
}

/// Signs a draft as a shop-level call: the common parameters are set from
/// the account (`partner_id`, `access_token`, `shop_id` credentials, the
/// partner key) and `now`, after the draft's own parameters.
pub fn sign(
    mut request: OutboundRequest,
    account: &Account,
    now: i64,
) -> Result<OutboundRequest, KitError> {
    let key = partner_key(account)?;
    let partner_id = api::required(account, "partner_id", "the partner id")?;
    let access_token = api::required(account, "access_token", "the shop's access token")?;
    let shop_id = api::required(account, "shop_id", "the shop id")?;
    let path = api_path(&request.url)?.to_string();
    let timestamp = now.div_euclid(1000);
    let sign = digest(
        key,
        &base_string(partner_id, &path, timestamp, access_token, shop_id),
    );
    request.query.retain(|f| !COMMON.contains(&f.name.as_str()));
    let timestamp = timestamp.to_string();
    request.query.extend([
        field("partner_id", partner_id),
        field("timestamp", &timestamp),
        field("access_token", access_token),
        field("shop_id", shop_id),
        field("sign", &sign),
    ]);
    Ok(request)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The values of the platform's published example (its partner key is
    /// not published, so only the base string can be checked against it).
    const DOC_BASE: &str =
        "2001887/api/v2/shop/get_shop_info165571443159777174636562737266615546704c6d14701711";

    fn account() -> Account {
        Account {
            id: "shop".into(),
            secrets: vec!["sandbox-partner-key-0001".into()],
            credentials: vec![
                field("partner_id", "2001887"),
                field("access_token", "59777174636562737266615546704c6d"),
                field("shop_id", "14701711"),
            ],
        }
    }

    #[test]
    fn base_string_matches_the_published_example() {
        assert_eq!(
            base_string(
                "2001887",
                "/api/v2/shop/get_shop_info",
                1_655_714_431,
                "59777174636562737266615546704c6d",
                "14701711"
            ),
            DOC_BASE
        );
    }

    #[test]
    fn digest_matches_an_independent_computation() {
        // python3: hmac.new(b"sandbox-partner-key-0001", DOC_BASE.encode(), hashlib.sha256).hexdigest()
        assert_eq!(
            digest("sandbox-partner-key-0001", DOC_BASE),
            "eebe9aceb22060ffc136cd0bfc7c085ce90f6da34160d5cf8e47aee132e542b7"
        );
    }

    #[test]
    fn sign_sets_the_common_parameters() {
        let draft = OutboundRequest {
            method: "GET".into(),
            url: "https://partner.shopeemobile.com/api/v2/shop/get_shop_info".into(),
            query: vec![field("sign", "old"), field("x", "1")],
            headers: vec![],
            body: vec![],
        };
        let signed = sign(draft, &account(), 1_655_714_431_999).unwrap();
        let names: Vec<_> = signed.query.iter().map(|f| f.name.as_str()).collect();
        assert_eq!(
            names,
            [
                "x",
                "partner_id",
                "timestamp",
                "access_token",
                "shop_id",
                "sign"
            ]
        );
        assert_eq!(signed.query[2].value, "1655714431");
        assert_eq!(
            signed.query[5].value,
            digest("sandbox-partner-key-0001", DOC_BASE)
        );
    }

    #[test]
    fn missing_values_are_named() {
        let mut no_token = account();
        no_token.credentials.retain(|f| f.name != "access_token");
        let draft = OutboundRequest {
            method: "GET".into(),
            url: "https://partner.shopeemobile.com/api/v2/shop/get_shop_info".into(),
            query: vec![],
            headers: vec![],
            body: vec![],
        };
        assert!(
            matches!(sign(draft.clone(), &no_token, 0), Err(KitError::MissingCredential(m)) if m.starts_with("access_token"))
        );
        let bad = OutboundRequest {
            url: "partner.shopeemobile.com".into(),
            ..draft
        };
        assert!(matches!(
            sign(bad, &account(), 0),
            Err(KitError::InvalidField(_))
        ));
    }
}
