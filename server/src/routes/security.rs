//! Security headers on every response: a Content-Security-Policy that fits the wasm SPA,
//! `X-Content-Type-Options`, `Referrer-Policy`, framing denied, and HSTS under https.
//!
//! The SPA's only inline script is Trunk's loader in `index.html`; it is allowed by its
//! SHA-256, computed from the built file at start-up, so no `'unsafe-inline'` script runs.

use std::path::Path;
use std::sync::Arc;

use axum::http::{HeaderMap, HeaderName, HeaderValue, header};
use base64::Engine;
use sha2::{Digest, Sha256};

/// The headers added to every response that does not set its own.
#[derive(Clone, Debug)]
pub struct SecurityHeaders(Arc<Vec<(HeaderName, HeaderValue)>>);

/// `'sha256-…'` sources for each inline `<script>` in an HTML page.
pub fn inline_script_hashes(html: &str) -> Vec<String> {
    let mut hashes = Vec::new();
    let mut rest = html;
    while let Some(open) = rest.find("<script") {
        let after_open = &rest[open..];
        let Some(tag_end) = after_open.find('>') else {
            break;
        };
        let tag = &after_open[..tag_end];
        let body_and_more = &after_open[tag_end + 1..];
        let Some(close) = body_and_more.find("</script>") else {
            break;
        };
        if !tag.contains(" src=") {
            let digest = Sha256::digest(&body_and_more.as_bytes()[..close]);
            let encoded = base64::engine::general_purpose::STANDARD.encode(digest);
            hashes.push(format!("'sha256-{encoded}'"));
        }
        rest = &body_and_more[close..];
    }
    hashes
}

/// The Content-Security-Policy for pages whose inline scripts hash to `script_hashes`.
pub fn content_security_policy(script_hashes: &[String]) -> String {
    let mut scripts = String::from("'self' 'wasm-unsafe-eval'");
    for hash in script_hashes {
        scripts.push(' ');
        scripts.push_str(hash);
    }
    format!(
        "default-src 'self'; script-src {scripts}; style-src 'self' 'unsafe-inline'; \
         img-src 'self' data: blob:; font-src 'self' data:; connect-src 'self'; \
         object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
    )
}

impl SecurityHeaders {
    /// The headers for a portal whose SPA is in `static_dir`; HSTS when served over https.
    pub fn new(static_dir: &Path, https: bool) -> Self {
        let hashes = std::fs::read_to_string(static_dir.join("index.html"))
            .map(|html| inline_script_hashes(&html))
            .unwrap_or_default();
        let mut headers = vec![
            (
                header::X_CONTENT_TYPE_OPTIONS,
                HeaderValue::from_static("nosniff"),
            ),
            (
                header::REFERRER_POLICY,
                HeaderValue::from_static("strict-origin-when-cross-origin"),
            ),
            (header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY")),
        ];
        if let Ok(csp) = HeaderValue::from_str(&content_security_policy(&hashes)) {
            headers.push((header::CONTENT_SECURITY_POLICY, csp));
        }
        if https {
            headers.push((
                header::STRICT_TRANSPORT_SECURITY,
                HeaderValue::from_static("max-age=31536000; includeSubDomains"),
            ));
        }
        Self(Arc::new(headers))
    }

    /// Adds the headers an answer's `headers` do not already carry.
    pub fn apply(&self, headers: &mut HeaderMap) {
        for (name, value) in self.0.iter() {
            // One lookup for each header, not one to ask and another to insert.
            headers.entry(name).or_insert_with(|| value.clone());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inline_scripts_are_hashed_and_external_ones_skipped() {
        let html = r#"<script type="module">run()</script><script src="/a.js"></script><script>x</script>"#;
        let hashes = inline_script_hashes(html);
        assert_eq!(hashes.len(), 2);
        let expected = base64::engine::general_purpose::STANDARD.encode(Sha256::digest(b"run()"));
        assert_eq!(hashes[0], format!("'sha256-{expected}'"));
        let csp = content_security_policy(&hashes);
        assert!(csp.contains(&hashes[1]));
        assert!(csp.contains("frame-ancestors 'none'"));
        assert!(
            !csp.contains("'unsafe-inline' 'wasm"),
            "scripts never run unsafe-inline"
        );
    }
}
