//! Subscription rules: who may use which model. Open models are active at once; restricted
//! ones wait for an administrator. Every transition is recorded with who, when and why, and
//! access that ends is taken off the user's portal keys at the same moment.

use chrono::Utc;
use entity::{api_key, api_key_model, model, subscription, subscription_event as event};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, DatabaseTransaction,
    EntityTrait, IntoActiveModel, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect, QueryTrait,
    Set,
};
use uuid::Uuid;

use crate::DomainError;
use crate::keys::{KEYS_VERSION_KEY, ORIGIN_PLAYGROUND, ORIGIN_PORTAL};

/// A subscription's state.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Status {
    /// The user may use the model.
    Active,
    /// Waiting for an administrator (restricted model).
    Pending,
    /// An administrator said no; the user may ask for a review.
    Denied,
    /// The user gave it up.
    Cancelled,
}

impl Status {
    /// As stored.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Active => "active",
            Self::Pending => "pending",
            Self::Denied => "denied",
            Self::Cancelled => "cancelled",
        }
    }

    /// From storage; unknown text reads as cancelled (no access).
    pub fn parse(text: &str) -> Self {
        match text {
            "active" => Self::Active,
            "pending" => Self::Pending,
            "denied" => Self::Denied,
            _ => Self::Cancelled,
        }
    }
}

/// Which subscriptions the admin queue shows.
#[derive(Clone, Debug, Default)]
pub struct QueueFilter {
    pub status: Option<Status>,
    pub model_id: Option<Uuid>,
    pub user_id: Option<Uuid>,
    /// Subscribers whose id, e-mail or name contains this (any case).
    pub user_search: Option<String>,
    /// Changed at or after this.
    pub since: Option<chrono::DateTime<Utc>>,
    /// Changed before this.
    pub until: Option<chrono::DateTime<Utc>>,
}

/// Subscription rules over `subscriptions` and `subscription_events`.
#[derive(Clone)]
pub struct SubscriptionService {
    db: DatabaseConnection,
}

/// The longest reason or message kept with a subscription, in characters.
const MAX_NOTE_CHARS: usize = 1_000;

/// A reason as kept: trimmed, at most [`MAX_NOTE_CHARS`], and none when blank.
fn note(text: Option<String>) -> Option<String> {
    text.map(|t| t.trim().chars().take(MAX_NOTE_CHARS).collect::<String>())
        .filter(|t| !t.is_empty())
}

/// Records one transition.
async fn record<C: ConnectionTrait>(
    db: &C,
    row: &subscription::Model,
    from: Option<Status>,
    actor: Option<Uuid>,
    reason: Option<String>,
) -> Result<(), DomainError> {
    event::ActiveModel {
        subscription_id: Set(row.id),
        from_status: Set(from.map(|s| s.as_str().to_owned())),
        to_status: Set(row.status.clone()),
        actor_user_id: Set(actor),
        reason: Set(reason),
        created_at: Set(Utc::now()),
        ..Default::default()
    }
    .insert(db)
    .await?;
    // The user's playground key reaches exactly their active subscriptions: have every
    // replica look it up again, as a portal key's change of models does.
    let playground = api_key::Entity::find()
        .filter(api_key::Column::UserId.eq(row.user_id))
        .filter(api_key::Column::Origin.eq(ORIGIN_PLAYGROUND))
        .count(db)
        .await?;
    if playground > 0 {
        crate::counters::bump(db, KEYS_VERSION_KEY).await?;
    }
    Ok(())
}

/// Moves `row` to `to`, recording who and why.
async fn transition<C: ConnectionTrait>(
    db: &C,
    row: subscription::Model,
    to: Status,
    actor: Option<Uuid>,
    reason: Option<String>,
) -> Result<subscription::Model, DomainError> {
    let from = Status::parse(&row.status);
    let mut active = row.into_active_model();
    active.status = Set(to.as_str().to_owned());
    active.reason = Set(reason.clone());
    active.updated_at = Set(Utc::now());
    let row = active.update(db).await?;
    record(db, &row, Some(from), actor, reason).await?;
    Ok(row)
}

/// Takes `model` off every portal key of `user` (their access to it ended).
async fn remove_from_keys(
    txn: &DatabaseTransaction,
    user: Uuid,
    model: Uuid,
) -> Result<(), DomainError> {
    let keys: Vec<Uuid> = api_key::Entity::find()
        .select_only()
        .column(api_key::Column::Id)
        .filter(api_key::Column::UserId.eq(user))
        .filter(api_key::Column::Origin.eq(ORIGIN_PORTAL))
        .into_tuple()
        .all(txn)
        .await?;
    if keys.is_empty() {
        return Ok(());
    }
    let removed = api_key_model::Entity::delete_many()
        .filter(api_key_model::Column::ModelId.eq(model))
        .filter(api_key_model::Column::ApiKeyId.is_in(keys))
        .exec(txn)
        .await?;
    if removed.rows_affected > 0 {
        crate::counters::bump(txn, KEYS_VERSION_KEY).await?;
    }
    Ok(())
}

impl SubscriptionService {
    /// A service over `db`.
    pub fn new(db: DatabaseConnection) -> Self {
        Self { db }
    }

    async fn model(&self, id: Uuid) -> Result<model::Model, DomainError> {
        model::Entity::find_by_id(id)
            .filter(model::Column::Active.eq(true))
            .one(&self.db)
            .await?
            .ok_or_else(|| DomainError::NotFound("no such model; list them with `models`".into()))
    }

    async fn own(&self, user: Uuid, id: Uuid) -> Result<subscription::Model, DomainError> {
        subscription::Entity::find_by_id(id)
            .filter(subscription::Column::UserId.eq(user))
            .one(&self.db)
            .await?
            .ok_or_else(|| DomainError::NotFound("no such subscription of yours".into()))
    }

    /// The user's subscriptions, newest first.
    pub async fn mine(&self, user: Uuid) -> Result<Vec<subscription::Model>, DomainError> {
        Ok(subscription::Entity::find()
            .filter(subscription::Column::UserId.eq(user))
            .order_by_desc(subscription::Column::UpdatedAt)
            .all(&self.db)
            .await?)
    }

    /// Subscribes the user to a model: active for an open model, pending for a restricted one.
    /// Subscribing again to an active or pending model changes nothing; after a denial the way
    /// back is a review request.
    #[tracing::instrument(skip(self), err)]
    pub async fn subscribe(
        &self,
        user: Uuid,
        model_id: Uuid,
        reason: Option<String>,
    ) -> Result<subscription::Model, DomainError> {
        let reason = note(reason);
        let model = self.model(model_id).await?;
        let to = if model.restricted {
            Status::Pending
        } else {
            Status::Active
        };
        let existing = subscription::Entity::find()
            .filter(subscription::Column::UserId.eq(user))
            .filter(subscription::Column::ModelId.eq(model_id))
            .one(&self.db)
            .await?;
        let txn = crate::txn::begin_write(&self.db).await?;
        let row = match existing {
            Some(row) => match Status::parse(&row.status) {
                Status::Active | Status::Pending => row,
                Status::Denied => {
                    return Err(DomainError::Conflict(format!(
                        "access to {} was denied; ask for a review with requestReview",
                        model.name
                    )));
                }
                Status::Cancelled => transition(&txn, row, to, Some(user), reason).await?,
            },
            None => {
                let now = Utc::now();
                let row = subscription::ActiveModel {
                    id: Set(Uuid::new_v4()),
                    user_id: Set(user),
                    model_id: Set(model_id),
                    status: Set(to.as_str().to_owned()),
                    reason: Set(reason.clone()),
                    created_at: Set(now),
                    updated_at: Set(now),
                }
                .insert(&txn)
                .await?;
                record(&txn, &row, None, Some(user), reason).await?;
                row
            }
        };
        txn.commit().await?;
        Ok(row)
    }

    /// Cancels one of the user's subscriptions and takes the model off their keys.
    #[tracing::instrument(skip(self), err)]
    pub async fn cancel(&self, user: Uuid, id: Uuid) -> Result<subscription::Model, DomainError> {
        let row = self.own(user, id).await?;
        if !matches!(Status::parse(&row.status), Status::Active | Status::Pending) {
            return Err(DomainError::Conflict(format!(
                "this subscription is {}; only active or pending ones can be cancelled",
                row.status
            )));
        }
        let txn = crate::txn::begin_write(&self.db).await?;
        remove_from_keys(&txn, user, row.model_id).await?;
        let row = transition(&txn, row, Status::Cancelled, Some(user), None).await?;
        txn.commit().await?;
        Ok(row)
    }

    /// An administrator gives `user` access to a model, restricted or not: a new subscription,
    /// or the existing one made active whatever its state. Recorded with who and why.
    #[tracing::instrument(skip(self, reason), err)]
    pub async fn grant(
        &self,
        admin: Option<Uuid>,
        user: Uuid,
        model_id: Uuid,
        reason: Option<String>,
    ) -> Result<subscription::Model, DomainError> {
        let reason = note(reason);
        self.model(model_id).await?;
        entity::user::Entity::find_by_id(user)
            .one(&self.db)
            .await?
            .ok_or_else(|| DomainError::NotFound("no such user".into()))?;
        let existing = subscription::Entity::find()
            .filter(subscription::Column::UserId.eq(user))
            .filter(subscription::Column::ModelId.eq(model_id))
            .one(&self.db)
            .await?;
        let txn = crate::txn::begin_write(&self.db).await?;
        let row = match existing {
            Some(row) if Status::parse(&row.status) == Status::Active => row,
            Some(row) => transition(&txn, row, Status::Active, admin, reason).await?,
            None => {
                let now = Utc::now();
                let row = subscription::ActiveModel {
                    id: Set(Uuid::new_v4()),
                    user_id: Set(user),
                    model_id: Set(model_id),
                    status: Set(Status::Active.as_str().to_owned()),
                    reason: Set(reason.clone()),
                    created_at: Set(now),
                    updated_at: Set(now),
                }
                .insert(&txn)
                .await?;
                record(&txn, &row, None, admin, reason).await?;
                row
            }
        };
        txn.commit().await?;
        Ok(row)
    }

    /// An administrator ends a user's active or pending subscription: denied (so the user's
    /// way back is a review request, not subscribing again), and the model taken off the
    /// user's keys.
    #[tracing::instrument(skip(self, reason), err)]
    pub async fn withdraw(
        &self,
        admin: Option<Uuid>,
        id: Uuid,
        reason: Option<String>,
    ) -> Result<subscription::Model, DomainError> {
        let row = subscription::Entity::find_by_id(id)
            .one(&self.db)
            .await?
            .ok_or_else(|| DomainError::NotFound("no such subscription".into()))?;
        if !matches!(Status::parse(&row.status), Status::Active | Status::Pending) {
            return Err(DomainError::Conflict(format!(
                "this subscription is {}; only active or pending ones can be withdrawn",
                row.status
            )));
        }
        let reason = note(reason);
        let txn = crate::txn::begin_write(&self.db).await?;
        remove_from_keys(&txn, row.user_id, row.model_id).await?;
        let row = transition(&txn, row, Status::Denied, admin, reason).await?;
        txn.commit().await?;
        Ok(row)
    }

    /// Asks administrators to look again at a denied subscription.
    #[tracing::instrument(skip(self, message), err)]
    pub async fn request_review(
        &self,
        user: Uuid,
        id: Uuid,
        message: Option<String>,
    ) -> Result<subscription::Model, DomainError> {
        let row = self.own(user, id).await?;
        if Status::parse(&row.status) != Status::Denied {
            return Err(DomainError::Conflict(
                "only a denied subscription can be reviewed".into(),
            ));
        }
        let message = message.map(|m| m.trim().chars().take(1_000).collect::<String>());
        let txn = crate::txn::begin_write(&self.db).await?;
        let row = transition(&txn, row, Status::Pending, Some(user), message).await?;
        txn.commit().await?;
        Ok(row)
    }

    /// The users with `ids` (the subscribers a list shows).
    pub async fn subscribers(&self, ids: &[Uuid]) -> Result<Vec<entity::user::Model>, DomainError> {
        Ok(entity::user::Entity::find()
            .filter(entity::user::Column::Id.is_in(ids.iter().copied()))
            .all(&self.db)
            .await?)
    }

    /// The admin queue, newest first.
    pub async fn queue(
        &self,
        filter: &QueueFilter,
    ) -> Result<Vec<subscription::Model>, DomainError> {
        let mut query = subscription::Entity::find().order_by_desc(subscription::Column::UpdatedAt);
        if let Some(status) = filter.status {
            query = query.filter(subscription::Column::Status.eq(status.as_str()));
        }
        if let Some(model) = filter.model_id {
            query = query.filter(subscription::Column::ModelId.eq(model));
        }
        if let Some(user) = filter.user_id {
            query = query.filter(subscription::Column::UserId.eq(user));
        }
        if let Some(text) = filter.user_search.as_deref() {
            let users = entity::user::Entity::find()
                .select_only()
                .column(entity::user::Column::Id)
                .filter(crate::users::matching(text))
                .into_query();
            query = query.filter(subscription::Column::UserId.in_subquery(users));
        }
        if let Some(since) = filter.since {
            query = query.filter(subscription::Column::UpdatedAt.gte(since));
        }
        if let Some(until) = filter.until {
            query = query.filter(subscription::Column::UpdatedAt.lt(until));
        }
        Ok(query.all(&self.db).await?)
    }

    /// An administrator's decision on pending subscriptions: approve (`reason` optional) or
    /// deny (`reason` required). All or nothing: one that is not pending fails the batch.
    #[tracing::instrument(skip(self, reason), err)]
    pub async fn decide(
        &self,
        admin: Option<Uuid>,
        ids: &[Uuid],
        approve: bool,
        reason: Option<String>,
    ) -> Result<Vec<subscription::Model>, DomainError> {
        let reason = reason
            .map(|r| r.trim().to_owned())
            .filter(|r| !r.is_empty());
        if !approve && reason.is_none() {
            return Err(DomainError::BadInput(
                "a denial needs a reason the user will see".into(),
            ));
        }
        if ids.is_empty() {
            return Err(DomainError::BadInput("no subscriptions given".into()));
        }
        let txn = crate::txn::begin_write(&self.db).await?;
        let rows = subscription::Entity::find()
            .filter(subscription::Column::Id.is_in(ids.to_vec()))
            .all(&txn)
            .await?;
        if rows.len() != ids.len() {
            return Err(DomainError::NotFound(
                "some of these subscriptions do not exist".into(),
            ));
        }
        let mut decided = Vec::with_capacity(rows.len());
        for row in rows {
            if Status::parse(&row.status) != Status::Pending {
                return Err(DomainError::Conflict(format!(
                    "subscription {} is {}, not pending; nothing was changed",
                    row.id, row.status
                )));
            }
            let to = if approve {
                Status::Active
            } else {
                Status::Denied
            };
            decided.push(transition(&txn, row, to, admin, reason.clone()).await?);
        }
        txn.commit().await?;
        Ok(decided)
    }

    /// Undoes an administrator's decision: an approved or denied subscription is pending again
    /// (an approval undone also takes the model off the user's keys).
    #[tracing::instrument(skip(self, reason), err)]
    pub async fn revert(
        &self,
        admin: Option<Uuid>,
        id: Uuid,
        reason: Option<String>,
    ) -> Result<subscription::Model, DomainError> {
        let row = subscription::Entity::find_by_id(id)
            .one(&self.db)
            .await?
            .ok_or_else(|| DomainError::NotFound("no such subscription".into()))?;
        let status = Status::parse(&row.status);
        if !matches!(status, Status::Active | Status::Denied) {
            return Err(DomainError::Conflict(format!(
                "subscription {} is {}; only approved or denied ones can be reverted",
                row.id, row.status
            )));
        }
        let txn = crate::txn::begin_write(&self.db).await?;
        if status == Status::Active {
            remove_from_keys(&txn, row.user_id, row.model_id).await?;
        }
        let row = transition(&txn, row, Status::Pending, admin, reason).await?;
        txn.commit().await?;
        Ok(row)
    }

    /// Restricts or opens a model. Restricting moves its active subscriptions to pending and
    /// takes it off their keys; opening approves the pending ones.
    #[tracing::instrument(skip(self), err)]
    pub async fn set_restricted(
        &self,
        admin: Option<Uuid>,
        model_id: Uuid,
        restricted: bool,
    ) -> Result<model::Model, DomainError> {
        let model = self.model(model_id).await?;
        if model.restricted == restricted {
            return Ok(model);
        }
        let (from, to, why) = if restricted {
            (
                Status::Active,
                Status::Pending,
                "the model became restricted",
            )
        } else {
            (
                Status::Pending,
                Status::Active,
                "the model is no longer restricted",
            )
        };
        let txn = crate::txn::begin_write(&self.db).await?;
        let affected = subscription::Entity::find()
            .filter(subscription::Column::ModelId.eq(model_id))
            .filter(subscription::Column::Status.eq(from.as_str()))
            .all(&txn)
            .await?;
        for row in affected {
            if restricted {
                remove_from_keys(&txn, row.user_id, model_id).await?;
            }
            transition(&txn, row, to, admin, Some(why.to_owned())).await?;
        }
        let mut changed = model.into_active_model();
        changed.restricted = Set(restricted);
        changed.updated_at = Set(Utc::now());
        let model = changed.update(&txn).await?;
        crate::catalog::bump_version(&txn).await?;
        txn.commit().await?;
        Ok(model)
    }

    /// The histories of these subscriptions (one query), each oldest first.
    pub async fn histories(
        &self,
        ids: &[Uuid],
    ) -> Result<std::collections::HashMap<Uuid, Vec<event::Model>>, DomainError> {
        let mut by_subscription: std::collections::HashMap<Uuid, Vec<event::Model>> =
            std::collections::HashMap::new();
        for row in event::Entity::find()
            .filter(event::Column::SubscriptionId.is_in(ids.to_vec()))
            .order_by_asc(event::Column::Id)
            .all(&self.db)
            .await?
        {
            by_subscription
                .entry(row.subscription_id)
                .or_default()
                .push(row);
        }
        Ok(by_subscription)
    }
}
