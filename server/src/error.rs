//! The HTTP error type of the REST surfaces (`/v1`, the admin REST, health), answered in
//! the OpenAI envelope `{"error": {"message", "type", "param", "code"}}`.

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::json;

use crate::quota::{Limit, QuotaError, Refused};

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
    /// A rate or parallel limit of Switchyard's own was hit; `headers` say which and when.
    #[error("{message}")]
    RateLimited {
        message: String,
        headers: crate::quota::RateHeaders,
    },
    /// A budget is spent.
    #[error("{message}")]
    BudgetExceeded {
        message: String,
        headers: crate::quota::RateHeaders,
    },
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
    /// A request field is wrong; `param` names it.
    #[error("{message}")]
    BadParam {
        message: String,
        param: &'static str,
    },
    /// Something failed inside; the details are in the log, never in the answer.
    #[error("internal error; the server log has the details")]
    Internal,
}

impl From<schema::DomainError> for ApiError {
    fn from(error: schema::DomainError) -> Self {
        use schema::DomainError as D;
        match error {
            D::Unauthenticated => Self::Unauthorized("sign in or send an API key".into()),
            D::Forbidden(message) => Self::Forbidden(message),
            D::NotFound(message) => Self::NotFound(message),
            D::BadInput(message) => Self::BadRequest(message),
            D::Conflict(message) => Self::BadRequest(message),
            D::Database(source) => {
                tracing::error!(error = %source, "database error");
                Self::Internal
            }
        }
    }
}

impl From<QuotaError> for ApiError {
    fn from(error: QuotaError) -> Self {
        match error {
            QuotaError::Refused(refused) => too_many(refused),
            QuotaError::Unavailable => Self::Unavailable(
                "rate limits cannot be checked right now (the shared limit store is \
                 unavailable); retry in a few seconds"
                    .into(),
            ),
            QuotaError::Internal(source) => {
                tracing::error!(error = %source, "quota store error");
                Self::Internal
            }
        }
    }
}

/// The 429 for a quota refusal, saying which limit of which scope and when to retry.
fn too_many(refused: Refused) -> ApiError {
    let Refused {
        limit,
        max,
        retry_after_ms,
        label,
        headroom,
    } = refused;
    let mut headers = Vec::new();
    if let Some(ms) = retry_after_ms {
        let secs = u64::try_from((ms.max(1) + 999) / 1_000).unwrap_or(1);
        headers.push((axum::http::header::RETRY_AFTER, secs.into()));
    }
    let message = limit.sentence(&label, max, retry_after_ms.is_some());
    if limit == Limit::Budget {
        return ApiError::BudgetExceeded { message, headers };
    }
    headers.extend(headroom.headers());
    ApiError::RateLimited { message, headers }
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
            Self::TooManyRequests(_) | Self::RateLimited { .. } | Self::BudgetExceeded { .. } => {
                StatusCode::TOO_MANY_REQUESTS
            }
            Self::Upstream { status, .. } => *status,
            Self::BadGateway(_) => StatusCode::BAD_GATEWAY,
            Self::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
            Self::Timeout(_) => StatusCode::GATEWAY_TIMEOUT,
            Self::BadParam { .. } => StatusCode::BAD_REQUEST,
            Self::Internal => StatusCode::INTERNAL_SERVER_ERROR,
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
            Self::TooManyRequests(_) | Self::RateLimited { .. } => "throttling_error",
            Self::BudgetExceeded { .. } => "budget_exceeded",
            Self::Upstream { status, .. } if status.is_client_error() => "invalid_request_error",
            Self::Upstream { .. } | Self::BadGateway(_) => "upstream_error",
            Self::Unavailable(_) => "service_unavailable",
            Self::Timeout(_) => "timeout_error",
            Self::BadParam { .. } => "bad_request_error",
            Self::Internal => "internal_error",
        }
    }

    fn param(&self) -> Option<&'static str> {
        match self {
            Self::BadParam { param, .. } => Some(param),
            _ => None,
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
                "param": self.param(),
                "code": status.as_u16().to_string(),
            }
        });
        let mut response = (status, Json(body)).into_response();
        if matches!(self, Self::PayloadTooLarge(_)) {
            // The rest of the oversized body was never read: the connection cannot carry
            // another request, and the client must not reuse it (it would see a reset).
            response.headers_mut().insert(
                axum::http::header::CONNECTION,
                axum::http::HeaderValue::from_static("close"),
            );
        }
        if let Self::RateLimited { headers, .. } | Self::BudgetExceeded { headers, .. } = self {
            response.headers_mut().extend(headers);
        }
        response
    }
}

/// Parses a JSON object body, saying where it is malformed.
pub fn json_object(bytes: &[u8]) -> Result<serde_json::Map<String, serde_json::Value>, ApiError> {
    match serde_json::from_slice::<serde_json::Value>(bytes) {
        Ok(serde_json::Value::Object(map)) => Ok(map),
        Ok(_) => Err(ApiError::BadRequest(
            "the request body must be a JSON object".into(),
        )),
        Err(error) => Err(ApiError::BadRequest(format!(
            "the request body is not valid JSON: {error}"
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::quota::Headroom;

    fn refused(limit: Limit, max: i64, retry_after_ms: Option<i64>, label: &str) -> ApiError {
        let headroom = match limit {
            Limit::Requests => Headroom {
                requests: Some((3, 0, 1_500)),
                tokens: None,
            },
            _ => Headroom::default(),
        };
        ApiError::from(QuotaError::Refused(Refused {
            limit,
            max,
            retry_after_ms,
            label: label.into(),
            headroom,
        }))
    }

    /// The headers a refusal sets, as `name: value` lines.
    fn headers(error: &ApiError) -> Vec<String> {
        match error {
            ApiError::RateLimited { headers, .. } | ApiError::BudgetExceeded { headers, .. } => {
                crate::quota::header_lines(headers)
            }
            _ => Vec::new(),
        }
    }

    #[test]
    fn a_rate_refusal_says_which_limit_and_when_in_headers() {
        let error = refused(Limit::Requests, 3, Some(1_500), "API key");
        assert_eq!(error.status_code(), StatusCode::TOO_MANY_REQUESTS);
        assert_eq!(error.kind(), "throttling_error");
        assert_eq!(
            error.to_string(),
            "rate limit exceeded: the API key allows 3 requests per minute"
        );
        assert_eq!(
            headers(&error),
            [
                "retry-after: 2",
                "x-ratelimit-limit-requests: 3",
                "x-ratelimit-remaining-requests: 0",
                "x-ratelimit-reset-requests: 1.5s",
            ]
        );
        let tokens = refused(Limit::Tokens, 100, Some(1), "user");
        assert_eq!(
            tokens.to_string(),
            "rate limit exceeded: the user allows 100 tokens per minute"
        );
        assert_eq!(headers(&tokens), ["retry-after: 1"]);
        let parallel = refused(Limit::Parallel, 2, None, "API key for model `m`");
        assert_eq!(
            parallel.to_string(),
            "too many requests in flight: the API key for model `m` allows 2 at a time"
        );
        assert!(headers(&parallel).is_empty());
    }

    #[test]
    fn a_budget_refusal_says_whether_it_resets() {
        let spent = refused(Limit::Budget, 2_500_000_000, None, "user");
        assert_eq!(spent.kind(), "budget_exceeded");
        assert_eq!(
            spent.to_string(),
            "budget exceeded: the user's budget of 2.5 is spent; ask an administrator to raise it"
        );
        assert!(headers(&spent).is_empty());
        let resets = refused(Limit::Budget, 1_000_000_000, Some(3_600_000), "API key");
        assert_eq!(
            resets.to_string(),
            "budget exceeded: the API key's budget of 1 is spent; it resets at the end of its \
             budget period"
        );
        assert_eq!(headers(&resets), ["retry-after: 3600"]);
    }

    #[test]
    fn an_unreachable_shared_store_is_a_503() {
        let error = ApiError::from(QuotaError::Unavailable);
        assert_eq!(error.status_code(), StatusCode::SERVICE_UNAVAILABLE);
        assert_eq!(
            error.to_string(),
            "rate limits cannot be checked right now (the shared limit store is unavailable); \
             retry in a few seconds"
        );
    }
}
