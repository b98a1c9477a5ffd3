//! The spend ledger's storage: the event a settled request becomes ([`SpendEvent`]), writing
//! batches of them (`write`), the monthly partitions of the rows on PostgreSQL
//! (`partitions`), and reading the rows back (here: request rows by key, user and date, and
//! totals). The rollups those writes keep are read by `crate::usage`.

mod event;
pub mod partitions;
mod write;

use chrono::{DateTime, Utc};
use entity::spend_log;
use sea_orm::sea_query::{Alias, Expr};
use sea_orm::{
    ColumnTrait, DatabaseConnection, EntityTrait, FromQueryResult, QueryFilter, QueryOrder,
    QuerySelect,
};
use uuid::Uuid;

use crate::DomainError;

pub use event::{Outcome, SpendEvent};
pub use write::{unrecorded, write_batch, write_history};

/// Which spend rows to read.
#[derive(Debug, Clone, Default)]
pub struct SpendFilter {
    pub key_hash: Option<String>,
    pub user_id: Option<Uuid>,
    pub from: Option<DateTime<Utc>>,
    pub until: Option<DateTime<Utc>>,
    pub limit: u64,
}

/// Spend rules over `spend_logs`.
#[derive(Clone)]
pub struct SpendService {
    db: DatabaseConnection,
}

#[derive(FromQueryResult)]
struct Total {
    total: Option<i64>,
}

impl SpendService {
    /// A service over `db`.
    pub fn new(db: DatabaseConnection) -> Self {
        Self { db }
    }

    /// Rows matching `filter`, oldest first, at most `filter.limit`.
    pub async fn logs(&self, filter: &SpendFilter) -> Result<Vec<spend_log::Model>, DomainError> {
        let mut query = spend_log::Entity::find().order_by_asc(spend_log::Column::StartedAt);
        if let Some(hash) = &filter.key_hash {
            query = query.filter(spend_log::Column::KeyHash.eq(hash.clone()));
        }
        if let Some(user) = filter.user_id {
            query = query.filter(spend_log::Column::UserId.eq(user));
        }
        if let Some(from) = filter.from {
            query = query.filter(spend_log::Column::StartedAt.gte(from));
        }
        if let Some(until) = filter.until {
            query = query.filter(spend_log::Column::StartedAt.lt(until));
        }
        Ok(query.limit(filter.limit).all(&self.db).await?)
    }

    /// Total spend of every request ever recorded, in nano-units.
    pub async fn total(&self) -> Result<i64, DomainError> {
        let row = spend_log::Entity::find()
            .select_only()
            // PostgreSQL sums BIGINT as NUMERIC; the cast keeps it an i64 on both databases.
            .column_as(
                Expr::col(spend_log::Column::CostNanos)
                    .sum()
                    .cast_as(Alias::new("BIGINT")),
                "total",
            )
            .into_model::<Total>()
            .one(&self.db)
            .await?;
        Ok(row.and_then(|r| r.total).unwrap_or(0))
    }
}
