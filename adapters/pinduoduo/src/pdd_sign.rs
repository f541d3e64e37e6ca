//! The three MD5 signatures this adapter computes.
//!
//! - **Gateway calls.** Every parameter except `sign` — system parameters
//!   (`type`, `client_id`, `access_token`, `timestamp`, `data_type`) and the
//!   API's own — sorted by name and written one after another as name followed
//!   by value; then `MD5(client_secret + text + client_secret)` in upper-case
//!   hex. Empty values take part (as name only), as in the platform's public
//!   SDKs, which sign every parameter they send.
//! - **Message-service handshake.** `base64(md5_hex_lower(client_id +
//!   timestamp_ms + client_secret))`: the base64 of the *hex text*, not of the
//!   raw digest.
//! - **OrderHub's relay.** `MD5(client_secret + timestamp + raw body +
//!   client_secret)` in upper-case hex, over the body bytes exactly as
//!   received (see `relay`).

use orderhub_adapter_kit::sig;

/// The text a gateway signature digests: the parameters other than `sign`,
/// sorted by name, each as name followed by value.
pub fn string_to_sign<'a, I>(params: I) -> String
where
    I: IntoIterator<Item = (&'a str, &'a str)>,
{
    let mut pairs: Vec<(&str, &str)> = params
        .into_iter()
        .filter(|(name, _)| *name != "sign" && !name.is_empty())
        .collect();
    // Parameter names are ASCII; byte order is the platform's dictionary order.
    pairs.sort_by(|a, b| a.0.cmp(b.0));
    pairs.iter().fold(String::new(), |mut text, (name, value)| {
        text.push_str(name);
        text.push_str(value);
        text
    })
}

/// The gateway signature of `params` with the client secret.
pub fn sign<'a, I>(params: I, secret: &str) -> String
where
    I: IntoIterator<Item = (&'a str, &'a str)>,
{
    let text = string_to_sign(params);
    sig::hex_upper(&sig::md5(format!("{secret}{text}{secret}").as_bytes()))
}

/// The signature segment of the message-service handshake URL (before URL
/// encoding).
pub fn handshake(client_id: &str, timestamp_ms: &str, secret: &str) -> String {
    let hex = sig::hex_lower(&sig::md5(
        format!("{client_id}{timestamp_ms}{secret}").as_bytes(),
    ));
    sig::base64(hex.as_bytes())
}

/// The relay signature of a raw body.
pub fn relay(secret: &str, timestamp: &str, body: &[u8]) -> String {
    let mut text = Vec::with_capacity(secret.len() * 2 + timestamp.len() + body.len());
    text.extend_from_slice(secret.as_bytes());
    text.extend_from_slice(timestamp.as_bytes());
    text.extend_from_slice(body);
    text.extend_from_slice(secret.as_bytes());
    sig::hex_upper(&sig::md5(&text))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The parameters of the platform's documented signing example
    /// (open.pinduoduo.com, document idStr=8EC06C399636041E).
    const DOC_PARAMS: [(&str, &str); 8] = [
        ("type", "pdd.order.number.list.get"),
        ("client_id", "1"),
        ("access_token", "asd78172s8ds9a921j9qqwda12312w1w21211"),
        ("timestamp", "1480411125"),
        ("data_type", "XML"),
        ("order_status", "1"),
        ("page", "1"),
        ("page_size", "10"),
    ];

    #[test]
    fn documented_example_gives_the_published_digest() {
        assert_eq!(
            string_to_sign(DOC_PARAMS),
            "access_tokenasd78172s8ds9a921j9qqwda12312w1w21211client_id1data_typeXML\
             order_status1page1page_size10timestamp1480411125typepdd.order.number.list.get"
        );
        assert_eq!(
            sign(DOC_PARAMS, "testSecret"),
            "E4DE3ED21002510DED352819E7AE6775"
        );
    }

    #[test]
    fn an_existing_sign_parameter_is_left_out() {
        let with_sign = DOC_PARAMS.iter().copied().chain([("sign", "ANYTHING")]);
        assert_eq!(
            sign(with_sign, "testSecret"),
            "E4DE3ED21002510DED352819E7AE6775"
        );
    }

    #[test]
    fn handshake_matches_the_published_vector() {
        // client_id `app`, secret `secret`, timestamp 1700000000000:
        // md5 hex `9818304265fb7cb706721924f2e03121`, then base64.
        assert_eq!(
            handshake("app", "1700000000000", "secret"),
            "OTgxODMwNDI2NWZiN2NiNzA2NzIxOTI0ZjJlMDMxMjE="
        );
    }

    #[test]
    fn relay_signature_wraps_timestamp_and_body_in_the_secret() {
        // Computed independently with Python's hashlib:
        // md5(b"s" + b"1711929600" + b"{}" + b"s").hexdigest().upper()
        assert_eq!(
            relay("s", "1711929600", b"{}"),
            "91F03E411EFA9DCADD641D81F7FF9769"
        );
    }
}
