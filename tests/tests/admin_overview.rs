//! The admin console's overview (`/admin`) in a real headless Chromium: an administrator
//! opens it from the nav and watches the platform's totals (requests, tokens, spend, active
//! users and keys) move as people make requests on two clusters, without a reload; spend by
//! model and by cluster names both; a subscription request shows in the pending count, whose
//! link opens the queue; a deployment whose model server dies shows as failing its health
//! checks. A read-only administrator sees the same page, a user is not allowed in, and it
//! renders in every language, light and dark, at 1280×800, without serious axe-core findings.
//!
//! Needs the SPA built (`trunk build --release`, which `tests/ci.sh` runs).

#![allow(clippy::unwrap_used, clippy::expect_used)]

use harness::browser::{Browser, LANGUAGES, message_id};
use harness::{MockUpstream, TestApp};
use serde_json::json;

/// `granite` on the `aws` cluster, `llama` on `ibm`, and a restricted model on `aws`, priced
/// so that a request costs cents; health checked every second.
fn catalog(aws: &MockUpstream, ibm: &MockUpstream) -> String {
    let model = |name: &str, mock: &MockUpstream, backend: &str, extra: &str| {
        format!(
            "[[models]]\nname = \"{name}\"\nprovider = \"hosted_vllm\"\ncapabilities = [\"chat\"]\n\
             input_cost_per_token = 0.001\noutput_cost_per_token = 0.002\n{extra}\n\
             [[models.deployments]]\ncluster = \"{}\"\napi_base = \"{}/v1\"\nbackend_model = \"{backend}\"\n\n",
            mock.name, mock.base
        )
    };
    [
        "[gateway]\nhealth_check_interval_seconds = 1\n\n".to_owned(),
        model("granite", aws, "granite", ""),
        model("llama", ibm, "llama", ""),
        model("restricted/mistral", aws, "granite", "restricted = true"),
    ]
    .concat()
}

async fn start() -> (MockUpstream, MockUpstream, TestApp) {
    let aws = MockUpstream::start("aws", &["granite"], &[]).await;
    let ibm = MockUpstream::start("ibm", &["llama"], &[]).await;
    let app = TestApp::builder()
        .static_dir(harness::spa_dist())
        .config_toml(&catalog(&aws, &ibm))
        .start()
        .await;
    (aws, ibm, app)
}

async fn chat(app: &TestApp, key: &str, model: &str) {
    let body = json!({"model": model, "messages": [{"role": "user", "content": "hello there"}]});
    let response = app.post_with_key("/v1/chat/completions", &body, key).await;
    assert_eq!(response.status(), 200);
}

/// The big number of the total `id`.
fn total(id: &str) -> String {
    format!("#{id} .sy-big")
}

#[tokio::test]
async fn the_overview_follows_usage_the_queue_and_health_live() {
    harness::away_from_midnight().await;
    let (_aws, mut ibm, app) = start().await;
    let admin = app.sign_in_as("ada@example.com", &["admin"]).await;
    let ana = app.sign_in_as("ana@example.com", &["user"]).await;
    let bob = app.sign_in_as("bob@example.com", &["user"]).await;
    let (ana_key, bob_key) = (
        ana.key_for("granite", "notebook").await,
        bob.key_for("llama", "bobs").await,
    );
    let browser = Browser::desktop(&app.base, &admin).await;
    let page = &browser.client;

    // The administrator opens the overview from the nav: nothing used yet, all healthy.
    page.goto(&app.url("/")).await.unwrap();
    browser.click("#nav-admin-overview").await;
    browser
        .wait_for_text(&total("today-requests"), |t| t == "0")
        .await;
    let no_spend = browser.wait_for_text(&total("today-spend"), |_| true).await;
    browser.wait_for("#overview-all-healthy").await;
    browser
        .wait_for_text("#overview-pending", |t| t == "0")
        .await;

    // Requests on two clusters move the totals without a reload.
    chat(&app, &ana_key, "granite").await;
    chat(&app, &ana_key, "granite").await;
    chat(&app, &bob_key, "llama").await;
    for (id, value) in [
        ("today-requests", "3"),
        ("today-users", "2"),
        ("today-keys", "2"),
        ("period-requests", "3"),
        ("period-users", "2"),
    ] {
        browser.wait_for_text(&total(id), |t| t == value).await;
    }
    browser
        .wait_for_text(&total("today-tokens"), |t| t != "0")
        .await;
    browser
        .wait_for_text(&total("today-spend"), |t| t != no_spend)
        .await;
    browser
        .wait_for_text("#overview-by-model", |t| {
            t.contains("granite") && t.contains("llama")
        })
        .await;
    browser
        .wait_for_text("#overview-by-cluster", |t| {
            t.contains("aws") && t.contains("ibm")
        })
        .await;

    // A subscription request shows in the pending count, which links to the queue.
    let model = ana
        .graphql("{ model(name: \"restricted/mistral\") { id } }", json!({}))
        .await["data"]["model"]["id"]
        .clone();
    let asked = ana
        .graphql(
            "mutation($m: ID!) { subscribe(modelId: $m) { status } }",
            json!({ "m": model }),
        )
        .await;
    assert_eq!(asked["data"]["subscribe"]["status"], "PENDING", "{asked}");
    browser
        .wait_for_text("#overview-pending", |t| t == "1")
        .await;
    browser.assert_accessible("the overview").await;
    browser.click("#overview-queue a").await;
    browser
        .wait_for_text("#queue-count", |t| t == "One subscription")
        .await;
    page.back().await.unwrap();

    // The llama's model server dies: its deployment shows as failing its health checks.
    ibm.kill().await;
    let attention = browser
        .wait_for_text("#overview-health", |t| t.contains("llama"))
        .await;
    assert!(
        attention.contains("ibm") && !attention.contains("granite"),
        "{attention}"
    );
    browser.screenshot("admin-overview-unhealthy").await;

    // A read-only administrator sees the page, with nothing to change; a user is not allowed.
    let reader = app
        .sign_in_as("rita@example.com", &["admin-readonly"])
        .await;
    browser.use_session(&app.base, &reader).await;
    page.goto(&app.url("/admin")).await.unwrap();
    browser
        .wait_for_text(&total("today-requests"), |t| t == "3")
        .await;
    browser.wait_for("#read-only-notice").await;
    let buttons = page
        .find_all(fantoccini::Locator::Css("main button"))
        .await
        .unwrap();
    assert!(buttons.is_empty(), "the overview has no change controls");
    browser.use_session(&app.base, &ana).await;
    page.goto(&app.url("/admin")).await.unwrap();
    browser.wait_for("#not-allowed").await;
}

#[tokio::test]
async fn the_overview_renders_in_every_language_light_and_dark() {
    harness::away_from_midnight().await;
    let (_aws, _ibm, app) = start().await;
    let admin = app.sign_in_as("ada@example.com", &["admin"]).await;
    let ana = app.sign_in_as("ana@example.com", &["user"]).await;
    let key = ana.key_for("granite", "notebook").await;
    chat(&app, &key, "granite").await;
    let browser = Browser::desktop(&app.base, &admin).await;
    let page = &browser.client;

    for theme in ["light", "dark"] {
        browser.set_look(theme, "en").await;
        page.goto(&app.url("/admin")).await.unwrap();
        browser
            .wait_for_text(&total("today-requests"), |t| t == "1")
            .await;
        browser.wait_for("#overview-all-healthy").await;
        browser
            .assert_presentable(
                &format!("the overview ({theme})"),
                &format!("admin-overview-{theme}"),
            )
            .await;
    }

    let mut headings = std::collections::BTreeSet::new();
    for language in LANGUAGES {
        browser.set_look("light", language).await;
        page.goto(&app.url("/admin")).await.unwrap();
        browser.wait_for("#overview-all-healthy").await;
        browser
            .wait_for_text(&total("today-requests"), |t| t == "1")
            .await;
        let text = browser.wait_for("main").await.text().await.unwrap();
        let prefixes = ["overview-", "usage-", "nav-admin", "period-", "health-"];
        assert_eq!(message_id(&text, &prefixes), None, "{language}: {text}");
        headings.insert(
            browser
                .wait_for_text("#overview-title", |t| !t.is_empty())
                .await,
        );
        assert!(
            !browser.overflows_horizontally().await,
            "{language}: the overview scrolls sideways at 1280 px"
        );
    }
    assert_eq!(
        headings.len(),
        LANGUAGES.len(),
        "each language has its own heading: {headings:?}"
    );
}
