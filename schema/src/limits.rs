//! The one home of a limit: what a key or a user may be limited by (requests and tokens per
//! minute, requests in parallel, a budget with an optional soft line and reset period), how
//! the limits are stored on `api_keys` and `users` rows, how a change to them is applied,
//! and the view the quota engine enforces. Keys, users, the portal's key policy, GraphQL and
//! the LiteLLM mapping all go through these types.

use chrono::{DateTime, Utc};
use entity::{api_key, user};
use sea_orm::Set;

use crate::{DomainError, duration};

/// The limits of a key or a user as stored; `None` is no limit. Money is in nano-units.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LimitValues {
    pub rpm: Option<i64>,
    pub tpm: Option<i64>,
    pub parallel: Option<i64>,
    pub max_budget_nanos: Option<i64>,
    pub soft_budget_nanos: Option<i64>,
    /// How often the budget resets, in the duration grammar (`30d`, `monthly`).
    pub budget_duration: Option<String>,
}

/// A change to limits: `None` leaves a limit alone, `Some(None)` removes it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LimitChanges {
    pub rpm: Option<Option<i64>>,
    pub tpm: Option<Option<i64>>,
    pub parallel: Option<Option<i64>>,
    pub max_budget_nanos: Option<Option<i64>>,
    pub soft_budget_nanos: Option<Option<i64>>,
    pub budget_duration: Option<Option<String>>,
}

impl From<LimitValues> for LimitChanges {
    /// Sets every limit to `values` (absent ones removed).
    fn from(values: LimitValues) -> Self {
        Self {
            rpm: Some(values.rpm),
            tpm: Some(values.tpm),
            parallel: Some(values.parallel),
            max_budget_nanos: Some(values.max_budget_nanos),
            soft_budget_nanos: Some(values.soft_budget_nanos),
            budget_duration: Some(values.budget_duration),
        }
    }
}

/// A budget period must be in the duration grammar.
fn check_budget_duration(text: Option<&str>) -> Result<(), DomainError> {
    text.map_or(Ok(()), |t| {
        duration::parse(t)
            .map(|_| ())
            .map_err(DomainError::BadInput)
    })
}

/// When a budget with period `text` that starts at `now` next resets.
fn reset_after(text: Option<&str>, now: DateTime<Utc>) -> Option<DateTime<Utc>> {
    text.and_then(|t| duration::parse(t).ok())
        .and_then(|span| span.end_after(now))
}

impl LimitValues {
    /// Checks what cannot be stored: a budget period outside the duration grammar.
    pub fn check(&self) -> Result<(), DomainError> {
        check_budget_duration(self.budget_duration.as_deref())
    }

    /// The limits as the quota engine enforces them, with the budget window the database
    /// knows (`reset_at`) and the spend recorded in it.
    pub fn enforced(&self, reset_at: Option<DateTime<Utc>>, spent_nanos: i64) -> Limits {
        Limits {
            rpm: self.rpm,
            tpm: self.tpm,
            parallel: self.parallel,
            budget: self.max_budget_nanos.map(|max_nanos| Budget {
                max_nanos,
                soft_nanos: self.soft_budget_nanos,
                span: self
                    .budget_duration
                    .as_deref()
                    .and_then(|d| duration::parse(d).ok()),
                reset_at,
                spent_nanos,
            }),
        }
    }
}

impl LimitChanges {
    /// Checks what cannot be stored: a budget period outside the duration grammar.
    pub fn check(&self) -> Result<(), DomainError> {
        match &self.budget_duration {
            Some(text) => check_budget_duration(text.as_deref()),
            None => Ok(()),
        }
    }
}

/// The row mappings, once for both tables (keys and users store a limit in the same columns).
macro_rules! row_mappings {
    ($($model:ty, $row:ty => $of:ident, $set:ident, $apply:ident;)*) => {
        impl LimitValues {$(
            /// The limits stored on a row.
            pub fn $of(row: &$model) -> Self {
                Self {
                    rpm: row.rpm_limit,
                    tpm: row.tpm_limit,
                    parallel: row.max_parallel_requests,
                    max_budget_nanos: row.max_budget_nanos,
                    soft_budget_nanos: row.soft_budget_nanos,
                    budget_duration: row.budget_duration.clone(),
                }
            }

            /// Writes every limit onto a new row; a budget period starts now.
            pub fn $set(&self, row: &mut $row, now: DateTime<Utc>) {
                row.rpm_limit = Set(self.rpm);
                row.tpm_limit = Set(self.tpm);
                row.max_parallel_requests = Set(self.parallel);
                row.max_budget_nanos = Set(self.max_budget_nanos);
                row.soft_budget_nanos = Set(self.soft_budget_nanos);
                row.budget_duration = Set(self.budget_duration.clone());
                row.budget_reset_at = Set(reset_after(self.budget_duration.as_deref(), now));
            }
        )*}

        impl LimitChanges {$(
            /// Applies the change to a row; a new budget period starts now.
            pub fn $apply(self, row: &mut $row, now: DateTime<Utc>) {
                if let Some(text) = self.budget_duration {
                    row.budget_reset_at = Set(reset_after(text.as_deref(), now));
                    row.budget_duration = Set(text);
                }
                if let Some(value) = self.rpm {
                    row.rpm_limit = Set(value);
                }
                if let Some(value) = self.tpm {
                    row.tpm_limit = Set(value);
                }
                if let Some(value) = self.parallel {
                    row.max_parallel_requests = Set(value);
                }
                if let Some(value) = self.max_budget_nanos {
                    row.max_budget_nanos = Set(value);
                }
                if let Some(value) = self.soft_budget_nanos {
                    row.soft_budget_nanos = Set(value);
                }
            }
        )*}
    };
}

row_mappings! {
    api_key::Model, api_key::ActiveModel => of_key, set_on_key, apply_to_key;
    user::Model, user::ActiveModel => of_user, set_on_user, apply_to_user;
}

/// The limits of a key or a user, as the quota engine needs them; `None` is no limit.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Limits {
    pub rpm: Option<i64>,
    pub tpm: Option<i64>,
    pub parallel: Option<i64>,
    pub budget: Option<Budget>,
}

/// A spending limit and what the database knows of its current window.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Budget {
    pub max_nanos: i64,
    pub soft_nanos: Option<i64>,
    /// How long a window lasts; `None` is one window forever.
    pub span: Option<duration::Span>,
    /// The end of the window `spent_nanos` belongs to.
    pub reset_at: Option<DateTime<Utc>>,
    /// Spend recorded in the database for that window.
    pub spent_nanos: i64,
}

impl Limits {
    /// True when nothing is limited.
    pub fn is_empty(&self) -> bool {
        self.rpm.is_none() && self.tpm.is_none() && self.parallel.is_none() && self.budget.is_none()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stored_limits_become_the_enforced_view() {
        let values = LimitValues {
            rpm: Some(60),
            max_budget_nanos: Some(5_000_000_000),
            soft_budget_nanos: Some(4_000_000_000),
            budget_duration: Some("30d".into()),
            ..LimitValues::default()
        };
        let limits = values.enforced(None, 7);
        assert_eq!(limits.rpm, Some(60));
        assert_eq!(limits.tpm, None);
        let budget = limits.budget.unwrap();
        assert_eq!(budget.max_nanos, 5_000_000_000);
        assert_eq!(budget.soft_nanos, Some(4_000_000_000));
        assert!(budget.span.is_some());
        assert_eq!(budget.spent_nanos, 7);
        assert!(LimitValues::default().enforced(None, 0).is_empty());
    }

    #[test]
    fn changes_set_clear_or_leave_each_limit() {
        let now = Utc::now();
        let mut row = api_key::ActiveModel::default();
        LimitChanges {
            rpm: Some(Some(5)),
            tpm: Some(None),
            budget_duration: Some(Some("1d".into())),
            ..LimitChanges::default()
        }
        .apply_to_key(&mut row, now);
        assert_eq!(row.rpm_limit, Set(Some(5)));
        assert_eq!(row.tpm_limit, Set(None));
        assert!(row.max_parallel_requests.is_not_set(), "left alone");
        assert!(matches!(row.budget_reset_at, sea_orm::ActiveValue::Set(Some(at)) if at > now));
        let bad = LimitChanges {
            budget_duration: Some(Some("every blue moon".into())),
            ..LimitChanges::default()
        };
        assert!(bad.check().is_err());
    }
}
