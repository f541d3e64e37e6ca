//! Outbound signing, for sellers who want OrderHub to call their system back.
//!
//! The request is signed exactly the way inbound requests are verified, so a
//! seller's receiver can use any Standard Webhooks library. One `v1` entry is
//! added per configured secret (newest first): during a rotation the receiver
//! accepts the call with whichever secret it already has.
//!
//! The message id is the idempotency key of the call. A caller that retries
//! must send the same id again, so an id already present in the draft's
//! `webhook-id` header is kept. Without one, the id is derived from what is
//! sent — `msg_` + the first 32 hex digits of SHA-256(body) + `_` + the Unix
//! seconds of `now` — so signing is a pure function and the same body signed
//! in the same second gets the same id.

use orderhub_adapter_kit::{KitError, sig};

use crate::bindings::orderhub::adapter::types::{Account, Field, OutboundRequest};
use crate::fields::header;
use crate::scheme::{ID_HEADER, SIGNATURE_HEADER, TIMESTAMP_HEADER, signature, tagged};
use crate::secret;

/// Adds `webhook-id`, `webhook-timestamp` and `webhook-signature` to the draft
/// (replacing any stale timestamp or signature it carried).
pub fn sign(
    mut request: OutboundRequest,
    account: &Account,
    now: i64,
) -> Result<OutboundRequest, KitError> {
    let keys = secret::keys(&account.secrets)?;
    let timestamp = now.div_euclid(1000);
    let id = match header(&request.headers, ID_HEADER)
        .map(str::trim)
        .filter(|id| !id.is_empty())
    {
        Some(id) if id.contains('.') => {
            return Err(KitError::invalid(
                ID_HEADER,
                "must not contain '.' (the delimiter of the signed content)",
            ));
        }
        Some(id) => id.to_string(),
        None => derived_id(&request.body, timestamp),
    };
    let signatures: Vec<String> = keys
        .iter()
        .map(|key| tagged(&signature(key, &id, timestamp, &request.body)))
        .collect();
    request.headers.retain(|field| {
        ![ID_HEADER, TIMESTAMP_HEADER, SIGNATURE_HEADER]
            .iter()
            .any(|name| field.name.eq_ignore_ascii_case(name))
    });
    request.headers.extend([
        field(ID_HEADER, id),
        field(TIMESTAMP_HEADER, timestamp.to_string()),
        field(SIGNATURE_HEADER, signatures.join(" ")),
    ]);
    Ok(request)
}

/// The id of a call whose draft has none; see the module documentation.
pub fn derived_id(body: &[u8], timestamp: i64) -> String {
    let digest = sig::sha256(body);
    let (head, _) = digest.split_at(16);
    format!("msg_{}_{timestamp}", sig::hex_lower(head))
}

fn field(name: &str, value: String) -> Field {
    Field {
        name: name.to_string(),
        value,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECRET: &str = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
    const OLD_SECRET: &str = "whsec_C2FVsBQIhrscChlQIMV+b5sSYspob7oD";

    fn draft(headers: &[(&str, &str)], body: &[u8]) -> OutboundRequest {
        OutboundRequest {
            method: "POST".into(),
            url: "https://erp.example.com/orderhub/callback".into(),
            query: vec![],
            headers: headers
                .iter()
                .map(|(n, v)| field(n, (*v).to_string()))
                .collect(),
            body: body.to_vec(),
        }
    }

    fn account(secrets: &[&str]) -> Account {
        Account {
            id: "main".into(),
            secrets: secrets.iter().map(|s| s.to_string()).collect(),
            credentials: vec![],
        }
    }

    fn value<'a>(request: &'a OutboundRequest, name: &str) -> &'a str {
        header(&request.headers, name).unwrap()
    }

    /// The reference libraries' published example, produced by `sign` when
    /// the draft carries the example's id (and `now` is its time).
    #[test]
    fn published_example_with_the_callers_id() {
        let signed = sign(
            draft(
                &[
                    ("Webhook-Id", "msg_p5jXN8AQM9LWM0D4loKWxJek"),
                    ("Content-Type", "application/json"),
                ],
                br#"{"test": 2432232314}"#,
            ),
            &account(&[SECRET]),
            1_614_265_330_999,
        )
        .unwrap();
        assert_eq!(value(&signed, ID_HEADER), "msg_p5jXN8AQM9LWM0D4loKWxJek");
        assert_eq!(value(&signed, TIMESTAMP_HEADER), "1614265330");
        assert_eq!(
            value(&signed, SIGNATURE_HEADER),
            "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="
        );
        assert_eq!(value(&signed, "content-type"), "application/json");
        assert_eq!(signed.headers.len(), 4);
    }

    #[test]
    fn derived_id_and_one_entry_per_secret() {
        let body = br#"{"test": 2432232314}"#;
        let signed = sign(
            draft(&[], body),
            &account(&[SECRET, OLD_SECRET]),
            1_614_265_330_000,
        )
        .unwrap();
        let id = derived_id(body, 1_614_265_330);
        assert_eq!(value(&signed, ID_HEADER), id);
        assert!(id.starts_with("msg_") && id.ends_with("_1614265330") && id.len() == 4 + 32 + 11);
        let entries: Vec<&str> = value(&signed, SIGNATURE_HEADER).split(' ').collect();
        assert_eq!(entries.len(), 2);
        // Whatever the receiver holds, it finds its own signature.
        let verified = |secret: &str| {
            let key = secret::decoded(secret).unwrap();
            tagged(&signature(&key, &id, 1_614_265_330, body))
        };
        assert_eq!(entries, [verified(SECRET), verified(OLD_SECRET)]);
    }

    #[test]
    fn resigning_replaces_the_old_timestamp_and_signature() {
        let acc = account(&[SECRET]);
        let first = sign(draft(&[], b"{}"), &acc, 1_000_000).unwrap();
        let again = sign(first.clone(), &acc, 1_060_000).unwrap();
        assert_eq!(again.headers.len(), 3);
        assert_eq!(value(&again, ID_HEADER), value(&first, ID_HEADER));
        assert_eq!(value(&again, TIMESTAMP_HEADER), "1060");
        assert_ne!(
            value(&again, SIGNATURE_HEADER),
            value(&first, SIGNATURE_HEADER)
        );
    }

    #[test]
    fn refuses_without_a_secret_or_with_a_dotted_id() {
        assert!(matches!(
            sign(draft(&[], b"{}"), &account(&[]), 0),
            Err(KitError::MissingCredential(_))
        ));
        assert!(matches!(
            sign(draft(&[], b"{}"), &account(&["not-a-secret"]), 0),
            Err(KitError::MissingCredential(_))
        ));
        assert!(matches!(
            sign(draft(&[(ID_HEADER, "a.b")], b"{}"), &account(&[SECRET]), 0),
            Err(KitError::InvalidField(_))
        ));
    }
}
