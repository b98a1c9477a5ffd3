//! `spend_subjects`: who made requests, as the small id each `spend_requests` row names: a
//! virtual key's hash and its user, stored once instead of in every row. A request without a
//! key has the empty hash, one without a user the nil UUID (the unique key needs values, not
//! NULLs, to hold).

use sea_orm::entity::prelude::*;

/// One key and user pair.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "spend_subjects")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    /// The key's SHA-256 hash, or empty for a request without a virtual key.
    pub key_hash: String,
    /// The key's user, or the nil UUID.
    pub user_id: Uuid,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
