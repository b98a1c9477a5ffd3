//! The quota engine: one admission check per `/v1` request covering every limit that applies
//! (the key, the key for this model, the key's owner): rolling 60-second requests and tokens
//! per minute, requests per UTC calendar day, parallel-request slots held as expiring leases,
//! and budgets checked with a reservation of the request's worst-case cost that is settled to
//! the actual cost after.
//!
//! With Redis the check is one Lua round trip shared by every replica ([`RedisLimiter`]);
//! without it the same rules run in process ([`LocalLimiter`]). When a configured Redis fails,
//! the policy decides: this replica's own counters (default) or refusal, until Redis answers
//! again (retried every second, no restart needed).
//!
//! The engine answers in its own terms and never in a wire format: a refusal is a
//! [`QuotaError`] (the server's HTTP error type words the 429), a crossed budget line a
//! [`BudgetCrossing`] (the live feed makes the GraphQL alert).
//!
//! This file holds the engine's entry points and the store contract ([`Limiter`]); `scope`
//! builds what is limited, `headroom` the rate-limit headers, `admitter` the batching of
//! admissions to Redis, `permit` the settling, `alerts` the budget crossings.

mod admitter;
mod alerts;
mod headroom;
mod local;
mod permit;
mod redis;
mod scope;

use std::collections::HashMap;
use std::future::Future;
use std::sync::atomic::{AtomicBool, AtomicI64, Ordering};
use std::sync::{Arc, Mutex, Weak};

use chrono::{DateTime, Utc};
use schema::keys::AuthKey;
use tokio::sync::{Notify, mpsc, oneshot};

use self::admitter::{Asking, Queued, admit_in_batches};
use self::alerts::Owner;
pub use self::alerts::{AlertSink, BudgetCrossing, Subject, Threshold};
#[cfg(test)]
pub(crate) use self::headroom::header_lines;
pub use self::headroom::{Headroom, RateHeaders, Room};
pub use self::local::LocalLimiter;
pub use self::permit::Permit;
use self::permit::{Finished, settle_in_batches};
pub use self::redis::RedisLimiter;
pub use self::scope::{BudgetCheck, Scope, scopes_for};
use crate::config::{QuotaConfig, RedisFailure};
use crate::metrics::{KeyLabels, Metrics, RefusalLabels};

/// The most one request is reserved or charged against a budget counter: a million currency
/// units. Redis keeps counters in 64 bits and fails a script whose `INCRBY` would overflow
/// (a `max_tokens` of u64::MAX made a reservation of i64::MAX); bounded, no sum of real
/// counters comes near that.
pub const MAX_CHARGE_NANOS: i64 = 1_000_000_000_000_000;
/// The most tokens one request counts against a tokens-per-minute counter, for the same reason.
pub const MAX_CHARGE_TOKENS: u64 = 1_000_000_000_000;

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
    RequestsPerDay,
}

/// A UTC day in ms.
const DAY_MS: i64 = 86_400_000;

/// The UTC day `now_ms` falls in (days since the epoch) and the ms until the next begins.
fn utc_day(now_ms: i64) -> (i64, i64) {
    let day = now_ms.div_euclid(DAY_MS);
    (day, (day + 1) * DAY_MS - now_ms)
}

/// Why a store refused a request; the engine answers it as [`Refused`].
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

impl Limit {
    /// The limit's short name, as metrics label it.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Requests => "rpm",
            Self::Tokens => "tpm",
            Self::Parallel => "parallel",
            Self::Budget => "budget",
            Self::RequestsPerDay => "rpd",
        }
    }

    /// Why a request was refused, in words: which limit of the scope called `label`, at
    /// `max` (a budget in nano-units of currency); `resets` when it is a budget that resets.
    pub fn sentence(self, label: &str, max: i64, resets: bool) -> String {
        match self {
            Self::Requests => {
                format!("rate limit exceeded: the {label} allows {max} requests per minute")
            }
            Self::Tokens => {
                format!("rate limit exceeded: the {label} allows {max} tokens per minute")
            }
            Self::Parallel => {
                format!("too many requests in flight: the {label} allows {max} at a time")
            }
            Self::RequestsPerDay => format!(
                "rate limit exceeded: the {label} allows {max} requests per day (UTC); it \
                 resets at midnight UTC"
            ),
            Self::Budget => {
                let max = max as f64 / 1e9;
                let when = if resets {
                    "it resets at the end of its budget period"
                } else {
                    "ask an administrator to raise it"
                };
                format!("budget exceeded: the {label}'s budget of {max} is spent; {when}")
            }
        }
    }
}

/// Why the engine did not admit a request.
#[derive(Debug, thiserror::Error)]
pub enum QuotaError {
    /// A limit is reached.
    #[error("the {}'s {} limit is reached", .0.label, .0.limit.as_str())]
    Refused(Refused),
    /// Redis, the shared store, is down and the failure policy refuses without it.
    #[error("the shared quota store is unavailable")]
    Unavailable,
    /// The in-process store failed.
    #[error("the quota store failed")]
    Internal(#[source] LimiterError),
}

/// The engine's refusal, with what the caller needs to know: which limit of which scope, and
/// when trying again can succeed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refused {
    pub limit: Limit,
    /// The limit: requests or tokens per minute, requests at a time, or the budget in
    /// nano-units of currency.
    pub max: i64,
    /// When trying again can succeed, in ms (`None`: not before an administrator acts).
    pub retry_after_ms: Option<i64>,
    /// What the refusing scope is called ("API key", "user", ...).
    pub label: String,
    /// The refusing scope's rate-limit headroom (empty unless a rate limit refused).
    pub headroom: Headroom,
}

impl Refused {
    /// The refusal of `refusal` among `scopes`.
    fn of(scopes: &[Scope], refusal: &Refusal) -> Self {
        let scope = scopes.get(refusal.scope);
        Self {
            limit: refusal.limit,
            max: refusal.max,
            retry_after_ms: refusal.retry_after_ms,
            label: scope.map_or_else(|| "API key".to_owned(), |s| s.label.clone()),
            headroom: scope
                .map(|s| Headroom::refused(s, refusal))
                .unwrap_or_default(),
        }
    }
}

/// `at` in ms since the epoch, the time unit of every store.
fn millis(at: DateTime<Utc>) -> i64 {
    at.timestamp_millis()
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
    /// Parallel-slot leases and budget holds this replica's live requests have in Redis,
    /// renewed while the requests live.
    leases: Mutex<HashMap<String, redis::Held>>,
    lease_ms: i64,
    default_max_tokens: u64,
    metrics: Arc<Metrics>,
    clock: Clock,
    /// Settlements waiting to go to Redis: sent together by the settling task, or ahead of
    /// the next admission, whichever comes first.
    queued: Mutex<Vec<Finished>>,
    /// Wakes the settling task when a settlement is queued.
    settler: Arc<Notify>,
    /// Admissions for Redis, to the task that sends them in batches.
    admissions: mpsc::Sender<Queued>,
    /// Held while settlements are taken from `queued` and put on the Redis connection (and,
    /// for the admitter, the batch of admissions after them): so no admission overtakes a settlement
    /// already taken but not yet sent. Commands on one connection run in the order sent.
    order: tokio::sync::Mutex<()>,
    /// Where budget crossings go (set once the live feed exists).
    alerts: std::sync::OnceLock<Arc<dyn AlertSink>>,
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
        let (admissions, queue) = mpsc::channel(admitter::QUEUE);
        Arc::new_cyclic(|quotas: &Weak<Self>| {
            if redis.is_some() {
                match tokio::runtime::Handle::try_current() {
                    Ok(runtime) => {
                        runtime.spawn(settle_in_batches(quotas.clone(), settler.clone()));
                        runtime.spawn(admit_in_batches(quotas.clone(), queue));
                    }
                    Err(_) => tracing::error!(
                        "the quota engine was built outside a runtime; Redis settlements stop and \
                         admissions follow the failure policy"
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
                admissions,
                alerts: std::sync::OnceLock::new(),
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

    /// Sends budget crossings to `live` from now on.
    pub fn set_live(&self, live: Arc<dyn AlertSink>) {
        // Set once at start-up; a second call changes nothing.
        let _ = self.alerts.set(live);
    }

    /// Admits a request of `key` for `model` reserving `reserve_nanos`, or says which limit
    /// of which scope refuses it. `None`: nothing limits this key.
    pub async fn admit(
        self: &Arc<Self>,
        request_id: &str,
        key: &AuthKey,
        model: &str,
        priced: bool,
        reserve_nanos: i64,
    ) -> Result<Option<Permit>, QuotaError> {
        let now = self.now();
        let scopes = scopes_for(key, model, priced, now);
        if scopes.is_empty() {
            return Ok(None);
        }
        let reserve_nanos = if scopes.iter().any(|s| s.budget.is_some()) {
            reserve_nanos.clamp(0, MAX_CHARGE_NANOS)
        } else {
            0
        };
        let asking = Asking {
            request_id: request_id.to_owned(),
            scopes,
            reserve_nanos,
            now_ms: millis(now),
        };
        let (verdict, store, asking) = self.decide(asking).await?;
        let Asking {
            request_id, scopes, ..
        } = asking;
        match verdict {
            Verdict::Refused(refusal) => {
                self.metrics
                    .quota_refusals
                    .get_or_create(&RefusalLabels {
                        limit: refusal.limit.as_str().into(),
                    })
                    .inc();
                Err(QuotaError::Refused(Refused::of(&scopes, &refusal)))
            }
            Verdict::Granted(usage) => {
                if store == Store::Redis {
                    self.hold(&request_id, &scopes, reserve_nanos);
                }
                Ok(Some(Permit {
                    key: self.metrics.per_key_labels.then(|| KeyLabels {
                        hashed_api_key: key.token_hash.clone(),
                        api_key_alias: key.alias.clone().unwrap_or_default(),
                    }),
                    owner: Owner {
                        key_id: Some(key.id),
                        user_id: key.owner,
                    },
                    headroom: Headroom::of(&scopes, &usage),
                    quotas: self.clone(),
                    request_id,
                    scopes,
                    reserved_nanos: reserve_nanos,
                    store,
                    tokens: 0,
                    cost_nanos: 0,
                }))
            }
        }
    }

    /// Decides an admission in Redis (queued for the next batch) or, by the failure policy,
    /// in process; gives the admission back with its verdict.
    async fn decide(&self, asking: Asking) -> Result<(Verdict, Store, Asking), QuotaError> {
        let mut asking = asking;
        if self.redis_usable(asking.now_ms).is_some() {
            let started = std::time::Instant::now();
            let (answer, answered) = oneshot::channel();
            let queued = Queued { asking, answer };
            let redis_verdict = match self.admissions.send(queued).await {
                Ok(()) => match answered.await {
                    Ok((back, verdict)) => {
                        asking = back;
                        verdict
                    }
                    // The admitter ended (the runtime is shutting down): the admission went
                    // with it.
                    Err(_) => return Err(QuotaError::Unavailable),
                },
                Err(mpsc::error::SendError(queued)) => {
                    asking = queued.asking;
                    None
                }
            };
            self.metrics
                .quota_check
                .observe(started.elapsed().as_secs_f64());
            if let Some(verdict) = redis_verdict {
                return Ok((verdict, Store::Redis, asking));
            }
        }
        if self.redis.is_some() && self.policy == RedisFailure::Reject {
            return Err(QuotaError::Unavailable);
        }
        let verdict = self
            .local
            .admit(&asking.admission())
            .await
            .map_err(QuotaError::Internal)?;
        Ok((verdict, Store::Local, asking))
    }

    /// Remembers what a request admitted by Redis holds there, for renewal until it settles.
    fn hold(&self, request_id: &str, scopes: &[Scope], reserve_nanos: i64) {
        let leases: Vec<String> = scopes
            .iter()
            .filter(|s| s.parallel.is_some())
            .map(|s| redis::lease_key(&s.id))
            .collect();
        let holds: Vec<String> = if reserve_nanos > 0 {
            scopes
                .iter()
                .filter_map(|s| Some(redis::holds_key(&s.id, s.budget.as_ref()?.window_start_ms)))
                .collect()
        } else {
            Vec::new()
        };
        if leases.is_empty() && holds.is_empty() {
            return;
        }
        let held = redis::Held {
            leases,
            holds,
            member: format!("{request_id}/{reserve_nanos}"),
        };
        if let Ok(mut all) = self.leases.lock() {
            all.insert(request_id.to_owned(), held);
        }
    }

    /// Extends the leases and holds of this replica's live requests (called every third of a
    /// lease).
    pub async fn renew_leases(&self) {
        let Some(redis) = &self.redis else {
            return;
        };
        let held: Vec<(String, redis::Held)> = match self.leases.lock() {
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

#[cfg(test)]
mod tests;
