//! The spend ledger: every settled request becomes a `spend_logs` row, written in batches by
//! a background task so the request path never waits for the database.
//!
//! Events wait in memory while the database is unavailable and are written when it returns;
//! graceful shutdown flushes what is left.

use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use std::collections::HashMap;

use entity::{api_key, spend_log, user};
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, Set, TransactionTrait};
use tokio::sync::mpsc;
use tokio::task::JoinHandle;
use uuid::Uuid;

use crate::metrics::Metrics;

/// How a request ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// The model server answered and the answer reached the client.
    Success,
    /// The request failed (upstream error, timeout, or no deployment).
    Failure,
    /// The client went away before the answer was complete.
    Cancelled,
}

impl Outcome {
    fn as_str(self) -> &'static str {
        match self {
            Self::Success => "success",
            Self::Failure => "failure",
            Self::Cancelled => "cancelled",
        }
    }
}

/// The accounting record of one request.
#[derive(Debug, Clone)]
pub struct SpendEvent {
    pub request_id: String,
    pub key_hash: Option<String>,
    pub user_id: Option<Uuid>,
    pub model: String,
    pub deployment_id: Option<Uuid>,
    pub cluster: Option<String>,
    pub call_type: &'static str,
    pub prompt_tokens: u64,
    pub completion_tokens: u64,
    pub estimated: bool,
    pub cost_nanos: i64,
    pub outcome: Outcome,
    pub http_status: u16,
    pub started_at: DateTime<Utc>,
    pub ended_at: DateTime<Utc>,
    pub ttft_ms: Option<u64>,
    pub duration_ms: u64,
}

/// The sending side of the ledger; cheap to clone.
#[derive(Clone)]
pub struct Ledger {
    tx: mpsc::UnboundedSender<SpendEvent>,
    metrics: Arc<Metrics>,
}

/// The writer task, to be stopped (and flushed) at shutdown.
pub struct LedgerWriter {
    handle: JoinHandle<()>,
    stop: tokio::sync::oneshot::Sender<()>,
}

/// Most rows per insert statement. Small statements prepare fast and keep the drivers'
/// statement caches small; many of them share one transaction (see [`TRANSACTION`]).
const BATCH: usize = 64;

/// Most rows per transaction: one commit (one fsync) for up to this many requests.
const TRANSACTION: usize = 4096;

/// How many rows the next insert takes from `pending`: a power of two, so only seven distinct
/// statements exist.
fn chunk(pending: usize) -> usize {
    if pending >= BATCH {
        BATCH
    } else if pending == 0 {
        0
    } else {
        1 << pending.ilog2()
    }
}

impl Ledger {
    /// Starts the writer over `db`.
    pub fn start(db: DatabaseConnection, metrics: Arc<Metrics>) -> (Self, LedgerWriter) {
        let (tx, rx) = mpsc::unbounded_channel();
        let (stop, stopped) = tokio::sync::oneshot::channel();
        let handle = tokio::spawn(write_loop(db, rx, stopped, metrics.clone()));
        (Self { tx, metrics }, LedgerWriter { handle, stop })
    }

    /// Queues `event`; never blocks.
    pub fn record(&self, event: SpendEvent) {
        if self.tx.send(event).is_err() {
            tracing::error!("spend ledger is closed; an event was not recorded");
            return;
        }
        self.metrics.ledger_queue_depth.inc();
    }
}

impl LedgerWriter {
    /// Writes every event queued so far, then stops; gives up after `timeout`.
    pub async fn finish(self, timeout: Duration) {
        // The writer may already have ended (all senders gone); then there is nothing to stop.
        let _ = self.stop.send(());
        if tokio::time::timeout(timeout, self.handle).await.is_err() {
            tracing::error!("spend ledger did not flush in time; some spend may be unrecorded");
        }
    }
}

fn row(event: SpendEvent) -> spend_log::ActiveModel {
    let tokens = |n: u64| i64::try_from(n).unwrap_or(i64::MAX);
    spend_log::ActiveModel {
        request_id: Set(event.request_id),
        key_hash: Set(event.key_hash),
        user_id: Set(event.user_id),
        model_name: Set(event.model),
        deployment_id: Set(event.deployment_id),
        cluster: Set(event.cluster),
        call_type: Set(event.call_type.to_owned()),
        prompt_tokens: Set(tokens(event.prompt_tokens)),
        completion_tokens: Set(tokens(event.completion_tokens)),
        estimated: Set(event.estimated),
        cost_nanos: Set(event.cost_nanos),
        status: Set(event.outcome.as_str().to_owned()),
        http_status: Set(i32::from(event.http_status)),
        started_at: Set(event.started_at),
        ended_at: Set(event.ended_at),
        ttft_ms: Set(event.ttft_ms.map(tokens)),
        duration_ms: Set(tokens(event.duration_ms)),
        ..Default::default()
    }
}

/// Inserts `events` in one transaction, in statements of at most [`BATCH`] rows, and adds
/// their cost to each key's and each user's spend (one update per key and per user).
async fn write(db: &DatabaseConnection, events: &[SpendEvent]) -> Result<(), sea_orm::DbErr> {
    let txn = db.begin().await?;
    let mut rest = events;
    while !rest.is_empty() {
        let (now, later) = rest.split_at(chunk(rest.len()));
        spend_log::Entity::insert_many(now.iter().cloned().map(row))
            .exec(&txn)
            .await?;
        rest = later;
    }
    let mut by_key: HashMap<&str, i64> = HashMap::new();
    let mut by_user: HashMap<Uuid, i64> = HashMap::new();
    for event in events.iter().filter(|e| e.cost_nanos > 0) {
        if let Some(hash) = &event.key_hash {
            *by_key.entry(hash).or_default() += event.cost_nanos;
        }
        if let Some(user) = event.user_id {
            *by_user.entry(user).or_default() += event.cost_nanos;
        }
    }
    for (hash, cost) in by_key {
        api_key::Entity::update_many()
            .col_expr(
                api_key::Column::SpendNanos,
                Expr::col(api_key::Column::SpendNanos).add(cost),
            )
            .filter(api_key::Column::TokenHash.eq(hash))
            .exec(&txn)
            .await?;
    }
    for (id, cost) in by_user {
        user::Entity::update_many()
            .col_expr(
                user::Column::SpendNanos,
                Expr::col(user::Column::SpendNanos).add(cost),
            )
            .filter(user::Column::Id.eq(id))
            .exec(&txn)
            .await?;
    }
    txn.commit().await
}

/// How often queued events are written when fewer than a transaction's worth are waiting.
const FLUSH_EVERY: Duration = Duration::from_millis(250);

async fn write_loop(
    db: DatabaseConnection,
    mut rx: mpsc::UnboundedReceiver<SpendEvent>,
    mut stop: tokio::sync::oneshot::Receiver<()>,
    metrics: Arc<Metrics>,
) {
    let mut pending: Vec<SpendEvent> = Vec::new();
    let mut ticker = tokio::time::interval(FLUSH_EVERY);
    ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            received = rx.recv_many(&mut pending, TRANSACTION) => {
                if received == 0 {
                    break;
                }
                if pending.len() >= TRANSACTION {
                    flush(&db, &mut pending, &metrics).await;
                }
            }
            _ = ticker.tick() => flush(&db, &mut pending, &metrics).await,
            _ = &mut stop => {
                // Shutting down: take what is queued, write it, and end.
                rx.close();
                while let Ok(event) = rx.try_recv() {
                    pending.push(event);
                }
                break;
            }
        }
    }
    while !pending.is_empty() {
        flush(&db, &mut pending, &metrics).await;
    }
}

/// Writes `pending` in transactions of at most [`TRANSACTION`] rows. On a database error the
/// rest stays queued and is retried after a pause; nothing is dropped.
async fn flush(db: &DatabaseConnection, pending: &mut Vec<SpendEvent>, metrics: &Metrics) {
    while !pending.is_empty() {
        let take = pending.len().min(TRANSACTION);
        match write(db, &pending[..take]).await {
            Ok(()) => {
                pending.drain(..take);
                let written = u64::try_from(take).unwrap_or(u64::MAX);
                metrics.ledger_written.inc_by(written);
                metrics
                    .ledger_queue_depth
                    .dec_by(i64::try_from(take).unwrap_or(i64::MAX));
            }
            Err(error) => {
                tracing::warn!(%error, waiting = pending.len(), "cannot write spend; retrying in 1s");
                tokio::time::sleep(Duration::from_secs(1)).await;
                return;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::chunk;

    #[test]
    fn inserts_come_in_powers_of_two() {
        assert_eq!(chunk(0), 0);
        assert_eq!(chunk(1), 1);
        assert_eq!(chunk(7), 4);
        assert_eq!(chunk(63), 32);
        assert_eq!(chunk(5_000), 64);
    }
}
