//! The `[quota]` section: rate limits, parallel slots and budgets, and what to do when the
//! shared Redis is unreachable. Its own file because the quota engine reads nothing else.

use serde::{Deserialize, Serialize};

/// What the quota engine does when a configured Redis fails.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum RedisFailure {
    /// Keep serving with this replica's own counters until Redis answers again.
    PerReplica,
    /// Refuse limited requests with 503 until Redis answers again.
    Reject,
}

/// Rate limits, parallel slots and budgets.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct QuotaConfig {
    /// What to do while Redis is unreachable: `per-replica` (default) or `reject`.
    pub redis_failure: RedisFailure,
    /// Seconds a parallel-request slot or a budget reservation lives without renewal (a
    /// replica that dies frees its slots and gives its reservations back after this long);
    /// live requests renew theirs.
    pub lease_seconds: u64,
    /// Completion tokens assumed for a budget reservation when a request sets no `max_tokens`.
    pub default_max_tokens: u64,
    /// Milliseconds to wait for Redis before treating it as failed.
    pub redis_timeout_ms: u64,
}

impl Default for QuotaConfig {
    fn default() -> Self {
        Self {
            redis_failure: RedisFailure::PerReplica,
            lease_seconds: 30,
            default_max_tokens: 4_096,
            redis_timeout_ms: 250,
        }
    }
}
