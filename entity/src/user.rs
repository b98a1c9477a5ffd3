//! `users`: people who sign in and the owners named by the admin API's `user_id`.

use sea_orm::entity::prelude::*;

/// A user of the portal, the API or both.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "users")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// The LiteLLM-style `user_id` (often an e-mail address); unique.
    #[sea_orm(unique)]
    pub external_id: String,
    pub email: Option<String>,
    pub display_name: Option<String>,
    pub oidc_issuer: Option<String>,
    pub oidc_subject: Option<String>,
    /// argon2id hash for local accounts; `None` for SSO-only users.
    pub password_hash: Option<String>,
    /// Roles as a JSON list of strings (`admin`, `admin-readonly`, `user`).
    pub roles: Json,
    pub active: bool,
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
    pub metadata: Json,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    pub last_login_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(has_many = "super::api_key::Entity")]
    ApiKey,
    #[sea_orm(has_many = "super::subscription::Entity")]
    Subscription,
}

impl Related<super::api_key::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::ApiKey.def()
    }
}

impl Related<super::subscription::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Subscription.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
