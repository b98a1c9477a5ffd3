//! `models`: the public catalog entries that requests name in their `model` field.

use sea_orm::entity::prelude::*;

/// A model as users see it; served by one or more deployments.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "models")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// Public name; may contain `/`. Unique.
    #[sea_orm(unique)]
    pub name: String,
    pub description: Option<String>,
    /// Provider family (`openai`, `hosted_vllm`, `docling`, ...).
    pub provider: String,
    /// Capabilities as a JSON list (`chat`, `completion`, `embeddings`, ...).
    pub capabilities: Json,
    pub context_length: Option<i64>,
    pub input_price_nanos: i64,
    pub output_price_nanos: i64,
    /// Price per second of audio heard, in nanodollars (speech-to-text models); 0 when the
    /// model is priced per token.
    pub second_price_nanos: i64,
    /// Restricted models need an admin's approval before a subscription is active.
    pub restricted: bool,
    pub active: bool,
    /// Where the entry came from: `config`, `admin-api` or `portal`.
    pub source: String,
    pub metadata: Json,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(has_many = "super::deployment::Entity")]
    Deployment,
}

impl Related<super::deployment::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Deployment.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
