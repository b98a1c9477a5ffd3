//! The shared quota store: `admit.lua` and `settle.lua` run atomically in Redis, one round
//! trip each, so every replica sees the same counters. Times come from the calling replica
//! (replica clocks are assumed NTP-synchronised), which also lets tests inject a clock.

use std::time::Duration;

use redis::Script;
use redis::aio::ConnectionManager;

use super::{
    Admission, Limit, Limiter, LimiterError, Refusal, Settlement, Usage, Verdict, utc_day,
};

/// Every key this store writes starts with this.
const PREFIX: &str = "sy:q:";

fn requests_key(scope: &str) -> String {
    format!("{PREFIX}{scope}:rpm")
}

fn tokens_key(scope: &str) -> String {
    format!("{PREFIX}{scope}:tpm")
}

/// The sorted set holding a scope's parallel-slot leases.
pub fn lease_key(scope: &str) -> String {
    format!("{PREFIX}{scope}:par")
}

/// The counter of a scope's requests on one UTC day.
fn daily_key(scope: &str, day: i64) -> String {
    format!("{PREFIX}{scope}:rpd:{day}")
}

fn budget_key(scope: &str, window_start_ms: i64) -> String {
    format!("{PREFIX}{scope}:b:{window_start_ms}")
}

/// The sorted set of a budget window's reservations not yet settled.
pub fn holds_key(scope: &str, window_start_ms: i64) -> String {
    format!("{PREFIX}{scope}:h:{window_start_ms}")
}

/// A live request's entries in Redis that expire unless renewed: its parallel-slot leases
/// and its budget holds. A replica that dies stops renewing them, so its slots free
/// themselves and its reservations go back to the budgets.
#[derive(Debug, Clone, Default)]
pub struct Held {
    /// Lease sets holding the request id.
    pub leases: Vec<String>,
    /// Hold sets holding `member`.
    pub holds: Vec<String>,
    /// `{request id}/{reserved nanos}`, as `admit.lua` writes it.
    pub member: String,
}

/// Quotas in Redis.
pub struct RedisLimiter {
    connection: ConnectionManager,
    admit: Script,
    settle: Script,
    timeout: Duration,
    lease_ms: i64,
}

impl RedisLimiter {
    /// A store on `connection`, giving up on a call after `timeout`; parallel-slot leases
    /// last `lease_ms` unless renewed.
    pub fn new(connection: ConnectionManager, timeout: Duration, lease_ms: i64) -> Self {
        Self {
            lease_ms,
            connection,
            admit: Script::new(include_str!("admit.lua")),
            settle: Script::new(include_str!("settle.lua")),
            timeout,
        }
    }

    async fn bounded<T>(
        &self,
        call: impl Future<Output = redis::RedisResult<T>>,
    ) -> Result<T, LimiterError> {
        match tokio::time::timeout(self.timeout, call).await {
            Ok(result) => Ok(result?),
            Err(_) => Err(LimiterError::Timeout),
        }
    }

    /// Settles several requests in one call; answers each one's budget counters.
    pub async fn settle_many(
        &self,
        settlements: &[Settlement<'_>],
    ) -> Result<Vec<Vec<Option<i64>>>, LimiterError> {
        let mut invocation = self.settle.prepare_invoke();
        invocation.arg(settlements.len());
        let flag = |on: bool| if on { "1" } else { "0" };
        for settlement in settlements {
            invocation
                .arg(settlement.now_ms.div_euclid(1_000))
                .arg(settlement.request_id)
                .arg(settlement.tokens)
                .arg(settlement.cost_nanos - settlement.reserved_nanos)
                .arg(settlement.reserved_nanos)
                .arg(settlement.scopes.len());
            for scope in settlement.scopes {
                let window_start = scope.budget.as_ref().map_or(0, |b| b.window_start_ms);
                invocation
                    .key(tokens_key(&scope.id))
                    .key(lease_key(&scope.id))
                    .key(budget_key(&scope.id, window_start))
                    .key(holds_key(&scope.id, window_start))
                    .arg(flag(scope.tpm.is_some()))
                    .arg(flag(scope.parallel.is_some()))
                    .arg(flag(scope.budget.is_some()));
            }
        }
        let mut connection = self.connection.clone();
        let spent: Vec<i64> = self
            .bounded(invocation.invoke_async(&mut connection))
            .await?;
        let mut spent = spent.into_iter().map(|n| (n >= 0).then_some(n));
        Ok(settlements
            .iter()
            .map(|s| spent.by_ref().take(s.scopes.len()).collect())
            .collect())
    }

    /// Moves the expiry of what live requests hold (request id, [`Held`]) to `until_ms`.
    pub async fn renew(
        &self,
        held: &[(String, Held)],
        until_ms: i64,
        lease_ms: i64,
    ) -> Result<(), LimiterError> {
        let mut pipe = redis::pipe();
        for (request_id, held) in held {
            for key in &held.leases {
                pipe.cmd("ZADD")
                    .arg(key)
                    .arg("XX")
                    .arg(until_ms)
                    .arg(request_id)
                    .ignore();
                pipe.cmd("PEXPIRE").arg(key).arg(lease_ms + 1_000).ignore();
            }
            // A hold set lives as long as its budget window's counter (set by admit.lua).
            for key in &held.holds {
                pipe.cmd("ZADD")
                    .arg(key)
                    .arg("XX")
                    .arg(until_ms)
                    .arg(&held.member)
                    .ignore();
            }
        }
        let mut connection = self.connection.clone();
        self.bounded(pipe.query_async::<()>(&mut connection)).await
    }
}

fn limit(value: Option<u64>) -> i64 {
    value.map_or(-1, |n| i64::try_from(n).unwrap_or(i64::MAX))
}

fn verdict(answer: &[i64], scopes: usize) -> Result<Verdict, LimiterError> {
    let bad = || LimiterError::Protocol(format!("{answer:?}"));
    match answer {
        [0, scope, kind, max, retry] => {
            let limit = match kind {
                1 => Limit::Requests,
                2 => Limit::Tokens,
                3 => Limit::Parallel,
                4 => Limit::Budget,
                5 => Limit::RequestsPerDay,
                _ => return Err(bad()),
            };
            Ok(Verdict::Refused(Refusal {
                scope: usize::try_from(*scope).map_err(|_| bad())?,
                limit,
                max: *max,
                retry_after_ms: (*retry > 0).then_some(*retry),
            }))
        }
        [1, rest @ ..] if rest.len() == scopes * 4 => Ok(Verdict::Granted(
            rest.chunks_exact(4)
                .map(|u| Usage {
                    requests: u64::try_from(u[0]).unwrap_or(0),
                    requests_reset_ms: u[1],
                    tokens: u64::try_from(u[2]).unwrap_or(0),
                    tokens_reset_ms: u[3],
                })
                .collect(),
        )),
        _ => Err(bad()),
    }
}

impl Limiter for RedisLimiter {
    async fn admit(&self, admission: &Admission<'_>) -> Result<Verdict, LimiterError> {
        let mut invocation = self.admit.prepare_invoke();
        invocation
            .arg(admission.now_ms)
            .arg(admission.request_id)
            .arg(self.lease_ms)
            .arg(admission.reserve_nanos);
        let (today, day_left_ms) = utc_day(admission.now_ms);
        invocation.arg(day_left_ms);
        for scope in admission.scopes {
            let window_start = scope.budget.as_ref().map_or(0, |b| b.window_start_ms);
            invocation
                .key(requests_key(&scope.id))
                .key(tokens_key(&scope.id))
                .key(lease_key(&scope.id))
                .key(budget_key(&scope.id, window_start))
                .key(daily_key(&scope.id, today))
                .key(holds_key(&scope.id, window_start));
            let left =
                |b: &super::BudgetCheck| b.window_end_ms.map(|end| (end - admission.now_ms).max(1));
            let (max, baseline, ttl, retry) = match &scope.budget {
                Some(b) => (
                    b.max_nanos,
                    b.baseline_nanos,
                    // A window's counter is kept an hour past its end, then forgotten.
                    left(b).map_or(-1, |ms| ms + 3_600_000),
                    left(b).unwrap_or(-1),
                ),
                None => (-1, 0, -1, -1),
            };
            invocation
                .arg(limit(scope.rpm))
                .arg(limit(scope.tpm))
                .arg(limit(scope.parallel))
                .arg(max)
                .arg(baseline)
                .arg(ttl)
                .arg(retry)
                .arg(limit(scope.rpd));
        }
        let mut connection = self.connection.clone();
        let answer: Vec<i64> = self
            .bounded(invocation.invoke_async(&mut connection))
            .await?;
        verdict(&answer, admission.scopes.len())
    }

    async fn settle(&self, settlement: &Settlement<'_>) -> Result<Vec<Option<i64>>, LimiterError> {
        let mut all = self.settle_many(std::slice::from_ref(settlement)).await?;
        Ok(all.pop().unwrap_or_default())
    }
}
