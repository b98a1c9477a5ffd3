//! GraphQL for API keys: mine (create over my subscriptions, list with spend and budget use,
//! update, rotate, revoke and restore, delete), and everyone's for administrators.

use async_graphql::{Context, ErrorExtensions, ID, InputObject, Object, SimpleObject};
use chrono::{DateTime, Utc};

use super::portal::{Expiry, KeyEdit, KeyRequest, PortalKeys, Scope};
use super::{Blocker, Issued, KeyRecord};
use crate::DomainError;
use crate::access::{Needs, Permission, caller};
use crate::limits::{LimitRequest, LimitValues, LimitsView};
use crate::settings::{KeyPolicy, SettingsService};

/// An API key, without its secret.
#[derive(SimpleObject, Clone, Debug)]
pub struct ApiKey {
    pub id: ID,
    /// The name its owner gave it.
    pub name: Option<String>,
    /// `sk-...` and the secret's last four characters.
    pub display: String,
    /// Where it was made: `portal` or `admin-api`.
    pub origin: String,
    /// The models it reaches (an admin-API key with none reaches every model).
    pub models: Vec<String>,
    /// The owner's user id (`user_id` of the admin API).
    pub owner: Option<String>,
    pub blocked: bool,
    /// Who blocked it, while blocked: `owner` (revoked; they may restore it) or
    /// `administrator` (only an administrator unblocks it).
    pub blocked_by: Option<String>,
    pub expires_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub last_used_at: Option<DateTime<Utc>>,
    /// Spend in the current budget window (currency).
    pub spend: f64,
    /// Spend as a share of the budget (0 to 1 and beyond); null without a budget.
    pub utilization: Option<f64>,
    #[graphql(flatten)]
    pub limits: LimitsView,
}

use crate::convert::money;

impl From<KeyRecord> for ApiKey {
    fn from(record: KeyRecord) -> Self {
        let key = record.key;
        let blocked_by = Blocker::of(&key).map(|by| by.as_str().to_owned());
        let limits = LimitsView::new(LimitValues::of_key(&key), key.budget_reset_at);
        let utilization = key
            .max_budget_nanos
            .filter(|max| *max > 0)
            .map(|max| key.spend_nanos as f64 / max as f64);
        Self {
            id: ID(key.id.to_string()),
            name: key
                .metadata
                .get("name")
                .and_then(|n| n.as_str())
                .map(str::to_owned),
            display: key.key_name,
            origin: key.origin,
            models: record.models,
            owner: record.user_id,
            blocked: key.blocked,
            blocked_by,
            expires_at: key.expires_at,
            created_at: key.created_at,
            last_used_at: key.last_used_at,
            spend: money(key.spend_nanos),
            utilization,
            limits,
        }
    }
}

/// A key just made or rotated: the secret appears here once and never again.
#[derive(SimpleObject, Clone, Debug)]
pub struct CreatedKey {
    pub key: ApiKey,
    /// The key itself (`sk-…`): store it now.
    pub secret: String,
}

impl From<Issued> for CreatedKey {
    fn from(issued: Issued) -> Self {
        Self {
            secret: issued.plaintext,
            key: issued.record.into(),
        }
    }
}

/// When a key expires: at most one of `expiresIn` (`30d`, `90d`, `1mo`…), `expiresAt`, or
/// `neverExpires`; none of them takes the platform's default.
#[derive(InputObject, Clone, Debug, Default)]
pub struct KeyExpiryInput {
    pub expires_in: Option<String>,
    pub expires_at: Option<DateTime<Utc>>,
    #[graphql(default = false)]
    pub never_expires: bool,
}

impl KeyExpiryInput {
    fn resolve(self) -> async_graphql::Result<Expiry> {
        match (self.expires_in, self.expires_at, self.never_expires) {
            (None, None, false) => Ok(Expiry::Default),
            (Some(text), None, false) => Ok(Expiry::In(text)),
            (None, Some(at), false) => Ok(Expiry::At(at)),
            (None, None, true) => Ok(Expiry::Never),
            _ => Err(DomainError::BadInput(
                "give one of expiresIn, expiresAt or neverExpires".into(),
            )
            .extend()),
        }
    }
}

/// A key to make.
#[derive(InputObject, Clone, Debug)]
pub struct CreateKeyInput {
    pub name: String,
    /// Models I hold an active subscription to.
    pub model_ids: Vec<ID>,
    pub expiry: Option<KeyExpiryInput>,
    pub limits: Option<LimitRequest>,
    /// Administrators only: make the key for this user.
    pub user_id: Option<ID>,
}

/// Changes to a key; what is left out stays as it is.
#[derive(InputObject, Clone, Debug, Default)]
pub struct UpdateKeyInput {
    pub name: Option<String>,
    pub model_ids: Option<Vec<ID>>,
    pub expiry: Option<KeyExpiryInput>,
    pub limits: Option<LimitRequest>,
}

use crate::convert::gql_id as uuid;

fn keys<'a>(ctx: &'a Context<'_>) -> async_graphql::Result<&'a PortalKeys> {
    ctx.data::<PortalKeys>()
}

/// Mine for users; anyone's for administrators who may change everything.
fn scope(ctx: &Context<'_>) -> async_graphql::Result<Scope> {
    let caller = caller(ctx);
    if caller.permissions().contains(&Permission::WriteAll) {
        return Ok(Scope::Anyone);
    }
    Ok(Scope::Owner(
        caller
            .require_user(Permission::WriteOwn)
            .map_err(|e| e.extend())?,
    ))
}

/// Key queries.
#[derive(Default)]
pub struct KeyQuery;

#[Object]
impl KeyQuery {
    /// My keys, newest first.
    #[graphql(guard = "Needs(Permission::ReadOwn)")]
    async fn my_keys(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
    ) -> async_graphql::Result<crate::pagination::Page<ApiKey>> {
        let user = caller(ctx)
            .require_user(Permission::ReadOwn)
            .map_err(|e| e.extend())?;
        let rows = keys(ctx)?.list(Some(user)).await.map_err(|e| e.extend())?;
        crate::pagination::page(rows.into_iter().map(ApiKey::from).collect(), first, after)
    }

    /// Everyone's keys, or one user's (administrators).
    #[graphql(guard = "Needs(Permission::ReadAll)")]
    async fn keys(
        &self,
        ctx: &Context<'_>,
        user_id: Option<ID>,
        first: Option<i32>,
        after: Option<String>,
    ) -> async_graphql::Result<crate::pagination::Page<ApiKey>> {
        let owner = user_id.as_ref().map(uuid).transpose()?;
        let rows = keys(ctx)?.list(owner).await.map_err(|e| e.extend())?;
        crate::pagination::page(rows.into_iter().map(ApiKey::from).collect(), first, after)
    }

    /// What keys may be here: the cap per user, expiry and limit defaults and maximums.
    #[graphql(guard = "Needs(Permission::ReadOwn)")]
    async fn key_policy(&self, ctx: &Context<'_>) -> async_graphql::Result<KeyPolicy> {
        ctx.data::<SettingsService>()?
            .key_policy()
            .await
            .map_err(|e| e.extend())
    }
}

/// Key mutations.
#[derive(Default)]
pub struct KeyMutation;

#[Object]
impl KeyMutation {
    /// Makes a key over models I am subscribed to; the secret is in the result only.
    /// Administrators may make one for another user (`userId`).
    #[graphql(guard = "Needs(Permission::WriteOwn)")]
    async fn create_key(
        &self,
        ctx: &Context<'_>,
        input: CreateKeyInput,
    ) -> async_graphql::Result<CreatedKey> {
        let caller = caller(ctx);
        let owner = match &input.user_id {
            Some(id) => {
                caller
                    .require(Permission::WriteAll)
                    .map_err(|e| e.extend())?;
                uuid(id)?
            }
            None => caller
                .require_user(Permission::WriteOwn)
                .map_err(|e| e.extend())?,
        };
        let request = KeyRequest {
            name: input.name,
            model_ids: input
                .model_ids
                .iter()
                .map(uuid)
                .collect::<async_graphql::Result<_>>()?,
            expiry: input.expiry.unwrap_or_default().resolve()?,
            limits: input.limits.unwrap_or_default(),
        };
        let issued = keys(ctx)?
            .create(owner, request)
            .await
            .map_err(|e| e.extend())?;
        Ok(issued.into())
    }

    /// Changes a key's name, models, expiry or limits.
    #[graphql(guard = "Needs(Permission::WriteOwn)")]
    async fn update_key(
        &self,
        ctx: &Context<'_>,
        id: ID,
        input: UpdateKeyInput,
    ) -> async_graphql::Result<ApiKey> {
        let edit = KeyEdit {
            name: input.name,
            model_ids: input
                .model_ids
                .map(|ids| {
                    ids.iter()
                        .map(uuid)
                        .collect::<async_graphql::Result<Vec<_>>>()
                })
                .transpose()?,
            expiry: input.expiry.map(KeyExpiryInput::resolve).transpose()?,
            limits: input.limits,
        };
        let record = keys(ctx)?
            .update(scope(ctx)?, uuid(&id)?, edit)
            .await
            .map_err(|e| e.extend())?;
        Ok(record.into())
    }

    /// A new secret with the same settings; with `gracePeriod` (`1h`, `7d`) the old secret
    /// keeps working that long.
    #[graphql(guard = "Needs(Permission::WriteOwn)")]
    async fn rotate_key(
        &self,
        ctx: &Context<'_>,
        id: ID,
        grace_period: Option<String>,
    ) -> async_graphql::Result<CreatedKey> {
        let issued = keys(ctx)?
            .rotate(scope(ctx)?, uuid(&id)?, grace_period.as_deref())
            .await
            .map_err(|e| e.extend())?;
        Ok(issued.into())
    }

    /// Stops a key from working until it is restored.
    #[graphql(guard = "Needs(Permission::WriteOwn)")]
    async fn revoke_key(&self, ctx: &Context<'_>, id: ID) -> async_graphql::Result<ApiKey> {
        let record = keys(ctx)?
            .set_blocked(scope(ctx)?, uuid(&id)?, true)
            .await
            .map_err(|e| e.extend())?;
        Ok(record.into())
    }

    /// Lets a revoked key work again.
    #[graphql(guard = "Needs(Permission::WriteOwn)")]
    async fn restore_key(&self, ctx: &Context<'_>, id: ID) -> async_graphql::Result<ApiKey> {
        let record = keys(ctx)?
            .set_blocked(scope(ctx)?, uuid(&id)?, false)
            .await
            .map_err(|e| e.extend())?;
        Ok(record.into())
    }

    /// Deletes a key for good; returns its id.
    #[graphql(guard = "Needs(Permission::WriteOwn)")]
    async fn delete_key(&self, ctx: &Context<'_>, id: ID) -> async_graphql::Result<ID> {
        keys(ctx)?
            .delete(scope(ctx)?, uuid(&id)?)
            .await
            .map_err(|e| e.extend())?;
        Ok(id)
    }

    /// Replaces the key policy (administrators).
    #[graphql(guard = "Needs(Permission::WriteAll)")]
    async fn set_key_policy(
        &self,
        ctx: &Context<'_>,
        policy: KeyPolicy,
    ) -> async_graphql::Result<KeyPolicy> {
        ctx.data::<SettingsService>()?
            .set_key_policy(policy)
            .await
            .map_err(|e| e.extend())
    }
}
