//! Keys people make in the portal through GraphQL, used for real on `/v1`: subscriptions
//! decide what a key reaches, the key policy bounds what a key may be, and only the owner (or
//! an administrator) may change a key.

#![allow(clippy::unwrap_used)]

use std::time::Duration;

use harness::gateway::{ModelSpec, config};
use harness::{MockUpstream, TestApp, TestUser};
use serde_json::{Value, json};

fn code(body: &Value) -> &str {
    body["errors"][0]["extensions"]["code"]
        .as_str()
        .unwrap_or("")
}

async fn model_id(app: &TestApp, name: &str) -> String {
    let found = app
        .graphql_with(
            "query($n: String!) { model(name: $n) { id } }",
            json!({ "n": name }),
        )
        .await;
    found["data"]["model"]["id"].as_str().unwrap().to_owned()
}

const CREATE: &str = "mutation($i: CreateKeyInput!) { createKey(input: $i) {
    secret key { id name display models expiresAt rpmLimit tpmLimit rpdLimit maxBudget utilization owner } } }";

async fn create(user: &TestUser, input: Value) -> Value {
    user.graphql(CREATE, json!({ "i": input })).await
}

/// The status of a chat request with `key` for `model`.
async fn chat(app: &TestApp, key: &str, model: &str) -> u16 {
    let body = json!({"model": model, "messages": [{"role": "user", "content": "hi"}]});
    app.post_with_key("/v1/chat/completions", &body, key)
        .await
        .status()
        .as_u16()
}

/// Waits (up to 5 s: replicas poll key changes every second) until `key` gets `status`.
async fn eventually(app: &TestApp, key: &str, model: &str, status: u16) {
    for _ in 0..50 {
        if chat(app, key, model).await == status {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("{model} never answered {status} for this key");
}

async fn setup() -> (TestApp, MockUpstream, String, String) {
    let mock = MockUpstream::start("aws", &["granite", "nomic"], &[]).await;
    let toml = config(
        "",
        &[
            ModelSpec::new("granite", "granite", &[&mock]),
            ModelSpec::new("nomic", "nomic", &[&mock]),
        ],
    );
    let app = TestApp::builder().config_toml(&toml).start().await;
    let granite = model_id(&app, "granite").await;
    let nomic = model_id(&app, "nomic").await;
    (app, mock, granite, nomic)
}

#[tokio::test]
async fn keys_reach_only_subscribed_models_and_their_owner_controls_them() {
    let (app, _mock, granite, nomic) = setup().await;
    let ana = app.sign_in_as("ana@example.com", &["user"]).await;
    let bob = app.sign_in_as("bob@example.com", &["user"]).await;

    let unsubscribed = create(&ana, json!({"name": "laptop", "modelIds": [granite]})).await;
    assert_eq!(code(&unsubscribed), "FORBIDDEN");
    assert!(
        unsubscribed["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("granite")
    );

    let subscribe = "mutation($m: ID!) { subscribe(modelId: $m) { id status } }";
    let subscription = ana.graphql(subscribe, json!({ "m": granite })).await;
    let subscription_id = subscription["data"]["subscribe"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let made = create(&ana, json!({"name": "laptop", "modelIds": [granite]})).await;
    let key = &made["data"]["createKey"];
    let secret = key["secret"].as_str().unwrap().to_owned();
    let id = key["key"]["id"].as_str().unwrap().to_owned();
    assert!(secret.starts_with("sk-"));
    assert_eq!(key["key"]["models"], json!(["granite"]));
    assert_eq!(key["key"]["owner"], "ana@example.com");
    assert_eq!(
        key["key"]["display"],
        format!("sk-...{}", &secret[secret.len() - 4..])
    );
    let expires: chrono::DateTime<chrono::Utc> =
        key["key"]["expiresAt"].as_str().unwrap().parse().unwrap();
    let days = (expires - chrono::Utc::now()).num_days();
    assert!(
        (89..=90).contains(&days),
        "the default expiry is 90 days: {days}"
    );

    // The key works for its model and nothing else.
    assert_eq!(chat(&app, &secret, "granite").await, 200);
    assert_eq!(chat(&app, &secret, "nomic").await, 403);

    // Listed with spend, never with the secret.
    let listed = ana
        .graphql(
            "{ myKeys { edges { node { id name spend lastUsedAt } } } }",
            json!({}),
        )
        .await;
    assert!(!listed.to_string().contains(&secret));
    assert_eq!(
        listed["data"]["myKeys"]["edges"][0]["node"]["name"],
        "laptop"
    );
    assert_eq!(
        bob.graphql("{ myKeys { edges { node { id } } } }", json!({}))
            .await["data"]["myKeys"]["edges"],
        json!([])
    );

    // Nobody else may touch it.
    let revoke = "mutation($id: ID!) { revokeKey(id: $id) { blocked } }";
    for attempt in [
        bob.graphql(revoke, json!({ "id": id })).await,
        bob.graphql(
            "mutation($id: ID!) { deleteKey(id: $id) }",
            json!({ "id": id }),
        )
        .await,
        bob.graphql(
            "mutation($id: ID!) { updateKey(id: $id, input: {name: \"mine\"}) { name } }",
            json!({ "id": id }),
        )
        .await,
    ] {
        assert_eq!(code(&attempt), "NOT_FOUND", "{attempt}");
    }
    let stolen = create(
        &bob,
        json!({"name": "x", "modelIds": [granite], "userId": ana.id}),
    )
    .await;
    assert_eq!(
        code(&stolen),
        "FORBIDDEN",
        "only administrators make keys for others"
    );

    // Revoke and restore.
    assert_eq!(
        ana.graphql(revoke, json!({ "id": id })).await["data"]["revokeKey"]["blocked"],
        true
    );
    eventually(&app, &secret, "granite", 401).await;
    let restore = "mutation($id: ID!) { restoreKey(id: $id) { blocked } }";
    assert_eq!(
        ana.graphql(restore, json!({ "id": id })).await["data"]["restoreKey"]["blocked"],
        false
    );
    eventually(&app, &secret, "granite", 200).await;

    // Update: a second model once subscribed; the name changes.
    let update = "mutation($id: ID!, $in: UpdateKeyInput!) { updateKey(id: $id, input: $in) { name models } }";
    let early = ana
        .graphql(
            update,
            json!({"id": id, "in": {"modelIds": [granite, nomic]}}),
        )
        .await;
    assert_eq!(code(&early), "FORBIDDEN");
    ana.graphql(subscribe, json!({ "m": nomic })).await;
    let updated = ana
        .graphql(
            update,
            json!({"id": id, "in": {"modelIds": [granite, nomic], "name": "desk"}}),
        )
        .await;
    assert_eq!(
        updated["data"]["updateKey"],
        json!({"name": "desk", "models": ["granite", "nomic"]})
    );
    eventually(&app, &secret, "nomic", 200).await;

    // Rotation: without grace the old secret stops at once; with grace both work for a while.
    let rotate = "mutation($id: ID!, $g: String) { rotateKey(id: $id, gracePeriod: $g) { secret key { id } } }";
    let rotated = ana.graphql(rotate, json!({"id": id, "g": null})).await;
    let second = rotated["data"]["rotateKey"]["secret"]
        .as_str()
        .unwrap()
        .to_owned();
    eventually(&app, &secret, "granite", 401).await;
    assert_eq!(chat(&app, &second, "granite").await, 200);
    let graced = ana.graphql(rotate, json!({"id": id, "g": "1h"})).await;
    let third = graced["data"]["rotateKey"]["secret"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_ne!(
        graced["data"]["rotateKey"]["key"]["id"], id,
        "a new key carries the new secret"
    );
    eventually(&app, &third, "granite", 200).await;
    assert_eq!(
        chat(&app, &second, "granite").await,
        200,
        "the old secret still works for now"
    );
    let old = ana
        .graphql(
            "{ myKeys { edges { node { id expiresAt models } } } }",
            json!({}),
        )
        .await;
    let old = old["data"]["myKeys"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["node"]["id"] == id.as_str())
        .unwrap()["node"]
        .clone();
    let ends: chrono::DateTime<chrono::Utc> = old["expiresAt"].as_str().unwrap().parse().unwrap();
    assert!(ends <= chrono::Utc::now() + chrono::TimeDelta::hours(1));
    assert_eq!(old["models"], json!(["granite", "nomic"]));

    // Cancelling a subscription takes the model off the keys.
    let cancel = "mutation($id: ID!) { cancelSubscription(id: $id) { status } }";
    ana.graphql(cancel, json!({ "id": subscription_id })).await;
    eventually(&app, &third, "granite", 403).await;
    assert_eq!(chat(&app, &third, "nomic").await, 200);

    // Delete.
    let new_id = graced["data"]["rotateKey"]["key"]["id"].clone();
    let deleted = ana
        .graphql(
            "mutation($id: ID!) { deleteKey(id: $id) }",
            json!({ "id": new_id }),
        )
        .await;
    assert_eq!(deleted["data"]["deleteKey"], new_id);
    eventually(&app, &third, "nomic", 401).await;
}

#[tokio::test]
async fn the_key_policy_bounds_what_keys_may_be() {
    let (app, _mock, granite, _) = setup().await;
    let ana = app.sign_in_as("ana@example.com", &["user"]).await;
    let admin = app.sign_in_as("root@example.com", &["admin", "user"]).await;
    ana.graphql(
        "mutation($m: ID!) { subscribe(modelId: $m) { id } }",
        json!({ "m": granite }),
    )
    .await;

    let policy = json!({"maxKeysPerUser": 2, "defaultExpiryDays": 30, "maxExpiryDays": 60,
                        "maxRpmLimit": 100, "defaultTpmLimit": 1000, "maxTpmLimit": 5000,
                        "defaultRpdLimit": 500, "maxRpdLimit": 2000, "maxBudget": 20.0});
    let set = "mutation($p: KeyPolicyInput!) { setKeyPolicy(policy: $p) { maxKeysPerUser } }";
    assert_eq!(
        code(&ana.graphql(set, json!({ "p": policy })).await),
        "FORBIDDEN"
    );
    let bad = admin
        .graphql(set, json!({"p": {"maxKeysPerUser": 0}}))
        .await;
    assert_eq!(code(&bad), "BAD_USER_INPUT");
    let saved = admin.graphql(set, json!({ "p": policy })).await;
    assert_eq!(
        saved["data"]["setKeyPolicy"]["maxKeysPerUser"], 2,
        "{saved}"
    );
    let read = ana
        .graphql("{ keyPolicy { maxRpmLimit defaultExpiryDays } }", json!({}))
        .await;
    assert_eq!(
        read["data"]["keyPolicy"],
        json!({"maxRpmLimit": 100, "defaultExpiryDays": 30})
    );

    let too_fast = create(
        &ana,
        json!({"name": "a", "modelIds": [granite], "limits": {"rpmLimit": 500}}),
    )
    .await;
    assert_eq!(code(&too_fast), "BAD_USER_INPUT");
    assert!(
        too_fast["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("at most 100")
    );
    let daily_over = create(
        &ana,
        json!({"name": "b2", "modelIds": [granite], "limits": {"rpdLimit": 5000}}),
    )
    .await;
    assert!(
        daily_over["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("rpdLimit may be at most 2000"),
        "{daily_over}"
    );
    let too_long = create(
        &ana,
        json!({"name": "a", "modelIds": [granite], "expiry": {"expiresIn": "90d"}}),
    )
    .await;
    assert_eq!(code(&too_long), "BAD_USER_INPUT");
    let forever = create(
        &ana,
        json!({"name": "a", "modelIds": [granite], "expiry": {"neverExpires": true}}),
    )
    .await;
    assert_eq!(code(&forever), "BAD_USER_INPUT");
    let both = create(
        &ana,
        json!({"name": "a", "modelIds": [granite],
        "expiry": {"expiresIn": "1d", "neverExpires": true}}),
    )
    .await;
    assert_eq!(code(&both), "BAD_USER_INPUT");

    let first = create(&ana, json!({"name": "a", "modelIds": [granite]})).await;
    let key = &first["data"]["createKey"]["key"];
    assert_eq!(
        key["rpmLimit"], 100,
        "a maximum is applied when nothing is asked: {first}"
    );
    assert_eq!(key["tpmLimit"], 1000, "the default");
    assert_eq!(key["rpdLimit"], 500, "the default");
    assert_eq!(key["maxBudget"], 20.0);
    assert_eq!(key["utilization"], 0.0);
    let second = create(
        &ana,
        json!({"name": "b", "modelIds": [granite],
        "expiry": {"expiresIn": "7d"}, "limits": {"rpmLimit": 10, "maxBudget": 5.0}}),
    )
    .await;
    assert_eq!(second["data"]["createKey"]["key"]["rpmLimit"], 10);
    let third = create(&ana, json!({"name": "c", "modelIds": [granite]})).await;
    assert_eq!(code(&third), "CONFLICT", "two keys per user here");

    // An administrator may make a key for Ana (the cap still applies) and list everyone's.
    let for_ana = create(
        &admin,
        json!({"name": "ops", "modelIds": [granite], "userId": ana.id}),
    )
    .await;
    assert_eq!(code(&for_ana), "CONFLICT");
    let everyone = admin
        .graphql("{ keys { edges { node { owner } } } }", json!({}))
        .await;
    assert_eq!(
        everyone["data"]["keys"]["edges"].as_array().unwrap().len(),
        2
    );
    assert_eq!(
        code(
            &ana.graphql("{ keys { edges { node { id } } } }", json!({}))
                .await
        ),
        "FORBIDDEN"
    );
}

#[tokio::test]
async fn choosing_models_in_the_portal_narrows_a_key_that_reached_every_model() {
    let (app, _mock, granite, _nomic) = setup().await;
    let ana = app.sign_in_as("ana@example.com", &["user"]).await;
    // A provisioning script's key for Ana, made without a model list: every model.
    let made = app
        .post_as_master(
            "/key/generate",
            &json!({"user_id": "ana@example.com", "key_alias": "workshop"}),
        )
        .await;
    assert_eq!(made.status(), 200);
    let secret = made.json::<Value>().await.unwrap()["key"]
        .as_str()
        .unwrap()
        .to_owned();
    eventually(&app, &secret, "nomic", 200).await;

    // Ana picks granite for it in the portal: it reaches granite and nothing else.
    let subscribe = "mutation($m: ID!) { subscribe(modelId: $m) { id status } }";
    ana.graphql(subscribe, json!({ "m": granite })).await;
    let mine = ana
        .graphql("{ myKeys { edges { node { id } } } }", json!({}))
        .await;
    let id = mine["data"]["myKeys"]["edges"][0]["node"]["id"].clone();
    let updated = ana
        .graphql(
            "mutation($id: ID!, $in: UpdateKeyInput!) { updateKey(id: $id, input: $in) { models } }",
            json!({"id": id, "in": {"modelIds": [granite]}}),
        )
        .await;
    assert_eq!(
        updated["data"]["updateKey"]["models"],
        json!(["granite"]),
        "{updated}"
    );
    eventually(&app, &secret, "nomic", 403).await;
    assert_eq!(chat(&app, &secret, "granite").await, 200);
}
