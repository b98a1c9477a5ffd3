//! Guardrails through the real binary, as the model-management automation configures them
//! on LiteLLM: a `pre_call` content filter that blocks prebuilt patterns (the request never
//! reaches the model server and costs nothing), a `post_call` one that masks them in whole
//! and streamed answers (a token spelled across chunks included), `/guardrails/list`, and
//! guardrails that run only for the keys or models that name them.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use harness::gateway::{ModelSpec, config, key_info, metric, spend_rows, sse_payloads};
use harness::{MockUpstream, TestApp};
use serde_json::{Value, json};

const CHAT: &str = "/v1/chat/completions";
const TOKEN: &str = "ghp_abcdefghijklmnopqrstuvwxyz0123456789";

/// The automation's two guardrails, a third that runs only where named, and a fourth that
/// masks e-mail addresses in requests to `granite`.
const GUARDRAILS: &str = r#"
[[guardrails]]
guardrail_name = "pii-block-input"
mode = "pre_call"
default_on = true
patterns = [
  { pattern_type = "prebuilt", pattern_name = "us_ssn", action = "BLOCK" },
  { pattern_type = "prebuilt", pattern_name = "aws_access_key", action = "BLOCK" },
]

[[guardrails]]
guardrail_name = "secrets-mask-output"
mode = "post_call"
default_on = true
patterns = [
  { pattern_type = "prebuilt", pattern_name = "github_token", action = "MASK" },
  { pattern_type = "prebuilt", pattern_name = "credit_card", action = "MASK" },
]

[[guardrails]]
guardrail_name = "no-codenames"
mode = "pre_call"
blocked_words = [{ keyword = "Falcon", action = "BLOCK" }]

[[guardrails]]
guardrail_name = "no-mail-output"
mode = "post_call"
patterns = [{ pattern_type = "prebuilt", pattern_name = "email", action = "BLOCK" }]

[[guardrails]]
guardrail_name = "granite-mail-mask"
mode = "pre_call"
models = ["granite"]
patterns = [{ pattern_type = "prebuilt", pattern_name = "email", action = "MASK" }]
"#;

async fn app() -> (TestApp, MockUpstream) {
    let mock = MockUpstream::start("aws", &["granite", "llama"], &[]).await;
    let toml = config(
        GUARDRAILS,
        &[
            ModelSpec::new("granite", "granite", &[&mock]),
            ModelSpec::new("llama", "llama", &[&mock]),
        ],
    );
    let app = TestApp::builder().config_toml(&toml).start().await;
    (app, mock)
}

fn chat(model: &str, content: &str) -> Value {
    json!({"model": model, "messages": [{"role": "user", "content": content}]})
}

async fn new_key(app: &TestApp, extra: Value) -> String {
    let mut body = json!({"models": ["granite", "llama"], "max_budget": 10.0});
    if let (Some(body), Value::Object(extra)) = (body.as_object_mut(), extra) {
        body.extend(extra);
    }
    let response = app.post_as_master("/key/generate", &body).await;
    assert_eq!(response.status(), 200);
    let key: Value = response.json().await.unwrap();
    key["key"].as_str().unwrap().to_owned()
}

/// Asserts `response` is a 403 whose message contains each of `needles`; returns the body.
async fn assert_refused(response: reqwest::Response, needles: &[&str]) -> Value {
    assert_eq!(response.status(), 403);
    let body: Value = response.json().await.unwrap();
    let message = body["error"]["message"].as_str().unwrap_or_default();
    for needle in needles {
        assert!(message.contains(needle), "{body}");
    }
    body
}

#[tokio::test]
async fn the_ssn_request_is_refused_before_the_model_server_sees_it_and_costs_nothing() {
    let (app, mock) = app().await;
    let key = new_key(&app, json!({})).await;

    let refused = app
        .post_with_key(CHAT, &chat("granite", "My SSN is 123-45-6789"), &key)
        .await;
    let body = assert_refused(refused, &["pii-block-input", "us_ssn"]).await;
    assert!(
        !body.to_string().contains("6789"),
        "the matched text is never echoed: {body}"
    );
    let streamed = json!({"model": "granite", "stream": true,
        "messages": [{"role": "user", "content": [{"type": "text", "text": "AKIAIOSFODNN7EXAMPLE"}]}]});
    assert_eq!(app.post_with_key(CHAT, &streamed, &key).await.status(), 403);
    assert_eq!(
        mock.stats().await["requests"],
        0,
        "nothing reached the model server"
    );

    // Both are in the spend log, at no cost, with the guardrail's name (not the text).
    let db = app.database().await;
    let rows = spend_rows(&db, 2).await;
    assert_eq!(rows.len(), 2, "{rows:?}");
    for row in &rows {
        assert_eq!(row["guardrail"], "pii-block-input", "{row}");
        assert_eq!(row["http_status"], 403, "{row}");
        assert_eq!(row["status"], "failure", "{row}");
        assert_eq!(row["cost_nanos"], 0, "{row}");
    }
    assert_eq!(key_info(&app, &key).await["spend"].as_f64(), Some(0.0));

    // The same key's harmless request goes through and is charged: only the refused ones
    // cost nothing.
    let fine = app
        .post_with_key(CHAT, &chat("granite", "My SSN is secret"), &key)
        .await;
    assert_eq!(fine.status(), 200);
    let rows = spend_rows(&db, 3).await;
    assert!(rows[2]["cost_nanos"].as_i64().unwrap() > 0, "{rows:?}");
    assert_eq!(rows[2]["guardrail"], Value::Null);
    assert!(key_info(&app, &key).await["spend"].as_f64().unwrap() > 0.0);
    assert_eq!(mock.stats().await["requests"], 1);

    let metrics = app.metrics_text().await;
    assert_eq!(
        metric(
            &metrics,
            "switchyard_guardrail_actions_total{guardrail=\"pii-block-input\",action=\"block\"}"
        ),
        2.0,
        "{metrics}"
    );
}

#[tokio::test]
async fn answers_are_masked_whole_and_streamed_across_chunk_boundaries() {
    let (app, mock) = app().await;
    let key = new_key(&app, json!({})).await;
    let opening = "Here is a long answer that goes on for a while before it says anything secret. ";
    let said = format!("echo: {opening}The token is {TOKEN} and the card 4111 1111 1111 1111, bye");
    let shown = format!(
        "{opening}The token is [GITHUB_TOKEN_REDACTED] and the card [CREDIT_CARD_REDACTED], bye"
    );

    let whole: Value = app
        .post_with_key(CHAT, &chat("llama", &said), &key)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(whole["choices"][0]["message"]["content"], shown.as_str());

    // The mock streams four characters per chunk: the token arrives in ten pieces.
    let mut streamed = chat("llama", &said);
    streamed["stream"] = json!(true);
    let response = app.post_with_key(CHAT, &streamed, &key).await;
    assert_eq!(response.status(), 200);
    let body = response.text().await.unwrap();
    let payloads = sse_payloads(&body);
    assert_eq!(payloads.last().map(String::as_str), Some("[DONE]"));
    let chunks: Vec<Value> = payloads
        .iter()
        .filter(|p| *p != "[DONE]")
        .map(|p| serde_json::from_str(p).unwrap())
        .collect();
    let text: String = chunks
        .iter()
        .filter_map(|c| c["choices"][0]["delta"]["content"].as_str())
        .collect();
    assert_eq!(text, shown);
    assert!(!body.contains("ghp_"), "{body}");
    // The opening was sent as it came (less the few characters held back), not at the end.
    let first_text = chunks
        .iter()
        .position(|c| {
            c["choices"][0]["delta"]["content"]
                .as_str()
                .is_some_and(|t| !t.is_empty())
        })
        .unwrap();
    assert!(first_text < chunks.len() / 2, "{body}");
    // The client did not ask for usage; the chunk the gateway asked for is still stripped,
    // and the stream is charged.
    assert!(chunks.iter().all(|c| c.get("usage").is_none()), "{body}");
    let db = app.database().await;
    let rows = spend_rows(&db, 2).await;
    assert_eq!(rows.len(), 2);
    for row in &rows {
        assert_eq!(row["guardrail"], "secrets-mask-output", "{row}");
        assert_eq!(row["status"], "success", "{row}");
    }
    assert_eq!(mock.stats().await["requests"], 2);

    // What the masks could not read is refused: a stream flag the gateway cannot read, and
    // token log-probabilities that would spell the answer out again.
    let mut odd = chat("llama", "hi");
    odd["stream"] = json!("true");
    let refused = app.post_with_key(CHAT, &odd, &key).await;
    assert_eq!(refused.status(), 400);
    let mut logprobs = chat("llama", "hi");
    logprobs["logprobs"] = json!(true);
    let refused = app.post_with_key(CHAT, &logprobs, &key).await;
    assert_eq!(refused.status(), 400);
    let body: Value = refused.json().await.unwrap();
    assert_eq!(body["error"]["param"], "logprobs", "{body}");
    assert_eq!(mock.stats().await["requests"], 2);

    let metrics = app.metrics_text().await;
    assert_eq!(
        metric(
            &metrics,
            "switchyard_guardrail_actions_total{guardrail=\"secrets-mask-output\",action=\"mask\"}"
        ),
        2.0,
        "{metrics}"
    );
}

#[tokio::test]
async fn guardrails_run_for_the_keys_and_models_that_name_them() {
    let (app, mock) = app().await;
    let plain = new_key(&app, json!({})).await;
    let strict = new_key(&app, json!({"metadata": {"guardrails": ["no-codenames"]}})).await;

    let codename = chat("llama", "status of project falcon?");
    assert_eq!(
        app.post_with_key(CHAT, &codename, &plain).await.status(),
        200
    );
    let refused = app.post_with_key(CHAT, &codename, &strict).await;
    assert_refused(refused, &["no-codenames", "blocked_word"]).await;

    // The e-mail mask runs for granite only, and what the model server receives is masked.
    let mail = "write to ada@example.org please";
    app.post_with_key(CHAT, &chat("granite", mail), &plain)
        .await;
    assert_eq!(
        mock.last_request().await["messages"][0]["content"],
        "write to [EMAIL_REDACTED] please"
    );
    app.post_with_key(CHAT, &chat("llama", mail), &plain).await;
    assert_eq!(mock.last_request().await["messages"][0]["content"], mail);
    let db = app.database().await;
    let recorded: Vec<Value> = spend_rows(&db, 4)
        .await
        .iter()
        .map(|row| row["guardrail"].clone())
        .collect();
    assert_eq!(
        recorded,
        [
            Value::Null,
            json!("no-codenames"),
            json!("granite-mail-mask"),
            Value::Null
        ]
    );
}

#[tokio::test]
async fn a_post_call_block_refuses_the_answer_and_the_work_is_still_charged() {
    let (app, _mock) = app().await;
    let key = new_key(
        &app,
        json!({"metadata": {"guardrails": ["no-mail-output"]}}),
    )
    .await;
    let said = chat("llama", "echo: write to ada@example.org, she knows");

    let refused = app.post_with_key(CHAT, &said, &key).await;
    assert_refused(refused, &["no-mail-output", "email"]).await;

    let mut streamed = said.clone();
    streamed["stream"] = json!(true);
    let response = app.post_with_key(CHAT, &streamed, &key).await;
    assert_eq!(response.status(), 200, "the stream had begun");
    let body = response.text().await.unwrap();
    assert!(!body.contains("example.org"), "{body}");
    let payloads = sse_payloads(&body);
    assert_eq!(payloads.last().map(String::as_str), Some("[DONE]"));
    let error: Value = serde_json::from_str(&payloads[payloads.len() - 2]).unwrap();
    assert!(
        error["error"]["message"]
            .as_str()
            .unwrap()
            .contains("no-mail-output"),
        "{body}"
    );

    let db = app.database().await;
    let rows = spend_rows(&db, 2).await;
    assert_eq!(rows.len(), 2);
    for row in &rows {
        assert_eq!(row["guardrail"], "no-mail-output", "{row}");
        assert_eq!(row["http_status"], 403, "{row}");
        assert!(row["completion_tokens"].as_i64().unwrap() > 0, "{row}");
    }
    assert!(key_info(&app, &key).await["spend"].as_f64().unwrap() > 0.0);
}

#[tokio::test]
async fn guardrails_are_listed_like_litellm_for_the_master_key_only() {
    let (app, _mock) = app().await;
    for path in ["/guardrails/list", "/v1/guardrails/list"] {
        let listed: Value = app.get_as_master(path).await.json().await.unwrap();
        let names: Vec<&str> = listed["guardrails"]
            .as_array()
            .unwrap()
            .iter()
            .map(|g| g["guardrail_name"].as_str().unwrap())
            .collect();
        assert_eq!(
            names,
            [
                "pii-block-input",
                "secrets-mask-output",
                "no-codenames",
                "no-mail-output",
                "granite-mail-mask"
            ]
        );
        let first = &listed["guardrails"][0];
        assert_eq!(first["litellm_params"]["mode"], "pre_call");
        assert_eq!(
            first["litellm_params"]["guardrail"],
            "litellm_content_filter"
        );
        assert_eq!(first["litellm_params"]["default_on"], true);
        assert_eq!(app.get(path).await.status(), 401);
    }
}

#[test]
fn a_bad_guardrail_stops_start_up_with_a_clear_message() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("switchyard.toml");
    std::fs::write(
        &config,
        "[[guardrails]]\nguardrail_name = \"typo\"\nmode = \"pre_call\"\npatterns = \
         [{ pattern_type = \"prebuilt\", pattern_name = \"us_snn\", action = \"BLOCK\" }]\n",
    )
    .unwrap();
    let (status, printed) = harness::run_to_end(
        std::process::Command::new(harness::switchyard_bin())
            .arg("serve")
            .env_clear()
            .env("SWITCHYARD_CONFIG", &config)
            .env("SWITCHYARD_DATA_DIR", dir.path().join("data"))
            .env("SWITCHYARD_LISTEN", "127.0.0.1:0")
            .env("SWITCHYARD_MASTER_KEY", harness::MASTER_KEY),
    );
    assert!(!status.success(), "{printed}");
    assert!(
        printed.contains("guardrail `typo`") && printed.contains("no prebuilt pattern `us_snn`"),
        "{printed}"
    );
}

/// A Llama Guard-style model on its own cluster, asked before every request to `granite`.
async fn moderated_app() -> (TestApp, MockUpstream, MockUpstream) {
    let mock = MockUpstream::start("aws", &["granite"], &[]).await;
    let guard = MockUpstream::start("ibm", &["llama-guard"], &[]).await;
    let preamble = r#"
[[guardrails]]
guardrail_name = "llama-guard-check"
guardrail = "moderation"
model = "llama-guard"
mode = "pre_call"
models = ["granite"]
"#;
    let toml = config(
        preamble,
        &[
            ModelSpec::new("granite", "granite", &[&mock]),
            ModelSpec::new("llama-guard", "llama-guard", &[&guard]),
        ],
    );
    let app = TestApp::builder().config_toml(&toml).start().await;
    (app, mock, guard)
}

#[tokio::test]
async fn a_moderation_model_served_through_the_gateway_judges_each_request() {
    let (app, mock, guard) = moderated_app().await;
    let key = new_key(&app, json!({})).await;

    let unsafe_request = chat("granite", "how do I build a weapon at home?");
    let refused = app.post_with_key(CHAT, &unsafe_request, &key).await;
    assert_refused(refused, &["llama-guard-check", "unsafe content (S9)"]).await;
    assert_eq!(mock.stats().await["requests"], 0);
    assert_eq!(guard.stats().await["requests"], 1);
    let asked = guard.last_request().await;
    assert_eq!(asked["model"], "llama-guard");
    assert_eq!(asked["messages"], unsafe_request["messages"]);

    let fine = app
        .post_with_key(CHAT, &chat("granite", "how do I bake bread?"), &key)
        .await;
    assert_eq!(fine.status(), 200);
    assert_eq!(mock.stats().await["requests"], 1);
    assert_eq!(guard.stats().await["requests"], 2);

    // Each check is on the spend log on its own row, not the caller's: the refused request
    // and the answered one are the caller's.
    let db = app.database().await;
    let rows = spend_rows(&db, 4).await;
    let checks: Vec<&Value> = rows
        .iter()
        .filter(|r| r["call_type"] == "guardrail")
        .collect();
    assert_eq!(checks.len(), 2, "{rows:?}");
    for check in &checks {
        assert_eq!(check["model"], "llama-guard");
        assert!(
            check["request_id"]
                .as_str()
                .unwrap()
                .ends_with(":llama-guard-check"),
            "{check}"
        );
    }
    let refused_row = rows.iter().find(|r| r["http_status"] == 403).unwrap();
    assert_eq!(refused_row["guardrail"], "llama-guard-check");
    assert_eq!(refused_row["cost_nanos"], 0);

    // A moderation model that cannot answer fails the request closed, with a clear 503.
    guard.set_knobs(json!({"failure_rate": 1.0})).await;
    let unchecked = app
        .post_with_key(CHAT, &chat("granite", "how do I bake bread?"), &key)
        .await;
    assert_eq!(unchecked.status(), 503);
    let body: Value = unchecked.json().await.unwrap();
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("could not check"),
        "{body}"
    );
    assert_eq!(
        mock.stats().await["requests"],
        1,
        "nothing unchecked was sent"
    );
}

#[tokio::test]
async fn administrators_manage_guardrails_through_graphql_and_every_replica_follows() {
    let (app, mock) = app().await;
    let second = TestApp::builder()
        .database_url(&app.database_url())
        .config_toml(&std::fs::read_to_string(app.config_path()).unwrap())
        .start()
        .await;
    let key = new_key(&app, json!({})).await;
    let put = "mutation($name: String!, $definition: JSON!) {
        putGuardrail(name: $name, definition: $definition) { name source definition } }";
    let gql = |query: &'static str, variables: Value| {
        let app = &app;
        async move {
            app.graphql_bearer(harness::MASTER_KEY, query, variables)
                .await
                .1
        }
    };

    let definition = json!({"mode": "pre_call", "default_on": true,
        "patterns": [{"pattern_type": "regex", "pattern": "\\bPRJ-\\d{4}\\b",
                      "name": "project_code", "action": "BLOCK"}]});
    let made = gql(put, json!({"name": "projects", "definition": definition})).await;
    assert_eq!(made["data"]["putGuardrail"]["source"], "DATABASE", "{made}");
    assert_eq!(
        made["data"]["putGuardrail"]["definition"]["guardrail_name"],
        "projects"
    );

    // In force at once on this replica, and on the other within its poll.
    let secret = chat("llama", "what is PRJ-1234 about?");
    let refused = app.post_with_key(CHAT, &secret, &key).await;
    assert_refused(refused, &["projects", "project_code"]).await;
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(15);
    loop {
        let status = second.post_with_key(CHAT, &secret, &key).await.status();
        if status == 403 {
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "the second replica did not follow"
        );
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }
    let listed: Value = second
        .get_as_master("/guardrails/list")
        .await
        .json()
        .await
        .unwrap();
    let projects = listed["guardrails"]
        .as_array()
        .unwrap()
        .iter()
        .find(|g| g["guardrail_name"] == "projects")
        .cloned()
        .unwrap();
    assert_eq!(projects["guardrail_definition_location"], "db");

    // The query shows configured and managed ones, each with its source.
    let all = gql("{ guardrails { name source } }", json!({})).await;
    let sources: Vec<(String, String)> = all["data"]["guardrails"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| {
            (
                g["name"].as_str().unwrap().to_owned(),
                g["source"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    assert!(
        sources.contains(&("pii-block-input".into(), "CONFIG".into())),
        "{all}"
    );
    assert!(
        sources.contains(&("projects".into(), "DATABASE".into())),
        "{all}"
    );

    // Refused with the reason: a definition that cannot run, a configured name.
    let bad = gql(
        put,
        json!({"name": "broken", "definition": {"mode": "pre_call",
            "patterns": [{"pattern_type": "prebuilt", "pattern_name": "passport", "action": "BLOCK"}]}}),
    )
    .await;
    assert_eq!(
        bad["errors"][0]["extensions"]["code"], "BAD_USER_INPUT",
        "{bad}"
    );
    assert!(
        bad["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("no prebuilt pattern `passport`"),
        "{bad}"
    );
    let configured = gql(
        put,
        json!({"name": "pii-block-input", "definition": definition}),
    )
    .await;
    assert_eq!(
        configured["errors"][0]["extensions"]["code"], "CONFLICT",
        "{configured}"
    );

    // Deleted: requests pass again.
    let deleted = gql(
        "mutation { deleteGuardrail(name: \"projects\") }",
        json!({}),
    )
    .await;
    assert_eq!(deleted["data"]["deleteGuardrail"], true, "{deleted}");
    let before = mock.stats().await["requests"].as_u64().unwrap();
    assert_eq!(app.post_with_key(CHAT, &secret, &key).await.status(), 200);
    assert_eq!(mock.stats().await["requests"], before + 1);
}

#[tokio::test]
async fn the_responses_api_is_guarded_like_chat() {
    let (app, mock) = app().await;
    let key = new_key(&app, json!({})).await;
    let refused = [
        json!({"model": "llama", "input": "My SSN is 123-45-6789"}),
        json!({"model": "llama", "input": [{"role": "user",
            "content": [{"type": "input_text", "text": "My SSN is 123-45-6789"}]}]}),
        json!({"model": "llama", "instructions": "use AKIAIOSFODNN7EXAMPLE", "input": "hi"}),
    ];
    for body in &refused {
        let response = app.post_with_key("/v1/responses", body, &key).await;
        assert_refused(response, &["pii-block-input"]).await;
    }
    assert_eq!(mock.stats().await["requests"], 0);

    let said = format!("echo: the token is {TOKEN}, keep it");
    let shown = "the token is [GITHUB_TOKEN_REDACTED], keep it";
    let whole: Value = app
        .post_with_key(
            "/v1/responses",
            &json!({"model": "llama", "input": said}),
            &key,
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(whole["output"][0]["content"][0]["text"], shown, "{whole}");

    let response = app
        .post_with_key(
            "/v1/responses",
            &json!({"model": "llama", "input": said, "stream": true}),
            &key,
        )
        .await;
    assert_eq!(response.status(), 200);
    let body = response.text().await.unwrap();
    assert!(!body.contains("ghp_"), "{body}");
    let events: Vec<Value> = sse_payloads(&body)
        .iter()
        .map(|p| serde_json::from_str(p).unwrap())
        .collect();
    let text: String = events
        .iter()
        .filter(|e| e["type"] == "response.output_text.delta")
        .filter_map(|e| e["delta"].as_str())
        .collect();
    assert_eq!(text, shown);
    let completed = events.last().unwrap();
    assert_eq!(completed["type"], "response.completed");
    assert_eq!(
        completed["response"]["output"][0]["content"][0]["text"],
        shown
    );
    assert!(body.contains("event: response.completed\n"), "{body}");
}
