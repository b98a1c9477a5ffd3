//! The spend ledger: every settled request becomes a `spend_logs` row, is added to its hour's
//! `usage_rollups` row and to its key's and user's spend, written in batches by a background
//! task so the request path never waits for the database. This file is the queue and the
//! writer (when to write, how much, metrics, shutdown); the statements are
//! `schema::spend::write_batch`.
//!
//! Events wait in memory while the database is unavailable and are written when it returns;
//! the wait is bounded: when it is full the gateway refuses new requests rather than serve
//! them unrecorded. Graceful shutdown flushes what is left.

use std::sync::Arc;
use std::time::Duration;

use schema::spend::write_batch;
use sea_orm::DatabaseConnection;
use tokio::sync::mpsc;

use super::SpendEvent;
use crate::config::LedgerConfig;
use crate::metrics::Metrics;

/// The sending side of the ledger; cheap to clone.
#[derive(Clone)]
pub struct Ledger {
    tx: mpsc::UnboundedSender<SpendEvent>,
    metrics: Arc<Metrics>,
    max_buffered: i64,
}

/// The writer task, to be stopped (and flushed) at shutdown.
pub struct LedgerWriter {
    done: tokio::sync::oneshot::Receiver<()>,
    stop: tokio::sync::oneshot::Sender<()>,
}

/// Most events per [`write_batch`], which is one transaction: one commit (one fsync) for up
/// to this many requests.
const TRANSACTION: usize = 4096;

impl Ledger {
    /// Starts the writer over `db` on a thread of its own: building and sending a batch is a
    /// burst of work that would otherwise hold one of the request threads and delay requests.
    pub fn start(
        db: DatabaseConnection,
        metrics: Arc<Metrics>,
        config: &LedgerConfig,
    ) -> std::io::Result<(Self, LedgerWriter)> {
        let (tx, rx) = mpsc::unbounded_channel();
        let (stop, stopped) = tokio::sync::oneshot::channel();
        let (finished, done) = tokio::sync::oneshot::channel();
        let every = Duration::from_millis(config.flush_ms);
        let writer = write_loop(db, rx, stopped, metrics.clone(), every);
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()?;
        std::thread::Builder::new()
            .name("spend-ledger".into())
            .spawn(move || {
                runtime.block_on(writer);
                let _ = finished.send(());
            })?;
        let max_buffered = i64::try_from(config.max_buffered).unwrap_or(i64::MAX);
        Ok((
            Self {
                tx,
                metrics,
                max_buffered,
            },
            LedgerWriter { done, stop },
        ))
    }

    /// Whether another request may be served: false while the events waiting for the
    /// database fill the buffer.
    pub fn has_room(&self) -> bool {
        self.metrics.ledger_queue_depth.get() < self.max_buffered
    }

    /// Queues `event` for the database; never blocks.
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
        if tokio::time::timeout(timeout, self.done).await.is_err() {
            tracing::error!("spend ledger did not flush in time; some spend may be unrecorded");
        }
    }
}

/// When budget windows were last looked at (`write_batch`'s `budgets_due`). Once a second is
/// enough: the quota checks compute windows from the clock, so the stored spend only has to
/// follow, and two queries less per batch shortened the bursts of database work that showed in
/// the gateway's latency tail.
#[derive(Default)]
struct ResetCheck {
    last: Option<std::time::Instant>,
}

impl ResetCheck {
    const EVERY: Duration = Duration::from_secs(1);

    fn due(&self) -> bool {
        self.last.is_none_or(|at| at.elapsed() >= Self::EVERY)
    }

    fn done(&mut self) {
        self.last = Some(std::time::Instant::now());
    }
}

/// Writes what has been queued once per `every`. The writer never waits on the channel
/// itself, only on its ticker: a queued event then costs the request thread no wake-up of
/// this one (a system call per request, measured at 5% of the gateway's CPU at saturation).
async fn write_loop(
    db: DatabaseConnection,
    mut rx: mpsc::UnboundedReceiver<SpendEvent>,
    mut stop: tokio::sync::oneshot::Receiver<()>,
    metrics: Arc<Metrics>,
    every: Duration,
) {
    let mut pending: Vec<SpendEvent> = Vec::new();
    let mut resets = ResetCheck::default();
    let mut ticker = tokio::time::interval(every);
    ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        let stopping = tokio::select! {
            _ = ticker.tick() => false,
            // Shutting down: take what is queued, write it, and end.
            _ = &mut stop => {
                rx.close();
                true
            }
        };
        let closed = take_queued(&mut rx, &mut pending);
        flush(&db, &mut pending, &metrics, &mut resets).await;
        if stopping || closed {
            break;
        }
    }
    while !pending.is_empty() {
        flush(&db, &mut pending, &metrics, &mut resets).await;
    }
}

/// Moves every queued event to `pending`; true when no sender is left.
fn take_queued(
    rx: &mut mpsc::UnboundedReceiver<SpendEvent>,
    pending: &mut Vec<SpendEvent>,
) -> bool {
    loop {
        match rx.try_recv() {
            Ok(event) => pending.push(event),
            Err(mpsc::error::TryRecvError::Empty) => return false,
            Err(mpsc::error::TryRecvError::Disconnected) => return true,
        }
    }
}

/// Writes `pending` in transactions of at most [`TRANSACTION`] rows. On a database error the
/// rest stays queued and is retried after a pause; nothing is dropped.
async fn flush(
    db: &DatabaseConnection,
    pending: &mut Vec<SpendEvent>,
    metrics: &Metrics,
    resets: &mut ResetCheck,
) {
    while !pending.is_empty() {
        let take = pending.len().min(TRANSACTION);
        let budgets_due = resets.due();
        match write_batch(db, &pending[..take], budgets_due).await {
            Ok(()) => {
                if budgets_due {
                    resets.done();
                }
                pending.drain(..take);
                let written = u64::try_from(take).unwrap_or(u64::MAX);
                metrics.ledger_written.inc_by(written);
                metrics
                    .ledger_queue_depth
                    .dec_by(i64::try_from(take).unwrap_or(i64::MAX));
                metrics.ledger_buffered.set(0);
            }
            Err(error) => {
                metrics.ledger_write_failures.inc();
                metrics
                    .ledger_buffered
                    .set(i64::try_from(pending.len()).unwrap_or(i64::MAX));
                tracing::warn!(%error, waiting = pending.len(), "cannot write spend; retrying in 1s");
                tokio::time::sleep(Duration::from_secs(1)).await;
                return;
            }
        }
    }
}
