//! Admissions to Redis in batches. A replica keeps one admission call to Redis out at a
//! time; the admissions that queue while it is out go together in the next call, decided in
//! the order they came (`admit.lua` takes several). At light load a call carries one
//! admission, as before; under load a call carries many, and Redis parses one command,
//! starts one script and writes one reply for all of them, where each used to cost it one of
//! each; the script reads and writes each key once a call, however many admissions share it
//! (BENCHMARKS.md, "Admissions to Redis in batches").
//!
//! Settlements waiting to be sent go out just ahead of each batch, on the same connection,
//! so a request that finished here has freed its slot before the next one is checked.

use std::sync::Weak;

use tokio::sync::{mpsc, oneshot};

use super::permit::{Finished, SETTLE_BATCH, sent_in_order};
use super::{Admission, Quotas, RedisLimiter, Scope, Verdict, millis};

/// Most admissions decided in one call.
pub(super) const ADMIT_BATCH: usize = 64;

/// Admissions waiting for the admitter before senders wait for room: a bound on what queues,
/// far above what a replica's connections can have in flight at once.
pub(super) const QUEUE: usize = 4_096;

/// One admission, owned so it can wait in the queue; it comes back with its verdict.
pub(super) struct Asking {
    pub request_id: String,
    pub scopes: Vec<Scope>,
    pub reserve_nanos: i64,
    pub now_ms: i64,
}

impl Asking {
    pub fn admission(&self) -> Admission<'_> {
        Admission {
            request_id: &self.request_id,
            scopes: &self.scopes,
            reserve_nanos: self.reserve_nanos,
            now_ms: self.now_ms,
        }
    }
}

/// An admission in the queue and where its answer goes: the admission back with Redis's
/// verdict, or with `None` when Redis failed (the engine's failure policy decides then).
pub(super) struct Queued {
    pub asking: Asking,
    pub answer: oneshot::Sender<(Asking, Option<Verdict>)>,
}

/// Takes what queued (up to [`ADMIT_BATCH`]) and decides it in one call, one call at a
/// time. Ends with the engine: the queue closes when the engine, which holds its sender, is
/// dropped.
pub(super) async fn admit_in_batches(quotas: Weak<Quotas>, mut queue: mpsc::Receiver<Queued>) {
    let mut batch = Vec::with_capacity(ADMIT_BATCH);
    while queue.recv_many(&mut batch, ADMIT_BATCH).await > 0 {
        let Some(quotas) = quotas.upgrade() else {
            return;
        };
        if let Some(redis) = &quotas.redis {
            quotas.admit_in_redis(redis, &mut batch).await;
        }
        // Anything left unanswered (no Redis) is dropped: its sender hears the queue failed.
        batch.clear();
    }
}

impl Quotas {
    /// Sends the settlements waiting and then `batch` as one admission call, and answers
    /// every admission in it.
    async fn admit_in_redis(&self, redis: &RedisLimiter, batch: &mut Vec<Queued>) {
        let order = self.order.lock().await;
        let queued = self.take_queued(SETTLE_BATCH);
        let admissions: Vec<Admission<'_>> = batch.iter().map(|q| q.asking.admission()).collect();
        let both =
            futures::future::join(self.settle_in_redis(&queued), redis.admit_many(&admissions));
        let (_, answer) = sent_in_order(order, both).await;
        drop(admissions);
        self.metrics.quota_batch.observe(batch.len() as f64);
        let mut verdicts = match answer {
            Ok(verdicts) => {
                self.redis_answered();
                verdicts
            }
            Err(error) => {
                self.redis_failed(&error, millis(self.now()));
                Vec::new()
            }
        }
        .into_iter();
        let mut unused = Vec::new();
        for queued in batch.drain(..) {
            // A caller that went away (its client hung up) hears nothing; what Redis granted
            // it is settled unused.
            if let Err((asking, Some(Verdict::Granted(_)))) =
                queued.answer.send((queued.asking, verdicts.next()))
            {
                let now_ms = millis(self.now());
                unused.push(Finished::unused(
                    asking.request_id,
                    asking.scopes,
                    asking.reserve_nanos,
                    now_ms,
                ));
            }
        }
        if !unused.is_empty() {
            self.settle_later(unused);
        }
    }
}

#[cfg(test)]
mod tests {
    //! The admitter against the machine's Redis (`SWITCHYARD_TEST_REDIS`, else the local one).

    use std::sync::Arc;

    use chrono::Utc;
    use schema::keys::AuthKey;

    use crate::metrics::Metrics;
    use crate::quota::{QuotaError, Quotas, RedisLimiter};

    async fn engine() -> Arc<Quotas> {
        let url = std::env::var("SWITCHYARD_TEST_REDIS")
            .unwrap_or_else(|_| "redis://127.0.0.1:6379".into());
        let client = redis::Client::open(url).unwrap();
        let connection = redis::aio::ConnectionManager::new(client).await.unwrap();
        let config = crate::config::QuotaConfig::default();
        let limiter = RedisLimiter::new(
            connection,
            std::time::Duration::from_secs(5),
            i64::try_from(config.lease_seconds * 1_000).unwrap(),
        );
        Quotas::new(
            &config,
            Some(limiter),
            Arc::new(Metrics::new()),
            Arc::new(Utc::now),
        )
    }

    #[tokio::test]
    async fn an_admission_whose_caller_left_gives_back_the_slot_redis_granted_it() {
        let quotas = engine().await;
        let mut key = AuthKey::unlimited(format!("left-{}", uuid::Uuid::new_v4()));
        key.limits.max_parallel_requests = Some(1);
        // The first caller queues its admission, then goes away before the answer.
        let mut first = Box::pin(quotas.admit("first", &key, "m", false, 0));
        assert!(futures::poll!(first.as_mut()).is_pending());
        drop(first);
        // Redis granted it the one slot for a lease of 30 s; settled unused, the slot is
        // free again at once.
        for _ in 0..100 {
            match quotas.admit("second", &key, "m", false, 0).await {
                Ok(Some(_permit)) => return,
                Err(QuotaError::Refused(_)) => {
                    tokio::time::sleep(std::time::Duration::from_millis(10)).await;
                }
                other => panic!("{:?}", other.map(|p| p.is_some())),
            }
        }
        panic!("the slot of an admission whose caller left stayed taken");
    }
}
