//! Banners in several languages, in a real headless Chromium: an administrator writes one in
//! English and German (each previewed as the server renders it), a user whose portal speaks
//! German reads the German text, and switching the portal to French, which the banner has no
//! text in, shows the English one.
//!
//! Needs the SPA built (`trunk build --release`, which `tests/ci.sh` runs).

#![allow(clippy::unwrap_used, clippy::expect_used)]

use harness::TestApp;
use harness::browser::Browser;

#[tokio::test]
async fn a_banner_written_in_english_and_german_reaches_each_reader_in_theirs() {
    let app = TestApp::builder()
        .static_dir(harness::spa_dist())
        .start()
        .await;
    let admin = app.sign_in_as("ada@example.com", &["admin"]).await;
    let lee = app.sign_in_as("lee@example.com", &["user"]).await;
    let browser = Browser::start().await;
    let page = &browser.client;
    page.set_window_size(1280, 800).await.unwrap();
    browser.use_session(&app.base, &admin).await;
    page.execute("localStorage.setItem('sy-language', 'en');", vec![])
        .await
        .unwrap();

    // English first (required), then German, each with the server's preview.
    page.goto(&app.url("/admin/banners")).await.unwrap();
    browser.click("#banner-new").await;
    browser
        .type_into("#banner-text", "**Maintenance** on Friday")
        .await;
    browser
        .wait_for_text("#banner-preview", |t| t.contains("Maintenance on Friday"))
        .await;
    browser.click("#banner-lang-de").await;
    browser
        .wait_for_text("#banner-preview", |t| !t.contains("Maintenance"))
        .await;
    browser
        .type_into(
            "#banner-text",
            "**Wartung** am Freitag <script>alert(1)</script>",
        )
        .await;
    let preview = browser
        .wait_for_text("#banner-preview", |t| t.contains("Wartung am Freitag"))
        .await;
    assert!(!preview.contains("script"), "{preview}");
    browser.wait_for("#banner-preview strong").await;
    browser
        .wait_for_text("#banner-lang-de", |t| t.contains('✓'))
        .await;
    browser
        .assert_presentable("the banner editor's German tab", "admin-banner-languages")
        .await;
    browser.click("#banner-save").await;
    browser
        .wait_for_text("#banners-table", |t| {
            t.contains("Maintenance on Friday") && t.contains("English, Deutsch")
        })
        .await;

    // Opened again, the German text is still there.
    browser
        .click("#banners-table button[id^='banner-edit-']")
        .await;
    browser.click("#banner-lang-de").await;
    browser
        .wait_for_text("#banner-preview", |t| t.contains("Wartung am Freitag"))
        .await;

    // A user whose portal is in German reads the German text.
    browser.use_session(&app.base, &lee).await;
    page.execute("localStorage.setItem('sy-language', 'de');", vec![])
        .await
        .unwrap();
    page.goto(&app.url("/")).await.unwrap();
    browser
        .wait_for_text(".sy-banners", |t| t.contains("Wartung am Freitag"))
        .await;
    browser
        .wait_for(".sy-banners .pf-v6-c-alert__description[lang='de']")
        .await;

    // French: the banner has no French text, so the English one shows, marked as English.
    browser.click("#account-menu-toggle").await;
    browser
        .wait_for("#language-select")
        .await
        .select_by_value("fr")
        .await
        .unwrap();
    browser
        .wait_for_text(".sy-banners", |t| t.contains("Maintenance on Friday"))
        .await;
    browser
        .wait_for(".sy-banners .pf-v6-c-alert__description[lang='en']")
        .await;
}
