//! `banners`: announcements shown in the portal to an audience, optionally on a schedule.

use sea_orm::entity::prelude::*;

/// One announcement banner.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "banners")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub message_markdown: String,
    /// `info`, `warning`, `danger` or `success`.
    pub variant: String,
    /// Roles that see it, as a JSON list; empty means everyone.
    pub audience: Json,
    pub starts_at: Option<DateTimeUtc>,
    pub ends_at: Option<DateTimeUtc>,
    pub active: bool,
    pub dismissible: bool,
    /// The text in other languages: a JSON object from language tag to markdown
    /// (`{"de": "…"}`); `message_markdown` is the English text and the fallback.
    pub translations: Json,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
