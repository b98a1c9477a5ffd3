//! The spend ledger's storage: the event a settled request becomes ([`SpendEvent`]), writing
//! batches of them (`write`), the monthly partitions of the rows on PostgreSQL
//! (`partitions`), and reading the rows back (here: request rows by key, user and date, and
//! totals, from `spend_requests` and from the rows earlier releases left in `spend_logs`).
//! The rollups those writes keep are read by `crate::usage`.

mod event;
pub mod partitions;
mod write;

use std::collections::HashMap;

use chrono::{DateTime, TimeDelta, Utc};
use entity::{spend_log, spend_request, spend_subject};
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

/// One request as spend reports show it, whichever table holds it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SpendRow {
    pub request_id: String,
    /// The virtual key's hash; none for the master key.
    pub key_hash: Option<String>,
    pub user_id: Option<Uuid>,
    pub model_name: String,
    /// The cluster that served it; none when no deployment did.
    pub cluster: Option<String>,
    /// `chat`, `completion`, `embeddings`, `tokenize`, `convert`.
    pub call_type: String,
    pub prompt_tokens: i64,
    pub completion_tokens: i64,
    pub cost_nanos: i64,
    /// `success`, `failure` or `cancelled`.
    pub status: String,
    pub started_at: DateTime<Utc>,
    /// Stored as the start plus the duration (to the millisecond) since `spend_requests`.
    pub ended_at: DateTime<Utc>,
    /// The guardrails that blocked or masked it (names, comma-separated).
    pub guardrail: Option<String>,
}

impl SpendRow {
    fn from_request(row: spend_request::Model, subject: Option<&spend_subject::Model>) -> Self {
        let started_at = DateTime::from_timestamp_micros(row.started_us).unwrap_or_default();
        Self {
            request_id: row.request_id,
            key_hash: subject
                .map(|s| s.key_hash.clone())
                .filter(|hash| !hash.is_empty()),
            user_id: subject.map(|s| s.user_id).filter(|user| !user.is_nil()),
            model_name: row.model_name,
            cluster: row.cluster,
            call_type: row.call_type,
            prompt_tokens: row.prompt_tokens,
            completion_tokens: row.completion_tokens,
            cost_nanos: row.cost_nanos,
            status: row.status,
            started_at,
            ended_at: started_at + TimeDelta::milliseconds(row.duration_ms),
            guardrail: row.guardrail,
        }
    }

    fn from_log(row: spend_log::Model) -> Self {
        Self {
            request_id: row.request_id,
            key_hash: row.key_hash,
            user_id: row.user_id,
            model_name: row.model_name,
            cluster: row.cluster,
            call_type: row.call_type,
            prompt_tokens: row.prompt_tokens,
            completion_tokens: row.completion_tokens,
            cost_nanos: row.cost_nanos,
            status: row.status,
            started_at: row.started_at,
            ended_at: row.ended_at,
            guardrail: row.guardrail,
        }
    }
}

/// Spend rules over `spend_requests` and the rows earlier releases left in `spend_logs`.
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
    pub async fn logs(&self, filter: &SpendFilter) -> Result<Vec<SpendRow>, DomainError> {
        let mut rows = self.requests(filter).await?;
        rows.extend(self.earlier_logs(filter).await?);
        rows.sort_by_key(|row| row.started_at);
        rows.truncate(usize::try_from(filter.limit).unwrap_or(usize::MAX));
        Ok(rows)
    }

    /// The `spend_requests` rows matching `filter`, with their subjects.
    async fn requests(&self, filter: &SpendFilter) -> Result<Vec<SpendRow>, DomainError> {
        let mut query =
            spend_request::Entity::find().order_by_asc(spend_request::Column::StartedUs);
        if filter.key_hash.is_some() || filter.user_id.is_some() {
            let mut subjects = spend_subject::Entity::find().select_only();
            subjects = subjects.column(spend_subject::Column::Id);
            if let Some(hash) = &filter.key_hash {
                subjects = subjects.filter(spend_subject::Column::KeyHash.eq(hash.clone()));
            }
            if let Some(user) = filter.user_id {
                subjects = subjects.filter(spend_subject::Column::UserId.eq(user));
            }
            let ids: Vec<i32> = subjects.into_tuple().all(&self.db).await?;
            if ids.is_empty() {
                return Ok(Vec::new());
            }
            query = query.filter(spend_request::Column::SubjectId.is_in(ids));
        }
        if let Some(from) = filter.from {
            query = query.filter(spend_request::Column::StartedUs.gte(from.timestamp_micros()));
        }
        if let Some(until) = filter.until {
            query = query.filter(spend_request::Column::StartedUs.lt(until.timestamp_micros()));
        }
        let rows = query.limit(filter.limit).all(&self.db).await?;
        let mut ids: Vec<i32> = rows.iter().map(|r| r.subject_id).collect();
        ids.sort_unstable();
        ids.dedup();
        let mut subjects = HashMap::with_capacity(ids.len());
        for some in ids.chunks(500) {
            let found = spend_subject::Entity::find()
                .filter(spend_subject::Column::Id.is_in(some.iter().copied()))
                .all(&self.db)
                .await?;
            subjects.extend(found.into_iter().map(|s| (s.id, s)));
        }
        Ok(rows
            .into_iter()
            .map(|row| {
                let subject = subjects.get(&row.subject_id);
                SpendRow::from_request(row, subject)
            })
            .collect())
    }

    /// The rows matching `filter` that releases before `spend_requests` wrote.
    async fn earlier_logs(&self, filter: &SpendFilter) -> Result<Vec<SpendRow>, DomainError> {
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
        let rows = query.limit(filter.limit).all(&self.db).await?;
        Ok(rows.into_iter().map(SpendRow::from_log).collect())
    }

    /// Total spend of every request ever recorded, in nano-units.
    pub async fn total(&self) -> Result<i64, DomainError> {
        // PostgreSQL sums BIGINT as NUMERIC; the cast keeps it an i64 on both databases.
        let sum = || {
            Expr::col(Alias::new("cost_nanos"))
                .sum()
                .cast_as(Alias::new("BIGINT"))
        };
        let requests = spend_request::Entity::find()
            .select_only()
            .column_as(sum(), "total")
            .into_model::<Total>()
            .one(&self.db)
            .await?;
        let earlier = spend_log::Entity::find()
            .select_only()
            .column_as(sum(), "total")
            .into_model::<Total>()
            .one(&self.db)
            .await?;
        Ok([requests, earlier]
            .into_iter()
            .flatten()
            .filter_map(|r| r.total)
            .fold(0, i64::saturating_add))
    }
}
