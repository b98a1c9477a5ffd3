//! The audit log page in a real headless Chromium, used the way an administrator uses it:
//! after approving and denying subscriptions, adding a deployment, setting the key policy,
//! publishing a banner and changing the branding, each change is found by filter (action,
//! actor, object, free text, dates) and opens to its before state, input and result; the CSV
//! export holds what the filters select. A read-only administrator reads the same page; a user
//! is not allowed in. The page renders in every language, light and dark, at 1280×800,
//! without serious axe-core findings.
//!
//! Needs the SPA built (`trunk build --release`, which `tests/ci.sh` runs).

#![allow(clippy::unwrap_used, clippy::expect_used)]

use harness::browser::{Browser, LANGUAGES, message_ids};
use harness::{TestApp, TestUser};
use serde_json::{Value, json};

/// An open model and a restricted one; nothing is ever sent to their address.
const CATALOG: &str = "[[models]]\nname = \"granite\"\n\
    [[models.deployments]]\ncluster = \"aws\"\napi_base = \"http://127.0.0.1:9/v1\"\n\n\
    [[models]]\nname = \"restricted/llama\"\nrestricted = true\n\
    [[models.deployments]]\ncluster = \"aws\"\napi_base = \"http://127.0.0.1:9/v1\"\n";

async fn start() -> TestApp {
    TestApp::builder()
        .static_dir(harness::spa_dist())
        .config_toml(CATALOG)
        .start()
        .await
}

/// Runs `operation` as `user` and returns its data, failing on any error.
async fn run(user: &TestUser, operation: &str, variables: Value) -> Value {
    let answer = user.graphql(operation, variables).await;
    assert!(answer["errors"].is_null(), "{operation}: {answer}");
    answer["data"].clone()
}

/// `user` asks for the restricted model; returns the subscription's id.
async fn request_llama(user: &TestUser) -> String {
    let model = run(
        user,
        "{ model(name: \"restricted/llama\") { id } }",
        json!({}),
    )
    .await;
    let asked = run(
        user,
        "mutation($m: ID!) { subscribe(modelId: $m, reason: \"Evaluation\") { id } }",
        json!({ "m": model["model"]["id"] }),
    )
    .await;
    asked["subscribe"]["id"].as_str().unwrap().to_owned()
}

/// The id of the newest entry for `action`.
async fn newest(admin: &TestUser, action: &str) -> String {
    let found = run(
        admin,
        "query($a: String) { auditLog(filter: {action: $a}, first: 1) { nodes { id } } }",
        json!({ "a": action }),
    )
    .await;
    found["auditLog"]["nodes"][0]["id"]
        .as_str()
        .unwrap_or_else(|| panic!("no {action} entry"))
        .to_owned()
}

/// A Chromium at 1280×800 signed in as `user`, on the audit page.
async fn on_audit_page(app: &TestApp, user: &TestUser) -> Browser {
    let browser = Browser::start().await;
    browser.client.set_window_size(1280, 800).await.unwrap();
    browser.use_session(&app.base, user).await;
    browser.client.goto(&app.url("/")).await.unwrap();
    browser.click("#nav-admin-audit").await;
    browser.wait_for("#audit-count").await;
    browser
}

/// Sets the date field `css` to `day` (`YYYY-MM-DD`) as a date picker does, whatever the
/// browser's locale makes of typed digits.
async fn pick_date(browser: &Browser, css: &str, day: &str) {
    browser.wait_for(css).await;
    browser
        .client
        .execute(
            "const field = document.querySelector(arguments[0]); field.value = arguments[1];
             field.dispatchEvent(new Event('change', { bubbles: true }));",
            vec![json!(css), json!(day)],
        )
        .await
        .unwrap();
}

/// Chooses `action` in the action filter (empty: every action).
async fn choose_action(browser: &Browser, action: &str) {
    browser
        .wait_for("#audit-action")
        .await
        .select_by_value(action)
        .await
        .unwrap();
}

/// Where the CSV link points.
async fn csv_href(browser: &Browser) -> String {
    browser
        .wait_for("#audit-csv")
        .await
        .attr("href")
        .await
        .unwrap()
        .expect("an href")
}

/// Empties the text field `css` as a person does (select all, delete) and presses Enter.
async fn clear_and_search(browser: &Browser, css: &str) {
    browser
        .wait_for(css)
        .await
        .send_keys("\u{e009}a\u{e000}\u{e003}\n")
        .await
        .unwrap();
}

/// Waits until the page counts `count` entries (its English wording).
async fn counted(browser: &Browser, count: &str) {
    browser.wait_for_text("#audit-count", |t| t == count).await;
}

/// `GET href` with `user`'s session: the status and the CSV's rows (header first).
async fn export(app: &TestApp, user: &TestUser, href: &str) -> (u16, Vec<String>) {
    let response = user.browser.client.get(app.url(href)).send().await.unwrap();
    let status = response.status().as_u16();
    let text = response.text().await.unwrap();
    (status, text.lines().map(str::to_owned).collect())
}

#[tokio::test]
async fn each_change_is_found_by_filter_opened_and_exported() {
    harness::away_from_midnight().await;
    let app = start().await;
    let ada = app.sign_in_as("ada@example.com", &["admin"]).await;
    let ana = app.sign_in_as("ana@example.com", &["user"]).await;
    let bob = app.sign_in_as("bob@example.com", &["user"]).await;

    // What an administrator changes in a day.
    let approved = request_llama(&ana).await;
    let denied = request_llama(&bob).await;
    run(
        &ada,
        "mutation($ids: [ID!]!) { approveSubscriptions(ids: $ids) { id } }",
        json!({ "ids": [approved] }),
    )
    .await;
    run(
        &ada,
        "mutation($ids: [ID!]!) { denySubscriptions(ids: $ids, reason: \"Not for benchmarks\") { id status } }",
        json!({ "ids": [denied] }),
    )
    .await;
    run(
        &ada,
        "mutation { addDeployment(model: {name: \"mistral\"}, deployment: {cluster: \"gcp\", apiBase: \"http://127.0.0.1:9/v2\"}) { name } }",
        json!({}),
    )
    .await;
    for keys in [7, 9] {
        run(
            &ada,
            "mutation($n: Int) { setKeyPolicy(policy: {maxKeysPerUser: $n}) { maxKeysPerUser } }",
            json!({ "n": keys }),
        )
        .await;
    }
    let banner = run(
        &ada,
        "mutation { createBanner(input: {markdown: \"Maintenance on Friday\"}) { id } }",
        json!({}),
    )
    .await["createBanner"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    run(
        &ada,
        "mutation { updateBranding(input: {subtitle: \"Models for everyone\"}) { title } }",
        json!({}),
    )
    .await;

    let browser = on_audit_page(&app, &ada).await;
    counted(&browser, "9 entries").await;
    // Every action recorded is in the list to filter by.
    let options = browser
        .wait_for("#audit-action")
        .await
        .text()
        .await
        .unwrap();
    for action in [
        "subscribe",
        "approveSubscriptions",
        "denySubscriptions",
        "addDeployment",
        "setKeyPolicy",
        "createBanner",
        "updateBranding",
    ] {
        assert!(options.contains(action), "{action} missing: {options}");
    }

    // By action: the denial opens to what was asked (the reason) and what came of it.
    choose_action(&browser, "denySubscriptions").await;
    counted(&browser, "One entry").await;
    let denial = newest(&ada, "denySubscriptions").await;
    let row = browser
        .wait_for_text(&format!("#audit-row-{denial}"), |t| {
            t.contains("ada@example.com")
        })
        .await;
    assert!(row.contains("denySubscriptions"), "{row}");
    browser.click(&format!("#audit-toggle-{denial}")).await;
    let details = browser
        .wait_for_text(&format!("#audit-details-{denial}"), |t| {
            t.contains("Not for benchmarks")
        })
        .await;
    assert!(
        details.contains("DENIED") && details.contains(&denied),
        "{details}"
    );
    for id in ["approveSubscriptions", "addDeployment"] {
        choose_action(&browser, id).await;
        counted(&browser, "One entry").await;
        browser
            .wait_for_text("#audit-table", |t| t.contains(id))
            .await;
    }

    // The key policy, twice: the second change opens to the policy before it.
    choose_action(&browser, "setKeyPolicy").await;
    counted(&browser, "2 entries").await;
    let policy = newest(&ada, "setKeyPolicy").await;
    browser.click(&format!("#audit-toggle-{policy}")).await;
    let details = browser
        .wait_for_text(&format!("#audit-details-{policy}"), |t| {
            t.contains("Before")
        })
        .await;
    assert!(
        details.contains("keys.policy"),
        "the state before: {details}"
    );
    assert!(
        details.contains("\"maxKeysPerUser\": 9"),
        "the input: {details}"
    );
    browser
        .assert_accessible("the audit log, an entry open")
        .await;
    assert!(
        !browser.overflows_horizontally().await,
        "the audit log scrolls sideways at 1280 px with an entry open"
    );
    // The export holds what the page shows.
    let href = csv_href(&browser).await;
    assert_eq!(href, "/audit.csv?action=setKeyPolicy");
    let (status, rows) = export(&app, &ada, &href).await;
    assert_eq!(status, 200);
    assert_eq!(rows.len(), 3, "{rows:?}");
    assert!(
        rows[1..].iter().all(|r| r.contains(",setKeyPolicy,")),
        "{rows:?}"
    );

    // Free text, any case, over everything recorded: the banner's words, the branding.
    choose_action(&browser, "").await;
    counted(&browser, "9 entries").await;
    browser
        .type_into("#audit-text", "maintenance ON friday\n")
        .await;
    counted(&browser, "One entry").await;
    browser
        .wait_for_text("#audit-table", |t| t.contains("createBanner"))
        .await;
    browser
        .type_into("#audit-text", "Models for everyone")
        .await;
    browser.click("#audit-search").await;
    counted(&browser, "One entry").await;
    browser
        .wait_for_text("#audit-table", |t| t.contains("updateBranding"))
        .await;
    let href = csv_href(&browser).await;
    assert_eq!(href, "/audit.csv?text=Models%20for%20everyone");
    let (status, rows) = export(&app, &ada, &href).await;
    assert_eq!((status, rows.len()), (200, 2), "{rows:?}");
    assert!(rows[1].contains(",updateBranding,"), "{rows:?}");

    // By object (the banner's id) and by actor.
    clear_and_search(&browser, "#audit-text").await;
    counted(&browser, "9 entries").await;
    browser
        .type_into("#audit-object", &format!("{}\n", &banner[..8]))
        .await;
    counted(&browser, "One entry").await;
    browser
        .wait_for_text("#audit-table", |t| t.contains("createBanner"))
        .await;
    clear_and_search(&browser, "#audit-object").await;
    browser.type_into("#audit-actor", "BOB@\n").await;
    counted(&browser, "One entry").await;
    browser
        .wait_for_text("#audit-table", |t| {
            t.contains("bob@example.com") && t.contains("subscribe")
        })
        .await;
    clear_and_search(&browser, "#audit-actor").await;
    counted(&browser, "9 entries").await;

    // By dates: today holds everything, tomorrow nothing.
    let today = chrono::Utc::now().date_naive();
    let tomorrow = today.succ_opt().unwrap();
    pick_date(&browser, "#audit-since", &today.to_string()).await;
    pick_date(&browser, "#audit-until", &today.to_string()).await;
    counted(&browser, "9 entries").await;
    pick_date(&browser, "#audit-since", &tomorrow.to_string()).await;
    pick_date(&browser, "#audit-until", &tomorrow.to_string()).await;
    counted(&browser, "No entries").await;
    browser.wait_for(".pf-v6-c-empty-state").await;

    // Only administrators export: a user is refused, and so is anyone signed out.
    assert_eq!(export(&app, &ana, "/audit.csv").await.0, 403);
    let anonymous = app.client.get(app.url("/audit.csv")).send().await.unwrap();
    assert_eq!(anonymous.status(), 401);
}

#[tokio::test]
async fn a_read_only_administrator_reads_the_log_and_a_user_is_not_allowed() {
    let app = start().await;
    let ada = app.sign_in_as("ada@example.com", &["admin"]).await;
    let reader = app
        .sign_in_as("audit@example.com", &["admin-readonly"])
        .await;
    let ana = app.sign_in_as("ana@example.com", &["user"]).await;
    run(
        &ada,
        "mutation { createBanner(input: {markdown: \"Hello readers\"}) { id } }",
        json!({}),
    )
    .await;
    let entry = newest(&ada, "createBanner").await;

    let browser = on_audit_page(&app, &reader).await;
    counted(&browser, "One entry").await;
    browser.click(&format!("#audit-toggle-{entry}")).await;
    browser
        .wait_for_text(&format!("#audit-details-{entry}"), |t| {
            t.contains("Hello readers")
        })
        .await;
    let href = csv_href(&browser).await;
    let (status, rows) = export(&app, &reader, &href).await;
    assert_eq!((status, rows.len()), (200, 2), "{rows:?}");

    // A user has no such page, nor its nav item.
    browser.use_session(&app.base, &ana).await;
    browser.client.goto(&app.url("/")).await.unwrap();
    browser.wait_for("#nav-home").await;
    assert!(
        browser
            .client
            .find(fantoccini::Locator::Css("#nav-admin-audit"))
            .await
            .is_err()
    );
    browser.client.goto(&app.url("/admin/audit")).await.unwrap();
    browser.wait_for("#not-allowed").await;
}

#[tokio::test]
async fn the_audit_page_renders_in_every_language_light_and_dark() {
    let app = start().await;
    let ada = app.sign_in_as("ada@example.com", &["admin"]).await;
    let ana = app.sign_in_as("ana@example.com", &["user"]).await;
    run(
        &ada,
        "mutation { createBanner(input: {markdown: \"**Welcome**\", audience: [USER]}) { id } }",
        json!({}),
    )
    .await;
    // A refused change shows as refused, with why.
    ana.graphql(
        "mutation { createBanner(input: {markdown: \"mine\"}) { id } }",
        json!({}),
    )
    .await;
    let refused = newest(&ada, "createBanner").await;
    let browser = on_audit_page(&app, &ada).await;
    let page = &browser.client;

    for theme in ["light", "dark"] {
        browser.prefer(theme, "en").await;
        page.goto(&app.url("/admin/audit")).await.unwrap();
        counted(&browser, "2 entries").await;
        browser.click(&format!("#audit-toggle-{refused}")).await;
        browser
            .wait_for_text(&format!("#audit-details-{refused}"), |t| {
                t.contains("Refused: only administrators may change this")
            })
            .await;
        tokio::time::sleep(std::time::Duration::from_millis(300)).await;
        browser
            .assert_accessible(&format!("the audit log ({theme})"))
            .await;
        assert!(
            !browser.overflows_horizontally().await,
            "the audit log scrolls sideways at 1280 px ({theme})"
        );
        browser.screenshot(&format!("admin-audit-{theme}")).await;
    }

    let mut headings = std::collections::BTreeSet::new();
    for language in LANGUAGES {
        browser.prefer("light", language).await;
        page.goto(&app.url("/admin/audit")).await.unwrap();
        browser.wait_for(&format!("#audit-row-{refused}")).await;
        browser.click(&format!("#audit-toggle-{refused}")).await;
        browser.wait_for(&format!("#audit-details-{refused}")).await;
        let text = browser.wait_for("main").await.text().await.unwrap();
        let ids = message_ids(&text, &["audit-", "nav-admin"]);
        assert!(
            ids.is_empty(),
            "{language} shows message ids {ids:?}: {text}"
        );
        headings.insert(
            browser
                .wait_for_text("#audit-title", |t| !t.is_empty())
                .await,
        );
    }
    assert_eq!(
        headings.len(),
        LANGUAGES.len(),
        "each language has its own heading: {headings:?}"
    );
}
