//! The portal in a real headless Chromium, used the way a person uses it: a new user signs
//! in through the OpenID provider, finds a model, subscribes, makes a key, copies its secret,
//! calls `/v1` with the official OpenAI SDK, watches the usage page move without a reload,
//! rotates and revokes the key. Then every page in every language, light and dark, at a
//! desktop and a phone width, checked by axe-core, with screenshots in `target/screenshots`.
//!
//! Needs the SPA built (`trunk build --release`, which `tests/ci.sh` runs).

#![allow(clippy::unwrap_used, clippy::expect_used)]

use harness::browser::{Browser, LANGUAGES};
use harness::{MockUpstream, OidcProvider, OidcUser, TestApp};
use sea_orm::ConnectionTrait;

/// The catalog every test here serves: an open chat model with prices, a restricted one,
/// and an embeddings model, all on the mock model server.
fn catalog(mock: &MockUpstream) -> String {
    let model = |name: &str, backend: &str, extra: &str| {
        format!(
            "[[models]]\nname = \"{name}\"\nprovider = \"hosted_vllm\"\n{extra}\n\
             [[models.deployments]]\ncluster = \"{}\"\napi_base = \"{}/v1\"\n\
             backend_model = \"{backend}\"\n\n",
            mock.name, mock.base
        )
    };
    [
        model(
            "ibm/granite",
            "granite",
            "capabilities = [\"chat\", \"completion\"]\ndescription = \"IBM Granite instruct\"\n\
             input_cost_per_token = 0.001\noutput_cost_per_token = 0.002",
        ),
        model(
            "restricted/llama",
            "granite",
            "capabilities = [\"chat\"]\nrestricted = true",
        ),
        model("nomic-embed", "embed", "capabilities = [\"embeddings\"]"),
    ]
    .concat()
}

/// One chat completion through the OpenAI Python SDK; the SDK's exit status and output.
async fn sdk_chat(base: &str, key: &str) -> (bool, String) {
    let python = harness::workspace_root().join("target/sdk-venv/bin/python");
    assert!(
        python.is_file(),
        "run tests/ci.sh to install the OpenAI SDK"
    );
    let script = "import os, openai\n\
        client = openai.OpenAI(base_url=os.environ['BASE'] + '/v1', api_key=os.environ['KEY'], max_retries=0)\n\
        try:\n\
        \x20   reply = client.chat.completions.create(model='ibm/granite', messages=[{'role': 'user', 'content': 'Hello there'}])\n\
        \x20   print('tokens', reply.usage.total_tokens)\n\
        except openai.APIStatusError as e:\n\
        \x20   print('status', e.status_code)\n\
        \x20   raise SystemExit(1)\n";
    let output = tokio::process::Command::new(python)
        .args(["-c", script])
        .env("BASE", base)
        .env("KEY", key)
        .output()
        .await
        .unwrap();
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    (output.status.success(), text)
}

/// Subscribes `user` to `ibm/granite` (open: active at once); returns the model's id.
async fn subscribe_to_granite(user: &harness::TestUser) -> serde_json::Value {
    let found = user
        .graphql(
            "{ model(name: \"ibm/granite\") { id } }",
            serde_json::json!({}),
        )
        .await;
    let model = found["data"]["model"]["id"].clone();
    let subscribed = user
        .graphql(
            "mutation($m: ID!) { subscribe(modelId: $m) { status } }",
            serde_json::json!({ "m": model }),
        )
        .await;
    assert_eq!(
        subscribed["data"]["subscribe"]["status"], "ACTIVE",
        "{subscribed}"
    );
    model
}

/// Checks that the confirmation dialog `id` names `what`, then confirms.
async fn confirm_naming(browser: &Browser, id: &str, what: &str) {
    let question = browser
        .wait_for(&format!("#{id}"))
        .await
        .text()
        .await
        .unwrap();
    assert!(question.contains(what), "{question}");
    browser.click(&format!("#{id}-confirm")).await;
}

/// The secret the "shown once" dialog holds.
async fn shown_secret(browser: &Browser) -> String {
    let field = browser.wait_for("#new-key-secret").await;
    field.prop("value").await.unwrap().unwrap()
}

/// The SDK's output once `key` is refused. Every replica drops a changed key from its cache
/// within `gateway.registry_poll_seconds` (2 s), so the refusal may take that long.
async fn refused_soon(base: &str, key: &str) -> String {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    loop {
        let (ok, output) = sdk_chat(base, key).await;
        if !ok || std::time::Instant::now() > deadline {
            return output;
        }
        tokio::time::sleep(std::time::Duration::from_millis(250)).await;
    }
}

#[tokio::test]
async fn a_new_user_finds_a_model_gets_a_key_calls_it_and_watches_the_spend_live() {
    let mock =
        MockUpstream::start("aws", &["granite", "embed"], &["--completion-tokens", "4"]).await;
    let port = harness::free_port();
    let base = format!("http://127.0.0.1:{port}");
    let provider = OidcProvider::start(
        &[format!("{base}/auth/callback")],
        &[OidcUser {
            id: "ana",
            password: "ana-pw",
            email: "ana@example.com",
            name: "Ana Newcomer",
            groups: &["staff"],
        }],
    )
    .await;
    let toml = format!("{}{}", provider.config_toml(&base, ""), catalog(&mock));
    let app = TestApp::builder()
        .static_dir(harness::spa_dist())
        .env("SWITCHYARD_LISTEN", &format!("127.0.0.1:{port}"))
        .config_toml(&toml)
        .start()
        .await;
    let browser = Browser::start().await;
    let page = &browser.client;

    // Signed out, the catalog sends the visitor to sign in, and back after it.
    page.goto(&app.url("/catalog")).await.unwrap();
    browser.click("#sso-sign-in").await;
    browser.type_into("#username", "ana").await;
    browser.type_into("#password", "ana-pw").await;
    browser.click("#sign-in").await;
    browser
        .wait_for_text("#signed-in-as", |t| t == "Ana Newcomer")
        .await;
    assert_eq!(
        page.current_url().await.unwrap().as_str(),
        app.url("/catalog")
    );
    // A plain user sees no administration.
    assert!(
        page.find(fantoccini::Locator::Css("#nav-admin"))
            .await
            .is_err()
    );

    // Find the model by search and subscribe in one click.
    browser.wait_for("#card-ibm-granite").await;
    browser
        .type_into("#catalog-search", "granite instruct")
        .await;
    browser
        .wait_for_text("#catalog-count", |t| t == "1 of 3 models")
        .await;
    browser.assert_accessible("/catalog").await;
    browser.click("#subscribe-ibm-granite").await;
    browser
        .wait_for_text("#card-ibm-granite", |t| t.contains("Active"))
        .await;
    // A restricted model's subscription waits for approval.
    browser.type_into("#catalog-search", "llama").await;
    browser.click("#subscribe-restricted-llama").await;
    browser
        .type_into("#access-reason", "Evaluating it for the support bot")
        .await;
    browser.assert_accessible("the request-access dialog").await;
    browser.click("#access-send").await;
    browser
        .wait_for_text("#card-restricted-llama", |t| {
            t.contains("Waiting for approval")
        })
        .await;

    // My subscriptions: the pending one with the reason I gave.
    browser.click("#nav-subscriptions").await;
    browser
        .wait_for_text("#subscription-restricted-llama", |t| {
            t.contains("Waiting for approval") && t.contains("Evaluating it for the support bot")
        })
        .await;

    // Make a key over the subscribed model; the secret is shown once, with snippets.
    browser.click("#nav-keys").await;
    browser.click("#create-key").await;
    browser.type_into("#key-name", "workshop").await;
    browser.click("#key-model-ibm-granite").await;
    assert!(
        page.find(fantoccini::Locator::Css("#key-model-restricted-llama"))
            .await
            .is_err(),
        "a pending subscription cannot go on a key"
    );
    // A daily cap for the workshop, under the policy's (unset) maximum.
    browser.type_into("#key-rpd", "500").await;
    browser.assert_accessible("the new-key dialog").await;
    browser.click("#key-form-submit").await;
    let secret = shown_secret(&browser).await;
    assert!(secret.starts_with("sk-"), "{secret}");
    browser.click("#copy-secret").await;
    browser
        .wait_for_text("#toasts", |t| t.contains("Copied to the clipboard"))
        .await;
    let snippet = browser
        .wait_for("#secret-snippets-code")
        .await
        .text()
        .await
        .unwrap();
    assert!(
        snippet.contains(&secret) && snippet.contains(&format!("{base}/v1")),
        "{snippet}"
    );
    browser.click("#secret-snippets-tab-Python").await;
    browser
        .wait_for_text("#secret-snippets-code", |t| {
            t.contains("from openai import OpenAI")
        })
        .await;
    browser.click("#secret-done").await;
    browser.wait_gone("#secret-dialog").await;
    browser
        .wait_for_text("#keys-table", |t| {
            t.contains("workshop") && t.contains("500 requests/day")
        })
        .await;

    // The usage page is open while the SDK calls /v1; the spend appears without a reload.
    browser.click("#nav-usage").await;
    browser
        .wait_for_text("main", |t| t.contains("No usage in this period"))
        .await;
    page.execute("window.__notReloaded = true;", vec![])
        .await
        .unwrap();
    let (ok, output) = sdk_chat(&app.base, &secret).await;
    assert!(ok, "the SDK call failed: {output}");
    browser
        .wait_for_text("#total-requests", |t| t.lines().any(|l| l.trim() == "1"))
        .await;
    let spend = browser
        .wait_for_text("#total-spend", |t| t.contains('$'))
        .await;
    assert!(!spend.contains("$0.00\n"), "{spend}");
    let still = page
        .execute("return window.__notReloaded === true;", vec![])
        .await
        .unwrap();
    assert_eq!(still, serde_json::json!(true), "the page was reloaded");
    browser
        .wait_for_text("#usage-top", |t| t.contains("ibm/granite"))
        .await;
    browser.assert_accessible("/usage").await;

    // Rotate: the old secret stops at once (no grace period), the new one works.
    browser.click("#nav-keys").await;
    browser.click("[id^='rotate-']").await;
    browser
        .wait_for("#rotate-grace")
        .await
        .select_by_value("")
        .await
        .unwrap();
    browser.click("#rotate-confirm").await;
    let rotated = shown_secret(&browser).await;
    assert_ne!(rotated, secret);
    browser.click("#secret-done").await;
    let old_output = refused_soon(&app.base, &secret).await;
    assert!(old_output.contains("status 401"), "{old_output}");
    let (new_ok, new_output) = sdk_chat(&app.base, &rotated).await;
    assert!(new_ok, "{new_output}");

    // Revoke, after a confirmation that names the key.
    browser.click("[id^='revoke-']").await;
    confirm_naming(&browser, "confirm-revoke", "workshop").await;
    browser
        .wait_for_text("#keys-table", |t| t.contains("Revoked"))
        .await;
    let revoked_output = refused_soon(&app.base, &rotated).await;
    assert!(revoked_output.contains("status 401"), "{revoked_output}");

    // Sign out from the account menu.
    browser.click("#account-menu-toggle").await;
    browser.click("#sign-out").await;
    // Single sign-on ends at the provider too; back in the portal, sign-in is asked again.
    let deadline = std::time::Instant::now() + harness::browser::PAGE_TIMEOUT;
    while page
        .current_url()
        .await
        .unwrap()
        .as_str()
        .starts_with(&base)
    {
        assert!(
            std::time::Instant::now() < deadline,
            "sign-out stayed in the portal"
        );
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    page.goto(&app.url("/keys")).await.unwrap();
    browser.wait_for("#login-title").await;
    assert_eq!(
        page.current_url().await.unwrap().as_str(),
        app.url("/login?next=%2Fkeys")
    );
}

/// Every page the portal has, with the element that says it rendered.
const PAGES: &[(&str, &str)] = &[
    ("/", "#home-title"),
    ("/catalog", "#catalog-title"),
    ("/catalog/ibm/granite", "#model-title"),
    ("/subscriptions", "#subscriptions-title"),
    ("/keys", "#keys-title"),
    ("/usage", "#usage-title"),
    ("/playground", "#playground-title"),
    ("/account", "#account-title"),
];

/// The languages the portal speaks.

#[tokio::test]
async fn every_page_renders_in_every_language_light_and_dark_on_desktop_and_phone() {
    let mock = MockUpstream::start("aws", &["granite", "embed"], &[]).await;
    let app = TestApp::builder()
        .static_dir(harness::spa_dist())
        .config_toml(&catalog(&mock))
        .start()
        .await;
    let user = app.sign_in_as("lee@example.com", &["user"]).await;
    let browser = Browser::start().await;
    let page = &browser.client;
    browser.use_session(&app.base, &user).await;

    // Each page, light then dark: it renders, axe-core finds nothing serious, a screenshot.
    for theme in ["light", "dark"] {
        page.execute(
            "localStorage.setItem('sy-theme', arguments[0]); localStorage.setItem('sy-language', 'en');",
            vec![serde_json::json!(theme)],
        )
        .await
        .unwrap();
        for (path, ready) in PAGES {
            page.goto(&app.url(path)).await.unwrap();
            browser.wait_for(ready).await;
            let dark = page
                .execute(
                    "return document.documentElement.classList.contains('pf-v6-theme-dark');",
                    vec![],
                )
                .await
                .unwrap();
            assert_eq!(
                dark,
                serde_json::json!(theme == "dark"),
                "{path} in {theme}"
            );
            // Let lazily loaded parts (charts, live feeds) settle before checking.
            tokio::time::sleep(std::time::Duration::from_millis(300)).await;
            browser
                .assert_accessible(&format!("{path} ({theme})"))
                .await;
            let name = if *path == "/" {
                "home".to_owned()
            } else {
                path.trim_start_matches('/').replace('/', "-")
            };
            browser.screenshot(&format!("{name}-{theme}")).await;
        }
    }

    // Every language renders every page: translated headings, no message id left showing.
    let english = {
        page.execute("localStorage.setItem('sy-language', 'en');", vec![])
            .await
            .unwrap();
        page.goto(&app.url("/catalog")).await.unwrap();
        browser
            .wait_for_text("#catalog-title", |t| !t.is_empty())
            .await
    };
    assert_eq!(english, "Model catalog");
    let mut titles = std::collections::BTreeSet::new();
    for language in LANGUAGES {
        page.execute(
            "localStorage.setItem('sy-language', arguments[0]);",
            vec![serde_json::json!(language)],
        )
        .await
        .unwrap();
        for (path, ready) in PAGES {
            page.goto(&app.url(path)).await.unwrap();
            let heading = browser.wait_for_text(ready, |t| !t.is_empty()).await;
            let lang = page
                .execute("return document.documentElement.lang;", vec![])
                .await
                .unwrap();
            assert_eq!(lang, serde_json::json!(language), "{path}");
            let text = browser.wait_for("main").await.text().await.unwrap();
            for id in ["nav-", "key-", "usage-", "catalog-", "error-"] {
                assert!(
                    !text.split_whitespace().any(|w| w.starts_with(id)
                        && w.len() > id.len()
                        && w.chars().all(|c| c.is_ascii_lowercase() || c == '-')),
                    "{language} {path} shows a message id: {text}"
                );
            }
            if *path == "/catalog" {
                titles.insert(heading);
            }
        }
    }
    assert_eq!(
        titles.len(),
        LANGUAGES.len(),
        "each language has its own heading: {titles:?}"
    );

    // The picker in the account menu switches language at once and is remembered.
    page.execute("localStorage.setItem('sy-language', 'en');", vec![])
        .await
        .unwrap();
    page.goto(&app.url("/catalog")).await.unwrap();
    browser.click("#account-menu-toggle").await;
    browser
        .wait_for("#language-select")
        .await
        .select_by_value("de")
        .await
        .unwrap();
    let german = browser
        .wait_for_text("#catalog-title", |t| t != "Model catalog")
        .await;
    page.refresh().await.unwrap();
    browser
        .wait_for_text("#catalog-title", |t| t == german)
        .await;

    // A phone: no page scrolls sideways, and the nav opens from its toggle.
    page.execute("localStorage.setItem('sy-language', 'en');", vec![])
        .await
        .unwrap();
    page.set_window_size(390, 844).await.unwrap();
    for (path, ready) in PAGES {
        page.goto(&app.url(path)).await.unwrap();
        browser.wait_for(ready).await;
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
        assert!(
            !browser.overflows_horizontally().await,
            "{path} scrolls sideways at 390 px"
        );
    }
    browser.click("#nav-toggle").await;
    // The nav slides in; click once it is on screen.
    let link = browser.wait_for("#nav-keys").await;
    let deadline = std::time::Instant::now() + harness::browser::PAGE_TIMEOUT;
    while link.rectangle().await.unwrap().0 < 0.0 {
        assert!(std::time::Instant::now() < deadline, "the nav never opened");
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    link.click().await.unwrap();
    browser.wait_for("#keys-title").await;
    browser.screenshot("keys-phone").await;
}

#[tokio::test]
async fn pages_show_their_empty_and_error_states() {
    let app = TestApp::builder()
        .static_dir(harness::spa_dist())
        .start()
        .await;
    let user = app.sign_in_as("new@example.com", &["user"]).await;
    let browser = Browser::start().await;
    let page = &browser.client;
    browser.use_session(&app.base, &user).await;

    // Nothing yet: each list says so and what to do.
    page.goto(&app.url("/keys")).await.unwrap();
    browser
        .wait_for_text("main", |t| t.contains("No keys yet"))
        .await;
    page.goto(&app.url("/subscriptions")).await.unwrap();
    browser
        .wait_for_text("main", |t| t.contains("No subscriptions yet"))
        .await;
    page.goto(&app.url("/catalog")).await.unwrap();
    browser
        .wait_for_text("main", |t| t.contains("No models yet"))
        .await;
    page.goto(&app.url("/usage")).await.unwrap();
    browser
        .wait_for_text("main", |t| t.contains("No usage in this period"))
        .await;
    page.goto(&app.url("/catalog/no/such-model")).await.unwrap();
    browser.wait_for("#not-found").await;

    // The network goes away: the next page shows it is loading, then says what happened
    // in words and offers to try again, which works once the network is back.
    page.goto(&app.url("/subscriptions")).await.unwrap();
    browser.wait_for("#subscriptions-title").await;
    page.execute(
        "window.__fetch = window.fetch;
         window.fetch = () => new Promise((_, fail) =>
             setTimeout(() => fail(new TypeError('Failed to fetch')), 1500));",
        vec![],
    )
    .await
    .unwrap();
    browser.click("#nav-keys").await;
    browser.wait_for(".sy-state--loading").await;
    let error = browser
        .wait_for_text("#page-error", |t| !t.is_empty())
        .await;
    assert!(error.contains("The server could not be reached"), "{error}");
    page.execute("window.fetch = window.__fetch;", vec![])
        .await
        .unwrap();
    browser.click("#retry").await;
    browser
        .wait_for_text("main", |t| t.contains("No keys yet"))
        .await;

    // The session ends elsewhere: the next request sends the person to sign in, and back.
    app.database()
        .await
        .execute_unprepared("DELETE FROM sessions")
        .await
        .unwrap();
    browser.click("#nav-usage").await;
    browser.wait_for("#login-title").await;
    assert_eq!(
        page.current_url().await.unwrap().as_str(),
        app.url("/login?next=%2Fusage")
    );
}

#[tokio::test]
async fn the_playground_streams_answers_side_by_side_and_shows_their_cost_and_code() {
    // A token every 150 ms, so the answer is seen arriving.
    let mock = MockUpstream::start(
        "aws",
        &["granite", "embed"],
        &["--completion-tokens", "6", "--token-ms", "150"],
    )
    .await;
    let app = TestApp::builder()
        .static_dir(harness::spa_dist())
        .config_toml(&catalog(&mock))
        .start()
        .await;
    let user = app.sign_in_as("pia@example.com", &["user"]).await;
    let model = subscribe_to_granite(&user).await;
    let browser = Browser::start().await;
    browser.use_session(&app.base, &user).await;
    browser.client.goto(&app.url("/playground")).await.unwrap();

    browser
        .type_into("#playground-prompt", "Say something")
        .await;
    browser.click("#playground-send").await;
    // Token by token: part of the answer shows before the rest has been written.
    let partial = browser
        .wait_for_text("#streaming-0", |t| t.contains("tok0"))
        .await;
    assert!(
        !partial.contains("tok5"),
        "the answer came whole: {partial}"
    );
    browser
        .wait_for_text("#answer-0", |t| t.contains("tok0 tok1 tok2 tok3 tok4 tok5"))
        .await;
    let usage = browser.wait_for_text("#usage-0", |t| t.contains('$')).await;
    assert!(usage.contains("6 out"), "{usage}");
    browser.assert_accessible("/playground").await;

    // The same prompt to two models at once.
    browser.click("#playground-compare").await;
    browser.type_into("#playground-prompt", "Again").await;
    browser.click("#playground-send").await;
    browser
        .wait_for_text("#answer-1", |t| t.contains("tok5"))
        .await;
    browser
        .wait_for_text("#answer-0", |t| t.matches("tok5").count() == 2)
        .await;

    // A pasted key of mine is used instead of the session (and kept only in the page).
    let made = user
        .graphql(
            "mutation($m: ID!) { createKey(input: {name: \"pasted\", modelIds: [$m]}) { secret } }",
            serde_json::json!({ "m": model }),
        )
        .await;
    let secret = made["data"]["createKey"]["secret"]
        .as_str()
        .unwrap()
        .to_owned();
    browser.click("#playground-compare").await;
    browser.click(".sy-settings summary").await;
    browser.type_into("#playground-key", &secret).await;
    browser.type_into("#playground-prompt", "With my key").await;
    browser.click("#playground-send").await;
    browser
        .wait_for_text("#answer-0", |t| t.matches("tok5").count() == 3)
        .await;
    // The ledger writes within a quarter of a second; give it a few.
    let mut keys = serde_json::Value::Null;
    for _ in 0..50 {
        keys = user
            .graphql("{ myKeys { nodes { name spend } } }", serde_json::json!({}))
            .await;
        if keys["data"]["myKeys"]["nodes"][0]["spend"].as_f64() > Some(0.0) {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert!(
        keys["data"]["myKeys"]["nodes"][0]["spend"].as_f64() > Some(0.0),
        "the pasted key was not the one used: {keys}"
    );
    let stored = browser
        .client
        .execute(
            "return JSON.stringify(localStorage) + JSON.stringify(sessionStorage) + document.cookie;",
            vec![],
        )
        .await
        .unwrap();
    assert!(
        !stored.to_string().contains(&secret),
        "the key was stored: {stored}"
    );

    // The code for the same request, with the key left to the environment.
    browser.click("#playground-view-code").await;
    let curl = browser.wait_for("#code-curl").await.text().await.unwrap();
    assert!(
        curl.contains(&format!("{}/v1/chat/completions", app.base)),
        "{curl}"
    );
    assert!(
        curl.contains("ibm/granite") && curl.contains("$OPENAI_API_KEY"),
        "{curl}"
    );
    browser.screenshot("playground-light").await;
}

#[tokio::test]
async fn budget_alerts_pop_up_on_whatever_page_the_user_is() {
    let mock =
        MockUpstream::start("aws", &["granite", "embed"], &["--completion-tokens", "4"]).await;
    let app = TestApp::builder()
        .static_dir(harness::spa_dist())
        .config_toml(&catalog(&mock))
        .start()
        .await;
    let user = app.sign_in_as("ola@example.com", &["user"]).await;
    let model = subscribe_to_granite(&user).await;
    // A budget the first request (0.9 cents at these prices: 1 prompt and 4 completion
    // tokens) takes past 80%.
    let made = user
        .graphql(
            "mutation($m: ID!) { createKey(input: {name: \"tight\", modelIds: [$m],
                limits: {maxBudget: 0.011}}) { secret } }",
            serde_json::json!({ "m": model }),
        )
        .await;
    let secret = made["data"]["createKey"]["secret"]
        .as_str()
        .unwrap()
        .to_owned();
    let browser = Browser::start().await;
    browser.use_session(&app.base, &user).await;
    browser.client.goto(&app.url("/catalog")).await.unwrap();
    browser.wait_for("#catalog-title").await;
    browser.wait_for("[data-alerts-feed='live']").await;
    let answer = app
        .client
        .post(app.url("/v1/chat/completions"))
        .bearer_auth(&secret)
        .json(&serde_json::json!({
            "model": "ibm/granite", "max_tokens": 4,
            "messages": [{"role": "user", "content": "Hi"}]
        }))
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status(), 200);
    let toast = browser
        .wait_for_text("#toasts", |t| t.contains("A key's budget"))
        .await;
    assert!(toast.contains("is 80% used"), "{toast}");
}

#[tokio::test]
async fn the_account_page_makes_a_token_shown_once_and_revokes_it() {
    let app = TestApp::builder()
        .static_dir(harness::spa_dist())
        .start()
        .await;
    let user = app.sign_in_as("tia@example.com", &["user"]).await;
    let browser = Browser::start().await;
    browser.use_session(&app.base, &user).await;
    browser.client.goto(&app.url("/account")).await.unwrap();
    browser
        .wait_for_text("#profile-roles", |t| t == "User")
        .await;
    browser.click("#create-token").await;
    browser.type_into("#token-name", "ci script").await;
    browser.click("#token-form-submit").await;
    let field = browser.wait_for("#new-token-secret").await;
    let secret = field.prop("value").await.unwrap().unwrap();
    assert!(secret.starts_with("syp_"), "{secret}");
    browser.click("#token-secret-done").await;
    browser
        .wait_for_text("#tokens-table", |t| {
            t.contains("ci script") && t.contains("Read only")
        })
        .await;
    let me = |token: String| {
        let client = app.client.clone();
        let url = app.url("/graphql");
        async move {
            client
                .post(url)
                .bearer_auth(token)
                .json(&serde_json::json!({ "query": "{ me { name } }" }))
                .send()
                .await
                .unwrap()
        }
    };
    let answer: serde_json::Value = me(secret.clone()).await.json().await.unwrap();
    assert_eq!(answer["data"]["me"]["name"], "tia@example.com", "{answer}");

    browser.click("#tokens-table button").await;
    confirm_naming(&browser, "confirm-revoke-token", "ci script").await;
    browser
        .wait_for_text("#tokens-table", |t| t.contains("Revoked"))
        .await;
    assert_eq!(me(secret).await.status(), 401);
}
