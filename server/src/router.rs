//! The HTTP routers: every route, and the layers around them (request ids, tracing,
//! compression). Every route is listed here; the admin REST group is listed in
//! `routes::litellm` behind its one master-key check and merged here. The metrics listener
//! (`metrics.listen`) has a router of its own: `/metrics` and the health probes.

use std::time::Duration;

use axum::Router;
use axum::extract::{MatchedPath, Request};
use axum::middleware::{map_request, map_response};
use axum::response::Response;
use axum::routing::{any, get, post};
use tower::ServiceBuilder;
use tower_http::compression::CompressionLayer;
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::request_id::{
    MakeRequestId, PropagateRequestIdLayer, RequestId, SetRequestIdLayer,
};
use tower_http::trace::TraceLayer;

use crate::routes::security::SecurityHeaders;
use crate::routes::{
    CLIENT_REQUEST_ID, REQUEST_ID, audit_csv, auth, branding, graphql, health, litellm, metrics,
    spa, usage_csv, v1,
};
use crate::state::AppState;

/// Builds the application router over `state`.
pub fn build(state: AppState) -> Router {
    let static_dir = state.config.static_dir.clone();
    let security = SecurityHeaders::new(&static_dir, state.config.auth.https());
    let spa = any(move |method, headers, uri| spa::serve(static_dir.clone(), method, headers, uri));
    let traced = state.config.tracing.enabled();

    let mut router = Router::new();
    // The OpenAI-compatible gateway, with and without the `/v1` prefix.
    for prefix in ["/v1", ""] {
        router = router
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
    router
        .route("/v2/rerank", post(v1::rerank))
        .route("/docling/{version}/convert/{kind}", post(v1::convert))
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
        .layer(map_response(move |response: Response| {
            let security = security.clone();
            async move { security.apply(response) }
        }))
        .with_state(state)
        .layer(
            ServiceBuilder::new()
                .layer(map_request(set_aside_client_id))
                .layer(SetRequestIdLayer::new(REQUEST_ID, TimeOrderedId))
                .layer(
                    TraceLayer::new_for_http()
                        .make_span_with(move |request: &Request| request_span(request, traced)),
                )
                .layer(PropagateRequestIdLayer::new(REQUEST_ID))
                .layer(CompressionLayer::new()),
        )
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

/// The longest client request id kept for the logs.
const CLIENT_ID_MAX: usize = 128;

/// Moves the client's `x-request-id` (at most [`CLIENT_ID_MAX`] bytes of it) to
/// `x-client-request-id`, so the id every request is known by is the server's own.
async fn set_aside_client_id(mut request: Request) -> Request {
    let headers = request.headers_mut();
    headers.remove(&CLIENT_REQUEST_ID);
    if let Some(sent) = headers.remove(&REQUEST_ID)
        && sent.len() <= CLIENT_ID_MAX
    {
        headers.insert(CLIENT_REQUEST_ID, sent);
    }
    request
}

/// Request ids made here are UUID v7: ordered by time, so the spend ledger's unique index on
/// them grows at its end instead of rewriting a random index page for every request.
#[derive(Debug, Clone, Copy)]
struct TimeOrderedId;

impl MakeRequestId for TimeOrderedId {
    fn make_request_id<B>(&mut self, _request: &axum::http::Request<B>) -> Option<RequestId> {
        let mut text = uuid::Uuid::encode_buffer();
        let id = uuid::Uuid::now_v7().hyphenated().encode_lower(&mut text);
        axum::http::HeaderValue::from_str(id)
            .ok()
            .map(RequestId::new)
    }
}

/// The span of one request: method, matched route, request id and the client's own id. Never
/// the path (`/key/{key}/regenerate` carries a key in it), other headers or bodies (so never
/// `Authorization` or `Cookie`). When traces are `traced` (exported), the span is a server span
/// named by method and route, in the trace of the client's `traceparent` when it sent one.
fn request_span(request: &Request, traced: bool) -> tracing::Span {
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map_or("(no route)", MatchedPath::as_str);
    let request_id = request
        .headers()
        .get(&REQUEST_ID)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("-");
    let client_request_id = request
        .headers()
        .get(&CLIENT_REQUEST_ID)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("-");
    let span = tracing::info_span!(
        "request",
        method = %request.method(),
        route = %route,
        request_id = %request_id,
        client_request_id = ?client_request_id,
        otel.name = tracing::field::Empty,
        otel.kind = tracing::field::Empty,
    );
    if traced {
        crate::otel::adopt_parent(&span, request.headers());
        span.record("otel.kind", "server");
        span.record("otel.name", format!("{} {route}", request.method()));
    }
    span
}

/// How long graceful shutdown waits before it gives up on open connections.
pub fn grace(seconds: u64) -> Duration {
    Duration::from_secs(seconds)
}
