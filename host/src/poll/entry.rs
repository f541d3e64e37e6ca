//! A polled page as an inbox entry.
//!
//! The inbox keeps every raw payload so it can be replayed; a polled page is
//! kept the same way, as a request-shaped row: method `POLL`, the URL that
//! was polled, the platform's answer headers and body as given, and two
//! headers of OrderHub's own carrying what `poll-response` needs besides the
//! answer — the cursor the page was fetched with and the answer's status.
//! Replay reads them back and calls `poll-response` again.

use orderhub_core::model::{HttpReply, OutboundRequest, RawRequest};

/// The method of inbox rows that hold a polled page.
pub const POLL_METHOD: &str = "POLL";
/// The cursor the page was requested with (absent for a first poll).
const CURSOR_HEADER: &str = "x-orderhub-poll-cursor";
/// The HTTP status of the platform's answer.
const STATUS_HEADER: &str = "x-orderhub-poll-status";

/// The inbox form of one polled page.
pub fn encode(request: &OutboundRequest, cursor: Option<&str>, reply: &HttpReply) -> RawRequest {
    let mut headers = vec![(STATUS_HEADER.to_string(), reply.status.to_string())];
    if let Some(cursor) = cursor {
        headers.push((CURSOR_HEADER.to_string(), cursor.to_string()));
    }
    headers.extend(reply.headers.iter().filter(|(n, _)| !is_own(n)).cloned());
    RawRequest {
        method: POLL_METHOD.into(),
        url: request.url.clone(),
        headers,
        body: reply.body.clone(),
    }
}

/// Whether an inbox row holds a polled page.
pub fn is_poll(raw: &RawRequest) -> bool {
    raw.method == POLL_METHOD
}

/// The cursor and the platform's answer a stored page was read from.
pub fn decode(raw: &RawRequest) -> (Option<String>, HttpReply) {
    let find = |name: &str| {
        raw.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.clone())
    };
    let status = find(STATUS_HEADER)
        .and_then(|s| s.parse().ok())
        .unwrap_or(200);
    let reply = HttpReply {
        status,
        headers: raw
            .headers
            .iter()
            .filter(|(n, _)| !is_own(n))
            .cloned()
            .collect(),
        body: raw.body.clone(),
    };
    (find(CURSOR_HEADER), reply)
}

fn is_own(name: &str) -> bool {
    name.eq_ignore_ascii_case(CURSOR_HEADER) || name.eq_ignore_ascii_case(STATUS_HEADER)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_page_survives_the_inbox() {
        let request = OutboundRequest {
            method: "GET".into(),
            url: "https://shop.example/orders.json".into(),
            query: vec![],
            headers: vec![],
            body: vec![],
        };
        let reply = HttpReply {
            status: 200,
            headers: vec![("Link".into(), "<…>; rel=\"next\"".into())],
            body: b"{\"orders\":[]}".to_vec(),
        };
        let raw = encode(&request, Some("{\"page\":2}"), &reply);
        assert!(is_poll(&raw));
        assert_eq!(raw.url, "https://shop.example/orders.json");
        let (cursor, back) = decode(&raw);
        assert_eq!(cursor.as_deref(), Some("{\"page\":2}"));
        assert_eq!(back, reply);
        let (none, _) = decode(&encode(&request, None, &reply));
        assert_eq!(none, None);
    }
}
