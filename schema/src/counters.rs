//! Version counters kept in `settings`: a service bumps one when it changes what replicas
//! cache (the catalog, keys), and every replica polls it to know when to reload.

use chrono::Utc;
use entity::setting;
use sea_orm::sea_query::OnConflict;
use sea_orm::{ConnectionTrait, EntityTrait, Set};
use serde_json::json;

use crate::DomainError;

/// The counter's value (0 before its first bump).
pub async fn read<C: ConnectionTrait>(db: &C, key: &str) -> Result<i64, DomainError> {
    let row = setting::Entity::find_by_id(key).one(db).await?;
    Ok(row.and_then(|r| r.value.as_i64()).unwrap_or(0))
}

/// Adds one to the counter (inside the caller's transaction, when given one).
pub async fn bump<C: ConnectionTrait>(db: &C, key: &str) -> Result<(), DomainError> {
    let next = read(db, key).await? + 1;
    setting::Entity::insert(setting::ActiveModel {
        key: Set(key.to_owned()),
        value: Set(json!(next)),
        updated_at: Set(Utc::now()),
    })
    .on_conflict(
        OnConflict::column(setting::Column::Key)
            .update_columns([setting::Column::Value, setting::Column::UpdatedAt])
            .to_owned(),
    )
    .exec(db)
    .await?;
    Ok(())
}
