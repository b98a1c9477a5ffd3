//! The portal's playground calls `/v1` with the browser's session instead of a key: only from
//! the portal's own origin with the session's CSRF token, only the user's subscribed models,
//! under the user's limits and budget, recorded as the user's "Playground" key, which the
//! user never holds and which does not count against the keys they may make.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use harness::{MockUpstream, TestApp, TestUser};
use serde_json::{Value, json};

async fn app_with_models(mock: &MockUpstream) -> TestApp {
    let toml = format!(
        "[[models]]\nname = \"ibm/granite\"\ncapabilities = [\"chat\"]\ninput_cost_per_token = 0.001\n\
         output_cost_per_token = 0.002\n[[models.deployments]]\ncluster = \"aws\"\n\
         api_base = \"{0}/v1\"\nbackend_model = \"granite\"\n\n\
         [[models]]\nname = \"other\"\ncapabilities = [\"chat\"]\n[[models.deployments]]\n\
         cluster = \"aws\"\napi_base = \"{0}/v1\"\nbackend_model = \"granite\"\n",
        mock.base
    );
    TestApp::builder().config_toml(&toml).start().await
}

async fn subscribe(user: &TestUser, model: &str) {
    let found = user
        .graphql(
            "query($n: String!) { model(name: $n) { id } }",
            json!({ "n": model }),
        )
        .await;
    let id = found["data"]["model"]["id"].as_str().unwrap().to_owned();
    let done = user
        .graphql(
            "mutation($m: ID!) { subscribe(modelId: $m) { status } }",
            json!({ "m": id }),
        )
        .await;
    assert_eq!(done["data"]["subscribe"]["status"], "ACTIVE", "{done}");
}

/// A chat request from the user's browser: session cookie, optional CSRF token and origin.
async fn chat(
    app: &TestApp,
    user: &TestUser,
    model: &str,
    csrf: bool,
    origin: Option<&str>,
) -> (u16, Value) {
    let mut request = user
        .browser
        .client
        .post(app.url("/v1/chat/completions"))
        .json(&json!({"model": model, "messages": [{"role": "user", "content": "Hello"}]}));
    if csrf {
        let token = user.browser.cookie(&app.url(""), "sy_csrf").unwrap();
        request = request.header("x-csrf-token", token);
    }
    if let Some(origin) = origin {
        request = request.header("origin", origin);
    }
    let response = request.send().await.unwrap();
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

#[tokio::test]
async fn a_session_calls_its_subscribed_models_and_pays_as_its_playground_key() {
    let mock = MockUpstream::start("aws", &["granite"], &["--completion-tokens", "4"]).await;
    let app = app_with_models(&mock).await;
    let ana = app.sign_in_as("ana@example.com", &["user"]).await;
    subscribe(&ana, "ibm/granite").await;

    // From the portal itself (same origin, CSRF token): answered and charged.
    let (status, body) = chat(&app, &ana, "ibm/granite", true, Some(&app.base)).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        body["choices"][0]["message"]["content"],
        "tok0 tok1 tok2 tok3 "
    );

    // Not subscribed: refused like a key without the model.
    let (status, body) = chat(&app, &ana, "other", true, None).await;
    assert_eq!(status, 403, "{body}");

    // Without the CSRF token (a forged cross-site form) or from another site: refused,
    // and nothing reaches the model server.
    let before = mock.stats().await["requests"].as_i64().unwrap();
    let (status, body) = chat(&app, &ana, "ibm/granite", false, None).await;
    assert_eq!(status, 401, "{body}");
    assert!(
        body["error"]["message"].as_str().unwrap().contains("CSRF"),
        "{body}"
    );
    let (status, _) = chat(
        &app,
        &ana,
        "ibm/granite",
        true,
        Some("https://evil.example"),
    )
    .await;
    assert_eq!(status, 403);
    assert_eq!(mock.stats().await["requests"].as_i64().unwrap(), before);

    // The spend is the user's, under a key called "Playground" that is not in their list.
    let usage = "query($from: DateTime!, $to: DateTime!) {
        usage(input: {from: $from, to: $to}) {
          totals { requests spend }
          series(groupBy: KEY) { label totals { requests } } } }";
    let from = chrono::Utc::now() - chrono::Duration::hours(1);
    let to = chrono::Utc::now() + chrono::Duration::hours(1);
    let mut report = Value::Null;
    for _ in 0..50 {
        report = ana
            .graphql(
                usage,
                json!({"from": from.to_rfc3339(), "to": to.to_rfc3339()}),
            )
            .await;
        if report["data"]["usage"]["totals"]["requests"] == 1 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert_eq!(report["data"]["usage"]["totals"]["requests"], 1, "{report}");
    assert!(report["data"]["usage"]["totals"]["spend"].as_f64().unwrap() > 0.0);
    assert_eq!(
        report["data"]["usage"]["series"][0]["label"], "Playground",
        "{report}"
    );
    let account = ana.graphql("{ myAccount { spend } }", json!({})).await;
    assert!(
        account["data"]["myAccount"]["spend"].as_f64().unwrap() > 0.0,
        "{account}"
    );
    let keys = ana.graphql("{ myKeys { totalCount } }", json!({})).await;
    assert_eq!(keys["data"]["myKeys"]["totalCount"], 0, "{keys}");
}

#[tokio::test]
async fn the_playground_key_does_not_count_against_the_key_cap() {
    let mock = MockUpstream::start("aws", &["granite"], &[]).await;
    let app = app_with_models(&mock).await;
    let admin = app.sign_in_as("root@example.com", &["admin"]).await;
    let policy = admin
        .graphql(
            "mutation { setKeyPolicy(policy: {maxKeysPerUser: 1}) { maxKeysPerUser } }",
            json!({}),
        )
        .await;
    assert_eq!(
        policy["data"]["setKeyPolicy"]["maxKeysPerUser"], 1,
        "{policy}"
    );
    let bo = app.sign_in_as("bo@example.com", &["user"]).await;
    subscribe(&bo, "ibm/granite").await;
    let (status, body) = chat(&app, &bo, "ibm/granite", true, None).await;
    assert_eq!(status, 200, "{body}");
    let model = bo
        .graphql("{ model(name: \"ibm/granite\") { id } }", json!({}))
        .await["data"]["model"]["id"]
        .clone();
    let made = bo
        .graphql(
            "mutation($m: ID!) { createKey(input: {name: \"mine\", modelIds: [$m]}) { key { id } } }",
            json!({ "m": model }),
        )
        .await;
    assert!(made["errors"].is_null(), "{made}");
    // Administrators see the playground key among everyone's.
    let all = admin
        .graphql("{ keys { nodes { origin owner } } }", json!({}))
        .await;
    let origins: Vec<&str> = all["data"]["keys"]["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| k["origin"].as_str().unwrap())
        .collect();
    assert!(origins.contains(&"playground"), "{all}");
}

#[tokio::test]
async fn the_playground_key_cannot_be_taken_in_hand_and_follows_subscriptions_at_once() {
    let mock = MockUpstream::start("aws", &["granite"], &[]).await;
    let app = app_with_models(&mock).await;
    let cy = app.sign_in_as("cy@example.com", &["user"]).await;
    subscribe(&cy, "ibm/granite").await;

    // Five first requests at once: all answered, and one playground key made.
    let calls = (0..5).map(|_| chat(&app, &cy, "ibm/granite", true, None));
    for (status, body) in futures::future::join_all(calls).await {
        assert_eq!(status, 200, "{body}");
    }
    let admin = app.sign_in_as("root@example.com", &["admin"]).await;
    let all = admin
        .graphql("{ keys { nodes { id origin } } }", json!({}))
        .await;
    let playground: Vec<&Value> = all["data"]["keys"]["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|k| k["origin"] == "playground")
        .collect();
    assert_eq!(playground.len(), 1, "{all}");
    let id = playground[0]["id"].as_str().unwrap().to_owned();

    // Its id is no secret (usage reports and live feeds name it), but its owner can neither
    // rotate it into a key of their own nor edit, revoke, restore or delete it.
    for operation in [
        "mutation($id: ID!) { rotateKey(id: $id) { secret } }",
        "mutation($id: ID!) { rotateKey(id: $id, gracePeriod: \"1h\") { secret } }",
        "mutation($id: ID!) { updateKey(id: $id, input: {name: \"mine\"}) { id } }",
        "mutation($id: ID!) { revokeKey(id: $id) { id } }",
        "mutation($id: ID!) { restoreKey(id: $id) { id } }",
        "mutation($id: ID!) { deleteKey(id: $id) }",
    ] {
        let answer = cy.graphql(operation, json!({ "id": id })).await;
        assert_eq!(
            answer["errors"][0]["extensions"]["code"], "NOT_FOUND",
            "{operation}: {answer}"
        );
    }
    let (status, _) = chat(&app, &cy, "ibm/granite", true, None).await;
    assert_eq!(status, 200, "the playground still works");

    // Cancelling the subscription takes the model away at once, not after the key cache.
    let mine = cy.graphql("{ mySubscriptions { id } }", json!({})).await;
    let subscription = mine["data"]["mySubscriptions"][0]["id"].clone();
    let cancelled = cy
        .graphql(
            "mutation($id: ID!) { cancelSubscription(id: $id) { status } }",
            json!({ "id": subscription }),
        )
        .await;
    assert_eq!(
        cancelled["data"]["cancelSubscription"]["status"],
        "CANCELLED"
    );
    let mut status = 0;
    // Every replica looks again within `gateway.registry_poll_seconds` (2 s).
    for _ in 0..50 {
        status = chat(&app, &cy, "ibm/granite", true, None).await.0;
        if status == 403 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert_eq!(status, 403, "the cancelled model still answered after 5 s");
}
