//! The HTTP router: every route, and the layers around them (request ids, tracing,
//! compression). Public routes are listed here and nowhere else.

use std::time::Duration;

use axum::Router;
use axum::extract::{MatchedPath, Request};
use axum::http::HeaderName;
use axum::middleware::map_response;
use axum::response::Response;
use axum::routing::get;
use tower::ServiceBuilder;
use tower_http::compression::CompressionLayer;
use tower_http::request_id::{
    MakeRequestId, PropagateRequestIdLayer, RequestId, SetRequestIdLayer,
};
use tower_http::trace::TraceLayer;

use crate::identity;
use crate::routes::security::SecurityHeaders;
use crate::routes::{branding, graphql, health, spa, usage};
use crate::state::AppState;

/// The header that carries the request id, set when the client sent none.
pub const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// Builds the application router over `state`.
pub fn build(state: AppState) -> Router {
    let static_dir = state.config.static_dir.clone();
    let security = SecurityHeaders::new(&static_dir, state.config.auth.https());
    let spa = get(move |uri| spa::serve(static_dir.clone(), uri));

    Router::new()
        .route("/health/liveliness", get(health::liveness))
        .route("/health/liveness", get(health::liveness))
        .route("/health/livenessz", get(health::liveness))
        .route("/health/readiness", get(health::readiness))
        .route("/graphql", get(graphql::graphiql).post(graphql::execute))
        .route("/graphql/ws", get(graphql::websocket))
        .route("/usage.csv", get(usage::export))
        .route("/branding/logo/{slot}", get(branding::logo))
        .route("/auth/login", get(identity::routes::login))
        .route("/auth/callback", get(identity::routes::callback))
        .merge(crate::gateway::routes())
        .merge(crate::admin::routes(state.clone()))
        .fallback(spa)
        .layer(map_response(move |response: Response| {
            let security = security.clone();
            async move { security.apply(response) }
        }))
        .with_state(state)
        .layer(
            ServiceBuilder::new()
                .layer(SetRequestIdLayer::new(REQUEST_ID, TimeOrderedId))
                .layer(TraceLayer::new_for_http().make_span_with(request_span))
                .layer(PropagateRequestIdLayer::new(REQUEST_ID))
                .layer(CompressionLayer::new()),
        )
}

/// Request ids made here are UUID v7: ordered by time, so the spend ledger's unique index on
/// them grows at its end instead of rewriting a random index page for every request.
#[derive(Debug, Clone, Copy)]
struct TimeOrderedId;

impl MakeRequestId for TimeOrderedId {
    fn make_request_id<B>(&mut self, _request: &axum::http::Request<B>) -> Option<RequestId> {
        let id = uuid::Uuid::now_v7().hyphenated().to_string();
        axum::http::HeaderValue::from_str(&id)
            .ok()
            .map(RequestId::new)
    }
}

/// The span of one request: method, matched route, path and request id; never headers or
/// bodies (so never `Authorization` or `Cookie`).
fn request_span(request: &Request) -> tracing::Span {
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map_or("-", MatchedPath::as_str);
    let request_id = request
        .headers()
        .get(&REQUEST_ID)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("-");
    tracing::info_span!(
        "request",
        method = %request.method(),
        route = %route,
        path = %request.uri().path(),
        request_id = %request_id,
    )
}

/// How long graceful shutdown waits before it gives up on open connections.
pub fn grace(seconds: u64) -> Duration {
    Duration::from_secs(seconds)
}
