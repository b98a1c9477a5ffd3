//! Reranking, scoring and detokenizing through the gateway with a plain HTTP client (the
//! OpenAI SDKs have no such calls), as RAG pipelines call vLLM's cross-encoders: each route
//! with and without `/v1`, authorized, limited and accounted like chat.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use harness::gateway::{key_with, spend_rows};
use harness::{MockUpstream, TestApp};
use serde_json::{Value, json};

async fn app() -> (TestApp, MockUpstream) {
    let mock = MockUpstream::start("aws", &["bge-reranker", "granite"], &[]).await;
    let toml = format!(
        "[[models]]\nname = \"bge-reranker\"\ncapabilities = [\"rerank\"]\n\
         input_cost_per_token = 1e-7\n[[models.deployments]]\ncluster = \"aws\"\n\
         api_base = \"{base}/v1\"\n\n\
         [[models]]\nname = \"granite\"\ncapabilities = [\"chat\", \"tokenize\"]\n\
         [[models.deployments]]\ncluster = \"aws\"\napi_base = \"{base}/v1\"\n",
        base = mock.base
    );
    let app = TestApp::builder().config_toml(&toml).start().await;
    (app, mock)
}

async fn key(app: &TestApp, limits: Value) -> String {
    let mut body = json!({"models": ["bge-reranker", "granite"]});
    if let (Some(body), Value::Object(limits)) = (body.as_object_mut(), limits) {
        body.extend(limits);
    }
    key_with(app, body).await["key"]
        .as_str()
        .unwrap()
        .to_owned()
}

const QUERY: &str = "What is the capital of France?";

fn documents() -> Value {
    json!([
        "Berlin is the capital of Germany.",
        {"text": "Paris is the capital of France."},
        "Bananas are yellow."
    ])
}

#[tokio::test]
async fn documents_are_reranked_on_every_route_and_each_request_is_charged() {
    let (app, mock) = app().await;
    let key = key(&app, json!({})).await;
    for path in ["/v1/rerank", "/rerank", "/v2/rerank"] {
        let body = json!({"model": "bge-reranker", "query": QUERY, "documents": documents(),
                          "top_n": 2});
        let response = app.post_with_key(path, &body, &key).await;
        assert_eq!(response.status(), 200, "{path}");
        let answer: Value = response.json().await.unwrap();
        let results = answer["results"].as_array().unwrap();
        assert_eq!(results.len(), 2, "{answer}");
        assert_eq!(results[0]["index"], 1, "Paris first: {answer}");
        assert!(
            results[0]["relevance_score"].as_f64() > results[1]["relevance_score"].as_f64(),
            "{answer}"
        );
    }
    assert_eq!(mock.stats().await["requests"], 3);

    let db = app.database().await;
    let rows = spend_rows(&db, 3).await;
    assert_eq!(rows.len(), 3);
    for row in &rows {
        assert_eq!(row["call_type"], "rerank", "{row}");
        assert_eq!(row["model"], "bge-reranker", "{row}");
        assert_eq!(row["estimated"], false, "usage.total_tokens is read: {row}");
        assert!(row["prompt_tokens"].as_i64().unwrap() > 10, "{row}");
        assert!(row["cost_nanos"].as_i64().unwrap() > 0, "{row}");
    }
}

#[tokio::test]
async fn text_pairs_are_scored_and_detokenizing_is_free() {
    let (app, _mock) = app().await;
    let key = key(&app, json!({})).await;
    for path in ["/v1/score", "/score"] {
        let body = json!({"model": "bge-reranker", "text_1": QUERY,
                          "text_2": ["Paris is the capital of France.", "Bananas are yellow."]});
        let response = app.post_with_key(path, &body, &key).await;
        assert_eq!(response.status(), 200, "{path}");
        let answer: Value = response.json().await.unwrap();
        let scores: Vec<f64> = answer["data"]
            .as_array()
            .unwrap()
            .iter()
            .map(|d| d["score"].as_f64().unwrap())
            .collect();
        assert_eq!(scores.len(), 2, "{answer}");
        assert!(scores[0] > scores[1], "{answer}");
    }
    for path in ["/v1/detokenize", "/detokenize"] {
        let body = json!({"model": "granite", "tokens": [1, 2, 3]});
        let response = app.post_with_key(path, &body, &key).await;
        assert_eq!(response.status(), 200, "{path}");
        let answer: Value = response.json().await.unwrap();
        assert_eq!(answer["prompt"], "tok1 tok2 tok3");
    }
    let db = app.database().await;
    let rows = spend_rows(&db, 4).await;
    let kinds: Vec<&str> = rows
        .iter()
        .map(|r| r["call_type"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, ["score", "score", "detokenize", "detokenize"]);
    assert!(rows[0]["cost_nanos"].as_i64().unwrap() > 0);
    assert_eq!(rows[2]["cost_nanos"], 0);
}

#[tokio::test]
async fn rerank_calls_are_limited_and_authorized_like_chat() {
    let (app, mock) = app().await;
    let limited = key(&app, json!({"rpm_limit": 2})).await;
    let body = json!({"model": "bge-reranker", "query": QUERY, "documents": documents()});
    for _ in 0..2 {
        assert_eq!(
            app.post_with_key("/v1/rerank", &body, &limited)
                .await
                .status(),
            200
        );
    }
    let refused = app
        .post_with_key(
            "/v1/score",
            &json!({"model": "bge-reranker",
        "text_1": "a", "text_2": "b"}),
            &limited,
        )
        .await;
    assert_eq!(refused.status(), 429);
    assert!(refused.headers().contains_key("retry-after"));

    let chat_only = key_with(&app, json!({"models": ["granite"]})).await["key"]
        .as_str()
        .unwrap()
        .to_owned();
    let forbidden = app.post_with_key("/v1/rerank", &body, &chat_only).await;
    assert_eq!(forbidden.status(), 403);
    assert_eq!(app.post_json("/v1/rerank", &body).await.status(), 401);
    assert_eq!(mock.stats().await["requests"], 2);

    // The catalog shows what the model does.
    let model = app
        .graphql("{ model(name: \"bge-reranker\") { capabilities } }")
        .await;
    assert_eq!(
        model["data"]["model"]["capabilities"],
        json!(["RERANK"]),
        "{model}"
    );
    let info: Value = app.get_as_master("/model/info").await.json().await.unwrap();
    let reranker = info["data"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["model_name"] == "bge-reranker")
        .cloned()
        .unwrap();
    assert_eq!(reranker["model_info"]["mode"], "rerank", "{reranker}");
}
