//! `branding`: the single row of portal branding (titles, colours, texts).

use sea_orm::entity::prelude::*;

/// Portal branding; the table holds one row with id [`crate::BRANDING_ROW_ID`].
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "branding")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: i32,
    pub title: String,
    pub subtitle: String,
    pub primary_color: Option<String>,
    pub accent_color: Option<String>,
    pub login_title: Option<String>,
    pub login_text: Option<String>,
    pub footer_text: Option<String>,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
