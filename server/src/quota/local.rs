//! The in-process quota store: the rules of `admit.lua` and `settle.lua` over this process's
//! memory, for a single replica without Redis (and for replicas whose Redis is down).

use std::collections::VecDeque;
use std::sync::Mutex;

// Scope ids, request ids and window starts are the server's own: foldhash, not SipHash.
use foldhash::{HashMap, HashSet};

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
    /// Budget counters by window start (ms), reservations included. Kept in i128: a request
    /// may ask for any number of tokens, so one reservation alone can be i64::MAX.
    budgets: HashMap<i64, i128>,
    /// Requests in a UTC day: (day since the epoch, count).
    daily: (i64, u64),
}

const MINUTE_MS: i64 = 60_000;

/// Adds `n` to the rolling per-second counts at `second`.
fn add(buckets: &mut VecDeque<(i64, u64)>, second: i64, n: u64) {
    match buckets.back_mut() {
        // Saturating: a model server may report any usage.
        Some((last, count)) if *last == second => *count = count.saturating_add(n),
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
    let sum = buckets
        .iter()
        .fold(0, |sum: u64, (_, n)| sum.saturating_add(*n));
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
                    .unwrap_or(i128::from(budget.baseline_nanos));
                if spent >= i128::from(budget.max_nanos) {
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
                    .or_insert(i128::from(budget.baseline_nanos)) +=
                    i128::from(admission.reserve_nanos);
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
                *counter +=
                    i128::from(settlement.cost_nanos) - i128::from(settlement.reserved_nanos);
                i64::try_from(*counter).unwrap_or(if *counter < 0 { i64::MIN } else { i64::MAX })
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

#[cfg(test)]
mod tests {
    //! Properties over any amounts and instants: the in-process store never panics, its budget
    //! counter is exactly the baseline plus what is reserved and settled, and token counts
    //! saturate rather than overflow (a model server may report any usage).

    use proptest::prelude::*;

    use super::*;
    use crate::quota::{BudgetCheck, Scope};

    /// An instant in 2027, in ms.
    const NOW_MS: i64 = 1_800_000_000_000;

    fn scope(tpm: Option<u64>, budget: Option<BudgetCheck>) -> Scope {
        Scope {
            id: "k:test".into(),
            label: "API key".into(),
            rpm: None,
            tpm,
            parallel: None,
            rpd: None,
            budget,
        }
    }

    fn budget(max_nanos: i64, baseline_nanos: i64) -> BudgetCheck {
        BudgetCheck {
            max_nanos,
            soft_nanos: None,
            window_start_ms: NOW_MS - 1_000,
            window_end_ms: Some(NOW_MS + 1_000),
            baseline_nanos,
        }
    }

    fn admit(
        limiter: &LocalLimiter,
        id: &str,
        scopes: &[Scope],
        reserve: i64,
        now_ms: i64,
    ) -> Verdict {
        limiter.check(&Admission {
            request_id: id,
            scopes,
            reserve_nanos: reserve,
            now_ms,
        })
    }

    fn settle(
        limiter: &LocalLimiter,
        id: &str,
        scopes: &[Scope],
        (reserved, cost, tokens): (i64, i64, u64),
        now_ms: i64,
    ) -> Vec<Option<i64>> {
        limiter.account(&Settlement {
            request_id: id,
            scopes,
            reserved_nanos: reserved,
            tokens,
            cost_nanos: cost,
            now_ms,
        })
    }

    /// `n` as the store answers a counter beyond i64: clamped.
    fn clamped(n: i128) -> i64 {
        i64::try_from(n).unwrap_or(if n < 0 { i64::MIN } else { i64::MAX })
    }

    /// Instants chrono can hold, in ms (the stores only ever see those).
    fn instant_ms() -> impl Strategy<Value = i64> {
        let first = chrono::DateTime::<chrono::Utc>::MIN_UTC.timestamp_millis();
        let last = chrono::DateTime::<chrono::Utc>::MAX_UTC.timestamp_millis();
        prop_oneof![NOW_MS - 200_000_000..NOW_MS + 200_000_000, first..=last]
    }

    /// Amounts in nanos: small ones, and ones at the edges of i64.
    fn nanos() -> impl Strategy<Value = i64> {
        prop_oneof![
            0..=1_000_000_i64,
            any::<i64>(),
            Just(i64::MAX),
            Just(i64::MIN)
        ]
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]

        #[test]
        fn budget_counters_are_the_baseline_plus_reservations_then_costs(
            baseline in nanos(),
            max in nanos(),
            requests in prop::collection::vec((nanos(), nanos()), 1..6),
        ) {
            let limiter = LocalLimiter::default();
            let scopes = [scope(None, Some(budget(max, baseline)))];
            // The counter, exactly: every request in flight at once, then each settled.
            let mut spent = i128::from(baseline);
            let mut admitted = Vec::new();
            for (i, (reserve, cost)) in requests.into_iter().enumerate() {
                let id = i.to_string();
                let verdict = admit(&limiter, &id, &scopes, reserve, NOW_MS);
                prop_assert_eq!(matches!(verdict, Verdict::Granted(_)), spent < i128::from(max));
                if matches!(verdict, Verdict::Granted(_)) {
                    spent += i128::from(reserve);
                    admitted.push((id, reserve, cost));
                }
            }
            for (id, reserve, cost) in admitted {
                spent += i128::from(cost) - i128::from(reserve);
                let counters = settle(&limiter, &id, &scopes, (reserve, cost, 0), NOW_MS);
                prop_assert_eq!(counters, vec![Some(clamped(spent))]);
            }
        }

        #[test]
        fn token_counts_saturate_instead_of_overflowing(
            tokens in prop::collection::vec(prop_oneof![0..=1_000_u64, any::<u64>()], 1..8),
            seconds in prop::collection::vec(0..3_i64, 8),
        ) {
            let limiter = LocalLimiter::default();
            let scopes = [scope(Some(u64::MAX), None)];
            admit(&limiter, "first", &scopes, 0, NOW_MS);
            let mut seconds = seconds;
            seconds.sort_unstable();
            let mut sum = 0_u64;
            for (n, second) in tokens.into_iter().zip(seconds) {
                settle(&limiter, "first", &scopes, (0, 0, n), NOW_MS + second * 1_000);
                sum = sum.saturating_add(n);
            }
            match admit(&limiter, "next", &scopes, 0, NOW_MS + 3_000) {
                Verdict::Granted(usage) => {
                    prop_assert!(sum < u64::MAX);
                    prop_assert_eq!(usage[0].tokens, sum);
                }
                Verdict::Refused(refusal) => {
                    prop_assert_eq!(sum, u64::MAX);
                    prop_assert_eq!(refusal.limit, Limit::Tokens);
                }
            }
        }

        #[test]
        fn the_store_never_panics_at_any_instant(
            requests in prop::collection::vec(
                (instant_ms(), nanos(), nanos(), any::<u64>()),
                1..8,
            ),
            (max, baseline, end_ms) in (nanos(), nanos(), instant_ms()),
        ) {
            let limiter = LocalLimiter::default();
            let mut every_limit = scope(Some(u64::MAX), Some(BudgetCheck {
                window_start_ms: end_ms.saturating_sub(86_400_000),
                window_end_ms: Some(end_ms),
                ..budget(max, baseline)
            }));
            every_limit.rpm = Some(u64::MAX);
            every_limit.parallel = Some(u64::MAX);
            every_limit.rpd = Some(u64::MAX);
            let scopes = [every_limit];
            for (i, (now_ms, reserve, cost, tokens)) in requests.into_iter().enumerate() {
                let id = i.to_string();
                admit(&limiter, &id, &scopes, reserve, now_ms);
                settle(&limiter, &id, &scopes, (reserve, cost, tokens), now_ms);
            }
        }
    }
}
