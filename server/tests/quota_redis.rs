//! The quota rules in Redis (the Lua scripts against a real server) agree with the in-process
//! store, step for step, with an injected clock; and a budget resets exactly at midnight UTC.
// Helpers outside `#[test]` functions may fail loudly too.
#![allow(clippy::unwrap_used)]

use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};
use std::time::Duration;

use chrono::{DateTime, TimeZone, Utc};
use schema::duration::Span;
use schema::keys::AuthKey;
use schema::limits::Budget;
use switchyard_server::config::QuotaConfig;
use switchyard_server::error::ApiError;
use switchyard_server::metrics::Metrics;
use switchyard_server::quota::{
    Admission, BudgetCheck, Clock, Limit, Limiter, LocalLimiter, Quotas, RedisLimiter, Scope,
    Settlement, Verdict,
};

fn redis_url() -> String {
    std::env::var("SWITCHYARD_TEST_REDIS").unwrap_or_else(|_| "redis://127.0.0.1:6379".into())
}

async fn redis(lease_ms: i64) -> RedisLimiter {
    let client = redis::Client::open(redis_url()).unwrap();
    let connection = redis::aio::ConnectionManager::new(client).await.unwrap();
    RedisLimiter::new(connection, Duration::from_secs(2), lease_ms)
}

/// A scope no other test touches.
fn scope(rpm: Option<u64>, tpm: Option<u64>, parallel: Option<u64>) -> Scope {
    Scope {
        id: format!("test:{}", uuid::Uuid::new_v4()),
        label: "API key".into(),
        rpm,
        tpm,
        parallel,
        rpd: None,
        budget: None,
    }
}

/// One step of a script run against both stores.
enum Step {
    Admit(&'static str, i64),
    Settle(&'static str, u64, i64),
}

async fn run<L: Limiter>(
    limiter: &L,
    scopes: &[Scope],
    steps: &[(i64, Step)],
) -> (Vec<Option<Limit>>, Vec<Option<i64>>) {
    let mut verdicts = Vec::new();
    let mut budgets = Vec::new();
    for (now_ms, step) in steps {
        match step {
            Step::Admit(id, reserve) => {
                let admission = Admission {
                    request_id: id,
                    scopes,
                    reserve_nanos: *reserve,
                    now_ms: *now_ms,
                };
                verdicts.push(match limiter.admit(&admission).await.unwrap() {
                    Verdict::Granted(_) => None,
                    Verdict::Refused(refusal) => Some(refusal.limit),
                });
            }
            Step::Settle(id, tokens, cost) => {
                let settlement = Settlement {
                    request_id: id,
                    scopes,
                    reserved_nanos: 50,
                    tokens: *tokens,
                    cost_nanos: *cost,
                    now_ms: *now_ms,
                };
                let spent = limiter.settle(&settlement).await.unwrap();
                budgets.push(spent[1]);
            }
        }
    }
    (verdicts, budgets)
}

#[tokio::test]
async fn redis_and_the_in_process_store_give_the_same_verdicts() {
    use Step::*;
    // Early in a second, so that the first steps share it.
    let t0 = Utc::now().timestamp_millis() / 1_000 * 1_000 + 100;
    let base = scope(Some(3), Some(100), Some(2));
    let mut budget = scope(None, None, None);
    budget.budget = Some(BudgetCheck {
        soft_nanos: None,
        max_nanos: 120,
        window_start_ms: 0,
        window_end_ms: None,
        baseline_nanos: 10,
    });
    let steps = [
        (t0, Admit("a", 50)),
        (t0 + 1, Admit("b", 50)),
        // Two slots held: parallel refuses.
        (t0 + 2, Admit("c", 50)),
        (t0 + 3, Settle("a", 60, 20)),
        // 10 + 20 + 50 (b's reservation) = 80 < 120: admitted, and the third request.
        (t0 + 4, Admit("d", 50)),
        (t0 + 5, Settle("b", 30, 20)),
        (t0 + 6, Settle("d", 5, 20)),
        // Three requests this minute: rpm refuses.
        (t0 + 7, Admit("e", 50)),
        // A minute after their second ended, the first requests and tokens have left the
        // window; the budget is at 70.
        (t0 + 61_001, Admit("f", 50)),
        (t0 + 62_000, Settle("f", 0, 100)),
        // 10 + 20 + 20 + 20 + 100 = 170 ≥ 120: the budget refuses.
        (t0 + 62_001, Admit("g", 50)),
    ];
    let scopes = [base, budget];
    let redis = redis(30_000).await;
    let in_redis = run(&redis, &scopes, &steps).await;
    let in_process = run(&LocalLimiter::default(), &scopes, &steps).await;
    assert_eq!(in_redis, in_process);
    // The budget counter after each settlement: reservations replaced by actual costs.
    assert_eq!(
        in_redis.1,
        [Some(80), Some(100), Some(70), Some(170)].to_vec()
    );
    assert_eq!(
        in_redis.0,
        vec![
            None,
            None,
            Some(Limit::Parallel),
            None,
            Some(Limit::Requests),
            None,
            Some(Limit::Budget)
        ]
    );
}

#[tokio::test]
async fn requests_per_day_agree_in_redis_and_in_process_and_end_at_midnight_utc() {
    use Step::*;
    let midnight = Utc
        .with_ymd_and_hms(2026, 12, 1, 0, 0, 0)
        .unwrap()
        .timestamp_millis();
    let mut daily = scope(Some(100), None, None);
    daily.rpd = Some(2);
    let steps = [
        (midnight - 120_000, Admit("a", 0)),
        // Two minutes later: out of the minute, still in the day.
        (midnight - 1_000, Admit("b", 0)),
        (midnight - 999, Admit("c", 0)),
        (midnight, Admit("d", 0)),
        (midnight + 1, Admit("e", 0)),
        (midnight + 2, Admit("f", 0)),
    ];
    let scopes = [daily];
    let in_redis = run(&redis(30_000).await, &scopes, &steps).await;
    let in_process = run(&LocalLimiter::default(), &scopes, &steps).await;
    assert_eq!(in_redis, in_process);
    let day = Some(Limit::RequestsPerDay);
    assert_eq!(in_redis.0, vec![None, None, day, None, None, day]);
    // The refusal says when the day ends (late on the next day, with two requests left).
    let late = Admission {
        request_id: "g",
        scopes: &scopes,
        reserve_nanos: 0,
        now_ms: midnight + 2 * 86_400_000 - 250,
    };
    let redis = redis(30_000).await;
    assert!(matches!(
        redis.admit(&late).await.unwrap(),
        Verdict::Granted(_)
    ));
    assert!(matches!(
        redis.admit(&late).await.unwrap(),
        Verdict::Granted(_)
    ));
    let Verdict::Refused(refusal) = redis.admit(&late).await.unwrap() else {
        panic!("a third request on the day passed")
    };
    assert_eq!(refusal.retry_after_ms, Some(250));
    // With the day and the budget both used up, both stores name the budget.
    let mut both = scope(None, None, None);
    both.rpd = Some(1);
    both.budget = Some(BudgetCheck {
        soft_nanos: None,
        max_nanos: 100,
        window_start_ms: 0,
        window_end_ms: None,
        baseline_nanos: 0,
    });
    let steps = [(midnight, Admit("a", 100)), (midnight + 1, Admit("b", 100))];
    let scopes = [both];
    let in_redis = run(&redis, &scopes, &steps).await;
    let in_process = run(&LocalLimiter::default(), &scopes, &steps).await;
    assert_eq!(in_redis, in_process);
    assert_eq!(in_redis.0, vec![None, Some(Limit::Budget)]);
}

#[tokio::test]
async fn a_lease_not_renewed_expires_and_frees_its_slot() {
    let redis = redis(500).await;
    let scopes = [scope(None, None, Some(1))];
    let t0 = Utc::now().timestamp_millis();
    let admit = |id, now_ms| admission(id, &scopes, 0, now_ms);
    assert!(matches!(
        redis.admit(&admit("held", t0)).await.unwrap(),
        Verdict::Granted(_)
    ));
    // The holder died: it never settles. Within the lease the slot stays taken ...
    assert!(matches!(
        redis.admit(&admit("x", t0 + 400)).await.unwrap(),
        Verdict::Refused(_)
    ));
    // ... and after it, it is free.
    assert!(matches!(
        redis.admit(&admit("y", t0 + 501)).await.unwrap(),
        Verdict::Granted(_)
    ));
}

/// An admission of `id` in `scopes` at `now_ms`, reserving `reserve_nanos`.
fn admission<'a>(
    id: &'a str,
    scopes: &'a [Scope],
    reserve_nanos: i64,
    now_ms: i64,
) -> Admission<'a> {
    Admission {
        request_id: id,
        scopes,
        reserve_nanos,
        now_ms,
    }
}

fn refused(verdict: &Verdict) -> Option<Limit> {
    match verdict {
        Verdict::Granted(_) => None,
        Verdict::Refused(refusal) => Some(refusal.limit),
    }
}

/// A scope with a budget of `max` nano-units that never resets, nothing spent before.
fn budget_scope(max: i64) -> Scope {
    Scope {
        budget: Some(BudgetCheck {
            max_nanos: max,
            soft_nanos: None,
            window_start_ms: 0,
            window_end_ms: None,
            baseline_nanos: 0,
        }),
        ..scope(None, None, None)
    }
}

#[tokio::test]
async fn a_dead_replicas_reservation_goes_back_and_a_late_settlement_pays_in_full() {
    let redis = redis(500).await;
    let scopes = [budget_scope(1_000)];
    let t0 = Utc::now().timestamp_millis();
    let admit = |id, reserve_nanos, now_ms| Admission {
        request_id: id,
        scopes: &scopes,
        reserve_nanos,
        now_ms,
    };
    let settle = |id, reserved_nanos, cost_nanos, now_ms| Settlement {
        request_id: id,
        scopes: &scopes,
        reserved_nanos,
        tokens: 10,
        cost_nanos,
        now_ms,
    };
    // A request reserves the whole budget, and its replica stops renewing its hold.
    assert!(matches!(
        redis.admit(&admit("slow", 1_000, t0)).await.unwrap(),
        Verdict::Granted(_)
    ));
    // Within the lease the reservation counts ...
    assert_eq!(
        refused(&redis.admit(&admit("x", 100, t0 + 400)).await.unwrap()),
        Some(Limit::Budget)
    );
    // ... after it, it goes back: the budget is whole again.
    assert!(matches!(
        redis.admit(&admit("y", 100, t0 + 501)).await.unwrap(),
        Verdict::Granted(_)
    ));
    // The request was only slow: its settlement, after the hold was given back, charges its
    // whole cost (300), not the difference to its reservation.
    assert_eq!(
        redis
            .settle(&settle("slow", 1_000, 300, t0 + 600))
            .await
            .unwrap(),
        vec![Some(100 + 300)]
    );
    // A settlement within its hold replaces the reservation with the cost.
    assert_eq!(
        redis.settle(&settle("y", 100, 50, t0 + 700)).await.unwrap(),
        vec![Some(300 + 50)]
    );
}

#[tokio::test]
async fn renewed_holds_keep_a_live_requests_reservation() {
    let start = Utc::now().timestamp_millis();
    let clock_ms = Arc::new(AtomicI64::new(start));
    let read = clock_ms.clone();
    let clock: Clock = Arc::new(move || {
        Utc.timestamp_millis_opt(read.load(Ordering::SeqCst))
            .unwrap()
    });
    let config = QuotaConfig {
        lease_seconds: 1,
        ..Default::default()
    };
    let quotas = Quotas::new(
        &config,
        Some(redis(1_000).await),
        Arc::new(Metrics::new()),
        clock,
    );
    let mut key = key_with_daily_budget(0, Utc::now() + chrono::Duration::days(1));
    key.limits.budget = key.limits.budget.map(|b| Budget {
        span: None,
        reset_at: None,
        ..b
    });
    let live = quotas.admit("live", &key, "m", true, 1_000).await.unwrap();
    assert!(live.is_some());
    // Renewed before its lease ends, the hold outlives the first lease: the budget stays
    // taken by the live request.
    clock_ms.store(start + 900, Ordering::SeqCst);
    quotas.renew_leases().await;
    clock_ms.store(start + 1_500, Ordering::SeqCst);
    let refusal = quotas
        .admit("next", &key, "m", true, 100)
        .await
        .map_err(ApiError::from)
        .err()
        .unwrap();
    assert_eq!(refusal.kind(), "budget_exceeded");
    // Not renewed again, it runs out (the replica is taken to have died).
    clock_ms.store(start + 2_000, Ordering::SeqCst);
    assert!(
        quotas
            .admit("after", &key, "m", true, 100)
            .await
            .unwrap()
            .is_some()
    );
    drop(live);
}

fn key_with_daily_budget(spent: i64, reset_at: DateTime<Utc>) -> AuthKey {
    let mut key = AuthKey::unlimited(uuid::Uuid::new_v4().to_string());
    key.limits.budget = Some(Budget {
        max_nanos: 1_000,
        soft_nanos: None,
        span: Some(Span::Daily),
        reset_at: Some(reset_at),
        spent_nanos: spent,
    });
    key
}

#[tokio::test]
async fn a_daily_budget_in_redis_resets_exactly_at_midnight() {
    let midnight = Utc.with_ymd_and_hms(2026, 11, 27, 0, 0, 0).unwrap();
    let clock_ms = Arc::new(AtomicI64::new(midnight.timestamp_millis() - 1));
    let read = clock_ms.clone();
    let clock: Clock = Arc::new(move || {
        Utc.timestamp_millis_opt(read.load(Ordering::SeqCst))
            .unwrap()
    });
    let quotas = Quotas::new(
        &Default::default(),
        Some(redis(30_000).await),
        Arc::new(Metrics::new()),
        clock,
    );
    // 900 of 1,000 spent today; a request reserving 200 is admitted (900 < 1,000) ...
    let key = key_with_daily_budget(900, midnight);
    let permit = quotas
        .admit("r1", &key, "m", true, 200)
        .await
        .unwrap()
        .unwrap();
    drop(permit);
    tokio::time::sleep(Duration::from_millis(200)).await;
    // ... settled at cost 0, a second one reserving 200 too; then 1,100 ≥ 1,000 refuses.
    let held = quotas.admit("r2", &key, "m", true, 200).await.unwrap();
    let refusal = quotas
        .admit("r3", &key, "m", true, 200)
        .await
        .map_err(ApiError::from)
        .err()
        .unwrap();
    assert_eq!(refusal.kind(), "budget_exceeded");
    assert!(
        refusal
            .to_string()
            .contains("resets at the end of its budget period"),
        "{refusal}"
    );
    // At midnight exactly a new window starts at zero.
    clock_ms.store(midnight.timestamp_millis(), Ordering::SeqCst);
    assert!(
        quotas
            .admit("r4", &key, "m", true, 200)
            .await
            .unwrap()
            .is_some()
    );
    drop(held);
}

#[tokio::test]
async fn a_hold_that_runs_out_within_a_batch_is_given_back_to_the_admissions_after_it() {
    let redis = redis(500).await;
    let scopes = [budget_scope(1_000)];
    let t0 = Utc::now().timestamp_millis();
    let admit = |id, now_ms| admission(id, &scopes, 600, now_ms);
    // Held and never settled: its replica died.
    assert!(matches!(
        redis.admit(&admit("held", t0)).await.unwrap(),
        Verdict::Granted(_)
    ));
    // In one call: while the hold lives, 600 is spent and a second admission reserves 600
    // more; once it ran out, its 600 is back, and the third finds 600 spent, not 1,200.
    let verdicts = redis
        .admit_many(&[admit("a", t0 + 400), admit("b", t0 + 501)])
        .await
        .unwrap();
    assert_eq!(
        verdicts.iter().map(refused).collect::<Vec<_>>(),
        [None, None]
    );
    assert!(matches!(
        redis.admit(&admit("c", t0 + 502)).await.unwrap(),
        Verdict::Refused(_)
    ));
}

/// One step of a random run: admissions decided together (each after a gap, with its
/// reservation, in both scopes or only the first or the second), or settlements sent together,
/// each of the `n`th admission still unsettled (if there is one) with its tokens and cost.
#[derive(Debug, Clone)]
enum Planned {
    Batch(Vec<(i64, i64, usize)>),
    Settle(Vec<(usize, u64, i64)>),
}

fn planned() -> impl proptest::strategy::Strategy<Value = Planned> {
    use proptest::prelude::*;
    prop_oneof![
        // Admissions 0–40 ms apart, each reserving up to 60.
        3 => prop::collection::vec((0..40i64, 0..60i64, 0..3usize), 1..8)
            .prop_map(Planned::Batch),
        2 => prop::collection::vec((0..16usize, 0..80u64, 0..100i64), 1..6)
            .prop_map(Planned::Settle),
    ]
}

fn limits() -> impl proptest::strategy::Strategy<Value = Scope> {
    use proptest::prelude::*;
    (
        proptest::option::of(1..6u64),
        proptest::option::of(1..150u64),
        proptest::option::of(1..4u64),
        proptest::option::of(1..8u64),
        proptest::option::of((60..400i64, 0..50i64)),
    )
        .prop_map(|(rpm, tpm, parallel, rpd, budget)| Scope {
            rpd,
            budget: budget.map(|(max, baseline)| BudgetCheck {
                soft_nanos: None,
                max_nanos: max,
                window_start_ms: 0,
                window_end_ms: None,
                baseline_nanos: baseline,
            }),
            ..scope(rpm, tpm, parallel)
        })
}

/// Admissions decided together, and settlements sent together, in one call to Redis give what
/// the in-process store gives taking them one at a time, whatever the limits of two scopes,
/// the batches, the gaps between them (some a minute long, so windows roll).
#[test]
fn batches_in_redis_agree_with_the_in_process_store_one_at_a_time() {
    use proptest::prelude::*;
    let runtime = tokio::runtime::Runtime::new().unwrap();
    // Leases far longer than a run: neither store takes anything back by time.
    let redis = runtime.block_on(redis(3_600_000));
    let config = ProptestConfig::with_cases(48);
    proptest!(config, |(
        scopes in (limits(), limits()),
        plan in prop::collection::vec((planned(), prop::bool::weighted(0.15)), 1..12),
    )| {
        runtime.block_on(async {
            // Fresh scopes (new keys in Redis) for every case.
            let scopes = [
                Scope { id: format!("test:{}", uuid::Uuid::new_v4()), ..scopes.0.clone() },
                Scope { id: format!("test:{}", uuid::Uuid::new_v4()), ..scopes.1.clone() },
            ];
            let part = |which: usize| match which {
                1 => &scopes[..1],
                2 => &scopes[1..],
                _ => &scopes[..],
            };
            let local = LocalLimiter::default();
            let mut now = Utc::now().timestamp_millis();
            let mut granted: Vec<(String, i64, usize)> = Vec::new();
            let mut n = 0;
            for (step, minute_later) in &plan {
                if *minute_later {
                    now += 61_000;
                }
                match step {
                    Planned::Batch(asked) => {
                        let mut ids = Vec::new();
                        for (gap, _, _) in asked {
                            now += gap;
                            n += 1;
                            ids.push((format!("r{n}"), now));
                        }
                        let admissions: Vec<Admission<'_>> = ids
                            .iter()
                            .zip(asked)
                            .map(|((id, at), (_, reserve, which))| Admission {
                                request_id: id,
                                scopes: part(*which),
                                reserve_nanos: *reserve,
                                now_ms: *at,
                            })
                            .collect();
                        let in_redis = redis.admit_many(&admissions).await.unwrap();
                        for ((admission, verdict), (_, _, which)) in
                            admissions.iter().zip(&in_redis).zip(asked)
                        {
                            let one_at_a_time = local.admit(admission).await.unwrap();
                            prop_assert_eq!(verdict, &one_at_a_time, "{}", admission.request_id);
                            if matches!(verdict, Verdict::Granted(_)) {
                                granted.push((
                                    admission.request_id.to_owned(),
                                    admission.reserve_nanos,
                                    *which,
                                ));
                            }
                        }
                    }
                    Planned::Settle(picked) => {
                        let mut finished = Vec::new();
                        for (pick, tokens, cost) in picked {
                            if granted.is_empty() {
                                break;
                            }
                            let (id, reserved, which) = granted.remove(pick % granted.len());
                            now += 1;
                            finished.push((id, reserved, which, *tokens, *cost, now));
                        }
                        let settlements: Vec<Settlement<'_>> = finished
                            .iter()
                            .map(|(id, reserved, which, tokens, cost, at)| Settlement {
                                request_id: id,
                                scopes: part(*which),
                                reserved_nanos: *reserved,
                                tokens: *tokens,
                                cost_nanos: *cost,
                                now_ms: *at,
                            })
                            .collect();
                        let in_redis = redis.settle_many(&settlements).await.unwrap();
                        for (settlement, spent) in settlements.iter().zip(in_redis) {
                            prop_assert_eq!(spent, local.settle(settlement).await.unwrap());
                        }
                    }
                }
            }
            Ok(())
        })?;
    });
}

#[tokio::test]
async fn a_second_that_leaves_the_window_within_a_batch_no_longer_counts_for_those_after_it() {
    let redis = redis(30_000).await;
    let scopes = [scope(Some(1), None, None)];
    let second = Utc::now().timestamp_millis() / 1_000;
    let admit = |id, now_ms| admission(id, &scopes, 0, now_ms);
    assert!(matches!(
        redis
            .admit(&admit("first", second * 1_000 + 500))
            .await
            .unwrap(),
        Verdict::Granted(_)
    ));
    // A minute after the first request's second ended it leaves the window: the admission
    // a millisecond before is refused, the one at that instant admitted, in the same call.
    let end = (second + 1) * 1_000 + 60_000;
    let verdicts = redis
        .admit_many(&[admit("a", end - 1), admit("b", end)])
        .await
        .unwrap();
    assert_eq!(
        verdicts.iter().map(refused).collect::<Vec<_>>(),
        [Some(Limit::Requests), None]
    );
}
