//! The quota rules, run on the in-process store with an injected clock.

use std::sync::atomic::{AtomicI64, Ordering};

use chrono::{DateTime, TimeZone, Utc};
use schema::limits::LimitValues;

use super::*;

fn at(text: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(text)
        .unwrap()
        .with_timezone(&Utc)
}

fn scope(rpm: Option<u64>, tpm: Option<u64>, parallel: Option<u64>) -> Scope {
    Scope {
        id: "k:test".into(),
        label: "API key".into(),
        rpm,
        tpm,
        parallel,
        rpd: None,
        budget: None,
    }
}

async fn admit(
    limiter: &LocalLimiter,
    id: &str,
    scopes: &[Scope],
    reserve: i64,
    now_ms: i64,
) -> Verdict {
    let admission = Admission {
        request_id: id,
        scopes,
        reserve_nanos: reserve,
        now_ms,
    };
    limiter.admit(&admission).await.unwrap()
}

async fn settle(
    limiter: &LocalLimiter,
    id: &str,
    scopes: &[Scope],
    reserved: i64,
    tokens: u64,
    cost: i64,
    now_ms: i64,
) {
    let settlement = Settlement {
        request_id: id,
        scopes,
        reserved_nanos: reserved,
        tokens,
        cost_nanos: cost,
        now_ms,
    };
    limiter.settle(&settlement).await.unwrap();
}

fn refused(verdict: &Verdict) -> Option<Limit> {
    match verdict {
        Verdict::Refused(r) => Some(r.limit),
        Verdict::Granted(_) => None,
    }
}

#[tokio::test]
async fn requests_per_minute_are_exact_and_roll() {
    let limiter = LocalLimiter::default();
    let scopes = [scope(Some(3), None, None)];
    for i in 0..3 {
        let verdict = admit(&limiter, &format!("r{i}"), &scopes, 0, 1_000 + i).await;
        assert_eq!(refused(&verdict), None, "request {i}");
    }
    let fourth = admit(&limiter, "r3", &scopes, 0, 30_000).await;
    let Verdict::Refused(refusal) = fourth else {
        panic!("the fourth request passed")
    };
    assert_eq!(refusal.limit, Limit::Requests);
    // The oldest requests (in the second from 1.000 s) leave the window a minute after that
    // second ends, at 62.000 s.
    assert_eq!(refusal.retry_after_ms, Some(32_000));
    assert_eq!(
        refused(&admit(&limiter, "r4", &scopes, 0, 61_999).await),
        Some(Limit::Requests)
    );
    assert_eq!(
        refused(&admit(&limiter, "r5", &scopes, 0, 62_000).await),
        None
    );
}

#[tokio::test]
async fn tokens_per_minute_count_settled_usage() {
    let limiter = LocalLimiter::default();
    let scopes = [scope(None, Some(100), None)];
    assert_eq!(refused(&admit(&limiter, "a", &scopes, 0, 0).await), None);
    settle(&limiter, "a", &scopes, 0, 60, 0, 500).await;
    assert_eq!(
        refused(&admit(&limiter, "b", &scopes, 0, 1_000).await),
        None
    );
    settle(&limiter, "b", &scopes, 0, 60, 0, 1_500).await;
    assert_eq!(
        refused(&admit(&limiter, "c", &scopes, 0, 2_000).await),
        Some(Limit::Tokens)
    );
    // The first second's tokens leave the window a minute after that second ends.
    assert_eq!(
        refused(&admit(&limiter, "d", &scopes, 0, 61_000).await),
        None
    );
}

#[tokio::test]
async fn parallel_slots_are_freed_by_settlement() {
    let limiter = LocalLimiter::default();
    let scopes = [scope(None, None, Some(1))];
    assert_eq!(refused(&admit(&limiter, "a", &scopes, 0, 0).await), None);
    assert_eq!(
        refused(&admit(&limiter, "b", &scopes, 0, 1).await),
        Some(Limit::Parallel)
    );
    settle(&limiter, "a", &scopes, 0, 0, 0, 2).await;
    assert_eq!(refused(&admit(&limiter, "c", &scopes, 0, 3).await), None);
}

#[tokio::test]
async fn a_refusal_in_one_scope_takes_nothing_from_the_others() {
    let limiter = LocalLimiter::default();
    let mut user = scope(Some(1), None, None);
    user.id = "u:test".into();
    let key = scope(Some(5), None, None);
    let both = [key.clone(), user];
    assert_eq!(refused(&admit(&limiter, "a", &both, 0, 0).await), None);
    assert_eq!(
        refused(&admit(&limiter, "b", &both, 0, 1).await),
        Some(Limit::Requests)
    );
    // Only one request counted against the key: four more fit.
    for i in 0..4 {
        assert_eq!(
            refused(&admit(&limiter, &format!("k{i}"), std::slice::from_ref(&key), 0, 2).await),
            None
        );
    }
    assert_eq!(
        refused(&admit(&limiter, "k5", &[key], 0, 3).await),
        Some(Limit::Requests)
    );
}

fn budget_scope(max: i64, start: i64, end: Option<i64>, baseline: i64) -> Scope {
    Scope {
        budget: Some(BudgetCheck {
            max_nanos: max,
            soft_nanos: None,
            window_start_ms: start,
            window_end_ms: end,
            baseline_nanos: baseline,
        }),
        ..scope(None, None, None)
    }
}

#[tokio::test]
async fn budgets_reserve_then_settle_to_the_actual_cost() {
    let limiter = LocalLimiter::default();
    let scopes = [budget_scope(100, 0, None, 40)];
    // 40 spent + 50 reserved = 90 < 100: one more fits, then nothing.
    assert_eq!(refused(&admit(&limiter, "a", &scopes, 50, 0).await), None);
    assert_eq!(refused(&admit(&limiter, "b", &scopes, 50, 1).await), None);
    assert_eq!(
        refused(&admit(&limiter, "c", &scopes, 50, 2).await),
        Some(Limit::Budget)
    );
    // Both cost 5 in the end: 50 spent, room again.
    settle(&limiter, "a", &scopes, 50, 10, 5, 3).await;
    settle(&limiter, "b", &scopes, 50, 10, 5, 3).await;
    assert_eq!(refused(&admit(&limiter, "d", &scopes, 50, 4).await), None);
}

/// A key with a daily budget of 1,000, `spent` in the window ending at `reset_at`.
fn daily_key(spent: i64, reset_at: &str) -> AuthKey {
    let mut key = AuthKey::unlimited("h".into());
    key.limits = LimitValues {
        max_budget_nanos: Some(1_000),
        budget_duration: Some("daily".into()),
        ..LimitValues::default()
    }
    .enforced(Some(at(reset_at)), spent);
    key
}

#[tokio::test]
async fn a_daily_budget_resets_exactly_at_midnight_utc() {
    let clock_ms = Arc::new(AtomicI64::new(
        at("2026-11-26T23:59:59.999Z").timestamp_millis(),
    ));
    let read = clock_ms.clone();
    let clock: Clock = Arc::new(move || {
        Utc.timestamp_millis_opt(read.load(Ordering::SeqCst))
            .unwrap()
    });
    let quotas = Quotas::new(
        &crate::config::QuotaConfig::default(),
        None,
        Arc::new(Metrics::new()),
        clock,
    );
    // The whole budget is spent in the window ending at midnight.
    let key = daily_key(1_000, "2026-11-27T00:00:00Z");
    let refusal = quotas.admit("r1", &key, "m", true, 10).await.err().unwrap();
    assert!(matches!(
        refusal,
        QuotaError::Refused(Refused {
            limit: Limit::Budget,
            ..
        })
    ));
    // One millisecond later a new window starts, empty.
    clock_ms.store(
        at("2026-11-27T00:00:00Z").timestamp_millis(),
        Ordering::SeqCst,
    );
    let permit = quotas.admit("r2", &key, "m", true, 10).await.unwrap();
    assert!(permit.is_some());
}

#[tokio::test]
async fn unpriced_models_and_unlimited_keys_skip_the_engine() {
    let quotas = Quotas::new(
        &crate::config::QuotaConfig::default(),
        None,
        Arc::new(Metrics::new()),
        Arc::new(Utc::now),
    );
    let mut key = daily_key(5_000, "2099-01-01T00:00:00Z");
    key.limits.budget.as_mut().unwrap().span = None;
    assert!(
        quotas
            .admit("a", &key, "m", false, 10)
            .await
            .unwrap()
            .is_none()
    );
    assert!(quotas.admit("b", &key, "m", true, 10).await.is_err());
}

#[test]
fn headroom_reports_the_tightest_scope() {
    let key = scope(Some(10), Some(1_000), None);
    let mut user = scope(Some(3), None, None);
    user.id = "u:x".into();
    let usage = [
        Usage {
            requests: 2,
            requests_reset_ms: 500,
            tokens: 100,
            tokens_reset_ms: 1_500,
        },
        Usage {
            requests: 2,
            requests_reset_ms: 250,
            tokens: 0,
            tokens_reset_ms: 0,
        },
    ];
    let headroom = Headroom::of(&[key, user], &usage);
    assert_eq!(headroom.requests, Some((3, 1, 250)));
    assert_eq!(headroom.tokens, Some((1_000, 900, 1_500)));
    let headers = super::headroom::header_lines(&headroom.headers());
    assert!(headers.contains(&"x-ratelimit-remaining-requests: 1".to_owned()));
    assert!(headers.contains(&"x-ratelimit-reset-tokens: 1.5s".to_owned()));
}

fn engine() -> Arc<Quotas> {
    Quotas::new(
        &crate::config::QuotaConfig::default(),
        None,
        Arc::new(Metrics::new()),
        Arc::new(Utc::now),
    )
}

#[tokio::test]
async fn a_refusal_names_the_scope_its_limit_and_its_headroom() {
    let quotas = engine();
    let mut key = AuthKey::unlimited("h".into());
    key.owner = Some(uuid::Uuid::new_v4());
    key.owner_limits.rpm_limit = Some(1);
    let _first = quotas.admit("a", &key, "m", false, 0).await.unwrap();
    let Err(QuotaError::Refused(refused)) = quotas.admit("b", &key, "m", false, 0).await else {
        panic!("the second request passed")
    };
    assert_eq!(refused.limit, Limit::Requests);
    assert_eq!(refused.max, 1);
    assert_eq!(refused.label, "user");
    let retry = refused.retry_after_ms.unwrap();
    assert!(retry > 0 && retry <= 61_000, "{retry}");
    assert_eq!(refused.headroom.requests, Some((1, 0, retry)));
    assert_eq!(refused.headroom.tokens, None);
}

/// Keeps every crossing it is told of.
#[derive(Default)]
struct Recorded(Mutex<Vec<BudgetCrossing>>);

impl AlertSink for Recorded {
    fn alert(&self, crossing: BudgetCrossing) {
        self.0.lock().unwrap().push(crossing);
    }
}

#[tokio::test]
async fn settling_past_budget_lines_tells_each_line_once() {
    let quotas = engine();
    let sink = Arc::new(Recorded::default());
    quotas.set_live(sink.clone());
    let mut key = daily_key(0, "2099-01-01T00:00:00Z");
    key.limits.budget.as_mut().unwrap().span = None;
    key.limits.budget.as_mut().unwrap().soft_nanos = Some(500);
    key.owner = Some(uuid::Uuid::new_v4());
    // Settled in process when each permit drops: 600 passes the soft line, 850 the 80% line,
    // 900 nothing new, 1,050 the whole budget.
    for (id, cost) in [("a", 600), ("b", 250), ("c", 50), ("d", 150)] {
        let mut permit = quotas.admit(id, &key, "m", true, 0).await.unwrap().unwrap();
        permit.record(1, cost);
    }
    let crossings = sink.0.lock().unwrap().clone();
    let lines: Vec<_> = crossings
        .iter()
        .map(|c| (c.threshold, c.spent_nanos))
        .collect();
    assert_eq!(
        lines,
        [
            (Threshold::Soft, 600),
            (Threshold::Percent80, 850),
            (Threshold::Percent100, 1_050),
        ]
    );
    for crossing in &crossings {
        assert_eq!(crossing.subject, Subject::Key);
        assert_eq!(crossing.key_id, Some(key.id));
        assert_eq!(crossing.user_id, key.owner);
        assert_eq!(crossing.max_nanos, 1_000);
        assert_eq!(crossing.soft_nanos, Some(500));
    }
}

#[tokio::test]
async fn requests_per_day_count_a_utc_day_and_start_again_at_midnight() {
    let limiter = LocalLimiter::default();
    let scopes = [Scope {
        rpd: Some(2),
        ..scope(None, None, None)
    }];
    let evening = at("2026-11-30T23:59:58Z").timestamp_millis();
    assert_eq!(
        refused(&admit(&limiter, "a", &scopes, 0, evening).await),
        None
    );
    // A minute-based limit would have forgotten this one; a day does not.
    let later = evening + 1_500;
    assert_eq!(
        refused(&admit(&limiter, "b", &scopes, 0, later).await),
        None
    );
    let Verdict::Refused(refusal) = admit(&limiter, "c", &scopes, 0, later).await else {
        panic!("the third request of the day passed")
    };
    assert_eq!(refusal.limit, Limit::RequestsPerDay);
    assert_eq!(refusal.max, 2);
    assert_eq!(refusal.retry_after_ms, Some(500), "until midnight UTC");
    let midnight = at("2026-12-01T00:00:00Z").timestamp_millis();
    assert_eq!(
        refused(&admit(&limiter, "d", &scopes, 0, midnight).await),
        None
    );
    assert!(
        Limit::RequestsPerDay
            .sentence("API key", 2, true)
            .contains("allows 2 requests per day")
    );
}

#[test]
fn a_keys_requests_per_day_become_a_scope() {
    let mut key = AuthKey::unlimited("h".into());
    key.limits = LimitValues {
        rpd_limit: Some(1_000),
        ..LimitValues::default()
    }
    .enforced(None, 0);
    let scopes = scopes_for(&key, "m", true, Utc::now());
    assert_eq!(scopes.len(), 1);
    assert_eq!(scopes[0].rpd, Some(1_000));
    assert_eq!(scopes[0].rpm, None);
}

/// Properties over any instant: the UTC day holds it and the next one starts within a day.
mod properties {
    use proptest::prelude::*;

    use super::super::*;

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]

        #[test]
        fn a_utc_day_holds_its_instant_and_the_next_starts_within_a_day(
            now_ms in DateTime::<Utc>::MIN_UTC.timestamp_millis()..=DateTime::<Utc>::MAX_UTC.timestamp_millis(),
        ) {
            let (day, until_next) = utc_day(now_ms);
            prop_assert!(day * DAY_MS <= now_ms);
            prop_assert!(0 < until_next && until_next <= DAY_MS);
            prop_assert_eq!(now_ms + until_next, (day + 1) * DAY_MS);
        }
    }
}
