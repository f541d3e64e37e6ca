//! Idempotency keys and customer keys.
//!
//! The idempotency key decides what "the same event" means across retries,
//! duplicate deliveries, polls overlapping webhooks and several hosts. It is
//! derived from the platform's own event id where there is one, else from the
//! raw bytes, and always scoped to the adapter and account.

use sha2::{Digest, Sha256};

use crate::model::Party;

/// The key of a raw delivery (one webhook request): the first event's
/// platform id when it has one, else the SHA-256 of the raw body.
pub fn delivery_key(
    adapter: &str,
    account: &str,
    platform_event_id: Option<&str>,
    raw_body: &[u8],
) -> String {
    match platform_event_id {
        Some(id) if !id.is_empty() => format!("{adapter}:{account}:id:{id}"),
        _ => format!(
            "{adapter}:{account}:sha256:{}",
            hex::encode(Sha256::digest(raw_body))
        ),
    }
}

/// The key of one canonical event within a delivery: the platform's event id
/// when the adapter gave one, else the delivery's key and the event's index.
pub fn event_key(
    delivery_key: &str,
    platform_event_id: Option<&str>,
    adapter: &str,
    account: &str,
    index: usize,
) -> String {
    match platform_event_id {
        Some(id) if !id.is_empty() => format!("{adapter}:{account}:id:{id}"),
        _ => format!("{delivery_key}#{index}"),
    }
}

/// The key of a polled event without a platform id: the SHA-256 of the
/// event's canonical JSON. Polls walk overlapping windows on purpose, so the
/// same order in the same state comes back on several pages; keyed by its
/// content it is recorded once, while any change (a new status, a new update
/// time) is a new event.
pub fn content_event_key(adapter: &str, account: &str, event: &crate::model::Event) -> String {
    // Serializing plain data cannot fail; an empty text would still key the
    // event, only less precisely.
    let json = serde_json::to_vec(event).unwrap_or_default();
    format!(
        "{adapter}:{account}:content:{}",
        hex::encode(Sha256::digest(&json))
    )
}

/// A key that is the same for the same person across channels: SHA-256 of
/// the phone's digits and the whitespace- and case-normalised address.
/// `None` when the phone or the address is masked or absent, because a masked
/// value would match unrelated people.
pub fn customer_key(receiver: &Party) -> Option<String> {
    if receiver.masked {
        return None;
    }
    let phone: String = receiver
        .phone
        .as_deref()?
        .chars()
        .filter(char::is_ascii_digit)
        .collect();
    // Country codes are dropped so "+86 138…" and "138…" agree.
    let phone = phone
        .strip_prefix("86")
        .filter(|p| p.len() == 11)
        .unwrap_or(&phone);
    if phone.len() < 6 {
        return None;
    }
    let a = receiver.address.as_ref()?;
    let address: String = [
        &a.country,
        &a.province,
        &a.city,
        &a.district,
        &a.street,
        &a.postal_code,
    ]
    .into_iter()
    .flatten()
    .flat_map(|part| part.chars())
    .filter(|c| !c.is_whitespace() && !matches!(c, ',' | '，' | '-' | '.'))
    .flat_map(char::to_lowercase)
    .collect();
    if address.is_empty() {
        return None;
    }
    let mut hasher = Sha256::new();
    hasher.update(phone.as_bytes());
    hasher.update([0]);
    hasher.update(address.as_bytes());
    Some(hex::encode(hasher.finalize()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Address;

    #[test]
    fn delivery_key_prefers_platform_id() {
        assert_eq!(
            delivery_key("shopify", "main", Some("abc"), b"x"),
            "shopify:main:id:abc"
        );
        assert_eq!(
            delivery_key("kuaidi100", "main", None, b"abc"),
            "kuaidi100:main:sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        assert_eq!(event_key("d", None, "a", "b", 2), "d#2");
        assert_eq!(event_key("d", Some("e9"), "a", "b", 2), "a:b:id:e9");
    }

    fn party(phone: &str, street: &str, masked: bool) -> Party {
        Party {
            phone: Some(phone.into()),
            address: Some(Address {
                city: Some("Hangzhou".into()),
                street: Some(street.into()),
                ..Default::default()
            }),
            masked,
            ..Default::default()
        }
    }

    #[test]
    fn customer_key_ignores_formatting_but_not_people() {
        let a = customer_key(&party("+86 138-0000-1111", "West Lake Rd 1", false));
        let b = customer_key(&party("13800001111", "west lake rd 1", false));
        assert!(a.is_some());
        assert_eq!(a, b);
        assert_ne!(
            a,
            customer_key(&party("13800001112", "West Lake Rd 1", false))
        );
        assert_eq!(
            customer_key(&party("138****1111", "West Lake Rd 1", true)),
            None
        );
    }
}
