//! Live spend across replicas: each settled request goes to this replica's subscribers at
//! once and, with Redis, to every other replica through one pub/sub channel (batched every
//! 100 ms), so a subscriber sees every request within a second whichever replica served it.

use std::sync::Arc;
use std::time::Duration;

use futures::StreamExt;
use schema::live::{BudgetAlert, BudgetSubject, BudgetThreshold, LiveHub, SpendUpdate};
use serde::{Deserialize, Serialize};
use tokio::sync::mpsc;
use uuid::Uuid;

use super::SpendEvent;
use crate::quota::{self, AlertSink, BudgetCrossing};

/// The pub/sub channel every replica publishes to and listens on.
const CHANNEL: &str = "switchyard:spend";
/// How often a replica publishes what it settled.
const BATCH_EVERY: Duration = Duration::from_millis(100);
/// Updates waiting for Redis before new ones are dropped (Redis down a long time).
const QUEUE: usize = 65_536;

/// One replica's batch on the channel.
#[derive(Serialize, Deserialize)]
struct Batch {
    replica: Uuid,
    updates: Vec<SpendUpdate>,
    #[serde(default)]
    alerts: Vec<BudgetAlert>,
}

/// What goes out to the other replicas.
enum Outgoing {
    Update(SpendUpdate),
    Alert(BudgetAlert),
}

/// The publishing side, held by the gateway (spend) and the quota engine (alerts).
pub struct LiveFeed {
    hub: LiveHub,
    to_redis: Option<mpsc::Sender<Outgoing>>,
}

fn update_of(event: &SpendEvent) -> SpendUpdate {
    let tokens = |n: u64| i64::try_from(n).unwrap_or(i64::MAX);
    SpendUpdate {
        request_id: event.request_id.clone(),
        key_id: event.key_id.map(|id| async_graphql::ID(id.to_string())),
        user_id: event.user_id.map(|id| async_graphql::ID(id.to_string())),
        model: event.model.clone(),
        prompt_tokens: tokens(event.prompt_tokens),
        completion_tokens: tokens(event.completion_tokens),
        estimated: event.estimated,
        cost: event.cost_nanos as f64 / 1e9,
        status: event.outcome.as_str().to_owned(),
        http_status: i32::from(event.http_status),
        at: event.ended_at,
    }
}

/// The GraphQL alert for a budget line the quota engine saw crossed.
fn alert_of(crossing: &BudgetCrossing) -> BudgetAlert {
    let units = |nanos: i64| nanos as f64 / 1e9;
    let id = |id: Uuid| async_graphql::ID(id.to_string());
    BudgetAlert {
        subject: match crossing.subject {
            quota::Subject::Key => BudgetSubject::Key,
            quota::Subject::User => BudgetSubject::User,
        },
        threshold: match crossing.threshold {
            quota::Threshold::Soft => BudgetThreshold::Soft,
            quota::Threshold::Percent80 => BudgetThreshold::Percent80,
            quota::Threshold::Percent100 => BudgetThreshold::Percent100,
        },
        key_id: crossing.key_id.map(id),
        user_id: crossing.user_id.map(id),
        spend: units(crossing.spent_nanos),
        max_budget: units(crossing.max_nanos),
        soft_budget: crossing.soft_nanos.map(units),
        at: crossing.at,
    }
}

impl LiveFeed {
    /// A feed into `hub`, shared through `redis` when one is configured.
    pub fn start(hub: LiveHub, redis: Option<redis::Client>) -> Arc<Self> {
        let replica = Uuid::new_v4();
        let to_redis = redis.map(|client| {
            let (tx, rx) = mpsc::channel(QUEUE);
            tokio::spawn(publish_batches(client.clone(), replica, rx));
            tokio::spawn(listen(client, replica, hub.clone()));
            tx
        });
        Arc::new(Self { hub, to_redis })
    }

    /// Publishes one settled request (cheap when nobody anywhere can be listening).
    pub fn publish(&self, event: &SpendEvent) {
        let local = self.hub.has_subscribers();
        if !local && self.to_redis.is_none() {
            return;
        }
        let update = update_of(event);
        if let Some(tx) = &self.to_redis {
            // Full means Redis has been away a long while: live views miss these updates,
            // the ledger still records them.
            let _ = tx.try_send(Outgoing::Update(update.clone()));
        }
        if local {
            self.hub.publish(Arc::new(update));
        }
    }
}

impl AlertSink for LiveFeed {
    /// Publishes a budget alert to every replica's subscribers.
    fn alert(&self, crossing: BudgetCrossing) {
        let alert = alert_of(&crossing);
        if let Some(tx) = &self.to_redis {
            let _ = tx.try_send(Outgoing::Alert(alert.clone()));
        }
        self.hub.alert(Arc::new(alert));
    }
}

/// Sends this replica's updates and alerts to the channel, one message per batch.
async fn publish_batches(client: redis::Client, replica: Uuid, mut rx: mpsc::Receiver<Outgoing>) {
    let mut connection = None;
    let mut ticker = tokio::time::interval(BATCH_EVERY);
    let mut pending = Batch {
        replica,
        updates: Vec::new(),
        alerts: Vec::new(),
    };
    loop {
        ticker.tick().await;
        while let Ok(outgoing) = rx.try_recv() {
            match outgoing {
                Outgoing::Update(update) => pending.updates.push(update),
                Outgoing::Alert(alert) => pending.alerts.push(alert),
            }
        }
        let empty = pending.updates.is_empty() && pending.alerts.is_empty();
        if rx.is_closed() && empty {
            return;
        }
        if empty {
            continue;
        }
        if connection.is_none() {
            connection = client.get_multiplexed_async_connection().await.ok();
        }
        let Some(conn) = connection.as_mut() else {
            continue;
        };
        let Ok(message) = serde_json::to_string(&pending) else {
            pending.updates.clear();
            pending.alerts.clear();
            continue;
        };
        let sent: Result<i64, redis::RedisError> = redis::cmd("PUBLISH")
            .arg(CHANNEL)
            .arg(message)
            .query_async(conn)
            .await;
        match sent {
            Ok(_) => {
                pending.updates.clear();
                pending.alerts.clear();
            }
            Err(error) => {
                tracing::warn!(%error, "cannot publish live spend to redis; reconnecting");
                connection = None;
            }
        }
    }
}

/// How a batch `replica` published begins on the channel: its first member.
fn published_by(replica: Uuid) -> String {
    format!("{{\"replica\":\"{replica}\"")
}

/// Receives other replicas' batches and hands them to this replica's subscribers;
/// reconnects every second while Redis is away. A batch is parsed only when someone here is
/// watching and another replica sent it: this replica's own batches come back on the channel
/// too, and parsing them cost as much as writing them.
async fn listen(client: redis::Client, replica: Uuid, hub: LiveHub) {
    let own = published_by(replica);
    loop {
        match client.get_async_pubsub().await {
            Ok(mut pubsub) => {
                if let Err(error) = pubsub.subscribe(CHANNEL).await {
                    tracing::warn!(%error, "cannot subscribe to live spend");
                } else {
                    let mut messages = pubsub.on_message();
                    while let Some(message) = messages.next().await {
                        let payload = message.get_payload_bytes();
                        if !hub.is_watched() || payload.starts_with(own.as_bytes()) {
                            continue;
                        }
                        let Ok(batch) = serde_json::from_slice::<Batch>(payload) else {
                            continue;
                        };
                        if batch.replica == replica {
                            continue;
                        }
                        for alert in batch.alerts {
                            hub.alert(Arc::new(alert));
                        }
                        if !hub.has_subscribers() {
                            continue;
                        }
                        for update in batch.updates {
                            hub.publish(Arc::new(update));
                        }
                    }
                    tracing::warn!("live spend subscription ended; reconnecting");
                }
            }
            Err(error) => tracing::debug!(%error, "redis unavailable for live spend"),
        }
        tokio::time::sleep(Duration::from_secs(1)).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_replicas_batches_begin_as_it_looks_for_them() {
        let replica = Uuid::new_v4();
        let batch = Batch {
            replica,
            updates: Vec::new(),
            alerts: Vec::new(),
        };
        let written = serde_json::to_string(&batch).unwrap();
        assert!(written.starts_with(&published_by(replica)), "{written}");
        assert!(!written.starts_with(&published_by(Uuid::new_v4())));
    }
}
