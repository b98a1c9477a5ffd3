//! Platform settings administrators change at run time (kept in `settings`): the policy for
//! keys people make in the portal — how many, how long they live, and the limits they carry.

use async_graphql::{InputObject, SimpleObject};
use chrono::Utc;
use entity::setting;
use sea_orm::sea_query::OnConflict;
use sea_orm::{DatabaseConnection, EntityTrait, Set};
use serde::{Deserialize, Serialize};

use crate::DomainError;

/// The settings row holding the key policy.
const KEY_POLICY: &str = "keys.policy";

/// What keys made in the portal may be: defaults apply when the user says nothing; maximums
/// cap what they may ask for (a limit with a maximum can not be left unlimited).
#[derive(SimpleObject, InputObject, Serialize, Deserialize, Clone, Debug, PartialEq)]
#[graphql(input_name = "KeyPolicyInput")]
#[serde(default)]
pub struct KeyPolicy {
    /// Keys one user may hold (blocked ones included).
    pub max_keys_per_user: i32,
    /// Days a key lives when the user picks no expiry (null: no expiry).
    pub default_expiry_days: Option<i32>,
    /// The longest a key may live, in days (null: no limit, keys may never expire).
    pub max_expiry_days: Option<i32>,
    /// Budget given when none is asked for (currency).
    pub default_max_budget: Option<f64>,
    /// The largest budget a key may have.
    pub max_budget: Option<f64>,
    /// Requests per minute given when none is asked for.
    pub default_rpm_limit: Option<i64>,
    /// The highest requests per minute a key may have.
    pub max_rpm_limit: Option<i64>,
    /// Tokens per minute given when none is asked for.
    pub default_tpm_limit: Option<i64>,
    /// The highest tokens per minute a key may have.
    pub max_tpm_limit: Option<i64>,
    /// The most parallel requests a key may have.
    pub max_parallel_requests: Option<i64>,
}

impl Default for KeyPolicy {
    fn default() -> Self {
        Self {
            max_keys_per_user: 10,
            default_expiry_days: Some(90),
            max_expiry_days: Some(365),
            default_max_budget: None,
            max_budget: None,
            default_rpm_limit: None,
            max_rpm_limit: None,
            default_tpm_limit: None,
            max_tpm_limit: None,
            max_parallel_requests: None,
        }
    }
}

impl KeyPolicy {
    /// Checks the policy itself: positive counts, defaults within maximums.
    pub fn validate(&self) -> Result<(), DomainError> {
        let bad = |m: String| Err(DomainError::BadInput(m));
        if self.max_keys_per_user < 1 {
            return bad("maxKeysPerUser must be at least 1".into());
        }
        for (name, value) in [
            ("defaultExpiryDays", self.default_expiry_days),
            ("maxExpiryDays", self.max_expiry_days),
        ] {
            if value.is_some_and(|v| v < 1) {
                return bad(format!("{name} must be at least 1 day"));
            }
        }
        if let (Some(default), Some(max)) = (self.default_expiry_days, self.max_expiry_days)
            && default > max
        {
            return bad("defaultExpiryDays is above maxExpiryDays".into());
        }
        let money = |v: Option<f64>| v.is_some_and(|x| !x.is_finite() || x < 0.0);
        if money(self.default_max_budget) || money(self.max_budget) {
            return bad("defaultMaxBudget and maxBudget must be 0 or more".into());
        }
        if let (Some(d), Some(m)) = (self.default_max_budget, self.max_budget)
            && d > m
        {
            return bad("defaultMaxBudget is above maxBudget".into());
        }
        for (name, default, max) in [
            ("RpmLimit", self.default_rpm_limit, self.max_rpm_limit),
            ("TpmLimit", self.default_tpm_limit, self.max_tpm_limit),
        ] {
            if default.is_some_and(|d| d < 1) || max.is_some_and(|m| m < 1) {
                return bad(format!("default{name} and max{name} must be at least 1"));
            }
            if let (Some(d), Some(m)) = (default, max)
                && d > m
            {
                return bad(format!("default{name} is above max{name}"));
            }
        }
        if self.max_parallel_requests.is_some_and(|m| m < 1) {
            return bad("maxParallelRequests must be at least 1".into());
        }
        Ok(())
    }
}

/// Settings rules over `settings`.
#[derive(Clone)]
pub struct SettingsService {
    db: DatabaseConnection,
}

impl SettingsService {
    /// A service over `db`.
    pub fn new(db: DatabaseConnection) -> Self {
        Self { db }
    }

    /// The key policy (the defaults until an administrator changes it).
    pub async fn key_policy(&self) -> Result<KeyPolicy, DomainError> {
        let row = setting::Entity::find_by_id(KEY_POLICY)
            .one(&self.db)
            .await?;
        Ok(row
            .and_then(|r| serde_json::from_value(r.value).ok())
            .unwrap_or_default())
    }

    /// Replaces the key policy.
    #[tracing::instrument(skip_all, err)]
    pub async fn set_key_policy(&self, policy: KeyPolicy) -> Result<KeyPolicy, DomainError> {
        policy.validate()?;
        let value = serde_json::to_value(&policy)
            .map_err(|e| DomainError::BadInput(format!("cannot store the policy: {e}")))?;
        setting::Entity::insert(setting::ActiveModel {
            key: Set(KEY_POLICY.to_owned()),
            value: Set(value),
            updated_at: Set(Utc::now()),
        })
        .on_conflict(
            OnConflict::column(setting::Column::Key)
                .update_columns([setting::Column::Value, setting::Column::UpdatedAt])
                .to_owned(),
        )
        .exec(&self.db)
        .await?;
        Ok(policy)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn policies_must_be_coherent() {
        assert!(KeyPolicy::default().validate().is_ok());
        let zero_keys = KeyPolicy {
            max_keys_per_user: 0,
            ..KeyPolicy::default()
        };
        assert!(zero_keys.validate().is_err());
        let default_above_max = KeyPolicy {
            default_rpm_limit: Some(100),
            max_rpm_limit: Some(10),
            ..KeyPolicy::default()
        };
        assert!(
            default_above_max
                .validate()
                .unwrap_err()
                .to_string()
                .contains("defaultRpmLimit")
        );
        let expiry = KeyPolicy {
            default_expiry_days: Some(400),
            ..KeyPolicy::default()
        };
        assert!(expiry.validate().is_err());
    }
}
