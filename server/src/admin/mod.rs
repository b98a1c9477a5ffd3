//! The LiteLLM-compatible admin REST API (`../shared/contracts/litellm-admin.md`), so the
//! provisioning automation that already exists keeps working with only the URL changed.
//! Every route here needs the master key, except `/key/info` for a key's own information.

mod audit;
mod health;
mod keys;
mod lenient;
mod models;
mod spend;
mod users;

use axum::Router;
use axum::routing::{get, post};

use crate::state::AppState;

/// The admin routes.
pub fn routes(state: AppState) -> Router<AppState> {
    Router::new()
        .route("/key/generate", post(keys::generate))
        .route("/key/list", get(keys::list))
        .route("/key/info", get(keys::info))
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
        .layer(axum::middleware::from_fn_with_state(state, audit::record))
}
