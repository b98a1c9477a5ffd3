//! The in-process quota store: the rules of `admit.lua` and `settle.lua` over this process's
//! memory, for a single replica without Redis (and for replicas whose Redis is down).

use std::collections::{HashMap, HashSet, VecDeque};
use std::sync::Mutex;

use super::{
    Admission, Limit, Limiter, LimiterError, Refusal, Settlement, Usage, Verdict, utc_day,
};

/// The counters of one scope.
#[derive(Debug, Default)]
struct Counters {
    /// Requests per second (second, count), oldest first.
    requests: VecDeque<(i64, u64)>,
    /// Tokens per second (second, tokens), oldest first.
    tokens: VecDeque<(i64, u64)>,
    /// Requests holding a parallel slot.
    leases: HashSet<String>,
    /// Budget counters by window start (ms), reservations included.
    budgets: HashMap<i64, i64>,
    /// Requests in a UTC day: (day since the epoch, count).
    daily: (i64, u64),
}

const MINUTE_MS: i64 = 60_000;

/// Adds `n` to the rolling per-second counts at `second`.
fn add(buckets: &mut VecDeque<(i64, u64)>, second: i64, n: u64) {
    match buckets.back_mut() {
        Some((last, count)) if *last == second => *count += n,
        _ => buckets.push_back((second, n)),
    }
}

/// Drops whole seconds that left the minute before `now_ms` (a second counts until a minute
/// after it ended, as in `admit.lua`).
fn forget(buckets: &mut VecDeque<(i64, u64)>, now_ms: i64) {
    let window = now_ms - MINUTE_MS;
    while buckets
        .front()
        .is_some_and(|(second, _)| (second + 1) * 1_000 <= window)
    {
        buckets.pop_front();
    }
}

/// The rolling sum and the ms until its oldest second leaves the window.
fn rolling(buckets: &VecDeque<(i64, u64)>, now_ms: i64) -> (u64, i64) {
    let sum = buckets.iter().map(|(_, n)| n).sum();
    let reset = buckets
        .front()
        .map_or(0, |(second, _)| (second + 1) * 1_000 + MINUTE_MS - now_ms);
    (sum, reset)
}

impl Counters {
    fn forget_old(&mut self, now_ms: i64) {
        forget(&mut self.requests, now_ms);
        forget(&mut self.tokens, now_ms);
        let (today, _) = utc_day(now_ms);
        if self.daily.0 != today {
            self.daily = (today, 0);
        }
    }

    fn usage(&self, now_ms: i64) -> Usage {
        let (requests, requests_reset_ms) = rolling(&self.requests, now_ms);
        let (tokens, tokens_reset_ms) = rolling(&self.tokens, now_ms);
        Usage {
            requests,
            requests_reset_ms,
            tokens,
            tokens_reset_ms,
        }
    }
}

/// Quotas kept in this process.
#[derive(Debug, Default)]
pub struct LocalLimiter {
    scopes: Mutex<HashMap<String, Counters>>,
}

impl LocalLimiter {
    fn check(&self, admission: &Admission<'_>) -> Verdict {
        let Ok(mut all) = self.scopes.lock() else {
            return Verdict::Refused(Refusal {
                scope: 0,
                limit: Limit::Parallel,
                max: 0,
                retry_after_ms: Some(1_000),
            });
        };
        let now = admission.now_ms;
        let mut usage = Vec::with_capacity(admission.scopes.len());
        for (i, scope) in admission.scopes.iter().enumerate() {
            let counters = all.entry(scope.id.clone()).or_default();
            counters.forget_old(now);
            let used = counters.usage(now);
            let refuse = |limit, max: u64, retry_after_ms| {
                Verdict::Refused(Refusal {
                    scope: i,
                    limit,
                    max: i64::try_from(max).unwrap_or(i64::MAX),
                    retry_after_ms,
                })
            };
            if let Some(rpm) = scope.rpm.filter(|max| used.requests >= *max) {
                return refuse(Limit::Requests, rpm, Some(used.requests_reset_ms));
            }
            if let Some(tpm) = scope.tpm.filter(|max| used.tokens >= *max) {
                return refuse(Limit::Tokens, tpm, Some(used.tokens_reset_ms));
            }
            if let Some(parallel) = scope
                .parallel
                .filter(|max| counters.leases.len() as u64 >= *max)
            {
                return refuse(Limit::Parallel, parallel, Some(1_000));
            }
            if let Some(budget) = &scope.budget {
                let spent = counters
                    .budgets
                    .get(&budget.window_start_ms)
                    .copied()
                    .unwrap_or(budget.baseline_nanos);
                if spent >= budget.max_nanos {
                    return Verdict::Refused(Refusal {
                        scope: i,
                        limit: Limit::Budget,
                        max: budget.max_nanos,
                        retry_after_ms: budget.window_end_ms.map(|end| end - now),
                    });
                }
            }
            // After the budget, as in `admit.lua`, so both stores name the same limit.
            if let Some(rpd) = scope.rpd.filter(|max| counters.daily.1 >= *max) {
                return refuse(Limit::RequestsPerDay, rpd, Some(utc_day(now).1));
            }
            usage.push(Usage {
                requests: used.requests + 1,
                ..used
            });
        }
        for scope in admission.scopes {
            let counters = all.entry(scope.id.clone()).or_default();
            if scope.rpm.is_some() {
                add(&mut counters.requests, now.div_euclid(1_000), 1);
            }
            if scope.parallel.is_some() {
                counters.leases.insert(admission.request_id.to_owned());
            }
            if scope.rpd.is_some() {
                counters.daily.1 += 1;
            }
            if let Some(budget) = &scope.budget {
                // Counters of earlier windows are done with.
                counters
                    .budgets
                    .retain(|start, _| *start >= budget.window_start_ms);
                *counters
                    .budgets
                    .entry(budget.window_start_ms)
                    .or_insert(budget.baseline_nanos) += admission.reserve_nanos;
            }
        }
        Verdict::Granted(usage)
    }

    /// Settles one request at once (no I/O): answers its budget counters.
    pub fn account(&self, settlement: &Settlement<'_>) -> Vec<Option<i64>> {
        let mut spent = Vec::with_capacity(settlement.scopes.len());
        let Ok(mut all) = self.scopes.lock() else {
            return spent;
        };
        let second = settlement.now_ms.div_euclid(1_000);
        for scope in settlement.scopes {
            let Some(counters) = all.get_mut(&scope.id) else {
                spent.push(None);
                continue;
            };
            if scope.tpm.is_some() && settlement.tokens > 0 {
                add(&mut counters.tokens, second, settlement.tokens);
            }
            counters.leases.remove(settlement.request_id);
            let counter = scope
                .budget
                .as_ref()
                .and_then(|budget| counters.budgets.get_mut(&budget.window_start_ms));
            spent.push(counter.map(|counter| {
                *counter += settlement.cost_nanos - settlement.reserved_nanos;
                *counter
            }));
        }
        spent
    }
}

impl Limiter for LocalLimiter {
    async fn admit(&self, admission: &Admission<'_>) -> Result<Verdict, LimiterError> {
        Ok(self.check(admission))
    }

    async fn settle(&self, settlement: &Settlement<'_>) -> Result<Vec<Option<i64>>, LimiterError> {
        Ok(self.account(settlement))
    }
}
