//! The JOS signature.
//!
//! Every call to the JD Open Service gateway (`routerjson`) — and every
//! relayed message OrderHub accepts for JD — is signed the same way: all
//! parameters except `sign` (system parameters and `360buy_param_json`, the
//! business parameters as one JSON text), sorted by name, written one after
//! another as name followed by value, wrapped in the app secret on both sides,
//! digested with MD5 and printed as upper-case hex.
//!
//! Parameters with an empty name or value are left out, so an empty optional
//! field cannot break a match.

use orderhub_adapter_kit::sig;

/// The text inside the secrets: the parameters other than `sign`, sorted by
/// name, each as name followed by value.
pub fn string_to_sign<'a, I>(params: I) -> String
where
    I: IntoIterator<Item = (&'a str, &'a str)>,
{
    let mut pairs: Vec<(&str, &str)> = params
        .into_iter()
        .filter(|(name, value)| *name != "sign" && !name.is_empty() && !value.is_empty())
        .collect();
    // Names are ASCII; byte order equals the Java string order the platform
    // sorts with (`360buy_param_json` sorts first because of its digit).
    pairs.sort_by(|a, b| a.0.cmp(b.0));
    pairs.iter().fold(String::new(), |mut text, (name, value)| {
        text.push_str(name);
        text.push_str(value);
        text
    })
}

/// The JOS signature of `params` with `secret`: upper-case hex MD5 of
/// `secret + params + secret`.
pub fn sign<'a, I>(params: I, secret: &str) -> String
where
    I: IntoIterator<Item = (&'a str, &'a str)>,
{
    let text = string_to_sign(params);
    sig::hex_upper(&sig::md5(format!("{secret}{text}{secret}").as_bytes()))
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// The parameters of the platform's documented signing example
    /// (`jingdong.pop.order.search`, secret `yourappSecret`).
    pub const DOC_PARAMS: [(&str, &str); 6] = [
        ("method", "jingdong.pop.order.search"),
        ("access_token", "yourtoken"),
        ("app_key", "yourappkey"),
        (
            "360buy_param_json",
            r#"{"end_date":null,"optional_fields":null,"order_state":"WAIT_SELLER_STOCK_OUT","page":"1","page_size":"200","start_date":null}"#,
        ),
        ("timestamp", "2021-05-07 09:20:39.683+0800"),
        ("v", "2.0"),
    ];

    #[test]
    fn documented_example_gives_the_published_digest() {
        assert_eq!(
            string_to_sign(DOC_PARAMS),
            "360buy_param_json{\"end_date\":null,\"optional_fields\":null,\"order_state\":\"WAIT_SELLER_STOCK_OUT\",\
             \"page\":\"1\",\"page_size\":\"200\",\"start_date\":null}access_tokenyourtokenapp_keyyourappkey\
             methodjingdong.pop.order.searchtimestamp2021-05-07 09:20:39.683+0800v2.0"
        );
        assert_eq!(
            sign(DOC_PARAMS, "yourappSecret"),
            "D70825340F4084360B9362B60DFD7930"
        );
    }

    #[test]
    fn sign_and_empty_values_are_left_out() {
        let with_extra = DOC_PARAMS
            .iter()
            .copied()
            .chain([("sign", "ANYTHING"), ("format", "")]);
        assert_eq!(
            sign(with_extra, "yourappSecret"),
            "D70825340F4084360B9362B60DFD7930"
        );
    }
}
