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
