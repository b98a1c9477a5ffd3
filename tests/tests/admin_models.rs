//! `/model/*` as the model-registration role uses it: one model on two clusters with two
//! `/model/new` calls, reading back a complete `/model/info`, routing to both, deleting.

use harness::gateway::{ModelSpec, config};
use harness::{MockUpstream, TestApp};
use serde_json::{Value, json};

fn registration(name: &str, api_base: &str) -> Value {
    json!({
        "model_name": name,
        "litellm_params": {"model": "openai/granite", "api_base": api_base, "api_key": "upstream-secret",
                           "rpm": "120", "tpm": "100000"},
        "model_info": {"input_cost_per_token": 2e-7, "output_cost_per_token": 6e-7,
                       "max_tokens": 131072, "mode": "chat", "supports_function_calling": true}
    })
}

#[tokio::test]
async fn one_model_registered_on_two_clusters_is_listed_completely_and_routed() {
    // Both model servers want the credential registered with the deployment.
    let aws = MockUpstream::start("aws", &["granite"], &["--api-key", "upstream-secret"]).await;
    let gaudi = MockUpstream::start("gaudi", &["granite"], &["--api-key", "upstream-secret"]).await;
    let config_model = MockUpstream::start("cfg", &["llama"], &[]).await;
    let toml = config(
        "[gateway]\ncredentials_key = \"MTExMTExMTExMTExMTExMTExMTExMTExMTExMTExMTE=\"\n",
        &[ModelSpec::new("llama", "llama", &[&config_model])],
    );
    let app = TestApp::builder().config_toml(&toml).start().await;

    for mock in [&aws, &gaudi] {
        let body = registration("granite-3-2-8b-instruct", &format!("{}/v1", mock.base));
        let response = app.post_as_master("/model/new", &body).await;
        assert_eq!(response.status(), 200);
        let answer: Value = response.json().await.unwrap();
        assert_eq!(answer["created"], true);
        assert!(
            answer["litellm_params"].get("api_key").is_none(),
            "{answer}"
        );
    }
    // The same name and api_base again changes nothing.
    let again: Value = app
        .post_as_master(
            "/model/new",
            &registration("granite-3-2-8b-instruct", &format!("{}/v1", aws.base)),
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(again["created"], false);

    let info: Value = app.get_as_master("/model/info").await.json().await.unwrap();
    let data = info["data"].as_array().unwrap();
    assert_eq!(
        data.len(),
        3,
        "two granite deployments and the configured llama: {info}"
    );
    let granite: Vec<&Value> = data
        .iter()
        .filter(|e| e["model_name"] == "granite-3-2-8b-instruct")
        .collect();
    assert_eq!(granite.len(), 2);
    for entry in &granite {
        assert_eq!(entry["litellm_params"]["model"], "openai/granite");
        assert_eq!(entry["litellm_params"]["rpm"], 120);
        assert_eq!(entry["model_info"]["tpm"], 100000);
        assert_eq!(entry["model_info"]["input_cost_per_token"], 2e-7);
        assert_eq!(entry["model_info"]["max_tokens"], 131072);
        assert_eq!(entry["model_info"]["mode"], "chat");
        assert!(entry["litellm_params"].get("api_key").is_none());
    }
    assert!(!info.to_string().contains("upstream-secret"));
    let v1_info: Value = app
        .get_as_master("/v1/model/info")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(v1_info, info);

    // The master key's /v1/models lists every model, and requests reach both clusters.
    let models: Value = app.get_as_master("/v1/models").await.json().await.unwrap();
    let ids: Vec<&str> = models["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, ["granite-3-2-8b-instruct", "llama"]);
    let chat = json!({"model": "granite-3-2-8b-instruct", "messages": [{"role": "user", "content": "hi"}]});
    for _ in 0..20 {
        assert_eq!(
            app.post_as_master("/v1/chat/completions", &chat)
                .await
                .status(),
            200
        );
    }
    let served = |stats: Value| stats["requests"].as_u64().unwrap();
    assert!(served(aws.stats().await) > 0 && served(gaudi.stats().await) > 0);
    assert_eq!(aws.last_request().await["model"], "granite");

    // Updating a deployment's limits and its model's prices shows in /model/info.
    let id = granite[0]["model_info"]["id"].as_str().unwrap().to_owned();
    let update = json!({"litellm_params": {"rpm": "240", "tpm": null},
                        "model_info": {"input_cost_per_token": 3e-7}});
    let response = app
        .client
        .patch(app.url(&format!("/model/{id}/update")))
        .bearer_auth(harness::MASTER_KEY)
        .json(&update)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let info: Value = app.get_as_master("/model/info").await.json().await.unwrap();
    let updated = info["data"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["model_info"]["id"] == id.as_str())
        .unwrap()
        .clone();
    assert_eq!(updated["litellm_params"]["rpm"], 240);
    assert_eq!(updated["litellm_params"]["tpm"], Value::Null);
    assert_eq!(updated["model_info"]["input_cost_per_token"], 3e-7);
    assert_eq!(
        app.post_as_master("/model/not-a-uuid/update", &update)
            .await
            .status(),
        400
    );

    // Deleting one deployment leaves the other; deleting the last removes the model.
    let first = granite[0]["model_info"]["id"].as_str().unwrap();
    let second = granite[1]["model_info"]["id"].as_str().unwrap();
    assert_eq!(
        app.post_as_master("/model/delete", &json!({"id": first}))
            .await
            .status(),
        200
    );
    assert_eq!(
        app.post_as_master("/v1/chat/completions", &chat)
            .await
            .status(),
        200
    );
    assert_eq!(
        app.post_as_master("/model/delete", &json!({"id": second}))
            .await
            .status(),
        200
    );
    assert_eq!(
        app.post_as_master("/v1/chat/completions", &chat)
            .await
            .status(),
        404
    );

    // Models declared in configuration are changed there, not through the API.
    let llama_id =
        data.iter().find(|e| e["model_name"] == "llama").unwrap()["model_info"]["id"].clone();
    let refused = app
        .post_as_master("/model/delete", &json!({"id": llama_id}))
        .await;
    assert_eq!(refused.status(), 400);
    let body: Value = refused.json().await.unwrap();
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("configuration")
    );
}

#[tokio::test]
async fn registration_errors_name_the_field() {
    let app = TestApp::start().await;
    let response = app
        .post_as_master("/model/new", &json!({"model_name": "x"}))
        .await;
    assert_eq!(response.status(), 400);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["error"]["param"], "litellm_params");
    let bad_base =
        json!({"model_name": "x", "litellm_params": {"model": "openai/x", "api_base": "ftp://h"}});
    let body: Value = app
        .post_as_master("/model/new", &bad_base)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(body["error"]["param"], "api_base");
    assert_eq!(app.post_json("/model/new", &bad_base).await.status(), 401);
    assert_eq!(app.get("/model/info").await.status(), 401);
    let body: Value = app
        .post_as_master("/model/delete", &json!({"id": "nope"}))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(body["error"]["param"], "id");
}

#[tokio::test]
async fn a_base_url_that_would_send_requests_elsewhere_is_refused_by_both_admin_apis() {
    let app = TestApp::start().await;
    for (base, reason) in [
        ("http://vllm:80OO/v1", "port"),
        ("http://vllm:8000/v1?api-version=2", "query"),
        ("http://vllm:8000/v1#chat", "fragment"),
    ] {
        let answer = app
            .post_as_master("/model/new", &registration("granite", base))
            .await;
        assert_eq!(answer.status(), 400, "{base}");
        let body: Value = answer.json().await.unwrap();
        assert_eq!(body["error"]["param"], "api_base", "{base}");
        let message = body["error"]["message"].as_str().unwrap();
        assert!(
            message.starts_with("`litellm_params.api_base` ") && message.contains(reason),
            "{base}: {message}"
        );

        let (_, added) = app
            .graphql_bearer(
                harness::MASTER_KEY,
                "mutation($b: String!) { addDeployment(model: {name: \"granite\"}, \
                 deployment: {cluster: \"x\", apiBase: $b}) { name } }",
                json!({ "b": base }),
            )
            .await;
        let message = added["errors"][0]["message"].as_str().unwrap_or_default();
        assert!(
            message.starts_with("apiBase ") && message.contains(reason),
            "{base}: {added}"
        );
    }
    // Nothing was registered by either.
    let info: Value = app.get_as_master("/model/info").await.json().await.unwrap();
    assert_eq!(info["data"].as_array().map(Vec::len), Some(0), "{info}");
}
