//! The shared quota store: `admit.lua` and `settle.lua` run atomically in Redis, one round
//! trip each, so every replica sees the same counters. Times come from the calling replica
//! (replica clocks are assumed NTP-synchronised), which also lets tests inject a clock.

use std::collections::HashMap;
use std::time::Duration;

use redis::Script;
use redis::aio::ConnectionManager;

use super::{
    Admission, Limit, Limiter, LimiterError, Refusal, Settlement, Usage, Verdict, utc_day,
};

/// Every key this store writes starts with this.
const PREFIX: &str = "sy:q:";

/// Writes the key `sy:q:{scope}:{suffix}{number}` into `key`, which it clears first. Keys are
/// built per request, six for an admission and four for a settlement; `format!` sized them by
/// their literal parts and grew them twice for a key hash's scope (1,600 instructions a key,
/// BENCHMARKS.md), where this reserves once and reuses one buffer for a whole command.
fn write_key(key: &mut String, scope: &str, suffix: &str, number: Option<i64>) {
    use std::fmt::Write;
    key.clear();
    key.reserve(PREFIX.len() + scope.len() + suffix.len() + 21);
    key.push_str(PREFIX);
    key.push_str(scope);
    key.push(':');
    key.push_str(suffix);
    if let Some(number) = number {
        // Writing into a String cannot fail.
        let _ = write!(key, "{number}");
    }
}

fn key_of(scope: &str, suffix: &str, number: Option<i64>) -> String {
    let mut key = String::new();
    write_key(&mut key, scope, suffix, number);
    key
}

/// The sorted set holding a scope's parallel-slot leases.
pub fn lease_key(scope: &str) -> String {
    key_of(scope, LEASES, None)
}

/// The sorted set of a budget window's reservations not yet settled.
pub fn holds_key(scope: &str, window_start_ms: i64) -> String {
    key_of(scope, HOLDS, Some(window_start_ms))
}

/// The suffixes of a scope's keys: rolling requests and tokens (hashes), parallel-slot leases
/// (sorted set), the budget window's counter and its holds (sorted set, both followed by the
/// window's start in ms), and requests on a UTC day (followed by the day).
const REQUESTS: &str = "rpm";
const TOKENS: &str = "tpm";
const LEASES: &str = "par";
const BUDGET: &str = "b:";
const HOLDS: &str = "h:";
const DAILY: &str = "rpd:";

/// A call of one of the store's scripts, built straight into one `EVALSHA` command: its keys
/// and arguments are written into the command's own buffer, where the `redis` crate's script
/// invocation allocated each of them and then copied them into a command.
struct Call {
    command: redis::Cmd,
    key: String,
}

impl Call {
    fn new(script: &Script, keys: usize) -> Self {
        let mut command = redis::cmd("EVALSHA");
        command.arg(script.get_hash()).arg(keys);
        Self {
            command,
            key: String::new(),
        }
    }

    fn key(&mut self, scope: &str, suffix: &str, number: Option<i64>) {
        write_key(&mut self.key, scope, suffix, number);
        self.command.arg(self.key.as_str());
    }

    fn arg(&mut self, value: impl redis::ToRedisArgs) -> &mut Self {
        self.command.arg(value);
        self
    }
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

/// A scope as an admission call names it: its keys (the scope, its budget window and the UTC
/// day) and its limits (rpm, tpm, parallel, budget max, budget baseline, budget window end,
/// rpd; -1 where there is none).
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
struct AdmittedScope<'a> {
    id: &'a str,
    window_start: i64,
    today: i64,
    limits: [i64; 7],
}

/// A scope as a settling call names it: its keys (the scope and its budget window) and
/// whether it limits tokens, parallel requests and a budget.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
struct SettledScope<'a> {
    id: &'a str,
    window_start: i64,
    limits: [bool; 3],
}

/// The distinct scopes of one call, each named once however many requests share it: a
/// batch of one key's requests sends its keys and limits once, not once a request.
struct Named<T> {
    list: Vec<T>,
    places: HashMap<T, usize>,
}

impl<T> Default for Named<T> {
    fn default() -> Self {
        Self {
            list: Vec::new(),
            places: HashMap::new(),
        }
    }
}

impl<T: Copy + Eq + std::hash::Hash> Named<T> {
    /// `scope`'s place in the list, added at the end when new.
    fn place(&mut self, scope: T) -> usize {
        *self.places.entry(scope).or_insert_with(|| {
            self.list.push(scope);
            self.list.len() - 1
        })
    }
}

/// Quotas in Redis.
pub struct RedisLimiter {
    connection: ConnectionManager,
    admit: Script,
    settle: Script,
    timeout: Duration,
    lease_ms: i64,
}

const ADMIT: &str = include_str!("admit.lua");
const SETTLE: &str = include_str!("settle.lua");

impl RedisLimiter {
    /// A store on `connection`, giving up on a call after `timeout`; parallel-slot leases
    /// last `lease_ms` unless renewed.
    pub fn new(connection: ConnectionManager, timeout: Duration, lease_ms: i64) -> Self {
        Self {
            lease_ms,
            connection,
            admit: Script::new(ADMIT),
            settle: Script::new(SETTLE),
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

    /// Runs `call`; when Redis does not know its script (first use, or Redis restarted
    /// empty), loads `source` and runs it again.
    async fn run<T: redis::FromRedisValue>(
        &self,
        call: Call,
        source: &str,
    ) -> Result<T, LimiterError> {
        let mut connection = self.connection.clone();
        match self
            .bounded(call.command.query_async(&mut connection))
            .await
        {
            Err(LimiterError::Redis(error))
                if error.kind() == redis::ErrorKind::Server(redis::ServerErrorKind::NoScript) =>
            {
                let mut load = redis::cmd("SCRIPT");
                load.arg("LOAD").arg(source);
                self.bounded(load.query_async::<String>(&mut connection))
                    .await?;
                self.bounded(call.command.query_async(&mut connection))
                    .await
            }
            answer => answer,
        }
    }

    /// Settles several requests in one call; answers each one's budget counters.
    pub async fn settle_many(
        &self,
        settlements: &[Settlement<'_>],
    ) -> Result<Vec<Vec<Option<i64>>>, LimiterError> {
        let mut named = Named::default();
        let places: Vec<usize> = settlements
            .iter()
            .flat_map(|settlement| settlement.scopes)
            .map(|scope| {
                named.place(SettledScope {
                    id: &scope.id,
                    window_start: scope.budget.as_ref().map_or(0, |b| b.window_start_ms),
                    limits: [
                        scope.tpm.is_some(),
                        scope.parallel.is_some(),
                        scope.budget.is_some(),
                    ],
                })
            })
            .collect();
        let mut call = Call::new(&self.settle, named.list.len() * 4);
        for scope in &named.list {
            call.key(scope.id, TOKENS, None);
            call.key(scope.id, LEASES, None);
            call.key(scope.id, BUDGET, Some(scope.window_start));
            call.key(scope.id, HOLDS, Some(scope.window_start));
        }
        call.arg(named.list.len());
        for scope in &named.list {
            for on in scope.limits {
                call.arg(if on { "1" } else { "0" });
            }
        }
        call.arg(settlements.len());
        let mut places = places.into_iter();
        for settlement in settlements {
            call.arg(settlement.now_ms.div_euclid(1_000))
                .arg(settlement.request_id)
                .arg(settlement.tokens)
                .arg(settlement.cost_nanos - settlement.reserved_nanos)
                .arg(settlement.reserved_nanos)
                .arg(settlement.scopes.len());
            for place in places.by_ref().take(settlement.scopes.len()) {
                call.arg(place);
            }
        }
        let spent: Vec<i64> = self.run(call, SETTLE).await?;
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

impl RedisLimiter {
    /// Decides several admissions in one call, in order, each seeing what those before it
    /// took: answers their verdicts in the same order.
    pub async fn admit_many(
        &self,
        admissions: &[Admission<'_>],
    ) -> Result<Vec<Verdict>, LimiterError> {
        let mut named = Named::default();
        let places: Vec<usize> = admissions
            .iter()
            .flat_map(|admission| {
                let (today, _) = utc_day(admission.now_ms);
                admission.scopes.iter().map(move |scope| (scope, today))
            })
            .map(|(scope, today)| {
                let budget = scope.budget.as_ref();
                named.place(AdmittedScope {
                    id: &scope.id,
                    window_start: budget.map_or(0, |b| b.window_start_ms),
                    today,
                    limits: [
                        limit(scope.rpm),
                        limit(scope.tpm),
                        limit(scope.parallel),
                        budget.map_or(-1, |b| b.max_nanos),
                        budget.map_or(0, |b| b.baseline_nanos),
                        budget.and_then(|b| b.window_end_ms).unwrap_or(-1),
                        limit(scope.rpd),
                    ],
                })
            })
            .collect();
        let mut call = Call::new(&self.admit, named.list.len() * 6);
        for scope in &named.list {
            call.key(scope.id, REQUESTS, None);
            call.key(scope.id, TOKENS, None);
            call.key(scope.id, LEASES, None);
            call.key(scope.id, BUDGET, Some(scope.window_start));
            call.key(scope.id, DAILY, Some(scope.today));
            call.key(scope.id, HOLDS, Some(scope.window_start));
        }
        call.arg(self.lease_ms).arg(named.list.len());
        for scope in &named.list {
            for value in scope.limits {
                call.arg(value);
            }
        }
        call.arg(admissions.len());
        let mut places = places.into_iter();
        for admission in admissions {
            let (_, day_left_ms) = utc_day(admission.now_ms);
            call.arg(admission.now_ms)
                .arg(admission.request_id)
                .arg(admission.reserve_nanos)
                .arg(day_left_ms)
                .arg(admission.scopes.len());
            for place in places.by_ref().take(admission.scopes.len()) {
                call.arg(place);
            }
        }
        let answer: Vec<i64> = self.run(call, ADMIT).await?;
        verdicts(&answer, admissions)
    }
}

/// Splits the script's answers, one after another, into each admission's verdict.
fn verdicts(answer: &[i64], admissions: &[Admission<'_>]) -> Result<Vec<Verdict>, LimiterError> {
    let mut rest = answer;
    let mut all = Vec::with_capacity(admissions.len());
    for admission in admissions {
        let scopes = admission.scopes.len();
        let length = match rest.first() {
            Some(0) => 5,
            _ => 1 + scopes * 4,
        };
        if rest.len() < length {
            return Err(LimiterError::Protocol(format!("{answer:?}")));
        }
        let (one, next) = rest.split_at(length);
        all.push(verdict(one, scopes)?);
        rest = next;
    }
    if !rest.is_empty() {
        return Err(LimiterError::Protocol(format!("{answer:?}")));
    }
    Ok(all)
}

impl Limiter for RedisLimiter {
    async fn admit(&self, admission: &Admission<'_>) -> Result<Verdict, LimiterError> {
        let mut all = self.admit_many(std::slice::from_ref(admission)).await?;
        all.pop()
            .ok_or_else(|| LimiterError::Protocol("no verdict".into()))
    }

    async fn settle(&self, settlement: &Settlement<'_>) -> Result<Vec<Option<i64>>, LimiterError> {
        let mut all = self.settle_many(std::slice::from_ref(settlement)).await?;
        Ok(all.pop().unwrap_or_default())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_the_prefix_the_scope_and_the_suffix_written_into_one_buffer() {
        assert_eq!(lease_key("k:ab"), "sy:q:k:ab:par");
        assert_eq!(holds_key("u:1", -5), "sy:q:u:1:h:-5");
        let mut key = String::from("left over from the last key");
        write_key(&mut key, "km:ab:granite", BUDGET, Some(1_764_547_200_000));
        assert_eq!(key, "sy:q:km:ab:granite:b:1764547200000");
        write_key(&mut key, "k:ab", REQUESTS, None);
        assert_eq!(key, "sy:q:k:ab:rpm");
    }
}
