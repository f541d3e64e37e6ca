//! Lazada's six country sites: their API gateways and currencies.
//!
//! Each seller account lives on one site, and Lazada's order payloads carry
//! no order-level currency: the site decides it. Push messages name the site
//! (`lazada_vn`); for API responses it comes from the account's `site`
//! credential.

use orderhub_adapter_kit::KitError;

/// A Lazada country site.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Site {
    /// The short code (`sg`, `my`, `th`, `ph`, `id`, `vn`).
    pub code: &'static str,
    /// The API gateway.
    pub gateway: &'static str,
    /// The ISO 4217 currency of the site's orders.
    pub currency: &'static str,
}

/// Every site. The gateways are the documented `https://api.lazada.*/rest`.
pub const SITES: [Site; 6] = [
    Site {
        code: "sg",
        gateway: "https://api.lazada.sg/rest",
        currency: "SGD",
    },
    Site {
        code: "my",
        gateway: "https://api.lazada.com.my/rest",
        currency: "MYR",
    },
    Site {
        code: "th",
        gateway: "https://api.lazada.co.th/rest",
        currency: "THB",
    },
    Site {
        code: "ph",
        gateway: "https://api.lazada.com.ph/rest",
        currency: "PHP",
    },
    Site {
        code: "id",
        gateway: "https://api.lazada.co.id/rest",
        currency: "IDR",
    },
    Site {
        code: "vn",
        gateway: "https://api.lazada.vn/rest",
        currency: "VND",
    },
];

/// The site named `text`: a short code (`sg`) or the push spelling
/// (`lazada_sg`), in any case. `field` names where it came from.
pub fn parse(text: &str, field: &str) -> Result<Site, KitError> {
    let lower = text.trim().to_ascii_lowercase();
    let code = lower.strip_prefix("lazada_").unwrap_or(&lower);
    SITES
        .iter()
        .find(|s| s.code == code)
        .copied()
        .ok_or_else(|| {
            KitError::invalid(
                field,
                format_args!("{text:?} is not a Lazada site (sg, my, th, ph, id, vn)"),
            )
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn push_and_short_spellings() {
        assert_eq!(
            parse("lazada_vn", "site").map(|s| s.currency).ok(),
            Some("VND")
        );
        assert_eq!(
            parse("SG", "site").map(|s| s.gateway).ok(),
            Some("https://api.lazada.sg/rest")
        );
        assert!(matches!(
            parse("lazada_us", "site"),
            Err(KitError::InvalidField(_))
        ));
    }
}
