//! `GET /branding/logo/{slot}`: uploaded logos, cached by browsers (for good when the URL
//! carries the image's version, as the GraphQL `branding.logos` URLs do) and revalidated by
//! ETag. SVG logos are served sandboxed, so one opened directly cannot run script.

use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

use crate::error::ApiError;
use crate::state::AppState;

/// `?v=…`: the image version the URL was made for.
#[derive(Debug, Deserialize)]
pub struct Version {
    v: Option<String>,
}

/// Serves one logo.
pub async fn logo(
    State(state): State<AppState>,
    Path(slot): Path<String>,
    Query(version): Query<Version>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let row = schema::branding::BrandingService::new(state.db.clone())
        .logo(&slot)
        .await?
        .ok_or_else(|| ApiError::NotFound(format!("no logo in slot `{slot}`")))?;
    let etag = format!("\"{}\"", row.sha256);
    let cache = if version.v.is_some_and(|v| row.sha256.starts_with(&v)) {
        "public, max-age=31536000, immutable"
    } else {
        "public, max-age=300"
    };
    let mut response = if headers
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|tags| tags.split(',').any(|t| t.trim() == etag))
    {
        StatusCode::NOT_MODIFIED.into_response()
    } else {
        row.bytes.into_response()
    };
    let out = response.headers_mut();
    if let Ok(value) = HeaderValue::from_str(&row.content_type) {
        out.insert(header::CONTENT_TYPE, value);
    }
    if let Ok(value) = HeaderValue::from_str(&etag) {
        out.insert(header::ETAG, value);
    }
    out.insert(header::CACHE_CONTROL, HeaderValue::from_static(cache));
    if row.content_type == "image/svg+xml" {
        out.insert(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static("default-src 'none'; style-src 'unsafe-inline'; sandbox"),
        );
    }
    Ok(response)
}
