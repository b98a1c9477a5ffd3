//! Spend, from the moment a request is settled: the event that describes it, the ledger that
//! queues it for the database (`ledger`), and the live feed that shows it to subscribers on
//! every replica (`live`). The gateway's accounting sends each event to both.

pub mod ledger;
pub mod live;

use chrono::{DateTime, Utc};
use uuid::Uuid;

pub use self::ledger::{Ledger, LedgerWriter};
pub use self::live::LiveFeed;

/// How a request ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
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

/// The accounting record of one request.
#[derive(Debug, Clone)]
pub struct SpendEvent {
    pub request_id: String,
    /// The key's id, for live subscribers (the ledger stores the hash).
    pub key_id: Option<Uuid>,
    pub key_hash: Option<String>,
    pub user_id: Option<Uuid>,
    pub model: String,
    pub deployment_id: Option<Uuid>,
    pub cluster: Option<String>,
    pub call_type: &'static str,
    pub prompt_tokens: u64,
    pub completion_tokens: u64,
    pub estimated: bool,
    pub cost_nanos: i64,
    pub outcome: Outcome,
    pub http_status: u16,
    pub started_at: DateTime<Utc>,
    pub ended_at: DateTime<Utc>,
    pub ttft_ms: Option<u64>,
    pub duration_ms: u64,
}
