//! The one home of a limit: what a key or a user may be limited by (requests and tokens per
//! minute, requests in parallel, a budget with an optional soft line and reset period), how
//! the limits are stored on `api_keys` and `users` rows, how they are asked for and shown in
//! GraphQL, the portal's key policy over them, what new users start with, and the view the
//! quota engine enforces. Keys, users, settings, GraphQL and the LiteLLM mapping all go
//! through these types, so a new count limit is one row of [`count_limits!`] plus its
//! enforcement in the server's `quota/` (and its column, and a field in the portal's key form:
//! `ARCHITECTURE.md` lists a real change's files).
//!
//! A count limit is named once: the same name is its column on both tables, its field in the
//! LiteLLM API and (camel-cased) in GraphQL.

use async_graphql::{InputObject, MaybeUndefined, SimpleObject};
use chrono::{DateTime, Utc};
use entity::{api_key, user};
use sea_orm::Set;
use serde::{Deserialize, Serialize};

use crate::convert::{change, money, nanos};
use crate::{DomainError, duration};

/// `rpm_limit` → `rpmLimit`: the GraphQL name of a field, for messages.
fn camel(snake: &str) -> String {
    let mut out = String::with_capacity(snake.len());
    let mut upper = false;
    for c in snake.chars() {
        if c == '_' {
            upper = true;
        } else if upper {
            out.extend(c.to_uppercase());
            upper = false;
        } else {
            out.push(c);
        }
    }
    out
}

/// A count limit must be at least `least`: 0 stops everything (an administrator's choice for
/// a key or a user), a default or a portal key's limit must let something through.
fn check_count(name: &str, value: Option<i64>, least: i64) -> Result<(), DomainError> {
    match value {
        Some(v) if v < least => Err(DomainError::BadInput(format!(
            "{} must be at least {least}",
            camel(name)
        ))),
        _ => Ok(()),
    }
}

/// A count limit under a default and a maximum (a limit with a maximum is never unlimited).
fn resolve_count(
    name: &str,
    requested: Option<i64>,
    default: Option<i64>,
    max: Option<i64>,
) -> Result<Option<i64>, DomainError> {
    let value = requested.or(default);
    check_count(name, value, 1)?;
    match (value, max) {
        (Some(v), Some(m)) if v > m => Err(DomainError::BadInput(format!(
            "{} may be at most {m} here",
            camel(name)
        ))),
        (None, Some(m)) => Ok(Some(m)),
        (value, _) => Ok(value),
    }
}

/// A default and a maximum (policy fields `default` and `max`) must be positive, the
/// default within the maximum.
fn check_policy(
    (default_name, default): (&str, Option<i64>),
    (max_name, max): (&str, Option<i64>),
) -> Result<(), DomainError> {
    let (default_name, max_name) = (camel(default_name), camel(max_name));
    if default.is_some_and(|d| d < 1) || max.is_some_and(|m| m < 1) {
        return Err(DomainError::BadInput(format!(
            "{default_name} and {max_name} must be at least 1"
        )));
    }
    match (default, max) {
        (Some(d), Some(m)) if d > m => Err(DomainError::BadInput(format!(
            "{default_name} is above {max_name}"
        ))),
        _ => Ok(()),
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

/// The row mappings of [`count_limits!`], once per table (keys and users store a limit in the
/// same columns).
macro_rules! row_mappings {
    ($model:ty, $row:ty => $of:ident, $set:ident, $apply:ident; $($name:ident),*) => {
        impl LimitValues {
            /// The limits stored on a row.
            pub fn $of(row: &$model) -> Self {
                Self {
                    $($name: row.$name,)*
                    max_budget_nanos: row.max_budget_nanos,
                    soft_budget_nanos: row.soft_budget_nanos,
                    budget_duration: row.budget_duration.clone(),
                }
            }

            /// Writes every limit onto a new row; a budget period starts now.
            pub fn $set(&self, row: &mut $row, now: DateTime<Utc>) {
                $(row.$name = Set(self.$name);)*
                row.max_budget_nanos = Set(self.max_budget_nanos);
                row.soft_budget_nanos = Set(self.soft_budget_nanos);
                row.budget_duration = Set(self.budget_duration.clone());
                row.budget_reset_at = Set(reset_after(self.budget_duration.as_deref(), now));
            }
        }

        impl LimitChanges {
            /// Applies the change to a row; a new budget period starts now.
            pub fn $apply(self, row: &mut $row, now: DateTime<Utc>) {
                if let Some(text) = self.budget_duration {
                    row.budget_reset_at = Set(reset_after(text.as_deref(), now));
                    row.budget_duration = Set(text);
                }
                $(if let Some(value) = self.$name {
                    row.$name = Set(value);
                })*
                if let Some(value) = self.max_budget_nanos {
                    row.max_budget_nanos = Set(value);
                }
                if let Some(value) = self.soft_budget_nanos {
                    row.soft_budget_nanos = Set(value);
                }
            }
        }
    };
}

/// Every type below, generated from the table of count limits at the end of this file. Each
/// row names the limit (its column, LiteLLM field and GraphQL field), the key policy's default
/// and maximum for it, and the platform setting new users start with.
macro_rules! count_limits {
    ($(
        $(#[doc = $doc:literal])*
        $name:ident {
            policy: $default:ident $default_doc:literal, $max:ident $max_doc:literal;
            new_user: $new_user:ident $new_user_doc:literal;
        }
    )*) => {
        /// The limits of a key or a user as stored; `None` is no limit. Money is in nano-units.
        #[derive(Debug, Clone, Default, PartialEq, Eq)]
        pub struct LimitValues {
            $($(#[doc = $doc])* pub $name: Option<i64>,)*
            pub max_budget_nanos: Option<i64>,
            pub soft_budget_nanos: Option<i64>,
            /// How often the budget resets, in the duration grammar (`30d`, `monthly`).
            pub budget_duration: Option<String>,
        }

        /// A change to limits: `None` leaves a limit alone, `Some(None)` removes it.
        #[derive(Debug, Clone, Default, PartialEq, Eq)]
        pub struct LimitChanges {
            $($(#[doc = $doc])* pub $name: Option<Option<i64>>,)*
            pub max_budget_nanos: Option<Option<i64>>,
            pub soft_budget_nanos: Option<Option<i64>>,
            pub budget_duration: Option<Option<String>>,
        }

        impl From<LimitValues> for LimitChanges {
            /// Sets every limit to `values` (absent ones removed).
            fn from(values: LimitValues) -> Self {
                Self {
                    $($name: Some(values.$name),)*
                    max_budget_nanos: Some(values.max_budget_nanos),
                    soft_budget_nanos: Some(values.soft_budget_nanos),
                    budget_duration: Some(values.budget_duration),
                }
            }
        }

        impl LimitValues {
            /// The count limits by name, as the LiteLLM API shows them.
            pub fn counts(&self) -> impl Iterator<Item = (&'static str, Option<i64>)> {
                [$((stringify!($name), self.$name)),*].into_iter()
            }

            /// These limits with every count limit read by name (LiteLLM's request fields).
            pub fn with_counts<E>(
                mut self,
                mut read: impl FnMut(&'static str) -> Result<Option<i64>, E>,
            ) -> Result<Self, E> {
                $(self.$name = read(stringify!($name))?;)*
                Ok(self)
            }

            /// Checks what cannot be stored: a negative count or budget, a budget period
            /// outside the duration grammar.
            pub fn check(&self) -> Result<(), DomainError> {
                LimitChanges::from(self.clone()).check()
            }

            /// The limits as the quota engine enforces them, with the budget window the
            /// database knows (`reset_at`) and the spend recorded in it.
            pub fn enforced(&self, reset_at: Option<DateTime<Utc>>, spent_nanos: i64) -> Limits {
                Limits {
                    $($name: self.$name,)*
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
            /// This change with every count limit read by name: `None` when the field is
            /// absent (LiteLLM's update requests).
            pub fn with_counts<E>(
                mut self,
                mut read: impl FnMut(&'static str) -> Result<Option<Option<i64>>, E>,
            ) -> Result<Self, E> {
                $(self.$name = read(stringify!($name))?;)*
                Ok(self)
            }

            /// Checks what cannot be stored: a negative count or budget, a budget period
            /// outside the duration grammar.
            pub fn check(&self) -> Result<(), DomainError> {
                $(check_count(stringify!($name), self.$name.flatten(), 0)?;)*
                for (name, value) in [
                    ("maxBudget", self.max_budget_nanos.flatten()),
                    ("softBudget", self.soft_budget_nanos.flatten()),
                ] {
                    if value.is_some_and(|v| v < 0) {
                        return Err(DomainError::BadInput(format!("{name} must be 0 or more")));
                    }
                }
                match &self.budget_duration {
                    Some(text) => check_budget_duration(text.as_deref()),
                    None => Ok(()),
                }
            }
        }

        row_mappings!(api_key::Model, api_key::ActiveModel => of_key, set_on_key, apply_to_key; $($name),*);
        row_mappings!(user::Model, user::ActiveModel => of_user, set_on_user, apply_to_user; $($name),*);

        /// The limits of a key or a user, as the quota engine needs them; `None` is no limit.
        #[derive(Debug, Clone, Default, PartialEq, Eq)]
        pub struct Limits {
            $($(#[doc = $doc])* pub $name: Option<i64>,)*
            pub budget: Option<Budget>,
        }

        impl Limits {
            /// True when nothing is limited.
            pub fn is_empty(&self) -> bool {
                $(self.$name.is_none() &&)* self.budget.is_none()
            }
        }

        /// The limits of a key or a user as GraphQL shows them (part of `ApiKey` and `User`).
        #[derive(SimpleObject, Clone, Debug, Default)]
        pub struct LimitsView {
            pub max_budget: Option<f64>,
            pub soft_budget: Option<f64>,
            /// How often the budget resets (`daily`, `monthly`, `30d`, …).
            pub budget_duration: Option<String>,
            pub budget_resets_at: Option<DateTime<Utc>>,
            $($(#[doc = $doc])* pub $name: Option<i64>,)*
        }

        impl LimitsView {
            /// The view of stored limits whose budget window ends at `resets_at`.
            pub fn new(values: LimitValues, resets_at: Option<DateTime<Utc>>) -> Self {
                Self {
                    max_budget: values.max_budget_nanos.map(money),
                    soft_budget: values.soft_budget_nanos.map(money),
                    budget_duration: values.budget_duration,
                    budget_resets_at: resets_at,
                    $($name: values.$name,)*
                }
            }
        }

        /// Limits asked for a portal key; what is left out takes the key policy's default.
        #[derive(InputObject, Clone, Debug, Default)]
        #[graphql(name = "KeyLimitsInput")]
        pub struct LimitRequest {
            pub max_budget: Option<f64>,
            pub soft_budget: Option<f64>,
            /// How often the budget resets (`daily`, `weekly`, `monthly`, `30d`, …).
            pub budget_duration: Option<String>,
            $($(#[doc = $doc])* pub $name: Option<i64>,)*
        }

        /// A change to a user's limits; a field left out stays, `null` removes the limit.
        #[derive(InputObject, Clone, Debug, Default)]
        #[graphql(name = "UserLimitsInput")]
        pub struct LimitsInput {
            pub max_budget: MaybeUndefined<f64>,
            pub soft_budget: MaybeUndefined<f64>,
            pub budget_duration: MaybeUndefined<String>,
            $($(#[doc = $doc])* pub $name: MaybeUndefined<i64>,)*
        }

        impl LimitsInput {
            /// The change this input asks for; money is checked and turned into nanos.
            pub fn into_changes(self) -> Result<LimitChanges, DomainError> {
                let money_change = |name: &str, value: MaybeUndefined<f64>| {
                    change(value)
                        .map(|v| v.map(|b| nanos(name, b)).transpose())
                        .transpose()
                };
                Ok(LimitChanges {
                    max_budget_nanos: money_change("maxBudget", self.max_budget)?,
                    soft_budget_nanos: money_change("softBudget", self.soft_budget)?,
                    budget_duration: change(self.budget_duration),
                    $($name: change(self.$name),)*
                })
            }
        }

        /// The limits part of the portal's key policy: defaults apply when the user says
        /// nothing; maximums cap what they may ask for (a limit with a maximum can not be left
        /// unlimited).
        #[derive(SimpleObject, InputObject, Serialize, Deserialize, Clone, Debug, Default, PartialEq)]
        #[graphql(input_name = "KeyLimitPolicyInput")]
        #[serde(default)]
        pub struct LimitPolicy {
            /// Budget given when none is asked for (currency).
            pub default_max_budget: Option<f64>,
            /// The largest budget a key may have.
            pub max_budget: Option<f64>,
            $(
                #[doc = $default_doc]
                pub $default: Option<i64>,
                #[doc = $max_doc]
                pub $max: Option<i64>,
            )*
        }

        impl LimitPolicy {
            /// Checks the policy itself: positive counts, defaults within maximums.
            pub fn validate(&self) -> Result<(), DomainError> {
                let money = |v: Option<f64>| v.is_some_and(|x| !x.is_finite() || x < 0.0);
                if money(self.default_max_budget) || money(self.max_budget) {
                    return Err(DomainError::BadInput(
                        "defaultMaxBudget and maxBudget must be 0 or more".into(),
                    ));
                }
                if let (Some(d), Some(m)) = (self.default_max_budget, self.max_budget)
                    && d > m
                {
                    return Err(DomainError::BadInput(
                        "defaultMaxBudget is above maxBudget".into(),
                    ));
                }
                $(check_policy(
                    (stringify!($default), self.$default),
                    (stringify!($max), self.$max),
                )?;)*
                Ok(())
            }

            /// The limits `asked` resolves to under this policy.
            pub fn resolve(&self, asked: &LimitRequest) -> Result<LimitValues, DomainError> {
                let budget = match (asked.max_budget.or(self.default_max_budget), self.max_budget) {
                    (Some(v), Some(m)) if v > m => {
                        return Err(DomainError::BadInput(format!(
                            "maxBudget may be at most {m} here"
                        )));
                    }
                    (None, Some(m)) => Some(m),
                    (value, _) => value,
                };
                let values = LimitValues {
                    max_budget_nanos: budget.map(|b| nanos("maxBudget", b)).transpose()?,
                    soft_budget_nanos: asked
                        .soft_budget
                        .map(|b| nanos("softBudget", b))
                        .transpose()?,
                    budget_duration: asked.budget_duration.clone(),
                    $($name: resolve_count(
                        stringify!($name),
                        asked.$name,
                        self.$default,
                        self.$max,
                    )?,)*
                };
                // The portal's rule (the admin API may store a soft line above the budget,
                // as LiteLLM does).
                if let (Some(soft), Some(max)) = (values.soft_budget_nanos, values.max_budget_nanos)
                    && soft > max
                {
                    return Err(DomainError::BadInput("softBudget is above maxBudget".into()));
                }
                values.check()?;
                Ok(values)
            }
        }

        /// The limits and budget every new user starts with (part of the platform settings).
        #[derive(SimpleObject, InputObject, Serialize, Deserialize, Clone, Debug, Default, PartialEq)]
        #[graphql(input_name = "NewUserLimitsInput")]
        #[serde(default)]
        pub struct NewUserLimits {
            /// Budget every new user starts with (currency; null: none).
            pub new_user_max_budget: Option<f64>,
            /// How often that budget resets (`monthly`, `30d`, …).
            pub new_user_budget_duration: Option<String>,
            $(#[doc = $new_user_doc] pub $new_user: Option<i64>,)*
        }

        impl NewUserLimits {
            /// The limits a new user starts with.
            pub fn values(&self) -> Result<LimitValues, DomainError> {
                let values = LimitValues {
                    max_budget_nanos: self
                        .new_user_max_budget
                        .map(|b| nanos("newUserMaxBudget", b))
                        .transpose()?,
                    budget_duration: self.new_user_budget_duration.clone(),
                    $($name: self.$new_user,)*
                    ..LimitValues::default()
                };
                $(check_count(stringify!($new_user), self.$new_user, 1)?;)*
                values.check().map_err(|error| match error {
                    DomainError::BadInput(message) => {
                        DomainError::BadInput(format!("new users' limits: {message}"))
                    }
                    other => other,
                })?;
                Ok(values)
            }
        }
    };
}

count_limits! {
    /// Requests per minute.
    rpm_limit {
        policy: default_rpm_limit "Requests per minute a key gets when none is asked for.",
            max_rpm_limit "The most requests per minute a key may have.";
        new_user: new_user_rpm_limit "Requests per minute every new user starts with.";
    }
    /// Tokens (prompt and completion) per minute.
    tpm_limit {
        policy: default_tpm_limit "Tokens per minute a key gets when none is asked for.",
            max_tpm_limit "The most tokens per minute a key may have.";
        new_user: new_user_tpm_limit "Tokens per minute every new user starts with.";
    }
    /// Requests in flight at once.
    max_parallel_requests {
        policy: default_max_parallel_requests
            "Parallel requests a key gets when none is asked for.",
            max_parallel_requests "The most parallel requests a key may have.";
        new_user: new_user_max_parallel_requests "Parallel requests every new user starts with.";
    }
    /// Requests per day (a calendar day in UTC).
    rpd_limit {
        policy: default_rpd_limit "Requests per day a key gets when none is asked for.",
            max_rpd_limit "The most requests per day a key may have.";
        new_user: new_user_rpd_limit "Requests per day every new user starts with.";
    }
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stored_limits_become_the_enforced_view() {
        let values = LimitValues {
            rpm_limit: Some(60),
            max_budget_nanos: Some(5_000_000_000),
            soft_budget_nanos: Some(4_000_000_000),
            budget_duration: Some("30d".into()),
            ..LimitValues::default()
        };
        let limits = values.enforced(None, 7);
        assert_eq!(limits.rpm_limit, Some(60));
        assert_eq!(limits.tpm_limit, None);
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
            rpm_limit: Some(Some(5)),
            tpm_limit: Some(None),
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
        let stop = LimitChanges {
            rpm_limit: Some(Some(0)),
            ..LimitChanges::default()
        };
        assert!(stop.check().is_ok(), "an administrator may stop a key");
        let negative = LimitChanges {
            max_parallel_requests: Some(Some(-1)),
            ..LimitChanges::default()
        };
        let message = negative.check().unwrap_err().to_string();
        assert!(
            message.contains("maxParallelRequests must be at least 0"),
            "{message}"
        );
    }

    #[test]
    fn every_count_limit_is_read_and_shown_by_its_one_name() {
        let mut asked = Vec::new();
        let values = LimitValues::default()
            .with_counts(|name| {
                asked.push(name);
                Ok::<_, ()>(Some(asked.len() as i64))
            })
            .unwrap();
        assert_eq!(
            asked,
            [
                "rpm_limit",
                "tpm_limit",
                "max_parallel_requests",
                "rpd_limit"
            ]
        );
        let shown: Vec<_> = values.counts().collect();
        assert_eq!(
            shown,
            [
                ("rpm_limit", Some(1)),
                ("tpm_limit", Some(2)),
                ("max_parallel_requests", Some(3)),
                ("rpd_limit", Some(4))
            ]
        );
        assert_eq!(camel("max_parallel_requests"), "maxParallelRequests");
    }

    #[test]
    fn the_policy_fills_defaults_caps_maximums_and_refuses_what_is_over() {
        let policy = LimitPolicy {
            default_rpm_limit: Some(60),
            max_rpm_limit: Some(600),
            max_tpm_limit: Some(10_000),
            max_budget: Some(50.0),
            ..LimitPolicy::default()
        };
        let none = policy.resolve(&LimitRequest::default()).unwrap();
        assert_eq!(none.rpm_limit, Some(60), "the default");
        assert_eq!(
            none.tpm_limit,
            Some(10_000),
            "a maximum cannot be left unlimited"
        );
        assert_eq!(none.max_budget_nanos, Some(50_000_000_000));
        assert_eq!(none.max_parallel_requests, None);
        let too_much = LimitRequest {
            rpm_limit: Some(601),
            ..LimitRequest::default()
        };
        let message = policy.resolve(&too_much).unwrap_err().to_string();
        assert!(message.contains("rpmLimit may be at most 600"), "{message}");
        let soft_over = LimitRequest {
            max_budget: Some(10.0),
            soft_budget: Some(20.0),
            ..LimitRequest::default()
        };
        assert!(policy.resolve(&soft_over).is_err());
        let negative = LimitRequest {
            max_budget: Some(-1.0),
            ..LimitRequest::default()
        };
        assert!(LimitPolicy::default().resolve(&negative).is_err());
        let inverted = LimitPolicy {
            default_max_parallel_requests: Some(5),
            max_parallel_requests: Some(2),
            ..LimitPolicy::default()
        };
        let message = inverted.validate().unwrap_err().to_string();
        assert!(
            message.contains("defaultMaxParallelRequests is above maxParallelRequests"),
            "{message}"
        );
    }

    #[test]
    fn user_inputs_become_changes_and_new_users_get_their_start() {
        let changes = LimitsInput {
            max_budget: MaybeUndefined::Value(2.5),
            tpm_limit: MaybeUndefined::Null,
            ..LimitsInput::default()
        }
        .into_changes()
        .unwrap();
        assert_eq!(changes.max_budget_nanos, Some(Some(2_500_000_000)));
        assert_eq!(changes.tpm_limit, Some(None));
        assert_eq!(changes.rpm_limit, None);
        let start = NewUserLimits {
            new_user_max_budget: Some(1.0),
            new_user_rpm_limit: Some(30),
            ..NewUserLimits::default()
        }
        .values()
        .unwrap();
        assert_eq!(start.max_budget_nanos, Some(1_000_000_000));
        assert_eq!(start.rpm_limit, Some(30));
        let bad = NewUserLimits {
            new_user_tpm_limit: Some(0),
            ..NewUserLimits::default()
        };
        let message = bad.values().unwrap_err().to_string();
        assert!(
            message.contains("newUserTpmLimit must be at least 1"),
            "{message}"
        );
    }
}
