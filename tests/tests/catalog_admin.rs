//! Administering the catalog through GraphQL: testing a model server, registering a
//! deployment (credentials sealed at rest, used by the gateway), changing and removing it.

#![allow(clippy::unwrap_used)]

use std::time::Duration;

use harness::{MockUpstream, TestApp};
use sea_orm::{ConnectionTrait, DbBackend, Statement};
use serde_json::{Value, json};

const ADD: &str =
    "mutation($m: ModelInput!, $d: DeploymentInput!) { addDeployment(model: $m, deployment: $d) {
  id name capabilities inputPricePerMillion clusters deployments { id cluster apiBase } } }";
const TEST: &str = "mutation($id: ID, $base: String, $key: String) {
  testConnection(deploymentId: $id, apiBase: $base, apiKey: $key) { ok status message models latencyMs } }";

fn code(body: &Value) -> &str {
    body["errors"][0]["extensions"]["code"]
        .as_str()
        .unwrap_or("")
}

#[tokio::test]
async fn administrators_test_register_change_and_remove_deployments() {
    let mock = MockUpstream::start("aws", &["granite"], &["--api-key", "secret-123"]).await;
    let app = TestApp::start().await;
    let admin = app.sign_in_as("root@example.com", &["admin", "user"]).await;
    let base = mock.url("/v1");

    let wrong = admin
        .graphql(TEST, json!({"base": base, "key": "nope"}))
        .await;
    let wrong = &wrong["data"]["testConnection"];
    assert_eq!(
        (wrong["ok"].clone(), wrong["status"].clone()),
        (json!(false), json!(401))
    );
    assert!(
        wrong["message"]
            .as_str()
            .unwrap()
            .contains("refused the credential")
    );
    let right = admin
        .graphql(TEST, json!({"base": base, "key": "secret-123"}))
        .await;
    assert_eq!(right["data"]["testConnection"]["ok"], true, "{right}");
    assert_eq!(
        right["data"]["testConnection"]["models"],
        json!(["granite"])
    );
    let nowhere = admin
        .graphql(TEST, json!({"base": "http://127.0.0.1:9/v1"}))
        .await;
    assert!(
        nowhere["data"]["testConnection"]["message"]
            .as_str()
            .unwrap()
            .contains("cannot connect")
    );

    let model = json!({"name": "acme/granite", "capabilities": ["CHAT", "TOOLS"],
                       "inputPricePerMillion": 0.2, "outputPricePerMillion": 0.6});
    let deployment = json!({"cluster": "aws", "apiBase": base, "backendModel": "granite",
                            "apiKey": "secret-123"});
    let added = admin
        .graphql(ADD, json!({"m": model, "d": deployment}))
        .await;
    let added = &added["data"]["addDeployment"];
    assert_eq!(added["name"], "acme/granite", "{added}");
    assert_eq!(added["capabilities"], json!(["CHAT", "TOOLS"]));
    assert_eq!(added["inputPricePerMillion"], 0.2);
    assert_eq!(added["clusters"], json!(["aws"]));
    let deployment_id = added["deployments"][0]["id"].as_str().unwrap().to_owned();
    let twice = admin
        .graphql(ADD, json!({"m": model, "d": deployment}))
        .await;
    assert_eq!(code(&twice), "CONFLICT");
    let bad = admin
        .graphql(
            ADD,
            json!({"m": model, "d": {"cluster": "aws", "apiBase": "ftp://x"}}),
        )
        .await;
    assert_eq!(code(&bad), "BAD_USER_INPUT");

    // Sealed at rest, never returned, redacted in the audit log.
    let stored = app
        .database()
        .await
        .query_all(Statement::from_string(
            DbBackend::Postgres,
            "SELECT coalesce(credentials_encrypted, '') AS c FROM deployments",
        ))
        .await
        .unwrap();
    let sealed: String = stored[0].try_get("", "c").unwrap();
    assert!(!sealed.is_empty() && !sealed.contains("secret-123"));
    let audit = admin
        .graphql(
            "{ auditLog { edges { node { action after } } } }",
            json!({}),
        )
        .await;
    assert!(!audit.to_string().contains("secret-123"), "{audit}");

    // The gateway serves it with the stored credential (every replica reloads within a second).
    let chat = json!({"model": "acme/granite", "messages": [{"role": "user", "content": "hi"}]});
    let mut status = 0;
    for _ in 0..50 {
        status = app
            .post_as_master("/v1/chat/completions", &chat)
            .await
            .status()
            .as_u16();
        if status == 200 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(status, 200);
    let again = admin.graphql(TEST, json!({ "id": deployment_id })).await;
    assert_eq!(
        again["data"]["testConnection"]["ok"], true,
        "stored credential: {again}"
    );

    let update =
        "mutation($id: ID!) { updateDeployment(id: $id, changes: {inputPricePerMillion: 1.5}) }";
    assert_eq!(
        admin.graphql(update, json!({ "id": deployment_id })).await["data"]["updateDeployment"],
        true
    );
    let priced = app
        .graphql("{ model(name: \"acme/granite\") { inputPricePerMillion } }")
        .await;
    assert_eq!(priced["data"]["model"]["inputPricePerMillion"], 1.5);

    let removed = admin
        .graphql(
            "mutation($id: ID!) { removeDeployment(id: $id) }",
            json!({ "id": deployment_id }),
        )
        .await;
    assert_eq!(removed["data"]["removeDeployment"], "acme/granite");
    let gone = app
        .graphql("{ model(name: \"acme/granite\") { name } }")
        .await;
    assert_eq!(
        gone["data"]["model"],
        Value::Null,
        "its last deployment took the model along"
    );
}

#[tokio::test]
async fn models_change_and_go_and_configured_ones_only_change_in_configuration() {
    let app = TestApp::builder()
        .config_toml(
            "[[models]]\nname = \"cfg\"\n[[models.deployments]]\ncluster = \"a\"\n\
             api_base = \"http://127.0.0.1:9/v1\"\n",
        )
        .start()
        .await;
    let admin = app.sign_in_as("root@example.com", &["admin", "user"]).await;
    for (cluster, base) in [
        ("aws", "http://127.0.0.1:9/v1"),
        ("gaudi", "http://127.0.0.1:10/v1"),
    ] {
        let added = admin
            .graphql(
                ADD,
                json!({"m": {"name": "two-sites"}, "d": {"cluster": cluster, "apiBase": base}}),
            )
            .await;
        assert!(added["errors"].is_null(), "{added}");
    }
    let id = app
        .graphql("{ model(name: \"two-sites\") { id clusters } }")
        .await["data"]["model"]
        .clone();
    assert_eq!(id["clusters"], json!(["aws", "gaudi"]));
    let id = id["id"].clone();

    let change = "mutation($id: ID!, $c: ModelChangesInput!) { updateModel(id: $id, changes: $c) {
        description capabilities contextLength outputPricePerMillion } }";
    let changed = admin
        .graphql(
            change,
            json!({"id": id, "c": {"description": "Two sites", "capabilities": ["CHAT", "VISION"],
                                   "contextLength": 8192, "outputPricePerMillion": 2.0}}),
        )
        .await;
    assert_eq!(
        changed["data"]["updateModel"],
        json!({"description": "Two sites", "capabilities": ["CHAT", "VISION"], "contextLength": 8192,
               "outputPricePerMillion": 2.0})
    );
    let cleared = admin
        .graphql(change, json!({"id": id, "c": {"description": null}}))
        .await;
    assert_eq!(cleared["data"]["updateModel"]["description"], Value::Null);
    assert_eq!(
        cleared["data"]["updateModel"]["contextLength"], 8192,
        "left alone"
    );
    let zero = admin
        .graphql(change, json!({"id": id, "c": {"contextLength": 0}}))
        .await;
    assert_eq!(code(&zero), "BAD_USER_INPUT");

    let deleted = admin
        .graphql(
            "mutation($id: ID!) { deleteModel(id: $id) }",
            json!({ "id": id }),
        )
        .await;
    assert_eq!(deleted["data"]["deleteModel"], "two-sites");
    let gone = app.graphql("{ model(name: \"two-sites\") { name } }").await;
    assert_eq!(gone["data"]["model"], Value::Null, "with both deployments");

    let configured =
        app.graphql("{ model(name: \"cfg\") { id } }").await["data"]["model"]["id"].clone();
    let refused = admin
        .graphql(
            "mutation($id: ID!) { deleteModel(id: $id) }",
            json!({ "id": configured }),
        )
        .await;
    assert_eq!(code(&refused), "CONFLICT");
    assert!(
        refused["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("configuration")
    );
}
