//! A push-stream frame as an inbox entry.
//!
//! Every platform message is kept raw so it can be replayed, exactly like a
//! webhook: a request-shaped row with method `STREAM`, the stream's origin as
//! the URL (never its signed path or query), the frame's payload as the body
//! and one header of OrderHub's own saying whether the frame was text or
//! binary. Replay hands the frame back to `stream-receive`.

use orderhub_core::model::{RawRequest, StreamFrame};

/// The method of inbox rows that hold a push-stream frame.
pub const STREAM_METHOD: &str = "STREAM";
/// `text` or `binary`: the WebSocket frame type.
const FRAME_HEADER: &str = "x-orderhub-frame";

/// The inbox form of one frame received from `origin` (`wss://host`).
pub fn encode(origin: &str, frame: &StreamFrame) -> RawRequest {
    let kind = match frame {
        StreamFrame::Text(_) => "text",
        StreamFrame::Binary(_) => "binary",
    };
    RawRequest {
        method: STREAM_METHOD.into(),
        url: origin.to_string(),
        headers: vec![(FRAME_HEADER.to_string(), kind.to_string())],
        body: frame.bytes().to_vec(),
    }
}

/// Whether an inbox row holds a push-stream frame.
pub fn is_stream(raw: &RawRequest) -> bool {
    raw.method == STREAM_METHOD
}

/// The frame a stored row was received as. A text row whose bytes are not
/// UTF-8 (which `encode` never writes) is handed back as binary.
pub fn decode(raw: &RawRequest) -> StreamFrame {
    let text = raw
        .headers
        .iter()
        .any(|(n, v)| n.eq_ignore_ascii_case(FRAME_HEADER) && v == "text");
    match (text, String::from_utf8(raw.body.clone())) {
        (true, Ok(t)) => StreamFrame::Text(t),
        _ => StreamFrame::Binary(raw.body.clone()),
    }
}

/// `scheme://host[:port]` of a stream URL: what the inbox keeps of it, since
/// paths and queries of stream URLs carry signatures.
pub fn origin(url: &str) -> String {
    match url.split_once("://") {
        Some((scheme, rest)) => {
            let host = rest.split(['/', '?', '#']).next().unwrap_or("");
            format!("{scheme}://{host}")
        }
        None => url.split(['/', '?', '#']).next().unwrap_or("").to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn frames_survive_the_inbox() {
        let text = StreamFrame::Text("{\"id\":7}".into());
        let raw = encode("wss://message-api.pinduoduo.com", &text);
        assert!(is_stream(&raw));
        assert_eq!(raw.body, b"{\"id\":7}");
        assert_eq!(decode(&raw), text);
        let binary = StreamFrame::Binary(vec![2, 0, 255]);
        assert_eq!(decode(&encode("ws://mc.api.taobao.com", &binary)), binary);
    }

    #[test]
    fn the_origin_drops_signed_paths_and_queries() {
        assert_eq!(
            origin("wss://message-api.pinduoduo.com/message/app/1700000000000/OTgx%3D"),
            "wss://message-api.pinduoduo.com"
        );
        assert_eq!(origin("ws://127.0.0.1:9000/?sign=1"), "ws://127.0.0.1:9000");
    }
}
