//! The audit log records every change, through GraphQL and the admin REST API, with its
//! actor and secrets redacted; administrators read it with filters.

#![allow(clippy::unwrap_used)]

use harness::TestApp;
use serde_json::{Value, json};

const LOG: &str = "query($f: AuditLogFilter) { auditLog(filter: $f) { edges { node {
  actor actorUserId action targetType targetId before after requestId } } } }";

fn entries(body: &Value) -> Vec<Value> {
    body["data"]["auditLog"]["edges"]
        .as_array()
        .unwrap_or_else(|| panic!("{body}"))
        .iter()
        .map(|e| e["node"].clone())
        .collect()
}

/// A server with one model, `granite` (never called).
async fn with_granite() -> TestApp {
    TestApp::builder()
        .config_toml(
            "[[models]]\nname = \"granite\"\n[[models.deployments]]\ncluster = \"aws\"\n\
             api_base = \"http://127.0.0.1:9/v1\"\n",
        )
        .start()
        .await
}

#[tokio::test]
async fn every_change_is_recorded_with_its_actor_and_no_secret() {
    let app = with_granite().await;
    let ana = app.sign_in_as("ana@example.com", &["user"]).await;
    let auditor = app
        .sign_in_as("audit@example.com", &["admin-readonly", "user"])
        .await;
    let model =
        app.graphql("{ model(name: \"granite\") { id } }").await["data"]["model"]["id"].clone();

    ana.graphql(
        "mutation($m: ID!) { subscribe(modelId: $m) { id } }",
        json!({ "m": model }),
    )
    .await;
    let token = ana
        .graphql(
            "mutation { createAccessToken(name: \"ci\", canWrite: true) { secret } }",
            json!({}),
        )
        .await;
    let secret = token["data"]["createAccessToken"]["secret"]
        .as_str()
        .unwrap()
        .to_owned();
    let generated: Value = app
        .post_as_master(
            "/key/generate",
            &json!({"models": ["granite"], "user_id": "bob@example.com"}),
        )
        .await
        .json()
        .await
        .unwrap();
    let key = generated["key"].as_str().unwrap().to_owned();
    // A refused change is recorded as refused, with why.
    ana.graphql(
        "mutation { setModelRestricted(modelId: \"x\", restricted: true) { name } }",
        json!({}),
    )
    .await;

    assert_eq!(
        ana.graphql(LOG, json!({})).await["errors"][0]["extensions"]["code"],
        "FORBIDDEN"
    );
    let all = entries(&auditor.graphql(LOG, json!({})).await);
    let dump = serde_json::to_string(&all).unwrap();
    assert!(
        !dump.contains(&secret) && !dump.contains(&key),
        "secrets leaked: {dump}"
    );
    let actions: Vec<&str> = all.iter().map(|e| e["action"].as_str().unwrap()).collect();
    assert_eq!(
        actions,
        [
            "setModelRestricted",
            "POST /key/generate",
            "createAccessToken",
            "subscribe"
        ],
        "newest first"
    );
    let refused = &all[0];
    assert_eq!(refused["actor"], "ana@example.com");
    assert!(refused["after"]["result"].is_null(), "{refused}");
    assert!(
        refused["after"]["refused"]
            .as_str()
            .is_some_and(|why| !why.is_empty()),
        "{refused}"
    );

    let subscribed = &all[3];
    assert_eq!(subscribed["actor"], "ana@example.com");
    assert_eq!(subscribed["actorUserId"], ana.id.as_str());
    assert_eq!(subscribed["targetType"], "ModelSubscription");
    assert_eq!(subscribed["after"]["input"]["modelId"], model);
    assert_eq!(
        subscribed["after"]["result"]["id"].as_str().map(str::len),
        Some(36)
    );
    assert_eq!(
        subscribed["targetId"], subscribed["after"]["result"]["id"],
        "the subscription is the object changed, not its model"
    );
    assert!(subscribed["requestId"].is_string());
    assert_eq!(all[2]["after"]["result"]["secret"], "[REDACTED]");
    let admin_api = &all[1];
    assert_eq!(admin_api["actor"], "master key");
    assert_eq!(admin_api["after"]["input"]["user_id"], "bob@example.com");
    assert_eq!(admin_api["after"]["result"]["key"], "[REDACTED]");
    assert_eq!(admin_api["after"]["status"], 200);

    let only = entries(
        &auditor
            .graphql(LOG, json!({"f": {"action": "subscribe"}}))
            .await,
    );
    assert_eq!(only.len(), 1);
    let by_ana = entries(
        &auditor
            .graphql(LOG, json!({"f": {"actorUserId": ana.id}}))
            .await,
    );
    assert_eq!(by_ana.len(), 3);
}

#[tokio::test]
async fn free_text_actor_and_object_filters_match_literally_in_any_case() {
    let app = with_granite().await;
    let ana = app.sign_in_as("ana@example.com", &["user"]).await;
    let bob = app.sign_in_as("bob@example.com", &["user"]).await;
    let auditor = app
        .sign_in_as("audit@example.com", &["admin-readonly", "user"])
        .await;
    let model =
        app.graphql("{ model(name: \"granite\") { id } }").await["data"]["model"]["id"].clone();
    let subscribed = ana
        .graphql(
            "mutation($m: ID!) { subscribe(modelId: $m) { id } }",
            json!({ "m": model }),
        )
        .await;
    let subscription = subscribed["data"]["subscribe"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let token = |name: &'static str| {
        format!("mutation {{ createAccessToken(name: \"{name}\") {{ token {{ id }} }} }}")
    };
    ana.graphql(&token("Nightly_100%"), json!({})).await;
    // What `_` and `%` would match as a pattern.
    bob.graphql(&token("nightlyX100 and more"), json!({})).await;

    let find = |filter: Value| {
        let auditor = &auditor;
        async move {
            entries(&auditor.graphql(LOG, json!({ "f": filter })).await)
                .iter()
                .map(|e| {
                    format!(
                        "{} {}",
                        e["actor"].as_str().unwrap(),
                        e["action"].as_str().unwrap()
                    )
                })
                .collect::<Vec<_>>()
        }
    };
    let ana_token = ["ana@example.com createAccessToken"];
    let both_tokens = [
        "bob@example.com createAccessToken",
        "ana@example.com createAccessToken",
    ];
    // Free text: the recorded input, any case, `_` and `%` literally.
    assert_eq!(find(json!({"text": "NIGHTLY_100%"})).await, ana_token);
    assert_eq!(find(json!({"text": "nightly"})).await, both_tokens);
    // The recorded result (the new subscription's id), and the actor and the action.
    assert_eq!(
        find(json!({"text": subscription.to_uppercase()})).await,
        ["ana@example.com subscribe"]
    );
    assert_eq!(find(json!({"text": "BOB@"})).await.len(), 1);
    assert_eq!(find(json!({"text": "accesstoken"})).await, both_tokens);
    // The actor's name only: Ana's entries, not Bob's mentioning nothing of hers.
    assert_eq!(
        find(json!({"actor": "Ana@"})).await,
        [
            "ana@example.com createAccessToken",
            "ana@example.com subscribe"
        ]
    );
    // The object: its type or its id.
    assert_eq!(
        find(json!({"target": "modelsubscription"})).await,
        ["ana@example.com subscribe"]
    );
    assert_eq!(
        find(json!({"target": &subscription[..8]})).await,
        ["ana@example.com subscribe"]
    );
    // The model it concerns is in the recorded input, which the free text searches.
    assert_eq!(
        find(json!({"text": model.as_str().unwrap()})).await,
        ["ana@example.com subscribe"]
    );
    // Filters combine; dates bound them; a blank text is no filter.
    assert_eq!(
        find(json!({"text": "nightly", "actor": "bob"})).await,
        ["bob@example.com createAccessToken"]
    );
    let later = (chrono::Utc::now() + chrono::TimeDelta::hours(1)).to_rfc3339();
    assert!(find(json!({"since": later})).await.is_empty());
    assert_eq!(find(json!({"until": later, "text": "  "})).await.len(), 3);

    // The actions recorded, for the page's list, for administrators only.
    let actions = auditor.graphql("{ auditActions }", json!({})).await;
    assert_eq!(
        actions["data"]["auditActions"],
        json!(["createAccessToken", "subscribe"]),
        "{actions}"
    );
    assert_eq!(
        ana.graphql("{ auditActions }", json!({})).await["errors"][0]["extensions"]["code"],
        "FORBIDDEN"
    );
}
