//! Liveness and readiness probes, shaped like LiteLLM's so existing probes keep working.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde::Serialize;

use crate::state::AppState;

/// The liveness answer: the process is up and serving HTTP.
pub async fn liveness() -> Json<&'static str> {
    Json("I'm alive!")
}

/// The readiness report (contract: `status`, `db`, `cache`, `litellm_version`).
#[derive(Debug, Serialize)]
pub struct Readiness {
    /// `healthy` when every configured dependency answers, `draining` from SIGTERM on (the
    /// server still answers open and new requests until its listener closes), else
    /// `unhealthy`.
    pub status: &'static str,
    /// `connected`, `disconnected`, or `not migrated` while migrations are pending.
    pub db: &'static str,
    /// `redis` when Redis is configured, else null.
    pub cache: Option<&'static str>,
    /// `connected` or `disconnected` when Redis is configured.
    pub cache_status: Option<&'static str>,
    /// The server version (under LiteLLM's name, for its callers).
    pub litellm_version: &'static str,
    /// The server version.
    pub switchyard_version: &'static str,
}

/// 200 when the database (and Redis, if configured) answer and the server is not shutting
/// down, else 503. Failures are logged with their cause; the response names only which
/// dependency failed.
pub async fn readiness(State(state): State<AppState>) -> (StatusCode, Json<Readiness>) {
    let db = match crate::db::ping(&state.db).await {
        Ok(()) if state.schema_ready() => "connected",
        Ok(()) => "not migrated",
        Err(error) => {
            tracing::warn!(database = %state.db_location, %error, "readiness: database unreachable");
            "disconnected"
        }
    };
    let cache_status = match &state.cache {
        None => None,
        Some(cache) => Some(match cache.ping().await {
            Ok(()) => "connected",
            Err(error) => {
                tracing::warn!(%error, "readiness: redis unreachable");
                "disconnected"
            }
        }),
    };
    let draining = state.draining();
    let healthy = db == "connected" && cache_status != Some("disconnected") && !draining;
    let report = Readiness {
        status: match (healthy, draining) {
            (true, _) => "healthy",
            (false, true) => "draining",
            (false, false) => "unhealthy",
        },
        db,
        cache: state.cache.as_ref().map(|_| "redis"),
        cache_status,
        litellm_version: crate::VERSION,
        switchyard_version: crate::VERSION,
    };
    let status = if healthy {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    (status, Json(report))
}
