//! Branding through GraphQL: everyone reads it, administrators change it, bad values are
//! refused with a message.

#![allow(clippy::unwrap_used)]

use harness::TestApp;
use serde_json::{Value, json};

const UPDATE: &str = "mutation($i: BrandingInput!) { updateBranding(input: $i) {
  title subtitle primaryColor accentColor loginTitle loginText footerText } }";

#[tokio::test]
async fn administrators_brand_the_portal_and_everyone_sees_it() {
    let app = TestApp::start().await;
    let admin = app.sign_in_as("root@example.com", &["admin", "user"]).await;
    let user = app.sign_in_as("ana@example.com", &["user"]).await;

    let changed = admin
        .graphql(
            UPDATE,
            json!({"i": {"title": " Acme AI ", "primaryColor": "#0066CC", "loginText": "Use your badge.",
                         "footerText": "© Acme"}}),
        )
        .await;
    assert_eq!(
        changed["data"]["updateBranding"],
        json!({"title": "Acme AI", "subtitle": "One endpoint, one key, every model", "primaryColor": "#0066cc",
               "accentColor": null, "loginTitle": null, "loginText": "Use your badge.",
               "footerText": "© Acme"})
    );
    let public = app
        .graphql("{ branding { title primaryColor footerText } }")
        .await;
    assert_eq!(
        public["data"]["branding"],
        json!({"title": "Acme AI", "primaryColor": "#0066cc", "footerText": "© Acme"})
    );
    let cleared = admin
        .graphql(UPDATE, json!({"i": {"footerText": null}}))
        .await;
    assert_eq!(cleared["data"]["updateBranding"]["footerText"], Value::Null);
    assert_eq!(
        cleared["data"]["updateBranding"]["primaryColor"], "#0066cc",
        "left alone"
    );

    for (input, needle) in [
        (json!({"primaryColor": "blue"}), "primaryColor"),
        (json!({"title": "   "}), "title"),
        (json!({"loginText": "x".repeat(2_001)}), "loginText"),
    ] {
        let refused = admin.graphql(UPDATE, json!({ "i": input })).await;
        assert_eq!(refused["errors"][0]["extensions"]["code"], "BAD_USER_INPUT");
        assert!(
            refused["errors"][0]["message"]
                .as_str()
                .unwrap()
                .contains(needle),
            "{refused}"
        );
    }
    let by_user = user.graphql(UPDATE, json!({"i": {"title": "Mine"}})).await;
    assert_eq!(by_user["errors"][0]["extensions"]["code"], "FORBIDDEN");
}

const BANNERS: &str = "{ banners { id html variant dismissible } }";

#[tokio::test]
async fn banners_reach_their_audience_in_their_window_until_dismissed() {
    let app = TestApp::start().await;
    let admin = app.sign_in_as("root@example.com", &["admin", "user"]).await;
    let ana = app.sign_in_as("ana@example.com", &["user"]).await;
    let create = "mutation($i: BannerInput!) { createBanner(input: $i) { id html } }";
    let everyone = admin
        .graphql(
            create,
            json!({"i": {"markdown": "**Maintenance** tonight <script>alert(1)</script>", "variant": "WARNING"}}),
        )
        .await;
    let everyone_id = everyone["data"]["createBanner"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let html = everyone["data"]["createBanner"]["html"].as_str().unwrap();
    assert!(
        html.contains("<strong>Maintenance</strong>") && !html.contains("<script"),
        "{html}"
    );
    admin
        .graphql(create, json!({"i": {"markdown": "Admins: review the queue", "audience": ["ADMIN"], "dismissible": false}}))
        .await;
    let later = (chrono::Utc::now() + chrono::TimeDelta::days(1)).to_rfc3339();
    admin
        .graphql(
            create,
            json!({"i": {"markdown": "Tomorrow", "startsAt": later}}),
        )
        .await;
    let bad = admin
        .graphql(
            create,
            json!({"i": {"markdown": "x", "startsAt": later, "endsAt": later}}),
        )
        .await;
    assert_eq!(bad["errors"][0]["extensions"]["code"], "BAD_USER_INPUT");

    let count = |body: &Value| body["data"]["banners"].as_array().unwrap().len();
    assert_eq!(
        count(&app.graphql(BANNERS).await),
        1,
        "anonymous: everyone's banner only"
    );
    assert_eq!(count(&ana.graphql(BANNERS, json!({})).await), 1);
    assert_eq!(
        count(&admin.graphql(BANNERS, json!({})).await),
        2,
        "plus the admins' one"
    );
    let all = admin.graphql("{ allBanners { id } }", json!({})).await;
    assert_eq!(
        all["data"]["allBanners"].as_array().unwrap().len(),
        3,
        "the scheduled one too"
    );
    assert_eq!(
        ana.graphql("{ allBanners { id } }", json!({})).await["errors"][0]["extensions"]["code"],
        "FORBIDDEN"
    );

    // Dismissal is per user.
    let dismiss = "mutation($id: ID!) { dismissBanner(id: $id) }";
    ana.graphql(dismiss, json!({ "id": everyone_id })).await;
    assert_eq!(count(&ana.graphql(BANNERS, json!({})).await), 0);
    assert_eq!(
        count(&admin.graphql(BANNERS, json!({})).await),
        2,
        "others still see it"
    );
    let admins_only = admin.graphql(BANNERS, json!({})).await["data"]["banners"]
        .as_array()
        .unwrap()
        .iter()
        .find(|b| b["dismissible"] == false)
        .unwrap()["id"]
        .clone();
    let refused = admin.graphql(dismiss, json!({ "id": admins_only })).await;
    assert_eq!(refused["errors"][0]["extensions"]["code"], "CONFLICT");
}

#[tokio::test]
async fn readers_get_a_banner_in_their_language_or_in_english() {
    let app = TestApp::start().await;
    let admin = app.sign_in_as("root@example.com", &["admin", "user"]).await;
    let ana = app.sign_in_as("ana@example.com", &["user"]).await;
    let create = "mutation($i: BannerInput!) { createBanner(input: $i) {
        id markdown language translations { language markdown html } } }";
    let created = admin
        .graphql(
            create,
            json!({"i": {"markdown": "**Maintenance** tonight",
                         "translations": [{"language": "de", "markdown": "**Wartung** heute <script>alert(1)</script>"}]}}),
        )
        .await;
    let banner = &created["data"]["createBanner"];
    assert_eq!(banner["markdown"], "**Maintenance** tonight", "{created}");
    assert_eq!(banner["language"], "en");
    let german = &banner["translations"][0];
    assert_eq!(german["language"], "de");
    let html = german["html"].as_str().unwrap();
    assert!(
        html.contains("<strong>Wartung</strong>") && !html.contains("<script"),
        "{html}"
    );

    // The reader's language when the banner has it, English otherwise.
    let read = |body: Value| {
        (
            body["data"]["banners"][0]["language"].clone(),
            body["data"]["banners"][0]["html"].clone(),
        )
    };
    let german = read(
        app.graphql(r#"{ banners(language: "de") { language html } }"#)
            .await,
    );
    assert_eq!(german.0, "de");
    assert!(
        german
            .1
            .as_str()
            .unwrap()
            .contains("<strong>Wartung</strong>"),
        "{german:?}"
    );
    assert!(!german.1.as_str().unwrap().contains("script"), "{german:?}");
    for query in [
        r#"{ banners(language: "fr") { language html } }"#,
        "{ banners { language html } }",
    ] {
        let english = read(ana.graphql(query, json!({})).await);
        assert_eq!(english.0, "en", "{query}");
        assert!(
            english
                .1
                .as_str()
                .unwrap()
                .contains("<strong>Maintenance</strong>"),
            "{query}"
        );
    }
    let region = read(
        ana.graphql(
            r#"{ banners(language: "de-AT") { language html } }"#,
            json!({}),
        )
        .await,
    );
    assert_eq!(region.0, "de");

    // Changing the banner without translations keeps them; a list replaces them.
    let update = "mutation($id: ID!, $i: BannerInput!) { updateBanner(id: $id, input: $i) {
        markdown translations { language markdown } } }";
    let id = banner["id"].clone();
    let kept = admin
        .graphql(
            update,
            json!({"id": id, "i": {"markdown": "Maintenance at 22:00"}}),
        )
        .await;
    assert_eq!(
        kept["data"]["updateBanner"]["translations"][0]["language"], "de",
        "{kept}"
    );
    let every: Vec<Value> = harness::browser::LANGUAGES
        .iter()
        .filter(|tag| **tag != "en")
        .map(|tag| json!({"language": tag, "markdown": format!("Text {tag}")}))
        .collect();
    let replaced = admin
        .graphql(
            update,
            json!({"id": id, "i": {"markdown": "Maintenance", "translations": every}}),
        )
        .await;
    assert_eq!(
        replaced["data"]["updateBanner"]["translations"]
            .as_array()
            .unwrap()
            .len(),
        harness::browser::LANGUAGES.len() - 1,
        "every portal language but English: {replaced}"
    );

    for (translation, needle) in [
        (json!({"language": "xx", "markdown": "text"}), "language"),
        (json!({"language": "en", "markdown": "text"}), "English"),
        (json!({"language": "de", "markdown": "   "}), "characters"),
        (
            json!({"language": "de", "markdown": "x".repeat(4_001)}),
            "characters",
        ),
    ] {
        let refused = admin
            .graphql(
                update,
                json!({"id": id, "i": {"markdown": "Maintenance", "translations": [translation]}}),
            )
            .await;
        assert_eq!(
            refused["errors"][0]["extensions"]["code"], "BAD_USER_INPUT",
            "{refused}"
        );
        assert!(
            refused["errors"][0]["message"]
                .as_str()
                .unwrap()
                .contains(needle),
            "{refused}"
        );
    }
    let by_user = ana
        .graphql(
            update,
            json!({"id": id, "i": {"markdown": "Mine", "translations": []}}),
        )
        .await;
    assert_eq!(by_user["errors"][0]["extensions"]["code"], "FORBIDDEN");
}

#[tokio::test]
async fn logos_are_checked_stored_and_served_with_caching() {
    use base64::Engine;
    let app = TestApp::builder().sqlite().config_toml("").start().await;
    let admin_token = harness::MASTER_KEY;
    let png: Vec<u8> = [b"\x89PNG\r\n\x1a\n".as_slice(), &[0u8; 64]].concat();
    let upload = "mutation($s: LogoSlot!, $t: String!, $d: String!) {
        uploadLogo(slot: $s, contentType: $t, dataBase64: $d) { slot url contentType size } }";
    let send = |vars: Value| {
        reqwest::Client::new()
            .post(app.url("/graphql"))
            .bearer_auth(admin_token)
            .json(&json!({"query": upload, "variables": vars}))
            .send()
    };
    let encode = |bytes: &[u8]| base64::engine::general_purpose::STANDARD.encode(bytes);
    let lying: Value = send(json!({"s": "LOGIN", "t": "image/svg+xml", "d": encode(&png)}))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(
        lying["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("image/png"),
        "{lying}"
    );
    let html: Value = send(json!({"s": "LOGIN", "t": "image/png", "d": encode(b"<html><script>")}))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(html["errors"][0]["extensions"]["code"], "BAD_USER_INPUT");
    let big: Value = send(json!({"s": "LOGIN", "t": "image/png", "d": encode(&[png.clone(), vec![0; 600 * 1024]].concat())}))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(
        big["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("KiB"),
        "{big}"
    );

    let stored: Value = send(json!({"s": "HEADER_LIGHT", "t": "image/png", "d": encode(&png)}))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let logo = &stored["data"]["uploadLogo"];
    assert_eq!(logo["size"], png.len());
    let url = logo["url"].as_str().unwrap().to_owned();
    let listed = app.graphql("{ branding { logos { slot url } } }").await;
    assert_eq!(
        listed["data"]["branding"]["logos"],
        json!([{"slot": "HEADER_LIGHT", "url": url}])
    );

    let served = app.get(&url).await;
    assert_eq!(served.status(), 200);
    assert_eq!(served.headers()["content-type"], "image/png");
    assert_eq!(
        served.headers()["cache-control"],
        "public, max-age=31536000, immutable"
    );
    let etag = served.headers()["etag"].to_str().unwrap().to_owned();
    assert_eq!(served.bytes().await.unwrap().as_ref(), png.as_slice());
    let again = reqwest::Client::new()
        .get(app.url(&url))
        .header("if-none-match", &etag)
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), 304);
    assert_eq!(app.get("/branding/logo/login").await.status(), 404);

    let svg = br#"<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>"#;
    send(json!({"s": "LOGIN", "t": "image/svg+xml", "d": encode(svg)}))
        .await
        .unwrap();
    let served = app.get("/branding/logo/login").await;
    let csp = served.headers()["content-security-policy"]
        .to_str()
        .unwrap();
    assert!(
        csp.contains("sandbox") && csp.contains("default-src 'none'"),
        "{csp}"
    );
}
