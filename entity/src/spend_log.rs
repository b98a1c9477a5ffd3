//! `spend_logs`: one row per request, as releases before `m20261203_000017` wrote them. The
//! ledger now writes `spend_requests` ([`super::spend_request`]); rows here are still read
//! (spend reports, journal replay) and pruned until retention has removed them.

use sea_orm::entity::prelude::*;

/// The accounting record of one request.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "spend_logs")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    #[sea_orm(unique)]
    pub request_id: String,
    pub key_hash: Option<String>,
    pub user_id: Option<Uuid>,
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
    /// `success` or `failure`.
    pub status: String,
    pub http_status: i32,
    pub started_at: DateTimeUtc,
    pub ended_at: DateTimeUtc,
    pub ttft_ms: Option<i64>,
    pub duration_ms: i64,
    /// The guardrails that blocked or masked it (names, comma-separated), never the text.
    pub guardrail: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
