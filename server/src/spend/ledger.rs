//! The spend ledger: every settled request becomes a `spend_requests` row, is added to its
//! hour's `usage_rollups` row and to its key's and user's spend, written in batches by a
//! background task so the request path never waits for the database. This file is the queue and the
//! writer (when to write, how much, metrics, shutdown); the statements are
//! `schema::spend::write_batch`.
//!
//! Events wait in memory while the database is unavailable and are written when it returns;
//! the wait is bounded: when it is full the gateway refuses new requests rather than serve
//! them unrecorded. Graceful shutdown flushes what is left. With the journal on (the default),
//! every event is also on disk until written, and a process that stopped without flushing (a
//! crash, a SIGKILL, a database that stayed down) has it written at its next start.

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use schema::spend::{unrecorded, write_batch};
use sea_orm::DatabaseConnection;
use tokio::sync::mpsc;

use super::SpendEvent;
use super::journal::Journal;
use crate::config::LedgerConfig;
use crate::metrics::Metrics;

/// The sending side of the ledger; cheap to clone.
#[derive(Clone)]
pub struct Ledger {
    tx: mpsc::UnboundedSender<SpendEvent>,
    metrics: Arc<Metrics>,
    max_buffered: i64,
    journal: Option<Arc<Journal>>,
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
    /// With `config.journal`, the journal in `data_dir` is opened first and what an earlier
    /// process left in it is written before anything new.
    pub fn start(
        db: DatabaseConnection,
        metrics: Arc<Metrics>,
        config: &LedgerConfig,
        data_dir: &Path,
    ) -> anyhow::Result<(Self, LedgerWriter)> {
        let (journal, left) = if config.journal {
            let (journal, left) = Journal::open(&data_dir.join("spend-journal"))?;
            (Some(Arc::new(journal)), left)
        } else {
            (None, Vec::new())
        };
        let (tx, rx) = mpsc::unbounded_channel();
        let (stop, stopped) = tokio::sync::oneshot::channel();
        let (finished, done) = tokio::sync::oneshot::channel();
        let every = Duration::from_millis(config.flush_ms);
        let writer = Writer {
            db,
            metrics: metrics.clone(),
            journal: journal.clone(),
            resets: ResetCheck::default(),
        };
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .context("cannot start the ledger's runtime")?;
        std::thread::Builder::new()
            .name("spend-ledger".into())
            .spawn(move || {
                runtime.block_on(writer.run(rx, stopped, every, left));
                let _ = finished.send(());
            })
            .context("cannot start the ledger's thread")?;
        let max_buffered = i64::try_from(config.max_buffered).unwrap_or(i64::MAX);
        Ok((
            Self {
                tx,
                metrics,
                max_buffered,
                journal,
            },
            LedgerWriter { done, stop },
        ))
    }

    /// Whether another request may be served: false while the events waiting for the
    /// database fill the buffer.
    pub fn has_room(&self) -> bool {
        self.metrics.ledger_queue_depth.get() < self.max_buffered
    }

    /// Queues `event` for the database (after the journal, when on); never waits for it.
    pub fn record(&self, event: SpendEvent) {
        let send = |event| self.tx.send(event).is_ok();
        let sent = match &self.journal {
            Some(journal) => journal.append(event, send),
            None => send(event),
        };
        if !sent {
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

/// The writer task's parts.
struct Writer {
    db: DatabaseConnection,
    metrics: Arc<Metrics>,
    journal: Option<Arc<Journal>>,
    resets: ResetCheck,
}

impl Writer {
    /// Writes what an earlier process left in the journal, then what has been queued, once per
    /// `every`. The writer never waits on the channel itself, only on its ticker: a queued
    /// event then costs the request thread no wake-up of this one (a system call per request,
    /// measured at 5% of the gateway's CPU at saturation).
    async fn run(
        mut self,
        mut rx: mpsc::UnboundedReceiver<SpendEvent>,
        mut stop: tokio::sync::oneshot::Receiver<()>,
        every: Duration,
        left: Vec<SpendEvent>,
    ) {
        let Some(mut pending) = self.replayable(left, &mut stop).await else {
            // Stopped before the database answered: the journal keeps everything.
            return;
        };
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
            let sealed = self.journal.as_ref().and_then(|j| j.seal());
            let closed = take_queued(&mut rx, &mut pending);
            self.flush(&mut pending).await;
            if pending.is_empty()
                && let (Some(journal), Some(sealed)) = (&self.journal, sealed)
            {
                journal.forget_through(sealed);
            }
            if stopping || closed {
                break;
            }
        }
        while !pending.is_empty() {
            self.flush(&mut pending).await;
        }
        if let Some(journal) = &self.journal
            && let Some(sealed) = journal.seal()
        {
            journal.forget_through(sealed);
        }
    }

    /// Of the events an earlier process left in the journal, those not in the database yet;
    /// waits for the database, and gives up (None) when asked to stop first.
    async fn replayable(
        &self,
        left: Vec<SpendEvent>,
        stop: &mut tokio::sync::oneshot::Receiver<()>,
    ) -> Option<Vec<SpendEvent>> {
        if left.is_empty() {
            return Some(left);
        }
        loop {
            match unrecorded(&self.db, left.clone()).await {
                Ok(missing) => {
                    tracing::info!(
                        journal = left.len(),
                        unrecorded = missing.len(),
                        "writing the spend an earlier process left in its journal"
                    );
                    self.metrics
                        .ledger_queue_depth
                        .inc_by(i64::try_from(missing.len()).unwrap_or(i64::MAX));
                    return Some(missing);
                }
                Err(error) => {
                    tracing::warn!(%error, "cannot read the spend log to replay the journal; retrying in 1s");
                    tokio::select! {
                        () = tokio::time::sleep(Duration::from_secs(1)) => {}
                        _ = &mut *stop => return None,
                    }
                }
            }
        }
    }

    /// Writes `pending` in transactions of at most [`TRANSACTION`] rows. On a database error
    /// the rest stays queued and is retried after a pause; nothing is dropped.
    async fn flush(&mut self, pending: &mut Vec<SpendEvent>) {
        let (db, metrics, resets) = (&self.db, &self.metrics, &mut self.resets);
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
