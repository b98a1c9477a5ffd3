//! GraphQL for administering users (administrators; read-only administrators may look).

use async_graphql::{
    Context, ErrorExtensions, ID, InputObject, MaybeUndefined, Object, SimpleObject,
};
use chrono::{DateTime, Utc};

use super::admin::{UserAdmin, UserUpdate};
use crate::DomainError;
use crate::access::{Needs, Permission, Role, caller};
use crate::limits::LimitChanges;

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
    pub max_budget: Option<f64>,
    pub soft_budget: Option<f64>,
    pub budget_duration: Option<String>,
    pub budget_resets_at: Option<DateTime<Utc>>,
    pub rpm_limit: Option<i64>,
    pub tpm_limit: Option<i64>,
    pub max_parallel_requests: Option<i64>,
    pub created_at: DateTime<Utc>,
    pub last_login_at: Option<DateTime<Utc>>,
}

use crate::convert::{change, money};

impl From<entity::user::Model> for User {
    fn from(row: entity::user::Model) -> Self {
        Self {
            id: ID(row.id.to_string()),
            roles: Role::from_json(&row.roles),
            single_sign_on: row.oidc_subject.is_some(),
            external_id: row.external_id,
            email: row.email,
            display_name: row.display_name,
            active: row.active,
            spend: money(row.spend_nanos),
            max_budget: row.max_budget_nanos.map(money),
            soft_budget: row.soft_budget_nanos.map(money),
            budget_duration: row.budget_duration,
            budget_resets_at: row.budget_reset_at,
            rpm_limit: row.rpm_limit,
            tpm_limit: row.tpm_limit,
            max_parallel_requests: row.max_parallel_requests,
            created_at: row.created_at,
            last_login_at: row.last_login_at,
        }
    }
}

/// Limits and budget; a field left out stays, `null` removes the limit.
#[derive(InputObject, Clone, Debug, Default)]
pub struct UserLimitsInput {
    pub max_budget: MaybeUndefined<f64>,
    pub soft_budget: MaybeUndefined<f64>,
    pub budget_duration: MaybeUndefined<String>,
    pub rpm_limit: MaybeUndefined<i64>,
    pub tpm_limit: MaybeUndefined<i64>,
    pub max_parallel_requests: MaybeUndefined<i64>,
}

/// A change to a user. Roles of single-sign-on users are recomputed from their groups at
/// their next sign-in.
#[derive(InputObject, Clone, Debug, Default)]
pub struct UpdateUserInput {
    pub roles: Option<Vec<Role>>,
    pub active: Option<bool>,
    pub limits: Option<UserLimitsInput>,
}

fn money_change(
    name: &str,
    value: MaybeUndefined<f64>,
) -> Result<Option<Option<i64>>, DomainError> {
    change(value)
        .map(|v| v.map(|b| crate::convert::nanos(name, b)).transpose())
        .transpose()
}

use crate::convert::gql_id as uuid;

/// User queries.
#[derive(Default)]
pub struct UserQuery;

#[Object]
impl UserQuery {
    /// Users whose id or name contains `search`, with `role` (administrators).
    #[graphql(guard = "Needs(Permission::ReadAll)")]
    async fn users(
        &self,
        ctx: &Context<'_>,
        search: Option<String>,
        role: Option<Role>,
        first: Option<i32>,
        after: Option<String>,
    ) -> async_graphql::Result<crate::pagination::Page<User>> {
        let rows = ctx
            .data::<UserAdmin>()?
            .list(search.as_deref(), role)
            .await
            .map_err(|e| e.extend())?;
        crate::pagination::page(rows.into_iter().map(User::from).collect(), first, after)
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
        let limits = input.limits.unwrap_or_default();
        let update = UserUpdate {
            roles: input.roles,
            active: input.active,
            limits: LimitChanges {
                max_budget_nanos: money_change("maxBudget", limits.max_budget)
                    .map_err(|e| e.extend())?,
                soft_budget_nanos: money_change("softBudget", limits.soft_budget)
                    .map_err(|e| e.extend())?,
                budget_duration: change(limits.budget_duration),
                rpm: change(limits.rpm_limit),
                tpm: change(limits.tpm_limit),
                parallel: change(limits.max_parallel_requests),
            },
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
