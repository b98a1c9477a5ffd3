//! GraphQL for model subscriptions: mine (subscribe, cancel, request a review) and the admin
//! queue (approve, deny with a reason, revert), each transition recorded.

use async_graphql::{
    ComplexObject, Context, ErrorExtensions, ID, InputObject, Object, SimpleObject,
};
use std::collections::HashMap;
use std::sync::Arc;

use async_graphql::dataloader::{DataLoader, Loader};
use chrono::{DateTime, Utc};
use uuid::Uuid;

use super::{QueueFilter, Status, SubscriptionService};
use crate::DomainError;
use crate::access::{Needs, Permission, caller};
use crate::catalog::{
    CatalogModel, SubscriptionStatus, SubscriptionStatuses, load_catalog, model_by_id,
};

impl From<Status> for SubscriptionStatus {
    fn from(status: Status) -> Self {
        match status {
            Status::Active => Self::Active,
            Status::Pending => Self::Pending,
            Status::Denied => Self::Denied,
            Status::Cancelled => Self::Cancelled,
        }
    }
}

impl From<SubscriptionStatus> for Status {
    fn from(status: SubscriptionStatus) -> Self {
        match status {
            SubscriptionStatus::Active => Self::Active,
            SubscriptionStatus::Pending => Self::Pending,
            SubscriptionStatus::Denied => Self::Denied,
            SubscriptionStatus::Cancelled => Self::Cancelled,
        }
    }
}

#[async_trait::async_trait]
impl SubscriptionStatuses for SubscriptionService {
    async fn statuses(&self, user: Uuid) -> Result<HashMap<Uuid, SubscriptionStatus>, DomainError> {
        Ok(self
            .mine(user)
            .await?
            .into_iter()
            .map(|row| (row.model_id, Status::parse(&row.status).into()))
            .collect())
    }
}

/// A user's access to a model.
#[derive(SimpleObject, Clone, Debug)]
#[graphql(complex, name = "ModelSubscription")]
pub struct Subscription {
    pub id: ID,
    pub status: SubscriptionStatus,
    /// Why it is in this state (a denial's reason, a review request's message).
    pub reason: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// The subscriber's user id.
    pub user_id: ID,
    #[graphql(skip)]
    pub model_id: Uuid,
    #[graphql(skip)]
    pub row_id: Uuid,
    /// The model, when a list loaded it for all its items at once.
    #[graphql(skip)]
    pub preloaded_model: Option<Option<CatalogModel>>,
    /// The history, when a list loaded it for all its items at once.
    #[graphql(skip)]
    pub preloaded_history: Option<Vec<entity::subscription_event::Model>>,
    /// The subscriber, when a list loaded them for all its items at once.
    #[graphql(skip)]
    pub preloaded_subscriber: Option<Option<Subscriber>>,
}

/// Who holds a subscription, as the queue shows them.
#[derive(SimpleObject, Clone, Debug)]
pub struct Subscriber {
    pub id: ID,
    /// The LiteLLM-style user id (often an e-mail address).
    pub external_id: String,
    pub email: Option<String>,
    pub display_name: Option<String>,
}

impl From<entity::user::Model> for Subscriber {
    fn from(row: entity::user::Model) -> Self {
        Self {
            id: ID(row.id.to_string()),
            external_id: row.external_id,
            email: row.email,
            display_name: row.display_name,
        }
    }
}

/// One recorded transition.
#[derive(SimpleObject, Clone, Debug)]
pub struct SubscriptionEvent {
    pub from_status: Option<SubscriptionStatus>,
    pub to_status: SubscriptionStatus,
    /// Who made the change (null for the master key).
    pub actor_user_id: Option<ID>,
    pub reason: Option<String>,
    pub at: DateTime<Utc>,
}

impl From<entity::subscription::Model> for Subscription {
    fn from(row: entity::subscription::Model) -> Self {
        Self {
            id: ID(row.id.to_string()),
            status: Status::parse(&row.status).into(),
            reason: row.reason,
            created_at: row.created_at,
            updated_at: row.updated_at,
            user_id: ID(row.user_id.to_string()),
            model_id: row.model_id,
            row_id: row.id,
            preloaded_model: None,
            preloaded_history: None,
            preloaded_subscriber: None,
        }
    }
}

#[ComplexObject]
impl Subscription {
    /// The model.
    async fn model(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<CatalogModel>> {
        if let Some(model) = &self.preloaded_model {
            return Ok(model.clone());
        }
        model_by_id(ctx, self.model_id).await
    }

    /// The subscriber: their name and e-mail (a user reads their own).
    async fn subscriber(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<Subscriber>> {
        if let Some(subscriber) = &self.preloaded_subscriber {
            return Ok(subscriber.clone());
        }
        let id = self.user_id.parse::<Uuid>()?;
        Ok(subscribers(ctx, &[id]).await?.remove(&id))
    }

    /// Every transition, oldest first.
    async fn history(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<SubscriptionEvent>> {
        let rows = match &self.preloaded_history {
            Some(rows) => rows.clone(),
            None => ctx
                .data::<DataLoader<HistoryLoader>>()?
                .load_one(self.row_id)
                .await
                .map_err(|e| async_graphql::Error::new(e.to_string()))?
                .unwrap_or_default(),
        };
        Ok(rows
            .into_iter()
            .map(|e| SubscriptionEvent {
                from_status: e.from_status.as_deref().map(|s| Status::parse(s).into()),
                to_status: Status::parse(&e.to_status).into(),
                actor_user_id: e.actor_user_id.map(|id| ID(id.to_string())),
                reason: e.reason,
                at: e.created_at,
            })
            .collect())
    }
}

/// The users with `ids`, by id, in one query.
async fn subscribers(
    ctx: &Context<'_>,
    ids: &[Uuid],
) -> async_graphql::Result<HashMap<Uuid, Subscriber>> {
    let rows = service(ctx)?
        .subscribers(ids)
        .await
        .map_err(|e| e.extend())?;
    Ok(rows
        .into_iter()
        .map(|u| (u.id, Subscriber::from(u)))
        .collect())
}

/// What a list's operation asks of each subscription, so [`with_children`] loads only that.
#[derive(Clone, Copy)]
struct Wants {
    model: bool,
    history: bool,
    subscriber: bool,
}

impl Wants {
    fn of(node: async_graphql::Lookahead<'_>) -> Self {
        Self {
            model: node.field("model").exists(),
            history: node.field("history").exists(),
            subscriber: node.field("subscriber").exists(),
        }
    }
}

/// `rows` as the list a field returns, with what the operation asks of each item loaded in a
/// query each.
async fn listed(
    ctx: &Context<'_>,
    rows: Vec<entity::subscription::Model>,
) -> async_graphql::Result<Vec<Subscription>> {
    let mut list: Vec<Subscription> = rows.into_iter().map(Subscription::from).collect();
    let mut items: Vec<&mut Subscription> = list.iter_mut().collect();
    with_children(ctx, &mut items, Wants::of(ctx.look_ahead())).await?;
    Ok(list)
}

/// Loads the models, histories and subscribers of a list's subscriptions in a query each
/// (when the operation asks for them), so the list costs the same however long it is.
async fn with_children(
    ctx: &Context<'_>,
    subscriptions: &mut [&mut Subscription],
    wants: Wants,
) -> async_graphql::Result<()> {
    let (wants_model, wants_history) = (wants.model, wants.history);
    if wants.subscriber {
        let mut ids: Vec<Uuid> = subscriptions
            .iter()
            .filter_map(|s| s.user_id.parse().ok())
            .collect();
        ids.sort();
        ids.dedup();
        let found = subscribers(ctx, &ids).await?;
        for one in subscriptions.iter_mut() {
            let id = one.user_id.parse::<Uuid>().ok();
            one.preloaded_subscriber = Some(id.and_then(|id| found.get(&id).cloned()));
        }
    }
    if wants_history {
        let ids: Vec<Uuid> = subscriptions.iter().map(|s| s.row_id).collect();
        let mut histories = service(ctx)?
            .histories(&ids)
            .await
            .map_err(|e| e.extend())?;
        for one in subscriptions.iter_mut() {
            one.preloaded_history = Some(histories.remove(&one.row_id).unwrap_or_default());
        }
    }
    if wants_model {
        let mut ids: Vec<Uuid> = subscriptions.iter().map(|s| s.model_id).collect();
        ids.sort();
        ids.dedup();
        let models: HashMap<Uuid, CatalogModel> = ctx
            .data::<crate::catalog::CatalogService>()?
            .models_by_ids(&ids)
            .await
            .map_err(|e| e.extend())?
            .into_iter()
            .map(|m| (m.model.id, CatalogModel::new(m, None)))
            .collect();
        for one in subscriptions.iter_mut() {
            one.preloaded_model = Some(models.get(&one.model_id).cloned());
        }
    }
    Ok(())
}

/// Loads the histories of every subscription a request lists in one query.
pub struct HistoryLoader(pub SubscriptionService);

impl Loader<Uuid> for HistoryLoader {
    type Value = Vec<entity::subscription_event::Model>;
    type Error = Arc<DomainError>;

    async fn load(&self, keys: &[Uuid]) -> Result<HashMap<Uuid, Self::Value>, Self::Error> {
        self.0.histories(keys).await.map_err(Arc::new)
    }
}

fn service<'a>(ctx: &'a Context<'_>) -> async_graphql::Result<&'a SubscriptionService> {
    ctx.data::<SubscriptionService>()
}

use crate::convert::gql_id as uuid;

/// Narrows the admin queue.
#[derive(InputObject, Clone, Debug, Default)]
pub struct SubscriptionQueueFilter {
    pub status: Option<SubscriptionStatus>,
    pub model_id: Option<ID>,
    pub user_id: Option<ID>,
    /// Subscribers whose id, e-mail or name contains this (any case).
    pub user_search: Option<String>,
    /// Changed at or after this.
    pub since: Option<DateTime<Utc>>,
    /// Changed before this.
    pub until: Option<DateTime<Utc>>,
}

/// Subscription queries.
#[derive(Default)]
pub struct SubscriptionQuery;

#[Object]
impl SubscriptionQuery {
    /// My subscriptions, most recently changed first.
    #[graphql(guard = "Needs(Permission::ReadOwn)")]
    async fn my_subscriptions(
        &self,
        ctx: &Context<'_>,
    ) -> async_graphql::Result<Vec<Subscription>> {
        let user = caller(ctx)
            .require_user(Permission::ReadOwn)
            .map_err(|e| e.extend())?;
        let rows = service(ctx)?.mine(user).await.map_err(|e| e.extend())?;
        listed(ctx, rows).await
    }

    /// Everyone's subscriptions, most recently changed first (administrators).
    #[graphql(guard = "Needs(Permission::ReadAll)")]
    async fn subscription_queue(
        &self,
        ctx: &Context<'_>,
        filter: Option<SubscriptionQueueFilter>,
        first: Option<i32>,
        after: Option<String>,
    ) -> async_graphql::Result<crate::pagination::Page<Subscription>> {
        let filter = filter.unwrap_or_default();
        let query = QueueFilter {
            status: filter.status.map(Status::from),
            model_id: filter.model_id.as_ref().map(uuid).transpose()?,
            user_id: filter.user_id.as_ref().map(uuid).transpose()?,
            user_search: filter
                .user_search
                .map(|t| t.trim().to_owned())
                .filter(|t| !t.is_empty()),
            since: filter.since,
            until: filter.until,
        };
        let rows = service(ctx)?.queue(&query).await.map_err(|e| e.extend())?;
        let mut connection = crate::pagination::page(
            rows.into_iter().map(Subscription::from).collect(),
            first,
            after,
        )?;
        let node = ctx.look_ahead().field("edges").field("node");
        let mut items: Vec<&mut Subscription> =
            connection.edges.iter_mut().map(|e| &mut e.node).collect();
        with_children(ctx, &mut items, Wants::of(node)).await?;
        Ok(connection)
    }
}

/// Subscription mutations.
#[derive(Default)]
pub struct SubscriptionMutation;

#[Object]
impl SubscriptionMutation {
    /// Subscribes me to a model: active at once, or pending when the model is restricted;
    /// `reason` tells the administrators why I need it (kept with the request, 1,000
    /// characters at most).
    #[graphql(guard = "Needs(Permission::WriteOwn)")]
    async fn subscribe(
        &self,
        ctx: &Context<'_>,
        model_id: ID,
        reason: Option<String>,
    ) -> async_graphql::Result<Subscription> {
        let user = caller(ctx)
            .require_user(Permission::WriteOwn)
            .map_err(|e| e.extend())?;
        let row = service(ctx)?
            .subscribe(user, uuid(&model_id)?, reason)
            .await
            .map_err(|e| e.extend())?;
        Ok(row.into())
    }

    /// Cancels one of my subscriptions; the model is taken off my keys.
    #[graphql(guard = "Needs(Permission::WriteOwn)")]
    async fn cancel_subscription(
        &self,
        ctx: &Context<'_>,
        id: ID,
    ) -> async_graphql::Result<Subscription> {
        let user = caller(ctx)
            .require_user(Permission::WriteOwn)
            .map_err(|e| e.extend())?;
        let row = service(ctx)?
            .cancel(user, uuid(&id)?)
            .await
            .map_err(|e| e.extend())?;
        Ok(row.into())
    }

    /// Asks for a denied subscription to be looked at again.
    #[graphql(guard = "Needs(Permission::WriteOwn)")]
    async fn request_review(
        &self,
        ctx: &Context<'_>,
        id: ID,
        message: Option<String>,
    ) -> async_graphql::Result<Subscription> {
        let user = caller(ctx)
            .require_user(Permission::WriteOwn)
            .map_err(|e| e.extend())?;
        let row = service(ctx)?
            .request_review(user, uuid(&id)?, message)
            .await
            .map_err(|e| e.extend())?;
        Ok(row.into())
    }

    /// Approves pending subscriptions (administrators); all or nothing.
    #[graphql(guard = "Needs(Permission::WriteAll)")]
    async fn approve_subscriptions(
        &self,
        ctx: &Context<'_>,
        ids: Vec<ID>,
        reason: Option<String>,
    ) -> async_graphql::Result<Vec<Subscription>> {
        decide(ctx, &ids, true, reason).await
    }

    /// Denies pending subscriptions with a reason the users will see (administrators).
    #[graphql(guard = "Needs(Permission::WriteAll)")]
    async fn deny_subscriptions(
        &self,
        ctx: &Context<'_>,
        ids: Vec<ID>,
        reason: String,
    ) -> async_graphql::Result<Vec<Subscription>> {
        decide(ctx, &ids, false, Some(reason)).await
    }

    /// Gives a user access to a model, restricted or not (administrators): active at once.
    #[graphql(guard = "Needs(Permission::WriteAll)")]
    async fn grant_subscription(
        &self,
        ctx: &Context<'_>,
        user_id: ID,
        model_id: ID,
        reason: Option<String>,
    ) -> async_graphql::Result<Subscription> {
        let admin = caller(ctx).principal.as_ref().and_then(|p| p.user_id);
        let row = service(ctx)?
            .grant(admin, uuid(&user_id)?, uuid(&model_id)?, reason)
            .await
            .map_err(|e| e.extend())?;
        Ok(row.into())
    }

    /// Ends a user's active or pending subscription: denied, with `reason` the user sees;
    /// the model leaves their keys, and the way back is a review (administrators).
    #[graphql(guard = "Needs(Permission::WriteAll)")]
    async fn withdraw_subscription(
        &self,
        ctx: &Context<'_>,
        id: ID,
        reason: Option<String>,
    ) -> async_graphql::Result<Subscription> {
        let admin = caller(ctx).principal.as_ref().and_then(|p| p.user_id);
        let row = service(ctx)?
            .withdraw(admin, uuid(&id)?, reason)
            .await
            .map_err(|e| e.extend())?;
        Ok(row.into())
    }

    /// Undoes an approval or denial: the subscription is pending again (administrators).
    #[graphql(guard = "Needs(Permission::WriteAll)")]
    async fn revert_subscription(
        &self,
        ctx: &Context<'_>,
        id: ID,
        reason: Option<String>,
    ) -> async_graphql::Result<Subscription> {
        let admin = caller(ctx).principal.as_ref().and_then(|p| p.user_id);
        let row = service(ctx)?
            .revert(admin, uuid(&id)?, reason)
            .await
            .map_err(|e| e.extend())?;
        Ok(row.into())
    }

    /// Restricts a model (its active subscriptions become pending and leave keys) or opens it
    /// (pending ones are approved). Administrators.
    #[graphql(guard = "Needs(Permission::WriteAll)")]
    async fn set_model_restricted(
        &self,
        ctx: &Context<'_>,
        model_id: ID,
        restricted: bool,
    ) -> async_graphql::Result<Option<CatalogModel>> {
        let admin = caller(ctx).principal.as_ref().and_then(|p| p.user_id);
        let model = service(ctx)?
            .set_restricted(admin, uuid(&model_id)?, restricted)
            .await
            .map_err(|e| e.extend())?;
        let id = model.id.to_string();
        Ok(load_catalog(ctx).await?.into_iter().find(|m| m.id.0 == id))
    }
}

async fn decide(
    ctx: &Context<'_>,
    ids: &[ID],
    approve: bool,
    reason: Option<String>,
) -> async_graphql::Result<Vec<Subscription>> {
    let admin = caller(ctx).principal.as_ref().and_then(|p| p.user_id);
    let ids = ids
        .iter()
        .map(uuid)
        .collect::<async_graphql::Result<Vec<_>>>()?;
    let rows = service(ctx)?
        .decide(admin, &ids, approve, reason)
        .await
        .map_err(|e| e.extend())?;
    listed(ctx, rows).await
}
