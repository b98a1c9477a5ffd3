//! `spend_requests`: one row per request that reached the gateway, written by the spend ledger.
//! The compact successor of `spend_logs` (migration `m20261203_000017`): who made the request
//! is one small [`super::spend_subject`] id instead of a key hash and a user id in every row,
//! the start is integer microseconds, and the end is not stored (it is the start plus the
//! duration).

use sea_orm::entity::prelude::*;

/// The accounting record of one request.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "spend_requests")]
pub struct Model {
    /// Unique (with `started_us` where PostgreSQL partitions the table by it).
    #[sea_orm(primary_key, auto_increment = false)]
    pub request_id: String,
    /// The key and user that made it ([`super::spend_subject`]).
    pub subject_id: i32,
    pub model_name: String,
    pub deployment_id: Option<Uuid>,
    pub cluster: Option<String>,
    /// `chat`, `completion`, `embeddings`, `tokenize`, `convert`.
    pub call_type: String,
    pub prompt_tokens: i64,
    pub completion_tokens: i64,
    /// True when the upstream reported no usage and the tokens were estimated.
    pub estimated: bool,
    pub cost_nanos: i64,
    /// `success`, `failure` or `cancelled`.
    pub status: String,
    pub http_status: i32,
    /// When the request started, in microseconds since the Unix epoch (UTC).
    pub started_us: i64,
    pub ttft_ms: Option<i64>,
    pub duration_ms: i64,
    /// The guardrails that blocked or masked it (names, comma-separated), never the text.
    pub guardrail: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
