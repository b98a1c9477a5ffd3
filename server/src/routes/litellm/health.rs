//! `GET /health` (master key): every deployment, sorted into healthy and unhealthy by the
//! background health checks and cooldowns; `?model=` narrows it to one model.

use axum::Json;
use axum::extract::{Query, State};
use serde::Deserialize;
use serde_json::json;

use super::Reply;
use crate::error::ApiError;
use crate::gateway::deployment::now_ms;
use crate::state::AppState;

/// Query of `/health`.
#[derive(Debug, Deserialize)]
pub struct HealthQuery {
    model: Option<String>,
}

/// `GET /health` and `/health?model=`.
pub async fn health(State(state): State<AppState>, Query(query): Query<HealthQuery>) -> Reply {
    let snapshot = state.gateway.registry.snapshot();
    if let Some(name) = &query.model
        && !snapshot.models.contains_key(name)
    {
        return Err(ApiError::NotFound(format!("model `{name}` does not exist")));
    }
    let now = now_ms();
    let (mut healthy, mut unhealthy) = (Vec::new(), Vec::new());
    for model in snapshot.models.values() {
        if query.model.as_ref().is_some_and(|name| *name != model.name) {
            continue;
        }
        for deployment in &model.deployments {
            let entry = json!({
                "model": format!("{}/{}", model.provider, deployment.backend_model),
                "model_name": model.name,
                "api_base": deployment.base,
                "cluster": deployment.cluster,
                "model_id": deployment.id,
            });
            if deployment.state.is_healthy() && !deployment.state.cooling(now) {
                healthy.push(entry);
            } else {
                unhealthy.push(entry);
            }
        }
    }
    Ok(Json(json!({
        "healthy_count": healthy.len(),
        "unhealthy_count": unhealthy.len(),
        "healthy_endpoints": healthy,
        "unhealthy_endpoints": unhealthy,
    })))
}
