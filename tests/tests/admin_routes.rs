//! The admin REST API is deny-by-default: every route it mounts (read from its router's source,
//! so a new route is covered the day it is added) refuses a request without the master key,
//! with a virtual key, or with an administrator's portal credentials (session cookie, personal
//! access token), before any handler runs, and lets the master key through; the one listed
//! exception, a key reading its own information, reads only its own.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use harness::{MASTER_KEY, SessionClient, TestApp};
use serde_json::{Value, json};

/// `(method, path)` of every route in `server/src/routes/litellm/mod.rs`, path parameters filled in.
fn admin_routes() -> Vec<(String, String)> {
    let source =
        std::fs::read_to_string(harness::workspace_root().join("server/src/routes/litellm/mod.rs"))
            .expect("the admin router's source");
    let mut routes = Vec::new();
    for chunk in source.split(".route(").skip(1) {
        let path = chunk.split('"').nth(1).expect("a quoted path");
        let handlers = chunk.split(')').take(4).collect::<Vec<_>>().join(")");
        let head: String = chunk.chars().take(160).collect();
        for method in ["get", "post", "patch", "delete"] {
            if head.contains(&format!("{method}(")) || handlers.contains(&format!(".{method}(")) {
                let path = path
                    .replace("{key}", "sk-not-a-key")
                    .replace("{id}", "no-such-model");
                routes.push((method.to_uppercase(), path));
            }
        }
    }
    routes.sort();
    routes.dedup();
    routes
}

async fn call(app: &TestApp, method: &str, path: &str, key: Option<&str>) -> (u16, Value) {
    call_from(&app.client, app, method, path, key).await
}

/// `call` from `client` (a browser, with its cookies).
async fn call_from(
    client: &reqwest::Client,
    app: &TestApp,
    method: &str,
    path: &str,
    key: Option<&str>,
) -> (u16, Value) {
    let method = reqwest::Method::from_bytes(method.as_bytes()).unwrap();
    let mut request = client.request(method.clone(), app.url(path));
    if method != reqwest::Method::GET {
        request = request.json(&json!({}));
    }
    if let Some(key) = key {
        request = request.bearer_auth(key);
    }
    let response = request.send().await.unwrap();
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

#[tokio::test]
async fn every_admin_route_refuses_callers_without_the_master_key() {
    let routes = admin_routes();
    assert!(
        routes.len() >= 20,
        "the route list was not read: {routes:?}"
    );
    assert!(routes.contains(&("POST".into(), "/key/generate".into())));
    let app = TestApp::builder()
        .sqlite()
        .config_toml("[auth]\nbootstrap_password = \"correct-horse-battery\"\n")
        .start()
        .await;
    let (status, made) = call(&app, "POST", "/key/generate", Some(MASTER_KEY)).await;
    assert_eq!(status, 200, "{made}");
    let key = made["key"].as_str().unwrap().to_owned();
    // The administrator signed in to the portal, and a read-write token of theirs.
    let browser = SessionClient::new();
    let (_, signed_in) = browser
        .graphql(
            &app.url(""),
            "mutation { login(name: \"admin\", password: \"correct-horse-battery\") { roles } }",
            json!({}),
        )
        .await;
    assert_eq!(
        signed_in["data"]["login"]["roles"],
        json!(["ADMIN", "USER"])
    );
    let (_, token) = browser
        .graphql(
            &app.url(""),
            "mutation { createAccessToken(name: \"ops\", canWrite: true) { secret } }",
            json!({}),
        )
        .await;
    let token = token["data"]["createAccessToken"]["secret"]
        .as_str()
        .unwrap()
        .to_owned();

    for (method, path) in &routes {
        let (status, body) = call(&app, method, path, None).await;
        assert_eq!(status, 401, "{method} {path} without a key: {body}");
        assert_eq!(body["error"]["code"], "401", "{method} {path}: {body}");
        if path == "/key/info" {
            continue;
        }
        let (status, body) = call(&app, method, path, Some(&key)).await;
        assert_eq!(status, 403, "{method} {path} with a virtual key: {body}");
        // The portal's credentials are not API keys, an administrator's neither.
        let (status, body) = call(&app, method, path, Some(&token)).await;
        assert_eq!(status, 401, "{method} {path} with a portal token: {body}");
        let (status, body) = call_from(&browser.client, &app, method, path, None).await;
        assert_eq!(status, 401, "{method} {path} with a session: {body}");
    }

    // The exception: a key reads its own information, and nobody else's.
    let (status, own) = call(&app, "GET", "/key/info", Some(&key)).await;
    assert_eq!(status, 200, "{own}");
    let (_, other) = call(&app, "POST", "/key/generate", Some(MASTER_KEY)).await;
    let other = other["key"].as_str().unwrap().to_owned();
    let (status, _) = call(&app, "GET", &format!("/key/info?key={other}"), Some(&key)).await;
    assert_eq!(status, 403);

    // The master key passes the check on every route: what it gets is the handler's answer
    // to an empty request (a listing, or a complaint about the input), never a refusal.
    for (method, path) in &routes {
        let (status, body) = call(&app, method, path, Some(MASTER_KEY)).await;
        assert!(
            ![401, 403].contains(&status) && status < 500,
            "{method} {path} with the master key: {status} {body}"
        );
    }
}
