//! `stream-receive` never traps on a malformed frame.
//!
//! A push stream hands the adapter whatever the platform (or anything in
//! between) sends. Thousands of generated frames — text and binary;
//! classics (empty, a lone brace, deep nesting, huge numbers); truncated and
//! garbled copies of the fixtures' bodies; random bytes — go to
//! `stream-receive`. A typed error or a reply is fine; a trap or a limit hit
//! is not. A reply that is not a message (`message: false`, a control frame)
//! must carry no events and no error: the host does not keep control
//! frames, so their events would be lost, and an unreadable message must say
//! `message: true` with its error in `events` to be kept as a dead letter.

use orderhub_core::model::{StreamFrame, StreamReply};

use super::probe::{Failures, Probe, Sample, printable};
use super::{Lcg, malformed_variants};
use crate::runtime::CallError;

/// How many frames the check sends (half text, half binary).
pub const FRAMES: usize = 2000;

/// Frames a well-behaved platform never sends, but a stream may carry.
const CLASSICS: &[&[u8]] = &[
    b"ping",
    b"{\"type\":null}",
    b"{\"type\":\"message\"}",
    b"{\"type\":\"message\",\"data\":\"{not json\"}",
    b"{\"code\":200,\"data\":{\"content\":[]}}",
    b"{\"message\":{\"topic\":7,\"content\":{}}}",
    b"[{\"id\":\"1\"},{\"id\":",
    b"\x08\x96\x01",
    b"\x0a\xff\xff\xff\xff\x0f",
    b"\x00\x00\x00\x00",
    b"\x00\x00\x00\xff\x01\x02",
];

/// The frames: classics and the fixtures' bodies (`seeds`) garbled by
/// [`malformed_variants`], then random bytes up to `count`; each payload is
/// sent once as text (lossily decoded) and once as binary. Deterministic,
/// so a failure reproduces.
pub fn malformed_frames(seeds: &[Vec<u8>], count: usize) -> Vec<StreamFrame> {
    let mut payloads: Vec<Vec<u8>> = CLASSICS.iter().map(|c| c.to_vec()).collect();
    payloads.extend(malformed_variants(&[], 0));
    payloads.push(vec![b'a'; 64 * 1024]);
    let per_seed = if seeds.is_empty() {
        0
    } else {
        // Half of the frames come from the fixtures when there are some.
        (count / 4 / seeds.len()).max(4) as u32
    };
    for seed in seeds {
        payloads.extend(malformed_variants(seed, per_seed));
    }
    let mut seen = std::collections::HashSet::new();
    payloads.retain(|p| seen.insert(p.clone()));
    let mut rng = Lcg(0x0057_13a4);
    while payloads.len() * 2 < count {
        let len = (rng.next() % 512) as usize;
        let random: Vec<u8> = (0..len).map(|_| (rng.next() & 0xff) as u8).collect();
        if seen.insert(random.clone()) {
            payloads.push(random);
        }
    }
    payloads.truncate(count.div_ceil(2));
    payloads
        .into_iter()
        .flat_map(|p| {
            [
                StreamFrame::Text(String::from_utf8_lossy(&p).into_owned()),
                StreamFrame::Binary(p),
            ]
        })
        .take(count)
        .collect()
}

fn describe(frame: &StreamFrame) -> String {
    match frame {
        StreamFrame::Text(t) => format!("text frame {}", printable(t.as_bytes())),
        StreamFrame::Binary(b) => format!("binary frame {}", printable(b)),
    }
}

/// What is wrong with a reply, if anything.
fn reply_problem(reply: &StreamReply) -> Option<String> {
    if reply.message {
        return None;
    }
    match &reply.events {
        Ok(events) if events.is_empty() => None,
        Ok(events) => Some(format!(
            "a control frame reply (message: false) carries {} event(s), which the host drops",
            events.len()
        )),
        Err(e) => Some(format!(
            "a control frame reply (message: false) carries the error {e}; an unreadable \
             message must say message: true to be kept as a dead letter"
        )),
    }
}

/// Sends every frame with the sample's account and time.
pub fn stream_receive_never_traps(
    adapter: &dyn Probe,
    sample: &Sample,
    seeds: &[Vec<u8>],
    count: usize,
) -> Result<(), String> {
    let frames = malformed_frames(seeds, count);
    let mut failures = Failures::default();
    for frame in &frames {
        match adapter.stream_receive(frame, &sample.account, sample.now) {
            Ok(reply) => {
                if let Some(problem) = reply_problem(&reply) {
                    failures.push(format!("{}: {problem}", describe(frame)));
                }
            }
            // A typed refusal, or the host refusing a frame over the
            // adapter's own input limit before it runs: both are fine.
            Err(CallError::Adapter(_) | CallError::InputTooLarge { .. }) => {}
            Err(e) => failures.push(format!("{}: {e}", describe(frame))),
        }
    }
    failures.into_result(|n| {
        format!(
            "{n} of {} malformed frames were not handled, with {}:",
            frames.len(),
            sample.origin
        )
    })
}

#[cfg(test)]
mod tests {
    use super::super::probe::tests::Fake;
    use super::*;
    use orderhub_core::model::{AdapterError, AdapterErrorKind};

    fn sample() -> Sample {
        super::super::probe::tests::test_sample("an empty account")
    }

    fn reply(
        message: bool,
        events: Result<Vec<orderhub_core::model::Event>, AdapterError>,
    ) -> StreamReply {
        StreamReply {
            message,
            id: None,
            events,
            send: vec![],
            ack: vec![],
            close: None,
        }
    }

    #[test]
    fn thousands_of_text_and_binary_frames_are_generated() {
        let seed = br#"{"topic":"trade","content":{"tid":"1001"}}"#.to_vec();
        let frames = malformed_frames(std::slice::from_ref(&seed), FRAMES);
        assert_eq!(frames.len(), FRAMES);
        let text = frames
            .iter()
            .filter(|f| matches!(f, StreamFrame::Text(_)))
            .count();
        assert_eq!(text, FRAMES / 2);
        assert!(frames.contains(&StreamFrame::Binary(vec![])));
        assert!(frames.contains(&StreamFrame::Binary(seed[..seed.len() / 2].to_vec())));
        assert!(frames.contains(&StreamFrame::Text("ping".into())));
        assert_eq!(frames, malformed_frames(&[seed], FRAMES));
        // Without fixtures, random bytes make up the count.
        assert_eq!(malformed_frames(&[], FRAMES).len(), FRAMES);
    }

    #[test]
    fn typed_errors_and_plain_replies_pass() {
        assert_eq!(
            stream_receive_never_traps(&Fake::default(), &sample(), &[], 200),
            Ok(())
        );
        let reads_all = Fake {
            stream_receive: |frame| {
                Ok(reply(
                    true,
                    if frame.bytes().starts_with(b"{") {
                        Ok(vec![])
                    } else {
                        Err(AdapterError {
                            kind: AdapterErrorKind::MalformedPayload,
                            message: "not JSON".into(),
                        })
                    },
                ))
            },
            ..Fake::default()
        };
        assert_eq!(
            stream_receive_never_traps(&reads_all, &sample(), &[], 200),
            Ok(())
        );
    }

    #[test]
    fn traps_are_counted_and_the_first_named() {
        let traps_on_empty_binary = Fake {
            stream_receive: |frame| match frame {
                StreamFrame::Binary(b) if b.is_empty() => Err(CallError::Trap {
                    adapter: "fake".into(),
                    message: "index out of bounds".into(),
                }),
                _ => Ok(reply(false, Ok(vec![]))),
            },
            ..Fake::default()
        };
        let report =
            stream_receive_never_traps(&traps_on_empty_binary, &sample(), &[], 200).unwrap_err();
        let first = report.lines().nth(1).unwrap_or_default();
        assert_eq!(
            first,
            "binary frame \"\" (0 bytes): adapter fake trapped: index out of bounds"
        );
        assert!(
            report
                .starts_with("1 of 200 malformed frames were not handled, with an empty account:"),
            "{report}"
        );
    }

    #[test]
    fn an_error_on_a_control_frame_fails() {
        let drops_errors = Fake {
            stream_receive: |_| {
                Ok(reply(
                    false,
                    Err(AdapterError {
                        kind: AdapterErrorKind::MalformedPayload,
                        message: "bad".into(),
                    }),
                ))
            },
            ..Fake::default()
        };
        let report = stream_receive_never_traps(&drops_errors, &sample(), &[], 10).unwrap_err();
        assert!(report.starts_with("10 of 10 "), "{report}");
        assert!(report.contains("must say message: true"), "{report}");
        assert!(report.ends_with("… and 5 more"), "{report}");
    }
}
