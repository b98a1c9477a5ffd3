//! The administration console in a real headless Chromium, used the way an administrator uses
//! it: requests for a restricted model appear in the queue while it is open, are approved in
//! bulk (and the users' keys reach the model) or denied with a reason the user then reads;
//! the key policy changed on the settings page is what a user's create-key dialog enforces;
//! a banner published for users reaches a user, who dismisses it, and not the administrator.
//! On a user's page an administrator changes the limits of their key within the key policy,
//! revokes their token and ends their session, which then stop working.
//! A read-only administrator walks the same pages with every change control disabled, and a
//! user is not allowed in. Every admin page renders in every language, light and dark, at
//! 1280×800, without serious axe-core findings.
//!
//! Needs the SPA built (`trunk build --release`, which `tests/ci.sh` runs).

#![allow(clippy::unwrap_used, clippy::expect_used)]

use harness::browser::{Browser, LANGUAGES};
use harness::{MockUpstream, TestApp, TestUser};
use serde_json::{Value, json};

/// An open chat model and a restricted one, both on the mock model server.
fn catalog(mock: &MockUpstream) -> String {
    let model = |name: &str, extra: &str| {
        format!(
            "[[models]]\nname = \"{name}\"\nprovider = \"hosted_vllm\"\ncapabilities = [\"chat\"]\n{extra}\n\
             [[models.deployments]]\ncluster = \"{}\"\napi_base = \"{}/v1\"\nbackend_model = \"granite\"\n\n",
            mock.name, mock.base
        )
    };
    [
        model("ibm/granite", ""),
        model("restricted/llama", "restricted = true"),
    ]
    .concat()
}

async fn start() -> (MockUpstream, TestApp) {
    let mock = MockUpstream::start("aws", &["granite"], &[]).await;
    let app = TestApp::builder()
        .static_dir(harness::spa_dist())
        .config_toml(&catalog(&mock))
        .start()
        .await;
    (mock, app)
}

/// The id of the model called `name`.
async fn model_id(user: &TestUser, name: &str) -> Value {
    let found = user
        .graphql(
            "query($n: String!) { model(name: $n) { id } }",
            json!({ "n": name }),
        )
        .await;
    found["data"]["model"]["id"].clone()
}

/// `user` asks for the restricted model with `reason`; returns the subscription's id.
async fn request_llama(user: &TestUser, reason: &str) -> String {
    let model = model_id(user, "restricted/llama").await;
    let asked = user
        .graphql(
            "mutation($m: ID!, $r: String) { subscribe(modelId: $m, reason: $r) { id status } }",
            json!({ "m": model, "r": reason }),
        )
        .await;
    assert_eq!(asked["data"]["subscribe"]["status"], "PENDING", "{asked}");
    asked["data"]["subscribe"]["id"]
        .as_str()
        .unwrap()
        .to_owned()
}

/// A Chromium at 1280×800 signed in as `user`.
async fn desktop_browser(app: &TestApp, user: &TestUser) -> Browser {
    let browser = Browser::start().await;
    browser.client.set_window_size(1280, 800).await.unwrap();
    browser.use_session(&app.base, user).await;
    browser
}

#[tokio::test]
async fn requests_appear_in_the_queue_live_and_are_approved_or_denied_in_bulk() {
    let (_mock, app) = start().await;
    let admin = app.sign_in_as("ada@example.com", &["admin"]).await;
    let ana = app.sign_in_as("ana@example.com", &["user"]).await;
    let bob = app.sign_in_as("bob@example.com", &["user"]).await;
    let cy = app.sign_in_as("cy@example.com", &["user"]).await;
    let browser = desktop_browser(&app, &admin).await;
    let page = &browser.client;

    // The administrator opens the queue from the nav: nothing waits yet.
    page.goto(&app.url("/")).await.unwrap();
    browser.click("#nav-admin-queue").await;
    browser
        .wait_for_text("#queue-count", |t| t == "0 subscriptions")
        .await;

    // Three people ask for the restricted model while the page is open: their requests
    // appear without a reload, with their names, e-mails and reasons.
    let ana_request = request_llama(&ana, "Support bot evaluation").await;
    let bob_request = request_llama(&bob, "Benchmarking").await;
    let cy_request = request_llama(&cy, "Just curious").await;
    browser
        .wait_for_text("#queue-count", |t| t == "3 subscriptions")
        .await;
    let row = browser
        .wait_for_text(&format!("#queue-row-{ana_request}"), |t| {
            t.contains("ana@example.com") && t.contains("Support bot evaluation")
        })
        .await;
    assert!(row.contains("restricted/llama"), "{row}");
    // The nav counts what waits.
    browser
        .wait_for_text("#nav-admin-queue-count", |t| t == "3")
        .await;
    browser.assert_accessible("the queue").await;

    // Filters: by user (name, e-mail or id) and by status.
    browser.type_into("#queue-user", "bob@\n").await;
    browser
        .wait_for_text("#queue-count", |t| t == "One subscription")
        .await;
    browser.wait_for(&format!("#queue-row-{bob_request}")).await;
    // Deleted key by key, as a person would, then Enter.
    browser
        .wait_for("#queue-user")
        .await
        .send_keys("\u{e003}\u{e003}\u{e003}\u{e003}\n")
        .await
        .unwrap();
    browser
        .wait_for_text("#queue-count", |t| t == "3 subscriptions")
        .await;

    // Approve Ana's and Bob's requests together.
    browser.click(&format!("#queue-select-{ana_request}")).await;
    browser.click(&format!("#queue-select-{bob_request}")).await;
    browser
        .wait_for_text("#queue-approve", |t| t == "Approve (2)")
        .await;
    browser.click("#queue-approve").await;
    browser
        .wait_for_text("#toasts", |t| t.contains("2 requests approved."))
        .await;
    browser
        .wait_for_text("#queue-count", |t| t == "One subscription")
        .await;

    // Their keys reach the model now.
    for user in [&ana, &bob] {
        let model = model_id(user, "restricted/llama").await;
        let made = user
            .graphql(
                "mutation($m: ID!) { createKey(input: {name: \"llama\", modelIds: [$m]}) { secret } }",
                json!({ "m": model }),
            )
            .await;
        let key = made["data"]["createKey"]["secret"].as_str().unwrap();
        let reply = app
            .post_with_key(
                "/v1/chat/completions",
                &json!({ "model": "restricted/llama", "messages": [{ "role": "user", "content": "hi" }] }),
                key,
            )
            .await;
        assert_eq!(reply.status(), 200);
    }

    // Deny Cy's request: the reason is required, and Cy reads it.
    browser.click(&format!("#queue-select-{cy_request}")).await;
    browser.click("#queue-deny").await;
    browser.click("#deny-send").await;
    browser
        .wait_for_text("#deny-reason-help", |t| t.contains("Give a reason"))
        .await;
    browser.assert_accessible("the deny dialog").await;
    browser
        .type_into("#deny-reason", "Only for the support team")
        .await;
    browser.click("#deny-send").await;
    browser
        .wait_for_text("#toasts", |t| t.contains("One request denied."))
        .await;
    browser
        .wait_for_text("#queue-count", |t| t == "0 subscriptions")
        .await;
    browser
        .wait_for_text("#nav-admin-queue", |t| !t.contains('3'))
        .await;

    // Every status: the decisions with their history; revert the denial.
    browser
        .wait_for("#queue-status")
        .await
        .select_by_value("")
        .await
        .unwrap();
    browser
        .wait_for_text(&format!("#queue-row-{cy_request}"), |t| {
            t.contains("Denied") && t.contains("Only for the support team")
        })
        .await;
    let revert = format!("#queue-revert-restricted-llama-{cy_request}");
    browser.click(&revert).await;
    browser.click("#revert-dialog-confirm").await;
    browser
        .wait_for_text("#toasts", |t| t.contains("waiting again"))
        .await;
    browser
        .wait_for_text(&format!("#queue-row-{cy_request}"), |t| {
            t.contains("Waiting for approval")
        })
        .await;

    // Deny it again; Cy sees the reason on their subscriptions page.
    let denied = admin
        .graphql(
            "mutation($ids: [ID!]!) { denySubscriptions(ids: $ids, reason: \"Ask your manager first\") { status } }",
            json!({ "ids": [cy_request] }),
        )
        .await;
    assert_eq!(denied["data"]["denySubscriptions"][0]["status"], "DENIED");
    browser.use_session(&app.base, &cy).await;
    page.goto(&app.url("/subscriptions")).await.unwrap();
    browser
        .wait_for_text("#subscription-restricted-llama", |t| {
            t.contains("Denied") && t.contains("Ask your manager first")
        })
        .await;
    // A user has no administration, and its addresses say so.
    assert!(
        page.find(fantoccini::Locator::Css("#nav-admin"))
            .await
            .is_err()
    );
    page.goto(&app.url("/admin/subscriptions")).await.unwrap();
    browser.wait_for("#not-allowed").await;
}

#[tokio::test]
async fn the_key_policy_and_banners_set_by_an_administrator_reach_users() {
    let (_mock, app) = start().await;
    let admin = app.sign_in_as("ada@example.com", &["admin"]).await;
    let lee = app.sign_in_as("lee@example.com", &["user"]).await;
    let model = model_id(&lee, "ibm/granite").await;
    lee.graphql(
        "mutation($m: ID!) { subscribe(modelId: $m) { id } }",
        json!({ "m": model }),
    )
    .await;
    let browser = desktop_browser(&app, &admin).await;
    let page = &browser.client;

    // Settings: keys may ask for at most 100 requests a minute and live at most 90 days.
    page.goto(&app.url("/")).await.unwrap();
    browser.click("#nav-admin-settings").await;
    browser.type_into("#policy-max-rpm", "100").await;
    browser.type_into("#policy-max-expiry", "90").await;
    browser.type_into("#policy-default-expiry", "30").await;
    browser.assert_accessible("the settings page").await;
    browser.click("#settings-save").await;
    browser
        .wait_for_text("#toasts", |t| t.contains("Settings saved."))
        .await;
    // What was saved is what the page shows after a reload.
    page.refresh().await.unwrap();
    let stored = browser.wait_for("#policy-max-rpm").await;
    let deadline = std::time::Instant::now() + harness::browser::PAGE_TIMEOUT;
    while stored.prop("value").await.unwrap().as_deref() != Some("100") {
        assert!(
            std::time::Instant::now() < deadline,
            "the policy was not stored"
        );
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    // A number field that is not a number is named, and nothing is saved.
    browser.type_into("#policy-max-tpm", "-5").await;
    browser.click("#settings-save").await;
    browser
        .wait_for_text("#settings-error", |t| t.contains("Most tokens per minute"))
        .await;

    // Banners: one for users only, previewed as the server renders it.
    browser.click("#nav-admin-banners").await;
    browser.click("#banner-new").await;
    browser
        .type_into(
            "#banner-text",
            "**Maintenance** on Friday <script>alert(1)</script>",
        )
        .await;
    let preview = browser
        .wait_for_text("#banner-preview", |t| t.contains("Maintenance on Friday"))
        .await;
    assert!(!preview.contains("script"), "{preview}");
    browser.wait_for("#banner-preview strong").await;
    browser.click("#banner-audience-user").await;
    browser
        .wait_for("#banner-variant")
        .await
        .select_by_value("WARNING")
        .await
        .unwrap();
    browser.assert_accessible("the banner editor").await;
    browser.click("#banner-save").await;
    browser
        .wait_for_text("#banners-table", |t| {
            t.contains("Maintenance on Friday") && t.contains("Showing") && t.contains("User")
        })
        .await;
    // The administrator is not its audience: no banner on their pages.
    page.goto(&app.url("/")).await.unwrap();
    browser.wait_for("#nav-home").await;
    assert!(
        page.find(fantoccini::Locator::Css(".sy-banners .sy-banner"))
            .await
            .is_err(),
        "an administrator sees a banner meant for users"
    );

    // The user sees the banner and dismisses it for good.
    browser.use_session(&app.base, &lee).await;
    page.goto(&app.url("/keys")).await.unwrap();
    browser
        .wait_for_text(".sy-banners", |t| t.contains("Maintenance on Friday"))
        .await;
    browser.click(".sy-banners .sy-banner button").await;
    browser.wait_gone(".sy-banners .sy-banner").await;

    // The create-key dialog follows the new policy: the maximum is shown, "never expires"
    // is gone, and a key over the maximum is refused with the server's reason.
    browser.click("#create-key").await;
    browser
        .wait_for_text("#key-rpm-hint", |t| t.contains("100"))
        .await;
    let expiry = browser
        .wait_for("#key-expiry")
        .await
        .html(false)
        .await
        .unwrap();
    assert!(!expiry.contains("value=\"never\""), "{expiry}");
    browser.type_into("#key-name", "too fast").await;
    browser.click("#key-model-ibm-granite").await;
    browser.type_into("#key-rpm", "500").await;
    browser.click("#key-form-submit").await;
    browser
        .wait_for_text("#key-form-error", |t| t.contains("100"))
        .await;
    browser.type_into("#key-rpm", "100").await;
    browser.click("#key-form-submit").await;
    browser.wait_for("#new-key-secret").await;
    browser.click("#secret-done").await;

    // After a reload the dismissed banner stays away.
    page.refresh().await.unwrap();
    browser.wait_for("#keys-title").await;
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    assert!(
        page.find(fantoccini::Locator::Css(".sy-banners .sy-banner"))
            .await
            .is_err(),
        "a dismissed banner came back"
    );
}

#[tokio::test]
async fn a_deployment_added_after_a_connection_test_serves_and_its_health_is_shown() {
    let configured = MockUpstream::start("aws", &["granite"], &[]).await;
    let mut gaudi =
        MockUpstream::start("gaudi", &["llama-70b"], &["--api-key", "gaudi-secret"]).await;
    let app = TestApp::builder()
        .static_dir(harness::spa_dist())
        .config_toml(&format!(
            "[gateway]\nhealth_check_interval_seconds = 1\n\
             credentials_key = \"MTExMTExMTExMTExMTExMTExMTExMTExMTExMTExMTE=\"\n\n{}",
            catalog(&configured)
        ))
        .start()
        .await;
    let admin = app.sign_in_as("ada@example.com", &["admin"]).await;
    let browser = desktop_browser(&app, &admin).await;
    let page = &browser.client;
    page.goto(&app.url("/")).await.unwrap();
    browser.click("#nav-admin-models").await;

    // Configured models are shown read-only, with where they are declared.
    let declared = browser
        .wait_for_text("#admin-model-ibm-granite-declared", |t| !t.is_empty())
        .await;
    assert!(
        declared.contains(&app.config_path().display().to_string()),
        "{declared}"
    );
    browser
        .wait_for_text("#admin-model-ibm-granite", |t| {
            t.contains("From configuration")
        })
        .await;
    for control in [
        "#model-edit-ibm-granite",
        "#deployment-ibm-granite-aws-edit",
    ] {
        assert!(
            !browser.wait_for(control).await.is_enabled().await.unwrap(),
            "{control}"
        );
    }
    browser.assert_accessible("the models page").await;

    // A new model on the Gaudi cluster: a wrong credential fails the test, the right one
    // passes and lists what the server serves, which fills the backend name.
    browser.click("#deployment-new").await;
    browser.type_into("#model-name", "gaudi/llama").await;
    browser.type_into("#deployment-cluster", "gaudi").await;
    browser
        .type_into("#deployment-api-base", &gaudi.url("/v1"))
        .await;
    browser.type_into("#deployment-api-key", "wrong").await;
    browser.click("#connection-test").await;
    browser
        .wait_for_text("#connection-result", |t| {
            t.contains("The connection failed")
                && t.contains("refused the credential")
                && t.contains("401")
        })
        .await;
    browser
        .type_into("#deployment-api-key", "gaudi-secret")
        .await;
    browser.click("#connection-test").await;
    browser
        .wait_for_text("#connection-result", |t| {
            t.contains("The model server answered") && t.contains("llama-70b")
        })
        .await;
    browser.click("#use-backend-llama-70b").await;
    let backend = browser.wait_for("#deployment-backend-model").await;
    assert_eq!(
        backend.prop("value").await.unwrap().as_deref(),
        Some("llama-70b")
    );
    browser.type_into("#model-input-price", "0.5").await;
    browser.assert_accessible("the add-deployment dialog").await;
    browser.click("#deployment-save").await;
    browser
        .wait_for_text("#toasts", |t| {
            t.contains("gaudi/llama has a new deployment.")
        })
        .await;
    browser
        .wait_for_text("#admin-model-gaudi-llama", |t| t.contains("llama-70b"))
        .await;

    // It serves /v1 with the sealed credential.
    let chat = json!({ "model": "gaudi/llama", "messages": [{ "role": "user", "content": "hi" }] });
    let deadline = std::time::Instant::now() + harness::browser::PAGE_TIMEOUT;
    loop {
        let status = app
            .post_as_master("/v1/chat/completions", &chat)
            .await
            .status();
        if status == 200 {
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "never served: {status}"
        );
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }
    browser
        .wait_for_text("#deployment-gaudi-llama-gaudi-health", |t| {
            t.contains("healthy")
        })
        .await;

    // Its weight changes.
    browser.click("#deployment-gaudi-llama-gaudi-edit").await;
    browser.type_into("#deployment-weight", "5").await;
    browser.type_into("#deployment-parallel", "16").await;
    browser.click("#deployment-edit-save").await;
    browser
        .wait_for_text("#deployment-gaudi-llama-gaudi", |t| {
            t.contains('5') && t.contains("16")
        })
        .await;

    // Its model server goes down: the page shows the deployment failing its health checks.
    gaudi.kill().await;
    browser
        .wait_for_text("#deployment-gaudi-llama-gaudi-health", |t| {
            t.contains("failing health checks")
        })
        .await;

    // Restricting the model from its edit dialog.
    browser.click("#model-edit-gaudi-llama").await;
    browser.click("#edit-model-restricted").await;
    browser.click("#model-edit-save").await;
    browser
        .wait_for_text("#admin-model-gaudi-llama", |t| t.contains("Restricted"))
        .await;

    // The configuration is read again on demand.
    browser.click("#models-reload").await;
    browser
        .wait_for_text("#toasts", |t| {
            t.contains("Configuration unchanged: 3 models")
        })
        .await;

    // Removing its only deployment takes the model along.
    browser.click("#deployment-gaudi-llama-gaudi-remove").await;
    browser.click("#deployment-remove-dialog-confirm").await;
    browser.wait_gone("#admin-model-gaudi-llama").await;
}

#[tokio::test]
async fn everyones_usage_is_split_by_user_cluster_and_provider_and_exported() {
    let (_mock, app) = start().await;
    let admin = app.sign_in_as("ada@example.com", &["admin"]).await;
    let chat = json!({ "model": "ibm/granite", "messages": [{ "role": "user", "content": "hi" }] });
    for (name, requests) in [("ana@example.com", 3), ("bob@example.com", 2)] {
        let user = app.sign_in_as(name, &["user"]).await;
        let key = user.key_for("ibm/granite", "usage").await;
        for _ in 0..requests {
            let reply = app.post_with_key("/v1/chat/completions", &chat, &key).await;
            assert_eq!(reply.status(), 200);
        }
    }
    let browser = desktop_browser(&app, &admin).await;
    let page = &browser.client;
    page.goto(&app.url("/")).await.unwrap();
    browser.click("#nav-admin-usage").await;
    // Everyone's requests, once the ledger has written them.
    browser
        .wait_for_text("#total-requests", |t| t.lines().any(|l| l.trim() == "5"))
        .await;
    let select = |value: &'static str| {
        let browser = &browser;
        async move {
            browser
                .wait_for("#usage-group")
                .await
                .select_by_value(value)
                .await
                .unwrap();
        }
    };
    select("USER").await;
    browser
        .wait_for_text("#usage-top", |t| {
            t.contains("ana@example.com") && t.contains("bob@example.com")
        })
        .await;
    browser.assert_accessible("everyone's usage").await;
    select("CLUSTER").await;
    browser
        .wait_for_text("#usage-top", |t| t.contains("aws") && !t.contains("ana@"))
        .await;
    select("PROVIDER").await;
    browser
        .wait_for_text("#usage-top", |t| t.contains("hosted_vllm"))
        .await;
    // The CSV is everyone's too, split the same way.
    let href = browser
        .wait_for("#usage-csv")
        .await
        .attr("href")
        .await
        .unwrap()
        .unwrap();
    assert!(
        href.contains("all_users=true") && href.contains("group_by=provider"),
        "{href}"
    );
    let csv = admin
        .browser
        .client
        .get(app.url(&href))
        .send()
        .await
        .unwrap();
    assert_eq!(csv.status(), 200);
    let text = csv.text().await.unwrap();
    assert!(
        text.lines().skip(1).any(|l| l.contains("hosted_vllm")),
        "{text}"
    );
}

#[tokio::test]
async fn an_administrator_finds_a_user_and_changes_their_limits_access_keys_and_state() {
    let (_mock, app) = start().await;
    let admin = app.sign_in_as("ada@example.com", &["admin"]).await;
    let ana = app.sign_in_as("ana@example.com", &["user"]).await;
    app.sign_in_as("bob@example.com", &["user"]).await;
    let key = ana.key_for("ibm/granite", "notebook").await;
    let (_, token) = ana.access_token(false, None).await;
    let browser = desktop_browser(&app, &admin).await;
    let page = &browser.client;
    page.goto(&app.url("/")).await.unwrap();
    browser.click("#nav-admin-users").await;

    // Search, role and state filters.
    browser
        .wait_for_text("#users-table", |t| {
            t.contains("ana@example.com") && t.contains("bob@example.com")
        })
        .await;
    browser.type_into("#users-search", "ana@\n").await;
    browser
        .wait_for_text("#users-count", |t| t == "One user")
        .await;
    browser.assert_accessible("the users list").await;
    browser
        .wait_for("#users-search")
        .await
        .send_keys("\u{e003}\u{e003}\u{e003}\u{e003}\n")
        .await
        .unwrap();
    browser
        .wait_for("#users-role")
        .await
        .select_by_value("ADMIN")
        .await
        .unwrap();
    browser
        .wait_for_text("#users-table", |t| {
            t.contains("ada@example.com") && !t.contains("ana@example.com")
        })
        .await;
    browser
        .wait_for("#users-role")
        .await
        .select_by_value("")
        .await
        .unwrap();

    // Ana's page: her sessions, tokens and key.
    browser.click(&format!("#user-row-{} a", ana.id)).await;
    browser
        .wait_for_text("#user-title", |t| t == "ana@example.com")
        .await;
    browser
        .wait_for_text("#user-tokens", |t| {
            t.contains("test") && t.contains("Read only")
        })
        .await;
    browser.wait_for("#user-sessions li").await;
    browser
        .wait_for_text("#user-keys", |t| {
            t.contains("notebook") && t.contains("ibm/granite")
        })
        .await;
    browser.assert_accessible("a user's page").await;

    // Limits: a requests-per-minute cap, saved and shown again after a reload.
    browser.type_into("#user-rpm", "2").await;
    browser.click("#user-save").await;
    browser
        .wait_for_text("#toasts", |t| t.contains("User updated."))
        .await;
    page.refresh().await.unwrap();
    let rpm = browser.wait_for("#user-rpm").await;
    let deadline = std::time::Instant::now() + harness::browser::PAGE_TIMEOUT;
    while rpm.prop("value").await.unwrap().as_deref() != Some("2") {
        assert!(
            std::time::Instant::now() < deadline,
            "the limit was not stored"
        );
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }

    // Access to the restricted model, given and withdrawn.
    browser
        .wait_for("#user-grant-model")
        .await
        .select_by_value(model_id(&ana, "restricted/llama").await.as_str().unwrap())
        .await
        .unwrap();
    browser.click("#user-grant-send").await;
    browser
        .wait_for_text("#user-subscription-restricted-llama", |t| {
            t.contains("Active")
        })
        .await;
    browser.click("#user-withdraw-restricted-llama").await;
    browser.click("#user-withdraw-dialog-confirm").await;
    browser
        .wait_for_text("#user-subscription-restricted-llama", |t| {
            t.contains("Denied")
        })
        .await;

    // Her key's limits, in the keys page's form: past the key policy's maximum the server's
    // refusal shows in the dialog; within it they are saved.
    admin
        .set_key_policy(json!({ "maxKeysPerUser": 10, "maxRpmLimit": 100 }))
        .await;
    let key_row = browser.wait_for("#user-keys tbody tr").await;
    let row_id = key_row.attr("id").await.unwrap().unwrap();
    let key_id = row_id.trim_start_matches("user-key-").to_owned();
    browser.click(&format!("#user-key-edit-{key_id}")).await;
    browser.wait_for("#user-key-limits-dialog").await;
    browser.type_into("#key-rpm", "500").await;
    browser.click("#user-key-limits-save").await;
    let refusal = browser
        .wait_for_text("#user-key-limits-error", |t| !t.is_empty())
        .await;
    assert!(refusal.contains("100"), "{refusal}");
    browser.assert_accessible("a key's limits dialog").await;
    browser.type_into("#key-rpm", "40").await;
    browser.type_into("#key-tpm", "8000").await;
    browser.click("#user-key-limits-save").await;
    browser
        .wait_for_text("#toasts", |t| t.contains("Key limits saved."))
        .await;
    browser.wait_gone("#user-key-limits-dialog").await;
    let stored = ana
        .graphql("{ myKeys { nodes { rpmLimit tpmLimit } } }", json!({}))
        .await;
    assert_eq!(
        stored["data"]["myKeys"]["nodes"][0],
        json!({ "rpmLimit": 40, "tpmLimit": 8000 }),
        "{stored}"
    );

    // Her key, revoked: refused at the gateway.
    browser.click(&format!("#user-key-revoke-{key_id}")).await;
    browser.click("#user-revoke-dialog-confirm").await;
    browser
        .wait_for_text(&format!("#{row_id}"), |t| t.contains("Revoked"))
        .await;
    let chat = json!({ "model": "ibm/granite", "messages": [{ "role": "user", "content": "hi" }] });
    let deadline = std::time::Instant::now() + harness::browser::PAGE_TIMEOUT;
    while app
        .post_with_key("/v1/chat/completions", &chat, &key)
        .await
        .status()
        == 200
    {
        assert!(
            std::time::Instant::now() < deadline,
            "a revoked key still works"
        );
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }

    // Spend reset, confirmed.
    browser.click("#user-reset-spend").await;
    browser.click("#user-reset-dialog-confirm").await;
    browser
        .wait_for_text("#toasts", |t| t.contains("Spend reset."))
        .await;

    // Deactivated: the dialog says what happens, and her session stops at once.
    browser.click("#user-deactivate").await;
    let question = browser
        .wait_for_text("#user-deactivate-dialog", |t| !t.is_empty())
        .await;
    assert!(question.contains("sessions end"), "{question}");
    browser.click("#user-deactivate-dialog-confirm").await;
    browser
        .wait_for_text("#user-status", |t| t.starts_with("Deactivated"))
        .await;
    let refused = ana.graphql("{ myAccount { id } }", json!({})).await;
    assert_eq!(
        refused["errors"][0]["extensions"]["code"], "UNAUTHENTICATED",
        "{refused}"
    );
    browser.click("#user-reactivate").await;
    browser
        .wait_for_text("#user-status", |t| t.starts_with("Active"))
        .await;

    // Reactivated, her token and session work again; revoked and ended from her page, they
    // stop.
    let account = "{ myAccount { externalId } }";
    let (status, answer) = app.graphql_bearer(&token, account, json!({})).await;
    assert_eq!(status, 200, "{answer}");
    assert_eq!(answer["data"]["myAccount"]["externalId"], "ana@example.com");
    browser.click("[id^='user-token-revoke-']").await;
    browser.click("#user-token-dialog-confirm").await;
    browser
        .wait_for_text("#user-tokens", |t| t.contains("Revoked"))
        .await;
    let (status, answer) = app.graphql_bearer(&token, account, json!({})).await;
    assert_eq!(status, 401, "a revoked token still works: {answer}");
    let answer = ana.graphql(account, json!({})).await;
    assert_eq!(answer["data"]["myAccount"]["externalId"], "ana@example.com");
    browser.click("[id^='user-session-end-']").await;
    let question = browser
        .wait_for_text("#user-session-dialog", |t| !t.is_empty())
        .await;
    assert!(question.contains("signed out"), "{question}");
    browser.click("#user-session-dialog-confirm").await;
    browser
        .wait_for_text("#user-sessions", |t| t == "Not signed in anywhere.")
        .await;
    let ended = ana.graphql(account, json!({})).await;
    assert_eq!(
        ended["errors"][0]["extensions"]["code"], "UNAUTHENTICATED",
        "{ended}"
    );
}

#[tokio::test]
async fn a_new_local_user_chooses_a_password_through_the_link_and_signs_in() {
    let (_mock, app) = start().await;
    let admin = app.sign_in_as("ada@example.com", &["admin"]).await;
    let browser = desktop_browser(&app, &admin).await;
    let page = &browser.client;
    page.goto(&app.url("/admin/users")).await.unwrap();

    // The administrator makes the account and is shown the link once.
    browser.click("#user-new").await;
    browser
        .type_into("#new-user-email", "nia@example.com")
        .await;
    browser.type_into("#new-user-name", "Nia Newhire").await;
    browser.assert_accessible("the new-user dialog").await;
    browser.click("#new-user-save").await;
    let link = browser
        .wait_for("#setup-link")
        .await
        .prop("value")
        .await
        .unwrap()
        .unwrap();
    assert!(link.starts_with(&app.url("/set-password#")), "{link}");
    browser
        .wait_for_text("#setup-link-dialog", |t| t.contains("(UTC)"))
        .await;
    browser.click("#setup-link-done").await;
    browser
        .wait_for_text("#users-table", |t| t.contains("Nia Newhire"))
        .await;

    // Signed out, Nia opens the link: the secret leaves the address bar at once.
    page.delete_all_cookies().await.unwrap();
    page.goto(&link).await.unwrap();
    browser.wait_for("#set-password-form").await;
    let shown = page.current_url().await.unwrap();
    assert!(shown.fragment().is_none(), "{shown}");
    browser.assert_accessible("the set-password page").await;
    browser
        .type_into("#new-password", "nias new password")
        .await;
    browser
        .type_into("#new-password-again", "nias new passw0rd")
        .await;
    browser.click("#set-password-save").await;
    browser
        .wait_for_text("#set-password-error", |t| t.contains("differ"))
        .await;
    browser
        .type_into("#new-password-again", "nias new password")
        .await;
    browser.click("#set-password-save").await;
    browser.wait_for("#set-password-done a").await;
    browser.click("#set-password-done a").await;
    browser.type_into("#login-name", "nia@example.com").await;
    browser
        .type_into("#login-password", "nias new password")
        .await;
    browser.click("#login-submit").await;
    browser
        .wait_for_text("#signed-in-as", |t| t == "Nia Newhire")
        .await;

    // The link worked once.
    page.delete_all_cookies().await.unwrap();
    page.goto(&link).await.unwrap();
    browser
        .type_into("#new-password", "another long password")
        .await;
    browser
        .type_into("#new-password-again", "another long password")
        .await;
    browser.click("#set-password-save").await;
    browser
        .wait_for_text("#set-password-error", |t| t.contains("not valid"))
        .await;
}

/// Each admin page and what shows it is ready.
const ADMIN_PAGES: &[(&str, &str)] = &[
    ("/admin/users", "#users-count"),
    ("/admin/usage", "#usage-group"),
    ("/admin/subscriptions", "#queue-count"),
    ("/admin/models", "#admin-model-ibm-granite"),
    ("/admin/settings", "#settings-save"),
    ("/admin/banners", "#banner-new"),
];

#[tokio::test]
async fn a_read_only_administrator_sees_every_admin_page_and_can_change_nothing() {
    let (_mock, app) = start().await;
    let admin = app.sign_in_as("ada@example.com", &["admin"]).await;
    let reader = app
        .sign_in_as("rita@example.com", &["admin-readonly"])
        .await;
    let ana = app.sign_in_as("ana@example.com", &["user"]).await;
    let request = request_llama(&ana, "For the demo").await;
    ana.key_for("ibm/granite", "notebook").await;
    let (token, _) = ana.access_token(false, None).await;
    let banner = admin
        .graphql(
            "mutation { createBanner(input: {markdown: \"Hello readers\"}) { id } }",
            json!({}),
        )
        .await;
    let banner = banner["data"]["createBanner"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let added = admin
        .graphql(
            "mutation { addDeployment(model: {name: \"api/model\"}, deployment: {cluster: \"x\", apiBase: \"http://127.0.0.1:9/v1\"}) { id } }",
            json!({}),
        )
        .await;
    assert!(added["errors"].is_null(), "{added}");
    let browser = desktop_browser(&app, &reader).await;
    let page = &browser.client;

    // Every admin page is there, with the notice and every change control disabled.
    page.goto(&app.url("/")).await.unwrap();
    browser.click("#nav-admin-queue").await;
    browser
        .wait_for_text(&format!("#queue-row-{request}"), |t| {
            t.contains("ana@example.com")
        })
        .await;
    let disabled = |css: String| {
        let browser = &browser;
        async move {
            let element = browser.wait_for(&css).await;
            assert!(
                !element.is_enabled().await.unwrap(),
                "{css} is enabled for a read-only administrator"
            );
        }
    };
    browser.wait_for("#read-only-notice").await;
    disabled(format!("#queue-select-{request}")).await;
    disabled("#queue-select-all".into()).await;
    disabled("#queue-approve".into()).await;
    disabled("#queue-deny".into()).await;
    browser.click("#nav-admin-settings").await;
    browser.wait_for("#read-only-notice").await;
    disabled("#settings-save".into()).await;
    assert_eq!(
        browser
            .wait_for("#policy-max-rpm")
            .await
            .attr("readonly")
            .await
            .unwrap()
            .as_deref(),
        Some("true")
    );
    browser.click("#nav-admin-users").await;
    browser.wait_for("#read-only-notice").await;
    browser.click(&format!("#user-row-{} a", ana.id)).await;
    browser.wait_for("#user-title").await;
    for control in [
        "#user-reset-spend",
        "#user-deactivate",
        "#user-save",
        "#user-grant-send",
        "#user-role-admin",
        "[id^='user-key-edit-']",
        "[id^='user-session-end-']",
        "[id^='user-token-revoke-']",
    ] {
        disabled(control.into()).await;
    }
    browser.click("#nav-admin-models").await;
    browser.wait_for("#read-only-notice").await;
    disabled("#deployment-new".into()).await;
    disabled("#models-reload".into()).await;
    // Not because it is configured: a model added through the API is locked as well.
    disabled("#model-edit-api-model".into()).await;
    disabled("#model-delete-api-model".into()).await;
    disabled("#deployment-api-model-x-edit".into()).await;
    browser.click("#nav-admin-banners").await;
    browser.wait_for("#read-only-notice").await;
    disabled("#banner-new".into()).await;
    disabled(format!("#banner-edit-{banner}")).await;
    disabled(format!("#banner-delete-{banner}")).await;
    browser
        .assert_accessible("the banners page, read-only")
        .await;

    // The server refuses the same changes, whatever the page shows.
    for (operation, variables) in [
        (
            "mutation($ids: [ID!]!) { approveSubscriptions(ids: $ids) { id } }",
            json!({ "ids": [request] }),
        ),
        (
            "mutation($ids: [ID!]!) { denySubscriptions(ids: $ids, reason: \"no\") { id } }",
            json!({ "ids": [request] }),
        ),
        (
            "mutation { setKeyPolicy(policy: {maxKeysPerUser: 1}) { maxKeysPerUser } }",
            json!({}),
        ),
        (
            "mutation { setPlatformSettings(settings: {currency: \"EUR\"}) { currency } }",
            json!({}),
        ),
        (
            "mutation { createBanner(input: {markdown: \"mine\"}) { id } }",
            json!({}),
        ),
        ("mutation { reloadCatalog { changed } }", json!({})),
        (
            "mutation($id: ID!) { updateUser(id: $id, input: {active: false}) { id } }",
            json!({ "id": ana.id }),
        ),
        (
            "mutation($id: ID!) { resetUserSpend(id: $id) { id } }",
            json!({ "id": ana.id }),
        ),
        (
            "mutation($id: ID!) { deleteBanner(id: $id) }",
            json!({ "id": banner }),
        ),
        (
            "mutation($u: ID!, $id: ID!) { revokeUserToken(userId: $u, id: $id) { id } }",
            json!({ "u": ana.id, "id": token }),
        ),
    ] {
        let answer = reader.graphql(operation, variables).await;
        assert_eq!(
            answer["errors"][0]["extensions"]["code"], "FORBIDDEN",
            "{operation}: {answer}"
        );
    }

    // A user gets "not allowed" at every admin address.
    browser.use_session(&app.base, &ana).await;
    for (path, _) in ADMIN_PAGES {
        page.goto(&app.url(path)).await.unwrap();
        browser.wait_for("#not-allowed").await;
    }
}

#[tokio::test]
async fn every_admin_page_renders_in_every_language_light_and_dark() {
    let (_mock, app) = start().await;
    let admin = app.sign_in_as("ada@example.com", &["admin"]).await;
    let ana = app.sign_in_as("ana@example.com", &["user"]).await;
    request_llama(&ana, "Reading papers").await;
    admin
        .graphql(
            "mutation { createBanner(input: {markdown: \"**Welcome**\", audience: [USER]}) { id } }",
            json!({}),
        )
        .await;
    let browser = desktop_browser(&app, &admin).await;
    let page = &browser.client;

    for theme in ["light", "dark"] {
        page.execute(
            "localStorage.setItem('sy-theme', arguments[0]); localStorage.setItem('sy-language', 'en');",
            vec![json!(theme)],
        )
        .await
        .unwrap();
        for (path, ready) in ADMIN_PAGES {
            page.goto(&app.url(path)).await.unwrap();
            browser.wait_for(ready).await;
            tokio::time::sleep(std::time::Duration::from_millis(300)).await;
            browser
                .assert_accessible(&format!("{path} ({theme})"))
                .await;
            assert!(
                !browser.overflows_horizontally().await,
                "{path} scrolls sideways at 1280 px"
            );
            browser
                .screenshot(&format!(
                    "{}-{theme}",
                    path.trim_start_matches('/').replace('/', "-")
                ))
                .await;
        }
    }

    let mut headings = std::collections::BTreeSet::new();
    for language in LANGUAGES {
        page.execute(
            "localStorage.setItem('sy-theme', 'light'); localStorage.setItem('sy-language', arguments[0]);",
            vec![json!(language)],
        )
        .await
        .unwrap();
        for (path, ready) in ADMIN_PAGES {
            page.goto(&app.url(path)).await.unwrap();
            browser.wait_for(ready).await;
            let text = browser.wait_for("main").await.text().await.unwrap();
            for id in [
                "queue-",
                "settings-",
                "policy-",
                "banner-",
                "new-user-",
                "nav-admin",
            ] {
                assert!(
                    !text.split_whitespace().any(|w| w.starts_with(id)
                        && w.len() > id.len()
                        && w.chars().all(|c| c.is_ascii_lowercase() || c == '-')),
                    "{language} {path} shows a message id: {text}"
                );
            }
            if *path == "/admin/settings" {
                headings.insert(
                    browser
                        .wait_for_text("#settings-title", |t| !t.is_empty())
                        .await,
                );
            }
        }
    }
    assert_eq!(
        headings.len(),
        LANGUAGES.len(),
        "each language has its own heading: {headings:?}"
    );
}
