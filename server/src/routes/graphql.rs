//! GraphQL over HTTP (`POST /graphql`), the GraphiQL IDE (`GET /graphql`) and GraphQL over
//! WebSocket (`/graphql/ws`, `graphql-transport-ws` and the legacy `graphql-ws`).
//!
//! Every operation runs with a [`Caller`] attached: from a bearer credential (personal access
//! token or master key), else the session cookie, else anonymous. Cookie-carrying requests
//! from another origin are refused outright; cookie-authenticated mutations also need the
//! session's CSRF token (the schema's write gate checks that).

use std::time::Duration;

use async_graphql::Data;
use async_graphql::http::ALL_WEBSOCKET_PROTOCOLS;
use async_graphql_axum::{GraphQLProtocol, GraphQLRequest, GraphQLResponse, GraphQLWebSocket};
use axum::Json;
use axum::extract::{State, WebSocketUpgrade};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use schema::identity::{Caller, ClientInfo};
use serde_json::json;

use super::{Client, socket};
use crate::identity::{AuthError, Identity};
use crate::state::AppState;

/// The largest `POST /graphql` body: an operation is a few KiB, an upload (a logo) at most
/// 512 KiB. Larger bodies are refused as they arrive, never held.
pub const MAX_BODY: usize = 1024 * 1024;

/// A GraphQL-shaped error answer for a request refused before it ran.
fn refused(error: &AuthError) -> Response {
    let (status, code) = match error {
        AuthError::BadCredential(_) => (StatusCode::UNAUTHORIZED, "UNAUTHENTICATED"),
        AuthError::CrossOrigin(_) => (StatusCode::FORBIDDEN, "FORBIDDEN"),
        AuthError::Internal(source) => {
            tracing::error!(error = %source, "cannot authenticate a GraphQL request");
            (StatusCode::INTERNAL_SERVER_ERROR, "INTERNAL")
        }
    };
    let body = json!({"errors": [{"message": error.to_string(), "extensions": {"code": code}}]});
    (status, Json(body)).into_response()
}

/// The caller of an HTTP or WebSocket request, after the origin check.
pub async fn authenticate(identity: &Identity, headers: &HeaderMap) -> Result<Caller, AuthError> {
    if !Identity::has_bearer(headers) {
        identity.same_origin(headers)?;
    }
    identity.caller(headers).await
}

/// Executes one GraphQL operation as its caller.
pub async fn execute(
    State(state): State<AppState>,
    Client(address): Client,
    headers: HeaderMap,
    request: GraphQLRequest,
) -> Response {
    let caller = match authenticate(&state.identity, &headers).await {
        Ok(caller) => caller,
        Err(error) => return refused(&error),
    };
    let client = ClientInfo {
        user_agent: headers
            .get(header::USER_AGENT)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned),
        // The client as the throttles see it (behind a trusted proxy, the address it names).
        ip: address.map(|ip| ip.to_string()),
    };
    let mut request = request.into_inner().data(caller).data(client);
    if let Some(id) = headers
        .get(&crate::routes::REQUEST_ID)
        .and_then(|v| v.to_str().ok())
    {
        request = request.data(schema::audit::RequestId(id.to_owned()));
    }
    GraphQLResponse::from(state.schema.execute(request).await).into_response()
}

/// Upgrades to a GraphQL WebSocket for subscriptions. The connection is authenticated by a
/// token in `connection_init` (`{"authorization": "Bearer …"}` or `{"token": "…"}`), else by
/// the session cookie of the upgrade request (whose origin must be the portal's). The socket
/// lives within `[http]`'s limits (`routes::socket`).
pub async fn websocket(
    State(state): State<AppState>,
    Client(address): Client,
    headers: HeaderMap,
    protocol: GraphQLProtocol,
    upgrade: WebSocketUpgrade,
) -> Response {
    let cookie_caller = match authenticate(&state.identity, &headers).await {
        Ok(mut caller) => {
            // The origin was checked at the upgrade: mutations over this socket are not forged.
            if let schema::identity::Credential::Session { csrf, .. } = &mut caller.credential {
                *csrf = true;
            }
            caller
        }
        Err(error) => return refused(&error),
    };
    let Some(hold) = state.clients.sockets.take(address) else {
        let body = json!({"errors": [{
            "message": "too many open WebSockets from this address; close some first",
            "extensions": {"code": "TOO_MANY_REQUESTS"}}]});
        return (StatusCode::TOO_MANY_REQUESTS, Json(body)).into_response();
    };
    let limits = state.config.http.clone();
    upgrade
        .protocols(ALL_WEBSOCKET_PROTOCOLS)
        .max_message_size(socket::MAX_MESSAGE_BYTES)
        .on_upgrade(move |upgraded| async move {
            let identity = state.identity.clone();
            let (initialized, init_seen) = tokio::sync::oneshot::channel();
            let (sink, stream) = socket::limited(upgraded, limits.websocket_max_operations);
            let served =
                GraphQLWebSocket::new_with_pair(sink, stream, state.schema.clone(), protocol)
                    .on_connection_init(move |payload| async move {
                        let caller = match init_token(&payload) {
                            Some(token) => identity
                                .bearer_caller(&token)
                                .await
                                .map_err(|e| async_graphql::Error::new(e.to_string()))?,
                            None => cookie_caller,
                        };
                        // The receiver is gone only when the socket is closing anyway.
                        let _ = initialized.send(caller.clone());
                        let mut data = Data::default();
                        data.insert(caller);
                        data.insert(ClientInfo {
                            user_agent: None,
                            ip: address.map(|ip| ip.to_string()),
                        });
                        Ok(data)
                    })
                    .serve();
            let watch = socket::Watch {
                init_deadline: Duration::from_secs(limits.websocket_init_timeout_seconds),
                recheck: Duration::from_secs(limits.websocket_recheck_seconds.max(1)),
            };
            socket::supervise(served, init_seen, watch, state.identity.clone()).await;
            drop(hold);
        })
        .into_response()
}

/// The token in a `connection_init` payload, if any.
fn init_token(payload: &serde_json::Value) -> Option<String> {
    let field = |name: &str| payload.get(name).and_then(|v| v.as_str());
    let value = field("authorization")
        .or_else(|| field("Authorization"))
        .or_else(|| field("token"))?;
    let token = value
        .strip_prefix("Bearer ")
        .or_else(|| value.strip_prefix("bearer "))
        .unwrap_or(value);
    Some(token.trim().to_owned())
}

/// The GraphiQL IDE. Its scripts are served from the SPA's own assets (`/graphiql/…`), so it
/// works without internet access and under a strict Content-Security-Policy.
pub async fn graphiql() -> Html<&'static str> {
    Html(GRAPHIQL_PAGE)
}

const GRAPHIQL_PAGE: &str = r#"<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>Switchyard GraphiQL</title>
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <link rel="stylesheet" href="/graphiql/graphiql.min.css">
  <style>body { margin: 0; height: 100vh; } #graphiql { height: 100vh; }</style>
</head>
<body>
  <div id="graphiql">Loading GraphiQL…</div>
  <script src="/graphiql/react.production.min.js"></script>
  <script src="/graphiql/react-dom.production.min.js"></script>
  <script src="/graphiql/graphiql.min.js"></script>
  <script src="/graphiql/init.js"></script>
</body>
</html>
"#;
