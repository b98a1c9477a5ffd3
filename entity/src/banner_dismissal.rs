//! `banner_dismissals`: which user closed which banner.

use sea_orm::entity::prelude::*;

/// A user's dismissal of a banner.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "banner_dismissals")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub banner_id: Uuid,
    #[sea_orm(primary_key, auto_increment = false)]
    pub user_id: Uuid,
    pub dismissed_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
