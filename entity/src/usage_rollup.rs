//! `usage_rollups`: per hour (and per day) × key × model totals, so analytics never scan
//! the per-request rows (`spend_requests`).

use sea_orm::entity::prelude::*;

/// Totals of one hour for one key and model.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "usage_rollups")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    /// [`SPAN_HOUR`] or [`SPAN_DAY`]: what `hour` starts.
    pub span: String,
    /// Start of the hour, or of the day for daily rows (UTC).
    pub hour: DateTimeUtc,
    /// Key hash, or the empty string for master-key traffic.
    pub key_hash: String,
    pub model_name: String,
    pub user_id: Option<Uuid>,
    pub requests: i64,
    pub errors: i64,
    pub prompt_tokens: i64,
    pub completion_tokens: i64,
    pub cost_nanos: i64,
    pub duration_ms_sum: i64,
    /// Requests by duration, for p50/p95 estimates: at most 50 ms, 100 ms, ... 30 s, and
    /// slower ([`LATENCY_BOUNDS_MS`]).
    pub latency_le_50: i64,
    pub latency_le_100: i64,
    pub latency_le_250: i64,
    pub latency_le_500: i64,
    pub latency_le_1000: i64,
    pub latency_le_2500: i64,
    pub latency_le_5000: i64,
    pub latency_le_10000: i64,
    pub latency_le_30000: i64,
    pub latency_le_inf: i64,
}

/// Upper bounds (ms) of the latency bucket columns, in order; the last is unbounded.
pub const LATENCY_BOUNDS_MS: [u64; 9] = [50, 100, 250, 500, 1_000, 2_500, 5_000, 10_000, 30_000];

/// An hourly row.
pub const SPAN_HOUR: &str = "hour";
/// A daily row (the sum of that day's hourly rows).
pub const SPAN_DAY: &str = "day";

/// The bucket columns, in the order of [`LATENCY_BOUNDS_MS`] and then the unbounded one.
pub const LATENCY_COLUMNS: [Column; 10] = [
    Column::LatencyLe50,
    Column::LatencyLe100,
    Column::LatencyLe250,
    Column::LatencyLe500,
    Column::LatencyLe1000,
    Column::LatencyLe2500,
    Column::LatencyLe5000,
    Column::LatencyLe10000,
    Column::LatencyLe30000,
    Column::LatencyLeInf,
];

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
