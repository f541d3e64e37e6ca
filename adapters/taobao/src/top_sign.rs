//! The TOP signature.
//!
//! Every call to the Taobao Open Platform — and every relayed push OrderHub
//! accepts for Taobao — is signed the same way: all parameters except `sign`,
//! sorted by name, written one after another as name followed by value, then
//! digested with the app secret and printed as upper-case hex. Only the digest
//! depends on `sign_method`:
//!
//! - `md5`: MD5 of `secret + params + secret`;
//! - `hmac`: HMAC-MD5 of `params`, keyed by the secret (no wrapping);
//! - `hmac-sha256`: HMAC-SHA256 of `params`, keyed by the secret.
//!
//! Parameters with an empty name or value are left out of the string, as the
//! platform's own SDK does, so an empty optional field cannot break a match.

use orderhub_adapter_kit::{KitError, sig};

/// The digest a TOP signature uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SignMethod {
    Md5,
    HmacMd5,
    HmacSha256,
}

impl SignMethod {
    /// Reads a `sign_method` value; `field` names where it came from in errors.
    pub fn parse(text: &str, field: &str) -> Result<Self, KitError> {
        match text {
            "md5" => Ok(SignMethod::Md5),
            "hmac" => Ok(SignMethod::HmacMd5),
            "hmac-sha256" => Ok(SignMethod::HmacSha256),
            other => Err(KitError::invalid(
                field,
                format_args!("{other:?} is not one of md5, hmac, hmac-sha256"),
            )),
        }
    }

    /// The value as TOP spells it.
    pub fn as_str(self) -> &'static str {
        match self {
            SignMethod::Md5 => "md5",
            SignMethod::HmacMd5 => "hmac",
            SignMethod::HmacSha256 => "hmac-sha256",
        }
    }
}

/// The text that is digested: the parameters other than `sign`, sorted by
/// name, each as name followed by value.
pub fn string_to_sign<'a, I>(params: I) -> String
where
    I: IntoIterator<Item = (&'a str, &'a str)>,
{
    let mut pairs: Vec<(&str, &str)> = params
        .into_iter()
        .filter(|(name, value)| *name != "sign" && !name.is_empty() && !value.is_empty())
        .collect();
    // Names are ASCII in practice; byte order then equals the Java string
    // order the platform sorts with.
    pairs.sort_by(|a, b| a.0.cmp(b.0));
    pairs.iter().fold(String::new(), |mut text, (name, value)| {
        text.push_str(name);
        text.push_str(value);
        text
    })
}

/// The TOP signature of `params` with `secret`, as upper-case hex.
pub fn sign<'a, I>(params: I, secret: &str, method: SignMethod) -> String
where
    I: IntoIterator<Item = (&'a str, &'a str)>,
{
    let text = string_to_sign(params);
    match method {
        SignMethod::Md5 => sig::hex_upper(&sig::md5(format!("{secret}{text}{secret}").as_bytes())),
        SignMethod::HmacMd5 => sig::hex_upper(&sig::hmac_md5(secret.as_bytes(), text.as_bytes())),
        SignMethod::HmacSha256 => {
            sig::hex_upper(&sig::hmac_sha256(secret.as_bytes(), text.as_bytes()))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The parameters of the platform's documented signing example
    /// (open.taobao.com docId=101617).
    const DOC_PARAMS: [(&str, &str); 9] = [
        ("method", "taobao.item.seller.get"),
        ("app_key", "12345678"),
        ("session", "test"),
        ("timestamp", "2016-01-01 12:00:00"),
        ("format", "json"),
        ("v", "2.0"),
        ("sign_method", "md5"),
        ("fields", "num_iid,title,nick,price,num"),
        ("num_iid", "11223344"),
    ];

    #[test]
    fn documented_md5_example_gives_the_published_digest() {
        assert_eq!(
            string_to_sign(DOC_PARAMS),
            "app_key12345678fieldsnum_iid,title,nick,price,numformatjsonmethodtaobao.item.seller.get\
             num_iid11223344sessiontestsign_methodmd5timestamp2016-01-01 12:00:00v2.0"
        );
        assert_eq!(
            sign(DOC_PARAMS, "helloworld", SignMethod::Md5),
            "66987CB115214E59E6EC978214934FB8"
        );
    }

    #[test]
    fn hmac_variants_digest_the_unwrapped_string() {
        // Same parameter string, digests computed independently with Python's
        // `hmac` module (no published example exists for these two methods).
        assert_eq!(
            sign(DOC_PARAMS, "helloworld", SignMethod::HmacMd5),
            "B4DDA503460D60A86B16E950E5D303E9"
        );
        assert_eq!(
            sign(DOC_PARAMS, "helloworld", SignMethod::HmacSha256),
            "6B7EB7E1C35D068D69538D80282A37DFBF29B4DB11B451881AF51890626138B3"
        );
    }

    #[test]
    fn sign_and_empty_values_are_left_out() {
        let with_extra = DOC_PARAMS
            .iter()
            .copied()
            .chain([("sign", "ANYTHING"), ("target_app_key", "")]);
        assert_eq!(
            sign(with_extra, "helloworld", SignMethod::Md5),
            "66987CB115214E59E6EC978214934FB8"
        );
    }

    #[test]
    fn unknown_sign_methods_are_refused() {
        assert_eq!(
            SignMethod::parse("hmac-sha256", "sign_method"),
            Ok(SignMethod::HmacSha256)
        );
        assert!(matches!(
            SignMethod::parse("sha1", "sign_method"),
            Err(KitError::InvalidField(m)) if m.starts_with("sign_method")
        ));
    }
}
