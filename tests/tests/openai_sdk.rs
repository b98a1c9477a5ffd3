//! The official OpenAI Python SDK (pinned in `tests/clients/requirements.txt`, installed by
//! `tests/ci.sh` into `target/sdk-venv`) against the gateway: chat, streaming with usage,
//! embeddings, the model list, and errors raising the SDK's matching exception classes.

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

#[tokio::test]
async fn the_openai_python_sdk_works_against_the_gateway() {
    let python = sdk_python();
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
    let output = tokio::process::Command::new(python)
        .arg(harness::workspace_root().join("tests/clients/openai_sdk_check.py"))
        .env("SWITCHYARD_URL", &app.base)
        .env("SWITCHYARD_KEY", MASTER_KEY)
        .env("CHAT_MODEL", "ibm/granite")
        .env("EMBED_MODEL", "embed")
        .output()
        .await
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{stdout}\n{stderr}");
    assert!(stdout.contains("all OpenAI SDK checks passed"), "{stdout}");
}
