//! The SPA as served by the server: fallback routing (the page only for a browser navigating,
//! JSON 404s for everything else no route serves), cache headers, and a real headless
//! Chromium rendering the branding title fetched by the wasm app over GraphQL.
//!
//! These tests need the SPA built (`trunk build --release`, which `tests/ci.sh` runs).

use std::time::Duration;

use fantoccini::Locator;
use harness::TestApp;
use harness::browser::Browser;
use sea_orm::ConnectionTrait;

fn hashed_file(dist: &std::path::Path, extension: &str) -> String {
    std::fs::read_dir(dist)
        .unwrap()
        .filter_map(Result::ok)
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .find(|name| name.ends_with(extension))
        .unwrap_or_else(|| panic!("no *{extension} in {}", dist.display()))
}

#[tokio::test]
async fn index_routes_assets_and_api_paths_are_answered_correctly() {
    let dist = harness::spa_dist();
    let app = TestApp::builder()
        .sqlite()
        .static_dir(dist.clone())
        .start()
        .await;

    // What a browser sends when it opens a page.
    let navigate = |path: &str| {
        app.client
            .get(app.url(path))
            .header("accept", "text/html,application/xhtml+xml,*/*;q=0.8")
            .send()
    };
    let index = navigate("/").await.unwrap();
    assert_eq!(index.status(), 200);
    assert_eq!(index.headers()["cache-control"], "no-cache");
    let html = index.text().await.unwrap();
    assert!(html.contains("<title>"), "{html}");

    // A client-side route gets the same index.html.
    // `/models/…` belongs to the API (the gateway asks for a key), not to the SPA.
    let route = app.get("/models/some/deep/route").await;
    assert_eq!(route.status(), 401);
    let route = navigate("/catalog/ibm/granite-3").await.unwrap();
    assert_eq!(route.status(), 200);
    assert_eq!(route.text().await.unwrap(), html);

    // Anything else no route serves is the JSON error envelope with 404, not the page: an
    // API client calling a path Switchyard lacks (LiteLLM's team list), any method.
    let unknown = app.get_as_master("/team/list").await;
    assert_eq!(unknown.status(), 404);
    let body: serde_json::Value = unknown.json().await.unwrap();
    assert_eq!(body["error"]["code"], "404", "{body}");
    assert!(
        body["error"]["message"]
            .as_str()
            .is_some_and(|m| m.contains("GET /team/list")),
        "{body}"
    );
    let posted = app
        .post_as_master("/catalog/ibm/granite-3", &serde_json::json!({}))
        .await;
    assert_eq!(posted.status(), 404);
    assert_eq!(
        posted.headers()["content-type"],
        "application/json",
        "not the page"
    );

    // Content-hashed assets are cached for a year.
    let wasm = hashed_file(&dist, "_bg.wasm");
    let asset = app.get(&format!("/{wasm}")).await;
    assert_eq!(asset.status(), 200);
    assert_eq!(
        asset.headers()["cache-control"],
        "public, max-age=31536000, immutable"
    );
    assert_eq!(asset.headers()["content-type"], "application/wasm");

    // A missing file is a 404, not index.html; an unknown API path is a JSON error.
    assert_eq!(app.get("/missing-0123456789abcdef.js").await.status(), 404);
    let api = app.get("/v1/nothing-here").await;
    assert_eq!(api.status(), 404);
    let body: serde_json::Value = api.json().await.unwrap();
    assert_eq!(body["error"]["code"], "404");
}

#[tokio::test]
async fn chromium_renders_the_branding_title_from_the_database() {
    let app = TestApp::builder()
        .static_dir(harness::spa_dist())
        .start()
        .await;
    app.database()
        .await
        .execute_unprepared("UPDATE branding SET title = 'Rendered By Wasm' WHERE id = 1")
        .await
        .unwrap();

    let browser = Browser::start().await;
    browser.client.goto(&app.url("/")).await.unwrap();
    let heading = browser
        .client
        .wait()
        .at_most(Duration::from_secs(30))
        .for_element(Locator::Css("#branding-title"))
        .await
        .expect("the wasm app rendered #branding-title");
    assert_eq!(heading.text().await.unwrap(), "Rendered By Wasm");
    assert_eq!(browser.client.title().await.unwrap(), "Rendered By Wasm");

    // An unknown client-side route renders the app's own not-found page.
    browser
        .client
        .goto(&app.url("/no/such/page"))
        .await
        .unwrap();
    browser
        .client
        .wait()
        .at_most(Duration::from_secs(30))
        .for_element(Locator::Css("#not-found"))
        .await
        .expect("the not-found page");

    // GraphiQL loads from the server's own assets and introspects the schema.
    browser.client.goto(&app.url("/graphql")).await.unwrap();
    browser
        .client
        .wait()
        .at_most(Duration::from_secs(30))
        .for_element(Locator::Css(".graphiql-container"))
        .await
        .expect("GraphiQL rendered");
    browser.client.clone().close().await.unwrap();
}
