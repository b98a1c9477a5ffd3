//! The HTTP routers: every route, and the layers around them (the request's envelope, see
//! `routes::envelope`, and compression everywhere but on the model-serving routes). Every
//! route is listed here; the admin REST group is listed in `routes::litellm` behind its one
//! master-key check and merged here. The metrics listener (`metrics.listen`) has a router of
//! its own: `/metrics` and the health probes.

use std::time::Duration;

use axum::Router;
use axum::routing::{any, get, post};
use tower_http::compression::CompressionLayer;
use tower_http::limit::RequestBodyLimitLayer;

use crate::routes::envelope::EnvelopeLayer;
use crate::routes::security::SecurityHeaders;
use crate::routes::{
    audit_csv, auth, branding, graphql, health, litellm, metrics, spa, usage_csv, v1,
};
use crate::state::AppState;

/// Builds the application router over `state`.
pub fn build(state: AppState) -> Router {
    let static_dir = state.config.static_dir.clone();
    let security = SecurityHeaders::new(&static_dir, state.config.auth.https());
    let spa = any(move |method, headers, uri| spa::serve(static_dir.clone(), method, headers, uri));
    let traced = state.config.tracing.enabled();

    // The model-serving routes answer as the model server did, uncompressed: a gzip stream
    // per answer cost a chat completion seven times the CPU of relaying it, and the OpenAI
    // SDK asks for gzip on every request (BENCHMARKS.md, "Model answers relayed
    // uncompressed").
    let mut gateway = Router::new();
    // The OpenAI-compatible gateway, with and without the `/v1` prefix.
    for prefix in ["/v1", ""] {
        gateway = gateway
            .route(&format!("{prefix}/chat/completions"), post(v1::chat))
            .route(&format!("{prefix}/completions"), post(v1::completions))
            .route(&format!("{prefix}/embeddings"), post(v1::embeddings))
            .route(&format!("{prefix}/tokenize"), post(v1::tokenize))
            .route(&format!("{prefix}/detokenize"), post(v1::detokenize))
            .route(&format!("{prefix}/rerank"), post(v1::rerank))
            .route(&format!("{prefix}/score"), post(v1::score))
            .route(&format!("{prefix}/responses"), post(v1::responses))
            .route(&format!("{prefix}/messages"), post(v1::messages))
            .route(
                &format!("{prefix}/audio/transcriptions"),
                post(v1::transcriptions),
            )
            .route(
                &format!("{prefix}/audio/translations"),
                post(v1::translations),
            )
            .route(
                &format!("{prefix}/messages/count_tokens"),
                post(v1::count_message_tokens),
            )
            .route(&format!("{prefix}/models"), get(v1::list_models))
            .route(&format!("{prefix}/models/{{*id}}"), get(v1::get_model));
    }
    let gateway = gateway
        .route("/v2/rerank", post(v1::rerank))
        .route("/docling/{version}/convert/{kind}", post(v1::convert));
    Router::new()
        .route("/metrics", get(metrics::metrics))
        .merge(health_routes())
        .route(
            "/graphql",
            get(graphql::graphiql)
                .post(graphql::execute)
                .layer(RequestBodyLimitLayer::new(graphql::MAX_BODY)),
        )
        .route("/graphql/ws", get(graphql::websocket))
        .route("/usage.csv", get(usage_csv::export))
        .route("/audit.csv", get(audit_csv::export))
        .route("/branding/logo/{slot}", get(branding::logo))
        .route("/auth/login", get(auth::login))
        .route("/auth/callback", get(auth::callback))
        .merge(litellm::routes(state.clone()))
        .fallback(spa)
        // The portal's pages, GraphQL, exports and the admin REST are compressed for clients
        // that ask; the SPA's files come compressed ahead of time (`routes::spa`).
        .layer(CompressionLayer::new())
        .merge(gateway)
        .with_state(state)
        .layer(EnvelopeLayer::new(security, traced))
}

/// The health probes, on both listeners.
fn health_routes() -> Router<AppState> {
    Router::new()
        .route("/health/liveliness", get(health::liveness))
        .route("/health/liveness", get(health::liveness))
        .route("/health/livenessz", get(health::liveness))
        .route("/health/readiness", get(health::readiness))
}

/// The metrics listener's router (`metrics.listen`): `/metrics` without a credential, and the
/// health probes, apart from the main listener so that scrapes and probes are answered even
/// when it is at its connection cap.
pub fn build_metrics(state: AppState) -> Router {
    Router::new()
        .route("/metrics", get(metrics::scrape))
        .merge(health_routes())
        .with_state(state)
}

/// How long graceful shutdown waits before it gives up on open connections.
pub fn grace(seconds: u64) -> Duration {
    Duration::from_secs(seconds)
}
