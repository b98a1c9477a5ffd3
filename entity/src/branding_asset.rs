//! `branding_assets`: uploaded logos (login, header light, header dark), served with caching.

use sea_orm::entity::prelude::*;

/// One uploaded image, keyed by its slot.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "branding_assets")]
pub struct Model {
    /// `login`, `header-light` or `header-dark`.
    #[sea_orm(primary_key, auto_increment = false)]
    pub slot: String,
    pub content_type: String,
    pub bytes: Vec<u8>,
    /// SHA-256 of the bytes, used as the ETag.
    pub sha256: String,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
