//! The far side of an admission: the [`Permit`] a request holds while it runs, and settling
//! it (actual tokens and cost, freed slot) when it ends. Settlements in process happen at
//! once; those for Redis are queued and sent in batches, never behind a later admission.

use std::future::Future;
use std::sync::{Arc, Weak};

use tokio::sync::Notify;

use super::alerts::Owner;
use super::{Headroom, Quotas, Scope, Settlement, Store, millis};
use crate::metrics::KeyLabels;

/// An admitted request's hold on its quotas. Settled (with the actual tokens and cost) when
/// dropped, however the request ended.
pub struct Permit {
    pub(super) quotas: Arc<Quotas>,
    pub(super) request_id: String,
    pub(super) scopes: Vec<Scope>,
    pub(super) reserved_nanos: i64,
    pub(super) store: Store,
    pub(super) tokens: u64,
    pub(super) cost_nanos: i64,
    /// The key's metric labels, for its budget gauges.
    pub(super) key: Option<KeyLabels>,
    /// The key and its owner, for budget alerts.
    pub(super) owner: Owner,
    /// The rate-limit headers to send with the answer.
    pub headroom: Headroom,
}

impl Permit {
    /// Whether a budget holds this request: then what it may spend must stay within what was
    /// reserved for it.
    pub fn budgeted(&self) -> bool {
        self.scopes.iter().any(|scope| scope.budget.is_some())
    }

    /// Records what the request actually used (within what one request may count); settled
    /// when the permit is dropped.
    pub fn record(&mut self, tokens: u64, cost_nanos: i64) {
        self.tokens = tokens.min(super::MAX_CHARGE_TOKENS);
        self.cost_nanos = cost_nanos.clamp(0, super::MAX_CHARGE_NANOS);
    }
}

impl Drop for Permit {
    fn drop(&mut self) {
        let finished = Finished {
            request_id: std::mem::take(&mut self.request_id),
            scopes: std::mem::take(&mut self.scopes),
            reserved_nanos: self.reserved_nanos,
            tokens: self.tokens,
            cost_nanos: self.cost_nanos,
            now_ms: millis(self.quotas.now()),
            key: self.key.take(),
            owner: self.owner,
        };
        self.quotas.settle(self.store, finished);
    }
}

/// A request that ended, to be settled.
pub(super) struct Finished {
    request_id: String,
    scopes: Vec<Scope>,
    reserved_nanos: i64,
    tokens: u64,
    cost_nanos: i64,
    now_ms: i64,
    key: Option<KeyLabels>,
    owner: Owner,
}

impl Finished {
    /// An admission granted after its caller went away: nothing ran, so it settles at once
    /// to no tokens and no cost, freeing its slot and giving its reservation back.
    pub(super) fn unused(
        request_id: String,
        scopes: Vec<Scope>,
        reserved_nanos: i64,
        now_ms: i64,
    ) -> Self {
        Self {
            request_id,
            scopes,
            reserved_nanos,
            tokens: 0,
            cost_nanos: 0,
            now_ms,
            key: None,
            owner: Owner::default(),
        }
    }

    fn settlement(&self) -> Settlement<'_> {
        Settlement {
            request_id: &self.request_id,
            scopes: &self.scopes,
            reserved_nanos: self.reserved_nanos,
            tokens: self.tokens,
            cost_nanos: self.cost_nanos,
            now_ms: self.now_ms,
        }
    }
}

/// Most settlements sent to Redis in one call.
pub(super) const SETTLE_BATCH: usize = 128;

/// Sends settlements to Redis as they come: one call for everything waiting, so a busy
/// replica makes far fewer calls than requests. Ends with the engine.
pub(super) async fn settle_in_batches(quotas: Weak<Quotas>, settler: Arc<Notify>) {
    loop {
        settler.notified().await;
        let Some(quotas) = quotas.upgrade() else {
            return;
        };
        loop {
            let order = quotas.order.lock().await;
            let batch = quotas.take_queued(SETTLE_BATCH);
            if batch.is_empty() {
                break;
            }
            sent_in_order(order, quotas.settle_in_redis(&batch)).await;
        }
    }
}

/// Runs `calls`, holding `order` only until their first poll has put them on the Redis
/// connection (each call's first poll sends it), so that what was taken under `order` is sent
/// in the order taken.
pub(super) async fn sent_in_order<F: Future>(
    order: tokio::sync::MutexGuard<'_, ()>,
    calls: F,
) -> F::Output {
    let mut calls = std::pin::pin!(calls);
    let first = futures::poll!(calls.as_mut());
    drop(order);
    match first {
        std::task::Poll::Ready(output) => output,
        std::task::Poll::Pending => calls.await,
    }
}

impl Quotas {
    /// Up to `most` of the settlements waiting for Redis, oldest first.
    pub(super) fn take_queued(&self, most: usize) -> Vec<Finished> {
        match self.queued.lock() {
            Ok(mut queued) => {
                let take = queued.len().min(most);
                queued.drain(..take).collect()
            }
            Err(_) => Vec::new(),
        }
    }

    /// Settles requests admitted by Redis, in one call.
    pub(super) async fn settle_in_redis(&self, finished: &[Finished]) {
        let Some(redis) = &self.redis else {
            return;
        };
        if finished.is_empty() {
            return;
        }
        if let Ok(mut leases) = self.leases.lock() {
            for one in finished {
                leases.remove(&one.request_id);
            }
        }
        let settlements: Vec<Settlement<'_>> = finished.iter().map(Finished::settlement).collect();
        match redis.settle_many(&settlements).await {
            Ok(spent) => {
                for ((settlement, one), spent) in settlements.iter().zip(finished).zip(spent) {
                    self.show_key_budget(settlement, &spent, one.key.as_ref());
                    self.raise_alerts(settlement, &spent, one.owner);
                }
            }
            Err(error) => self.redis_failed(&error, millis(self.now())),
        }
    }

    /// Queues settlements for Redis and wakes the settling task.
    pub(super) fn settle_later(&self, finished: impl IntoIterator<Item = Finished>) {
        if let Ok(mut queued) = self.queued.lock() {
            queued.extend(finished);
        }
        self.settler.notify_one();
    }

    /// Settles a request: at once in process, or queued for Redis.
    fn settle(&self, store: Store, finished: Finished) {
        match store {
            Store::Redis => self.settle_later([finished]),
            Store::Local => {
                let settlement = finished.settlement();
                let spent = self.local.account(&settlement);
                self.show_key_budget(&settlement, &spent, finished.key.as_ref());
                self.raise_alerts(&settlement, &spent, finished.owner);
            }
        }
    }

    /// Sets the key's budget gauges from its counter after settlement.
    fn show_key_budget(
        &self,
        settlement: &Settlement<'_>,
        spent: &[Option<i64>],
        key: Option<&KeyLabels>,
    ) {
        let Some(labels) = key else {
            return;
        };
        let key_scope = settlement
            .scopes
            .iter()
            .zip(spent)
            .find(|(s, _)| s.id.starts_with("k:"));
        if let Some((scope, Some(spent))) = key_scope
            && let Some(budget) = &scope.budget
        {
            let units = |nanos: i64| nanos as f64 / 1e9;
            self.metrics
                .key_max_budget
                .get_or_create(labels)
                .set(units(budget.max_nanos));
            self.metrics
                .key_remaining_budget
                .get_or_create(labels)
                .set(units(budget.max_nanos.saturating_sub(*spent)));
        }
    }
}
