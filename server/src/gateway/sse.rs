//! Server-Sent Events, as much as the gateway needs: split a byte stream into events without
//! copying their payloads, and read an event just enough to find `usage`.

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

/// Cuts a stream of bytes into whole events (each ending in a blank line).
#[derive(Debug, Default)]
pub struct Splitter {
    pending: BytesMut,
}

/// Where the first event boundary in `bytes` ends, if there is one.
fn boundary(bytes: &[u8]) -> Option<usize> {
    let lf = bytes.windows(2).position(|w| w == b"\n\n").map(|i| i + 2);
    let crlf = bytes
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .map(|i| i + 4);
    match (lf, crlf) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    }
}

impl Splitter {
    /// Adds `chunk` and returns every event now complete, boundary included.
    pub fn push(&mut self, chunk: &[u8]) -> Vec<Bytes> {
        self.pending.extend_from_slice(chunk);
        let mut events = Vec::new();
        while let Some(end) = boundary(&self.pending) {
            events.push(self.pending.split_to(end).freeze());
        }
        events
    }

    /// What is left when the stream ends (an event without its final blank line).
    pub fn finish(&mut self) -> Option<Bytes> {
        let rest = self.pending.split().freeze();
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

/// The `data:` payload of an event (lines joined with `\n`), if it has one.
pub fn data(event: &[u8]) -> Option<Vec<u8>> {
    let mut out: Option<Vec<u8>> = None;
    for line in event.split(|b| *b == b'\n') {
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        if let Some(rest) = line.strip_prefix(b"data:") {
            let rest = rest.strip_prefix(b" ").unwrap_or(rest);
            let buf = out.get_or_insert_with(Vec::new);
            if !buf.is_empty() {
                buf.push(b'\n');
            }
            buf.extend_from_slice(rest);
        }
    }
    out
}

/// Classifies one event. Only events that mention `"usage"` are parsed as JSON.
pub fn classify(event: &[u8]) -> Event {
    let Some(payload) = data(event) else {
        return Event::Other;
    };
    if payload.trim_ascii() == b"[DONE]" {
        return Event::Done;
    }
    let mentions_usage = payload.windows(7).any(|w| w == b"\"usage\"");
    if !mentions_usage {
        // Chat and completion chunks name `choices`; Responses API text deltas are typed
        // `response.output_text.delta`, Anthropic's `text_delta`, `input_json_delta`, …
        return if payload.windows(9).any(|w| w == b"\"choices\"")
            || payload.windows(10).any(|w| w == b"text.delta")
            || payload.windows(7).any(|w| w == b"_delta\"")
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

    #[test]
    fn events_are_cut_at_blank_lines_across_chunk_boundaries() {
        let mut splitter = Splitter::default();
        assert!(splitter.push(b"data: {\"a\"").is_empty());
        let events = splitter.push(b":1}\n\ndata: [DO");
        assert_eq!(events, vec![Bytes::from_static(b"data: {\"a\":1}\n\n")]);
        let events = splitter.push(b"NE]\r\n\r\n");
        assert_eq!(events, vec![Bytes::from_static(b"data: [DONE]\r\n\r\n")]);
        assert_eq!(splitter.finish(), None);
        splitter.push(b"data: tail");
        assert_eq!(splitter.finish(), Some(Bytes::from_static(b"data: tail")));
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
                .flat_map(|chunk| splitter.push(&bytes[chunk[0]..chunk[1]]))
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
