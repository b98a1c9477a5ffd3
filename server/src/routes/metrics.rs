//! `GET /metrics`: the Prometheus scrape endpoint. On the main listener it answers the master
//! key or `metrics.token` only (its series name models, clusters and, when asked, keys and
//! their owners); on the metrics listener (`metrics.listen`, the deployment's metrics port,
//! reached by the cluster's Prometheus) it answers without a credential.

use axum::extract::State;
use axum::http::{HeaderMap, header};
use axum::response::{IntoResponse, Response};
use schema::secret::sha256;
use secrecy::ExposeSecret;

use super::Client;
use crate::error::ApiError;
use crate::state::AppState;

/// The Prometheus text format.
fn exposition(state: &AppState) -> Response {
    let body = state.gateway.metrics.render();
    (
        [(
            header::CONTENT_TYPE,
            "text/plain; version=0.0.4; charset=utf-8",
        )],
        body,
    )
        .into_response()
}

/// Whether the request presents `metrics.token`.
fn has_token(state: &AppState, headers: &HeaderMap) -> bool {
    let Some(token) = &state.config.metrics.token else {
        return false;
    };
    crate::gateway::auth::presented_key(headers)
        .is_some_and(|presented| sha256(presented) == sha256(token.expose_secret()))
}

/// `GET /metrics` on the main listener.
pub async fn metrics(
    State(state): State<AppState>,
    Client(client): Client,
    headers: HeaderMap,
) -> Response {
    if state.config.metrics.listen.is_some() {
        return ApiError::NotFound(
            "metrics are served on the metrics listener (metrics.listen)".into(),
        )
        .into_response();
    }
    if !has_token(&state, &headers)
        && let Err(refused) = state.gateway.auth.require_master(&headers, client).await
    {
        return refused.into_response();
    }
    exposition(&state)
}

/// `GET /metrics` on the metrics listener.
pub async fn scrape(State(state): State<AppState>) -> Response {
    exposition(&state)
}
