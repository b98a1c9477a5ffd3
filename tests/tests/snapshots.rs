//! Snapshot tests of GraphQL response shapes (`tests/tests/snapshots/`): a change to what
//! clients receive shows up as a diff to review, not as a surprise to the portal. Ids,
//! secrets and times are redacted. Update with `INSTA_UPDATE=always cargo nextest run
//! --test snapshots` and review the diff.

#![allow(clippy::unwrap_used)]

use harness::TestApp;
use serde_json::json;

const MODELS: &str = r#"
[[models]]
name = "ibm/granite-3"
description = "IBM Granite instruct"
provider = "hosted_vllm"
capabilities = ["chat", "tools"]
context_length = 131072
input_cost_per_token = 2.0e-7
output_cost_per_token = 6.0e-7
[[models.deployments]]
cluster = "aws"
api_base = "http://127.0.0.1:9/v1"

[[models]]
name = "restricted/llama"
capabilities = ["chat"]
restricted = true
[[models.deployments]]
cluster = "gaudi"
api_base = "http://127.0.0.1:9/v1"
"#;

#[tokio::test]
async fn graphql_response_shapes_stay_as_reviewed() {
    let app = TestApp::builder().config_toml(MODELS).start().await;
    let ana = app.sign_in_as("ana@example.com", &["user"]).await;

    let catalog = ana
        .graphql(
            "{ models { pageInfo { hasNextPage hasPreviousPage } edges { cursor node {
                 id name description provider capabilities contextLength inputPricePerMillion
                 outputPricePerMillion restricted clusters mySubscriptionStatus
                 deployments { id cluster enabled apiBase } } } } }",
            json!({}),
        )
        .await;
    insta::assert_json_snapshot!("catalog", catalog, { ".**.id" => "[id]" });

    let me = ana
        .graphql(
            "{ me { userId name roles permissions authMethod } }",
            json!({}),
        )
        .await;
    insta::assert_json_snapshot!("me", me, { ".**.userId" => "[id]" });

    let granite = catalog["data"]["models"]["edges"][0]["node"]["id"].clone();
    let subscribed = ana
        .graphql(
            "mutation($m: ID!) { subscribe(modelId: $m) { id status reason userId history { fromStatus toStatus reason } } }",
            json!({ "m": granite }),
        )
        .await;
    insta::assert_json_snapshot!("subscribe", subscribed, {
        ".**.id" => "[id]", ".**.userId" => "[id]"
    });

    let key = ana
        .graphql(
            "mutation($m: ID!) { createKey(input: {name: \"laptop\", modelIds: [$m], limits: {rpmLimit: 60}}) {
                 secret key { id name display origin models owner blocked spend maxBudget utilization
                              rpmLimit tpmLimit maxParallelRequests expiresAt createdAt lastUsedAt } } }",
            json!({ "m": granite }),
        )
        .await;
    insta::assert_json_snapshot!("create_key", key, {
        ".**.id" => "[id]", ".**.secret" => "[secret]", ".**.display" => "[display]",
        ".**.expiresAt" => "[time]", ".**.createdAt" => "[time]"
    });

    let usage = ana
        .graphql(
            "{ usage(input: {from: \"2026-01-01T00:00:00Z\", to: \"2026-01-31T00:00:00Z\"}) {
                 from to totals { requests errors promptTokens completionTokens spend errorRate latencyP50Ms latencyP95Ms }
                 change { requests tokens spend } series { group label points { start } } } }",
            json!({}),
        )
        .await;
    insta::assert_json_snapshot!("usage_empty", usage);

    let refused = app.graphql("{ myKeys { edges { node { id } } } }").await;
    insta::assert_json_snapshot!("error_unauthenticated", refused);
    let forbidden = ana
        .graphql("{ users { edges { node { id } } } }", json!({}))
        .await;
    insta::assert_json_snapshot!("error_forbidden", forbidden);
}
