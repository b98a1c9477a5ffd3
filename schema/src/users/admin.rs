//! Administering users: list and search them, change roles, deactivate, set limits and
//! budgets, reset spend. A deactivated user's sessions, tokens and keys stop working.

use chrono::Utc;
use entity::user;
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, Condition, DatabaseConnection, EntityTrait, IntoActiveModel, QueryFilter,
    QueryOrder, Set,
};
use uuid::Uuid;

use crate::DomainError;
use crate::access::Role;
use crate::keys::KEYS_VERSION_KEY;
use crate::limits::LimitChanges;
use crate::search::contains_any;

/// An administrator's change to a user.
#[derive(Clone, Debug, Default)]
pub struct UserUpdate {
    pub roles: Option<Vec<Role>>,
    pub active: Option<bool>,
    pub limits: LimitChanges,
}

/// Users whose id, e-mail or name contains `text` (any case; blank matches everyone).
pub fn matching(text: &str) -> Condition {
    let column = |column: user::Column| Expr::col(column).into();
    contains_any(
        text,
        [
            column(user::Column::ExternalId),
            column(user::Column::Email),
            column(user::Column::DisplayName),
        ],
    )
}

/// User administration over `users`.
#[derive(Clone)]
pub struct UserAdmin {
    db: DatabaseConnection,
}

impl UserAdmin {
    /// A service over `db`.
    pub fn new(db: DatabaseConnection) -> Self {
        Self { db }
    }

    /// Users whose id, e-mail or name contains `search` (any case), with `role`, by id.
    pub async fn list(
        &self,
        search: Option<&str>,
        role: Option<Role>,
    ) -> Result<Vec<user::Model>, DomainError> {
        let mut query = user::Entity::find().order_by_asc(user::Column::ExternalId);
        if let Some(text) = search {
            query = query.filter(matching(text));
        }
        let users = query.all(&self.db).await?;
        Ok(match role {
            Some(role) => users
                .into_iter()
                .filter(|u| Role::from_json(&u.roles).contains(&role))
                .collect(),
            None => users,
        })
    }

    /// The user with `id`.
    pub async fn get(&self, id: Uuid) -> Result<user::Model, DomainError> {
        user::Entity::find_by_id(id)
            .one(&self.db)
            .await?
            .ok_or_else(|| DomainError::NotFound("no such user".into()))
    }

    /// Applies an administrator's change. `actor` may not take their own admin role or
    /// deactivate themselves (nobody locks themselves out by accident).
    #[tracing::instrument(skip(self, update), err)]
    pub async fn update(
        &self,
        actor: Option<Uuid>,
        id: Uuid,
        update: UserUpdate,
    ) -> Result<user::Model, DomainError> {
        let row = self.get(id).await?;
        if actor == Some(id) {
            let keeps_admin = update
                .roles
                .as_ref()
                .is_none_or(|r| r.contains(&Role::Admin));
            if !keeps_admin || update.active == Some(false) {
                return Err(DomainError::Conflict(
                    "you cannot remove your own admin role or deactivate yourself; ask another \
                     administrator"
                        .into(),
                ));
            }
        }
        let mut active = row.into_active_model();
        if let Some(mut roles) = update.roles {
            if !roles.contains(&Role::User) {
                roles.push(Role::User);
            }
            active.roles = Set(Role::to_json(&roles));
        }
        if let Some(flag) = update.active {
            active.active = Set(flag);
        }
        let limits = update.limits;
        limits.check()?;
        let now = Utc::now();
        limits.apply_to_user(&mut active, now);
        active.updated_at = Set(now);
        let txn = crate::txn::begin_write(&self.db).await?;
        let row = active.update(&txn).await?;
        // Keys are cached with their owner's limits and state: every replica reloads them.
        crate::counters::bump(&txn, KEYS_VERSION_KEY).await?;
        txn.commit().await?;
        Ok(row)
    }

    /// Sets the user's spend in the current window back to zero.
    pub async fn reset_spend(&self, id: Uuid) -> Result<user::Model, DomainError> {
        let mut active = self.get(id).await?.into_active_model();
        active.spend_nanos = Set(0);
        active.updated_at = Set(Utc::now());
        let txn = crate::txn::begin_write(&self.db).await?;
        let row = active.update(&txn).await?;
        crate::counters::bump(&txn, KEYS_VERSION_KEY).await?;
        txn.commit().await?;
        Ok(row)
    }
}
