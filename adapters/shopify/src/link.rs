//! Reading the `Link` response header (RFC 8288) for Shopify's cursor
//! pagination.
//!
//! Shopify answers a paged REST list with
//! `Link: <https://…/orders.json?limit=250&page_info=abc>; rel="next"` (and a
//! `rel="previous"` entry on later pages). Only the `page_info` of the `next`
//! target matters: the following request must send it and nothing but `limit`.

use orderhub_adapter_kit::KitError;
use orderhub_adapter_kit::http::query_params;

/// The `page_info` of the `rel="next"` link, or `None` on the last page.
///
/// Entries that do not parse are skipped: they cannot be the next page. A
/// `next` link without `page_info` is an error, since following it blindly
/// would restart the listing.
pub fn next_page_info(header: &str) -> Result<Option<String>, KitError> {
    for entry in split_entries(header) {
        let Some((target, params)) = parse_entry(entry) else {
            continue;
        };
        let is_next = params.iter().any(|(name, value)| {
            name.eq_ignore_ascii_case("rel")
                && value
                    .split_ascii_whitespace()
                    .any(|rel| rel.eq_ignore_ascii_case("next"))
        });
        if !is_next {
            continue;
        }
        return query_params(target)
            .into_iter()
            .find(|(name, value)| name == "page_info" && !value.is_empty())
            .map(|(_, value)| Some(value))
            .ok_or_else(|| {
                KitError::invalid(
                    "header Link",
                    format_args!("the next link {target:?} has no page_info"),
                )
            });
    }
    Ok(None)
}

/// Splits the header on the commas between entries, not those inside `<…>`
/// or quoted parameter values.
fn split_entries(header: &str) -> Vec<&str> {
    let mut entries = Vec::new();
    let (mut start, mut in_target, mut in_quotes) = (0, false, false);
    for (i, c) in header.char_indices() {
        match c {
            '<' if !in_quotes => in_target = true,
            '>' if !in_quotes => in_target = false,
            '"' if !in_target => in_quotes = !in_quotes,
            ',' if !in_target && !in_quotes => {
                entries.push(&header[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    entries.push(&header[start..]);
    entries
}

/// `<target>; name=value; name="value"` into the target and its parameters.
fn parse_entry(entry: &str) -> Option<(&str, Vec<(&str, &str)>)> {
    let rest = entry.trim().strip_prefix('<')?;
    let (target, params) = rest.split_once('>')?;
    let params = params
        .split(';')
        .filter_map(|param| {
            let (name, value) = param.split_once('=')?;
            Some((name.trim(), value.trim().trim_matches('"')))
        })
        .collect();
    Some((target.trim(), params))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn next_link_on_first_and_middle_pages() {
        let first = r#"<https://jsmith.myshopify.com/admin/api/2024-04/orders.json?limit=250&page_info=eyJsYXN0X2lkIjo0fQ>; rel="next""#;
        assert_eq!(next_page_info(first), Ok(Some("eyJsYXN0X2lkIjo0fQ".into())));
        let middle = r#"<https://s.myshopify.com/admin/api/2024-04/orders.json?page_info=prev%3D&limit=250>; rel="previous", <https://s.myshopify.com/admin/api/2024-04/orders.json?page_info=nxt%3D&limit=250>; rel=next"#;
        assert_eq!(next_page_info(middle), Ok(Some("nxt=".into())));
    }

    #[test]
    fn last_page_garbage_and_broken_next_links() {
        let last = r#"<https://s.myshopify.com/admin/api/2024-04/orders.json?page_info=p&limit=250>; rel="previous""#;
        assert_eq!(next_page_info(last), Ok(None));
        assert_eq!(next_page_info("garbage, <unterminated"), Ok(None));
        assert_eq!(next_page_info(""), Ok(None));
        assert!(matches!(
            next_page_info(r#"<https://s.myshopify.com/orders.json?limit=250>; rel="next""#),
            Err(KitError::InvalidField(_))
        ));
    }
}
