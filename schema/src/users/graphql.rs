//! GraphQL for administering users (administrators; read-only administrators may look).

use async_graphql::{Context, ErrorExtensions, ID, InputObject, Object, SimpleObject};
use chrono::{DateTime, Utc};

use super::admin::{UserAdmin, UserUpdate};
use crate::access::{Needs, Permission, Role, caller};
use crate::limits::{LimitValues, LimitsInput, LimitsView};

/// A user, as administrators see them.
#[derive(SimpleObject, Clone, Debug)]
pub struct User {
    pub id: ID,
    /// The LiteLLM-style user id (often an e-mail address).
    pub external_id: String,
    pub email: Option<String>,
    pub display_name: Option<String>,
    pub roles: Vec<Role>,
    pub active: bool,
    /// Signs in through single sign-on.
    pub single_sign_on: bool,
    pub spend: f64,
    #[graphql(flatten)]
    pub limits: LimitsView,
    pub created_at: DateTime<Utc>,
    pub last_login_at: Option<DateTime<Utc>>,
}

use crate::convert::money;

impl From<entity::user::Model> for User {
    fn from(row: entity::user::Model) -> Self {
        let limits = LimitsView::new(LimitValues::of_user(&row), row.budget_reset_at);
        Self {
            id: ID(row.id.to_string()),
            roles: Role::from_json(&row.roles),
            single_sign_on: row.oidc_subject.is_some(),
            external_id: row.external_id,
            email: row.email,
            display_name: row.display_name,
            active: row.active,
            spend: money(row.spend_nanos),
            limits,
            created_at: row.created_at,
            last_login_at: row.last_login_at,
        }
    }
}

/// A change to a user. Roles of single-sign-on users are recomputed from their groups at
/// their next sign-in.
#[derive(InputObject, Clone, Debug, Default)]
pub struct UpdateUserInput {
    pub roles: Option<Vec<Role>>,
    pub active: Option<bool>,
    pub limits: Option<LimitsInput>,
}

use crate::convert::gql_id as uuid;

/// User queries.
#[derive(Default)]
pub struct UserQuery;

#[Object]
impl UserQuery {
    /// Users whose id, e-mail or name contains `search`, with `role`, active or not
    /// (administrators).
    #[graphql(guard = "Needs(Permission::ReadAll)")]
    async fn users(
        &self,
        ctx: &Context<'_>,
        search: Option<String>,
        role: Option<Role>,
        active: Option<bool>,
        first: Option<i32>,
        after: Option<String>,
    ) -> async_graphql::Result<crate::pagination::Page<User>> {
        let rows = ctx
            .data::<UserAdmin>()?
            .list(search.as_deref(), role)
            .await
            .map_err(|e| e.extend())?;
        let users = rows
            .into_iter()
            .filter(|u| active.is_none_or(|a| u.active == a))
            .map(User::from)
            .collect();
        crate::pagination::page(users, first, after)
    }

    /// My own account: spend in the current budget window, budget, when it resets, limits.
    #[graphql(guard = "Needs(Permission::ReadOwn)")]
    async fn my_account(&self, ctx: &Context<'_>) -> async_graphql::Result<User> {
        let me = caller(ctx)
            .require_user(Permission::ReadOwn)
            .map_err(|e| e.extend())?;
        let row = ctx
            .data::<UserAdmin>()?
            .get(me)
            .await
            .map_err(|e| e.extend())?;
        Ok(row.into())
    }

    /// One user (administrators).
    #[graphql(guard = "Needs(Permission::ReadAll)")]
    async fn user(&self, ctx: &Context<'_>, id: ID) -> async_graphql::Result<User> {
        let row = ctx
            .data::<UserAdmin>()?
            .get(uuid(&id)?)
            .await
            .map_err(|e| e.extend())?;
        Ok(row.into())
    }
}

/// User mutations.
#[derive(Default)]
pub struct UserMutation;

#[Object]
impl UserMutation {
    /// Changes a user's roles, state, limits or budget (administrators).
    #[graphql(guard = "Needs(Permission::WriteAll)")]
    async fn update_user(
        &self,
        ctx: &Context<'_>,
        id: ID,
        input: UpdateUserInput,
    ) -> async_graphql::Result<User> {
        let update = UserUpdate {
            roles: input.roles,
            active: input.active,
            limits: input
                .limits
                .unwrap_or_default()
                .into_changes()
                .map_err(|e| e.extend())?,
        };
        let actor = caller(ctx).principal.as_ref().and_then(|p| p.user_id);
        let row = ctx
            .data::<UserAdmin>()?
            .update(actor, uuid(&id)?, update)
            .await
            .map_err(|e| e.extend())?;
        Ok(row.into())
    }

    /// Sets a user's spend in the current budget window back to zero (administrators).
    #[graphql(guard = "Needs(Permission::WriteAll)")]
    async fn reset_user_spend(&self, ctx: &Context<'_>, id: ID) -> async_graphql::Result<User> {
        let row = ctx
            .data::<UserAdmin>()?
            .reset_spend(uuid(&id)?)
            .await
            .map_err(|e| e.extend())?;
        Ok(row.into())
    }
}
