//! Virtual keys through the LiteLLM-compatible admin API, replaying what the provisioning
//! collection does, and their enforcement on `/v1` (401 for unknown, expired and blocked keys,
//! 403 for a model the key does not list), and key `models` with LiteLLM's meaning: names as
//! given, `"*"`, `"prefix/*"` patterns and access groups.

use std::time::Duration;

use chrono::{DateTime, Utc};
use harness::gateway::{ModelSpec, config, spend_rows};
use harness::{MockUpstream, TestApp};
use serde_json::{Value, json};

const CHAT: &str = "/v1/chat/completions";

async fn app_with_models() -> (TestApp, MockUpstream) {
    let aws = MockUpstream::start("aws", &["granite", "llama"], &[]).await;
    let toml = config(
        "",
        &[
            ModelSpec::new("granite", "granite", &[&aws]),
            ModelSpec::new("llama", "llama", &[&aws]),
        ],
    );
    (TestApp::builder().config_toml(&toml).start().await, aws)
}

async fn chat_with(app: &TestApp, key: &str, model: &str) -> (u16, Value) {
    let body = json!({"model": model, "messages": [{"role": "user", "content": "hi"}]});
    let response = app.post_with_key(CHAT, &body, key).await;
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

async fn generate(app: &TestApp, body: Value) -> (u16, Value) {
    let response = app.post_as_master("/key/generate", &body).await;
    (response.status().as_u16(), response.json().await.unwrap())
}

fn expires(key: &Value) -> DateTime<Utc> {
    let text = key["expires"].as_str().unwrap();
    assert!(text.ends_with('Z'), "{text}");
    DateTime::parse_from_rfc3339(text)
        .unwrap()
        .with_timezone(&Utc)
}

#[tokio::test]
async fn a_workshop_key_is_generated_used_extended_and_deleted() {
    let (app, _aws) = app_with_models().await;
    let (status, key) = generate(
        &app,
        json!({
            "models": ["granite"], "duration": "30d", "user_id": "ana@example.com",
            "key_alias": "workshop-ana", "metadata": {"lab": "2"}, "max_budget": "10"
        }),
    )
    .await;
    assert_eq!(status, 200, "{key}");
    let secret = key["key"].as_str().unwrap().to_owned();
    let token = key["token"].as_str().unwrap().to_owned();
    assert!(secret.starts_with("sk-") && secret.len() >= 35);
    assert_eq!(token.len(), 64);
    assert_eq!(
        key["key_name"],
        format!("sk-...{}", &secret[secret.len() - 4..])
    );
    assert_eq!(
        (key["user_id"].as_str(), key["models"].clone()),
        (Some("ana@example.com"), json!(["granite"]))
    );
    assert_eq!(key["max_budget"], 10.0);
    assert_eq!(key["metadata"], json!({"lab": "2"}));
    let days = (expires(&key) - Utc::now()).num_hours();
    assert!((719..=720).contains(&days), "{days}");

    // The key works for its model only, and lists only it.
    assert_eq!(chat_with(&app, &secret, "granite").await.0, 200);
    let (status, body) = chat_with(&app, &secret, "llama").await;
    assert_eq!(status, 403);
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("`llama`")
    );
    let models: Value = app
        .get_with_key("/v1/models", &secret)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(models["data"].as_array().unwrap().len(), 1);

    // The first use read the database; later ones came from the key cache.
    let metrics = app.metrics_text().await;
    let counter = |name: &str| -> f64 {
        let line = metrics
            .lines()
            .find(|l| l.starts_with(name))
            .unwrap_or_else(|| panic!("{name}"));
        line.rsplit(' ').next().unwrap().parse().unwrap()
    };
    assert!(counter("switchyard_key_cache_misses_total") >= 1.0);
    assert!(
        counter("switchyard_key_cache_hits_total") >= 2.0,
        "{metrics}"
    );

    // What the collection does next: list, look up, extend, delete by alias.
    let list: Value = app.get_as_master("/key/list").await.json().await.unwrap();
    assert_eq!(list["keys"], json!([token]));
    assert_eq!(list["total_count"], 1);
    let info: Value = app
        .get_as_master(&format!("/key/info?key={token}"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        (info["key"].as_str(), info["info"]["key_alias"].as_str()),
        (Some(token.as_str()), Some("workshop-ana"))
    );
    let extended: Value = app
        .post_as_master("/key/update", &json!({"key": token, "duration": "168h"}))
        .await
        .json()
        .await
        .unwrap();
    let hours = (expires(&extended) - Utc::now()).num_hours();
    assert!((167..=168).contains(&hours), "{hours}");
    let deleted: Value = app
        .post_as_master("/key/delete", &json!({"key_aliases": ["workshop-ana"]}))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(deleted["deleted_keys"], json!([token]));
    assert_eq!(chat_with(&app, &secret, "granite").await.0, 401);

    // The request made with the key was accounted to it.
    let rows = spend_rows(&app.database().await, 1).await;
    assert_eq!(rows.len(), 1);
}

#[tokio::test]
async fn a_multi_user_lab_gets_one_key_per_user_and_list_returns_them_all() {
    let (app, _aws) = app_with_models().await;
    let mut tokens = Vec::new();
    for n in 1..=12 {
        let (status, key) = generate(
            &app,
            json!({
                "models": [], "user_id": format!("user{n}"), "key_alias": format!("lab-user{n}"),
                "metadata": {"user": n.to_string()}, "rpm_limit": "60"
            }),
        )
        .await;
        assert_eq!(status, 200, "{key}");
        assert_eq!(key["rpm_limit"], 60);
        assert_eq!(key["expires"], Value::Null);
        tokens.push(key["token"].as_str().unwrap().to_owned());
    }
    // More than LiteLLM's page of 10, and all of them without paging.
    let list: Value = app.get_as_master("/key/list").await.json().await.unwrap();
    assert_eq!(list["keys"].as_array().unwrap().len(), 12);
    let page: Value = app
        .get_as_master("/key/list?page=2&size=5&return_full_object=true")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(page["keys"].as_array().unwrap().len(), 5);
    assert_eq!(page["total_pages"], 3);
    assert_eq!(page["keys"][0]["key_alias"], "lab-user6");
    let mine: Value = app
        .get_as_master("/key/list?user_id=user3")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(mine["keys"], json!([tokens[2]]));
    // An empty model list from the admin API reaches every model.
    let info: Value = app
        .get_as_master(&format!("/key/info?key={}", tokens[0]))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(info["info"]["models"], json!([]));
    let deleted: Value = app
        .post_as_master("/key/delete", &json!({"keys": tokens}))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(deleted["deleted_keys"].as_array().unwrap().len(), 12);
}

#[tokio::test]
async fn bad_generate_requests_are_explained() {
    let (app, _aws) = app_with_models().await;
    assert_eq!(generate(&app, json!({"key_alias": "dup"})).await.0, 200);
    let (status, body) = generate(&app, json!({"key_alias": "dup"})).await;
    assert_eq!(status, 400);
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .to_lowercase()
            .contains("already exists")
    );
    assert_eq!(body["error"]["param"], "key_alias");
    assert_eq!(body["error"]["code"], "400");

    // Model names are not validated (LiteLLM stores them as given); a wrong type is.
    let (status, body) = generate(&app, json!({"models": ["granite", 17]})).await;
    assert_eq!(status, 400);
    assert_eq!(body["error"]["param"], "models", "{body}");

    let (status, body) = generate(&app, json!({"duration": "forever"})).await;
    assert_eq!(status, 400);
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("expected a number and a unit")
    );
    assert_eq!(generate(&app, json!({"max_budget": "lots"})).await.0, 400);

    // Only the master key manages keys.
    assert_eq!(
        app.post_json("/key/generate", &json!({})).await.status(),
        401
    );
    let (_, key) = generate(&app, json!({})).await;
    let secret = key["key"].as_str().unwrap();
    assert_eq!(
        app.post_with_key("/key/generate", &json!({}), secret)
            .await
            .status(),
        403
    );
}

#[tokio::test]
async fn blocked_expired_and_regenerated_keys() {
    let (app, _aws) = app_with_models().await;
    let (_, key) = generate(&app, json!({"models": ["granite"]})).await;
    let secret = key["key"].as_str().unwrap().to_owned();
    let token = key["token"].as_str().unwrap().to_owned();

    let blocked: Value = app
        .post_as_master("/key/block", &json!({"key": secret}))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(blocked["blocked"], true);
    let (status, body) = chat_with(&app, &secret, "granite").await;
    assert_eq!(status, 401);
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("blocked")
    );
    app.post_as_master("/key/unblock", &json!({"key": token}))
        .await;
    assert_eq!(chat_with(&app, &secret, "granite").await.0, 200);

    // Its own info, without naming it.
    let own: Value = app
        .get_with_key("/key/info", &secret)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(own["info"]["token"], token);
    assert_eq!(app.get_as_master("/key/info").await.status(), 400);
    assert_eq!(
        app.get_as_master("/key/info?key=sk-unknown").await.status(),
        404
    );

    let renewed: Value = app
        .post_as_master("/key/regenerate", &json!({"key": token}))
        .await
        .json()
        .await
        .unwrap();
    let new_secret = renewed["key"].as_str().unwrap();
    assert_ne!(new_secret, secret);
    assert_eq!(renewed["models"], json!(["granite"]));
    assert_eq!(chat_with(&app, &secret, "granite").await.0, 401);
    assert_eq!(chat_with(&app, new_secret, "granite").await.0, 200);

    let (_, short) = generate(&app, json!({"duration": "1s"})).await;
    let short = short["key"].as_str().unwrap().to_owned();
    tokio::time::sleep(Duration::from_millis(1_500)).await;
    let (status, body) = chat_with(&app, &short, "granite").await;
    assert_eq!(status, 401);
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("expired"),
        "{body}"
    );
    assert_eq!(
        chat_with(&app, "sk-never-issued-0000000000000000000000", "granite")
            .await
            .0,
        401
    );
}

/// The ids `/v1/models` lists for `key`, sorted.
async fn listed(app: &TestApp, key: &str) -> Vec<String> {
    let body: Value = app
        .get_with_key("/v1/models", key)
        .await
        .json()
        .await
        .unwrap();
    let mut ids: Vec<String> = body["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["id"].as_str().unwrap().to_owned())
        .collect();
    ids.sort();
    ids
}

/// Registers `name` on `mock` through `/model/new` in `groups`; returns its deployment id.
async fn register(app: &TestApp, mock: &MockUpstream, name: &str, groups: &[&str]) -> String {
    let body = json!({
        "model_name": name,
        "litellm_params": {"model": "openai/granite", "api_base": format!("{}/v1", mock.base)},
        "model_info": {"access_groups": groups, "mode": "chat"}
    });
    let answer: Value = app
        .post_as_master("/model/new", &body)
        .await
        .json()
        .await
        .unwrap();
    answer["model_info"]["id"]
        .as_str()
        .expect("an id")
        .to_owned()
}

/// Generates a key for `models` and returns its secret, checking they are stored as given.
async fn key_for(app: &TestApp, models: Value) -> String {
    let (status, key) = generate(app, json!({ "models": models })).await;
    assert_eq!(status, 200, "{key}");
    assert_eq!(key["models"], models, "stored as given");
    key["key"].as_str().unwrap().to_owned()
}

#[tokio::test]
async fn key_models_mean_what_they_mean_in_litellm() {
    let (app, aws) = app_with_models().await;
    let all = ["granite", "llama"].map(String::from).to_vec();

    // The provisioning role's default: a name no model has yet is accepted and stored.
    let role_default = "openai/granite-3-2-8b-instruct";
    let future = key_for(&app, json!([role_default])).await;
    assert!(listed(&app, &future).await.is_empty());
    assert_eq!(chat_with(&app, &future, "granite").await.0, 403);
    // ...and takes effect when such a model appears.
    register(&app, &aws, role_default, &[]).await;
    assert_eq!(listed(&app, &future).await, vec![role_default.to_owned()]);
    assert_eq!(chat_with(&app, &future, role_default).await.0, 200);
    assert_eq!(chat_with(&app, &future, "granite").await.0, 403);

    // "*" and "all-proxy-models" reach every model, including ones added later.
    let star = key_for(&app, json!(["*"])).await;
    let every = key_for(&app, json!(["all-proxy-models"])).await;
    let mut now_all = all.clone();
    now_all.insert(2, role_default.to_owned());
    assert_eq!(listed(&app, &star).await, now_all);
    assert_eq!(listed(&app, &every).await, now_all);
    register(&app, &aws, "team-model", &["team-a"]).await;
    now_all.push("team-model".to_owned());
    assert_eq!(listed(&app, &star).await, now_all);
    assert_eq!(chat_with(&app, &every, "team-model").await.0, 200);

    // Patterns match whole names by prefix (or with `*` anywhere).
    let openai = key_for(&app, json!(["openai/*"])).await;
    assert_eq!(listed(&app, &openai).await, vec![role_default.to_owned()]);
    assert_eq!(chat_with(&app, &openai, "granite").await.0, 403);
    let gran = key_for(&app, json!(["gran*", "llama"])).await;
    assert_eq!(listed(&app, &gran).await, all);

    // An access group reaches its models, and follows them when the group changes.
    let team = key_for(&app, json!(["team-a"])).await;
    assert_eq!(listed(&app, &team).await, vec!["team-model".to_owned()]);
    assert_eq!(chat_with(&app, &team, "team-model").await.0, 200);
    assert_eq!(chat_with(&app, &team, "llama").await.0, 403);
    let info: Value = app.get_as_master("/model/info").await.json().await.unwrap();
    let deployment = info["data"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["model_name"] == "team-model")
        .expect("registered");
    assert_eq!(deployment["model_info"]["access_groups"], json!(["team-a"]));
    let id = deployment["model_info"]["id"].as_str().unwrap();
    let moved = app
        .post_as_master(
            &format!("/model/{id}/update"),
            &json!({"model_info": {"access_groups": ["team-b"]}}),
        )
        .await;
    assert_eq!(moved.status(), 200);
    assert!(listed(&app, &team).await.is_empty());
    assert_eq!(chat_with(&app, &team, "team-model").await.0, 403);

    // /key/update and /key/regenerate take any names too.
    let updated: Value = app
        .post_as_master(
            "/key/update",
            &json!({"key": team, "models": ["llama", "not-yet-served"]}),
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(updated["models"], json!(["llama", "not-yet-served"]));
    assert_eq!(listed(&app, &team).await, vec!["llama".to_owned()]);
    let renewed: Value = app
        .post_as_master("/key/regenerate", &json!({"key": team, "models": ["*"]}))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(renewed["models"], json!(["*"]), "{renewed}");
    let renewed = renewed["key"].as_str().unwrap();
    assert_eq!(listed(&app, renewed).await, now_all);
    assert_eq!(
        chat_with(&app, &team, "llama").await.0,
        401,
        "the old secret is gone"
    );

    // An empty list still means every model, and an update back to a name narrows it.
    let empty = key_for(&app, json!([])).await;
    assert_eq!(listed(&app, &empty).await, now_all);
    app.post_as_master("/key/update", &json!({"key": empty, "models": ["llama"]}))
        .await;
    assert_eq!(listed(&app, &empty).await, vec!["llama".to_owned()]);
}
