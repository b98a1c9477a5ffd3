//! Usage analytics from the rollups through GraphQL and the CSV export: mine, everyone's for
//! administrators, split by model, key, user, provider and cluster, against the previous
//! period; how many users and keys were active.

#![allow(clippy::unwrap_used)]

use std::time::Duration;

use chrono::{DurationRound, TimeDelta, Utc};
use harness::gateway::{ModelSpec, config};
use harness::{MockUpstream, TestApp, TestUser};
use sea_orm::{ConnectionTrait, DbBackend, Statement, Value as SqlValue};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

const REPORT: &str = "query($i: UsageInput!, $g: UsageGroupBy!) { usage(input: $i) {
  totals { requests promptTokens completionTokens spend errorRate latencyP50Ms }
  previousTotals { requests }
  change { requests spend }
  series(groupBy: $g, granularity: HOUR) { group label totals { requests } points { start requests } } } }";

fn code(body: &Value) -> &str {
    body["errors"][0]["extensions"]["code"]
        .as_str()
        .unwrap_or("")
}

async fn chats(app: &TestApp, key: &str, n: usize) {
    chats_with(app, key, "granite", n).await;
}

async fn chats_with(app: &TestApp, key: &str, model: &str, n: usize) {
    let body = json!({"model": model, "messages": [{"role": "user", "content": "hello there"}]});
    for _ in 0..n {
        let response = app.post_with_key("/v1/chat/completions", &body, key).await;
        assert_eq!(response.status(), 200);
    }
}

fn period() -> Value {
    let now = Utc::now();
    json!({"from": (now - TimeDelta::days(1)).to_rfc3339(), "to": (now + TimeDelta::hours(1)).to_rfc3339()})
}

/// Waits until the ledger has written `requests` requests of `user`'s.
async fn settled(user: &TestUser, requests: i64) -> Value {
    for _ in 0..50 {
        let report = user
            .graphql(REPORT, json!({"i": period(), "g": "MODEL"}))
            .await;
        if report["data"]["usage"]["totals"]["requests"] == requests {
            return report;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("usage never reached {requests} requests");
}

#[tokio::test]
async fn usage_reports_are_scoped_split_and_compared() {
    let mock = MockUpstream::start("aws", &["granite"], &[]).await;
    let app = TestApp::builder()
        .config_toml(&config(
            "",
            &[ModelSpec::new("granite", "granite", &[&mock])],
        ))
        .start()
        .await;
    let ana = app.sign_in_as("ana@example.com", &["user"]).await;
    let bob = app.sign_in_as("bob@example.com", &["user"]).await;
    let admin = app.sign_in_as("root@example.com", &["admin", "user"]).await;
    let ana_key = ana.key_for("granite", "notebook").await;
    let bob_key = bob.key_for("granite", "bobs").await;
    chats(&app, &ana_key, 3).await;
    chats(&app, &bob_key, 2).await;

    // An earlier period for Ana, written straight into the rollups as the ledger writes it:
    // once in its hour and once in its day (whole days are read from the daily rows).
    let hash: String = Sha256::digest(ana_key.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    for (span, unit) in [("hour", "hour"), ("day", "day")] {
        app.database()
            .await
            .execute(Statement::from_sql_and_values(
                DbBackend::Postgres,
                format!(
                    "INSERT INTO usage_rollups (span, hour, key_hash, model_name, user_id,
                       requests, errors, prompt_tokens, completion_tokens, cost_nanos,
                       duration_ms_sum, latency_le_50)
                     VALUES ('{span}', date_trunc('{unit}', now() - interval '36 hours'), $1,
                       'granite', $2::uuid, 6, 0, 60, 60, 1000, 60, 6)"
                ),
                [SqlValue::from(hash.clone()), SqlValue::from(ana.id.clone())],
            ))
            .await
            .unwrap();
    }

    let mine = settled(&ana, 3).await;
    let usage = &mine["data"]["usage"];
    assert_eq!(usage["totals"]["errorRate"], 0.0);
    assert!(usage["totals"]["spend"].as_f64().unwrap() > 0.0);
    assert!(usage["totals"]["promptTokens"].as_i64().unwrap() > 0);
    assert!(usage["totals"]["latencyP50Ms"].is_number(), "{usage}");
    assert_eq!(usage["previousTotals"]["requests"], 6);
    assert_eq!(usage["change"]["requests"], -0.5, "3 now against 6 before");
    let series = usage["series"].as_array().unwrap();
    assert_eq!(series.len(), 1);
    assert_eq!(series[0]["group"], "granite");
    assert_eq!(series[0]["totals"]["requests"], 3);

    // Whole days are read from the daily rows; they agree with the hours.
    let midnight = Utc::now().duration_trunc(TimeDelta::days(1)).unwrap();
    let days = json!({"from": (midnight - TimeDelta::days(1)).to_rfc3339(),
                      "to": (midnight + TimeDelta::days(1)).to_rfc3339()});
    let daily = ana
        .graphql(
            "query($i: UsageInput!) { usage(input: $i) { totals { requests }
               series(granularity: HOUR) { totals { requests } } } }",
            json!({ "i": days }),
        )
        .await;
    let from_days = daily["data"]["usage"]["totals"]["requests"]
        .as_i64()
        .unwrap();
    let from_hours = daily["data"]["usage"]["series"][0]["totals"]["requests"]
        .as_i64()
        .unwrap();
    assert_eq!(from_days, from_hours, "{daily}");
    assert!(from_days >= 3);

    // By key: the key's id and the name its owner gave it.
    let by_key = ana
        .graphql(REPORT, json!({"i": period(), "g": "KEY"}))
        .await;
    assert_eq!(by_key["data"]["usage"]["series"][0]["label"], "notebook");

    // Scope: my own usage only, unless an administrator asks.
    let mut everyone = period();
    everyone["allUsers"] = json!(true);
    assert_eq!(
        code(
            &ana.graphql(REPORT, json!({"i": everyone, "g": "NONE"}))
                .await
        ),
        "FORBIDDEN"
    );
    let mut bobs = period();
    bobs["userId"] = json!(bob.id);
    assert_eq!(
        code(&ana.graphql(REPORT, json!({"i": bobs, "g": "NONE"})).await),
        "FORBIDDEN"
    );
    for _ in 0..50 {
        let all = admin
            .graphql(REPORT, json!({"i": everyone, "g": "USER"}))
            .await;
        if all["data"]["usage"]["totals"]["requests"] == 5 {
            let labels: Vec<&str> = all["data"]["usage"]["series"]
                .as_array()
                .unwrap()
                .iter()
                .map(|s| s["label"].as_str().unwrap())
                .collect();
            assert_eq!(
                labels,
                ["ana@example.com", "bob@example.com"],
                "biggest spender first"
            );
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let only_bob = admin.graphql(REPORT, json!({"i": bobs, "g": "NONE"})).await;
    assert_eq!(only_bob["data"]["usage"]["totals"]["requests"], 2);
    // Split by provider: the catalog's provider of each model.
    let provider = app
        .graphql("{ model(name: \"granite\") { provider } }")
        .await["data"]["model"]["provider"]
        .clone();
    let by_provider = admin
        .graphql(REPORT, json!({"i": everyone, "g": "PROVIDER"}))
        .await;
    let series = &by_provider["data"]["usage"]["series"];
    assert_eq!(series.as_array().unwrap().len(), 1, "{by_provider}");
    assert_eq!(series[0]["group"], provider);
    assert_eq!(series[0]["totals"]["requests"], 5);
    // Split by cluster: the cluster of the deployment that served.
    let by_cluster = admin
        .graphql(REPORT, json!({"i": everyone, "g": "CLUSTER"}))
        .await;
    let series = &by_cluster["data"]["usage"]["series"];
    assert_eq!(series.as_array().unwrap().len(), 1, "{by_cluster}");
    assert_eq!(series[0]["group"], "aws");
    assert_eq!(series[0]["label"], "aws");
    assert_eq!(series[0]["totals"]["requests"], 5);
    let backwards = ana
        .graphql(REPORT, json!({"i": {"from": Utc::now().to_rfc3339(), "to": (Utc::now() - TimeDelta::days(1)).to_rfc3339()}, "g": "NONE"}))
        .await;
    assert_eq!(code(&backwards), "BAD_USER_INPUT");

    // The CSV export: same filters, same authorization.
    let now = Utc::now();
    let query = format!(
        "/usage.csv?from={}&to={}&group_by=model&granularity=day",
        (now - TimeDelta::days(1)).format("%Y-%m-%dT%H:%M:%SZ"),
        (now + TimeDelta::hours(1)).format("%Y-%m-%dT%H:%M:%SZ")
    );
    let csv = ana
        .browser
        .client
        .get(app.url(&query))
        .send()
        .await
        .unwrap();
    assert_eq!(csv.status(), 200);
    assert_eq!(csv.headers()["content-type"], "text/csv; charset=utf-8");
    let text = csv.text().await.unwrap();
    let mut lines = text.lines();
    assert!(
        lines
            .next()
            .unwrap()
            .starts_with("start,group,label,requests")
    );
    let row: Vec<&str> = lines.next().unwrap().split(',').collect();
    assert_eq!((row[1], row[3]), ("granite", "3"), "{text}");
    assert_eq!(app.get(&query).await.status(), 401, "anonymous");
    let all = ana
        .browser
        .client
        .get(app.url(&format!("{query}&all_users=true")))
        .send()
        .await
        .unwrap();
    assert_eq!(all.status(), 403);
    // `top` keeps the biggest spenders only, as the report shows them.
    let everyone = format!("{query}&all_users=true").replace("group_by=model", "group_by=user");
    let groups = |text: &str| {
        text.lines()
            .skip(1)
            .filter_map(|line| line.split(',').nth(1).map(str::to_owned))
            .collect::<std::collections::BTreeSet<_>>()
    };
    let csv_as_admin = |path: String| {
        let client = admin.browser.client.clone();
        let url = app.url(&path);
        async move { client.get(url).send().await.unwrap() }
    };
    let all_users = csv_as_admin(everyone.clone()).await.text().await.unwrap();
    assert!(groups(&all_users).len() >= 2, "{all_users}");
    let top_one = csv_as_admin(format!("{everyone}&top=1"))
        .await
        .text()
        .await
        .unwrap();
    assert_eq!(groups(&top_one).len(), 1, "{top_one}");
    let clusters = csv_as_admin(everyone.replace("group_by=user", "group_by=cluster"))
        .await
        .text()
        .await
        .unwrap();
    assert_eq!(
        groups(&clusters).into_iter().collect::<Vec<_>>(),
        ["aws"],
        "{clusters}"
    );
    assert_eq!(
        csv_as_admin(format!("{everyone}&top=0")).await.status(),
        400
    );
    let colour = query.replace("group_by=model", "group_by=colour");
    let bad = ana
        .browser
        .client
        .get(app.url(&colour))
        .send()
        .await
        .unwrap();
    assert_eq!(bad.status(), 400);
    let body: Value = bad.json().await.unwrap();
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("group_by"),
        "{body}"
    );
}

#[tokio::test]
async fn reports_count_active_users_and_keys() {
    let aws = MockUpstream::start("aws", &["granite"], &[]).await;
    let ibm = MockUpstream::start("ibm", &["llama"], &[]).await;
    let app = TestApp::builder()
        .config_toml(&config(
            "",
            &[
                ModelSpec::new("granite", "granite", &[&aws]),
                ModelSpec::new("llama", "llama", &[&ibm]),
            ],
        ))
        .start()
        .await;
    let ana = app.sign_in_as("ana@example.com", &["user"]).await;
    let bob = app.sign_in_as("bob@example.com", &["user"]).await;
    let admin = app.sign_in_as("root@example.com", &["admin", "user"]).await;
    let (notebook, laptop) = (
        ana.key_for("granite", "notebook").await,
        ana.key_for("llama", "laptop").await,
    );
    let bobs = bob.key_for("granite", "bobs").await;
    chats_with(&app, &notebook, "granite", 2).await;
    chats_with(&app, &laptop, "llama", 1).await;
    chats_with(&app, &bobs, "granite", 1).await;

    const ACTIVE: &str = "query($i: UsageInput!) { usage(input: $i) {
      totals { requests } activeUsers activeKeys } }";
    let mut everyone = period();
    everyone["allUsers"] = json!(true);
    let mut report = Value::Null;
    for _ in 0..50 {
        report = admin.graphql(ACTIVE, json!({ "i": everyone })).await;
        if report["data"]["usage"]["totals"]["requests"] == 4 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let usage = &report["data"]["usage"];
    assert_eq!(usage["totals"]["requests"], 4, "{report}");
    assert_eq!(
        (&usage["activeUsers"], &usage["activeKeys"]),
        (&json!(2), &json!(3))
    );
    // Ana's own: one user, her two keys; whole days read the daily rows, which agree.
    let mine = ana.graphql(ACTIVE, json!({ "i": period() })).await;
    assert_eq!(mine["data"]["usage"]["activeUsers"], 1, "{mine}");
    assert_eq!(mine["data"]["usage"]["activeKeys"], 2);
    let midnight = Utc::now().duration_trunc(TimeDelta::days(1)).unwrap();
    let today = json!({"from": midnight.to_rfc3339(),
                       "to": (midnight + TimeDelta::days(1)).to_rfc3339(), "allUsers": true});
    let daily = admin.graphql(ACTIVE, json!({ "i": today })).await;
    assert_eq!(daily["data"]["usage"]["activeKeys"], 3, "{daily}");
}
