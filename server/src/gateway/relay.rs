//! Relaying an answer to the client: a stream as Server-Sent Events chunk by chunk (usage read
//! on the way, the usage-only chunk the gateway asked for stripped, a broken stream ended with
//! an error event), or a whole answer's usage read from its body.

use std::collections::VecDeque;
use std::convert::Infallible;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use futures::StreamExt;
use futures::stream::BoxStream;
use serde::Deserialize;

use super::accounting::Accounting;
use super::balancer::Slot;
use super::client::BodyError;
use super::deployment::Deployment;
use super::sse::{self, Event, Splitter, Usage};
use super::upstream::Answer;
use super::usage::estimate_tokens;
use crate::spend::Outcome;

/// Records the spend of a stream when it ends, however it ends (a client that goes away
/// drops the stream, and with it this guard).
struct StreamGuard {
    accounting: Accounting,
    deployment: Arc<Deployment>,
    _slot: Slot,
    usage: Option<Usage>,
    content_chunks: u64,
    ttft: Option<Duration>,
    outcome: Option<(Outcome, u16)>,
}

impl Drop for StreamGuard {
    fn drop(&mut self) {
        // 499: the client closed the connection (nginx's convention).
        let (outcome, status) = self.outcome.unwrap_or((Outcome::Cancelled, 499));
        self.accounting.record(
            Some(&self.deployment),
            self.usage,
            self.content_chunks,
            outcome,
            status,
            self.ttft,
        );
    }
}

struct Relay {
    upstream: BoxStream<'static, Result<Bytes, BodyError>>,
    splitter: Splitter,
    /// Drop the usage-only chunk (the client did not ask for it; the gateway did).
    strip_usage: bool,
    out: VecDeque<Bytes>,
    finished: bool,
    guard: StreamGuard,
}

impl Relay {
    fn take(&mut self, chunk: &[u8]) {
        if self.guard.ttft.is_none() {
            self.guard.ttft = Some(self.guard.accounting.started.elapsed());
        }
        for event in self.splitter.push(chunk) {
            match sse::classify(&event) {
                Event::UsageOnly(usage) => {
                    self.guard.usage = Some(usage);
                    if !self.strip_usage {
                        self.out.push_back(event);
                    }
                }
                Event::Chunk(usage) => {
                    self.guard.content_chunks += 1;
                    if usage.is_some() {
                        self.guard.usage = usage;
                    }
                    self.out.push_back(event);
                }
                Event::Done | Event::Other => self.out.push_back(event),
            }
        }
    }

    fn fail(&mut self, error: BodyError) {
        let (message, kind, status) = if error == BodyError::Timeout {
            (
                "the model server did not finish in time",
                "timeout_error",
                504,
            )
        } else {
            ("the model server's stream broke off", "upstream_error", 502)
        };
        tracing::warn!(cluster = %self.guard.deployment.cluster, %status, "stream failed after the first byte");
        self.out.push_back(sse::error_event(message, kind, status));
        self.out.push_back(Bytes::from_static(sse::DONE));
        self.guard.outcome = Some((Outcome::Failure, status));
        self.finished = true;
    }

    async fn next(mut self) -> Option<(Result<Bytes, Infallible>, Self)> {
        loop {
            if let Some(bytes) = self.out.pop_front() {
                return Some((Ok(bytes), self));
            }
            if self.finished {
                return None;
            }
            match self.upstream.next().await {
                Some(Ok(chunk)) => self.take(&chunk),
                Some(Err(error)) => self.fail(error),
                None => {
                    if let Some(rest) = self.splitter.finish() {
                        self.out.push_back(rest);
                    }
                    self.guard.outcome = Some((Outcome::Success, 200));
                    self.finished = true;
                }
            }
        }
    }
}

/// The body of a streaming answer: the model server's events as they arrive.
pub type RelayStream = BoxStream<'static, Result<Bytes, Infallible>>;

/// Relays a successful streaming answer as it arrives, reading usage on the way and
/// recording the request when the stream ends or the client goes away.
pub fn relay(answer: Answer, accounting: Accounting, strip_usage: bool) -> RelayStream {
    let relay = Relay {
        upstream: answer.response.into_stream().boxed(),
        splitter: Splitter::default(),
        strip_usage,
        out: VecDeque::new(),
        finished: false,
        guard: StreamGuard {
            accounting,
            deployment: answer.deployment,
            _slot: answer.slot,
            usage: None,
            content_chunks: 0,
            ttft: None,
            outcome: None,
        },
    };
    futures::stream::unfold(relay, Relay::next).boxed()
}

/// The usage of a whole (non-streaming) answer, or an estimate from its text. The choices
/// are only parsed when the model server reported no usage.
pub fn whole_usage(body: &[u8]) -> (Option<Usage>, u64) {
    #[derive(Deserialize)]
    struct UsageOnly {
        usage: Option<Usage>,
    }
    #[derive(Deserialize)]
    struct Choices {
        #[serde(default)]
        choices: Vec<serde_json::Value>,
    }
    if let Ok(UsageOnly { usage: Some(usage) }) = serde_json::from_slice::<UsageOnly>(body) {
        return (Some(usage), 0);
    }
    let Ok(Choices { choices }) = serde_json::from_slice::<Choices>(body) else {
        return (None, 0);
    };
    let chars: usize = choices
        .iter()
        .map(|c| {
            let text = c["message"]["content"]
                .as_str()
                .or_else(|| c["text"].as_str());
            text.map_or(0, |t| t.chars().count())
        })
        .sum();
    (
        None,
        if chars == 0 {
            0
        } else {
            estimate_tokens(chars)
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn whole_answers_give_usage_or_an_estimate() {
        let with = br#"{"choices":[],"usage":{"prompt_tokens":2,"completion_tokens":3}}"#;
        assert_eq!(whole_usage(with).0.unwrap().completion_tokens, 3);
        let without = br#"{"choices":[{"message":{"content":"12345678"}}]}"#;
        assert_eq!(whole_usage(without), (None, 2));
    }
}
