//! Every HTTP handler, one module per surface, all thin: they read the request, call a
//! service or the gateway engine, and turn the result into an answer. `crate::router` mounts
//! them; nothing below this folder builds HTTP responses.

pub mod audit_csv;
pub mod auth;
pub mod branding;
pub mod csv;
pub mod envelope;
pub mod graphql;
pub mod health;
pub mod litellm;
pub mod metrics;
pub mod security;
pub mod socket;
pub mod spa;
pub mod usage_csv;
pub mod v1;

use axum::http::HeaderName;

/// The client behind a request (see `crate::clients`), as a handler argument.
#[derive(Debug, Clone, Copy)]
pub struct Client(pub Option<std::net::IpAddr>);

impl axum::extract::FromRequestParts<crate::state::AppState> for Client {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        state: &crate::state::AppState,
    ) -> Result<Self, Self::Rejection> {
        Ok(Self(
            state.clients.client(&parts.headers, &parts.extensions),
        ))
    }
}

/// The header that carries the request id. The server always mints it: a client's own value
/// never names a request (leases and ledger rows are keyed by it), it moves to
/// [`CLIENT_REQUEST_ID`].
pub const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// The `x-request-id` a client sent, kept only as an untrusted correlation field in the logs.
pub const CLIENT_REQUEST_ID: HeaderName = HeaderName::from_static("x-client-request-id");
