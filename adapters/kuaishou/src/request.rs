//! Signing an outbound call to the Kuaishou open platform.
//!
//! A call names its API in `method` (`open.order.cursor.list`) and its
//! business parameters as one JSON text in `param`; the adapter adds the
//! system parameters (`appkey`, `access_token`, `timestamp` in ms,
//! `version=1`, `signMethod`) and the `sign`. The URL path is the method
//! with dots turned into slashes (`/open/order/cursor/list`) under the
//! gateway (`https://openapi.kwaixiaodian.com`, or the `base_url` credential).

use orderhub_adapter_kit::{KitError, http};

use crate::bindings::orderhub::adapter::types::{Account, Field, OutboundRequest};
use crate::credentials;
use crate::sign::{self, SignInput, SignMethod};

/// The production gateway.
pub const DEFAULT_BASE_URL: &str = "https://openapi.kwaixiaodian.com";

/// The parameters the adapter owns; any value a draft brings is replaced.
const SYSTEM: [&str; 7] = [
    "method",
    "param",
    "appkey",
    "access_token",
    "timestamp",
    "version",
    "sign",
];

fn field(name: &str, value: &str) -> Field {
    Field {
        name: name.into(),
        value: value.into(),
    }
}

/// The URL of an API method under the configured gateway.
pub fn method_url(account: &Account, method: &str) -> Result<String, KitError> {
    let base = http::base_url(
        credentials::optional(account, "base_url"),
        DEFAULT_BASE_URL,
        "credential base_url",
    )?;
    Ok(format!(
        "{}/{}",
        base.trim_end_matches('/'),
        method.replace('.', "/")
    ))
}

/// Adds the system parameters and the signature to a draft whose query
/// holds `method` and (optionally, default `{}`) `param`.
pub fn sign(
    mut request: OutboundRequest,
    account: &Account,
    now: i64,
) -> Result<OutboundRequest, KitError> {
    let lookup = |name: &str| {
        http::named_value(request.query.iter().map(|f| (&f.name, &f.value)), name)
            .map(str::to_string)
    };
    let method = lookup("method").ok_or_else(|| KitError::MissingField("query.method".into()))?;
    let param = lookup("param").unwrap_or_else(|| "{}".into());
    let sign_method = match lookup("signMethod")
        .or_else(|| credentials::optional(account, "sign_method").map(str::to_string))
    {
        Some(text) => SignMethod::parse(&text, "signMethod")?,
        None => SignMethod::Md5,
    };
    let app_key = credentials::required(account, "app_key")?;
    let access_token = credentials::required(account, "access_token")?;
    let sign_secret = credentials::required(account, "sign_secret")?;
    let input = SignInput {
        access_token,
        app_key,
        method: &method,
        param: &param,
        sign_method,
        timestamp_ms: now,
    };
    let signature = sign::sign(&input, sign_secret);
    request
        .query
        .retain(|f| !SYSTEM.contains(&f.name.as_str()) && f.name != "signMethod");
    let mut query = vec![
        field("method", &method),
        field("param", &param),
        field("appkey", app_key),
        field("access_token", access_token),
        field("timestamp", &now.to_string()),
        field("version", "1"),
        field("signMethod", sign_method.name()),
        field("sign", &signature),
    ];
    query.append(&mut request.query);
    request.query = query;
    if request.url.trim().is_empty() {
        request.url = method_url(account, &method)?;
    }
    Ok(request)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn account() -> Account {
        Account {
            id: "shop".into(),
            secrets: vec![],
            credentials: vec![
                field("app_key", "ks660340295617067960"),
                field("access_token", "ChFvYXV0aC5hY2Nlc3NUb2tlbg"),
                field("sign_secret", "sandbox-sign-secret"),
            ],
        }
    }

    #[test]
    fn fills_system_parameters_and_signs() {
        let draft = OutboundRequest {
            method: "POST".into(),
            url: String::new(),
            query: vec![
                field("method", "open.order.cursor.list"),
                field(
                    "param",
                    r#"{"queryType":2,"beginTime":1711843200000,"endTime":1711929600000,"pageSize":50,"cursor":""}"#,
                ),
            ],
            headers: vec![],
            body: vec![],
        };
        let signed = sign(draft, &account(), 1_711_929_600_000).unwrap();
        assert_eq!(
            signed.url,
            "https://openapi.kwaixiaodian.com/open/order/cursor/list"
        );
        let get = |n: &str| {
            signed
                .query
                .iter()
                .find(|f| f.name == n)
                .map(|f| f.value.as_str())
        };
        // Same digest as the hand-computed one in `sign`.
        assert_eq!(get("sign"), Some("fba968545c9d05df3705d0527e79fee7"));
        assert_eq!(get("signMethod"), Some("MD5"));
        assert_eq!(get("timestamp"), Some("1711929600000"));
    }

    #[test]
    fn missing_sign_secret_is_named() {
        let mut account = account();
        account.credentials.retain(|f| f.name != "sign_secret");
        let draft = OutboundRequest {
            method: "POST".into(),
            url: String::new(),
            query: vec![field("method", "open.order.detail")],
            headers: vec![],
            body: vec![],
        };
        assert!(matches!(
            sign(draft, &account, 0),
            Err(KitError::MissingCredential(m)) if m.contains("sign_secret")
        ));
    }
}
