//! A browser-like HTTP client: a cookie jar, no automatic redirects, and GraphQL helpers that
//! send the session's CSRF token the way the portal does.

use std::sync::Arc;

use reqwest::cookie::{CookieStore, Jar};
use reqwest::header::HeaderValue;
use serde_json::{Value, json};

/// A cookie-keeping client, as a browser would be.
pub struct SessionClient {
    /// The client (cookies on, redirects off).
    pub client: reqwest::Client,
    jar: Arc<Jar>,
}

impl Default for SessionClient {
    fn default() -> Self {
        Self::new()
    }
}

impl SessionClient {
    /// A client with an empty cookie jar.
    pub fn new() -> Self {
        let jar = Arc::new(Jar::default());
        let client = reqwest::Client::builder()
            .cookie_provider(jar.clone())
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .expect("http client");
        Self { client, jar }
    }

    /// The value of cookie `name` the jar would send to `url`.
    pub fn cookie(&self, url: &str, name: &str) -> Option<String> {
        let url = url.parse().expect("url");
        let header = self.jar.cookies(&url)?;
        header.to_str().ok()?.split(';').find_map(|pair| {
            let (key, value) = pair.trim().split_once('=')?;
            (key == name).then(|| value.to_owned())
        })
    }

    /// Puts a cookie in the jar for `url` (to replay an old cookie, say).
    pub fn set_cookie(&self, url: &str, cookie: &str) {
        let url = url.parse().expect("url");
        self.jar.set_cookies(
            &mut [HeaderValue::from_str(cookie).expect("cookie")].iter(),
            &url,
        );
    }

    /// Sends a GraphQL operation to `base/graphql` with the CSRF header when the jar holds the
    /// token, and returns the HTTP status and body.
    pub async fn graphql(&self, base: &str, query: &str, variables: Value) -> (u16, Value) {
        let mut request = self
            .client
            .post(format!("{base}/graphql"))
            .json(&json!({"query": query, "variables": variables}));
        if let Some(token) = self.cookie(base, "sy_csrf") {
            request = request.header("x-csrf-token", token);
        }
        let response = request.send().await.expect("POST /graphql");
        let status = response.status().as_u16();
        (status, response.json().await.expect("GraphQL JSON body"))
    }

    /// The same without the CSRF header (as a forged cross-site request would be sent).
    pub async fn graphql_without_csrf(&self, base: &str, query: &str) -> (u16, Value) {
        let response = self
            .client
            .post(format!("{base}/graphql"))
            .json(&json!({ "query": query }))
            .send()
            .await
            .expect("POST /graphql");
        let status = response.status().as_u16();
        (status, response.json().await.expect("GraphQL JSON body"))
    }
}
