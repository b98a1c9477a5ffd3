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
use crate::limits::{LimitPolicy, NewUserLimits};

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
    /// What every new user starts with.
    #[graphql(flatten)]
    #[serde(flatten)]
    pub new_users: NewUserLimits,
}

impl Default for PlatformSettings {
    fn default() -> Self {
        Self {
            currency: "USD".into(),
            new_users: NewUserLimits::default(),
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
        self.new_users.values()?;
        Ok(())
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
    /// Limits keys get and may have.
    #[graphql(flatten)]
    #[serde(flatten)]
    pub limits: LimitPolicy,
}

impl Default for KeyPolicy {
    fn default() -> Self {
        Self {
            max_keys_per_user: 10,
            default_expiry_days: Some(90),
            max_expiry_days: Some(365),
            limits: LimitPolicy::default(),
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
        self.limits.validate()?;
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
    let limits = platform_on(db).await?.new_users.values()?;
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
            new_users: NewUserLimits {
                new_user_max_budget: Some(2.5),
                new_user_budget_duration: Some("monthly".into()),
                ..NewUserLimits::default()
            },
            ..PlatformSettings::default()
        };
        assert_eq!(
            budget.new_users.values().unwrap().max_budget_nanos,
            Some(2_500_000_000)
        );
        let bad = PlatformSettings {
            new_users: NewUserLimits {
                new_user_budget_duration: Some("soon".into()),
                ..NewUserLimits::default()
            },
            ..PlatformSettings::default()
        };
        assert!(bad.validate().is_err());
    }

    #[test]
    fn stored_settings_keep_their_flat_field_names() {
        let stored = serde_json::json!({
            "currency": "EUR",
            "new_user_rpm_limit": 30,
            "new_user_max_budget": 1.5,
        });
        let settings: PlatformSettings = serde_json::from_value(stored).unwrap();
        assert_eq!(settings.new_users.new_user_rpm_limit, Some(30));
        assert_eq!(settings.new_users.new_user_max_budget, Some(1.5));
        let policy: KeyPolicy =
            serde_json::from_value(serde_json::json!({"max_tpm_limit": 100})).unwrap();
        assert_eq!(policy.limits.max_tpm_limit, Some(100));
        assert_eq!(
            policy.max_keys_per_user, 10,
            "the default for what is left out"
        );
        let written = serde_json::to_value(&policy).unwrap();
        assert_eq!(written["max_tpm_limit"], 100);
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
            limits: LimitPolicy {
                default_rpm_limit: Some(100),
                max_rpm_limit: Some(10),
                ..LimitPolicy::default()
            },
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
