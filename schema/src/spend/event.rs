//! The accounting record of one settled request: what the gateway hands to the ledger and the
//! live feed, and what [`super::write_batch`] stores. It lives beside its storage so the rows
//! and the record they come from change together. Its JSON, one line per request in the
//! server's spend journal, is written by hand ([`SpendEvent::write_json`]): the same bytes as
//! the derived `Serialize`, for a fifth of the work.

use std::borrow::Cow;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// How a request ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Outcome {
    /// The model server answered and the answer reached the client.
    Success,
    /// The request failed (upstream error, timeout, or no deployment).
    Failure,
    /// The client went away before the answer was complete.
    Cancelled,
}

impl Outcome {
    /// As stored and shown.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Success => "success",
            Self::Failure => "failure",
            Self::Cancelled => "cancelled",
        }
    }
}

/// The accounting record of one request. Serialisable for the server's spend journal, which
/// keeps it on disk until it is written.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SpendEvent {
    pub request_id: String,
    /// The key's id, for live subscribers (the ledger stores the hash).
    pub key_id: Option<Uuid>,
    pub key_hash: Option<String>,
    pub user_id: Option<Uuid>,
    pub model: String,
    pub deployment_id: Option<Uuid>,
    pub cluster: Option<String>,
    pub call_type: Cow<'static, str>,
    pub prompt_tokens: u64,
    pub completion_tokens: u64,
    pub estimated: bool,
    pub cost_nanos: i64,
    pub outcome: Outcome,
    pub http_status: u16,
    #[serde(serialize_with = "crate::rfc3339::serialize")]
    pub started_at: DateTime<Utc>,
    #[serde(serialize_with = "crate::rfc3339::serialize")]
    pub ended_at: DateTime<Utc>,
    pub ttft_ms: Option<u64>,
    pub duration_ms: u64,
    /// The guardrails that blocked or masked it (names, comma-separated).
    #[serde(default)]
    pub guardrail: Option<String>,
}

impl SpendEvent {
    /// Appends the event as JSON to `out`: byte for byte what `serde_json` writes from the
    /// derived `Serialize` (and reads back with `Deserialize`), without its per-field calls,
    /// per-byte escape table and formatter.
    pub fn write_json(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(b"{\"request_id\":");
        text(out, &self.request_id);
        out.extend_from_slice(b",\"key_id\":");
        optional(out, self.key_id.as_ref(), uuid);
        out.extend_from_slice(b",\"key_hash\":");
        optional(out, self.key_hash.as_deref(), text);
        out.extend_from_slice(b",\"user_id\":");
        optional(out, self.user_id.as_ref(), uuid);
        out.extend_from_slice(b",\"model\":");
        text(out, &self.model);
        out.extend_from_slice(b",\"deployment_id\":");
        optional(out, self.deployment_id.as_ref(), uuid);
        out.extend_from_slice(b",\"cluster\":");
        optional(out, self.cluster.as_deref(), text);
        out.extend_from_slice(b",\"call_type\":");
        text(out, &self.call_type);
        out.extend_from_slice(b",\"prompt_tokens\":");
        number(out, self.prompt_tokens);
        out.extend_from_slice(b",\"completion_tokens\":");
        number(out, self.completion_tokens);
        out.extend_from_slice(b",\"estimated\":");
        out.extend_from_slice(if self.estimated { b"true" } else { b"false" });
        out.extend_from_slice(b",\"cost_nanos\":");
        number(out, self.cost_nanos);
        out.extend_from_slice(b",\"outcome\":\"");
        out.extend_from_slice(self.outcome.as_str().as_bytes());
        out.extend_from_slice(b"\",\"http_status\":");
        number(out, self.http_status);
        out.extend_from_slice(b",\"started_at\":");
        time(out, &self.started_at);
        out.extend_from_slice(b",\"ended_at\":");
        time(out, &self.ended_at);
        out.extend_from_slice(b",\"ttft_ms\":");
        optional(out, self.ttft_ms.as_ref(), |out, ms| number(out, *ms));
        out.extend_from_slice(b",\"duration_ms\":");
        number(out, self.duration_ms);
        out.extend_from_slice(b",\"guardrail\":");
        optional(out, self.guardrail.as_deref(), text);
        out.push(b'}');
    }
}

/// `null`, or the value as `write` writes it.
fn optional<T: ?Sized>(out: &mut Vec<u8>, value: Option<&T>, write: impl Fn(&mut Vec<u8>, &T)) {
    match value {
        Some(value) => write(out, value),
        None => out.extend_from_slice(b"null"),
    }
}

/// A JSON string: copied between quotes when nothing in it needs escaping (ids, hashes,
/// model names), else escaped by `serde_json` itself. The check looks at every byte, with no
/// early exit, so the compiler does it many bytes at a time: stopping at the first byte that
/// needs escaping cost 1,385 instructions per request (this, 650), on strings that almost
/// never have one.
fn text(out: &mut Vec<u8>, value: &str) {
    let plain = value.bytes().fold(true, |plain, b| {
        plain & (b >= 0x20) & (b != b'"') & (b != b'\\')
    });
    if plain {
        out.push(b'"');
        out.extend_from_slice(value.as_bytes());
        out.push(b'"');
    } else if serde_json::to_writer(&mut *out, value).is_err() {
        // Writing to a Vec does not fail; an unreachable failure still leaves valid JSON.
        out.extend_from_slice(b"null");
    }
}

fn uuid(out: &mut Vec<u8>, id: &Uuid) {
    let mut buffer = Uuid::encode_buffer();
    out.push(b'"');
    out.extend_from_slice(id.hyphenated().encode_lower(&mut buffer).as_bytes());
    out.push(b'"');
}

fn number(out: &mut Vec<u8>, value: impl itoa::Integer) {
    out.extend_from_slice(itoa::Buffer::new().format(value).as_bytes());
}

fn time(out: &mut Vec<u8>, at: &DateTime<Utc>) {
    match crate::rfc3339::digits(at) {
        Some(digits) => {
            out.push(b'"');
            out.extend_from_slice(&digits);
            out.push(b'"');
        }
        // Years of other than four digits and leap seconds, as chrono writes them.
        None => {
            if serde_json::to_writer(&mut *out, at).is_err() {
                out.extend_from_slice(b"null");
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;
    use proptest::prelude::*;

    use super::*;

    fn event() -> impl Strategy<Value = SpendEvent> {
        let id = prop::option::of(any::<u128>().prop_map(Uuid::from_u128));
        let text = || prop_oneof!["[a-z0-9-]{0,20}", any::<String>()];
        let at = (-62_135_596_800_i64..=300_000_000_000, 0..1_500_000_000_u32)
            .prop_filter_map("a time", |(s, n)| DateTime::from_timestamp(s, n));
        (
            (
                text(),
                id.clone(),
                prop::option::of(text()),
                id.clone(),
                text(),
                id,
            ),
            (
                prop::option::of(text()),
                text(),
                any::<u64>(),
                any::<u64>(),
                any::<bool>(),
            ),
            (any::<i64>(), 0..3_u8, any::<u16>(), at.clone(), at),
            (
                prop::option::of(any::<u64>()),
                any::<u64>(),
                prop::option::of(text()),
            ),
        )
            .prop_map(|(a, b, c, d)| SpendEvent {
                request_id: a.0,
                key_id: a.1,
                key_hash: a.2,
                user_id: a.3,
                model: a.4,
                deployment_id: a.5,
                cluster: b.0,
                call_type: Cow::Owned(b.1),
                prompt_tokens: b.2,
                completion_tokens: b.3,
                estimated: b.4,
                cost_nanos: c.0,
                outcome: [Outcome::Success, Outcome::Failure, Outcome::Cancelled][usize::from(c.1)],
                http_status: c.2,
                started_at: c.3,
                ended_at: c.4,
                ttft_ms: d.0,
                duration_ms: d.1,
                guardrail: d.2,
            })
    }

    fn written(event: &SpendEvent) -> Vec<u8> {
        let mut out = Vec::new();
        event.write_json(&mut out);
        out
    }

    #[test]
    fn a_request_is_written_as_serde_writes_it() {
        let at = Utc.with_ymd_and_hms(2026, 12, 6, 4, 5, 6).unwrap();
        let event = SpendEvent {
            request_id: "0193a5c4-1d2e-7f00-8000-000000000001".into(),
            key_id: Some(Uuid::from_u128(7)),
            key_hash: Some("ab".repeat(32)),
            user_id: None,
            model: "granite \"3\"\n".into(),
            deployment_id: None,
            cluster: Some("east".into()),
            call_type: Cow::Borrowed("chat"),
            prompt_tokens: 12,
            completion_tokens: 11,
            estimated: true,
            cost_nanos: -5,
            outcome: Outcome::Cancelled,
            http_status: 499,
            started_at: at,
            ended_at: at,
            ttft_ms: None,
            duration_ms: 3,
            guardrail: Some("pii".into()),
        };
        assert_eq!(
            String::from_utf8(written(&event)).unwrap(),
            serde_json::to_string(&event).unwrap()
        );
    }

    proptest! {
        /// Any event, strings that need escaping and times chrono writes its own way included.
        #[test]
        fn any_event_is_written_as_serde_writes_it_and_read_back(event in event()) {
            let line = written(&event);
            prop_assert_eq!(&line, &serde_json::to_vec(&event).unwrap());
            let back: SpendEvent = serde_json::from_slice(&line).unwrap();
            prop_assert_eq!(back.request_id, event.request_id);
            prop_assert_eq!(back.started_at, event.started_at);
        }
    }
}
