//! Live spend: every settled request, pushed to GraphQL subscribers within a second whichever
//! replica served it. The server publishes into the [`LiveHub`] (its own requests directly,
//! other replicas' through Redis pub/sub); subscribers see the updates they may see.

use std::sync::Arc;

use async_graphql::{Context, ErrorExtensions, ID, SimpleObject, Subscription};
use chrono::{DateTime, Utc};
use futures::{Stream, StreamExt};
use serde::{Deserialize, Serialize};
use tokio::sync::broadcast;
use tokio_stream::wrappers::BroadcastStream;

use crate::DomainError;
use crate::access::{Needs, Permission, caller};

/// Updates a slow subscriber may fall behind by before it skips ahead.
const BACKLOG: usize = 4_096;

/// One settled request.
#[derive(SimpleObject, Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct SpendUpdate {
    /// The request's id (`x-request-id`).
    pub request_id: String,
    /// The key that paid (null for the master key).
    pub key_id: Option<ID>,
    /// The key's owner.
    pub user_id: Option<ID>,
    pub model: String,
    pub prompt_tokens: i64,
    pub completion_tokens: i64,
    /// Whether the tokens were estimated (the model server reported none).
    pub estimated: bool,
    /// What the request cost (currency).
    pub cost: f64,
    /// `success`, `failure` or `cancelled`.
    pub status: String,
    pub http_status: i32,
    #[serde(serialize_with = "crate::rfc3339::serialize")]
    pub at: DateTime<Utc>,
}

/// Whose budget an alert is about.
#[derive(async_graphql::Enum, Serialize, Deserialize, Copy, Clone, Debug, PartialEq, Eq)]
pub enum BudgetSubject {
    Key,
    User,
}

/// Which line was crossed.
#[derive(async_graphql::Enum, Serialize, Deserialize, Copy, Clone, Debug, PartialEq, Eq)]
pub enum BudgetThreshold {
    /// The soft budget (a warning the owner asked for).
    Soft,
    /// 80% of the maximum.
    Percent80,
    /// The whole budget: further requests are refused until it resets.
    Percent100,
}

/// A key or user crossed a line of its budget.
#[derive(SimpleObject, Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct BudgetAlert {
    pub subject: BudgetSubject,
    pub threshold: BudgetThreshold,
    /// The key, for key budgets.
    pub key_id: Option<ID>,
    /// The key's owner, or the user whose budget it is.
    pub user_id: Option<ID>,
    /// Spend in the current window when the line was crossed (currency).
    pub spend: f64,
    pub max_budget: f64,
    pub soft_budget: Option<f64>,
    pub at: DateTime<Utc>,
}

/// The in-process fan-out of spend updates and budget alerts.
#[derive(Clone)]
pub struct LiveHub {
    sender: broadcast::Sender<Arc<SpendUpdate>>,
    alerts: broadcast::Sender<Arc<BudgetAlert>>,
}

impl Default for LiveHub {
    fn default() -> Self {
        Self::new()
    }
}

impl LiveHub {
    /// An empty hub.
    pub fn new() -> Self {
        let (sender, _) = broadcast::channel(BACKLOG);
        let (alerts, _) = broadcast::channel(BACKLOG);
        Self { sender, alerts }
    }

    /// Hands a budget alert to every subscriber on this replica.
    pub fn alert(&self, alert: Arc<BudgetAlert>) {
        let _ = self.alerts.send(alert);
    }

    /// Whether anyone on this replica is listening (so updates need not be built otherwise).
    pub fn has_subscribers(&self) -> bool {
        self.sender.receiver_count() > 0
    }

    /// Whether anyone on this replica is listening to updates or to alerts.
    pub fn is_watched(&self) -> bool {
        self.has_subscribers() || self.alerts.receiver_count() > 0
    }

    /// Hands an update to every subscriber on this replica.
    pub fn publish(&self, update: Arc<SpendUpdate>) {
        // No receivers is not an error: nobody is watching right now.
        let _ = self.sender.send(update);
    }

    fn subscribe(&self) -> broadcast::Receiver<Arc<SpendUpdate>> {
        self.sender.subscribe()
    }
}

use crate::convert::id as parse;

/// The one user a live feed is restricted to: mine for users (who may not ask for another),
/// the one asked for (or everyone, `None`) for administrators.
fn watched_user(ctx: &Context<'_>, user_id: Option<&ID>) -> Result<Option<String>, DomainError> {
    let caller = caller(ctx);
    if caller.permissions().contains(&Permission::ReadAll) {
        return Ok(user_id.map(parse).transpose()?.map(|id| id.to_string()));
    }
    let me = caller.require_user(Permission::ReadOwn)?;
    if user_id.is_some_and(|w| parse(w).ok() != Some(me)) {
        return Err(DomainError::Forbidden(
            "only administrators may watch other people's spend".into(),
        ));
    }
    Ok(Some(me.to_string()))
}

fn is_user(only: Option<&String>, user: Option<&ID>) -> bool {
    only.is_none_or(|u| user.is_some_and(|id| id.0 == *u))
}

/// Live feeds of spend.
#[derive(Default)]
pub struct LiveSubscription;

#[Subscription]
impl LiveSubscription {
    /// Every settled request of my keys; administrators see everyone's, or one user's
    /// (`userId`) or one model's (`model`).
    #[graphql(guard = "Needs(Permission::ReadOwn)")]
    async fn spend_updates(
        &self,
        ctx: &Context<'_>,
        user_id: Option<ID>,
        model: Option<String>,
    ) -> async_graphql::Result<impl Stream<Item = SpendUpdate> + use<>> {
        let caller = caller(ctx);
        let admin = caller.permissions().contains(&Permission::ReadAll);
        let only_user = match (admin, user_id) {
            (true, wanted) => wanted
                .as_ref()
                .map(parse)
                .transpose()
                .map_err(|e| e.extend())?,
            (false, wanted) => {
                let me = caller
                    .require_user(Permission::ReadOwn)
                    .map_err(|e| e.extend())?;
                if wanted.as_ref().is_some_and(|w| parse(w).ok() != Some(me)) {
                    return Err(DomainError::Forbidden(
                        "only administrators may watch other people's spend".into(),
                    )
                    .extend());
                }
                Some(me)
            }
        };
        let only_user = only_user.map(|id| id.to_string());
        let hub = ctx.data::<LiveHub>()?;
        let stream = BroadcastStream::new(hub.subscribe()).filter_map(move |item| {
            let wanted = match item {
                Ok(update) => {
                    let user_ok = is_user(only_user.as_ref(), update.user_id.as_ref());
                    let model_ok = model.as_ref().is_none_or(|m| update.model == *m);
                    (user_ok && model_ok).then(|| (*update).clone())
                }
                // Fell behind: the skipped updates are gone for this subscriber.
                Err(_) => None,
            };
            std::future::ready(wanted)
        });
        Ok(stream)
    }

    /// Budget lines crossed by my keys and me (soft budget, 80% and 100% of the maximum);
    /// administrators see everyone's, or one user's (`userId`).
    #[graphql(guard = "Needs(Permission::ReadOwn)")]
    async fn budget_alerts(
        &self,
        ctx: &Context<'_>,
        user_id: Option<ID>,
    ) -> async_graphql::Result<impl Stream<Item = BudgetAlert> + use<>> {
        let only_user = watched_user(ctx, user_id.as_ref()).map_err(|e| e.extend())?;
        let hub = ctx.data::<LiveHub>()?;
        let stream = BroadcastStream::new(hub.alerts.subscribe()).filter_map(move |item| {
            let wanted = match item {
                Ok(alert) => {
                    is_user(only_user.as_ref(), alert.user_id.as_ref()).then(|| (*alert).clone())
                }
                Err(_) => None,
            };
            std::future::ready(wanted)
        });
        Ok(stream)
    }
}
