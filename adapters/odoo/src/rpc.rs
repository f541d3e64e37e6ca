//! Odoo's JSON-RPC external API: building, authenticating and reading calls.
//!
//! ```text
//! POST <base_url>/jsonrpc
//! {"jsonrpc":"2.0","method":"call","id":1,"params":{"service":"object","method":"execute_kw",
//!  "args":[db, uid, password, model, "search_read", [domain], {"fields":[…],"limit":…,"order":…}]}}
//! ```
//!
//! answers `{"jsonrpc":"2.0","id":1,"result":[records]}` or
//! `{"jsonrpc":"2.0","id":1,"error":{"code":…,"message":…,"data":{"name":…,"message":…}}}`.
//! Credentials travel inside `args`, so "signing" a call means filling in
//! its first three arguments.

use orderhub_adapter_kit::json::{self, Fields};
use orderhub_adapter_kit::{KitError, http};
use serde_json::{Value, json};

use crate::account;
use crate::bindings::orderhub::adapter::types::{Account, Field, HttpResponse, OutboundRequest};

pub(crate) const PATH: &str = "/jsonrpc";

/// An unsigned `search_read` call: credentials left blank for [`sign`].
pub(crate) fn search_read(
    account: &Account,
    model: &str,
    domain: Value,
    fields: &[&str],
    limit: usize,
) -> Result<OutboundRequest, KitError> {
    let base = account::required(
        account,
        "base_url",
        "the Odoo server, e.g. https://mycompany.odoo.com",
    )?;
    let base = http::base_url(Some(base), "", "credentials.base_url")?;
    let body = json!({
        "jsonrpc": "2.0",
        "method": "call",
        "id": 1,
        "params": {
            "service": "object",
            "method": "execute_kw",
            "args": ["", 0, "", model, "search_read", [domain],
                     {"fields": fields, "limit": limit, "order": "write_date asc, id asc"}],
        },
    });
    Ok(OutboundRequest {
        method: "POST".into(),
        url: format!("{}{PATH}", base.trim_end_matches('/')),
        query: vec![],
        headers: vec![Field {
            name: "Content-Type".into(),
            value: "application/json".into(),
        }],
        body: body.to_string().into_bytes(),
    })
}

/// Fills in `db`, `uid` and the password/API key of an `execute_kw` call.
pub(crate) fn sign(
    mut request: OutboundRequest,
    account: &Account,
) -> Result<OutboundRequest, KitError> {
    let db = account::required(account, "db", "execute_kw takes the database name")?;
    let uid = account::uid(account)?;
    let password = account::password(account)?;
    let mut body: Value = json::parse(&request.body)?;
    let args = body
        .pointer_mut("/params/args")
        .and_then(Value::as_array_mut)
        .filter(|a| a.len() >= 3)
        .ok_or_else(|| {
            KitError::MissingField(
                "params.args (an execute_kw call with db, uid, password first)".into(),
            )
        })?;
    args[0] = db.into();
    args[1] = uid.into();
    args[2] = password.into();
    request.body = body.to_string().into_bytes();
    Ok(request)
}

/// The `result` records of an answer, or the typed error it reports.
pub(crate) fn records(response: &HttpResponse) -> Result<Value, KitError> {
    if !(200..300).contains(&response.status) {
        return Err(KitError::invalid(
            "status",
            format_args!("Odoo answered HTTP {}", response.status),
        ));
    }
    let body = json::parse(&response.body)?;
    let root = Fields::of(&body, "")?;
    if let Some(error) = root.opt_object("error") {
        let data = error.opt_object("data");
        let name = data
            .as_ref()
            .and_then(|d| d.opt_string("name"))
            .unwrap_or_default();
        let message = data
            .as_ref()
            .and_then(|d| d.opt_string("message"))
            .or_else(|| error.opt_string("message"))
            .unwrap_or_default();
        let text = format!("Odoo error {name}: {message}");
        return Err(
            if name.contains("AccessDenied") || name.contains("AccessError") {
                KitError::MissingCredential(text)
            } else {
                KitError::InvalidField(format!("error: {text}"))
            },
        );
    }
    match root.required("result")? {
        records @ Value::Array(_) => Ok(records.clone()),
        _ => Err(KitError::invalid("result", "expected the list of records")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn account() -> Account {
        let f = |n: &str, v: &str| Field {
            name: n.into(),
            value: v.into(),
        };
        Account {
            id: "main".into(),
            secrets: vec!["api-key".into()],
            credentials: vec![
                f("base_url", "https://acme.odoo.com"),
                f("db", "acme"),
                f("uid", "2"),
            ],
        }
    }

    #[test]
    fn sign_fills_the_credentials() {
        let draft = search_read(&account(), "sale.order", json!([]), &["name"], 10).unwrap();
        let signed = sign(draft, &account()).unwrap();
        let text = String::from_utf8(signed.body).unwrap();
        assert!(text.contains(r#""args":["acme",2,"api-key","sale.order","search_read",[[]],{"fields":["name"],"limit":10,"order":"write_date asc, id asc"}]"#), "{text}");
    }

    #[test]
    fn errors_are_typed() {
        let r = |b: &str| HttpResponse {
            status: 200,
            headers: vec![],
            body: b.as_bytes().to_vec(),
        };
        assert!(matches!(
            records(&r(
                r#"{"error":{"code":200,"message":"Odoo Server Error","data":{"name":"odoo.exceptions.AccessDenied","message":"Access Denied"}}}"#
            )),
            Err(KitError::MissingCredential(_))
        ));
        assert!(matches!(
            records(&r(r#"{"result":{}}"#)),
            Err(KitError::InvalidField(_))
        ));
        assert!(records(&r(r#"{"result":[]}"#)).is_ok());
    }
}
