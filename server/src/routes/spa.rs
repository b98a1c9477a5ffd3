//! The single-page portal built by Trunk, served from `static_dir`.
//!
//! Hashed assets (`name-<hash>.ext`) never change, so they are cached for a year; everything
//! else, and `index.html` above all, is revalidated on every load so a deploy shows at once.
//! Only a browser navigating (`GET` asking for `text/html`) to a path that looks like a
//! client-side route gets `index.html`; any other request no route matched (an API client
//! calling a path Switchyard does not serve, any method but `GET`, anything under an API
//! prefix) gets the JSON error envelope with 404, so clients see "not found" instead of
//! failing to parse a page.

use std::path::{Path, PathBuf};

use axum::body::Body;
use axum::http::{HeaderMap, HeaderValue, Method, Request, StatusCode, Uri, header};
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
    /// Nothing here: answer a JSON 404.
    NotFound,
    /// A file that exists, or a missing file (404).
    File(PathBuf),
    /// A client-side route: answer `index.html`.
    Index,
}

/// Decides how to answer a `GET` of `path` from the files under `root`; `navigation` says the
/// client asked for HTML (a browser opening a page), which alone earns `index.html`.
pub fn classify(root: &Path, path: &str, navigation: bool) -> Fallback {
    let is_api = API_PREFIXES
        .iter()
        .any(|p| path == *p || path.starts_with(&format!("{p}/")));
    if is_api {
        return Fallback::NotFound;
    }
    let relative = path.trim_start_matches('/');
    let last = relative.rsplit('/').next().unwrap_or(relative);
    let route = relative.is_empty() || !last.contains('.');
    if relative.split('/').any(|segment| segment == "..") || route {
        return if navigation {
            Fallback::Index
        } else {
            Fallback::NotFound
        };
    }
    Fallback::File(root.join(relative))
}

/// Whether the request is a browser navigation: `GET` or `HEAD` accepting `text/html`.
fn is_navigation(method: &Method, headers: &HeaderMap) -> bool {
    (method == Method::GET || method == Method::HEAD)
        && headers
            .get_all(header::ACCEPT)
            .iter()
            .filter_map(|value| value.to_str().ok())
            .any(|accept| accept.contains("text/html"))
}

/// Serves the SPA for any path no other route matched.
pub async fn serve(root: PathBuf, method: Method, headers: HeaderMap, uri: Uri) -> Response {
    let path = uri.path();
    let fallback = if method == Method::GET || method == Method::HEAD {
        classify(&root, path, is_navigation(&method, &headers))
    } else {
        Fallback::NotFound
    };
    match fallback {
        Fallback::NotFound => ApiError::NotFound(format!(
            "no route for {method} {path}; see /graphql for the API and /v1/models for models"
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
        assert_eq!(classify(root, "/", true), Fallback::Index);
        assert_eq!(classify(root, "/", false), Fallback::NotFound);
        assert_eq!(
            classify(root, "/models/granite/x", true),
            Fallback::NotFound
        );
        assert_eq!(
            classify(root, "/catalog/ibm/granite", true),
            Fallback::Index
        );
        assert_eq!(
            classify(root, "/guardrails/list", false),
            Fallback::NotFound,
            "an API client's unknown path"
        );
        assert_eq!(classify(root, "/v1/nope", true), Fallback::NotFound);
        assert_eq!(classify(root, "/graphqlx", true), Fallback::Index);
        for navigation in [true, false] {
            assert_eq!(
                classify(root, "/assets/a.css", navigation),
                Fallback::File(PathBuf::from("/srv/assets/a.css"))
            );
        }
        assert_eq!(classify(root, "/../etc/passwd", true), Fallback::Index);
        assert_eq!(classify(root, "/../etc/passwd", false), Fallback::NotFound);
    }

    #[test]
    fn only_a_get_asking_for_html_is_a_navigation() {
        let html = |accept: &str| {
            let mut headers = HeaderMap::new();
            headers.insert(header::ACCEPT, HeaderValue::from_str(accept).unwrap());
            headers
        };
        let browser = html("text/html,application/xhtml+xml,*/*;q=0.8");
        assert!(is_navigation(&Method::GET, &browser));
        assert!(is_navigation(&Method::HEAD, &browser));
        assert!(!is_navigation(&Method::POST, &browser));
        assert!(!is_navigation(&Method::GET, &html("*/*")));
        assert!(!is_navigation(&Method::GET, &html("application/json")));
        assert!(!is_navigation(&Method::GET, &HeaderMap::new()));
    }
}
