//! User storage rules for the admin API: create, read with keys, update limits and spend.

use chrono::Utc;
use entity::user;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, DatabaseConnection, EntityTrait, IntoActiveModel, QueryFilter,
    Set,
};
use serde_json::json;
use uuid::Uuid;

use crate::DomainError;
use crate::limits::{LimitChanges, LimitValues};

/// A user to create.
#[derive(Debug, Clone, Default)]
pub struct NewUser {
    pub external_id: String,
    pub email: Option<String>,
    pub display_name: Option<String>,
    pub role: String,
    pub limits: LimitValues,
}

/// Changes to a user: `None` leaves a field alone, `Some(None)` clears it.
#[derive(Debug, Clone, Default)]
pub struct UserChanges {
    pub limits: LimitChanges,
    pub spend_nanos: Option<i64>,
}

/// Our role for a LiteLLM `user_role`.
pub fn role_from_litellm(role: Option<&str>) -> &'static str {
    match role {
        Some("proxy_admin") => "admin",
        Some("proxy_admin_viewer") => "admin-readonly",
        _ => "user",
    }
}

/// User rules over `users`.
#[derive(Clone)]
pub struct UserService {
    db: DatabaseConnection,
}

impl UserService {
    /// A service over `db`.
    pub fn new(db: DatabaseConnection) -> Self {
        Self { db }
    }

    /// Creates a user; an existing `external_id` is a conflict.
    #[tracing::instrument(skip_all, err)]
    pub async fn create(&self, new: NewUser) -> Result<user::Model, DomainError> {
        if self.find(&new.external_id).await?.is_some() {
            return Err(DomainError::Conflict(format!(
                "user '{}' already exists",
                new.external_id
            )));
        }
        Ok(Self::row(new)?.insert(&self.db).await?)
    }

    /// The row of a new user.
    fn row(new: NewUser) -> Result<user::ActiveModel, DomainError> {
        if new.external_id.trim().is_empty() {
            return Err(DomainError::BadInput("`user_id` must not be empty".into()));
        }
        new.limits.check()?;
        let now = Utc::now();
        let mut row = user::ActiveModel {
            id: Set(Uuid::new_v4()),
            external_id: Set(new.external_id.clone()),
            email: Set(new.email.or_else(|| {
                new.external_id
                    .contains('@')
                    .then(|| new.external_id.clone())
            })),
            display_name: Set(new.display_name),
            roles: Set(json!([new.role])),
            active: Set(true),
            spend_nanos: Set(0),
            metadata: Set(json!({})),
            created_at: Set(now),
            updated_at: Set(now),
            ..Default::default()
        };
        new.limits.set_on_user(&mut row, now);
        Ok(row)
    }

    /// Creates a user brought from another system with the spend it has so far and when
    /// its budget window resets, unless one with its `external_id` exists (then nothing
    /// changes and the answer is `false`).
    #[tracing::instrument(skip_all, err)]
    pub async fn import(
        &self,
        new: NewUser,
        spend_nanos: i64,
        budget_reset_at: Option<chrono::DateTime<Utc>>,
    ) -> Result<bool, DomainError> {
        if self.find(&new.external_id).await?.is_some() {
            return Ok(false);
        }
        // One insert, the spend in it: a user is either here with its spend or not at all.
        let mut row = Self::row(new)?;
        row.spend_nanos = Set(spend_nanos);
        if budget_reset_at.is_some() {
            row.budget_reset_at = Set(budget_reset_at);
        }
        row.insert(&self.db).await?;
        Ok(true)
    }

    /// The user with this `external_id`, if any.
    pub async fn find(&self, external_id: &str) -> Result<Option<user::Model>, DomainError> {
        Ok(user::Entity::find()
            .filter(user::Column::ExternalId.eq(external_id))
            .one(&self.db)
            .await?)
    }

    /// Applies `changes` to the user with this `external_id`.
    #[tracing::instrument(skip_all, err)]
    pub async fn update(
        &self,
        external_id: &str,
        changes: UserChanges,
    ) -> Result<user::Model, DomainError> {
        let row = self
            .find(external_id)
            .await?
            .ok_or_else(|| DomainError::NotFound(format!("no user '{external_id}'")))?;
        changes.limits.check()?;
        let mut active = row.into_active_model();
        let now = Utc::now();
        changes.limits.apply_to_user(&mut active, now);
        if let Some(spend) = changes.spend_nanos {
            active.spend_nanos = Set(spend);
        }
        active.updated_at = Set(now);
        Ok(active.update(&self.db).await?)
    }
}
