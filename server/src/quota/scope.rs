//! Who a request is limited as: the scopes (the key, the key for this model, the key's owner)
//! built from a key's limits, with each budget resolved to its current window. Pure functions
//! of the key and the time, so the stores and the engine only ever see finished [`Scope`]s.

use chrono::{DateTime, Utc};
use schema::keys::AuthKey;
use schema::limits::Limits;

use super::millis;

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
    /// Requests per calendar day in UTC.
    pub rpd: Option<u64>,
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

/// A limit as a non-negative count (`None` stays "no limit").
fn count(limit: Option<i64>) -> Option<u64> {
    limit.map(|n| u64::try_from(n).unwrap_or(0))
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
        rpm: count(limits.rpm_limit),
        tpm: count(limits.tpm_limit),
        parallel: count(limits.max_parallel_requests),
        rpd: count(limits.rpd_limit),
        // A model with no price costs nothing and is never refused for budget.
        budget: priced.then(|| budget_check(limits, now)).flatten(),
    }
}

/// Every scope limiting `key` on `model` at `now`; empty when nothing is limited.
pub fn scopes_for(key: &AuthKey, model: &str, priced: bool, now: DateTime<Utc>) -> Vec<Scope> {
    let mut scopes = Vec::new();
    // Names are only built for scopes that limit something: an unlimited key costs nothing.
    // Ids are joined, not formatted: they are built on every limited request.
    let mut push = |limits: &Limits, id: &dyn Fn() -> String, label: &dyn Fn() -> String| {
        if limits.is_empty() {
            return;
        }
        let scope = scope(id(), label(), limits, priced, now);
        // An unpriced model drops the budget, which may have been the only limit.
        if scope.rpm.is_some()
            || scope.tpm.is_some()
            || scope.parallel.is_some()
            || scope.rpd.is_some()
            || scope.budget.is_some()
        {
            scopes.push(scope);
        }
    };
    push(&key.limits, &|| ["k:", &key.token_hash].concat(), &|| {
        "API key".into()
    });
    let per_model = Limits {
        rpm_limit: key.model_rpm.get(model).copied(),
        tpm_limit: key.model_tpm.get(model).copied(),
        ..Limits::default()
    };
    push(
        &per_model,
        &|| ["km:", &key.token_hash, ":", model].concat(),
        &|| format!("API key for model `{model}`"),
    );
    if let Some(owner) = key.owner {
        push(&key.owner_limits, &|| format!("u:{owner}"), &|| {
            "user".into()
        });
    }
    scopes
}

#[cfg(test)]
mod tests {
    //! Properties over any budget period, window end and clock: a budget's window is worked
    //! out without panicking, holds the time it was asked for, and counts the database's
    //! spend only in the window that spend belongs to.

    use chrono::TimeZone;
    use proptest::prelude::*;
    use schema::duration;
    use schema::limits::Budget;

    use super::*;

    const SPENT_NANOS: i64 = 7;

    fn limits(period: &str, reset_at: Option<DateTime<Utc>>) -> Limits {
        Limits {
            budget: Some(Budget {
                max_nanos: 1_000,
                soft_nanos: None,
                span: duration::parse(period).ok(),
                reset_at,
                spent_nanos: SPENT_NANOS,
            }),
            ..Limits::default()
        }
    }

    /// Instants between `first` and `last` (years).
    fn instant(first: i32, last: i32) -> impl Strategy<Value = DateTime<Utc>> {
        let ms = |year| {
            Utc.with_ymd_and_hms(year, 1, 1, 0, 0, 0)
                .unwrap()
                .timestamp_millis()
        };
        (ms(first)..ms(last))
            .prop_filter_map("in chrono's range", DateTime::<Utc>::from_timestamp_millis)
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]

        #[test]
        fn budget_windows_never_panic(
            period in "[1-9][0-9]{0,17}(s|m|h|d|w|mo)|daily|weekly|monthly",
            reset_at in prop::option::of(instant(-260_000, 260_000)),
            now in instant(-260_000, 260_000),
        ) {
            let _ = budget_check(&limits(&period, reset_at), now);
        }

        #[test]
        fn a_budget_window_holds_now_and_its_own_spend_only(
            period in "[1-9][0-9]{0,2}(s|m|h|d|w|mo)|daily|weekly|monthly",
            reset_at in prop::option::of(instant(1970, 2200)),
            now in instant(1970, 2200),
        ) {
            let check = budget_check(&limits(&period, reset_at), now).unwrap();
            let end = check.window_end_ms.unwrap();
            let now = millis(now);
            prop_assert!(check.window_start_ms <= now && now < end);
            let spent = if reset_at.map(millis) == Some(end) { SPENT_NANOS } else { 0 };
            prop_assert_eq!(check.baseline_nanos, spent);
        }
    }
}
