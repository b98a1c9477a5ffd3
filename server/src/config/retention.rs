//! The `[retention]` section: how long spend rows, audit entries and spent credentials are
//! kept before the background pruner deletes them. Its own file because only the pruner
//! reads it.

use std::time::Duration;

use chrono::TimeDelta;
use serde::Deserialize;

/// How long data is kept, in days; 0 keeps it forever.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct RetentionConfig {
    /// Spend rows (one per request) older than this go; the hourly and daily rollups stay, so
    /// usage reports over old periods keep their totals. LiteLLM's
    /// `maximum_spend_logs_retention_period`.
    pub spend_logs_days: u32,
    /// Audit entries older than this go.
    pub audit_log_days: u32,
    /// Sessions, access tokens and sign-in states go this long after they expired or were
    /// revoked.
    pub expired_credentials_days: u32,
    /// Seconds between runs on each replica (0 turns pruning off).
    pub interval_seconds: u64,
    /// Most rows one delete statement takes.
    pub batch: u64,
    /// Milliseconds between two batches.
    pub pause_ms: u64,
}

impl Default for RetentionConfig {
    fn default() -> Self {
        Self {
            spend_logs_days: 90,
            audit_log_days: 365,
            expired_credentials_days: 30,
            interval_seconds: 3_600,
            batch: 5_000,
            pause_ms: 50,
        }
    }
}

impl RetentionConfig {
    /// The pruner's policy.
    pub fn policy(&self) -> schema::retention::Policy {
        let days = |n: u32| (n > 0).then(|| TimeDelta::days(i64::from(n)));
        schema::retention::Policy {
            spend_logs: days(self.spend_logs_days),
            audit_log: days(self.audit_log_days),
            expired_credentials: days(self.expired_credentials_days),
            batch: self.batch.max(1),
            pause: Duration::from_millis(self.pause_ms),
        }
    }

    /// How often each replica runs the pruner.
    pub fn every(&self) -> Duration {
        Duration::from_secs(self.interval_seconds)
    }
}
