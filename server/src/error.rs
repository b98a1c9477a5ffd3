//! The HTTP error type of the REST surfaces (`/v1`, the admin REST, health), answered in
//! the OpenAI envelope `{"error": {"message", "type", "param", "code"}}`.

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::json;

/// An error answered to an HTTP client. Messages are for people and never carry secrets.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// No route matches.
    #[error("{0}")]
    NotFound(String),
    /// The request is malformed.
    #[error("{0}")]
    BadRequest(String),
}

impl ApiError {
    /// The HTTP status of this error.
    pub fn status_code(&self) -> StatusCode {
        match self {
            Self::NotFound(_) => StatusCode::NOT_FOUND,
            Self::BadRequest(_) => StatusCode::BAD_REQUEST,
        }
    }

    fn kind(&self) -> &'static str {
        match self {
            Self::NotFound(_) => "not_found_error",
            Self::BadRequest(_) => "bad_request_error",
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
