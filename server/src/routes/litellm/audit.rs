//! Every change asked of the admin REST API goes to the audit log, refused or not: the route
//! (never the path, which may carry a key), the master key as actor, the request, the answer
//! and its status, secrets redacted. It runs after the master-key check, so a stranger's
//! request is neither read nor recorded.

use axum::body::{Body, to_bytes};
use axum::extract::{MatchedPath, Request, State};
use axum::http::Method;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use http_body::Body as _;
use schema::audit::Change;

use crate::state::AppState;

/// Bodies larger than this are recorded as their size only.
const MAX_RECORDED: usize = 256 * 1024;

/// The largest admin request body read: the largest real one (a model with its deployments)
/// is a few KiB.
const MAX_ADMIN_BODY: usize = 1024 * 1024;

fn json_of(bytes: &[u8]) -> serde_json::Value {
    serde_json::from_slice(bytes).unwrap_or_else(|_| serde_json::json!({ "bytes": bytes.len() }))
}

/// Records changing admin requests and what came of them.
pub async fn record(State(state): State<AppState>, request: Request, next: Next) -> Response {
    if request.method() == Method::GET || request.method() == Method::HEAD {
        return next.run(request).await;
    }
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map_or("(no route)", MatchedPath::as_str);
    let action = format!("{} {route}", request.method());
    let request_id = request
        .headers()
        .get(&crate::routes::REQUEST_ID)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let (parts, body) = request.into_parts();
    let Ok(input) = to_bytes(body, MAX_ADMIN_BODY).await else {
        return crate::error::ApiError::PayloadTooLarge(format!(
            "the request body is over {MAX_ADMIN_BODY} bytes"
        ))
        .into_response();
    };
    let response = next
        .run(Request::from_parts(parts, Body::from(input.clone())))
        .await;
    let status = response.status().as_u16();
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
            "status": status,
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
