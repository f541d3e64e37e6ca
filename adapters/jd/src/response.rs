//! Reading JOS API answers: the error envelope and the order results of
//! `jingdong.pop.order.search` and `jingdong.pop.order.get`.
//!
//! JOS wraps each answer in `<api name with _>_responce` (JD's spelling), with
//! a `code` (`"0"` on success) and the result object inside:
//! `searchorderinfo_result{orderInfoList, orderTotal, apiResult}` for the
//! search and `orderDetailInfo{orderInfo, apiResult}` for the get. Failures
//! arrive as `error_response{code, zh_desc, en_desc}` or as an `apiResult`
//! with `success: false`. The envelope names follow the public SDKs; they are
//! not checked against a live answer.

use orderhub_adapter_kit::KitError;
use orderhub_adapter_kit::json::Fields;

/// The search envelope and result names.
pub const SEARCH_ENVELOPE: &str = "jingdong_pop_order_search_responce";
const SEARCH_RESULT: &str = "searchorderinfo_result";
/// The get envelope and result names.
pub const GET_ENVELOPE: &str = "jingdong_pop_order_get_responce";
const GET_RESULT: &str = "orderDetailInfo";

/// A JOS `error_response` as a typed error. Token and key failures mean the
/// account's credentials are wrong or expired.
pub fn jos_error(error: &Fields<'_>) -> KitError {
    let text = |key: &str| error.opt_string(key).unwrap_or_default();
    let (code, zh, en) = (text("code"), text("zh_desc"), text("en_desc"));
    let message = format!("JOS error {code}: {en} ({zh})");
    let lower = en.to_ascii_lowercase();
    // Code 19 is the invalid or expired access token; other codes are
    // recognised by what they say about the token, the key or the signature.
    if code == "19"
        || lower.contains("token")
        || lower.contains("app_key")
        || lower.contains("appkey")
        || lower.contains("sign")
    {
        KitError::MissingCredential(message)
    } else {
        KitError::InvalidField(format!("error_response: {message}"))
    }
}

/// Fails when the envelope's `code` is not `"0"` or its `apiResult` says the
/// call did not succeed.
fn check(envelope: &Fields<'_>, result: &Fields<'_>) -> Result<(), KitError> {
    if let Some(code) = envelope.opt_string("code")
        && code != "0"
    {
        return Err(KitError::InvalidField(format!(
            "{}: JOS answered code {code}",
            envelope.path_of("code")
        )));
    }
    if let Some(api) = result.opt_object("apiResult")
        && api.opt_bool("success") == Some(false)
    {
        let why = api
            .opt_string("englishErrCode")
            .or_else(|| api.opt_string("chineseErrCode"))
            .unwrap_or_default();
        return Err(KitError::InvalidField(format!(
            "{}: the call did not succeed: {why}",
            api.path()
        )));
    }
    Ok(())
}

/// Raises the answer's `error_response`, if any.
pub fn raise_error(root: &Fields<'_>) -> Result<(), KitError> {
    match root.opt_object("error_response") {
        Some(error) => Err(jos_error(&error)),
        None => Ok(()),
    }
}

/// A search page: its orders and the total count when given.
pub struct SearchPage<'a> {
    pub orders: Vec<Fields<'a>>,
    pub total: Option<i64>,
}

/// Reads a `jingdong.pop.order.search` answer whose envelope is `envelope`.
pub fn search<'a>(envelope: &Fields<'a>) -> Result<SearchPage<'a>, KitError> {
    let result = envelope.object(SEARCH_RESULT)?;
    check(envelope, &result)?;
    let total = match result.optional("orderTotal") {
        Some(_) => Some(result.integer("orderTotal")?),
        None => None,
    };
    Ok(SearchPage {
        orders: result.objects("orderInfoList")?,
        total,
    })
}

/// Reads a `jingdong.pop.order.get` answer's order object.
pub fn get<'a>(envelope: &Fields<'a>) -> Result<Fields<'a>, KitError> {
    let result = envelope.object(GET_RESULT)?;
    check(envelope, &result)?;
    result.object("orderInfo")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors_are_typed() {
        let value = serde_json::json!({"error_response": {"code": "19", "zh_desc": "token已过期", "en_desc": "Invalid access_token"}});
        let root = Fields::of(&value, "").unwrap();
        assert!(matches!(
            raise_error(&root),
            Err(KitError::MissingCredential(_))
        ));
        let value =
            serde_json::json!({"error_response": {"code": "66", "en_desc": "platform busy"}});
        let root = Fields::of(&value, "").unwrap();
        assert!(matches!(raise_error(&root), Err(KitError::InvalidField(_))));
        let value = serde_json::json!({"code": "0", "searchorderinfo_result": {"apiResult": {"success": false, "englishErrCode": "bad"}}});
        let envelope = Fields::of(&value, "r").unwrap();
        assert!(matches!(search(&envelope), Err(KitError::InvalidField(m)) if m.contains("bad")));
    }

    #[test]
    fn search_and_get_results() {
        let value = serde_json::json!({"code": "0", "searchorderinfo_result": {"orderTotal": 1, "orderInfoList": [{"orderId": "1"}]}});
        let envelope = Fields::of(&value, "r").unwrap();
        let page = search(&envelope).unwrap();
        assert_eq!((page.orders.len(), page.total), (1, Some(1)));
        let value =
            serde_json::json!({"code": "0", "orderDetailInfo": {"orderInfo": {"orderId": "2"}}});
        let envelope = Fields::of(&value, "r").unwrap();
        assert_eq!(get(&envelope).unwrap().string("orderId").unwrap(), "2");
    }
}
