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

#[tokio::test]
async fn every_change_is_recorded_with_its_actor_and_no_secret() {
    let app = TestApp::builder()
        .config_toml(
            "[[models]]\nname = \"granite\"\n[[models.deployments]]\ncluster = \"aws\"\n\
             api_base = \"http://127.0.0.1:9/v1\"\n",
        )
        .start()
        .await;
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
    assert_eq!(subscribed["targetId"], model);
    assert_eq!(subscribed["after"]["input"]["modelId"], model);
    assert_eq!(
        subscribed["after"]["result"]["id"].as_str().map(str::len),
        Some(36)
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
