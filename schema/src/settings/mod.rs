//! Platform settings administrators change at run time (kept in `settings`): the policy for
//! keys people make in the portal — how many, how long they live, and the limits they carry —
//! the currency, and what new users start with.

mod graphql;

pub use graphql::{SettingsMutation, SettingsQuery};

use async_graphql::{InputObject, SimpleObject};
use chrono::Utc;
use entity::setting;
use sea_orm::sea_query::OnConflict;
use sea_orm::{DatabaseConnection, EntityTrait, Set};
use serde::{Deserialize, Serialize};

use crate::DomainError;
use crate::limits::LimitValues;

/// The settings row holding the key policy.
const KEY_POLICY: &str = "keys.policy";
/// The settings row holding the platform settings.
const PLATFORM: &str = "platform";

/// Platform-wide settings: the currency prices and spend are shown in, and what new users get.
#[derive(SimpleObject, InputObject, Serialize, Deserialize, Clone, Debug, PartialEq)]
#[graphql(input_name = "PlatformSettingsInput")]
#[serde(default)]
pub struct PlatformSettings {
    /// ISO 4217 code prices and spend are in (`USD`, `EUR`, …); a label, not a conversion.
    pub currency: String,
    /// Budget every new user starts with (currency; null: none).
    pub new_user_max_budget: Option<f64>,
    /// How often that budget resets (`monthly`, `30d`, …).
    pub new_user_budget_duration: Option<String>,
    pub new_user_rpm_limit: Option<i64>,
    pub new_user_tpm_limit: Option<i64>,
}

impl Default for PlatformSettings {
    fn default() -> Self {
        Self {
            currency: "USD".into(),
            new_user_max_budget: None,
            new_user_budget_duration: None,
            new_user_rpm_limit: None,
            new_user_tpm_limit: None,
        }
    }
}

impl PlatformSettings {
    /// Checks the settings: a three-letter currency, sane defaults.
    pub fn validate(&self) -> Result<(), DomainError> {
        let bad = |m: &str| Err(DomainError::BadInput(m.to_owned()));
        if self.currency.len() != 3 || !self.currency.bytes().all(|b| b.is_ascii_uppercase()) {
            return bad("currency must be a three-letter ISO 4217 code such as USD");
        }
        if self
            .new_user_max_budget
            .is_some_and(|b| !b.is_finite() || !(0.0..=1e9).contains(&b))
        {
            return bad("newUserMaxBudget must be between 0 and 1e9");
        }
        if let Some(text) = &self.new_user_budget_duration {
            crate::duration::parse(text).map_err(DomainError::BadInput)?;
        }
        if self.new_user_rpm_limit.is_some_and(|v| v < 1)
            || self.new_user_tpm_limit.is_some_and(|v| v < 1)
        {
            return bad("newUserRpmLimit and newUserTpmLimit must be at least 1");
        }
        Ok(())
    }

    /// The limits a new user starts with.
    pub fn new_user_limits(&self) -> LimitValues {
        LimitValues {
            max_budget_nanos: self.new_user_max_budget.map(|b| (b * 1e9).round() as i64),
            budget_duration: self.new_user_budget_duration.clone(),
            rpm: self.new_user_rpm_limit,
            tpm: self.new_user_tpm_limit,
            ..LimitValues::default()
        }
    }
}

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

/// The platform settings as `db` (a connection or a transaction) holds them.
pub async fn platform_on<C: sea_orm::ConnectionTrait>(
    db: &C,
) -> Result<PlatformSettings, DomainError> {
    let row = setting::Entity::find_by_id(PLATFORM).one(db).await?;
    Ok(row
        .and_then(|r| serde_json::from_value(r.value).ok())
        .unwrap_or_default())
}

/// Gives a user being created the platform's new-user limits and budget.
pub async fn new_user_defaults<C: sea_orm::ConnectionTrait>(
    db: &C,
    row: &mut entity::user::ActiveModel,
) -> Result<(), DomainError> {
    let limits = platform_on(db).await?.new_user_limits();
    limits.check()?;
    limits.set_on_user(row, Utc::now());
    Ok(())
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

    /// The platform settings (the defaults until an administrator changes them).
    pub async fn platform(&self) -> Result<PlatformSettings, DomainError> {
        platform_on(&self.db).await
    }

    /// Replaces the platform settings.
    #[tracing::instrument(skip_all, err)]
    pub async fn set_platform(
        &self,
        settings: PlatformSettings,
    ) -> Result<PlatformSettings, DomainError> {
        settings.validate()?;
        self.store(PLATFORM, &settings).await?;
        Ok(settings)
    }

    async fn store<T: Serialize>(&self, key: &str, value: &T) -> Result<(), DomainError> {
        let value = serde_json::to_value(value)
            .map_err(|e| DomainError::BadInput(format!("cannot store the setting: {e}")))?;
        setting::Entity::insert(setting::ActiveModel {
            key: Set(key.to_owned()),
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
        Ok(())
    }

    /// Replaces the key policy.
    #[tracing::instrument(skip_all, err)]
    pub async fn set_key_policy(&self, policy: KeyPolicy) -> Result<KeyPolicy, DomainError> {
        policy.validate()?;
        self.store(KEY_POLICY, &policy).await?;
        Ok(policy)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn platform_settings_are_checked() {
        assert!(PlatformSettings::default().validate().is_ok());
        let euro = PlatformSettings {
            currency: "eur".into(),
            ..PlatformSettings::default()
        };
        assert!(euro.validate().is_err());
        let budget = PlatformSettings {
            new_user_max_budget: Some(2.5),
            new_user_budget_duration: Some("monthly".into()),
            ..PlatformSettings::default()
        };
        assert_eq!(
            budget.new_user_limits().max_budget_nanos,
            Some(2_500_000_000)
        );
        let bad = PlatformSettings {
            new_user_budget_duration: Some("soon".into()),
            ..PlatformSettings::default()
        };
        assert!(bad.validate().is_err());
    }

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
