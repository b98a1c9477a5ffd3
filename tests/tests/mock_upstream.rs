//! The mock model server behaves like vLLM (and Docling) where the gateway depends on it.

use harness::MockUpstream;
use serde_json::{Value, json};

async fn post(mock: &MockUpstream, path: &str, body: Value) -> reqwest::Response {
    reqwest::Client::new()
        .post(mock.url(path))
        .json(&body)
        .send()
        .await
        .unwrap()
}

/// The `data:` payloads of an SSE body, without `[DONE]`.
fn sse_events(body: &str) -> Vec<Value> {
    let payloads: Vec<&str> = body
        .split("\n\n")
        .filter_map(|event| event.strip_prefix("data: "))
        .collect();
    assert_eq!(
        payloads.last(),
        Some(&"[DONE]"),
        "stream must end with [DONE]: {body}"
    );
    payloads[..payloads.len() - 1]
        .iter()
        .map(|p| serde_json::from_str(p).unwrap())
        .collect()
}

#[tokio::test]
async fn chat_answers_with_usage_and_names_itself() {
    let mock = MockUpstream::start("aws", &["granite"], &["--completion-tokens", "5"]).await;
    let response = post(
        &mock,
        "/v1/chat/completions",
        json!({
            "model": "granite", "messages": [{"role": "user", "content": "three word prompt"}]
        }),
    )
    .await;
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["x-mock-upstream"], "aws");
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["object"], "chat.completion");
    assert_eq!(
        body["usage"],
        json!({"prompt_tokens": 3, "completion_tokens": 5, "total_tokens": 8})
    );
    assert_eq!(body["choices"][0]["message"]["role"], "assistant");
}

#[tokio::test]
async fn streaming_honours_include_usage() {
    let mock = MockUpstream::start("aws", &["granite"], &["--completion-tokens", "4"]).await;
    let request = json!({"model": "granite", "stream": true,
                         "messages": [{"role": "user", "content": "hi"}]});
    let plain = post(&mock, "/v1/chat/completions", request.clone()).await;
    assert_eq!(plain.headers()["content-type"], "text/event-stream");
    let events = sse_events(&plain.text().await.unwrap());
    assert!(
        events.iter().all(|e| e.get("usage").is_none()),
        "no usage unless asked"
    );
    let text: String = events
        .iter()
        .filter_map(|e| e["choices"][0]["delta"]["content"].as_str())
        .collect();
    assert_eq!(text, "tok0 tok1 tok2 tok3 ");

    let mut with_usage = request;
    with_usage["stream_options"] = json!({"include_usage": true});
    let events = sse_events(
        &post(&mock, "/v1/chat/completions", with_usage)
            .await
            .text()
            .await
            .unwrap(),
    );
    let last = events.last().unwrap();
    assert_eq!(last["choices"], json!([]));
    assert_eq!(last["usage"]["completion_tokens"], 4);
}

#[tokio::test]
async fn omit_usage_drops_usage_everywhere() {
    let mock = MockUpstream::start("gaudi", &["m"], &["--omit-usage"]).await;
    let body: Value = post(
        &mock,
        "/v1/completions",
        json!({"model": "m", "prompt": "a b"}),
    )
    .await
    .json()
    .await
    .unwrap();
    assert!(body.get("usage").is_none(), "{body}");
    assert_eq!(body["object"], "text_completion");
    let stream = post(
        &mock,
        "/v1/completions",
        json!({"model": "m", "prompt": "a", "stream": true,
                                                       "stream_options": {"include_usage": true}}),
    )
    .await
    .text()
    .await
    .unwrap();
    assert!(sse_events(&stream).iter().all(|e| e.get("usage").is_none()));
}

#[tokio::test]
async fn embeddings_models_health_and_tokenize() {
    let mock = MockUpstream::start("aws", &["embed", "other"], &[]).await;
    let body: Value = post(
        &mock,
        "/v1/embeddings",
        json!({"model": "embed", "input": ["a", "b c"]}),
    )
    .await
    .json()
    .await
    .unwrap();
    assert_eq!(body["data"].as_array().unwrap().len(), 2);
    assert_eq!(body["data"][1]["embedding"].as_array().unwrap().len(), 8);
    assert_eq!(body["usage"]["prompt_tokens"], 3);

    let models: Value = reqwest::get(mock.url("/v1/models"))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let ids: Vec<&str> = models["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, ["embed", "other"]);
    assert_eq!(
        reqwest::get(mock.url("/health")).await.unwrap().status(),
        200
    );

    let tokens: Value = post(
        &mock,
        "/tokenize",
        json!({"model": "embed", "prompt": "one two"}),
    )
    .await
    .json()
    .await
    .unwrap();
    assert_eq!(tokens["count"], 2);

    let unknown = post(
        &mock,
        "/v1/chat/completions",
        json!({"model": "nope", "messages": []}),
    )
    .await;
    assert_eq!(unknown.status(), 404);
}

#[tokio::test]
async fn docling_conversion_from_sources_and_files() {
    let mock = MockUpstream::start("aws", &["docling"], &[]).await;
    let body: Value = post(
        &mock,
        "/v1/convert/source",
        json!({"http_sources": [{"url": "https://example.com/a.pdf"}]}),
    )
    .await
    .json()
    .await
    .unwrap();
    assert_eq!(body["status"], "success");
    assert!(
        body["document"]["md_content"]
            .as_str()
            .unwrap()
            .contains("a.pdf")
    );

    let form = reqwest::multipart::Form::new().part(
        "files",
        reqwest::multipart::Part::bytes(b"%PDF-1.4".to_vec()).file_name("report.pdf"),
    );
    let body: Value = reqwest::Client::new()
        .post(mock.url("/v1/convert/file"))
        .multipart(form)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(
        body["document"]["md_content"]
            .as_str()
            .unwrap()
            .contains("report.pdf")
    );
}

#[tokio::test]
async fn knobs_inject_failures_latency_and_ill_health_at_run_time() {
    let mock = MockUpstream::start("aws", &["m"], &[]).await;
    let client = reqwest::Client::new();
    let knobs = json!({"failure_rate": 1.0, "healthy": false, "latency_ms": 50});
    assert_eq!(
        client
            .post(mock.url("/mock/knobs"))
            .json(&knobs)
            .send()
            .await
            .unwrap()
            .status(),
        200
    );
    let started = std::time::Instant::now();
    let failed = post(
        &mock,
        "/v1/chat/completions",
        json!({"model": "m", "messages": []}),
    )
    .await;
    assert_eq!(failed.status(), 500);
    assert!(started.elapsed() >= std::time::Duration::from_millis(50));
    assert_eq!(
        reqwest::get(mock.url("/health")).await.unwrap().status(),
        503
    );
    let stats: Value = reqwest::get(mock.url("/mock/stats"))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(stats["requests"], 1);
}

#[tokio::test]
async fn token_time_spaces_out_the_stream() {
    let mock = MockUpstream::start(
        "aws",
        &["m"],
        &["--token-ms", "40", "--completion-tokens", "5"],
    )
    .await;
    let started = std::time::Instant::now();
    let response = post(
        &mock,
        "/v1/chat/completions",
        json!({"model": "m", "stream": true, "messages": []}),
    )
    .await;
    let first_byte = started.elapsed();
    let _ = response.text().await.unwrap();
    let total = started.elapsed();
    // Five tokens at 40 ms each arrive well after the first byte.
    assert!(total >= std::time::Duration::from_millis(160), "{total:?}");
    assert!(first_byte < total);
}
