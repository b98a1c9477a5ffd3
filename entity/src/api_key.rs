//! `api_keys`: virtual `sk-…` keys, stored only as SHA-256 hashes, with their limits and spend.

use sea_orm::entity::prelude::*;

/// A virtual key. The plaintext is never stored; `token_hash` is its identity.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "api_keys")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// Lower-case hex SHA-256 of the plaintext key; unique.
    #[sea_orm(unique)]
    pub token_hash: String,
    /// Display form such as `sk-...7sFA`.
    pub key_name: String,
    #[sea_orm(unique)]
    pub alias: Option<String>,
    pub user_id: Option<Uuid>,
    /// `portal` (needs subscriptions) or `admin-api` (LiteLLM semantics).
    pub origin: String,
    /// Admin-API keys created with an empty model list (or `"*"`) reach every model.
    pub all_models: bool,
    /// An admin-API key's `models` as given (names, `"prefix/*"` patterns, access groups);
    /// null for keys whose models are the links in `api_key_models`.
    pub model_names: Option<Json>,
    pub blocked: bool,
    /// Who blocked it, while blocked: `owner` or `administrator`.
    pub blocked_by: Option<String>,
    pub expires_at: Option<DateTimeUtc>,
    pub max_budget_nanos: Option<i64>,
    pub soft_budget_nanos: Option<i64>,
    pub budget_duration: Option<String>,
    pub budget_reset_at: Option<DateTimeUtc>,
    pub spend_nanos: i64,
    pub tpm_limit: Option<i64>,
    pub rpm_limit: Option<i64>,
    pub max_parallel_requests: Option<i64>,
    /// Requests per UTC day.
    pub rpd_limit: Option<i64>,
    /// Map of model name to requests per minute.
    pub model_rpm_limit: Option<Json>,
    /// Map of model name to tokens per minute.
    pub model_tpm_limit: Option<Json>,
    pub team_id: Option<String>,
    pub tags: Json,
    pub metadata: Json,
    pub last_used_at: Option<DateTimeUtc>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(
        belongs_to = "super::user::Entity",
        from = "Column::UserId",
        to = "super::user::Column::Id",
        on_delete = "Cascade"
    )]
    User,
    #[sea_orm(has_many = "super::api_key_model::Entity")]
    ApiKeyModel,
}

impl Related<super::user::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::User.def()
    }
}

impl Related<super::api_key_model::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::ApiKeyModel.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
