//! Budget alerts as plain facts: which lines of a budget (the soft budget, 80%, 100%) a
//! settlement crossed, told to an [`AlertSink`] as [`BudgetCrossing`]s. The engine knows
//! nothing of how they are shown; the live feed turns them into GraphQL alerts.

use chrono::{DateTime, Utc};
use uuid::Uuid;

use super::{BudgetCheck, Quotas, Settlement};

/// Where budget crossings go (the live feed). Called on the settling path: must not block.
pub trait AlertSink: Send + Sync {
    /// Announces one crossed line.
    fn alert(&self, crossing: BudgetCrossing);
}

/// Whose budget a crossing is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Subject {
    Key,
    User,
}

/// Which line of a budget was crossed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Threshold {
    /// The soft budget (a warning the owner asked for).
    Soft,
    /// 80% of the maximum.
    Percent80,
    /// The whole budget: further requests are refused until it resets.
    Percent100,
}

/// A key or user crossed a line of its budget. Amounts are in nano-units of currency.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BudgetCrossing {
    pub subject: Subject,
    pub threshold: Threshold,
    /// The key, for key budgets.
    pub key_id: Option<Uuid>,
    /// The key's owner, or the user whose budget it is.
    pub user_id: Option<Uuid>,
    /// Spend in the current window once the crossing request was settled.
    pub spent_nanos: i64,
    pub max_nanos: i64,
    pub soft_nanos: Option<i64>,
    pub at: DateTime<Utc>,
}

/// Whose request it was, for budget alerts.
#[derive(Clone, Copy, Debug, Default)]
pub(super) struct Owner {
    pub(super) key_id: Option<Uuid>,
    pub(super) user_id: Option<Uuid>,
}

/// The budget lines passed going from `before` to `after`: the soft budget, 80% and 100%.
pub(super) fn crossed(budget: &BudgetCheck, before: i64, after: i64) -> Vec<Threshold> {
    let max = budget.max_nanos;
    let lines = [
        (budget.soft_nanos, Threshold::Soft),
        (Some(max.saturating_mul(4) / 5), Threshold::Percent80),
        (Some(max), Threshold::Percent100),
    ];
    lines
        .into_iter()
        .filter_map(|(line, threshold)| {
            let line = line.filter(|l| *l > 0)?;
            (before < line && after >= line).then_some(threshold)
        })
        .collect()
}

impl Quotas {
    /// Sends the budget alerts for the lines this settlement crossed (each line is crossed by
    /// exactly one settlement, since counters only grow within a window).
    pub(super) fn raise_alerts(
        &self,
        settlement: &Settlement<'_>,
        spent: &[Option<i64>],
        owner: Owner,
    ) {
        let Some(sink) = self.alerts.get() else {
            return;
        };
        for (scope, spent) in settlement.scopes.iter().zip(spent) {
            let (Some(budget), Some(after)) = (&scope.budget, spent) else {
                continue;
            };
            let subject = if scope.id.starts_with("k:") {
                Subject::Key
            } else if scope.id.starts_with("u:") {
                Subject::User
            } else {
                continue;
            };
            let before = after.saturating_sub(settlement.cost_nanos);
            for threshold in crossed(budget, before, *after) {
                sink.alert(BudgetCrossing {
                    subject,
                    threshold,
                    key_id: (subject == Subject::Key).then_some(owner.key_id).flatten(),
                    user_id: owner.user_id,
                    spent_nanos: *after,
                    max_nanos: budget.max_nanos,
                    soft_nanos: budget.soft_nanos,
                    at: self.now(),
                });
            }
        }
    }
}
