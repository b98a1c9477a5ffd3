//! `usage_rollups`: per hour × key × model totals, so analytics never scan `spend_logs`.

use sea_orm::entity::prelude::*;

/// Totals of one hour for one key and model.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "usage_rollups")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    /// Start of the hour (UTC).
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
    /// Request counts per latency bucket (JSON array), for p50/p95 estimates.
    pub latency_buckets: Json,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
