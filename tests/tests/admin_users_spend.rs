//! `/user/*`, `/spend/logs` and `/global/spend`, and spend flowing from requests to keys and
//! users through the ledger.

use harness::gateway::{ModelSpec, config, spend_rows};
use harness::{MockUpstream, TestApp};
use serde_json::{Value, json};

#[tokio::test]
async fn users_keys_and_spend_add_up() {
    let aws = MockUpstream::start("aws", &["granite"], &["--completion-tokens", "4"]).await;
    let toml = config("", &[ModelSpec::new("granite", "granite", &[&aws])]);
    let app = TestApp::builder().config_toml(&toml).start().await;

    let user: Value = app
        .post_as_master(
            "/user/new",
            &json!({"user_id": "ana@example.com", "user_role": "internal_user",
                                             "max_budget": 5, "rpm_limit": "30"}),
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        (user["user_id"].as_str(), user["max_budget"].as_f64()),
        (Some("ana@example.com"), Some(5.0))
    );
    assert!(user.get("key").is_none(), "no key unless auto_create_key");
    let again = app
        .post_as_master("/user/new", &json!({"user_id": "ana@example.com"}))
        .await;
    assert_eq!(again.status(), 400);

    let key: Value = app
        .post_as_master(
            "/key/generate",
            &json!({"user_id": "ana@example.com", "models": ["granite"]}),
        )
        .await
        .json()
        .await
        .unwrap();
    let secret = key["key"].as_str().unwrap();
    let chat =
        json!({"model": "granite", "messages": [{"role": "user", "content": "three word prompt"}]});
    for _ in 0..3 {
        assert_eq!(
            app.post_with_key("/v1/chat/completions", &chat, secret)
                .await
                .status(),
            200
        );
    }
    assert_eq!(
        app.post_as_master("/v1/chat/completions", &chat)
            .await
            .status(),
        200
    );
    // Rows and the key and user spend they add are written in one transaction.
    spend_rows(&app.database().await, 4).await;

    let per_request = 3.0 * 2e-7 + 4.0 * 6e-7;
    let close = |a: f64, b: f64| (a - b).abs() < 1e-12;
    let info: Value = app
        .get_as_master("/user/info?user_id=ana@example.com")
        .await
        .json()
        .await
        .unwrap();
    assert!(
        close(
            info["user_info"]["spend"].as_f64().unwrap(),
            3.0 * per_request
        ),
        "{info}"
    );
    assert_eq!(info["keys"][0]["token"], key["token"]);
    assert!(close(
        info["keys"][0]["spend"].as_f64().unwrap(),
        3.0 * per_request
    ));

    let logs: Value = app
        .get_as_master(&format!(
            "/spend/logs?api_key={}&start_date=2020-01-01&end_date=2099-12-31",
            key["token"].as_str().unwrap()
        ))
        .await
        .json()
        .await
        .unwrap();
    let logs = logs.as_array().unwrap();
    assert_eq!(logs.len(), 3);
    assert_eq!(
        (
            logs[0]["prompt_tokens"].as_i64(),
            logs[0]["total_tokens"].as_i64()
        ),
        (Some(3), Some(7))
    );
    assert_eq!(logs[0]["status"], "success");
    let by_user: Value = app
        .get_as_master("/spend/logs?user_id=ana@example.com")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(by_user.as_array().unwrap().len(), 3);
    let none: Value = app
        .get_as_master("/spend/logs?start_date=2099-01-01")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(none, json!([]));
    assert_eq!(
        app.get_as_master("/spend/logs?start_date=yesterday")
            .await
            .status(),
        400
    );

    let global: Value = app
        .get_as_master("/global/spend")
        .await
        .json()
        .await
        .unwrap();
    assert!(
        close(global["spend"].as_f64().unwrap(), 4.0 * per_request),
        "{global}"
    );

    let updated: Value = app
        .post_as_master(
            "/user/update",
            &json!({"user_id": "ana@example.com", "max_budget": null, "spend": 0}),
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(updated["max_budget"], Value::Null);
    assert_eq!(updated["spend"], 0.0);
    assert_eq!(
        app.get_as_master("/user/info?user_id=nobody")
            .await
            .status(),
        404
    );
    assert_eq!(app.get("/global/spend").await.status(), 401);
}

#[tokio::test]
async fn auto_created_keys_come_with_the_user() {
    let app = TestApp::builder().sqlite().start().await;
    let user: Value = app
        .post_as_master(
            "/user/new",
            &json!({"user_id": "bob", "auto_create_key": true}),
        )
        .await
        .json()
        .await
        .unwrap();
    assert!(user["key"].as_str().unwrap().starts_with("sk-"), "{user}");
    let info: Value = app
        .get_as_master("/user/info?user_id=bob")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(info["keys"][0]["token"], user["token"]);
}
