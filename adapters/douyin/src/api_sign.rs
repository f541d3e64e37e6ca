//! The Douyin shop open API signature and the signed request shape.
//!
//! Every call is `POST {base}/{a}/{b}` with a JSON body (`param_json`) and the
//! query `app_key, method, v, timestamp, sign_method, sign, access_token`.
//! The signature is the official SDKs' rule:
//! `plain = secret + "app_key"+app_key + "method"+method + "param_json"+json
//! + "timestamp"+ts + "v"+"2" + secret`, and `sign` is lower-hex
//! HMAC-SHA256(secret, plain) (`sign_method=hmac-sha256`, the default) or
//! lower-hex md5(plain) (`sign_method=md5`). `method` is the URL path with `/`
//! turned into `.`; `param_json` is the body with object keys sorted, so the
//! body is re-serialised in that form and sent exactly as signed.
//! `access_token` travels in the query but is not signed.

use orderhub_adapter_kit::{KitError, http, sig};
use serde_json::{Map, Value};

use crate::bindings::orderhub::adapter::types::{Account, Field, OutboundRequest};

/// The production gateway.
pub const DEFAULT_BASE_URL: &str = "https://openapi-fxg.jinritemai.com";

/// A credential value, trimmed, when configured.
pub fn credential<'a>(account: &'a Account, name: &str) -> Option<&'a str> {
    http::named_value(
        account.credentials.iter().map(|f| (&f.name, &f.value)),
        name,
    )
    .map(str::trim)
    .filter(|v| !v.is_empty())
}

/// A credential that must be configured.
pub fn required_credential<'a>(account: &'a Account, name: &str) -> Result<&'a str, KitError> {
    credential(account, name)
        .ok_or_else(|| KitError::MissingCredential(format!("credential {name} is not configured")))
}

/// The newest signing secret.
pub fn newest_secret(account: &Account) -> Result<&str, KitError> {
    account
        .secrets
        .iter()
        .map(|s| s.as_str())
        .find(|s| !s.is_empty())
        .ok_or_else(|| {
            KitError::MissingCredential("the app_secret (account secrets) is empty".into())
        })
}

/// Recursively orders object keys, as the SDKs' `param_json` does.
fn sorted(value: &Value) -> Value {
    match value {
        Value::Object(map) => {
            let mut keys: Vec<&String> = map.keys().collect();
            keys.sort();
            let mut out = Map::new();
            for key in keys {
                if let Some(v) = map.get(key) {
                    out.insert(key.clone(), sorted(v));
                }
            }
            Value::Object(out)
        }
        Value::Array(items) => Value::Array(items.iter().map(sorted).collect()),
        other => other.clone(),
    }
}

/// `param_json`: the body JSON with sorted keys (`{}` for an empty body).
pub fn param_json(body: &[u8]) -> Result<String, KitError> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok("{}".into());
    }
    let value: Value = serde_json::from_slice(body)
        .map_err(|e| KitError::invalid("body", format_args!("param_json is not JSON: {e}")))?;
    if !value.is_object() {
        return Err(KitError::invalid(
            "body",
            "param_json must be a JSON object",
        ));
    }
    Ok(sorted(&value).to_string())
}

/// The API method named by a URL: `https://h/order/searchList` → `order.searchList`.
pub fn method_of(url: &str) -> Result<String, KitError> {
    let after_scheme = url.split_once("://").map_or(url, |(_, rest)| rest);
    let path = after_scheme
        .split_once('/')
        .map(|(_, p)| p)
        .unwrap_or_default();
    let path = path.split(['?', '#']).next().unwrap_or_default();
    let method = path.trim_matches('/').replace('/', ".");
    if method.is_empty() {
        return Err(KitError::invalid(
            "url",
            "the URL has no API path (e.g. /order/searchList)",
        ));
    }
    Ok(method)
}

/// The string both signature methods digest.
pub fn plain(
    secret: &str,
    app_key: &str,
    method: &str,
    param_json: &str,
    timestamp: &str,
) -> String {
    format!(
        "{secret}app_key{app_key}method{method}param_json{param_json}timestamp{timestamp}v2{secret}"
    )
}

/// The lower-hex signature of `plain` with the given method.
pub fn digest(sign_method: &str, secret: &str, plain: &str) -> Result<String, KitError> {
    match sign_method {
        "hmac-sha256" => Ok(sig::hex_lower(&sig::hmac_sha256(
            secret.as_bytes(),
            plain.as_bytes(),
        ))),
        "md5" => Ok(sig::hex_lower(&sig::md5(plain.as_bytes()))),
        other => Err(KitError::invalid(
            "sign_method",
            format_args!("{other:?} is not hmac-sha256 or md5"),
        )),
    }
}

fn field(name: &str, value: impl Into<String>) -> Field {
    Field {
        name: name.into(),
        value: value.into(),
    }
}

/// Signs a draft request: canonical body, system query parameters, `sign`.
/// Query fields the draft already has (other than the system ones) are kept.
pub fn sign(
    request: OutboundRequest,
    account: &Account,
    now_ms: i64,
) -> Result<OutboundRequest, KitError> {
    let app_key = required_credential(account, "app_key")?;
    let secret = newest_secret(account)?;
    let sign_method = credential(account, "sign_method").unwrap_or("hmac-sha256");
    let method = method_of(&request.url)?;
    let json = param_json(&request.body)?;
    let timestamp = now_ms.div_euclid(1000).to_string();
    let sign = digest(
        sign_method,
        secret,
        &plain(secret, app_key, &method, &json, &timestamp),
    )?;

    const SYSTEM: [&str; 7] = [
        "app_key",
        "method",
        "v",
        "timestamp",
        "sign_method",
        "sign",
        "access_token",
    ];
    let mut query = vec![
        field("app_key", app_key),
        field("method", method),
        field("v", "2"),
        field("timestamp", timestamp),
        field("sign_method", sign_method),
        field("sign", sign),
    ];
    if let Some(token) = credential(account, "access_token") {
        query.push(field("access_token", token));
    }
    query.extend(
        request
            .query
            .into_iter()
            .filter(|f| !SYSTEM.contains(&f.name.as_str())),
    );
    let mut headers: Vec<Field> = request
        .headers
        .into_iter()
        .filter(|h| !h.name.eq_ignore_ascii_case("content-type"))
        .collect();
    headers.push(field("Content-Type", "application/json;charset=UTF-8"));
    Ok(OutboundRequest {
        method: "POST".into(),
        url: request.url,
        query,
        headers,
        body: json.into_bytes(),
    })
}

/// A signed call of `path` (e.g. `/order/searchList`) with `params`.
pub fn call(
    path: &str,
    params: &Value,
    account: &Account,
    now_ms: i64,
) -> Result<OutboundRequest, KitError> {
    let base = http::base_url(
        credential(account, "base_url"),
        DEFAULT_BASE_URL,
        "base_url",
    )?;
    let draft = OutboundRequest {
        method: "POST".into(),
        url: format!("{}{path}", base.trim_end_matches('/')),
        query: vec![],
        headers: vec![],
        body: params.to_string().into_bytes(),
    };
    sign(draft, account, now_ms)
}

#[cfg(test)]
mod tests {
    use super::*;

    // No published Douyin vector exists; these digests were computed
    // independently with Python's hmac/hashlib over the same plain string
    // (fixtures/douyin/generate.py, case sign-hmac-sha256).
    const PLAIN: &str = "sandbox-app-secret-0001app_key7000000000000000001methodorder.searchListparam_json{\"order_by\":\"update_time\",\"page\":0,\"size\":100,\"update_time_end\":1711930800,\"update_time_start\":1711929000}timestamp1711933200v2sandbox-app-secret-0001";

    #[test]
    fn plain_string_follows_the_sdk_rule() {
        let json = param_json(br#"{"update_time_start":1711929000,"size":100,"page":0,"update_time_end":1711930800,"order_by":"update_time"}"#).unwrap();
        let built = plain(
            "sandbox-app-secret-0001",
            "7000000000000000001",
            "order.searchList",
            &json,
            "1711933200",
        );
        assert_eq!(built, PLAIN);
    }

    #[test]
    fn hmac_sha256_matches_the_independent_digest() {
        assert_eq!(
            digest("hmac-sha256", "sandbox-app-secret-0001", PLAIN).unwrap(),
            "a02f3872379127abbc53724a43d1d1b90b7fcb587117ac60bf82fc85cd8b7507"
        );
    }

    #[test]
    fn method_comes_from_the_path() {
        assert_eq!(
            method_of("https://openapi-fxg.jinritemai.com/order/logisticsAdd").unwrap(),
            "order.logisticsAdd"
        );
        assert!(method_of("https://openapi-fxg.jinritemai.com").is_err());
    }

    #[test]
    fn nested_keys_are_sorted() {
        assert_eq!(
            param_json(br#"{"b":{"z":1,"a":2},"a":[{"y":1,"x":2}]}"#).unwrap(),
            r#"{"a":[{"x":2,"y":1}],"b":{"a":2,"z":1}}"#
        );
        assert_eq!(param_json(b"").unwrap(), "{}");
        assert!(param_json(b"[1]").is_err());
    }
}
