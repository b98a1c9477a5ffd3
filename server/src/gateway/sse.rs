//! Server-Sent Events, as much as the gateway needs: split a byte stream into events without
//! copying their payloads, and read an event just enough to find `usage`.

use std::borrow::Cow;

use bytes::{Bytes, BytesMut};
use serde::Deserialize;

/// Token counts as reported by a model server (the Responses API calls them input and
/// output tokens).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
pub struct Usage {
    /// Tokens in the prompt.
    #[serde(default, alias = "input_tokens")]
    pub prompt_tokens: u64,
    /// Tokens generated.
    #[serde(default, alias = "output_tokens")]
    pub completion_tokens: u64,
}

/// Cuts a stream of bytes into whole events (each ending in a blank line). Events that lie
/// whole in a chunk are slices of it; only a chunk's unfinished tail is copied, to be joined
/// with what comes next.
#[derive(Debug, Default)]
pub struct Splitter {
    /// The chunk being cut, from where its last whole event ended.
    fresh: Bytes,
    /// An unfinished event and the chunks after it, while no boundary ends it.
    pending: BytesMut,
    /// How much of `pending` holds no boundary: a model server that sends a long event in
    /// many chunks has only the new bytes searched, not the whole event again each time.
    searched: usize,
}

/// Where the first event boundary in `bytes` ends (`\n\n` or `\r\n\r\n`), if there is
/// one. Only line ends are looked at, found with `memchr`: the byte-by-byte windows this
/// replaced read every byte of an event twice.
fn boundary(bytes: &[u8]) -> Option<usize> {
    memchr::memchr_iter(b'\n', bytes).find_map(|at| {
        let next = &bytes[at + 1..];
        if next.starts_with(b"\n") {
            Some(at + 2)
        } else if at > 0 && bytes[at - 1] == b'\r' && next.starts_with(b"\r\n") {
            Some(at + 3)
        } else {
            None
        }
    })
}

impl Splitter {
    /// Adds `chunk`; its events are then taken with [`Splitter::next_event`].
    pub fn push(&mut self, chunk: Bytes) {
        if self.pending.is_empty() && self.fresh.is_empty() {
            self.fresh = chunk;
        } else {
            self.pending.extend_from_slice(&self.fresh);
            self.fresh.clear();
            self.pending.extend_from_slice(&chunk);
        }
    }

    /// The next whole event, boundary included.
    pub fn next_event(&mut self) -> Option<Bytes> {
        if !self.fresh.is_empty() {
            if let Some(end) = boundary(&self.fresh) {
                return Some(self.fresh.split_to(end));
            }
            self.pending.extend_from_slice(&self.fresh);
            self.fresh.clear();
            self.searched = self.pending.len();
            return None;
        }
        // A boundary ending in the new bytes starts at most three bytes before them.
        let from = self.searched.saturating_sub(3);
        match boundary(&self.pending[from..]) {
            Some(end) => {
                self.searched = 0;
                Some(self.pending.split_to(from + end).freeze())
            }
            None => {
                self.searched = self.pending.len();
                None
            }
        }
    }

    /// How many bytes wait for their event's end.
    pub fn unfinished(&self) -> usize {
        self.pending.len() + self.fresh.len()
    }

    /// What is left when the stream ends (an event without its final blank line).
    pub fn finish(&mut self) -> Option<Bytes> {
        self.searched = 0;
        let mut rest = self.pending.split();
        rest.extend_from_slice(&self.fresh);
        self.fresh.clear();
        let rest = rest.freeze();
        (!rest.iter().all(u8::is_ascii_whitespace)).then_some(rest)
    }
}

/// What one event is, for accounting.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Event {
    /// `data: [DONE]`.
    Done,
    /// A chunk with no choices that only carries usage (sent for `include_usage`).
    UsageOnly(Usage),
    /// A chunk with choices (or a Responses API text delta); `usage` when it also carries
    /// usage.
    Chunk(Option<Usage>),
    /// The Responses API's `response.completed`, carrying the whole response and its usage.
    Completed(Usage),
    /// The Anthropic Messages API's `message_start`: its input tokens are final, its output
    /// tokens are not (the count arrives with `message_delta`).
    Started(Usage),
    /// Anything else (comments, keep-alives, unparsable data).
    Other,
}

#[derive(Deserialize)]
struct ChunkShape {
    #[serde(default)]
    choices: Option<Vec<serde::de::IgnoredAny>>,
    #[serde(default)]
    usage: Option<Usage>,
    /// A Responses API event's response.
    #[serde(default)]
    response: Option<ResponseShape>,
    /// An Anthropic `message_start` event's message.
    #[serde(default)]
    message: Option<ResponseShape>,
}

#[derive(Deserialize)]
struct ResponseShape {
    #[serde(default)]
    usage: Option<Usage>,
}

/// The `data:` payload of an event (lines joined with `\n`), if it has one: borrowed from
/// the event when it is on one line, as model servers send it.
pub fn data(event: &[u8]) -> Option<Cow<'_, [u8]>> {
    let mut out: Option<Cow<'_, [u8]>> = None;
    for line in event.split(|b| *b == b'\n') {
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        if let Some(rest) = line.strip_prefix(b"data:") {
            let rest = rest.strip_prefix(b" ").unwrap_or(rest);
            match &mut out {
                None => out = Some(Cow::Borrowed(rest)),
                Some(joined) => {
                    let joined = joined.to_mut();
                    joined.push(b'\n');
                    joined.extend_from_slice(rest);
                }
            }
        }
    }
    out
}

/// Whether `haystack` holds `needle`.
fn holds(haystack: &[u8], needle: &[u8]) -> bool {
    memchr::memmem::find(haystack, needle).is_some()
}

/// Classifies one event. Only events that mention `"usage"` are parsed as JSON.
pub fn classify(event: &[u8]) -> Event {
    let Some(payload) = data(event) else {
        return Event::Other;
    };
    if payload.trim_ascii() == b"[DONE]" {
        return Event::Done;
    }
    if !holds(&payload, b"\"usage\"") {
        // Chat and completion chunks name `choices`; Responses API text deltas are typed
        // `response.output_text.delta`, Anthropic's `text_delta`, `input_json_delta`, …
        return if holds(&payload, b"\"choices\"")
            || holds(&payload, b"text.delta")
            || holds(&payload, b"_delta\"")
        {
            Event::Chunk(None)
        } else {
            Event::Other
        };
    }
    match serde_json::from_slice::<ChunkShape>(&payload) {
        Ok(ChunkShape {
            choices,
            usage: Some(usage),
            ..
        }) if choices.as_ref().is_none_or(Vec::is_empty) => Event::UsageOnly(usage),
        Ok(ChunkShape {
            choices: Some(_),
            usage,
            ..
        }) => Event::Chunk(usage),
        Ok(ChunkShape {
            response: Some(ResponseShape { usage: Some(usage) }),
            ..
        }) => Event::Completed(usage),
        Ok(ChunkShape {
            message: Some(ResponseShape { usage: Some(usage) }),
            ..
        }) => Event::Started(usage),
        Ok(_) | Err(_) => Event::Other,
    }
}

/// An SSE event carrying an OpenAI-style error, for failures after the first byte.
pub fn error_event(message: &str, kind: &str, code: u16) -> Bytes {
    let body = serde_json::json!({
        "error": {"message": message, "type": kind, "param": null, "code": code.to_string()}
    });
    Bytes::from(format!("data: {body}\n\n"))
}

/// The end-of-stream marker.
pub const DONE: &[u8] = b"data: [DONE]\n\n";

#[cfg(test)]
mod tests {
    use super::*;

    impl Splitter {
        /// Adds `chunk` and takes every event now whole.
        pub(crate) fn events(&mut self, chunk: &[u8]) -> Vec<Bytes> {
            self.push(Bytes::copy_from_slice(chunk));
            std::iter::from_fn(|| self.next_event()).collect()
        }
    }

    #[test]
    fn events_are_cut_at_blank_lines_across_chunk_boundaries() {
        let mut splitter = Splitter::default();
        assert!(splitter.events(b"data: {\"a\"").is_empty());
        let events = splitter.events(b":1}\n\ndata: [DO");
        assert_eq!(events, vec![Bytes::from_static(b"data: {\"a\":1}\n\n")]);
        let events = splitter.events(b"NE]\r\n\r\ndata: 1\n\ndata: 2\n\n");
        assert_eq!(
            events,
            [&b"data: [DONE]\r\n\r\n"[..], b"data: 1\n\n", b"data: 2\n\n"]
        );
        assert_eq!(splitter.finish(), None);
        assert!(splitter.events(b"data: tail").is_empty());
        assert_eq!(splitter.finish(), Some(Bytes::from_static(b"data: tail")));
    }

    #[test]
    fn an_event_sent_a_byte_at_a_time_is_found_once_whole() {
        let event = [&b"data: "[..], &[b'x'; 5000], b"\r\n\r\n"].concat();
        let mut splitter = Splitter::default();
        let found: Vec<Bytes> = event
            .chunks(1)
            .chain([&b"data: next\n"[..]])
            .flat_map(|byte| splitter.events(byte))
            .collect();
        assert_eq!(found, [Bytes::from(event)]);
        assert_eq!(splitter.finish(), Some(Bytes::from_static(b"data: next\n")));
    }

    #[test]
    fn usage_only_chunks_content_chunks_and_done_are_told_apart() {
        let usage = br#"data: {"id":"x","choices":[],"usage":{"prompt_tokens":3,"completion_tokens":5,"total_tokens":8}}"#;
        assert_eq!(
            classify(usage),
            Event::UsageOnly(Usage {
                prompt_tokens: 3,
                completion_tokens: 5
            })
        );
        let content = br#"data: {"choices":[{"delta":{"content":"hi"}}]}"#;
        assert_eq!(classify(content), Event::Chunk(None));
        let with_null = br#"data: {"choices":[{"delta":{}}],"usage":null}"#;
        assert_eq!(classify(with_null), Event::Chunk(None));
        let both = br#"data: {"choices":[{"delta":{}}],"usage":{"prompt_tokens":1,"completion_tokens":2}}"#;
        assert_eq!(
            classify(both),
            Event::Chunk(Some(Usage {
                prompt_tokens: 1,
                completion_tokens: 2
            }))
        );
        assert_eq!(classify(b"data: [DONE]\n\n"), Event::Done);
        assert_eq!(classify(b": keep-alive\n\n"), Event::Other);
    }

    #[test]
    fn anthropic_message_events_give_their_usage() {
        let start = b"event: message_start\ndata: {\"type\":\"message_start\",\"message\":{\"id\":\"m\",\"usage\":{\"input_tokens\":9,\"output_tokens\":1}}}\n\n";
        assert_eq!(
            classify(start),
            Event::Started(Usage {
                prompt_tokens: 9,
                completion_tokens: 1
            })
        );
        let delta = b"event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\",\"text\":\"hi\"}}\n\n";
        assert_eq!(classify(delta), Event::Chunk(None));
        let end = b"event: message_delta\ndata: {\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"end_turn\"},\"usage\":{\"output_tokens\":7}}\n\n";
        assert_eq!(
            classify(end),
            Event::UsageOnly(Usage {
                prompt_tokens: 0,
                completion_tokens: 7
            })
        );
    }

    #[test]
    fn responses_api_deltas_and_their_completion_are_read() {
        let delta = b"event: response.output_text.delta\ndata: {\"type\":\"response.output_text.delta\",\"delta\":\"hi\"}\n\n";
        assert_eq!(classify(delta), Event::Chunk(None));
        let completed = br#"event: response.completed
data: {"type":"response.completed","response":{"id":"r","usage":{"input_tokens":4,"output_tokens":6,"total_tokens":10}}}"#;
        assert_eq!(
            classify(completed),
            Event::Completed(Usage {
                prompt_tokens: 4,
                completion_tokens: 6
            })
        );
        let created = br#"data: {"type":"response.created","response":{"id":"r","usage":null}}"#;
        assert_eq!(classify(created), Event::Other);
    }

    #[test]
    fn error_events_are_openai_shaped() {
        let event = error_event("upstream timed out", "timeout_error", 504);
        let text = std::str::from_utf8(&event).unwrap();
        assert!(text.starts_with("data: {") && text.ends_with("}\n\n"));
        assert!(text.contains("\"code\":\"504\""));
    }

    /// Properties over any bytes: however a stream is cut into chunks the splitter finds the
    /// same events and drops nothing but a whitespace tail; `classify` never panics, reads
    /// LF and CRLF events alike, and reads usage back exactly.
    mod properties {
        use proptest::prelude::*;
        use proptest::sample::Index;
        use serde_json::json;

        use super::super::*;

        /// A stream's bytes: pieces of events and line ends, with any byte between.
        fn stream() -> impl Strategy<Value = Vec<u8>> {
            let pieces: [&[u8]; 14] = [
                b"\n",
                b"\r",
                b"\r\n",
                b"\n\n",
                b"\r\n\r\n",
                b" ",
                b"data: ",
                b"data:",
                b": keep-alive",
                b"[DONE]",
                b"{\"choices\":[]",
                b",\"usage\":",
                b"{}",
                b"x",
            ];
            let piece = prop_oneof![
                3 => prop::sample::select(pieces.to_vec()).prop_map(<[u8]>::to_vec),
                1 => prop::collection::vec(any::<u8>(), 0..4),
            ];
            prop::collection::vec(piece, 0..64).prop_map(|pieces| pieces.concat())
        }

        /// Feeds `bytes` cut at `cuts` (anywhere) and answers the events and what `finish`
        /// leaves.
        fn feed(bytes: &[u8], cuts: &[Index]) -> (Vec<Bytes>, Option<Bytes>) {
            let mut at: Vec<usize> = cuts.iter().map(|cut| cut.index(bytes.len() + 1)).collect();
            at.extend([0, bytes.len()]);
            at.sort_unstable();
            let mut splitter = Splitter::default();
            let events = at
                .windows(2)
                .flat_map(|chunk| splitter.events(&bytes[chunk[0]..chunk[1]]))
                .collect();
            (events, splitter.finish())
        }

        /// One event's text with its lines ended by `end` and a blank line after.
        fn event(lines: &[String], end: &str) -> Vec<u8> {
            lines
                .iter()
                .flat_map(|line| [line.as_str(), end])
                .chain([end])
                .collect::<String>()
                .into_bytes()
        }

        proptest! {
            #![proptest_config(ProptestConfig::with_cases(256))]

            #[test]
            fn events_do_not_depend_on_where_the_stream_is_cut(
                bytes in stream(),
                cuts in prop::collection::vec(any::<Index>(), 0..16),
            ) {
                prop_assert_eq!(feed(&bytes, &cuts), feed(&bytes, &[]));
            }

            #[test]
            fn events_and_the_rest_are_the_stream_less_a_blank_tail(
                bytes in stream(),
                cuts in prop::collection::vec(any::<Index>(), 0..16),
            ) {
                let (events, rest) = feed(&bytes, &cuts);
                let whole = events.concat();
                prop_assert!(bytes.starts_with(&whole));
                let tail = &bytes[whole.len()..];
                match rest {
                    Some(rest) => prop_assert_eq!(&rest[..], tail),
                    None => prop_assert!(tail.iter().all(u8::is_ascii_whitespace)),
                }
                // Each event ends at its first blank line; the tail holds none.
                for event in &events {
                    prop_assert_eq!(boundary(event), Some(event.len()));
                }
                prop_assert_eq!(boundary(tail), None);
            }

            #[test]
            fn a_boundary_is_where_the_first_blank_line_ends_either_way(bytes in stream()) {
                let end = |blank: &[u8]| {
                    bytes.windows(blank.len()).position(|w| w == blank).map(|at| at + blank.len())
                };
                let first = match (end(b"\n\n"), end(b"\r\n\r\n")) {
                    (Some(lf), Some(crlf)) => Some(lf.min(crlf)),
                    (lf, crlf) => lf.or(crlf),
                };
                prop_assert_eq!(boundary(&bytes), first);
            }

            #[test]
            fn a_payload_is_its_data_lines_joined(
                lines in prop::collection::vec("(data: ?)?[^\r\n]*", 0..4),
                end in prop_oneof![Just("\n"), Just("\r\n")],
            ) {
                let payloads: Vec<&str> = lines
                    .iter()
                    .filter_map(|line| line.strip_prefix("data:"))
                    .map(|rest| rest.strip_prefix(' ').unwrap_or(rest))
                    .collect();
                let expected = (!payloads.is_empty()).then(|| payloads.join("\n").into_bytes());
                prop_assert_eq!(
                    data(&event(&lines, end)).map(Cow::into_owned),
                    expected
                );
            }

            #[test]
            fn classify_never_panics(
                bytes in prop_oneof![stream(), prop::collection::vec(any::<u8>(), 0..256)],
            ) {
                let _ = classify(&bytes);
            }

            #[test]
            fn lf_and_crlf_events_are_read_alike(
                lines in prop::collection::vec(
                    prop_oneof![
                        "data: [^\r\n]*",
                        "data:[^\r\n]*",
                        ": [^\r\n]*",
                        Just("data: [DONE]".to_owned()),
                        Just(r#"data: {"choices":[],"usage":{"prompt_tokens":1}}"#.to_owned()),
                        Just(r#"data: {"choices":[{}]}"#.to_owned()),
                    ],
                    0..4,
                ),
            ) {
                prop_assert_eq!(classify(&event(&lines, "\n")), classify(&event(&lines, "\r\n")));
            }

            #[test]
            fn usage_reads_back_exactly(
                prompt_tokens in any::<u64>(),
                completion_tokens in any::<u64>(),
                with_choices in any::<bool>(),
                end in prop::sample::select(vec!["\n", "\r\n"]),
            ) {
                let choices = if with_choices { json!([{"delta": {}}]) } else { json!([]) };
                let chunk = json!({
                    "id": "x",
                    "choices": choices,
                    "usage": {
                        "prompt_tokens": prompt_tokens,
                        "completion_tokens": completion_tokens,
                        "total_tokens": prompt_tokens.saturating_add(completion_tokens),
                    },
                });
                let usage = Usage { prompt_tokens, completion_tokens };
                let expected = if with_choices {
                    Event::Chunk(Some(usage))
                } else {
                    Event::UsageOnly(usage)
                };
                prop_assert_eq!(classify(&event(&[format!("data: {chunk}")], end)), expected);
            }
        }
    }
}
