//! The `[ledger]` section: how the spend ledger's writer buffers and flushes settled requests.
//! Its own file because the ledger reads nothing else.

use serde::Deserialize;

/// The spend ledger's writer.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct LedgerConfig {
    /// Most settled requests held in memory while the database cannot be written; when
    /// full, new `/v1` requests are refused (503) rather than served without a record.
    pub max_buffered: usize,
    /// Milliseconds between writes (at most 1,000, so spend is recorded within a second).
    pub flush_ms: u64,
    /// Keep every settled request in a journal on disk (`<data_dir>/spend-journal`) until it is
    /// written, so a process killed between writes loses no spend: its next start writes
    /// what the journal holds. Costs one small file write per request.
    pub journal: bool,
}

impl Default for LedgerConfig {
    fn default() -> Self {
        Self {
            max_buffered: 200_000,
            flush_ms: 250,
            journal: true,
        }
    }
}
