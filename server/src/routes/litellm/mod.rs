//! The LiteLLM-compatible admin REST API (`../shared/contracts/litellm-admin.md`), so the
//! provisioning automation that already exists keeps working with only the URL changed.
//! Every route here needs the master key (one check on the whole group), except `/key/info`
//! for a key's own information. Switchyard's own `POST /admin/reload` sits in the same group.
//! Changes are audited once the master key has been checked, refused ones included.

mod audit;
mod guardrails;
mod health;
mod keys;
mod lenient;
pub(crate) mod models;
mod spend;
mod users;

use axum::extract::{Request, State};
use axum::middleware::{Next, from_fn_with_state};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};

use serde_json::Value;

use crate::error::ApiError;
use crate::state::AppState;

/// What every admin handler answers: a JSON body, or the LiteLLM-shaped error envelope.
pub type Reply = Result<Json<Value>, ApiError>;

/// The admin routes: deny by default. Every route is the master key's, checked once for the
/// whole group before any handler runs (or reads a body); the one exception, a key reading its
/// own information, is listed apart and checks its caller itself.
pub fn routes(state: AppState) -> Router<AppState> {
    let master_only = Router::new()
        .route("/key/generate", post(keys::generate))
        .route("/key/list", get(keys::list))
        .route("/key/update", post(keys::update))
        .route("/key/delete", post(keys::delete).delete(keys::delete))
        .route("/key/block", post(keys::block))
        .route("/key/unblock", post(keys::unblock))
        .route("/key/regenerate", post(keys::regenerate))
        .route("/key/{key}/regenerate", post(keys::regenerate_path))
        .route("/model/new", post(models::create))
        .route("/model/info", get(models::info))
        .route("/v1/model/info", get(models::info))
        .route("/model/delete", post(models::delete))
        .route(
            "/model/{id}/update",
            post(models::update).patch(models::update),
        )
        .route("/user/new", post(users::create))
        .route("/user/info", get(users::info))
        .route("/user/update", post(users::update))
        .route("/spend/logs", get(spend::logs))
        .route("/global/spend", get(spend::global))
        .route("/health", get(health::health))
        .route("/guardrails/list", get(guardrails::list))
        .route("/v1/guardrails/list", get(guardrails::list))
        .route("/admin/reload", post(models::reload_config))
        // Route layers run last-added first: the master key is checked before the audit
        // layer reads a body.
        .route_layer(from_fn_with_state(state.clone(), audit::record))
        .route_layer(from_fn_with_state(state, require_master));
    // The exceptions: a virtual key may read its own information (the handler checks that
    // it reads no other key's); the master key reads any.
    let own_key = Router::new().route("/key/info", get(keys::info));
    master_only.merge(own_key)
}

/// Lets a request through only with the master key.
async fn require_master(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let client = state
        .clients
        .client(request.headers(), request.extensions());
    match state
        .gateway
        .auth
        .require_master(request.headers(), client)
        .await
    {
        Ok(()) => next.run(request).await,
        Err(error) => error.into_response(),
    }
}
