//! The catalog and model subscriptions through GraphQL, as anonymous visitors, users,
//! read-only administrators and administrators meet them.

#![allow(clippy::unwrap_used)]

use harness::TestApp;
use serde_json::{Value, json};

const MODELS: &str = r#"
[[models]]
name = "ibm/granite-3"
description = "IBM Granite instruct"
provider = "hosted_vllm"
capabilities = ["chat", "completion", "tools"]
context_length = 131072
input_cost_per_token = 2.0e-7
output_cost_per_token = 6.0e-7
[[models.deployments]]
cluster = "aws"
api_base = "http://127.0.0.1:9/v1"
[[models.deployments]]
cluster = "gaudi"
api_base = "http://127.0.0.1:10/v1"

[[models]]
name = "restricted/llama"
capabilities = ["chat"]
restricted = true
[[models.deployments]]
cluster = "gaudi"
api_base = "http://127.0.0.1:9/v1"

[[models]]
name = "nomic-embed"
provider = "openai"
capabilities = ["embeddings"]
[[models.deployments]]
cluster = "aws"
api_base = "http://127.0.0.1:9/v1"
"#;

fn code(body: &Value) -> &str {
    body["errors"][0]["extensions"]["code"]
        .as_str()
        .unwrap_or("")
}

fn names(body: &Value) -> Vec<String> {
    body["data"]["models"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["node"]["name"].as_str().unwrap().to_owned())
        .collect()
}

const LIST: &str = "query($f: ModelFilter, $first: Int, $after: String) {
  models(filter: $f, first: $first, after: $after) {
    pageInfo { hasNextPage endCursor }
    edges { node { name } } } }";

#[tokio::test]
async fn the_catalog_is_public_filterable_and_shows_urls_only_to_administrators() {
    let app = TestApp::builder().config_toml(MODELS).start().await;
    let one = app
        .graphql(
            "{ model(name: \"ibm/granite-3\") { name description provider capabilities contextLength
                 inputPricePerMillion outputPricePerMillion restricted clusters mySubscriptionStatus
                 deployments { cluster enabled apiBase } } }",
        )
        .await;
    assert_eq!(
        one["data"]["model"],
        json!({
            "name": "ibm/granite-3", "description": "IBM Granite instruct",
            "provider": "hosted_vllm", "capabilities": ["CHAT", "COMPLETION", "TOOLS"],
            "contextLength": 131072, "inputPricePerMillion": 0.2, "outputPricePerMillion": 0.6,
            "restricted": false, "clusters": ["aws", "gaudi"], "mySubscriptionStatus": null,
            "deployments": [
                {"cluster": "aws", "enabled": true, "apiBase": null},
                {"cluster": "gaudi", "enabled": true, "apiBase": null}
            ]
        })
    );
    assert!(
        !one.to_string().contains("127.0.0.1"),
        "anonymous callers see no internal URLs"
    );

    let all = app.graphql_with(LIST, json!({})).await;
    assert_eq!(
        names(&all),
        ["ibm/granite-3", "nomic-embed", "restricted/llama"]
    );
    let filter = |f: Value| app.graphql_with(LIST, json!({ "f": f }));
    assert_eq!(
        names(&filter(json!({"capability": "EMBEDDINGS"})).await),
        ["nomic-embed"]
    );
    assert_eq!(
        names(&filter(json!({"cluster": "gaudi"})).await),
        ["ibm/granite-3", "restricted/llama"]
    );
    assert_eq!(
        names(&filter(json!({"search": "granite INSTRUCT"})).await),
        ["ibm/granite-3"]
    );
    assert_eq!(
        names(&filter(json!({"provider": "openai", "capability": "EMBEDDINGS"})).await),
        ["nomic-embed"]
    );
    assert!(names(&filter(json!({"search": "granite", "cluster": "nowhere"})).await).is_empty());

    // Cursor pagination.
    let first = app.graphql_with(LIST, json!({"first": 2})).await;
    assert_eq!(names(&first), ["ibm/granite-3", "nomic-embed"]);
    assert_eq!(first["data"]["models"]["pageInfo"]["hasNextPage"], true);
    let cursor = first["data"]["models"]["pageInfo"]["endCursor"].clone();
    let rest = app
        .graphql_with(LIST, json!({"first": 2, "after": cursor}))
        .await;
    assert_eq!(names(&rest), ["restricted/llama"]);
    let bad = app.graphql_with(LIST, json!({"first": 0})).await;
    assert_eq!(code(&bad), "BAD_USER_INPUT");

    // Administrators (read-only ones too) see where the deployments are; users do not.
    let urls = "{ model(name: \"nomic-embed\") { deployments { apiBase healthy } } }";
    let user = app.sign_in_as("ana@example.com", &["user"]).await;
    let seen = user.graphql(urls, json!({})).await;
    assert_eq!(
        seen["data"]["model"]["deployments"][0]["apiBase"],
        Value::Null
    );
    let auditor = app
        .sign_in_as("audit@example.com", &["admin-readonly", "user"])
        .await;
    let seen = auditor.graphql(urls, json!({})).await;
    assert_eq!(
        seen["data"]["model"]["deployments"][0]["apiBase"],
        "http://127.0.0.1:9/v1"
    );
    assert!(
        seen["data"]["model"]["deployments"][0]["healthy"].is_boolean(),
        "health comes from this replica's checks: {seen}"
    );
}

const SUBSCRIBE: &str = "mutation($m: ID!) { subscribe(modelId: $m) { id status } }";

async fn model_id(app: &TestApp, name: &str) -> String {
    let found = app
        .graphql_with(
            "query($n: String!) { model(name: $n) { id } }",
            json!({ "n": name }),
        )
        .await;
    found["data"]["model"]["id"].as_str().unwrap().to_owned()
}

#[tokio::test]
async fn subscriptions_follow_their_rules_and_only_administrators_decide() {
    let app = TestApp::builder().config_toml(MODELS).start().await;
    let (granite, llama) = (
        model_id(&app, "ibm/granite-3").await,
        model_id(&app, "restricted/llama").await,
    );
    let ana = app.sign_in_as("ana@example.com", &["user"]).await;
    let bob = app.sign_in_as("bob@example.com", &["user"]).await;
    let auditor = app
        .sign_in_as("audit@example.com", &["admin-readonly", "user"])
        .await;
    let admin = app.sign_in_as("root@example.com", &["admin", "user"]).await;

    let open = ana.graphql(SUBSCRIBE, json!({ "m": granite })).await;
    assert_eq!(open["data"]["subscribe"]["status"], "ACTIVE");
    let again = ana.graphql(SUBSCRIBE, json!({ "m": granite })).await;
    assert_eq!(
        again["data"]["subscribe"]["id"], open["data"]["subscribe"]["id"],
        "idempotent"
    );
    let asked = ana.graphql(SUBSCRIBE, json!({ "m": llama })).await;
    assert_eq!(
        asked["data"]["subscribe"]["status"], "PENDING",
        "restricted: needs approval"
    );
    let pending_id = asked["data"]["subscribe"]["id"]
        .as_str()
        .unwrap()
        .to_owned();

    let catalog = ana
        .graphql(
            "{ models { edges { node { name mySubscriptionStatus } } } }",
            json!({}),
        )
        .await;
    let statuses: Vec<Value> = catalog["data"]["models"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["node"]["mySubscriptionStatus"].clone())
        .collect();
    assert_eq!(statuses, [json!("ACTIVE"), Value::Null, json!("PENDING")]);

    // Nobody but an administrator decides, and never about themselves by other means.
    let approve = "mutation($ids: [ID!]!) { approveSubscriptions(ids: $ids) { status } }";
    for (who, expected) in [(&ana, "FORBIDDEN"), (&auditor, "FORBIDDEN")] {
        let tried = who.graphql(approve, json!({ "ids": [pending_id] })).await;
        assert_eq!(code(&tried), expected, "{tried}");
    }
    let anonymous = app
        .graphql_with(approve, json!({ "ids": [pending_id] }))
        .await;
    assert_eq!(code(&anonymous), "UNAUTHENTICATED");
    // Bob cannot touch Ana's subscription.
    let cancel = "mutation($id: ID!) { cancelSubscription(id: $id) { status } }";
    let meddled = bob.graphql(cancel, json!({ "id": pending_id })).await;
    assert_eq!(code(&meddled), "NOT_FOUND");

    // The queue: read-only administrators see it; filters narrow it.
    let queue = "query($s: SubscriptionStatus) { subscriptionQueue(filter: {status: $s}) {
        edges { node { id status userId model { name } } } } }";
    let pending = auditor.graphql(queue, json!({"s": "PENDING"})).await;
    let edges = pending["data"]["subscriptionQueue"]["edges"]
        .as_array()
        .unwrap();
    assert_eq!(edges.len(), 1, "{pending}");
    assert_eq!(edges[0]["node"]["model"]["name"], "restricted/llama");
    assert_eq!(edges[0]["node"]["userId"], ana.id.as_str());
    assert_eq!(code(&ana.graphql(queue, json!({})).await), "FORBIDDEN");
    // Each row names its subscriber; the queue narrows by user text and by dates.
    let narrowed = "query($f: SubscriptionQueueFilter) { subscriptionQueue(filter: $f) {
        totalCount nodes { id subscriber { id externalId email displayName } } } }";
    let by_text = |text: &str| json!({ "f": { "userSearch": text } });
    let found = auditor.graphql(narrowed, by_text("ANA@EXAMPLE")).await;
    let rows = &found["data"]["subscriptionQueue"];
    assert_eq!(rows["totalCount"], 2, "Ana's two subscriptions: {found}");
    assert_eq!(
        rows["nodes"][0]["subscriber"],
        json!({"id": ana.id, "externalId": "ana@example.com", "email": "ana@example.com",
               "displayName": "ana@example.com"})
    );
    // `%` and `_` are text, not patterns.
    for literal in ["%", "_", "ana%"] {
        let none = auditor.graphql(narrowed, by_text(literal)).await;
        assert_eq!(
            none["data"]["subscriptionQueue"]["totalCount"], 0,
            "{literal}: {none}"
        );
    }
    let between = |since: &str, until: &str| json!({ "f": { "since": since, "until": until } });
    let now = chrono::Utc::now();
    let today = auditor
        .graphql(
            narrowed,
            between(
                &(now - chrono::Duration::hours(1)).to_rfc3339(),
                &(now + chrono::Duration::hours(1)).to_rfc3339(),
            ),
        )
        .await;
    assert_eq!(
        today["data"]["subscriptionQueue"]["totalCount"], 2,
        "{today}"
    );
    let yesterday = auditor
        .graphql(
            narrowed,
            between(
                &(now - chrono::Duration::days(2)).to_rfc3339(),
                &(now - chrono::Duration::days(1)).to_rfc3339(),
            ),
        )
        .await;
    assert_eq!(yesterday["data"]["subscriptionQueue"]["totalCount"], 0);
    // A user reads their own subscriptions' subscriber: themselves.
    let own = ana
        .graphql("{ mySubscriptions { subscriber { id } } }", json!({}))
        .await;
    assert_eq!(
        own["data"]["mySubscriptions"][0]["subscriber"]["id"],
        ana.id.as_str()
    );

    // Denial needs a reason; then Ana may ask for a review, and the admin approves.
    let deny = "mutation($ids: [ID!]!, $r: String!) { denySubscriptions(ids: $ids, reason: $r) { status reason } }";
    let no_reason = admin
        .graphql(deny, json!({"ids": [pending_id], "r": "  "}))
        .await;
    assert_eq!(code(&no_reason), "BAD_USER_INPUT");
    let denied = admin
        .graphql(
            deny,
            json!({"ids": [pending_id], "r": "workshop seats are full"}),
        )
        .await;
    assert_eq!(
        denied["data"]["denySubscriptions"][0],
        json!({"status": "DENIED", "reason": "workshop seats are full"})
    );
    let retry = ana.graphql(SUBSCRIBE, json!({ "m": llama })).await;
    assert_eq!(code(&retry), "CONFLICT");
    let review = ana
        .graphql(
            "mutation($id: ID!) { requestReview(id: $id, message: \"I have a seat now\") { status } }",
            json!({ "id": pending_id }),
        )
        .await;
    assert_eq!(review["data"]["requestReview"]["status"], "PENDING");
    let approved = admin.graphql(approve, json!({ "ids": [pending_id] })).await;
    assert_eq!(
        approved["data"]["approveSubscriptions"][0]["status"],
        "ACTIVE"
    );
    let twice = admin.graphql(approve, json!({ "ids": [pending_id] })).await;
    assert_eq!(
        code(&twice),
        "CONFLICT",
        "only pending subscriptions are decided"
    );

    // Every transition is recorded with who and why.
    let history = ana
        .graphql(
            "{ mySubscriptions { id history { fromStatus toStatus actorUserId reason } } }",
            json!({}),
        )
        .await;
    let mine = history["data"]["mySubscriptions"].as_array().unwrap();
    let llama_history = &mine
        .iter()
        .find(|s| s["id"] == pending_id.as_str())
        .unwrap()["history"];
    assert_eq!(
        llama_history,
        &json!([
            {"fromStatus": null, "toStatus": "PENDING", "actorUserId": ana.id, "reason": null},
            {"fromStatus": "PENDING", "toStatus": "DENIED", "actorUserId": admin.id,
             "reason": "workshop seats are full"},
            {"fromStatus": "DENIED", "toStatus": "PENDING", "actorUserId": ana.id,
             "reason": "I have a seat now"},
            {"fromStatus": "PENDING", "toStatus": "ACTIVE", "actorUserId": admin.id, "reason": null},
        ])
    );

    // Revert puts a decision back to pending.
    let revert =
        "mutation($id: ID!) { revertSubscription(id: $id, reason: \"by mistake\") { status } }";
    let reverted = admin.graphql(revert, json!({ "id": pending_id })).await;
    assert_eq!(reverted["data"]["revertSubscription"]["status"], "PENDING");

    // Opening the model approves what was pending; restricting one moves active to pending.
    let restrict = "mutation($m: ID!, $r: Boolean!) { setModelRestricted(modelId: $m, restricted: $r) { restricted } }";
    let opened = admin
        .graphql(restrict, json!({"m": llama, "r": false}))
        .await;
    assert_eq!(opened["data"]["setModelRestricted"]["restricted"], false);
    let closed = admin
        .graphql(restrict, json!({"m": granite, "r": true}))
        .await;
    assert_eq!(closed["data"]["setModelRestricted"]["restricted"], true);
    let now = ana
        .graphql("{ mySubscriptions { status model { name } } }", json!({}))
        .await;
    let mut statuses: Vec<(String, String)> = now["data"]["mySubscriptions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            (
                s["model"]["name"].as_str().unwrap().to_owned(),
                s["status"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    statuses.sort();
    assert_eq!(
        statuses,
        [
            ("ibm/granite-3".to_owned(), "PENDING".to_owned()),
            ("restricted/llama".to_owned(), "ACTIVE".to_owned())
        ]
    );
    let auditor_tries = auditor
        .graphql(restrict, json!({"m": granite, "r": false}))
        .await;
    assert_eq!(code(&auditor_tries), "FORBIDDEN");

    // Ana cancels; a cancelled subscription can be taken up again.
    let cancelled = ana.graphql(cancel, json!({ "id": pending_id })).await;
    assert_eq!(
        cancelled["data"]["cancelSubscription"]["status"],
        "CANCELLED"
    );
    let back = ana.graphql(SUBSCRIBE, json!({ "m": llama })).await;
    assert_eq!(back["data"]["subscribe"]["status"], "ACTIVE");
}
