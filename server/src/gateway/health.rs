//! Background health checks: every deployment's `/health` is probed on an interval, and
//! routing prefers deployments whose last check passed.

use std::sync::Arc;
use std::time::Duration;

use super::balancer::now_ms;
use super::registry::Registry;
use crate::metrics::{DeploymentLabels, Metrics};

/// How long one probe may take.
const PROBE_TIMEOUT: Duration = Duration::from_secs(5);

/// Probes every deployment every `every` (never, when zero).
pub fn spawn(
    registry: Arc<Registry>,
    client: reqwest::Client,
    metrics: Arc<Metrics>,
    every: Duration,
) {
    if every.is_zero() {
        return;
    }
    tokio::spawn(async move {
        let mut ticker = tokio::time::interval(every);
        ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            ticker.tick().await;
            let snapshot = registry.snapshot();
            let probes = snapshot.models.values().flat_map(|model| {
                model.deployments.iter().map(|deployment| {
                    let client = client.clone();
                    let deployment = deployment.clone();
                    let metrics = metrics.clone();
                    let labels = DeploymentLabels {
                        model: model.name.clone(),
                        cluster: deployment.cluster.clone(),
                        model_id: deployment.id.to_string(),
                    };
                    async move {
                        let url = format!("{}/health", deployment.origin);
                        let healthy = client
                            .get(url)
                            .timeout(PROBE_TIMEOUT)
                            .send()
                            .await
                            .is_ok_and(|r| r.status().is_success());
                        if healthy != deployment.state.is_healthy() {
                            tracing::info!(cluster = %deployment.cluster, deployment = %deployment.id,
                                           healthy, "deployment health changed");
                        }
                        deployment.state.set_healthy(healthy);
                        let state = match (healthy, deployment.state.cooling(now_ms())) {
                            (false, _) => 2,
                            (true, true) => 1,
                            (true, false) => 0,
                        };
                        metrics.deployment_state.get_or_create(&labels).set(state);
                    }
                })
            });
            futures::future::join_all(probes).await;
        }
    });
}
