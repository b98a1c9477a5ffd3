//! Relaying an answer to the client: a stream as Server-Sent Events chunk by chunk (usage read
//! on the way, the usage-only chunk the gateway asked for stripped, post-call guardrails'
//! masks applied across chunk boundaries, a broken stream ended with an error event), or a
//! whole answer's usage read from its body.

use std::collections::VecDeque;
use std::convert::Infallible;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use bytes::Bytes;
use futures::StreamExt;
use futures::stream::BoxStream;
use serde::Deserialize;
use serde_json::Value;

use super::accounting::Accounting;
use super::balancer::Slot;
use super::client::BodyError;
use super::deployment::Deployment;
use super::sse::{self, Event, Splitter, Usage};
use super::upstream::Answer;
use super::usage::estimate_tokens;
use crate::guardrail::{Action, Blocked, StreamMasker};
use crate::spend::Outcome;

/// Records the spend of a stream when it ends, however it ends (a client that goes away
/// drops the stream, and with it this guard).
struct StreamGuard {
    accounting: Accounting,
    deployment: Arc<Deployment>,
    _slot: Slot,
    /// The stream's place among `max_streams`, given back when it ends.
    _place: tokio::sync::OwnedSemaphorePermit,
    usage: Option<Usage>,
    /// Input tokens a stream announced before its final count (Anthropic's
    /// `message_start`); they become usage only when the output count arrives.
    announced_prompt: u64,
    content_chunks: u64,
    ttft: Option<Duration>,
    outcome: Option<(Outcome, u16)>,
}

impl Drop for StreamGuard {
    fn drop(&mut self) {
        // 499: the client closed the connection (nginx's convention).
        let (outcome, status) = self.outcome.unwrap_or((Outcome::Cancelled, 499));
        // Without a final count, input tokens the stream announced are the better estimate
        // (they count what the request's text alone does not: tools, images, documents).
        if self.usage.is_none() {
            let estimate = &mut self.accounting.prompt_estimate;
            *estimate = (*estimate).max(self.announced_prompt);
        }
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

/// The most an event may hold before its end arrives: a model server that never ends one
/// (no blank line) has its stream ended rather than buffered until the deployment's timeout.
/// Far above any real event (a Responses API `response.completed` carries the whole answer).
const MAX_EVENT_BYTES: usize = 16 << 20;

struct Relay {
    upstream: BoxStream<'static, Result<Bytes, BodyError>>,
    splitter: Splitter,
    /// Drop the usage-only chunk (the client did not ask for it; the gateway did).
    strip_usage: bool,
    out: VecDeque<Bytes>,
    finished: bool,
    guard: StreamGuard,
    /// The post-call guardrails' masking, when any run.
    masking: Option<Masking>,
}

/// A stream's post-call guardrails: the masker, what the last chunk (or Responses API text
/// delta) looked like, to shape the one that carries text still held when a part ends
/// without saying so, and how many masking guardrails have been counted.
struct Masking {
    masker: StreamMasker,
    last_chunk: Option<Value>,
    counted: usize,
}

impl Masking {
    /// Masks the text of one chunk's choices; the event to send instead, or none when the
    /// event is not a chunk this can read.
    fn event(&mut self, event: &[u8]) -> Result<Option<Vec<Bytes>>, Blocked> {
        let Some(data) = sse::data(event).and_then(|p| serde_json::from_slice::<Value>(&p).ok())
        else {
            return Ok(None);
        };
        if data.get("choices").is_some() {
            return self.chunk(data);
        }
        self.response_event(data)
    }

    /// A Responses API event: text deltas go through the masker by output part, the part's
    /// end sends what it held, and events that repeat the text (a part or response done)
    /// have it masked whole.
    fn response_event(&mut self, mut data: Value) -> Result<Option<Vec<Bytes>>, Blocked> {
        let kind = data["type"].as_str().unwrap_or_default().to_owned();
        if !kind.starts_with("response.") {
            return Ok(None);
        }
        let part = data["output_index"].as_u64().unwrap_or(0) * 1024
            + data["content_index"].as_u64().unwrap_or(0);
        let mut shown = Vec::new();
        match kind.as_str() {
            "response.output_text.delta" => {
                let delta = data["delta"].as_str().unwrap_or_default().to_owned();
                let masked = self.masker.push(part, &delta)?;
                if let Some(fields) = data.as_object_mut() {
                    fields.insert("delta".into(), Value::String(masked));
                }
                self.last_chunk = Some(data.clone());
            }
            "response.output_text.done" => {
                shown.extend(self.held_deltas(Some(part))?);
                self.masker.whole(&mut data)?;
            }
            // The response's end sends what a server that skipped the parts' ends left held.
            "response.completed" | "response.incomplete" | "response.failed" => {
                shown.extend(self.held_deltas(None)?);
                self.masker.whole(&mut data)?;
            }
            _ => self.masker.whole(&mut data)?,
        }
        shown.push(response_bytes(&data));
        Ok(Some(shown))
    }

    /// Text deltas carrying what the masker holds for output part `only` (or every part),
    /// shaped like the last delta sent.
    fn held_deltas(&mut self, only: Option<u64>) -> Result<Vec<Bytes>, Blocked> {
        let parts = match only {
            Some(part) => vec![part],
            None => self.masker.held(),
        };
        let mut shown = Vec::new();
        for part in parts {
            let rest = self.masker.finish(part)?;
            let Some(mut delta) = self.last_chunk.clone().filter(|_| !rest.is_empty()) else {
                continue;
            };
            if let Some(fields) = delta.as_object_mut() {
                fields.insert("output_index".into(), (part / 1024).into());
                fields.insert("content_index".into(), (part % 1024).into());
                fields.insert("delta".into(), Value::String(rest));
            }
            shown.push(response_bytes(&delta));
        }
        Ok(shown)
    }

    /// A chat or completion chunk with its choices' text masked, preceded by a chunk with
    /// the text held for a choice's other parts when the choice moves on to a new part
    /// (its reasoning ends and its content starts, a tool call follows text): the held tail
    /// arrives before the next part begins, as clients that build blocks part by part (the
    /// Anthropic Messages translation) need.
    fn chunk(&mut self, mut chunk: Value) -> Result<Option<Vec<Bytes>>, Blocked> {
        let template = chunk.clone();
        let Some(choices) = chunk.get_mut("choices").and_then(Value::as_array_mut) else {
            return Ok(None);
        };
        let mut shown = Vec::new();
        for choice in choices {
            let index = choice.get("index").and_then(Value::as_u64).unwrap_or(0);
            let finished = choice.get("finish_reason").is_some_and(|r| !r.is_null());
            let present: Vec<u64> = slot_texts(choice)
                .into_iter()
                .filter(|(_, text)| !text.is_empty())
                .map(|(slot, _)| slot_key(index, slot))
                .collect();
            if !present.is_empty() {
                for key in self.masker.held() {
                    if key / SLOTS == index && !present.contains(&key) {
                        let rest = self.masker.finish(key)?;
                        shown.extend(held_chunk(&template, key, &rest));
                    }
                }
            }
            for (slot, text) in slot_texts(choice) {
                let masked = self.masker.push(slot_key(index, slot), text)?;
                *text = masked;
            }
            if finished {
                for key in self.masker.held() {
                    if key / SLOTS == index {
                        let rest = self.masker.finish(key)?;
                        append_slot(choice, key % SLOTS, &rest);
                    }
                }
            }
        }
        shown.push(Bytes::from(format!("data: {chunk}\n\n")));
        self.last_chunk = Some(chunk);
        Ok(Some(shown))
    }

    /// Chunks carrying the text still held when the stream ends.
    fn rest(&mut self) -> Result<Vec<Bytes>, Blocked> {
        let mut events = Vec::new();
        for key in self.masker.held() {
            let text = self.masker.finish(key)?;
            if let Some(template) = self
                .last_chunk
                .as_ref()
                .filter(|c| c.get("choices").is_some())
            {
                events.extend(held_chunk(template, key, &text));
            }
        }
        Ok(events)
    }
}

/// A chunk shaped like `template` that carries only `text`, held for masker key `key`
/// (none for no text).
fn held_chunk(template: &Value, key: u64, text: &str) -> Option<Bytes> {
    if text.is_empty() {
        return None;
    }
    let mut chunk = template.clone();
    let completion = chunk["choices"][0].get("delta").is_none();
    let mut choice = serde_json::json!({"index": key / SLOTS, "finish_reason": null});
    if !completion {
        choice["delta"] = serde_json::json!({});
    }
    append_slot(&mut choice, key % SLOTS, text);
    chunk["choices"] = Value::Array(vec![choice]);
    if let Some(object) = chunk.as_object_mut() {
        object.remove("usage");
    }
    Some(Bytes::from(format!("data: {chunk}\n\n")))
}

/// A Responses API event as Server-Sent Events, named by its type.
fn response_bytes(data: &Value) -> Bytes {
    let kind = data["type"].as_str().unwrap_or_default();
    Bytes::from(format!("event: {kind}\ndata: {data}\n\n"))
}

/// Masker keys per choice: each choice's text, reasoning and tool calls' arguments are held
/// apart (`slot` 0 the text, 1 `reasoning_content`, 2 `reasoning`, 16 + n tool call n).
const SLOTS: u64 = 1 << 20;

fn slot_key(choice: u64, slot: u64) -> u64 {
    choice.min(u64::MAX / SLOTS - 1) * SLOTS + slot
}

/// The texts a streamed choice carries, by slot: a completion's `text`, or a chat delta's
/// content, reasoning and tool calls' arguments.
fn slot_texts(choice: &mut Value) -> Vec<(u64, &mut String)> {
    let mut texts = Vec::new();
    let Some(choice) = choice.as_object_mut() else {
        return texts;
    };
    if !choice.contains_key("delta") {
        if let Some(Value::String(text)) = choice.get_mut("text") {
            texts.push((0, text));
        }
        return texts;
    }
    let Some(delta) = choice.get_mut("delta").and_then(Value::as_object_mut) else {
        return texts;
    };
    for (field, value) in delta.iter_mut() {
        match (field.as_str(), value) {
            ("content", Value::String(text)) => texts.push((0, text)),
            ("reasoning_content", Value::String(text)) => texts.push((1, text)),
            ("reasoning", Value::String(text)) => texts.push((2, text)),
            ("tool_calls", Value::Array(calls)) => {
                for call in calls {
                    let slot = 16 + call["index"].as_u64().unwrap_or(0).min(SLOTS - 17);
                    if let Some(Value::String(arguments)) = call
                        .get_mut("function")
                        .and_then(|f| f.get_mut("arguments"))
                    {
                        texts.push((slot, arguments));
                    }
                }
            }
            _ => {}
        }
    }
    texts
}

/// Appends `rest` to slot `slot` of a streamed choice, adding the field where the chunk has
/// none.
fn append_slot(choice: &mut Value, slot: u64, rest: &str) {
    fn append(fields: &mut serde_json::Map<String, Value>, field: &str, rest: &str) {
        match fields.get_mut(field) {
            Some(Value::String(text)) => text.push_str(rest),
            _ => {
                fields.insert(field.into(), Value::String(rest.to_owned()));
            }
        }
    }
    if rest.is_empty() {
        return;
    }
    let Some(choice) = choice.as_object_mut() else {
        return;
    };
    if !choice.contains_key("delta") {
        return append(choice, "text", rest);
    }
    let Some(delta) = choice.get_mut("delta").and_then(Value::as_object_mut) else {
        return;
    };
    match slot {
        0 => append(delta, "content", rest),
        1 => append(delta, "reasoning_content", rest),
        2 => append(delta, "reasoning", rest),
        tool => {
            let index = tool.saturating_sub(16);
            let calls = delta
                .entry("tool_calls")
                .or_insert_with(|| Value::Array(Vec::new()));
            let Some(calls) = calls.as_array_mut() else {
                return;
            };
            let at = match calls
                .iter()
                .position(|c| c["index"].as_u64() == Some(index))
            {
                Some(at) => at,
                None => {
                    calls.push(serde_json::json!({"index": index, "function": {}}));
                    calls.len() - 1
                }
            };
            if let Some(function) = calls[at]
                .as_object_mut()
                .map(|call| {
                    call.entry("function")
                        .or_insert_with(|| serde_json::json!({}))
                })
                .and_then(Value::as_object_mut)
            {
                append(function, "arguments", rest);
            }
        }
    }
}

impl Relay {
    fn take(&mut self, chunk: Bytes) {
        if self.guard.ttft.is_none() {
            self.guard.ttft = Some(self.guard.accounting.started.elapsed());
        }
        self.splitter.push(chunk);
        while let Some(event) = self.splitter.next_event() {
            match sse::classify(&event) {
                Event::UsageOnly(usage) => {
                    self.note_usage(usage);
                    if !self.strip_usage {
                        self.out.push_back(event);
                    }
                }
                Event::Chunk(usage) => {
                    self.guard.content_chunks += 1;
                    if let Some(usage) = usage {
                        self.note_usage(usage);
                    }
                    self.show(event);
                }
                Event::Completed(usage) => {
                    self.note_usage(usage);
                    self.show(event);
                }
                Event::Started(usage) => {
                    self.guard.announced_prompt = usage.prompt_tokens;
                    self.show(event);
                }
                Event::Done => {
                    self.flush_held();
                    if self.finished {
                        return;
                    }
                    self.out.push_back(event);
                }
                Event::Other => self.show(event),
            }
            if self.finished {
                return;
            }
        }
        self.count_masks();
        if self.splitter.unfinished() > MAX_EVENT_BYTES {
            self.end_with_error(
                "the model server sent an event larger than the gateway relays (16 MiB)",
                "upstream_error",
                502,
            );
        }
    }

    /// Notes reported usage: each count the report gives replaces the one before; input
    /// tokens announced at the start fill in a final report that leaves them out (Anthropic's
    /// `message_delta`). A report of nothing at all is not usage: the answer is then
    /// estimated rather than free.
    fn note_usage(&mut self, usage: Usage) {
        if usage.prompt_tokens == 0 && usage.completion_tokens == 0 {
            return;
        }
        let before = self.guard.usage.unwrap_or(Usage {
            prompt_tokens: self.guard.announced_prompt,
            completion_tokens: 0,
        });
        let pick = |new: u64, old: u64| if new > 0 { new } else { old };
        self.guard.usage = Some(Usage {
            prompt_tokens: pick(usage.prompt_tokens, before.prompt_tokens),
            completion_tokens: pick(usage.completion_tokens, before.completion_tokens),
        });
    }

    /// Queues `event` for the client, masked when post-call guardrails run.
    fn show(&mut self, event: Bytes) {
        match self.masking.as_mut().map(|m| m.event(&event)) {
            Some(Err(blocked)) => self.block(blocked),
            Some(Ok(Some(masked))) => self.out.extend(masked),
            Some(Ok(None)) | None => self.out.push_back(event),
        }
    }

    /// Sends what the masker still holds (a stream that ended without `finish_reason`).
    fn flush_held(&mut self) {
        let rest = match self.masking.as_mut().map(Masking::rest) {
            Some(Err(blocked)) => return self.block(blocked),
            Some(Ok(rest)) => rest,
            None => Vec::new(),
        };
        self.out.extend(rest);
        self.count_masks();
    }

    /// Notes the guardrails that masked something since the last note.
    fn count_masks(&mut self) {
        if let Some(masking) = self.masking.as_mut() {
            let masked = &masking.masker.masked().guardrails;
            for guardrail in &masked[masking.counted..] {
                self.guard.accounting.guardrail(guardrail, Action::Mask);
            }
            masking.counted = masked.len();
        }
    }

    /// Ends the stream: a post-call guardrail refused the answer.
    fn block(&mut self, blocked: Blocked) {
        let accounting = &self.guard.accounting;
        accounting.guardrail(&blocked.guardrail, Action::Block);
        accounting
            .answer_refused
            .store(true, std::sync::atomic::Ordering::Relaxed);
        self.out.push_back(sse::error_event(
            &blocked.message(),
            "permission_denied_error",
            403,
        ));
        self.out.push_back(Bytes::from_static(sse::DONE));
        self.guard.outcome = Some((Outcome::Failure, 403));
        self.finished = true;
    }

    fn fail(&mut self, error: BodyError) {
        if error == BodyError::Timeout {
            self.end_with_error(
                "the model server did not finish in time",
                "timeout_error",
                504,
            );
        } else {
            self.end_with_error("the model server's stream broke off", "upstream_error", 502);
        }
    }

    /// Ends the stream after its first byte: an error event in OpenAI's shape, then the end.
    fn end_with_error(&mut self, message: &str, kind: &str, status: u16) {
        tracing::warn!(cluster = %self.guard.deployment.cluster, %status, "stream failed after the first byte: {message}");
        self.out.push_back(sse::error_event(message, kind, status));
        self.out.push_back(Bytes::from_static(sse::DONE));
        self.guard.outcome = Some((Outcome::Failure, status));
        self.finished = true;
    }
}

/// The relay is its own stream (not an `unfold` of an async step): `unfold` moved the whole
/// relay, its accounting included, into and out of a new future for every event.
impl futures::Stream for Relay {
    type Item = Result<Bytes, Infallible>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = &mut *self;
        loop {
            if let Some(bytes) = this.out.pop_front() {
                return Poll::Ready(Some(Ok(bytes)));
            }
            if this.finished {
                return Poll::Ready(None);
            }
            match std::task::ready!(this.upstream.poll_next_unpin(cx)) {
                Some(Ok(chunk)) => this.take(chunk),
                Some(Err(error)) => this.fail(error),
                None => {
                    if let Some(rest) = this.splitter.finish() {
                        this.show(rest);
                    }
                    this.flush_held();
                    if !this.finished {
                        this.guard.outcome = Some((Outcome::Success, 200));
                        this.finished = true;
                    }
                }
            }
        }
    }
}

/// The body of a streaming answer: the model server's events as they arrive.
pub type RelayStream = BoxStream<'static, Result<Bytes, Infallible>>;

/// Relays a successful streaming answer as it arrives, reading usage on the way, masking
/// with `masker` when post-call guardrails run, and recording the request when the stream
/// ends or the client goes away.
pub fn relay(
    answer: Answer,
    accounting: Accounting,
    strip_usage: bool,
    masker: Option<StreamMasker>,
    place: tokio::sync::OwnedSemaphorePermit,
) -> RelayStream {
    let relay = Relay {
        masking: masker.map(|masker| Masking {
            masker,
            last_chunk: None,
            counted: 0,
        }),
        upstream: answer.response.into_stream().boxed(),
        splitter: Splitter::default(),
        strip_usage,
        out: VecDeque::new(),
        finished: false,
        guard: StreamGuard {
            accounting,
            deployment: answer.deployment,
            _slot: answer.slot,
            _place: place,
            usage: None,
            announced_prompt: 0,
            content_chunks: 0,
            ttft: None,
            outcome: None,
        },
    };
    relay.boxed()
}

/// The usage of a whole (non-streaming) answer, or an estimate from its text. The choices
/// are only parsed when the model server reported no usage. An answer counting only
/// `total_tokens` (rerank, score) has that many prompt tokens.
pub fn whole_usage(body: &[u8]) -> (Option<Usage>, u64) {
    #[derive(Deserialize)]
    struct Counted {
        #[serde(default, alias = "input_tokens")]
        prompt_tokens: u64,
        #[serde(default, alias = "output_tokens")]
        completion_tokens: u64,
        #[serde(default)]
        total_tokens: u64,
        /// Seconds of audio a transcription heard (`"type": "duration"`).
        #[serde(default)]
        seconds: Option<f64>,
    }
    #[derive(Deserialize)]
    struct UsageOnly {
        usage: Option<Counted>,
    }
    #[derive(Deserialize)]
    struct Choices {
        #[serde(default)]
        choices: Vec<serde_json::Value>,
        /// A transcription's text.
        #[serde(default)]
        text: Option<String>,
    }
    // The usage member is found on the bytes: the parser would read every other value, an
    // embedding's thousands of numbers included, to skip it. Bytes that reading cannot
    // follow are left to the parser. (An answer broken only in another member is now read
    // for its usage, where the parser refused it whole: BENCHMARKS.md.)
    let counted = match super::json_values::top_level_member(body, b"usage") {
        Ok(Some(usage)) => serde_json::from_slice::<Option<Counted>>(usage)
            .ok()
            .flatten(),
        Ok(None) => None,
        Err(_) => serde_json::from_slice::<UsageOnly>(body)
            .ok()
            .and_then(|only| only.usage),
    };
    // A transcription's usage may count seconds of audio, not tokens: its tokens are then
    // estimated from its text.
    if let Some(counted) = counted
        && (counted.seconds.is_none()
            || (
                counted.prompt_tokens,
                counted.completion_tokens,
                counted.total_tokens,
            ) != (0, 0, 0))
    {
        let only_total = counted.prompt_tokens == 0 && counted.completion_tokens == 0;
        let usage = Usage {
            prompt_tokens: if only_total {
                counted.total_tokens
            } else {
                counted.prompt_tokens
            },
            completion_tokens: counted.completion_tokens,
        };
        return (Some(usage), 0);
    }
    let Ok(Choices { choices, text }) = serde_json::from_slice::<Choices>(body) else {
        // A plain-text answer (a transcript as `text`, `srt` or `vtt`): its length.
        let chars = std::str::from_utf8(body).map_or(0, |text| text.trim().chars().count());
        return (
            None,
            if chars == 0 {
                0
            } else {
                estimate_tokens(chars)
            },
        );
    };
    let chars: usize = choices
        .iter()
        .map(|c| {
            let text = c["message"]["content"]
                .as_str()
                .or_else(|| c["text"].as_str());
            text.map_or(0, |t| t.chars().count())
        })
        .sum::<usize>()
        + text.map_or(0, |t| t.chars().count());
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

    /// A masking relay state for one post-call guardrail masking AWS keys.
    fn masking() -> Masking {
        let config: crate::config::GuardrailConfig = serde_json::from_value(serde_json::json!({
            "guardrail_name": "out", "mode": "post_call", "default_on": true,
            "patterns": [{"pattern_type": "prebuilt", "pattern_name": "aws_access_key",
                          "action": "MASK"}]}))
        .expect("a guardrail");
        let rails = crate::guardrail::Guardrails::build(&[config]).expect("valid");
        let scanner = rails.active(crate::guardrail::Mode::PostCall, "m", &[]);
        Masking {
            masker: StreamMasker::new(scanner).expect("runs"),
            last_chunk: None,
            counted: 0,
        }
    }

    fn sent(masking: &mut Masking, chunks: &[Value]) -> String {
        chunks
            .iter()
            .flat_map(|chunk| {
                let event = format!("data: {chunk}\n\n");
                masking
                    .event(event.as_bytes())
                    .expect("not blocked")
                    .expect("read")
            })
            .map(|bytes| String::from_utf8(bytes.to_vec()).expect("text"))
            .collect()
    }

    #[test]
    fn reasoning_and_tool_call_arguments_are_masked_across_chunks() {
        let chunk = |delta: Value, finish: Value| {
            serde_json::json!({"id": "c", "choices": [{"index": 0, "delta": delta,
                                                        "finish_reason": finish}]})
        };
        let call = |arguments: &str| serde_json::json!({"tool_calls": [{"index": 0, "function": {"arguments": arguments}}]});
        let mut state = masking();
        let shown = sent(
            &mut state,
            &[
                chunk(
                    serde_json::json!({"reasoning_content": "the key AKIAIOSF"}),
                    Value::Null,
                ),
                chunk(
                    serde_json::json!({"reasoning_content": "ODNN7EXAMPLE is"}),
                    Value::Null,
                ),
                chunk(call("{\"key\": \"AKIAIOSFOD"), Value::Null),
                chunk(call("NN7EXAMPLE\"}"), serde_json::json!("tool_calls")),
            ],
        );
        assert!(!shown.contains("AKIA"), "{shown}");
        assert_eq!(
            shown.matches("[AWS_ACCESS_KEY_REDACTED]").count(),
            2,
            "{shown}"
        );
        let reasoning: String = shown
            .split("\n\n")
            .filter_map(|e| e.strip_prefix("data: "))
            .filter_map(|e| serde_json::from_str::<Value>(e).ok())
            .filter_map(|c| {
                c["choices"][0]["delta"]["reasoning_content"]
                    .as_str()
                    .map(str::to_owned)
            })
            .collect();
        assert_eq!(reasoning, "the key [AWS_ACCESS_KEY_REDACTED] is");
        // The reasoning's held tail is sent before the tool call starts, so each part of
        // the answer arrives whole before the next begins.
        let parts: Vec<&str> = shown
            .split("\n\n")
            .filter(|e| e.contains("reasoning_content") || e.contains("tool_calls"))
            .map(|e| {
                if e.contains("reasoning_content") {
                    "reasoning"
                } else {
                    "tool"
                }
            })
            .collect();
        let first_tool = parts
            .iter()
            .position(|p| *p == "tool")
            .expect("a tool call");
        assert!(
            parts[first_tool..].iter().all(|p| *p == "tool"),
            "{parts:?}\n{shown}"
        );
    }

    #[test]
    fn whole_answers_give_usage_or_an_estimate() {
        let with = br#"{"choices":[],"usage":{"prompt_tokens":2,"completion_tokens":3}}"#;
        assert_eq!(whole_usage(with).0.unwrap().completion_tokens, 3);
        let without = br#"{"choices":[{"message":{"content":"12345678"}}]}"#;
        assert_eq!(whole_usage(without), (None, 2));
        let responded =
            br#"{"output":[],"usage":{"input_tokens":5,"output_tokens":7,"total_tokens":12}}"#;
        assert_eq!(
            whole_usage(responded).0,
            Some(Usage {
                prompt_tokens: 5,
                completion_tokens: 7
            })
        );
        let reranked = br#"{"results":[],"usage":{"total_tokens":42}}"#;
        assert_eq!(whole_usage(reranked).0.unwrap().prompt_tokens, 42);
    }
}
