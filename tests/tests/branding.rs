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
