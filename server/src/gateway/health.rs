//! Background health checks: every deployment's `/health` is probed on an interval, and
//! routing prefers deployments whose last check passed. A deployment is up when its server
//! answers without a server error: a 404 from a server with no `/health` there (OpenVINO
//! Model Server under `/v3`) still says it runs; no answer, a timeout or a 5xx is down.

use std::time::Duration;

use super::deployment::now_ms;
use super::registry::Registry;
use crate::metrics::{DeploymentLabels, Metrics};

/// How long one probe may take.
const PROBE_TIMEOUT: Duration = Duration::from_secs(5);

/// Probes every deployment once, concurrently, and records the results.
pub async fn probe_all(registry: &Registry, client: &reqwest::Client, metrics: &Metrics) {
    let snapshot = registry.snapshot();
    let probes = snapshot.models.values().flat_map(|model| {
        model.deployments.iter().map(move |deployment| {
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
                    .is_ok_and(|r| !r.status().is_server_error());
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
