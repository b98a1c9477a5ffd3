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

/// Credentials keys (base64 of 32 bytes).
const KEY_ONE: &str = "MTExMTExMTExMTExMTExMTExMTExMTExMTExMTExMTE=";
const KEY_TWO: &str = "MjIyMjIyMjIyMjIyMjIyMjIyMjIyMjIyMjIyMjIyMjI=";

fn code(body: &Value) -> &str {
    body["errors"][0]["extensions"]["code"]
        .as_str()
        .unwrap_or("")
}

#[tokio::test]
async fn administrators_test_register_change_and_remove_deployments() {
    let mock = MockUpstream::start("aws", &["granite"], &["--api-key", "secret-123"]).await;
    let app = TestApp::builder()
        .config_toml(&format!("[gateway]\ncredentials_key = \"{KEY_ONE}\"\n"))
        .start()
        .await;
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
    let unbounded = admin
        .graphql(
            ADD,
            json!({"m": model, "d": {"cluster": "ibm", "apiBase": "http://x/v1",
                "maxParallelRequests": 0}}),
        )
        .await;
    assert_eq!(code(&unbounded), "BAD_USER_INPUT", "{unbounded}");

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

    // Weight, timeouts and the parallel cap change too (null: back to the default / no cap),
    // and administrators read them back with the model's source; other callers see none.
    let tune = "mutation($id: ID!, $c: DeploymentChangesInput!) { updateDeployment(id: $id, changes: $c) }";
    let tuned = admin
        .graphql(
            tune,
            json!({"id": deployment_id, "c": {"weight": 3, "timeoutMs": 90000,
                   "firstByteTimeoutMs": 5000, "maxParallelRequests": 8}}),
        )
        .await;
    assert_eq!(tuned["data"]["updateDeployment"], true, "{tuned}");
    let read = "{ model(name: \"acme/granite\") { source declaredIn deployments {
        backendModel weight timeoutMs firstByteTimeoutMs maxParallelRequests coolingDownUntil } } }";
    let seen = admin.graphql(read, json!({})).await;
    assert_eq!(
        seen["data"]["model"],
        json!({"source": "API", "declaredIn": null, "deployments": [{
            "backendModel": "granite", "weight": 3, "timeoutMs": 90000,
            "firstByteTimeoutMs": 5000, "maxParallelRequests": 8, "coolingDownUntil": null}]})
    );
    let cleared = admin
        .graphql(
            tune,
            json!({"id": deployment_id, "c": {"firstByteTimeoutMs": null, "maxParallelRequests": null}}),
        )
        .await;
    assert_eq!(cleared["data"]["updateDeployment"], true, "{cleared}");
    let seen = admin.graphql(read, json!({})).await;
    assert_eq!(seen["data"]["model"]["deployments"][0]["weight"], 3);
    assert_eq!(
        seen["data"]["model"]["deployments"][0]["firstByteTimeoutMs"],
        Value::Null
    );
    for bad in [
        json!({"weight": 0}),
        json!({"timeoutMs": -1}),
        json!({"maxParallelRequests": 0}),
        json!({"weight": 10_001}),
        json!({"timeoutMs": 86_400_001}),
        json!({"firstByteTimeoutMs": 86_400_001}),
        json!({"maxParallelRequests": 1_000_001}),
    ] {
        let refused = admin
            .graphql(tune, json!({"id": deployment_id, "c": bad}))
            .await;
        assert_eq!(code(&refused), "BAD_USER_INPUT", "{bad}: {refused}");
        assert!(
            refused["errors"][0]["message"]
                .as_str()
                .is_some_and(|m| m.contains("must be between 1 and")),
            "{refused}"
        );
    }
    let public = app.graphql(read).await;
    assert_eq!(
        public["data"]["model"]["deployments"][0],
        json!({"backendModel": null, "weight": null, "timeoutMs": null, "firstByteTimeoutMs": null,
               "maxParallelRequests": null, "coolingDownUntil": null})
    );

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
    // A configured model says where it is declared (to administrators).
    let where_from = "{ model(name: \"cfg\") { source declaredIn } }";
    let declared = admin.graphql(where_from, json!({})).await;
    assert_eq!(declared["data"]["model"]["source"], "CONFIGURATION");
    let file = app.config_path().display().to_string();
    assert_eq!(declared["data"]["model"]["declaredIn"], file.as_str());
    assert_eq!(
        app.graphql(where_from).await["data"]["model"]["declaredIn"],
        Value::Null
    );

    // reloadCatalog reads the file again: a model added there is served after it.
    let more = format!(
        "{}[[models]]\nname = \"cfg-two\"\n[[models.deployments]]\ncluster = \"a\"\n\
         api_base = \"http://127.0.0.1:9/v1\"\n",
        std::fs::read_to_string(app.config_path()).unwrap()
    );
    std::fs::write(app.config_path(), more).unwrap();
    let reload = "mutation { reloadCatalog { changed models } }";
    let reloaded = admin.graphql(reload, json!({})).await;
    assert_eq!(
        reloaded["data"]["reloadCatalog"],
        json!({"changed": true, "models": 2}),
        "{reloaded}"
    );
    let listed = app.graphql("{ model(name: \"cfg-two\") { source } }").await;
    assert_eq!(listed["data"]["model"]["source"], "CONFIGURATION");
    let again = admin.graphql(reload, json!({})).await;
    assert_eq!(again["data"]["reloadCatalog"]["changed"], false);
    // A configuration that does not parse is refused with the reason, nothing changes.
    std::fs::write(app.config_path(), "[[models]\nname =").unwrap();
    let broken = admin.graphql(reload, json!({})).await;
    assert_eq!(code(&broken), "BAD_USER_INPUT", "{broken}");
    assert!(
        app.graphql("{ model(name: \"cfg-two\") { name } }").await["data"]["model"].is_object()
    );
}

/// Runs `switchyard <args>` to its end on `database_url` with `credentials_key` (none: unset)
/// and `extra_env`; its exit status and what it printed.
fn run_switchyard(
    database_url: &str,
    credentials_key: Option<&str>,
    args: &[&str],
    extra_env: &[(&str, &str)],
) -> (std::process::ExitStatus, String) {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("switchyard.toml");
    let key = credentials_key.map_or(String::new(), |k| format!("credentials_key = \"{k}\"\n"));
    std::fs::write(&config, format!("[gateway]\n{key}")).unwrap();
    let mut command = std::process::Command::new(harness::switchyard_bin());
    command
        .args(args)
        .env_clear()
        .env("SWITCHYARD_CONFIG", &config)
        .env("SWITCHYARD_DATA_DIR", dir.path().join("data"))
        .env("SWITCHYARD_LISTEN", "127.0.0.1:0")
        .env("SWITCHYARD_DATABASE_URL", database_url)
        .env("SWITCHYARD_MASTER_KEY", harness::MASTER_KEY);
    for (name, value) in extra_env {
        command.env(name, value);
    }
    // A server that does start is stopped after a while; the checks below want it not to.
    harness::run_to_end(&mut command)
}

/// Stored credentials open only with the key they were sealed with: a server with another key,
/// or (on a shared database) with none, refuses to start rather than call model servers
/// without them, and `reseal-credentials` moves them to a new key.
#[tokio::test]
async fn stored_credentials_need_their_key_and_move_to_a_new_one_by_resealing() {
    let mock = MockUpstream::start("aws", &["granite"], &["--api-key", "secret-123"]).await;
    let mut app = TestApp::builder()
        .config_toml(&format!("[gateway]\ncredentials_key = \"{KEY_ONE}\"\n"))
        .start()
        .await;
    let admin = app.sign_in_as("root@example.com", &["admin", "user"]).await;
    let model = json!({"name": "sealed", "capabilities": ["CHAT"]});
    let deployment = json!({"cluster": "aws", "apiBase": mock.url("/v1"), "backendModel": "granite",
                            "apiKey": "secret-123"});
    let added = admin
        .graphql(ADD, json!({"m": model, "d": deployment}))
        .await;
    assert!(added["errors"].is_null(), "{added}");
    let database = app.database_url();
    assert!(app.terminate().await.success());

    let (status, printed) = run_switchyard(&database, Some(KEY_TWO), &["serve"], &[]);
    assert!(!status.success(), "started with the wrong key: {printed}");
    assert!(
        printed.contains("cannot be opened") && printed.contains("reseal-credentials"),
        "{printed}"
    );
    let (status, printed) = run_switchyard(&database, None, &["serve"], &[]);
    assert!(!status.success(), "started without a key: {printed}");
    assert!(
        printed.contains("gateway.credentials_key is not set"),
        "{printed}"
    );

    // Re-sealed from the old key to the new one, the new key serves them.
    let (status, printed) = run_switchyard(&database, Some(KEY_TWO), &["reseal-credentials"], &[]);
    assert!(!status.success(), "no old key given: {printed}");
    assert!(
        printed.contains("SWITCHYARD_OLD_CREDENTIALS_KEY"),
        "{printed}"
    );
    let (status, printed) = run_switchyard(
        &database,
        Some(KEY_TWO),
        &["reseal-credentials"],
        &[("SWITCHYARD_OLD_CREDENTIALS_KEY", KEY_ONE)],
    );
    assert!(status.success(), "{printed}");
    assert!(printed.contains("re-sealed 1 credential(s)"), "{printed}");
    let renewed = TestApp::builder()
        .database_url(&database)
        .config_toml(&format!("[gateway]\ncredentials_key = \"{KEY_TWO}\"\n"))
        .start()
        .await;
    let chat = json!({"model": "sealed", "messages": [{"role": "user", "content": "hi"}]});
    let response = renewed.post_as_master("/v1/chat/completions", &chat).await;
    assert_eq!(
        response.status(),
        200,
        "the model server got its credential"
    );

    // On a shared database without a key, a credential is not stored at all.
    let keyless = TestApp::start().await;
    let refused = keyless
        .post_as_master(
            "/model/new",
            &json!({"model_name": "other", "litellm_params": {"model": "hosted_vllm/granite",
                    "api_base": mock.url("/v1"), "api_key": "secret-123"}}),
        )
        .await;
    assert_eq!(refused.status(), 400);
    let body: Value = refused.json().await.unwrap();
    assert!(
        body.to_string().contains("gateway.credentials_key"),
        "{body}"
    );
}
