//! The official Python SDKs (pinned in `tests/clients/requirements.txt`, installed by
//! `tests/ci.sh` into `target/sdk-venv`) against the gateway. OpenAI's: chat, streaming with
//! usage, embeddings, the model list, errors raising the SDK's matching exception classes, and
//! the Responses API (`responses.create`, streaming and not). Anthropic's: the Messages API
//! (`messages.create`, streaming through the SDK's own event parsing, tool calls, token
//! counting, errors). Speech to text with OpenAI's (`audio.transcriptions.create`,
//! `audio.translations.create`).

use harness::gateway::{ModelSpec, config};
use harness::{MASTER_KEY, MockUpstream, TestApp};

/// Runs `tests/clients/<script>` with the SDK's Python against `app` with `env`; what it
/// printed, once it succeeded.
async fn run_check(script: &str, app: &TestApp, env: &[(&str, &str)]) -> String {
    let output = tokio::process::Command::new(harness::sdk_python())
        .arg(harness::workspace_root().join("tests/clients").join(script))
        .env("SWITCHYARD_URL", &app.base)
        .envs(env.iter().copied())
        .output()
        .await
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{stdout}\n{stderr}");
    stdout
}

#[tokio::test]
async fn the_openai_python_sdk_works_against_the_gateway() {
    let aws =
        MockUpstream::start("aws", &["granite", "embed"], &["--completion-tokens", "4"]).await;
    let broken = MockUpstream::start("gaudi", &["granite"], &["--failure-rate", "1.0"]).await;
    let toml = config(
        "[gateway]\nmax_body_bytes = 100000\nmax_retries = 0\n",
        &[
            ModelSpec::new("ibm/granite", "granite", &[&aws]),
            ModelSpec::new("embed", "embed", &[&aws]),
        ],
    );
    let toml = format!(
        "{toml}[[models]]\nname = \"broken\"\n[[models.deployments]]\ncluster = \"gaudi\"\n\
         api_base = \"{}/v1\"\nbackend_model = \"granite\"\n",
        broken.base
    );
    let app = TestApp::builder().config_toml(&toml).start().await;
    let stdout = run_check(
        "openai_sdk_check.py",
        &app,
        &[
            ("SWITCHYARD_KEY", MASTER_KEY),
            ("CHAT_MODEL", "ibm/granite"),
            ("EMBED_MODEL", "embed"),
        ],
    )
    .await;
    assert!(stdout.contains("all OpenAI SDK checks passed"), "{stdout}");
}

/// Runs `script` against a gateway in front of a mock `granite` (5 tokens an answer) with a
/// key under a budget, expecting it to print `passed`; the mock and the gateway, to look
/// at what happened.
async fn check_with_budgeted_key(script: &str, passed: &str) -> (MockUpstream, TestApp) {
    let aws = MockUpstream::start("aws", &["granite"], &["--completion-tokens", "5"]).await;
    let toml = config("", &[ModelSpec::new("granite", "granite", &[&aws])]);
    let app = TestApp::builder().config_toml(&toml).start().await;
    let key = harness::gateway::key_with(&app, serde_json::json!({"max_budget": 5.0})).await["key"]
        .as_str()
        .unwrap()
        .to_owned();
    let stdout = run_check(
        script,
        &app,
        &[
            ("SWITCHYARD_KEY", &key),
            ("CHAT_MODEL", "granite"),
            ("COMPLETION_TOKENS", "5"),
        ],
    )
    .await;
    assert!(stdout.contains(passed), "{stdout}");
    (aws, app)
}

/// The Responses API through the gateway with the SDK's `responses.create`, streaming and not,
/// each charged from the usage the model server reported.
#[tokio::test]
async fn the_openai_python_sdk_uses_the_responses_api_through_the_gateway() {
    let (aws, app) = check_with_budgeted_key(
        "openai_responses_check.py",
        "all Responses API checks passed",
    )
    .await;

    // Under a budget the answer is bounded in the Responses API's own field, and no chat
    // `stream_options` is added.
    let forwarded = aws.last_request().await;
    assert!(
        forwarded["max_output_tokens"].as_u64().is_some(),
        "{forwarded}"
    );
    assert!(forwarded.get("stream_options").is_none(), "{forwarded}");

    let db = app.database().await;
    let rows = harness::gateway::spend_rows(&db, 2).await;
    assert_eq!(rows.len(), 2, "{rows:?}");
    for row in &rows {
        assert_eq!(row["call_type"], "responses", "{row}");
        assert_eq!(row["completion_tokens"], 5, "{row}");
        assert_eq!(row["estimated"], false, "{row}");
        assert!(row["prompt_tokens"].as_i64().unwrap() > 0, "{row}");
        assert!(row["cost_nanos"].as_i64().unwrap() > 0, "{row}");
    }
}

/// The Anthropic Messages API through the gateway with the Anthropic SDK: each message is a
/// chat completion at the model server, limited and charged like one, and recorded as
/// `messages`.
#[tokio::test]
async fn the_anthropic_python_sdk_uses_the_messages_api_through_the_gateway() {
    let (aws, app) = check_with_budgeted_key(
        "anthropic_messages_check.py",
        "all Anthropic Messages API checks passed",
    )
    .await;

    // The last call the model server saw is the forced, streamed tool call, as chat.
    let forwarded = aws.last_request().await;
    assert_eq!(
        forwarded["tool_choice"]["function"]["name"], "get_weather",
        "{forwarded}"
    );
    assert_eq!(forwarded["tools"][0]["type"], "function", "{forwarded}");
    assert_eq!(
        forwarded["stream_options"]["include_usage"], true,
        "{forwarded}"
    );

    // Six messages answered (three plain, three with tools), each charged from the usage the
    // model server reported; the token count and the refused calls cost nothing.
    let db = app.database().await;
    let rows = harness::gateway::spend_rows(&db, 7).await;
    let answered: Vec<_> = rows
        .iter()
        .filter(|row| row["call_type"] == "messages" && row["status"] == "success")
        .collect();
    assert_eq!(answered.len(), 6, "{rows:?}");
    for row in answered {
        assert_eq!(row["estimated"], false, "{row}");
        assert!(row["prompt_tokens"].as_i64().unwrap() > 0, "{row}");
        assert!(row["cost_nanos"].as_i64().unwrap() > 0, "{row}");
    }
    assert!(
        rows.iter()
            .any(|row| row["call_type"] == "tokenize" && row["cost_nanos"] == 0),
        "{rows:?}"
    );
}

/// Limits and guardrails apply to Messages calls as to chat, answered in Anthropic's error
/// shape.
#[tokio::test]
async fn messages_calls_are_limited_and_guarded_like_chat() {
    let aws = MockUpstream::start("aws", &["granite"], &["--completion-tokens", "3"]).await;
    let toml = config(
        "[[guardrails]]\nguardrail_name = \"pii\"\nmode = \"pre_call\"\ndefault_on = true\n\
         patterns = [{ pattern_type = \"prebuilt\", pattern_name = \"us_ssn\", action = \"BLOCK\" }]\n",
        &[ModelSpec::new("granite", "granite", &[&aws])],
    );
    let app = TestApp::builder().config_toml(&toml).start().await;
    let key = harness::gateway::key_with(&app, serde_json::json!({"rpm_limit": 1})).await["key"]
        .as_str()
        .unwrap()
        .to_owned();
    let ask = |text: &str| {
        serde_json::json!({"model": "granite", "max_tokens": 16,
                           "messages": [{"role": "user", "content": text}]})
    };
    let blocked = app
        .post_with_key("/v1/messages", &ask("My SSN is 123-45-6789"), &key)
        .await;
    assert_eq!(blocked.status(), 403);
    let body: serde_json::Value = blocked.json().await.unwrap();
    assert_eq!(body["type"], "error", "{body}");
    assert_eq!(body["error"]["type"], "permission_error", "{body}");
    assert!(
        body["error"]["message"].as_str().unwrap().contains("pii"),
        "{body}"
    );
    assert_eq!(aws.stats().await["requests"], 0);

    let first = app.post_with_key("/v1/messages", &ask("hello"), &key).await;
    assert_eq!(first.status(), 200);
    let second = app.post_with_key("/v1/messages", &ask("hello"), &key).await;
    assert_eq!(second.status(), 429);
    assert!(second.headers().contains_key("retry-after"));
    let body: serde_json::Value = second.json().await.unwrap();
    assert_eq!(body["error"]["type"], "rate_limit_error", "{body}");
}

/// Speech to text through the gateway with the SDK's `audio.transcriptions.create` and
/// `audio.translations.create`: every upload reaches the model server and is charged for
/// the transcript's tokens (the model has no per-second price).
#[tokio::test]
async fn the_openai_python_sdk_transcribes_and_translates_through_the_gateway() {
    let (aws, app) =
        check_with_budgeted_key("openai_audio_check.py", "all audio checks passed").await;
    let forwarded = aws.last_request().await;
    assert_eq!(forwarded["file_bytes"], 64000, "{forwarded}");

    let db = app.database().await;
    let rows = harness::gateway::spend_rows(&db, 5).await;
    let kinds: Vec<&str> = rows
        .iter()
        .map(|r| r["call_type"].as_str().unwrap())
        .collect();
    assert_eq!(
        kinds.iter().filter(|k| **k == "transcription").count(),
        4,
        "{rows:?}"
    );
    assert_eq!(
        kinds.iter().filter(|k| **k == "translation").count(),
        1,
        "{rows:?}"
    );
    for row in &rows {
        assert_eq!(row["status"], "success", "{row}");
        assert!(row["completion_tokens"].as_i64().unwrap() > 0, "{row}");
        assert!(row["cost_nanos"].as_i64().unwrap() > 0, "{row}");
    }
}

/// A model whose servers speak the Messages API themselves (capability `messages`) gets
/// Messages requests as they are, charged from the usage of Anthropic's own events, unless a
/// guardrail runs for it (guardrails read the chat form: the request is translated then).
#[tokio::test]
async fn messages_pass_through_to_servers_that_speak_them() {
    let aws = MockUpstream::start("aws", &["claude-like"], &["--completion-tokens", "4"]).await;
    let toml = format!(
        "[[guardrails]]\nguardrail_name = \"for-guarded\"\nmode = \"pre_call\"\n\
         models = [\"guarded\"]\n\
         patterns = [{{ pattern_type = \"prebuilt\", pattern_name = \"us_ssn\", action = \"BLOCK\" }}]\n\
         [[models]]\nname = \"native\"\ncapabilities = [\"chat\", \"messages\"]\n\
         input_cost_per_token = 1e-6\noutput_cost_per_token = 2e-6\n\
         [[models.deployments]]\ncluster = \"aws\"\napi_base = \"{base}/v1\"\n\
         backend_model = \"claude-like\"\n\
         [[models]]\nname = \"guarded\"\ncapabilities = [\"chat\", \"messages\"]\n\
         [[models.deployments]]\ncluster = \"aws\"\napi_base = \"{base}/v1\"\n\
         backend_model = \"claude-like\"\n",
        base = aws.base
    );
    let app = TestApp::builder().config_toml(&toml).start().await;
    let key = harness::gateway::key_with(&app, serde_json::json!({"models": ["*"]})).await["key"]
        .as_str()
        .unwrap()
        .to_owned();
    let ask = |model: &str, stream: bool| {
        serde_json::json!({"model": model, "max_tokens": 16, "stream": stream,
                           "system": "Be brief.",
                           "messages": [{"role": "user", "content": [{"type": "text", "text": "one two three"}]}]})
    };

    let whole = app
        .post_with_key("/v1/messages", &ask("native", false), &key)
        .await;
    assert_eq!(whole.status(), 200);
    let message: serde_json::Value = whole.json().await.unwrap();
    assert_eq!(message["type"], "message", "{message}");
    assert_eq!(message["usage"]["output_tokens"], 4, "{message}");
    let forwarded = aws.last_request().await;
    assert_eq!(
        forwarded["model"], "claude-like",
        "renamed for the deployment: {forwarded}"
    );
    assert_eq!(
        forwarded["system"], "Be brief.",
        "passed as it was: {forwarded}"
    );
    assert!(forwarded.get("stream_options").is_none(), "{forwarded}");

    let streamed = app
        .post_with_key("/v1/messages", &ask("native", true), &key)
        .await;
    assert_eq!(streamed.status(), 200);
    let text = streamed.text().await.unwrap();
    assert!(text.starts_with("event: message_start"), "{text}");
    assert!(text.contains("event: message_stop"), "{text}");

    // A guardrail runs for `guarded`: its request reaches the server as a chat completion.
    let guarded = app
        .post_with_key("/v1/messages", &ask("guarded", false), &key)
        .await;
    assert_eq!(guarded.status(), 200);
    let forwarded = aws.last_request().await;
    assert_eq!(
        forwarded["messages"][0]["role"], "system",
        "translated: {forwarded}"
    );

    let db = app.database().await;
    let rows = harness::gateway::spend_rows(&db, 3).await;
    assert_eq!(rows.len(), 3, "{rows:?}");
    for row in &rows[..2] {
        assert_eq!(row["call_type"], "messages", "{row}");
        assert_eq!(row["completion_tokens"], 4, "{row}");
        assert_eq!(
            row["prompt_tokens"], 5,
            "`Be brief.` and three words: {row}"
        );
        assert_eq!(row["estimated"], false, "{row}");
        assert_eq!(row["cost_nanos"], 5 * 1_000 + 4 * 2_000, "{row}");
    }

    // A client that leaves after `message_start` (which counts one output token so far) is
    // charged an estimate, not the one token the start announced.
    aws.set_knobs(serde_json::json!({"token_ms": 300, "completion_tokens": 4}))
        .await;
    let response = app
        .post_with_key("/v1/messages", &ask("native", true), &key)
        .await;
    let mut stream = response.bytes_stream();
    let first = futures::StreamExt::next(&mut stream)
        .await
        .unwrap()
        .unwrap();
    assert!(first.starts_with(b"event: message_start"), "{first:?}");
    drop(stream);
    let rows = harness::gateway::spend_rows(&db, 4).await;
    let left = &rows[3];
    assert_eq!(left["status"], "cancelled", "{left}");
    assert_eq!(left["estimated"], true, "{left}");
    assert!(left["prompt_tokens"].as_i64() > Some(0), "{left}");
}
