//! The single-page portal built by Trunk, served from `static_dir`.
//!
//! Hashed assets (`name-<hash>.ext`) never change, so they are cached for a year; everything
//! else, and `index.html` above all, is revalidated on every load so a deploy shows at once.
//! Paths that look like client-side routes fall back to `index.html`; API prefixes never do.

use std::path::{Path, PathBuf};

use axum::body::Body;
use axum::http::{HeaderValue, Request, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use tower::ServiceExt;
use tower_http::services::ServeFile;

use crate::error::ApiError;

/// `cache-control` for content-hashed assets.
pub const IMMUTABLE: &str = "public, max-age=31536000, immutable";
/// `cache-control` for everything else the SPA serves.
pub const REVALIDATE: &str = "no-cache";

/// Path prefixes that belong to APIs: an unknown path under them is a JSON 404, not the SPA.
const API_PREFIXES: &[&str] = &[
    "/v1",
    "/graphql",
    "/health",
    "/key",
    "/model",
    "/user",
    "/spend",
    "/global",
    "/metrics",
    "/auth",
    "/branding",
    "/usage.csv",
    "/audit.csv",
    "/docling",
    "/chat",
    "/completions",
    "/embeddings",
    "/models",
];

/// True when the last path segment carries a Trunk content hash, such as
/// `app-1a2b3c4d5e6f7a8b.js` or `app-1a2b3c4d5e6f7a8b_bg.wasm`. Trunk writes the 64-bit hash
/// in hex without padding, so it is 12 to 16 digits (shorter only with odds below 1 in 10^7).
pub fn is_hashed_asset(path: &str) -> bool {
    let file = path.rsplit('/').next().unwrap_or(path);
    let stem = file
        .rsplit_once('.')
        .map_or(file, |(stem, _extension)| stem);
    let stem = stem.strip_suffix("_bg").unwrap_or(stem);
    stem.rsplit_once('-').is_some_and(|(_, hash)| {
        (12..=16).contains(&hash.len()) && hash.bytes().all(|b| b.is_ascii_hexdigit())
    })
}

/// What to do with a request that no API route matched.
#[derive(Debug, PartialEq, Eq)]
pub enum Fallback {
    /// An API path: answer a JSON 404.
    ApiNotFound,
    /// A file that exists, or a missing file (404).
    File(PathBuf),
    /// A client-side route: answer `index.html`.
    Index,
}

/// Decides how to answer `path` from the files under `root`.
pub fn classify(root: &Path, path: &str) -> Fallback {
    let is_api = API_PREFIXES
        .iter()
        .any(|p| path == *p || path.starts_with(&format!("{p}/")));
    if is_api {
        return Fallback::ApiNotFound;
    }
    let relative = path.trim_start_matches('/');
    if relative.split('/').any(|segment| segment == "..") {
        return Fallback::Index;
    }
    let last = relative.rsplit('/').next().unwrap_or(relative);
    if relative.is_empty() || !last.contains('.') {
        Fallback::Index
    } else {
        Fallback::File(root.join(relative))
    }
}

/// Serves the SPA for any path no other route matched.
pub async fn serve(root: PathBuf, uri: Uri) -> Response {
    let path = uri.path();
    match classify(&root, path) {
        Fallback::ApiNotFound => ApiError::NotFound(format!(
            "no route for {path}; see /graphql for the API and /v1/models for models"
        ))
        .into_response(),
        Fallback::File(file) => {
            let cache = if is_hashed_asset(path) {
                IMMUTABLE
            } else {
                REVALIDATE
            };
            send_file(&file, cache).await
        }
        Fallback::Index => {
            let index = root.join("index.html");
            if index.is_file() {
                send_file(&index, REVALIDATE).await
            } else {
                (
                    StatusCode::SERVICE_UNAVAILABLE,
                    format!(
                        "The portal has not been built: no {} (build it with `trunk build --release`).",
                        index.display()
                    ),
                )
                    .into_response()
            }
        }
    }
}

async fn send_file(file: &Path, cache: &'static str) -> Response {
    let request = Request::new(Body::empty());
    match ServeFile::new(file)
        .precompressed_gzip()
        .oneshot(request)
        .await
    {
        Ok(mut response) => {
            if response.status().is_success() {
                response
                    .headers_mut()
                    .insert(header::CACHE_CONTROL, HeaderValue::from_static(cache));
            }
            response.map(Body::new).into_response()
        }
        Err(error) => match error {},
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trunk_hashes_are_recognised() {
        assert!(is_hashed_asset(
            "/switchyard-frontend-3f1c2b9a0d4e5f67_bg.wasm"
        ));
        assert!(is_hashed_asset("/switchyard-frontend-3f1c2b9a0d4e5f67.js"));
        assert!(is_hashed_asset("/patternfly.min-0123456789abcdef.css"));
        assert!(!is_hashed_asset("/index.html"));
        assert!(!is_hashed_asset("/graphiql/graphiql.min.js"));
    }

    #[test]
    fn routes_files_and_apis_are_told_apart() {
        let root = Path::new("/srv");
        assert_eq!(classify(root, "/"), Fallback::Index);
        assert_eq!(classify(root, "/models/granite/x"), Fallback::ApiNotFound);
        assert_eq!(classify(root, "/catalog/ibm/granite"), Fallback::Index);
        assert_eq!(classify(root, "/v1/nope"), Fallback::ApiNotFound);
        assert_eq!(classify(root, "/graphqlx"), Fallback::Index);
        assert_eq!(
            classify(root, "/assets/a.css"),
            Fallback::File(PathBuf::from("/srv/assets/a.css"))
        );
        assert_eq!(classify(root, "/../etc/passwd"), Fallback::Index);
    }
}
