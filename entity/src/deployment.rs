//! `deployments`: one model served on one cluster, with what it takes to call it.

use sea_orm::entity::prelude::*;

/// A model on one cluster: where to send requests and how.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "deployments")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub model_id: Uuid,
    pub cluster: String,
    pub api_base: String,
    /// The model name the model server knows.
    pub backend_model: String,
    /// Upstream credentials, encrypted with the configured key; never returned by any API.
    pub credentials_encrypted: Option<String>,
    pub api_version: Option<String>,
    pub weight: i32,
    /// Longest wait for the upstream's response headers; `None` uses the gateway default.
    pub first_byte_timeout_ms: Option<i64>,
    /// Longest time for the whole request.
    pub timeout_ms: i64,
    pub rpm_limit: Option<i64>,
    pub tpm_limit: Option<i64>,
    pub max_parallel_requests: Option<i64>,
    pub enabled: bool,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(
        belongs_to = "super::model::Entity",
        from = "Column::ModelId",
        to = "super::model::Column::Id",
        on_delete = "Cascade"
    )]
    Model,
}

impl Related<super::model::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Model.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
