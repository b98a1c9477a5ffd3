//! The quota engine: one admission check per `/v1` request covering every limit that applies
//! (the key, the key for this model, the key's owner): rolling 60-second requests and tokens
//! per minute, parallel-request slots held as expiring leases, and budgets checked with a
//! reservation of the request's worst-case cost that is settled to the actual cost after.
//!
//! With Redis the check is one Lua round trip shared by every replica ([`RedisLimiter`]);
//! without it the same rules run in process ([`LocalLimiter`]). When a configured Redis fails,
//! the policy decides: this replica's own counters (default) or refusal, until Redis answers
//! again (retried every second, no restart needed).

mod local;
mod redis;

use std::collections::HashMap;
use std::future::Future;
use std::sync::atomic::{AtomicBool, AtomicI64, Ordering};
use std::sync::{Arc, Mutex, Weak};

use tokio::sync::Notify;

use chrono::{DateTime, Utc};
use schema::keys::{AuthKey, Limits};

pub use self::local::LocalLimiter;
pub use self::redis::RedisLimiter;
use crate::config::{QuotaConfig, RedisFailure};
use crate::error::ApiError;
use crate::metrics::{KeyLabels, Metrics};
use crate::spend::LiveFeed;
use schema::live::{BudgetAlert, BudgetSubject, BudgetThreshold};

/// One limited subject of a request: a key, a key for one model, or a user.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Scope {
    /// Stable identity: `k:<key hash>`, `km:<key hash>:<model>` or `u:<user id>`.
    pub id: String,
    /// What messages call it ("API key", "user", ...).
    pub label: String,
    pub rpm: Option<u64>,
    pub tpm: Option<u64>,
    pub parallel: Option<u64>,
    pub budget: Option<BudgetCheck>,
}

/// A budget as checked now: its current window and what the database knows of it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BudgetCheck {
    pub max_nanos: i64,
    /// The soft budget, crossing which raises an alert (never a refusal).
    pub soft_nanos: Option<i64>,
    /// Start of the current window, in ms since the epoch (0 for a budget that never resets).
    pub window_start_ms: i64,
    /// End of the current window in ms since the epoch; `None` for never.
    pub window_end_ms: Option<i64>,
    /// Spend the database holds for this window: where a fresh counter starts.
    pub baseline_nanos: i64,
}

/// What one admission asks for.
#[derive(Debug, Clone)]
pub struct Admission<'a> {
    pub request_id: &'a str,
    pub scopes: &'a [Scope],
    /// The worst-case cost reserved against every budget.
    pub reserve_nanos: i64,
    pub now_ms: i64,
}

/// What one settlement reports.
#[derive(Debug, Clone)]
pub struct Settlement<'a> {
    pub request_id: &'a str,
    pub scopes: &'a [Scope],
    pub reserved_nanos: i64,
    pub tokens: u64,
    pub cost_nanos: i64,
    pub now_ms: i64,
}

/// Which limit refused a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Limit {
    Requests,
    Tokens,
    Parallel,
    Budget,
}

/// Why a request was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    /// Index into the admission's scopes.
    pub scope: usize,
    pub limit: Limit,
    pub max: i64,
    /// When trying again can succeed, in ms (`None`: not before an administrator acts).
    pub retry_after_ms: Option<i64>,
}

/// How much of a scope's rolling minute is used, after this request.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Usage {
    pub requests: u64,
    pub requests_reset_ms: i64,
    pub tokens: u64,
    pub tokens_reset_ms: i64,
}

/// An admission's answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// Admitted; the usage of each scope, in order.
    Granted(Vec<Usage>),
    Refused(Refusal),
}

/// Why a limiter could not answer.
#[derive(Debug, thiserror::Error)]
pub enum LimiterError {
    #[error("redis: {0}")]
    Redis(#[from] ::redis::RedisError),
    #[error("redis did not answer in time")]
    Timeout,
    #[error("unexpected answer from the quota script: {0}")]
    Protocol(String),
}

/// A quota store: the same rules whether shared through Redis or kept in process.
pub trait Limiter: Send + Sync {
    /// Checks every scope and, only when all pass, takes a request, a slot and a reservation.
    fn admit(
        &self,
        admission: &Admission<'_>,
    ) -> impl Future<Output = Result<Verdict, LimiterError>> + Send;

    /// Counts tokens, frees the slot and settles the reservation to the actual cost; answers
    /// each scope's budget counter after that (`None` where it has none).
    fn settle(
        &self,
        settlement: &Settlement<'_>,
    ) -> impl Future<Output = Result<Vec<Option<i64>>, LimiterError>> + Send;
}

/// One limit's state for the headers: (limit, remaining, ms until the window frees some).
pub type Room = (u64, u64, i64);

/// The rate-limit headers of the tightest scope.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Headroom {
    pub requests: Option<Room>,
    pub tokens: Option<Room>,
}

impl Headroom {
    fn of(scopes: &[Scope], usage: &[Usage]) -> Self {
        let tightest = |pick: &dyn Fn(&Scope, &Usage) -> Option<Room>| {
            scopes
                .iter()
                .zip(usage)
                .filter_map(|(s, u)| pick(s, u))
                .min_by_key(|(_, remaining, _)| *remaining)
        };
        Self {
            requests: tightest(&|s, u| {
                s.rpm.map(|max| {
                    (
                        max,
                        max.saturating_sub(u.requests),
                        u.requests_reset_ms.max(0),
                    )
                })
            }),
            tokens: tightest(&|s, u| {
                s.tpm
                    .map(|max| (max, max.saturating_sub(u.tokens), u.tokens_reset_ms.max(0)))
            }),
        }
    }

    /// `x-ratelimit-*` header pairs (reset times as OpenAI writes them, such as `1.5s`).
    pub fn headers(&self) -> Vec<(&'static str, String)> {
        let seconds = |ms: i64| format!("{}s", ms as f64 / 1000.0);
        let mut headers = Vec::new();
        if let Some((max, remaining, reset)) = self.requests {
            headers.push(("x-ratelimit-limit-requests", max.to_string()));
            headers.push(("x-ratelimit-remaining-requests", remaining.to_string()));
            headers.push(("x-ratelimit-reset-requests", seconds(reset)));
        }
        if let Some((max, remaining, reset)) = self.tokens {
            headers.push(("x-ratelimit-limit-tokens", max.to_string()));
            headers.push(("x-ratelimit-remaining-tokens", remaining.to_string()));
            headers.push(("x-ratelimit-reset-tokens", seconds(reset)));
        }
        headers
    }
}

/// A limit as a non-negative count (`None` stays "no limit").
fn count(limit: Option<i64>) -> Option<u64> {
    limit.map(|n| u64::try_from(n).unwrap_or(0))
}

fn millis(at: DateTime<Utc>) -> i64 {
    at.timestamp_millis()
}

/// The budget check of `limits` at `now`, if it has a budget.
fn budget_check(limits: &Limits, now: DateTime<Utc>) -> Option<BudgetCheck> {
    let budget = limits.budget.as_ref()?;
    let Some(span) = budget.span else {
        return Some(BudgetCheck {
            max_nanos: budget.max_nanos,
            soft_nanos: budget.soft_nanos,
            window_start_ms: 0,
            window_end_ms: None,
            baseline_nanos: budget.spent_nanos,
        });
    };
    let anchor = budget.reset_at.unwrap_or(DateTime::UNIX_EPOCH);
    let (start, end) = span.window(anchor, now)?;
    Some(BudgetCheck {
        max_nanos: budget.max_nanos,
        soft_nanos: budget.soft_nanos,
        window_start_ms: millis(start),
        window_end_ms: Some(millis(end)),
        // The database's spend counts only when it belongs to this window.
        baseline_nanos: if budget.reset_at == Some(end) {
            budget.spent_nanos
        } else {
            0
        },
    })
}

fn scope(id: String, label: String, limits: &Limits, priced: bool, now: DateTime<Utc>) -> Scope {
    Scope {
        id,
        label,
        rpm: count(limits.rpm),
        tpm: count(limits.tpm),
        parallel: count(limits.parallel),
        // A model with no price costs nothing and is never refused for budget.
        budget: priced.then(|| budget_check(limits, now)).flatten(),
    }
}

/// Every scope limiting `key` on `model` at `now`; empty when nothing is limited.
pub fn scopes_for(key: &AuthKey, model: &str, priced: bool, now: DateTime<Utc>) -> Vec<Scope> {
    let mut scopes = Vec::new();
    // Names are only built for scopes that limit something: an unlimited key costs nothing.
    let mut push = |limits: &Limits, id: &dyn Fn() -> String, label: &dyn Fn() -> String| {
        if limits.is_empty() {
            return;
        }
        let scope = scope(id(), label(), limits, priced, now);
        // An unpriced model drops the budget, which may have been the only limit.
        if scope.rpm.is_some()
            || scope.tpm.is_some()
            || scope.parallel.is_some()
            || scope.budget.is_some()
        {
            scopes.push(scope);
        }
    };
    push(&key.limits, &|| format!("k:{}", key.token_hash), &|| {
        "API key".into()
    });
    let per_model = Limits {
        rpm: key.model_rpm.get(model).copied(),
        tpm: key.model_tpm.get(model).copied(),
        ..Limits::default()
    };
    push(
        &per_model,
        &|| format!("km:{}:{model}", key.token_hash),
        &|| format!("API key for model `{model}`"),
    );
    if let Some(owner) = key.owner {
        push(&key.owner_limits, &|| format!("u:{owner}"), &|| {
            "user".into()
        });
    }
    scopes
}

/// Where a grant was taken, so that it is settled in the same place.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Store {
    Redis,
    Local,
}

/// The clock the engine reads; tests inject their own.
pub type Clock = Arc<dyn Fn() -> DateTime<Utc> + Send + Sync>;

/// The quota engine in front of the stores, with the Redis failure policy.
pub struct Quotas {
    local: LocalLimiter,
    redis: Option<RedisLimiter>,
    policy: RedisFailure,
    /// Until when (ms since the epoch) Redis is skipped after a failure.
    redis_retry_at: AtomicI64,
    redis_failed: AtomicBool,
    /// Parallel-slot leases this replica holds in Redis, renewed while their requests live.
    leases: Mutex<HashMap<String, Vec<String>>>,
    lease_ms: i64,
    default_max_tokens: u64,
    metrics: Arc<Metrics>,
    clock: Clock,
    /// Settlements waiting to go to Redis: sent together by the settling task, or ahead of
    /// the next admission, whichever comes first.
    queued: Mutex<Vec<Finished>>,
    /// Wakes the settling task when a settlement is queued.
    settler: Arc<Notify>,
    /// Held while settlements are taken from `queued` and put on the Redis connection (and,
    /// for an admission, the admission after them): so no admission overtakes a settlement
    /// already taken but not yet sent. Commands on one connection run in the order sent.
    order: tokio::sync::Mutex<()>,
    /// Where budget alerts go (set once the live feed exists).
    live: std::sync::OnceLock<Arc<LiveFeed>>,
}

/// A request that ended, to be settled.
struct Finished {
    request_id: String,
    scopes: Vec<Scope>,
    reserved_nanos: i64,
    tokens: u64,
    cost_nanos: i64,
    now_ms: i64,
    key: Option<KeyLabels>,
    owner: Owner,
}

/// Whose request it was, for budget alerts.
#[derive(Clone, Copy, Debug, Default)]
struct Owner {
    key_id: Option<uuid::Uuid>,
    user_id: Option<uuid::Uuid>,
}

impl Finished {
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
const SETTLE_BATCH: usize = 128;

/// Sends settlements to Redis as they come: one call for everything waiting, so a busy
/// replica makes far fewer calls than requests. Ends with the engine.
async fn settle_in_batches(quotas: Weak<Quotas>, settler: Arc<Notify>) {
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
async fn sent_in_order<F: Future>(order: tokio::sync::MutexGuard<'_, ()>, calls: F) -> F::Output {
    let mut calls = std::pin::pin!(calls);
    let first = futures::poll!(calls.as_mut());
    drop(order);
    match first {
        std::task::Poll::Ready(output) => output,
        std::task::Poll::Pending => calls.await,
    }
}

/// How long Redis is left alone after it failed.
const REDIS_RETRY_MS: i64 = 1_000;

impl Quotas {
    /// An engine over `redis` (shared) or, without it, this process alone.
    pub fn new(
        config: &QuotaConfig,
        redis: Option<RedisLimiter>,
        metrics: Arc<Metrics>,
        clock: Clock,
    ) -> Arc<Self> {
        let lease_ms =
            i64::try_from(config.lease_seconds.saturating_mul(1_000)).unwrap_or(i64::MAX);
        let settler = Arc::new(Notify::new());
        Arc::new_cyclic(|quotas: &Weak<Self>| {
            if redis.is_some() {
                match tokio::runtime::Handle::try_current() {
                    Ok(runtime) => {
                        runtime.spawn(settle_in_batches(quotas.clone(), settler.clone()));
                    }
                    Err(_) => tracing::error!(
                        "the quota engine was built outside a runtime; Redis settlements stop"
                    ),
                }
            }
            Self {
                local: LocalLimiter::default(),
                redis,
                policy: config.redis_failure,
                redis_retry_at: AtomicI64::new(0),
                redis_failed: AtomicBool::new(false),
                leases: Mutex::new(HashMap::new()),
                lease_ms,
                default_max_tokens: config.default_max_tokens,
                metrics,
                clock,
                queued: Mutex::new(Vec::new()),
                order: tokio::sync::Mutex::new(()),
                settler,
                live: std::sync::OnceLock::new(),
            }
        })
    }

    /// The time as the engine sees it.
    pub fn now(&self) -> DateTime<Utc> {
        (self.clock)()
    }

    /// Completion tokens to reserve for when the request names no `max_tokens`.
    pub fn default_max_tokens(&self) -> u64 {
        self.default_max_tokens
    }

    fn redis_usable(&self, now_ms: i64) -> Option<&RedisLimiter> {
        let redis = self.redis.as_ref()?;
        (now_ms >= self.redis_retry_at.load(Ordering::Relaxed)).then_some(redis)
    }

    fn redis_failed(&self, error: &LimiterError, now_ms: i64) {
        self.metrics.redis_errors.inc();
        self.redis_retry_at
            .store(now_ms + REDIS_RETRY_MS, Ordering::Relaxed);
        if !self.redis_failed.swap(true, Ordering::Relaxed) {
            tracing::error!(%error, policy = ?self.policy, "redis failed; quotas follow the failure policy until it answers");
        }
    }

    fn redis_answered(&self) {
        if self.redis_failed.swap(false, Ordering::Relaxed) {
            tracing::info!("redis answers again; quotas are shared across replicas again");
        }
    }

    /// Sends budget alerts to `live` from now on.
    pub fn set_live(&self, live: Arc<LiveFeed>) {
        // Set once at start-up; a second call changes nothing.
        let _ = self.live.set(live);
    }

    /// Admits a request of `key` for `model` reserving `reserve_nanos`, or refuses it with
    /// a 429 naming the limit. `None`: nothing limits this key.
    pub async fn admit(
        self: &Arc<Self>,
        request_id: &str,
        key: &AuthKey,
        model: &str,
        priced: bool,
        reserve_nanos: i64,
    ) -> Result<Option<Permit>, ApiError> {
        let now = self.now();
        let scopes = scopes_for(key, model, priced, now);
        if scopes.is_empty() {
            return Ok(None);
        }
        let reserve_nanos = if scopes.iter().any(|s| s.budget.is_some()) {
            reserve_nanos.max(0)
        } else {
            0
        };
        let admission = Admission {
            request_id,
            scopes: &scopes,
            reserve_nanos,
            now_ms: millis(now),
        };
        let (verdict, store) = self.decide(&admission).await?;
        match verdict {
            Verdict::Refused(refusal) => {
                self.metrics
                    .quota_refusals
                    .get_or_create(&refusal_labels(refusal.limit))
                    .inc();
                Err(refused(&scopes, &refusal))
            }
            Verdict::Granted(usage) => {
                if store == Store::Redis && scopes.iter().any(|s| s.parallel.is_some()) {
                    let keys = scopes
                        .iter()
                        .filter(|s| s.parallel.is_some())
                        .map(|s| redis::lease_key(&s.id))
                        .collect();
                    if let Ok(mut leases) = self.leases.lock() {
                        leases.insert(request_id.to_owned(), keys);
                    }
                }
                Ok(Some(Permit {
                    key: Some(KeyLabels {
                        hashed_api_key: key.token_hash.clone(),
                        api_key_alias: key.alias.clone().unwrap_or_default(),
                    }),
                    owner: Owner {
                        key_id: Some(key.id),
                        user_id: key.owner,
                    },
                    headroom: Headroom::of(&scopes, &usage),
                    quotas: self.clone(),
                    request_id: request_id.to_owned(),
                    scopes,
                    reserved_nanos: reserve_nanos,
                    store,
                    tokens: 0,
                    cost_nanos: 0,
                }))
            }
        }
    }

    async fn decide(&self, admission: &Admission<'_>) -> Result<(Verdict, Store), ApiError> {
        if let Some(redis) = self.redis_usable(admission.now_ms) {
            // Settlements not yet sent go first, on the same connection, so a request that
            // finished on this replica has freed its slot before the next one is checked
            // (a sequential client with one parallel slot is never refused by its own past).
            let started = std::time::Instant::now();
            let order = self.order.lock().await;
            let queued = self.take_queued(SETTLE_BATCH);
            let both = futures::future::join(self.settle_in_redis(&queued), redis.admit(admission));
            let (_, answer) = sent_in_order(order, both).await;
            self.metrics
                .quota_check
                .observe(started.elapsed().as_secs_f64());
            match answer {
                Ok(verdict) => {
                    self.redis_answered();
                    return Ok((verdict, Store::Redis));
                }
                Err(error) => self.redis_failed(&error, admission.now_ms),
            }
        }
        if self.redis.is_some() && self.policy == RedisFailure::Reject {
            return Err(ApiError::Unavailable(
                "rate limits cannot be checked right now (the shared limit store is \
                 unavailable); retry in a few seconds"
                    .into(),
            ));
        }
        let verdict = self
            .local
            .admit(admission)
            .await
            .map_err(|_| ApiError::Internal)?;
        Ok((verdict, Store::Local))
    }

    /// Up to `most` of the settlements waiting for Redis, oldest first.
    fn take_queued(&self, most: usize) -> Vec<Finished> {
        match self.queued.lock() {
            Ok(mut queued) => {
                let take = queued.len().min(most);
                queued.drain(..take).collect()
            }
            Err(_) => Vec::new(),
        }
    }

    /// Settles requests admitted by Redis, in one call.
    async fn settle_in_redis(&self, finished: &[Finished]) {
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

    /// Settles a request: at once in process, or queued for Redis.
    fn settle(&self, store: Store, finished: Finished) {
        match store {
            Store::Redis => {
                if let Ok(mut queued) = self.queued.lock() {
                    queued.push(finished);
                }
                self.settler.notify_one();
            }
            Store::Local => {
                let settlement = finished.settlement();
                let spent = self.local.account(&settlement);
                self.show_key_budget(&settlement, &spent, finished.key.as_ref());
                self.raise_alerts(&settlement, &spent, finished.owner);
            }
        }
    }

    /// Sends the budget alerts for the lines this settlement crossed (each line is crossed by
    /// exactly one settlement, since counters only grow within a window).
    fn raise_alerts(&self, settlement: &Settlement<'_>, spent: &[Option<i64>], owner: Owner) {
        let Some(live) = self.live.get() else {
            return;
        };
        for (scope, spent) in settlement.scopes.iter().zip(spent) {
            let (Some(budget), Some(after)) = (&scope.budget, spent) else {
                continue;
            };
            let subject = if scope.id.starts_with("k:") {
                BudgetSubject::Key
            } else if scope.id.starts_with("u:") {
                BudgetSubject::User
            } else {
                continue;
            };
            let before = after.saturating_sub(settlement.cost_nanos);
            for threshold in crossed(budget, before, *after) {
                let units = |nanos: i64| nanos as f64 / 1e9;
                live.alert(BudgetAlert {
                    subject,
                    threshold,
                    key_id: (subject == BudgetSubject::Key)
                        .then_some(owner.key_id)
                        .flatten()
                        .map(|id| async_graphql::ID(id.to_string())),
                    user_id: owner.user_id.map(|id| async_graphql::ID(id.to_string())),
                    spend: units(*after),
                    max_budget: units(budget.max_nanos),
                    soft_budget: budget.soft_nanos.map(units),
                    at: self.now(),
                });
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

    /// Extends the leases of this replica's live requests (called every third of a lease).
    pub async fn renew_leases(&self) {
        let Some(redis) = &self.redis else {
            return;
        };
        let held: Vec<(String, Vec<String>)> = match self.leases.lock() {
            Ok(leases) => leases.iter().map(|(k, v)| (k.clone(), v.clone())).collect(),
            Err(_) => return,
        };
        if held.is_empty() {
            return;
        }
        let now_ms = millis(self.now());
        if let Err(error) = redis
            .renew(&held, now_ms + self.lease_ms, self.lease_ms)
            .await
        {
            self.redis_failed(&error, now_ms);
        }
    }

    /// How often [`Quotas::renew_leases`] should run.
    pub fn renew_every(&self) -> std::time::Duration {
        std::time::Duration::from_millis(u64::try_from(self.lease_ms / 3).unwrap_or(1_000).max(100))
    }
}

impl Drop for Quotas {
    fn drop(&mut self) {
        // The settling task holds only a weak reference: woken, it finds the engine gone.
        self.settler.notify_one();
    }
}

/// The budget lines passed going from `before` to `after`: the soft budget, 80% and 100%.
fn crossed(budget: &BudgetCheck, before: i64, after: i64) -> Vec<BudgetThreshold> {
    let max = budget.max_nanos;
    let lines = [
        (budget.soft_nanos, BudgetThreshold::Soft),
        (Some(max.saturating_mul(4) / 5), BudgetThreshold::Percent80),
        (Some(max), BudgetThreshold::Percent100),
    ];
    lines
        .into_iter()
        .filter_map(|(line, threshold)| {
            let line = line.filter(|l| *l > 0)?;
            (before < line && after >= line).then_some(threshold)
        })
        .collect()
}

fn refusal_labels(limit: Limit) -> crate::metrics::RefusalLabels {
    crate::metrics::RefusalLabels {
        limit: match limit {
            Limit::Requests => "rpm",
            Limit::Tokens => "tpm",
            Limit::Parallel => "parallel",
            Limit::Budget => "budget",
        }
        .into(),
    }
}

/// The 429 for `refusal`, saying which limit of which scope and when to retry.
fn refused(scopes: &[Scope], refusal: &Refusal) -> ApiError {
    let scope = scopes.get(refusal.scope);
    let label = scope.map_or("API key", |s| s.label.as_str());
    let retry_secs = refusal
        .retry_after_ms
        .map(|ms| u64::try_from((ms.max(1) + 999) / 1_000).unwrap_or(1));
    let mut headers = Vec::new();
    if let Some(secs) = retry_secs {
        headers.push(("retry-after", secs.to_string()));
    }
    let message = match refusal.limit {
        Limit::Requests => format!(
            "rate limit exceeded: the {label} allows {} requests per minute",
            refusal.max
        ),
        Limit::Tokens => format!(
            "rate limit exceeded: the {label} allows {} tokens per minute",
            refusal.max
        ),
        Limit::Parallel => format!(
            "too many requests in flight: the {label} allows {} at a time",
            refusal.max
        ),
        Limit::Budget => {
            let max = refusal.max as f64 / 1e9;
            let when = match refusal.retry_after_ms {
                Some(_) => "it resets at the end of its budget period",
                None => "ask an administrator to raise it",
            };
            return ApiError::BudgetExceeded {
                message: format!("budget exceeded: the {label}'s budget of {max} is spent; {when}"),
                headers,
            };
        }
    };
    let headroom = match (refusal.limit, scope) {
        (Limit::Requests, Some(s)) => Headroom {
            requests: s
                .rpm
                .map(|max| (max, 0, refusal.retry_after_ms.unwrap_or(0))),
            tokens: None,
        },
        (Limit::Tokens, Some(s)) => Headroom {
            requests: None,
            tokens: s
                .tpm
                .map(|max| (max, 0, refusal.retry_after_ms.unwrap_or(0))),
        },
        _ => Headroom::default(),
    };
    headers.extend(headroom.headers());
    ApiError::RateLimited { message, headers }
}

/// An admitted request's hold on its quotas. Settled (with the actual tokens and cost) when
/// dropped, however the request ended.
pub struct Permit {
    quotas: Arc<Quotas>,
    request_id: String,
    scopes: Vec<Scope>,
    reserved_nanos: i64,
    store: Store,
    tokens: u64,
    cost_nanos: i64,
    /// The key's metric labels, for its budget gauges.
    key: Option<KeyLabels>,
    /// The key and its owner, for budget alerts.
    owner: Owner,
    /// The rate-limit headers to send with the answer.
    pub headroom: Headroom,
}

impl Permit {
    /// Records what the request actually used; settled when the permit is dropped.
    pub fn record(&mut self, tokens: u64, cost_nanos: i64) {
        self.tokens = tokens;
        self.cost_nanos = cost_nanos;
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

#[cfg(test)]
mod tests;
