//! K3 Cloud WebAPI's signed headers (third-party authorisation, SDK 8.2.0).
//!
//! Kingdee's official Python SDK (`k3cloud_webapi_sdk`, `WebApiClient.BuildHeader`)
//! signs every POST with headers derived from the account's AppID
//! (`<clientId>_<encoded secret>`) and AppSecret:
//!
//! - `X-Api-Signature` = `HmacSHA256("POST\n" + quote(path) with '/' as %2F +
//!   "\n\nx-api-nonce:" + nonce + "\nx-api-timestamp:" + ts + "\n", client_sec)`,
//!   where `client_sec = DecodeAppSecret(encoded)` and `ts = nonce = now` in
//!   Unix seconds;
//! - `X-Kd-Signature` = `HmacSHA256(AppID + appData, AppSecret)`, with
//!   `appData = "acctID,userName,lcid,orgNum"` (sent Base64 as `X-Kd-Appdata`).
//!
//! Kingdee's `HmacSHA256` is Base64 of the **lowercase hex text** of the
//! digest, not of the raw digest. `DecodeAppSecret` Base64-decodes the
//! 32-character secret, XORs it with the SDK's fixed key and re-encodes it.

use orderhub_adapter_kit::{KitError, http, sig};

use crate::account;
use crate::bindings::orderhub::adapter::types::{Account, Field, OutboundRequest};

/// The XOR key of `DecodeAppSecret`: the SDK's default seed after ROT13.
const SECRET_XOR_KEY: &[u8] = b"0054f397c6234378b09ca7d3e5debce7";

/// Kingdee's `HmacSHA256`: Base64 of the lowercase hex HMAC-SHA256.
pub(crate) fn hmac_sha256_b64hex(content: &str, key: &str) -> String {
    let hex = sig::hex_lower(&sig::hmac_sha256(key.as_bytes(), content.as_bytes()));
    sig::base64(hex.as_bytes())
}

/// The SDK's `DecodeAppSecret`: `None` unless the text is 32 characters of Base64.
pub(crate) fn decode_app_secret(encoded: &str) -> Option<String> {
    if encoded.len() != 32 {
        return None;
    }
    let raw = sig::base64_decode(encoded, "app_id").ok()?;
    let xored: Vec<u8> = raw
        .iter()
        .zip(SECRET_XOR_KEY.iter().cycle())
        .map(|(b, k)| b ^ k)
        .collect();
    Some(sig::base64(&xored))
}

/// The string `X-Api-Signature` signs.
pub(crate) fn api_sign_text(encoded_path: &str, nonce: &str, timestamp: &str) -> String {
    format!("POST\n{encoded_path}\n\nx-api-nonce:{nonce}\nx-api-timestamp:{timestamp}\n")
}

/// The URL's path (no scheme, host or query), percent-encoded as Python's
/// `quote(path)` with `/` then replaced by `%2F`: every byte but the RFC 3986
/// unreserved characters is encoded.
pub(crate) fn encoded_path(url: &str) -> String {
    let without_scheme = url.split_once("://").map_or(url, |(_, rest)| rest);
    let path = match without_scheme.find('/') {
        Some(i) if url.contains("://") => &without_scheme[i..],
        Some(_) => without_scheme,
        None if url.contains("://") => "/",
        None => without_scheme,
    };
    let path = path.split(['?', '#']).next().unwrap_or_default();
    http::percent_encode(path)
}

/// The account values the headers need.
struct Credentials<'a> {
    app_id: &'a str,
    client_id: &'a str,
    client_sec: String,
    app_secret: &'a str,
    app_data: String,
}

fn credentials(account: &Account) -> Result<Credentials<'_>, KitError> {
    let app_id = account::required(
        account,
        "app_id",
        "the third-party app's AppID (<clientId>_<secret>) from 第三方系统登录授权",
    )?;
    let (client_id, encoded) = match app_id.split('_').collect::<Vec<_>>()[..] {
        [id, encoded] if !id.is_empty() => (id, encoded),
        _ => {
            return Err(KitError::invalid(
                "credentials.app_id",
                "expected <clientId>_<32-character secret>, exactly one '_'",
            ));
        }
    };
    let client_sec = decode_app_secret(encoded).ok_or_else(|| {
        KitError::invalid(
            "credentials.app_id",
            "the part after '_' is not a 32-character Base64 secret",
        )
    })?;
    let app_secret = account
        .secrets
        .iter()
        .map(|s| s.trim())
        .find(|s| !s.is_empty())
        .ok_or_else(|| {
            KitError::MissingCredential(
                "app_secret: the third-party app's AppSecret (account secrets) signs X-Kd-Signature"
                    .into(),
            )
        })?;
    let acct_id = account::required(account, "acct_id", "the data centre id (账套ID)")?;
    let user_name = account::required(account, "user_name", "the integration user's name")?;
    let lcid = account::optional(account, "lcid").unwrap_or("2052");
    let org_num = account::optional(account, "org_num").unwrap_or("0");
    Ok(Credentials {
        app_id,
        client_id,
        client_sec,
        app_secret,
        app_data: format!("{acct_id},{user_name},{lcid},{org_num}"),
    })
}

/// Adds the signed headers to a draft (replacing any of the same names).
pub(crate) fn sign(
    mut request: OutboundRequest,
    account: &Account,
    now: i64,
) -> Result<OutboundRequest, KitError> {
    let c = credentials(account)?;
    let timestamp = now.div_euclid(1000).to_string();
    let nonce = timestamp.clone();
    let api_sign = api_sign_text(&encoded_path(&request.url), &nonce, &timestamp);
    let headers = [
        ("X-Api-ClientID", c.client_id.to_string()),
        ("X-Api-Auth-Version", "2.0".to_string()),
        ("x-api-timestamp", timestamp),
        ("x-api-nonce", nonce),
        (
            "x-api-signheaders",
            "x-api-timestamp,x-api-nonce".to_string(),
        ),
        (
            "X-Api-Signature",
            hmac_sha256_b64hex(&api_sign, &c.client_sec),
        ),
        ("X-Kd-Appkey", c.app_id.to_string()),
        ("X-Kd-Appdata", sig::base64(c.app_data.as_bytes())),
        (
            "X-Kd-Signature",
            hmac_sha256_b64hex(&format!("{}{}", c.app_id, c.app_data), c.app_secret),
        ),
        ("Content-Type", "application/json".to_string()),
    ];
    request
        .headers
        .retain(|h| !headers.iter().any(|(n, _)| n.eq_ignore_ascii_case(&h.name)));
    request
        .headers
        .extend(headers.into_iter().map(|(name, value)| Field {
            name: name.into(),
            value,
        }));
    request.method = "POST".into();
    Ok(request)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn golden_hmac_from_the_official_sdk() {
        assert_eq!(
            hmac_sha256_b64hex(&api_sign_text("%2Ftest", "1", "1"), "key123"),
            "MThmZGFiM2U5MGZhNmU0MDQ0MWI1NTNkNmNmMjY2MDY0YzEzZTllNTA0OTBmM2M0NDI2NzFiMTI3NTFkZmU1ZQ=="
        );
    }

    #[test]
    fn golden_decode_app_secret() {
        assert_eq!(
            decode_app_secret("YWJjZGVmZ2hpamtsbW5vcHFyc3R1dnd4").as_deref(),
            Some("UVJWUANVXl8KXFlfWV1YSBNCShcUQRNL")
        );
        assert_eq!(decode_app_secret("short"), None);
        assert_eq!(decode_app_secret("!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!"), None);
    }

    #[test]
    fn paths_are_encoded_like_python_quote() {
        assert_eq!(encoded_path("https://h/test"), "%2Ftest");
        assert_eq!(
            encoded_path(
                "https://x.ik3cloud.com/k3cloud/Kingdee.BOS.WebApi.ServicesStub.DynamicFormService.ExecuteBillQuery.common.kdsvc?a=1"
            ),
            "%2Fk3cloud%2FKingdee.BOS.WebApi.ServicesStub.DynamicFormService.ExecuteBillQuery.common.kdsvc"
        );
        assert_eq!(encoded_path("https://h"), "%2F");
        assert_eq!(encoded_path("/a b"), "%2Fa%20b");
    }

    fn account(app_id: &str) -> Account {
        let cred = |n: &str, v: &str| Field {
            name: n.into(),
            value: v.into(),
        };
        Account {
            id: "main".into(),
            secrets: vec!["appsecret".into()],
            credentials: vec![
                cred("app_id", app_id),
                cred("acct_id", "62a1"),
                cred("user_name", "api"),
            ],
        }
    }

    #[test]
    fn sign_adds_every_header() {
        let draft = OutboundRequest {
            method: "POST".into(),
            url: "https://h/test".into(),
            query: vec![],
            headers: vec![Field {
                name: "content-type".into(),
                value: "text/plain".into(),
            }],
            body: b"{}".to_vec(),
        };
        let signed = sign(
            draft,
            &account("abc_YWJjZGVmZ2hpamtsbW5vcHFyc3R1dnd4"),
            1_000,
        )
        .unwrap();
        let get = |n: &str| {
            signed
                .headers
                .iter()
                .find(|h| h.name == n)
                .map(|h| h.value.clone())
        };
        assert_eq!(get("X-Api-ClientID").as_deref(), Some("abc"));
        assert_eq!(get("x-api-timestamp").as_deref(), Some("1"));
        assert_eq!(
            get("X-Api-Signature"),
            Some(hmac_sha256_b64hex(
                &api_sign_text("%2Ftest", "1", "1"),
                "UVJWUANVXl8KXFlfWV1YSBNCShcUQRNL"
            ))
        );
        assert_eq!(get("X-Kd-Appdata"), Some(sig::base64(b"62a1,api,2052,0")));
        assert_eq!(
            signed
                .headers
                .iter()
                .filter(|h| h.name.eq_ignore_ascii_case("content-type"))
                .count(),
            1
        );
    }

    #[test]
    fn bad_app_ids_are_refused() {
        let draft = || OutboundRequest {
            method: "POST".into(),
            url: "https://h/test".into(),
            query: vec![],
            headers: vec![],
            body: vec![],
        };
        for bad in [
            "abc",
            "_YWJjZGVmZ2hpamtsbW5vcHFyc3R1dnd4",
            "a_b_c",
            "abc_short",
        ] {
            assert!(
                matches!(
                    sign(draft(), &account(bad), 0),
                    Err(KitError::InvalidField(_))
                ),
                "{bad}"
            );
        }
    }
}
