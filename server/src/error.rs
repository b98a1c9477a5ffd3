//! The HTTP error type of the REST surfaces (`/v1`, the admin REST, health), answered in
//! the OpenAI envelope `{"error": {"message", "type", "param", "code"}}`.

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::json;

/// An error answered to an HTTP client. Messages are for people and never carry secrets or
/// internal URLs.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// No route, model or record matches.
    #[error("{0}")]
    NotFound(String),
    /// The request is malformed.
    #[error("{0}")]
    BadRequest(String),
    /// No key, or a key that is unknown, expired or blocked.
    #[error("{0}")]
    Unauthorized(String),
    /// The key may not do this.
    #[error("{0}")]
    Forbidden(String),
    /// The body is larger than allowed.
    #[error("{0}")]
    PayloadTooLarge(String),
    /// A rate limit was hit (here or at the model server).
    #[error("{0}")]
    TooManyRequests(String),
    /// The model server answered with an error of its own; its status is kept.
    #[error("{message}")]
    Upstream { status: StatusCode, message: String },
    /// The model server could not be reached or answered badly.
    #[error("{0}")]
    BadGateway(String),
    /// No deployment can take the request now.
    #[error("{0}")]
    Unavailable(String),
    /// The model server did not answer in time.
    #[error("{0}")]
    Timeout(String),
}

impl ApiError {
    /// The HTTP status of this error.
    pub fn status_code(&self) -> StatusCode {
        match self {
            Self::NotFound(_) => StatusCode::NOT_FOUND,
            Self::BadRequest(_) => StatusCode::BAD_REQUEST,
            Self::Unauthorized(_) => StatusCode::UNAUTHORIZED,
            Self::Forbidden(_) => StatusCode::FORBIDDEN,
            Self::PayloadTooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
            Self::TooManyRequests(_) => StatusCode::TOO_MANY_REQUESTS,
            Self::Upstream { status, .. } => *status,
            Self::BadGateway(_) => StatusCode::BAD_GATEWAY,
            Self::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
            Self::Timeout(_) => StatusCode::GATEWAY_TIMEOUT,
        }
    }

    /// The OpenAI `type` of this error.
    pub fn kind(&self) -> &'static str {
        match self {
            Self::NotFound(_) => "not_found_error",
            Self::BadRequest(_) => "bad_request_error",
            Self::Unauthorized(_) => "authentication_error",
            Self::Forbidden(_) => "permission_denied_error",
            Self::PayloadTooLarge(_) => "request_too_large",
            Self::TooManyRequests(_) => "throttling_error",
            Self::Upstream { status, .. } if status.is_client_error() => "invalid_request_error",
            Self::Upstream { .. } | Self::BadGateway(_) => "upstream_error",
            Self::Unavailable(_) => "service_unavailable",
            Self::Timeout(_) => "timeout_error",
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let status = self.status_code();
        let body = json!({
            "error": {
                "message": self.to_string(),
                "type": self.kind(),
                "param": null,
                "code": status.as_u16().to_string(),
            }
        });
        (status, Json(body)).into_response()
    }
}
