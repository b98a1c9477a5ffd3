//! `cluster_rollups`: the totals of `usage_rollups` split also by the cluster that served,
//! for spend and latency by cluster. Only the ledger's upserts write it; its columns share
//! their names with `usage_rollups`, so one query builder reads both.

use sea_orm::entity::prelude::*;

/// Totals of one hour (or day) for one cluster, key and model.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "cluster_rollups")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    /// [`crate::usage_rollup::SPAN_HOUR`] or [`crate::usage_rollup::SPAN_DAY`].
    pub span: String,
    /// Start of the hour, or of the day for daily rows (UTC).
    pub hour: DateTimeUtc,
    /// The cluster of the deployment that served, or the empty string when none did.
    pub cluster: String,
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

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
