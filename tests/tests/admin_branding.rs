//! The branding page in a real headless Chromium, used the way an administrator uses it: the
//! title, colour and logos typed and chosen show in the live preview before saving, a colour
//! text cannot be read on is warned about, and after Save the sign-in page a signed-out
//! visitor opens wears the new title, logo and colour. A read-only administrator sees the
//! page with every control disabled, and the server refuses their changes; a user is not
//! allowed in. The page renders in every language, light and dark, at 1280×800, without
//! serious axe-core findings.
//!
//! Needs the SPA built (`trunk build --release`, which `tests/ci.sh` runs).

#![allow(clippy::unwrap_used, clippy::expect_used)]

use base64::Engine;
use harness::browser::{Browser, LANGUAGES, PAGE_TIMEOUT};
use harness::{TestApp, TestUser};
use serde_json::{Value, json};

/// A 1×1 PNG.
const PNG_BASE64: &str = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==";
/// A wordmark-sized SVG.
const SVG: &str = r##"<svg xmlns="http://www.w3.org/2000/svg" width="120" height="30"><rect width="120" height="30" fill="#004080"/></svg>"##;

async fn start() -> TestApp {
    TestApp::builder()
        .static_dir(harness::spa_dist())
        .start()
        .await
}

/// A Chromium at 1280×800 signed in as `user`, in the light theme and English.
async fn desktop_browser(app: &TestApp, user: &TestUser) -> Browser {
    let browser = Browser::start().await;
    browser.client.set_window_size(1280, 800).await.unwrap();
    browser.use_session(&app.base, user).await;
    set_look(&browser, "light", "en").await;
    browser
}

async fn set_look(browser: &Browser, theme: &str, language: &str) {
    browser
        .client
        .execute(
            "localStorage.setItem('sy-theme', arguments[0]); localStorage.setItem('sy-language', arguments[1]);",
            vec![json!(theme), json!(language)],
        )
        .await
        .unwrap();
}

/// Waits until `script` (a function body) returns `expected`.
async fn wait_until(browser: &Browser, what: &str, script: &str, expected: Value) {
    let deadline = std::time::Instant::now() + PAGE_TIMEOUT;
    let mut last = Value::Null;
    while std::time::Instant::now() < deadline {
        last = browser.client.execute(script, vec![]).await.unwrap();
        if last == expected {
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    panic!("{what}: expected {expected}, last {last}");
}

/// The computed background colour of the element `css`, as a script.
fn background_of(css: &str) -> String {
    format!(
        "const e = document.querySelector('{css}'); return e && getComputedStyle(e).backgroundColor;"
    )
}

/// Whether the image `css` has loaded, as a script.
fn loaded(css: &str) -> String {
    format!(
        "const i = document.querySelector('{css}'); return !!i && i.complete && i.naturalWidth > 0;"
    )
}

#[tokio::test]
async fn branding_previewed_and_saved_is_what_the_sign_in_page_shows() {
    let app = start().await;
    let admin = app.sign_in_as("ada@example.com", &["admin"]).await;
    let files = tempfile::tempdir().unwrap();
    let png = files.path().join("login.png");
    std::fs::write(
        &png,
        base64::engine::general_purpose::STANDARD
            .decode(PNG_BASE64)
            .unwrap(),
    )
    .unwrap();
    let svg = files.path().join("header.svg");
    std::fs::write(&svg, SVG).unwrap();
    let browser = desktop_browser(&app, &admin).await;
    let page = &browser.client;

    page.goto(&app.url("/")).await.unwrap();
    browser.click("#nav-admin-branding").await;
    browser
        .wait_for_text("#branding-title", |t| t == "Branding")
        .await;

    // The title typed is the preview's title at once.
    browser.type_into("#brand-title", "Acme AI").await;
    browser
        .wait_for_text("#preview-title", |t| t == "Acme AI")
        .await;
    browser
        .type_into("#brand-login-title", "Welcome to Acme")
        .await;
    browser
        .wait_for_text("#preview-login-title", |t| t == "Welcome to Acme")
        .await;

    // Pure red: no text reads well enough on it, and the page says so; the preview wears it.
    browser.type_into("#brand-primary", "#ff0000").await;
    browser
        .wait_for_text("#brand-primary-contrast .pf-m-warning", |t| {
            t.contains("Low contrast") && t.contains("4.1:1")
        })
        .await;
    wait_until(
        &browser,
        "the preview's button in red",
        &background_of("#preview-sign-in"),
        json!("rgb(255, 0, 0)"),
    )
    .await;
    // A darker blue: white text on it passes AA, and the warning is gone.
    browser.type_into("#brand-primary", "#004080").await;
    browser
        .wait_for_text("#brand-primary-contrast .pf-m-success", |t| {
            t.contains("white") && t.contains("10.")
        })
        .await;
    wait_until(
        &browser,
        "the preview's button in blue",
        &background_of("#preview-sign-in"),
        json!("rgb(0, 64, 128)"),
    )
    .await;
    browser.type_into("#brand-accent", "nope").await;
    browser
        .wait_for_text("#brand-accent-contrast", |t| t.contains("Not a colour"))
        .await;
    browser.type_into("#brand-accent", "#c9190b").await;
    browser.wait_gone("#brand-accent-contrast").await;

    // Logos: chosen files show here and in the preview before anything is uploaded.
    browser
        .wait_for("#logo-login-file")
        .await
        .send_keys(&png.display().to_string())
        .await
        .unwrap();
    browser
        .wait_for_text("#logo-login-state", |t| {
            t.contains("uploaded when you save")
        })
        .await;
    wait_until(
        &browser,
        "the sign-in logo's preview",
        &loaded("#preview-login-logo"),
        json!(true),
    )
    .await;
    browser
        .wait_for("#logo-header-light-file")
        .await
        .send_keys(&svg.display().to_string())
        .await
        .unwrap();
    wait_until(
        &browser,
        "the header logo's preview",
        &loaded("#preview-header-logo"),
        json!(true),
    )
    .await;
    let before = admin
        .graphql("{ branding { logos { slot } } }", json!({}))
        .await;
    assert_eq!(before["data"]["branding"]["logos"], json!([]), "not yet");
    browser
        .assert_accessible("the branding page with changes")
        .await;
    browser.screenshot("admin-branding-preview").await;

    // Save: stored, and the masthead around the page follows at once.
    browser.click("#branding-save").await;
    browser
        .wait_for_text("#toasts", |t| t.contains("Branding saved."))
        .await;
    wait_until(
        &browser,
        "the masthead's logo",
        &loaded(".pf-v6-c-masthead img.sy-logo"),
        json!(true),
    )
    .await;
    let stored = admin
        .graphql(
            "{ branding { title primaryColor accentColor loginTitle logos { slot contentType } } }",
            json!({}),
        )
        .await;
    assert_eq!(
        stored["data"]["branding"],
        json!({
            "title": "Acme AI", "primaryColor": "#004080", "accentColor": "#c9190b",
            "loginTitle": "Welcome to Acme",
            "logos": [{ "slot": "LOGIN", "contentType": "image/png" },
                      { "slot": "HEADER_LIGHT", "contentType": "image/svg+xml" }]
        })
    );

    // A signed-out visitor's sign-in page: the title, the logo (loaded from the server)
    // and the colour.
    page.delete_all_cookies().await.unwrap();
    page.goto(&app.url("/login")).await.unwrap();
    browser
        .wait_for_text("#branding-title", |t| t == "Acme AI")
        .await;
    browser
        .wait_for_text("#login-title", |t| t == "Welcome to Acme")
        .await;
    let src = browser
        .wait_for("#login-logo")
        .await
        .attr("src")
        .await
        .unwrap()
        .unwrap();
    assert!(src.starts_with("/branding/logo/login"), "{src}");
    wait_until(
        &browser,
        "the sign-in logo",
        &loaded("#login-logo"),
        json!(true),
    )
    .await;
    wait_until(
        &browser,
        "the sign-in button in the brand colour",
        &background_of("#login-submit"),
        json!("rgb(0, 64, 128)"),
    )
    .await;
    browser.assert_accessible("the branded sign-in page").await;
    browser.screenshot("login-branded").await;

    // Back as the administrator: remove the header logo and clear the colour.
    browser.use_session(&app.base, &admin).await;
    page.goto(&app.url("/admin/branding")).await.unwrap();
    browser.click("#logo-header-light-remove").await;
    browser
        .wait_for_text("#logo-header-light-state", |t| {
            t.contains("Removed when you save")
        })
        .await;
    browser.wait_gone("#preview-header-logo").await;
    // Emptied key by key, as a person would (clearing alone fires no input event).
    browser
        .wait_for("#brand-primary")
        .await
        .send_keys(&"\u{e003}".repeat(8))
        .await
        .unwrap();
    browser
        .wait_for_text("#brand-primary-contrast", |t| t.contains("PatternFly"))
        .await;
    browser.click("#branding-save").await;
    browser
        .wait_for_text("#masthead-title", |t| t == "Acme AI")
        .await;
    let stored = admin
        .graphql("{ branding { primaryColor logos { slot } } }", json!({}))
        .await;
    assert_eq!(
        stored["data"]["branding"],
        json!({ "primaryColor": null, "logos": [{ "slot": "LOGIN" }] })
    );
}

#[tokio::test]
async fn a_read_only_administrator_sees_the_branding_and_can_change_nothing() {
    let app = start().await;
    let admin = app.sign_in_as("ada@example.com", &["admin"]).await;
    let reader = app
        .sign_in_as("rita@example.com", &["admin-readonly"])
        .await;
    let ana = app.sign_in_as("ana@example.com", &["user"]).await;
    let uploaded = admin
        .graphql(
            "mutation($d: String!) { uploadLogo(slot: LOGIN, contentType: \"image/png\", dataBase64: $d) { url } }",
            json!({ "d": PNG_BASE64 }),
        )
        .await;
    assert!(
        uploaded["data"]["uploadLogo"]["url"].is_string(),
        "{uploaded}"
    );
    let browser = desktop_browser(&app, &reader).await;
    let page = &browser.client;

    page.goto(&app.url("/")).await.unwrap();
    browser.click("#nav-admin-branding").await;
    browser.wait_for("#read-only-notice").await;
    for css in [
        "#branding-save",
        "#brand-primary-picker",
        "#brand-accent-picker",
        "#logo-login-file",
        "#logo-header-light-file",
        "#logo-header-dark-file",
        "#logo-login-remove",
    ] {
        let element = browser.wait_for(css).await;
        assert!(
            !element.is_enabled().await.unwrap(),
            "{css} is enabled for a read-only administrator"
        );
    }
    for css in [
        "#brand-title",
        "#brand-subtitle",
        "#brand-primary",
        "#brand-accent",
        "#brand-login-title",
        "#brand-login-text",
        "#brand-footer-text",
    ] {
        let readonly = browser.wait_for(css).await.attr("readonly").await.unwrap();
        assert_eq!(readonly.as_deref(), Some("true"), "{css}");
    }
    browser
        .assert_accessible("the branding page, read-only")
        .await;

    // The server refuses the same changes, whatever the page shows.
    for (operation, variables) in [
        (
            "mutation { updateBranding(input: {title: \"Mine\"}) { title } }",
            json!({}),
        ),
        (
            "mutation($d: String!) { uploadLogo(slot: HEADER_DARK, contentType: \"image/png\", dataBase64: $d) { url } }",
            json!({ "d": PNG_BASE64 }),
        ),
        ("mutation { removeLogo(slot: LOGIN) }", json!({})),
    ] {
        let answer = reader.graphql(operation, variables).await;
        assert_eq!(
            answer["errors"][0]["extensions"]["code"], "FORBIDDEN",
            "{operation}: {answer}"
        );
    }
    let still = admin
        .graphql("{ branding { title logos { slot } } }", json!({}))
        .await;
    assert_eq!(
        still["data"]["branding"]["logos"],
        json!([{ "slot": "LOGIN" }])
    );
    assert_ne!(still["data"]["branding"]["title"], "Mine");

    // A user is not allowed in.
    browser.use_session(&app.base, &ana).await;
    page.goto(&app.url("/admin/branding")).await.unwrap();
    browser.wait_for("#not-allowed").await;
}

#[tokio::test]
async fn the_branding_page_renders_in_every_language_light_and_dark() {
    let app = start().await;
    let admin = app.sign_in_as("ada@example.com", &["admin"]).await;
    // Brand colours on: the page must stay readable with them, in both themes.
    let branded = admin
        .graphql(
            "mutation { updateBranding(input: {primaryColor: \"#004080\", accentColor: \"#c9190b\", footerText: \"© Acme\"}) { title } }",
            json!({}),
        )
        .await;
    assert!(branded["errors"].is_null(), "{branded}");
    let browser = desktop_browser(&app, &admin).await;
    let page = &browser.client;

    for theme in ["light", "dark"] {
        set_look(&browser, theme, "en").await;
        page.goto(&app.url("/admin/branding")).await.unwrap();
        browser.wait_for("#branding-save").await;
        tokio::time::sleep(std::time::Duration::from_millis(300)).await;
        browser
            .assert_accessible(&format!("/admin/branding ({theme})"))
            .await;
        assert!(
            !browser.overflows_horizontally().await,
            "/admin/branding scrolls sideways at 1280 px ({theme})"
        );
        browser.screenshot(&format!("admin-branding-{theme}")).await;
    }

    let mut headings = std::collections::BTreeSet::new();
    for language in LANGUAGES {
        set_look(&browser, "light", language).await;
        page.goto(&app.url("/admin/branding")).await.unwrap();
        browser.wait_for("#branding-save").await;
        let text = browser.wait_for("main").await.text().await.unwrap();
        for id in ["brand-", "logo-", "nav-admin"] {
            assert!(
                !text.split_whitespace().any(|w| w.starts_with(id)
                    && w.len() > id.len()
                    && w.chars().all(|c| c.is_ascii_lowercase() || c == '-')),
                "{language} shows a message id: {text}"
            );
        }
        headings.insert(
            browser
                .wait_for_text("#branding-title", |t| !t.is_empty())
                .await,
        );
    }
    // German says "Branding" as English does.
    assert_eq!(headings.len(), LANGUAGES.len() - 1, "{headings:?}");
}
