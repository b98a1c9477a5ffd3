//! Data lifecycle: deleting what is past its retention period, so the database stops growing
//! with every request. Spend rows older than their period go, from `spend_requests` and from
//! the `spend_logs` earlier releases wrote (the hourly and daily rollups stay, so usage over
//! old periods keeps its totals), and so do old audit entries and sessions, tokens and
//! sign-in states long expired or revoked.
//!
//! Where PostgreSQL keeps spend rows in monthly partitions (`crate::spend::partitions`), a
//! month wholly past its period is dropped as a table, and each run makes the coming months.
//! Other deletion runs in small batches of the oldest rows, each its own statement, so it
//! never holds a long transaction or a lock the ledger's writes wait for. On PostgreSQL one replica at
//! a time prunes (a transaction-scoped advisory lock held for the run; a replica that finds it
//! taken skips its turn). On SQLite the freed pages go back to the file system afterwards
//! where the file uses incremental auto-vacuum (the server does not switch it on: setting the
//! pragma on every new pooled connection made concurrent writers fail with "locked").

use std::time::Duration;

use chrono::{DateTime, TimeDelta, Utc};
use entity::{
    audit_log, login_state, personal_access_token as token, session, spend_log, spend_request,
};
use sea_orm::sea_query::{Query, SimpleExpr};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseConnection, DbBackend, DbErr, EntityTrait, Iterable,
    QueryFilter,
};

/// The key of the PostgreSQL advisory lock held while one replica prunes ("SyPrune").
const PRUNE_LOCK: i64 = 0x0053_7950_7275_6e65;

/// How long each kind of data is kept; `None` keeps it forever.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Policy {
    /// Spend rows, by when the request started.
    pub spend_logs: Option<TimeDelta>,
    /// Audit entries, by when they were recorded.
    pub audit_log: Option<TimeDelta>,
    /// Sessions, access tokens and sign-in states, counted from when they expired or were
    /// revoked (the user page shows recent ones).
    pub expired_credentials: Option<TimeDelta>,
    /// Most rows one statement deletes.
    pub batch: u64,
    /// A pause between batches, so pruning a large backlog leaves the database to the
    /// requests.
    pub pause: Duration,
}

/// How many rows a run deleted, by kind.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Pruned {
    pub spend_logs: u64,
    pub audit_log: u64,
    pub sessions: u64,
    pub access_tokens: u64,
    pub login_states: u64,
}

impl Pruned {
    /// Rows deleted in all.
    pub fn total(&self) -> u64 {
        self.spend_logs + self.audit_log + self.sessions + self.access_tokens + self.login_states
    }
}

/// Deletes the rows of `E` matching `old` in batches of `policy.batch`, oldest key first,
/// until none is left; returns how many went.
async fn in_batches<E>(
    db: &DatabaseConnection,
    policy: &Policy,
    old: SimpleExpr,
) -> Result<u64, DbErr>
where
    E: EntityTrait,
{
    let Some(key) = E::PrimaryKey::iter().next() else {
        return Ok(0);
    };
    let key = sea_orm::PrimaryKeyToColumn::into_column(key);
    in_batches_by::<E>(db, policy, old, key).await
}

/// [`in_batches`] taking the oldest by `order` first (a time where the key says nothing of
/// age); each batch is deleted by its primary key.
async fn in_batches_by<E>(
    db: &DatabaseConnection,
    policy: &Policy,
    old: SimpleExpr,
    order: E::Column,
) -> Result<u64, DbErr>
where
    E: EntityTrait,
{
    let Some(key) = E::PrimaryKey::iter().next() else {
        return Ok(0);
    };
    let key = sea_orm::PrimaryKeyToColumn::into_column(key);
    let mut deleted = 0;
    loop {
        // Look before deleting: a delete that matches nothing still takes SQLite's write lock,
        // which a request's transaction waiting to write would then fail on.
        if E::find().filter(old.clone()).one(db).await?.is_none() {
            return Ok(deleted);
        }
        let mut oldest = Query::select();
        oldest
            .column(key)
            .from(E::default())
            .and_where(old.clone())
            .order_by(order, sea_orm::Order::Asc)
            .limit(policy.batch);
        let result = E::delete_many()
            .filter(key.in_subquery(oldest))
            .exec(db)
            .await?;
        deleted += result.rows_affected;
        if result.rows_affected < policy.batch {
            return Ok(deleted);
        }
        tokio::time::sleep(policy.pause).await;
    }
}

/// Deletes everything past its period at `now`. Returns `None` when another replica is
/// pruning (PostgreSQL), or what was deleted.
pub async fn prune(
    db: &DatabaseConnection,
    policy: &Policy,
    now: DateTime<Utc>,
) -> Result<Option<Pruned>, DbErr> {
    let postgres = db.get_database_backend() == DbBackend::Postgres;
    // Held (idle) while the batches run on other connections; ending it releases the lock.
    let turn = if postgres {
        let txn = crate::txn::begin_write(db).await?;
        let taken = txn
            .query_one(sea_orm::Statement::from_string(
                DbBackend::Postgres,
                format!("SELECT pg_try_advisory_xact_lock({PRUNE_LOCK}) AS mine"),
            ))
            .await?
            .map(|row| row.try_get::<bool>("", "mine"))
            .transpose()?
            .unwrap_or(false);
        if !taken {
            txn.rollback().await?;
            return Ok(None);
        }
        Some(txn)
    } else {
        None
    };
    let before = |period: TimeDelta| now - period;
    let mut pruned = Pruned::default();
    // A partition that cannot be made or dropped now (a lock not granted in time) is tried
    // again next run; it must not keep the rest from being pruned.
    if let Err(error) = crate::spend::partitions::prepare(db, now).await {
        tracing::warn!(%error, "cannot make the spend log's coming months; next run tries again");
    }
    if let Some(period) = policy.spend_logs {
        // Whole months go as tables; the rest of the oldest kept month row by row.
        match crate::spend::partitions::drop_before(db, before(period)).await {
            Ok(rows) => pruned.spend_logs = rows,
            Err(error) => {
                tracing::warn!(%error, "cannot drop the spend log's old months; deleting rows instead")
            }
        }
        let cutoff = before(period);
        let started = spend_request::Column::StartedUs;
        let old = started.lt(cutoff.timestamp_micros());
        pruned.spend_logs +=
            in_batches_by::<spend_request::Entity>(db, policy, old, started).await?;
        // What releases before `spend_requests` left, until it has all aged out.
        let old = spend_log::Column::StartedAt.lt(cutoff);
        pruned.spend_logs += in_batches::<spend_log::Entity>(db, policy, old).await?;
    }
    if let Some(period) = policy.audit_log {
        let old = audit_log::Column::CreatedAt.lt(before(period));
        pruned.audit_log = in_batches::<audit_log::Entity>(db, policy, old).await?;
    }
    if let Some(grace) = policy.expired_credentials {
        let cutoff = before(grace);
        let old = session::Column::ExpiresAt
            .lt(cutoff)
            .or(session::Column::RevokedAt.lt(cutoff));
        pruned.sessions = in_batches::<session::Entity>(db, policy, old).await?;
        let old = token::Column::ExpiresAt
            .lt(cutoff)
            .or(token::Column::RevokedAt.lt(cutoff));
        pruned.access_tokens = in_batches::<token::Entity>(db, policy, old).await?;
        let old = login_state::Column::ExpiresAt.lt(cutoff);
        pruned.login_states = in_batches::<login_state::Entity>(db, policy, old).await?;
    }
    if let Some(txn) = turn {
        txn.commit().await?;
    }
    if !postgres && pruned.total() > 0 {
        // Gives freed pages back where the file allows it (a no-op without auto-vacuum).
        db.execute_unprepared("PRAGMA incremental_vacuum").await?;
    }
    Ok(Some(pruned))
}
