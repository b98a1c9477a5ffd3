//! Portal speed, measured in headless Chromium against the real server (a benchmark, not a
//! test: ignored by default; `bash tests/bench/portal.sh` runs it and BENCHMARKS.md keeps
//! the numbers). What it measures:
//!
//! - the first page load's transfer, compressed as the server sends it: the wasm, its JS
//!   loader and the CSS together (the target is at most 800 KB), ECharts apart (loaded only
//!   by pages with charts), and what a first visit moves as the browser counts it (fonts
//!   included);
//! - the catalog with 200 models: from navigation start to every card on screen;
//! - the usage page over 30 days of demo data: from navigation start to the charts drawn,
//!   and from picking "Last 30 days" to the new report drawn.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::print_stdout)]

use harness::TestApp;
use harness::browser::Browser;
use serde_json::{Value, json};

const RUNS: usize = 7;

fn dist() -> std::path::PathBuf {
    harness::workspace_root().join("frontend/dist")
}

/// Compressed size of `path` as the server sends it to a browser asking for gzip.
async fn gzip_bytes(app: &TestApp, path: &str) -> usize {
    let response = app
        .client
        .get(app.url(path))
        .header("accept-encoding", "gzip")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200, "{path}");
    response.bytes().await.unwrap().len()
}

fn asset(index: &str, suffix: &str) -> String {
    index
        .split('"')
        .find(|part| part.starts_with('/') && part.ends_with(suffix))
        .unwrap_or_else(|| panic!("no *{suffix} in index.html"))
        .to_owned()
}

/// Milliseconds from navigation start until `condition` (a JS expression) holds, measured
/// by the page itself on every animation frame.
async fn ms_until(browser: &Browser, condition: &str) -> f64 {
    let script = format!(
        "const done = arguments[arguments.length - 1];
         const check = () => {{ if ({condition}) {{ done(performance.now()); }} else {{ requestAnimationFrame(check); }} }};
         check();"
    );
    browser
        .client
        .execute_async(&script, vec![])
        .await
        .unwrap()
        .as_f64()
        .unwrap()
}

fn summary(label: &str, mut samples: Vec<f64>) -> Value {
    samples.sort_by(f64::total_cmp);
    let median = samples[samples.len() / 2];
    let max = samples[samples.len() - 1];
    println!(
        "{label}: median {median:.0} ms, max {max:.0} ms over {} runs",
        samples.len()
    );
    json!({ "measure": label, "median_ms": median, "max_ms": max, "runs": samples.len() })
}

fn catalog_toml(models: usize) -> String {
    (0..models)
        .map(|i| {
            format!(
                "[[models]]\nname = \"family-{}/model-{i:03}\"\ndescription = \"Synthetic model number {i}\"\n\
                 provider = \"hosted_vllm\"\ncapabilities = [\"chat\", \"completion\"]\ncontext_length = 32768\n\
                 input_cost_per_token = 2.0e-7\noutput_cost_per_token = 6.0e-7\n\
                 [[models.deployments]]\ncluster = \"aws\"\napi_base = \"http://127.0.0.1:9/v1\"\n\n",
                i % 7
            )
        })
        .collect()
}

#[tokio::test]
#[ignore = "a benchmark: run tests/bench/portal.sh, see BENCHMARKS.md"]
async fn portal_speed() {
    let mut results = Vec::new();

    // The first load's transfer.
    let app = TestApp::builder()
        .sqlite()
        .static_dir(dist())
        .config_toml(&catalog_toml(200))
        .start()
        .await;
    let index = app.get("/").await.text().await.unwrap();
    let wasm = gzip_bytes(&app, &asset(&index, "_bg.wasm")).await;
    let js = gzip_bytes(&app, &asset(&index, ".js")).await;
    let css: usize = {
        let mut total = 0;
        for part in index
            .split('"')
            .filter(|p| p.starts_with('/') && p.ends_with(".css"))
        {
            total += gzip_bytes(&app, part).await;
        }
        total
    };
    let html = gzip_bytes(&app, "/").await;
    let echarts = gzip_bytes(&app, "/echarts/echarts.min.js").await;
    let first_load = wasm + js + css + html;
    println!(
        "first load (gzip): wasm {wasm} B, js {js} B, css {css} B, html {html} B = {first_load} B; echarts (lazy) {echarts} B"
    );
    results.push(
        json!({ "measure": "first load transfer", "wasm": wasm, "js": js, "css": css,
        "html": html, "total": first_load, "echarts_lazy": echarts }),
    );
    // What a first visit really moves: a fresh browser (empty cache) opening the sign-in page,
    // fonts and icons included, as the browser counts it.
    let fresh = Browser::start().await;
    fresh.client.goto(&app.url("/login")).await.unwrap();
    fresh.wait_for("#login-title").await;
    let transferred = fresh
        .client
        .execute(
            "return performance.getEntriesByType('resource').reduce((s, e) => s + e.transferSize, 0)
                  + performance.getEntriesByType('navigation').reduce((s, e) => s + e.transferSize, 0);",
            vec![],
        )
        .await
        .unwrap();
    println!("a first visit to /login as the browser counts it (fonts included): {transferred} B");
    results.push(json!({ "measure": "first visit, browser's count", "bytes": transferred }));

    // The catalog with 200 models, signed in (local account: the bootstrap administrator).
    let user_app = TestApp::builder()
        .static_dir(dist())
        .config_toml(&catalog_toml(200))
        .start()
        .await;
    let user = user_app.sign_in_as("bench@example.com", &["user"]).await;
    let browser = Browser::start().await;
    browser.use_session(&user_app.base, &user).await;
    let mut samples = Vec::new();
    for _ in 0..RUNS {
        browser
            .client
            .goto(&user_app.url("/catalog"))
            .await
            .unwrap();
        samples.push(
            ms_until(
                &browser,
                "document.querySelectorAll('.sy-model-card').length === 200",
            )
            .await,
        );
    }
    results.push(summary("catalog, 200 models, to every card", samples));

    // The usage page over 30 days of demo data.
    let demo = TestApp::builder()
        .sqlite()
        .static_dir(dist())
        .config_toml(
            "[[models]]\nname = \"granite-3-2-8b-instruct\"\ninput_cost_per_token = 2.0e-7\n\
             output_cost_per_token = 6.0e-7\n[[models.deployments]]\ncluster = \"aws\"\n\
             api_base = \"http://127.0.0.1:9/v1\"\n\n[[models]]\nname = \"llama-3-1-8b-instruct\"\n\
             [[models.deployments]]\ncluster = \"aws\"\napi_base = \"http://127.0.0.1:9/v1\"\n",
        )
        .start()
        .await;
    let database = demo.data_dir.path().join("data/switchyard.sqlite");
    let seeded = tokio::process::Command::new(harness::bin_dir().join("demo-seed"))
        .arg("--database-url")
        .arg(format!("sqlite://{}?mode=rwc", database.display()))
        .args(["--password", "bench-password", "--days", "30"])
        .status()
        .await
        .unwrap();
    assert!(seeded.success());
    let chromium = Browser::start().await;
    chromium.client.goto(&demo.url("/login")).await.unwrap();
    chromium.type_into("#login-name", "demo").await;
    chromium
        .type_into("#login-password", "bench-password")
        .await;
    chromium.click("#login-submit").await;
    chromium.wait_for("#signed-in-as").await;
    let drawn = "document.querySelectorAll('.sy-chart canvas').length === 5 \
                 && document.querySelector('#total-spend') !== null";
    let (mut week, mut month) = (Vec::new(), Vec::new());
    for _ in 0..RUNS {
        chromium.client.goto(&demo.url("/usage")).await.unwrap();
        week.push(ms_until(&chromium, drawn).await);
        let picked = chromium
            .client
            .execute_async(
                "const done = arguments[arguments.length - 1];
                 const start = performance.now();
                 const select = document.querySelector('#usage-period');
                 select.value = '30d';
                 select.dispatchEvent(new Event('change', { bubbles: true }));
                 const check = () => {
                   const range = document.querySelector('#usage-range');
                   const points = document.querySelectorAll('#chart-spend table tbody tr').length;
                   if (range && points >= 30 && document.querySelectorAll('.sy-chart canvas').length === 5) {
                     done(performance.now() - start);
                   } else { requestAnimationFrame(check); }
                 };
                 check();",
                vec![],
            )
            .await
            .unwrap();
        month.push(picked.as_f64().unwrap());
    }
    results.push(summary(
        "usage page (7 days, default) from navigation to charts drawn",
        week,
    ));
    results.push(summary(
        "usage page: Last 30 days picked, to the new charts drawn",
        month,
    ));
    println!("{}", serde_json::to_string(&results).unwrap());
}
