//! The official OpenAI Python SDK (pinned in `tests/clients/requirements.txt`, installed by
//! `tests/ci.sh` into `target/sdk-venv`) against the gateway: chat, streaming with usage,
//! embeddings, the model list, errors raising the SDK's matching exception classes, and the
//! Responses API (`responses.create`, streaming and not).

use harness::gateway::{ModelSpec, config};
use harness::{MASTER_KEY, MockUpstream, TestApp};

fn sdk_python() -> std::path::PathBuf {
    let python = harness::workspace_root().join("target/sdk-venv/bin/python");
    assert!(
        python.is_file(),
        "the OpenAI SDK virtualenv is missing: run tests/ci.sh (or `python3 -m venv target/sdk-venv \
         && target/sdk-venv/bin/pip install -r tests/clients/requirements.txt`)"
    );
    python
}

/// Runs `tests/clients/<script>` with the SDK's Python against `app` with `env`; what it
/// printed, once it succeeded.
async fn run_check(script: &str, app: &TestApp, env: &[(&str, &str)]) -> String {
    let output = tokio::process::Command::new(sdk_python())
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

/// The Responses API through the gateway with the SDK's `responses.create`, streaming and not,
/// each charged from the usage the model server reported.
#[tokio::test]
async fn the_openai_python_sdk_uses_the_responses_api_through_the_gateway() {
    let aws = MockUpstream::start("aws", &["granite"], &["--completion-tokens", "5"]).await;
    let toml = config("", &[ModelSpec::new("granite", "granite", &[&aws])]);
    let app = TestApp::builder().config_toml(&toml).start().await;
    let key = harness::gateway::key_with(&app, serde_json::json!({"max_budget": 5.0})).await["key"]
        .as_str()
        .unwrap()
        .to_owned();
    let stdout = run_check(
        "openai_responses_check.py",
        &app,
        &[
            ("SWITCHYARD_KEY", &key),
            ("CHAT_MODEL", "granite"),
            ("COMPLETION_TOKENS", "5"),
        ],
    )
    .await;
    assert!(
        stdout.contains("all Responses API checks passed"),
        "{stdout}"
    );

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
