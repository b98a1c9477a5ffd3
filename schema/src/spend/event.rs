//! The accounting record of one settled request: what the gateway hands to the ledger and the
//! live feed, and what [`super::write_batch`] stores. It lives beside its storage so the rows
//! and the record they come from change together.

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
