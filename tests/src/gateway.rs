//! Helpers for gateway tests: declaring models on mock clusters, reading the spend ledger.

use std::time::Duration;

use sea_orm::{ConnectionTrait, DatabaseConnection, Statement};
use serde_json::Value;

use crate::MockUpstream;

/// One `[[models]]` entry: a public name, its provider and capabilities, and its deployments
/// as `(cluster mock, backend model name)` pairs.
pub struct ModelSpec<'a> {
    pub name: &'a str,
    pub provider: &'a str,
    pub deployments: Vec<(&'a MockUpstream, &'a str)>,
    /// Extra lines for each `[[models.deployments]]` table (timeouts, weights).
    pub deployment_extra: &'a str,
}

impl<'a> ModelSpec<'a> {
    /// A chat model called `name` served as `backend` by each of `mocks`.
    pub fn new(name: &'a str, backend: &'a str, mocks: &[&'a MockUpstream]) -> Self {
        Self {
            name,
            provider: "hosted_vllm",
            deployments: mocks.iter().map(|m| (*m, backend)).collect(),
            deployment_extra: "",
        }
    }
}

/// The TOML for `models`, after `preamble` (top-level keys and sections).
pub fn config(preamble: &str, models: &[ModelSpec<'_>]) -> String {
    let mut toml = format!("{preamble}\n");
    for model in models {
        toml.push_str(&format!(
            "[[models]]\nname = \"{}\"\nprovider = \"{}\"\ninput_cost_per_token = 2e-7\n\
             output_cost_per_token = 6e-7\n",
            model.name, model.provider
        ));
        for (mock, backend) in &model.deployments {
            toml.push_str(&format!(
                "[[models.deployments]]\ncluster = \"{}\"\napi_base = \"{}/v1\"\n\
                 backend_model = \"{backend}\"\n{}\n",
                mock.name, mock.base, model.deployment_extra
            ));
        }
    }
    toml
}

/// A key on `granite` for a new user, made through the admin API with `limits` (LiteLLM
/// field names); the answer of `/key/generate`.
pub async fn key_with(app: &crate::TestApp, limits: Value) -> Value {
    let mut body = serde_json::json!({"models": ["granite"], "user_id": format!("u-{}", rand::random::<u32>())});
    if let (Some(body), Value::Object(limits)) = (body.as_object_mut(), limits) {
        body.extend(limits);
    }
    let response = app.post_as_master("/key/generate", &body).await;
    let status = response.status();
    let answer = response.text().await.unwrap_or_default();
    assert_eq!(status, 200, "{answer}\n{}", app.logs());
    serde_json::from_str(&answer).expect("the new key")
}

/// What `/key/info` says of `key`.
pub async fn key_info(app: &crate::TestApp, key: &str) -> Value {
    let info: Value = app
        .get_as_master(&format!("/key/info?key={key}"))
        .await
        .json()
        .await
        .expect("the key's information");
    info["info"].clone()
}

/// Rows of `spend_requests`, oldest first, once at least `count` exist (10 s at most).
pub async fn spend_rows(db: &DatabaseConnection, count: usize) -> Vec<Value> {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    loop {
        let rows = db
            .query_all(Statement::from_string(
                db.get_database_backend(),
                "SELECT request_id, model_name, cluster, call_type, prompt_tokens, \
                 completion_tokens, estimated, cost_nanos, status, http_status, ttft_ms, guardrail \
                 FROM spend_requests ORDER BY started_us, request_id",
            ))
            .await
            .expect("read spend_requests");
        if rows.len() >= count || tokio::time::Instant::now() > deadline {
            return rows
                .iter()
                .map(|row| {
                    serde_json::json!({
                        "request_id": row.try_get::<String>("", "request_id").unwrap(),
                        "model": row.try_get::<String>("", "model_name").unwrap(),
                        "cluster": row.try_get::<Option<String>>("", "cluster").unwrap(),
                        "call_type": row.try_get::<String>("", "call_type").unwrap(),
                        "prompt_tokens": row.try_get::<i64>("", "prompt_tokens").unwrap(),
                        "completion_tokens": row.try_get::<i64>("", "completion_tokens").unwrap(),
                        "estimated": row.try_get::<bool>("", "estimated").unwrap(),
                        "cost_nanos": row.try_get::<i64>("", "cost_nanos").unwrap(),
                        "status": row.try_get::<String>("", "status").unwrap(),
                        "http_status": row.try_get::<i32>("", "http_status").unwrap(),
                        "ttft_ms": row.try_get::<Option<i64>>("", "ttft_ms").unwrap(),
                        "guardrail": row.try_get::<Option<String>>("", "guardrail").unwrap(),
                    })
                })
                .collect();
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// The `data:` payloads of an SSE body's events (including `[DONE]`), named or not.
pub fn sse_payloads(body: &str) -> Vec<String> {
    body.split("\n\n")
        .filter_map(|event| event.lines().find_map(|line| line.strip_prefix("data: ")))
        .map(str::to_owned)
        .collect()
}

/// The sum of every sample of metric `name` in a Prometheus text exposition.
pub fn metric(text: &str, name: &str) -> f64 {
    text.lines()
        .filter(|line| {
            line.strip_prefix(name)
                .is_some_and(|rest| rest.starts_with(' ') || rest.starts_with('{'))
        })
        .filter_map(|line| line.rsplit(' ').next()?.parse::<f64>().ok())
        .sum()
}
