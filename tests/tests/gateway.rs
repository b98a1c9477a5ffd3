//! The `/v1` gateway through the real binary and `mock-upstream` clusters: every route,
//! streaming and usage, errors, failover, cooldown, timeouts, client disconnects, reloads.

use std::time::Duration;

use futures::StreamExt;
use harness::gateway::{ModelSpec, config, spend_rows, sse_payloads};
use harness::{MASTER_KEY, MockUpstream, TestApp, TestCa};
use serde_json::{Value, json};

const CHAT: &str = "/v1/chat/completions";

fn chat_body(model: &str) -> Value {
    json!({"model": model, "messages": [{"role": "user", "content": "three word prompt"}]})
}

/// The same request, streamed.
fn stream_body(model: &str) -> Value {
    let mut body = chat_body(model);
    body["stream"] = json!(true);
    body
}

async fn chat_status(app: &TestApp, model: &str) -> u16 {
    app.post_as_master(CHAT, &chat_body(model))
        .await
        .status()
        .as_u16()
}

#[tokio::test]
async fn every_route_answers_through_the_gateway() {
    let aws = MockUpstream::start(
        "aws",
        &["granite", "embed", "docling"],
        &["--completion-tokens", "4"],
    )
    .await;
    let mut docling = ModelSpec::new("docling-serve", "docling", &[&aws]);
    docling.provider = "docling";
    let toml = config(
        "",
        &[
            ModelSpec::new("ibm/granite-3", "granite", &[&aws]),
            ModelSpec::new("embed", "embed", &[&aws]),
            docling,
        ],
    );
    let app = TestApp::builder().config_toml(&toml).start().await;

    // Chat, whole: the backend name is swapped in and the answer passed through.
    let response = app.post_as_master(CHAT, &chat_body("ibm/granite-3")).await;
    assert_eq!(response.status(), 200);
    let headers = response.headers().clone();
    assert_eq!(headers["x-litellm-model-group"], "ibm/granite-3");
    assert_eq!(headers["x-switchyard-cluster"], "aws");
    assert_eq!(headers["x-litellm-call-id"], headers["x-request-id"]);
    for name in [
        "x-litellm-response-duration-ms",
        "x-litellm-overhead-duration-ms",
    ] {
        assert!(
            headers[name].to_str().unwrap().parse::<u64>().is_ok(),
            "{name}"
        );
    }
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["usage"]["completion_tokens"], 4);
    assert_eq!(aws.last_request().await["model"], "granite");

    // The same route without /v1, and text completions, whole and streamed.
    assert_eq!(
        app.post_as_master("/chat/completions", &chat_body("ibm/granite-3"))
            .await
            .status(),
        200
    );
    let completion: Value = app
        .post_as_master(
            "/v1/completions",
            &json!({"model": "ibm/granite-3", "prompt": "a b"}),
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(completion["object"], "text_completion");
    let streamed = app
        .post_as_master(
            "/completions",
            &json!({"model": "ibm/granite-3", "prompt": "a", "stream": true}),
        )
        .await
        .text()
        .await
        .unwrap();
    assert_eq!(
        sse_payloads(&streamed).last().map(String::as_str),
        Some("[DONE]")
    );

    // Embeddings and tokenize.
    let embeddings: Value = app
        .post_as_master(
            "/v1/embeddings",
            &json!({"model": "embed", "input": ["a", "b"]}),
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(embeddings["data"].as_array().unwrap().len(), 2);
    let tokens: Value = app
        .post_as_master(
            "/v1/tokenize",
            &json!({"model": "ibm/granite-3", "prompt": "one two three"}),
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(tokens["count"], 3);

    // Models, including a name with a slash.
    let models: Value = app.get_as_master("/v1/models").await.json().await.unwrap();
    let ids: Vec<&str> = models["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, ["docling-serve", "embed", "ibm/granite-3"]);
    let one: Value = app
        .get_as_master("/v1/models/ibm/granite-3")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(one["id"], "ibm/granite-3");
    assert_eq!(app.get_as_master("/v1/models/ibm/nope").await.status(), 404);

    // Docling: JSON sources and multipart files, v1 and v1alpha.
    let converted: Value = app
        .post_as_master(
            "/docling/v1/convert/source",
            &json!({"http_sources": [{"url": "https://x/a.pdf"}]}),
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(converted["status"], "success");
    let form = reqwest::multipart::Form::new().part(
        "files",
        reqwest::multipart::Part::bytes(b"%PDF-1.4".to_vec()).file_name("report.pdf"),
    );
    let converted: Value = app
        .client
        .post(app.url("/docling/v1alpha/convert/file"))
        .bearer_auth(MASTER_KEY)
        .multipart(form)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(
        converted["document"]["md_content"]
            .as_str()
            .unwrap()
            .contains("report.pdf")
    );

    // Every request above was accounted for, with the cluster that served it.
    let rows = spend_rows(&app.database().await, 8).await;
    assert_eq!(rows.len(), 8, "{rows:?}");
    let types: Vec<&str> = rows
        .iter()
        .map(|r| r["call_type"].as_str().unwrap())
        .collect();
    assert_eq!(
        types,
        [
            "chat",
            "chat",
            "completion",
            "completion",
            "embeddings",
            "tokenize",
            "convert",
            "convert"
        ]
    );
    assert!(
        rows.iter()
            .all(|r| r["cluster"] == "aws" && r["status"] == "success")
    );
    let first = &rows[0];
    assert_eq!(
        (
            first["prompt_tokens"].as_i64(),
            first["completion_tokens"].as_i64()
        ),
        (Some(3), Some(4))
    );
    assert_eq!(first["cost_nanos"], 3 * 200 + 4 * 600);
}

/// Model answers go back as the model server sent them, even to a client that asks for gzip
/// (the OpenAI SDK asks on every request): compressing each answer cost a chat completion seven
/// times the CPU of relaying it. The server's own larger answers are still compressed for it.
#[tokio::test]
async fn model_answers_go_back_uncompressed_to_clients_asking_for_gzip() {
    let aws = MockUpstream::start(
        "aws",
        &["granite", "embed", "bge-reranker"],
        &["--completion-tokens", "4"],
    )
    .await;
    let toml = config(
        "",
        &[
            ModelSpec::new("granite", "granite", &[&aws]),
            ModelSpec::new("embed", "embed", &[&aws]),
        ],
    );
    let toml = format!(
        "{toml}[[models]]\nname = \"bge-reranker\"\ncapabilities = [\"rerank\"]\n\
         [[models.deployments]]\ncluster = \"aws\"\napi_base = \"{}/v1\"\n",
        aws.base
    );
    let app = TestApp::builder().config_toml(&toml).start().await;
    let ask = |method: reqwest::Method, path: &str| {
        app.client
            .request(method, app.url(path))
            .bearer_auth(MASTER_KEY)
            .header("accept-encoding", "gzip, deflate, br")
    };

    let embedding = json!({"model": "embed", "input": "a sentence to embed"});
    let rerank = json!({"model": "bge-reranker", "query": "the capital of France",
                        "documents": ["Paris is the capital of France.", "Bananas are yellow."]});
    for (path, body, member) in [
        (CHAT, chat_body("granite"), "choices"),
        ("/chat/completions", chat_body("granite"), "choices"),
        ("/v1/embeddings", embedding.clone(), "data"),
        ("/embeddings", embedding, "data"),
        ("/v2/rerank", rerank, "results"),
    ] {
        let response = ask(reqwest::Method::POST, path)
            .json(&body)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200, "{path}");
        let headers = response.headers().clone();
        assert!(
            headers.get("content-encoding").is_none(),
            "{path}: {headers:?}"
        );
        let length: usize = headers["content-length"].to_str().unwrap().parse().unwrap();
        let bytes = response.bytes().await.unwrap();
        assert_eq!(bytes.len(), length, "{path}");
        let answer: Value = serde_json::from_slice(&bytes).unwrap();
        assert!(answer[member].is_array(), "{path}: {answer}");
    }

    let response = ask(reqwest::Method::POST, CHAT)
        .json(&stream_body("granite"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    assert!(response.headers().get("content-encoding").is_none());
    let events = response.text().await.unwrap();
    assert!(events.trim_end().ends_with("data: [DONE]"), "{events}");

    let response = ask(reqwest::Method::GET, "/v1/models")
        .send()
        .await
        .unwrap();
    assert!(response.headers().get("content-encoding").is_none());
    let models: Value = response.json().await.unwrap();
    assert_eq!(models["data"].as_array().map(Vec::len), Some(3), "{models}");

    // The metrics are the server's own answer, several kilobytes: gzip, as asked.
    let response = ask(reqwest::Method::GET, "/metrics").send().await.unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["content-encoding"], "gzip");
    let compressed = response.bytes().await.unwrap();
    assert_eq!(compressed[..2], [0x1f, 0x8b], "a gzip stream starts so");
}

#[tokio::test]
async fn usage_is_asked_for_read_and_stripped_unless_the_client_asked() {
    let aws = MockUpstream::start("aws", &["granite"], &["--completion-tokens", "3"]).await;
    let toml = config("", &[ModelSpec::new("granite", "granite", &[&aws])]);
    let app = TestApp::builder().config_toml(&toml).start().await;

    let mut request = stream_body("granite");
    // Without options the gateway adds them to the client's body, the rest as sent; options
    // that do not ask for usage are turned on, the client's other options kept.
    let without = request.clone();
    let not_asking = json!({"include_usage": false, "continuous_usage_stats": false});
    request["stream_options"] = not_asking.clone();
    let mut sent_options = not_asking;
    sent_options["include_usage"] = json!(true);
    for (asked, options) in [
        (without, json!({"include_usage": true})),
        (request.clone(), sent_options),
    ] {
        let body = app.post_as_master(CHAT, &asked).await.text().await.unwrap();
        assert!(
            !body.contains("\"usage\":{"),
            "usage the client did not ask for: {body}"
        );
        let sent = aws.last_request().await;
        assert_eq!(sent["stream_options"], options);
        assert_eq!(
            (&sent["model"], &sent["messages"], sent["stream"].as_bool()),
            (&asked["model"], &asked["messages"], Some(true))
        );
    }

    request["stream_options"] = json!({"include_usage": true});
    let body = app
        .post_as_master(CHAT, &request)
        .await
        .text()
        .await
        .unwrap();
    let payloads = sse_payloads(&body);
    let usage: Value = serde_json::from_str(&payloads[payloads.len() - 2]).unwrap();
    assert_eq!(usage["usage"]["completion_tokens"], 3);

    let rows = spend_rows(&app.database().await, 3).await;
    for row in &rows {
        assert_eq!(row["estimated"], false);
        assert_eq!(
            (
                row["prompt_tokens"].as_i64(),
                row["completion_tokens"].as_i64()
            ),
            (Some(3), Some(3))
        );
        assert!(
            row["ttft_ms"].is_i64(),
            "streams record time to first token: {row}"
        );
    }
}

#[tokio::test]
async fn missing_usage_is_estimated_and_marked() {
    let aws = MockUpstream::start(
        "aws",
        &["granite"],
        &["--omit-usage", "--completion-tokens", "5"],
    )
    .await;
    let toml = config("", &[ModelSpec::new("granite", "granite", &[&aws])]);
    let app = TestApp::builder().config_toml(&toml).start().await;
    assert_eq!(chat_status(&app, "granite").await, 200);
    let request = stream_body("granite");
    app.post_as_master(CHAT, &request)
        .await
        .text()
        .await
        .unwrap();
    let rows = spend_rows(&app.database().await, 2).await;
    for row in &rows {
        assert_eq!(row["estimated"], true, "{row}");
        assert!(row["prompt_tokens"].as_i64().unwrap() >= 1);
        assert!(row["completion_tokens"].as_i64().unwrap() >= 5, "{row}");
    }
}

#[tokio::test]
async fn fields_the_gateway_does_not_know_pass_through_untouched() {
    let aws = MockUpstream::start("aws", &["granite"], &[]).await;
    let toml = config("", &[ModelSpec::new("granite", "granite", &[&aws])]);
    let app = TestApp::builder().config_toml(&toml).start().await;
    let extras = json!({
        "top_k": 7,
        "guided_json": {"type": "object", "properties": {"a": {"type": "integer"}}},
        "chat_template_kwargs": {"enable_thinking": false},
        "tools": [{"type": "function", "function": {"name": "f", "parameters": {}}}],
        "messages": [{"role": "user", "content": [
            {"type": "text", "text": "what is this"},
            {"type": "image_url", "image_url": {"url": "data:image/png;base64,AAAA"}}]}],
    });
    let mut request = extras.clone();
    request["model"] = json!("granite");
    assert_eq!(app.post_as_master(CHAT, &request).await.status(), 200);
    let forwarded = aws.last_request().await;
    for field in [
        "top_k",
        "guided_json",
        "chat_template_kwargs",
        "tools",
        "messages",
    ] {
        assert_eq!(forwarded[field], extras[field], "{field}");
    }
}

#[tokio::test]
async fn a_model_known_by_another_name_reaches_its_server_under_that_name() {
    let aws = MockUpstream::start("aws", &["ibm/granite-3-8b"], &[]).await;
    let toml = config(
        "",
        &[ModelSpec::new("granite", "ibm/granite-3-8b", &[&aws])],
    );
    let app = TestApp::builder().config_toml(&toml).start().await;
    let send = |body: String, key: String| {
        let request = app
            .client
            .post(app.url(CHAT))
            .bearer_auth(key)
            .header("content-type", "application/json")
            .body(body);
        async move { request.send().await.unwrap().status() }
    };
    let long = "ein längerer Satz über das Wetter. ".repeat(200);
    let messages = json!([{"role": "user", "content": long}]);
    // The name spliced into the client's bytes: written with spaces, or after the prompt.
    for body in [
        format!(r#"{{ "model" : "granite", "messages": {messages}, "top_k": 3 }}"#),
        format!(r#"{{"messages": {messages}, "top_k": 3, "model": "granite"}}"#),
        // Named with an escape, or twice: the body is re-encoded, to the same effect.
        format!(r#"{{"mod\u0065l": "granite", "messages": {messages}, "top_k": 3}}"#),
        format!(r#"{{"model": "x", "messages": {messages}, "model": "granite", "top_k": 3}}"#),
    ] {
        assert_eq!(send(body.clone(), MASTER_KEY.into()).await, 200, "{body}");
        let forwarded = aws.last_request().await;
        assert_eq!(forwarded["model"], "ibm/granite-3-8b", "{body}");
        assert_eq!(forwarded["messages"], messages, "{body}");
        assert_eq!(forwarded["top_k"], 3, "{body}");
    }
    // Under a budget, `max_tokens` is added as well.
    let key = harness::gateway::key_with(&app, json!({"max_budget": 10.0})).await;
    let key = key["key"].as_str().unwrap().to_owned();
    let body = format!(r#"{{"model": "granite", "messages": {messages}}}"#);
    assert_eq!(send(body, key).await, 200);
    let forwarded = aws.last_request().await;
    assert_eq!(forwarded["model"], "ibm/granite-3-8b");
    assert_eq!(forwarded["messages"], messages);
    assert!(forwarded["max_tokens"].as_u64().is_some(), "{forwarded}");
}

#[tokio::test]
async fn bad_requests_get_clear_openai_errors() {
    let aws = MockUpstream::start("aws", &["granite"], &[]).await;
    let mut missing = ModelSpec::new("ghost", "not-on-the-server", &[&aws]);
    missing.deployment_extra = "";
    let toml = config(
        "[gateway]\nmax_body_bytes = 2048\n",
        &[ModelSpec::new("granite", "granite", &[&aws]), missing],
    );
    let app = TestApp::builder().config_toml(&toml).start().await;
    let error = |body: Value| body["error"].clone();

    let response = app.post_json(CHAT, &chat_body("granite")).await;
    assert_eq!(response.status(), 401);
    assert_eq!(error(response.json().await.unwrap())["code"], "401");
    let response = app
        .post_with_key(CHAT, &chat_body("granite"), "sk-not-a-real-key-123")
        .await;
    assert_eq!(response.status(), 401);
    assert!(
        !response
            .text()
            .await
            .unwrap()
            .contains("sk-not-a-real-key-123")
    );
    for header in ["x-litellm-api-key", "api-key", "x-api-key"] {
        let response = app
            .client
            .post(app.url(CHAT))
            .header(header, MASTER_KEY)
            .json(&chat_body("granite"))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200, "{header}");
    }

    let response = app.post_as_master(CHAT, &chat_body("nope")).await;
    assert_eq!(response.status(), 404);
    let message = error(response.json().await.unwrap())["message"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(
        message.contains("`nope`") && message.contains("/v1/models"),
        "{message}"
    );

    let response = app
        .client
        .post(app.url(CHAT))
        .bearer_auth(MASTER_KEY)
        .body("{\"model\": \"granite\",")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 400);
    let message = error(response.json().await.unwrap())["message"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(message.contains("line 1 column"), "{message}");

    let response = app.post_as_master(CHAT, &json!({"messages": []})).await;
    assert_eq!(response.status(), 400);
    assert!(
        error(response.json().await.unwrap())["message"]
            .as_str()
            .unwrap()
            .contains("`model` is required")
    );

    let mut big = chat_body("granite");
    big["messages"][0]["content"] = json!("x".repeat(4096));
    let response = app.post_as_master(CHAT, &big).await;
    assert_eq!(response.status(), 413);
    assert_eq!(
        error(response.json().await.unwrap())["type"],
        "request_too_large"
    );

    // The model server's own 4xx keeps its status and message, with no internal URL.
    let response = app.post_as_master(CHAT, &chat_body("ghost")).await;
    assert_eq!(response.status(), 404);
    let text = response.text().await.unwrap();
    assert!(
        text.contains("does not exist") && !text.contains("127.0.0.1"),
        "{text}"
    );
}

#[tokio::test]
async fn a_cluster_stopped_mid_run_costs_no_client_errors() {
    let aws = MockUpstream::start("aws", &["granite"], &[]).await;
    let mut gaudi = MockUpstream::start("gaudi", &["granite"], &[]).await;
    let toml = config("", &[ModelSpec::new("granite", "granite", &[&aws, &gaudi])]);
    let app = TestApp::builder().config_toml(&toml).start().await;
    let mut statuses = Vec::new();
    for i in 0..120 {
        if i == 40 {
            gaudi.kill().await;
        }
        let mut request = chat_body("granite");
        request["stream"] = json!(i % 2 == 0);
        let response = app.post_as_master(CHAT, &request).await;
        statuses.push(response.status().as_u16());
        let body = response.text().await.unwrap();
        assert!(!body.contains("\"error\""), "request {i}: {body}");
    }
    assert!(statuses.iter().all(|s| *s == 200), "{statuses:?}");
    assert!(aws.stats().await["requests"].as_u64().unwrap() >= 80);
}

#[tokio::test]
async fn a_failing_deployment_cools_down_and_comes_back() {
    let aws = MockUpstream::start("aws", &["granite"], &["--failure-rate", "1.0"]).await;
    let gaudi = MockUpstream::start("gaudi", &["granite"], &[]).await;
    let toml = config(
        "[gateway]\ncooldown_failures = 2\ncooldown_seconds = 2\nhealth_check_interval_seconds = 0\n",
        &[ModelSpec::new("granite", "granite", &[&aws, &gaudi])],
    );
    let app = TestApp::builder().config_toml(&toml).start().await;
    for _ in 0..30 {
        assert_eq!(chat_status(&app, "granite").await, 200);
    }
    // Two failures started the cooldown; no further request went to the failing cluster.
    assert_eq!(aws.stats().await["requests"], 2);

    aws.set_knobs(json!({})).await;
    tokio::time::sleep(Duration::from_millis(2_200)).await;
    for _ in 0..30 {
        assert_eq!(chat_status(&app, "granite").await, 200);
    }
    // Back in rotation: half the traffic on average; all 30 elsewhere has odds below 1e-9.
    assert!(aws.stats().await["requests"].as_u64().unwrap() > 2);
}

#[tokio::test]
async fn each_timeout_is_enforced() {
    let slow_start = MockUpstream::start("aws", &["granite"], &["--latency-ms", "3000"]).await;
    let slow_tokens = MockUpstream::start(
        "gaudi",
        &["granite"],
        &["--token-ms", "100", "--completion-tokens", "40"],
    )
    .await;
    let mut first_byte = ModelSpec::new("first-byte", "granite", &[&slow_start]);
    first_byte.deployment_extra = "first_byte_timeout_ms = 300";
    let mut total = ModelSpec::new("total", "granite", &[&slow_tokens]);
    total.deployment_extra = "timeout_ms = 800";
    let toml = config(
        "[gateway]\nmax_retries = 0\nhealth_check_interval_seconds = 0\n",
        &[first_byte, total],
    );
    let app = TestApp::builder().config_toml(&toml).start().await;

    let started = std::time::Instant::now();
    let response = app.post_as_master(CHAT, &chat_body("first-byte")).await;
    assert_eq!(response.status(), 504);
    assert!(
        started.elapsed() < Duration::from_millis(2_500),
        "{:?}",
        started.elapsed()
    );
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["error"]["type"], "timeout_error");

    // The total timeout cuts a stream that has begun: an SSE error event, then the end.
    let request = stream_body("total");
    let response = app.post_as_master(CHAT, &request).await;
    assert_eq!(response.status(), 200);
    let payloads = sse_payloads(&response.text().await.unwrap());
    assert_eq!(payloads.last().map(String::as_str), Some("[DONE]"));
    let error: Value = serde_json::from_str(&payloads[payloads.len() - 2]).unwrap();
    assert_eq!(error["error"]["code"], "504", "{error}");

    let rows = spend_rows(&app.database().await, 2).await;
    assert_eq!(rows[0]["http_status"], 504);
    assert_eq!(rows[1]["status"], "failure");
}

#[tokio::test]
async fn a_streamed_event_that_never_ends_is_cut_off_at_16_mib() {
    // 20 MiB of one event and no blank line: the gateway holds 16 MiB of it at most.
    let broken = MockUpstream::start("aws", &["granite"], &["--unended-event-kib", "20480"]).await;
    let toml = config("", &[ModelSpec::new("granite", "granite", &[&broken])]);
    let app = TestApp::builder().config_toml(&toml).start().await;
    let response = app.post_as_master(CHAT, &stream_body("granite")).await;
    assert_eq!(response.status(), 200);
    let text = response.text().await.unwrap();
    // The first chunk was relayed; none of the unfinished event was.
    assert!(
        text.len() < 4096 && !text.contains("xxxx"),
        "{}",
        text.len()
    );
    let payloads = sse_payloads(&text);
    assert_eq!(payloads.len(), 3, "{payloads:?}");
    assert_eq!(payloads[2], "[DONE]");
    let error: Value = serde_json::from_str(&payloads[1]).unwrap();
    assert_eq!(error["error"]["code"], "502", "{error}");
    assert!(
        error["error"]["message"]
            .as_str()
            .is_some_and(|m| m.contains("16 MiB")),
        "{error}"
    );

    let rows = spend_rows(&app.database().await, 1).await;
    assert_eq!(rows[0]["http_status"], 502);
    assert_eq!(rows[0]["status"], "failure");
}

#[tokio::test]
async fn an_unreachable_model_server_is_a_502() {
    let aws = MockUpstream::start("aws", &["granite"], &[]).await;
    let toml = config(
        "[gateway]\nmax_retries = 1\n",
        &[ModelSpec::new("granite", "granite", &[&aws])],
    );
    let mut aws = aws;
    let app = TestApp::builder().config_toml(&toml).start().await;
    aws.kill().await;
    let response = app.post_as_master(CHAT, &chat_body("granite")).await;
    assert_eq!(response.status(), 502);
    let text = response.text().await.unwrap();
    assert!(
        text.contains("cluster `aws`") && !text.contains("127.0.0.1"),
        "{text}"
    );
}

#[tokio::test]
async fn a_client_that_disconnects_cancels_the_upstream_request() {
    let aws = MockUpstream::start(
        "aws",
        &["granite"],
        &["--token-ms", "100", "--completion-tokens", "100"],
    )
    .await;
    let toml = config("", &[ModelSpec::new("granite", "granite", &[&aws])]);
    let app = TestApp::builder().config_toml(&toml).start().await;
    let request = stream_body("granite");
    let response = app.post_as_master(CHAT, &request).await;
    let mut stream = response.bytes_stream();
    let first = stream.next().await.unwrap().unwrap();
    assert!(first.starts_with(b"data: "));
    drop(stream);

    let deadline = tokio::time::Instant::now() + Duration::from_secs(5);
    while aws.stats().await["cancelled"] != 1 {
        assert!(
            tokio::time::Instant::now() < deadline,
            "the upstream stream was not cancelled"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let rows = spend_rows(&app.database().await, 1).await;
    assert_eq!(rows[0]["status"], "cancelled");
    assert_eq!(rows[0]["estimated"], true);
}

#[tokio::test]
async fn streams_beyond_the_cap_are_refused_at_once_and_places_come_back() {
    let aws = MockUpstream::start(
        "aws",
        &["granite"],
        &["--token-ms", "50", "--completion-tokens", "20"],
    )
    .await;
    let toml = config("", &[ModelSpec::new("granite", "granite", &[&aws])]);
    let app = TestApp::builder()
        .config_toml(&toml)
        .env("SWITCHYARD_GATEWAY__MAX_STREAMS", "2")
        .start()
        .await;
    let mut open = Vec::new();
    for _ in 0..2 {
        let response = app.post_as_master(CHAT, &stream_body("granite")).await;
        assert_eq!(response.status(), 200);
        let mut stream = response.bytes_stream();
        let first = stream.next().await.unwrap().unwrap();
        assert!(first.starts_with(b"data: "));
        open.push(stream);
    }

    // A third stream while two are open: 503 in the OpenAI envelope, nothing sent upstream.
    let refused = app.post_as_master(CHAT, &stream_body("granite")).await;
    assert_eq!(refused.status(), 503);
    let error: Value = refused.json().await.unwrap();
    assert_eq!(error["error"]["type"], "service_unavailable", "{error}");
    assert!(
        error["error"]["message"]
            .as_str()
            .unwrap()
            .contains("too many streamed answers"),
        "{error}"
    );
    assert_eq!(aws.stats().await["requests"], 2);
    // Whole answers do not need a place.
    assert_eq!(chat_status(&app, "granite").await, 200);

    // Both open streams run to their end; then their places are free again.
    for stream in open {
        let body: Vec<u8> = stream.map(|chunk| chunk.unwrap().to_vec()).concat().await;
        assert!(
            String::from_utf8(body)
                .unwrap()
                .ends_with("data: [DONE]\n\n")
        );
    }
    let again = app.post_as_master(CHAT, &stream_body("granite")).await;
    assert_eq!(again.status(), 200);
    let body = again.text().await.unwrap();
    assert!(body.ends_with("data: [DONE]\n\n"), "{body}");
    // Every accepted request recorded once; the refused one was never accepted.
    let rows = spend_rows(&app.database().await, 4).await;
    assert_eq!(rows.len(), 4, "{rows:?}");
    assert!(
        rows.iter().all(|row| row["status"] == "success"),
        "{rows:?}"
    );
}

#[tokio::test]
async fn a_changed_configuration_file_is_applied_without_a_signal_as_a_configmap_updates() {
    let aws = MockUpstream::start("aws", &["granite", "llama"], &[]).await;
    let first = config("", &[ModelSpec::new("granite", "granite", &[&aws])]);
    let second = config(
        "",
        &[
            ModelSpec::new("granite", "granite", &[&aws]),
            ModelSpec::new("llama", "llama", &[&aws]),
        ],
    );
    let app = TestApp::builder()
        .config_toml(&first)
        .env("SWITCHYARD_GATEWAY__CONFIG_WATCH_SECONDS", "1")
        .start()
        .await;
    // Laid out as a ConfigMap volume: the file is a link into `..data`, itself a link to the
    // current version's directory; an update swaps `..data` in one rename.
    let dir = app.config_path().parent().unwrap().to_owned();
    let version = |name: &str, toml: &str| {
        std::fs::create_dir(dir.join(name)).unwrap();
        std::fs::write(dir.join(name).join("switchyard.toml"), toml).unwrap();
        std::os::unix::fs::symlink(name, dir.join("..data_tmp")).unwrap();
        std::fs::rename(dir.join("..data_tmp"), dir.join("..data")).unwrap();
    };
    version("..v1", &first);
    std::os::unix::fs::symlink("..data/switchyard.toml", dir.join("link.toml")).unwrap();
    std::fs::rename(dir.join("link.toml"), app.config_path()).unwrap();
    tokio::time::sleep(Duration::from_millis(1_500)).await;
    assert!(
        !app.logs().contains("configuration file changed"),
        "the same contents behind a link are no change:\n{}",
        app.logs()
    );
    assert_eq!(chat_status(&app, "llama").await, 404);

    version("..v2", &second);
    assert!(
        app.wait_for_log("configuration models reloaded", Duration::from_secs(10))
            .await,
        "{}",
        app.logs()
    );
    assert_eq!(chat_status(&app, "llama").await, 200);
}

#[tokio::test]
async fn sighup_and_the_admin_call_reload_models_and_other_replicas_follow() {
    let aws = MockUpstream::start("aws", &["granite", "llama"], &[]).await;
    let first = config("", &[ModelSpec::new("granite", "granite", &[&aws])]);
    let app = TestApp::builder()
        .config_toml(&first)
        .env("SWITCHYARD_GATEWAY__REGISTRY_POLL_SECONDS", "1")
        // Only the signal and the call reload here (the file watch has its own test).
        .env("SWITCHYARD_GATEWAY__CONFIG_WATCH_SECONDS", "0")
        .start()
        .await;
    let db_url = app.db.as_ref().unwrap().url.clone();
    let replica = TestApp::builder()
        .database_url(&db_url)
        .config_toml(&first)
        .env("SWITCHYARD_GATEWAY__REGISTRY_POLL_SECONDS", "1")
        .start()
        .await;
    assert_eq!(chat_status(&app, "llama").await, 404);

    // SIGHUP re-reads the file.
    let second = config(
        "",
        &[
            ModelSpec::new("granite", "granite", &[&aws]),
            ModelSpec::new("llama", "llama", &[&aws]),
        ],
    );
    std::fs::write(app.config_path(), &second).unwrap();
    app.signal("HUP");
    assert!(
        app.wait_for_log("configuration models reloaded", Duration::from_secs(10))
            .await
    );
    assert_eq!(chat_status(&app, "llama").await, 200);

    // The other replica sees the change within its poll interval.
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    while chat_status(&replica, "llama").await != 200 {
        assert!(
            tokio::time::Instant::now() < deadline,
            "the replica never saw the new model"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }

    // The admin call does the same and needs the master key.
    std::fs::write(app.config_path(), &first).unwrap();
    assert_eq!(
        app.post_json("/admin/reload", &json!({})).await.status(),
        401
    );
    let reloaded: Value = app
        .post_as_master("/admin/reload", &json!({}))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(reloaded["changed"], true);
    assert_eq!(chat_status(&app, "llama").await, 404);
}

#[tokio::test]
async fn shutdown_writes_every_queued_spend_record() {
    let aws = MockUpstream::start("aws", &["granite"], &[]).await;
    let toml = config("", &[ModelSpec::new("granite", "granite", &[&aws])]);
    let mut app = TestApp::builder().config_toml(&toml).start().await;
    let requests = 40;
    let body = chat_body("granite");
    let sends = (0..requests).map(|_| app.post_as_master(CHAT, &body));
    for response in futures::future::join_all(sends).await {
        assert_eq!(response.status(), 200);
    }
    // Stop at once: the ledger's periodic flush may not have run yet.
    assert!(app.terminate().await.success(), "{}", app.logs());
    let rows = spend_rows(&app.database().await, requests).await;
    assert_eq!(rows.len(), requests);
}

/// `granite` on two mock clusters, with health checks every second.
async fn two_clusters_checked_every_second() -> (MockUpstream, MockUpstream, TestApp) {
    let aws = MockUpstream::start("aws", &["granite"], &[]).await;
    let gaudi = MockUpstream::start("gaudi", &["granite"], &[]).await;
    let toml = config(
        "[gateway]\nhealth_check_interval_seconds = 1\n",
        &[ModelSpec::new("granite", "granite", &[&aws, &gaudi])],
    );
    let app = TestApp::builder().config_toml(&toml).start().await;
    (aws, gaudi, app)
}

#[tokio::test]
async fn health_checks_steer_traffic_away_from_an_unhealthy_deployment() {
    let (aws, _gaudi, app) = two_clusters_checked_every_second().await;
    aws.set_knobs(json!({"healthy": false})).await;
    assert!(
        app.wait_for_log("deployment health changed", Duration::from_secs(5))
            .await,
        "{}",
        app.logs()
    );
    for _ in 0..30 {
        assert_eq!(chat_status(&app, "granite").await, 200);
    }
    // Health probes do not count as requests: no request reached the unhealthy cluster.
    assert_eq!(aws.stats().await["requests"], 0);

    aws.set_knobs(json!({"healthy": true})).await;
    tokio::time::sleep(Duration::from_millis(1_500)).await;
    for _ in 0..30 {
        assert_eq!(chat_status(&app, "granite").await, 200);
    }
    assert!(aws.stats().await["requests"].as_u64().unwrap() > 0);
}

#[tokio::test]
async fn a_server_without_a_health_route_is_up_while_one_that_does_not_answer_is_down() {
    // OpenVINO Model Server's OpenAI routes live under `/v3` and it has no `/v3/health`: its
    // 404 still says the server is up. Nothing listening, or a 5xx, is down.
    let ovms = MockUpstream::start("ovms", &["bge"], &[]).await;
    let toml = format!(
        "[gateway]\nhealth_check_interval_seconds = 1\n\n\
         [[models]]\nname = \"bge\"\n[[models.deployments]]\ncluster = \"ovms\"\n\
         api_base = \"{}/v3\"\n\n\
         [[models]]\nname = \"gone\"\n[[models.deployments]]\ncluster = \"nowhere\"\n\
         api_base = \"http://127.0.0.1:1/v3\"\n",
        ovms.base
    );
    let app = TestApp::builder().config_toml(&toml).start().await;
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    while health_counts(&deployment_health(&app, "gone").await) != (Some(0), Some(1)) {
        assert!(tokio::time::Instant::now() < deadline, "never probed");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    assert_eq!(
        health_counts(&deployment_health(&app, "bge").await),
        (Some(1), Some(0))
    );
}

#[tokio::test]
async fn the_connect_timeout_is_enforced() {
    // A listener that never accepts, with its queue filled: further connects get no answer.
    let socket = tokio::net::TcpSocket::new_v4().unwrap();
    socket.bind("127.0.0.1:0".parse().unwrap()).unwrap();
    let listener = socket.listen(1).unwrap();
    let address = listener.local_addr().unwrap();
    let mut fillers = Vec::new();
    for _ in 0..4 {
        let connect = tokio::net::TcpStream::connect(address);
        if let Ok(Ok(stream)) = tokio::time::timeout(Duration::from_millis(200), connect).await {
            fillers.push(stream);
        }
    }
    let toml = format!(
        "[gateway]\nconnect_timeout_ms = 300\nmax_retries = 0\nhealth_check_interval_seconds = 0\n\
         [[models]]\nname = \"granite\"\n[[models.deployments]]\ncluster = \"aws\"\n\
         api_base = \"http://{address}/v1\"\n"
    );
    let app = TestApp::builder().config_toml(&toml).start().await;
    let started = std::time::Instant::now();
    let response = app.post_as_master(CHAT, &chat_body("granite")).await;
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "{:?}",
        started.elapsed()
    );
    assert_eq!(response.status(), 504);
    drop(listener);
}

/// The value of the first sample of `name` whose labels contain every one of `labels`.
fn sample(metrics: &str, name: &str, labels: &[&str]) -> Option<f64> {
    metrics
        .lines()
        .filter(|line| line.starts_with(name) && labels.iter().all(|l| line.contains(l)))
        .find_map(|line| line.rsplit(' ').next()?.parse().ok())
}

#[tokio::test]
async fn metrics_move_with_traffic() {
    let aws = MockUpstream::start("aws", &["granite"], &["--completion-tokens", "4"]).await;
    let toml = config("", &[ModelSpec::new("granite", "granite", &[&aws])]);
    let app = TestApp::builder().config_toml(&toml).start().await;
    for _ in 0..3 {
        assert_eq!(chat_status(&app, "granite").await, 200);
    }
    assert_eq!(chat_status(&app, "nope").await, 404);
    spend_rows(&app.database().await, 3).await;
    let text = app.metrics_text().await;
    let model = "model=\"granite\"";
    assert_eq!(
        sample(&text, "litellm_requests_metric_total", &[model]),
        Some(3.0),
        "{text}"
    );
    assert_eq!(
        sample(&text, "litellm_output_tokens_metric_total", &[model]),
        Some(12.0)
    );
    assert_eq!(
        sample(&text, "litellm_input_tokens_metric_total", &[model]),
        Some(9.0)
    );
    let spend = sample(&text, "litellm_spend_metric_total", &[model]).unwrap();
    assert!(
        (spend - 3.0 * (3.0 * 200e-9 + 4.0 * 600e-9)).abs() < 1e-12,
        "{spend}"
    );
    assert_eq!(
        sample(
            &text,
            "litellm_deployment_success_responses_total",
            &[model, "cluster=\"aws\""]
        ),
        Some(3.0)
    );
    assert_eq!(
        sample(
            &text,
            "litellm_request_total_latency_metric_count",
            &[model]
        ),
        Some(3.0)
    );
    assert_eq!(
        sample(&text, "switchyard_ledger_written_total", &[]),
        Some(3.0)
    );
    assert_eq!(
        sample(&text, "switchyard_ledger_queue_depth", &[]),
        Some(0.0)
    );
}

/// `GET /health?model=…` (master key): the deployments' health as the admin API reports it.
async fn deployment_health(app: &TestApp, model: &str) -> Value {
    app.get_as_master(&format!("/health?model={model}"))
        .await
        .json()
        .await
        .unwrap()
}

/// (healthy, unhealthy) deployment counts of a `/health` answer.
fn health_counts(health: &Value) -> (Option<u64>, Option<u64>) {
    (
        health["healthy_count"].as_u64(),
        health["unhealthy_count"].as_u64(),
    )
}

#[tokio::test]
async fn the_admin_health_endpoint_sorts_deployments_by_health() {
    let (_aws, gaudi, app) = two_clusters_checked_every_second().await;
    gaudi.set_knobs(json!({"healthy": false})).await;
    assert!(
        app.wait_for_log("deployment health changed", Duration::from_secs(5))
            .await
    );
    let health = deployment_health(&app, "granite").await;
    assert_eq!(health_counts(&health), (Some(1), Some(1)), "{health}");
    assert_eq!(health["unhealthy_endpoints"][0]["cluster"], "gaudi");
    assert_eq!(app.get_as_master("/health?model=nope").await.status(), 404);
    assert_eq!(app.get("/health").await.status(), 401);
}

#[tokio::test]
async fn https_model_servers_are_trusted_through_the_configured_authority() {
    let ca = TestCa::new();
    let secure =
        MockUpstream::start_tls("secure", &["granite"], &["--completion-tokens", "3"], &ca).await;
    assert!(secure.base.starts_with("https://"), "{}", secure.base);
    let models = [ModelSpec::new("granite", "granite", &[&secure])];
    let trusted = config(
        &format!(
            "[gateway]\nca_file = \"{}\"\nhealth_check_interval_seconds = 1\n",
            ca.ca_file.display()
        ),
        &models,
    );
    let app = TestApp::builder().config_toml(&trusted).start().await;

    // Whole and streamed answers come back over TLS, on HTTP/2 (which ALPN offers first).
    let response = app.post_as_master(CHAT, &chat_body("granite")).await;
    assert_eq!(response.status(), 200);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["usage"]["completion_tokens"], 3, "{body}");
    let streamed = stream_body("granite");
    let response = app.post_as_master(CHAT, &streamed).await;
    assert_eq!(response.status(), 200);
    let payloads = sse_payloads(&response.text().await.unwrap());
    assert_eq!(payloads.last().map(String::as_str), Some("[DONE]"));
    assert!(payloads.len() > 3, "{payloads:?}");
    let stats = secure.stats().await;
    assert_eq!(
        (stats["requests"].as_u64(), stats["http2"].as_u64()),
        (Some(2), Some(2))
    );

    // The health checks (another client) trust the same authority: the deployment stays up.
    tokio::time::sleep(Duration::from_millis(2_500)).await;
    let health = deployment_health(&app, "granite").await;
    assert_eq!(
        health_counts(&health),
        (Some(1), Some(0)),
        "{health}\n{}",
        app.logs()
    );

    // Without the authority the handshake fails, and the answer says why and what to do.
    let untrusted = config(
        "[gateway]\nhealth_check_interval_seconds = 0\nmax_retries = 0\n",
        &models,
    );
    let other = TestApp::builder().config_toml(&untrusted).start().await;
    let response = other.post_as_master(CHAT, &chat_body("granite")).await;
    assert_eq!(response.status(), 502);
    let error: Value = response.json().await.unwrap();
    let message = error["error"]["message"].as_str().unwrap();
    assert!(
        message.contains("TLS handshake") && message.contains("gateway.ca_file"),
        "{message} {}",
        other.logs()
    );
    assert_eq!(
        secure.stats().await["requests"],
        2,
        "nothing reached the API"
    );
}
