//! The demo's seeded user (`demo-seed`, run by `deploy/demo.sh`): after it runs against the
//! embedded database, the demo user signs in with the printed password and finds a week of
//! usage marked as demo data; a second run adds nothing.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use harness::{SessionClient, TestApp};
use serde_json::json;

const MODELS: &str = "
[[models]]
name = \"granite-3-2-8b-instruct\"
description = \"IBM Granite 3.2 8B Instruct\"
context_length = 131072
capabilities = [\"chat\", \"completion\", \"tools\"]
input_cost_per_token = 2.0e-7
output_cost_per_token = 6.0e-7
[[models.deployments]]
cluster = \"aws\"
api_base = \"MOCK/v1\"

[[models]]
name = \"llama-3-1-8b-instruct\"
description = \"Meta Llama 3.1 8B Instruct\"
capabilities = [\"chat\", \"completion\"]
input_cost_per_token = 1.5e-7
output_cost_per_token = 4.5e-7
[[models.deployments]]
cluster = \"gaudi\"
api_base = \"MOCK/v1\"
";

async fn seed(app: &TestApp) -> String {
    let database = app.data_dir.path().join("data/switchyard.sqlite");
    let output = tokio::process::Command::new(harness::bin_dir().join("demo-seed"))
        .arg("--database-url")
        .arg(format!("sqlite://{}?mode=rwc", database.display()))
        .args(["--password", "demo-password"])
        .output()
        .await
        .unwrap();
    let text = String::from_utf8_lossy(&output.stdout).into_owned();
    assert!(
        output.status.success(),
        "{text}{}",
        String::from_utf8_lossy(&output.stderr)
    );
    text
}

#[tokio::test]
async fn the_demo_user_signs_in_to_a_week_of_usage_marked_as_demo_data() {
    let mock = harness::MockUpstream::start(
        "aws",
        &["granite-3-2-8b-instruct", "llama-3-1-8b-instruct"],
        &[],
    )
    .await;
    let app = TestApp::builder()
        .sqlite()
        .static_dir(harness::workspace_root().join("frontend/dist"))
        .config_toml(&MODELS.replace("MOCK", &mock.base))
        .start()
        .await;
    let first = seed(&app).await;
    assert!(first.contains("seeded 7 days"), "{first}");

    let browser = SessionClient::new();
    let (_, signed_in) = browser
        .graphql(
            &app.base,
            "mutation { login(name: \"demo\", password: \"demo-password\") { name roles } }",
            json!({}),
        )
        .await;
    assert_eq!(
        signed_in["data"]["login"]["roles"],
        json!(["USER"]),
        "{signed_in}"
    );

    let from = (chrono::Utc::now() - chrono::Duration::days(7)).to_rfc3339();
    let to = (chrono::Utc::now() + chrono::Duration::hours(1)).to_rfc3339();
    let (_, report) = browser
        .graphql(
            &app.base,
            "query($from: DateTime!, $to: DateTime!) { usage(input: {from: $from, to: $to}) {
                totals { requests spend }
                series(granularity: DAY, groupBy: MODEL) { group points { requests } }
                byKey: series(groupBy: KEY) { label } } }",
            json!({ "from": from, "to": to }),
        )
        .await;
    let usage = &report["data"]["usage"];
    assert!(
        usage["totals"]["requests"].as_i64().unwrap() > 500,
        "{report}"
    );
    assert!(usage["totals"]["spend"].as_f64().unwrap() > 0.0, "{report}");
    assert_eq!(usage["series"].as_array().unwrap().len(), 2, "{report}");
    assert!(
        usage["series"][0]["points"].as_array().unwrap().len() >= 7,
        "{report}"
    );
    assert_eq!(usage["byKey"][0]["label"], "Demo data", "{report}");
    let (_, account) = browser
        .graphql(
            &app.base,
            "{ myAccount { spend maxBudget } mySubscriptions { status } }",
            json!({}),
        )
        .await;
    assert!(
        account["data"]["myAccount"]["spend"].as_f64().unwrap() > 0.0,
        "{account}"
    );
    assert_eq!(
        account["data"]["mySubscriptions"].as_array().unwrap().len(),
        2
    );

    // In the browser: sign in as the demo user, and the usage page draws the week.
    let chromium = harness::browser::Browser::start().await;
    chromium.client.goto(&app.url("/usage")).await.unwrap();
    chromium.type_into("#login-name", "demo").await;
    chromium.type_into("#login-password", "demo-password").await;
    chromium.click("#login-submit").await;
    chromium.wait_for("#chart-spend canvas").await;
    chromium.wait_for("#chart-latency canvas").await;
    let spend = chromium
        .wait_for_text("#total-spend", |t| t.contains('$'))
        .await;
    assert!(!spend.contains("$0.00\n"), "{spend}");
    chromium
        .wait_for_text("#usage-top", |t| t.contains("granite-3-2-8b-instruct"))
        .await;
    // A chart's table view has the same numbers, for screen readers and exact values.
    chromium.click("#chart-requests-toggle").await;
    chromium.wait_for("#chart-requests table").await;
    chromium.click("#chart-requests-toggle").await;
    let violations = chromium.axe_serious().await;
    assert!(
        violations.is_empty(),
        "axe-core on /usage with data: {violations:#?}"
    );
    chromium
        .client
        .execute("window.scrollTo(0, 0);", vec![])
        .await
        .unwrap();
    chromium.screenshot("usage-demo-light").await;
    chromium
        .client
        .execute("localStorage.setItem('sy-theme', 'dark');", vec![])
        .await
        .unwrap();
    chromium.client.refresh().await.unwrap();
    chromium.wait_for("#chart-spend canvas").await;
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    chromium.screenshot("usage-demo-dark").await;
    chromium.client.goto(&app.url("/")).await.unwrap();
    chromium
        .wait_for_text("#home-spend", |t| t.contains('$'))
        .await;
    chromium.screenshot("home-demo-dark").await;
    chromium
        .client
        .execute("localStorage.setItem('sy-theme', 'light');", vec![])
        .await
        .unwrap();
    chromium.client.goto(&app.url("/catalog")).await.unwrap();
    chromium
        .wait_for_text("#catalog-count", |t| t == "2 of 2 models")
        .await;
    chromium
        .wait_for_text("#catalog-cards", |t| t.matches(": healthy").count() == 2)
        .await;
    chromium.screenshot("catalog-demo-light").await;

    let again = seed(&app).await;
    assert!(again.contains("already has its demo data"), "{again}");
    let (_, report_again) = browser
        .graphql(
            &app.base,
            "query($from: DateTime!, $to: DateTime!) { usage(input: {from: $from, to: $to}) { totals { requests } } }",
            json!({ "from": from, "to": to }),
        )
        .await;
    assert_eq!(
        report_again["data"]["usage"]["totals"]["requests"],
        usage["totals"]["requests"]
    );
}
