//! Every change made through the admin REST API goes to the audit log: the route, the master
//! key as actor, the request and the answer, secrets redacted.

use axum::body::{Body, to_bytes};
use axum::extract::{Request, State};
use axum::http::Method;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use http_body::Body as _;
use schema::audit::Change;

use crate::state::AppState;

/// Bodies larger than this are recorded as their size only.
const MAX_RECORDED: usize = 256 * 1024;

fn json_of(bytes: &[u8]) -> serde_json::Value {
    serde_json::from_slice(bytes).unwrap_or_else(|_| serde_json::json!({ "bytes": bytes.len() }))
}

/// Records changing admin requests that succeeded.
pub async fn record(State(state): State<AppState>, request: Request, next: Next) -> Response {
    if request.method() == Method::GET || request.method() == Method::HEAD {
        return next.run(request).await;
    }
    let action = format!("{} {}", request.method(), request.uri().path());
    let request_id = request
        .headers()
        .get(&crate::routes::REQUEST_ID)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let (parts, body) = request.into_parts();
    let Ok(input) = to_bytes(body, state.config.gateway.max_body_bytes).await else {
        return crate::error::ApiError::PayloadTooLarge("the request body is too large".into())
            .into_response();
    };
    let response = next
        .run(Request::from_parts(parts, Body::from(input.clone())))
        .await;
    if !response.status().is_success() {
        return response;
    }
    let (parts, body) = response.into_parts();
    let small = body
        .size_hint()
        .exact()
        .is_some_and(|n| n <= MAX_RECORDED as u64);
    let (output, body) = if small {
        match to_bytes(body, MAX_RECORDED).await {
            Ok(bytes) => (json_of(&bytes), Body::from(bytes)),
            Err(_) => (serde_json::json!({"recorded": false}), Body::empty()),
        }
    } else {
        (serde_json::json!({"recorded": false}), body)
    };
    let change = Change {
        actor: "master key".into(),
        target_type: "admin-api".into(),
        after: Some(serde_json::json!({
            "input": json_of(&input),
            "result": output,
        })),
        action,
        request_id,
        ..Change::default()
    };
    if let Err(error) = state.audit.record(change).await {
        tracing::error!(%error, "cannot write the audit log");
    }
    Response::from_parts(parts, body)
}
