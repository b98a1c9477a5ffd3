//! Data lifecycle through the real binary on PostgreSQL (the embedded SQLite is covered by
//! `schema/tests/retention.rs`): spend rows past the retention period are deleted by the background pruner while usage reports
//! over the same old period return the same totals (they read the rollups, which stay);
//! recent rows, audit entries and sessions stay; old audit entries and long-expired sessions
//! go.

#![allow(clippy::unwrap_used)]

use std::time::Duration;

use chrono::{DurationRound, TimeDelta, Utc};
use entity::{audit_log, cluster_rollup, session, spend_log, usage_rollup};
use harness::gateway::{ModelSpec, config};
use harness::{MockUpstream, TestApp, TestUser};
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, PaginatorTrait, QueryFilter};
use serde_json::{Value, json};

/// How far back the test moves what the first requests wrote: past the 30-day period.
const AGE_DAYS: i64 = 100;

const REPORT: &str = "query($i: UsageInput!) { usage(input: $i) {
  totals { requests promptTokens completionTokens spend } } }";

async fn start(mock: &MockUpstream) -> TestApp {
    let retention = "[retention]\ninterval_seconds = 1\nspend_logs_days = 30\n\
                     audit_log_days = 30\nexpired_credentials_days = 7\n";
    TestApp::builder()
        .config_toml(&config(
            retention,
            &[ModelSpec::new("granite", "granite", &[mock])],
        ))
        .start()
        .await
}

async fn chat(app: &TestApp, key: &str) {
    let body = json!({"model": "granite", "messages": [{"role": "user", "content": "hello"}]});
    let reply = app.post_with_key("/v1/chat/completions", &body, key).await;
    assert_eq!(reply.status(), 200);
}

async fn spend_rows(db: &DatabaseConnection) -> u64 {
    spend_log::Entity::find().count(db).await.unwrap()
}

async fn eventually(what: &str, mut check: impl AsyncFnMut() -> bool) {
    for _ in 0..100 {
        if check().await {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("{what} never happened");
}

/// Everyone's usage over the whole days `AGE_DAYS` ago.
async fn old_totals(admin: &TestUser) -> Value {
    let day = Utc::now().duration_trunc(TimeDelta::days(1)).unwrap() - TimeDelta::days(AGE_DAYS);
    let input = json!({"from": (day - TimeDelta::days(1)).to_rfc3339(),
        "to": (day + TimeDelta::days(2)).to_rfc3339(), "allUsers": true});
    let report = admin.graphql(REPORT, json!({ "i": input })).await;
    report["data"]["usage"]["totals"].clone()
}

#[tokio::test]
async fn old_data_goes_and_reports_keep_their_totals() {
    let mock = MockUpstream::start("aws", &["granite"], &[]).await;
    let app = start(&mock).await;
    let db = app.database().await;
    let ana = app.sign_in_as("ana@example.com", &["user"]).await;
    let admin = app.sign_in_as("root@example.com", &["admin"]).await;
    let key = ana.key_for("granite", "notebook").await;
    for _ in 0..3 {
        chat(&app, &key).await;
    }
    eventually("three spend rows", async || spend_rows(&db).await == 3).await;

    // What those requests wrote becomes 100 days old: first the rollups, then a report over
    // their day, then the spend rows and the audit entries.
    let age = TimeDelta::days(AGE_DAYS);
    for row in usage_rollup::Entity::find().all(&db).await.unwrap() {
        usage_rollup::Entity::update_many()
            .col_expr(usage_rollup::Column::Hour, Expr::value(row.hour - age))
            .filter(usage_rollup::Column::Id.eq(row.id))
            .exec(&db)
            .await
            .unwrap();
    }
    for row in cluster_rollup::Entity::find().all(&db).await.unwrap() {
        cluster_rollup::Entity::update_many()
            .col_expr(cluster_rollup::Column::Hour, Expr::value(row.hour - age))
            .filter(cluster_rollup::Column::Id.eq(row.id))
            .exec(&db)
            .await
            .unwrap();
    }
    let before = old_totals(&admin).await;
    assert_eq!(before["requests"], 3, "{before}");
    let audit_before = audit_log::Entity::find().count(&db).await.unwrap();
    assert!(audit_before > 0);
    for row in spend_log::Entity::find().all(&db).await.unwrap() {
        spend_log::Entity::update_many()
            .col_expr(
                spend_log::Column::StartedAt,
                Expr::value(row.started_at - age),
            )
            .filter(spend_log::Column::Id.eq(row.id))
            .exec(&db)
            .await
            .unwrap();
    }
    for row in audit_log::Entity::find().all(&db).await.unwrap() {
        audit_log::Entity::update_many()
            .col_expr(
                audit_log::Column::CreatedAt,
                Expr::value(row.created_at - age),
            )
            .filter(audit_log::Column::Id.eq(row.id))
            .exec(&db)
            .await
            .unwrap();
    }
    // A session that expired a month ago (Ana's own, copied).
    let mut expired: session::ActiveModel = session::Entity::find()
        .one(&db)
        .await
        .unwrap()
        .unwrap()
        .into();
    expired.id_hash = sea_orm::Set("expired-a-month-ago".into());
    expired.expires_at = sea_orm::Set(Utc::now() - TimeDelta::days(30));
    sea_orm::ActiveModelTrait::insert(expired, &db)
        .await
        .unwrap();
    let sessions = session::Entity::find().count(&db).await.unwrap();

    // A request now: recent, kept.
    chat(&app, &key).await;

    eventually("the old spend rows deleted", async || {
        spend_log::Entity::find()
            .filter(spend_log::Column::StartedAt.lt(Utc::now() - TimeDelta::days(30)))
            .count(&db)
            .await
            .unwrap()
            == 0
    })
    .await;
    eventually("the recent spend row written", async || {
        spend_rows(&db).await == 1
    })
    .await;
    eventually("the old audit entries deleted", async || {
        audit_log::Entity::find()
            .filter(audit_log::Column::CreatedAt.lt(Utc::now() - TimeDelta::days(30)))
            .count(&db)
            .await
            .unwrap()
            == 0
    })
    .await;
    eventually("the expired session deleted", async || {
        session::Entity::find().count(&db).await.unwrap() == sessions - 1
    })
    .await;

    // The report over the old period is unchanged; the signed-in people still are.
    assert_eq!(old_totals(&admin).await, before);
    let me = ana.graphql("{ me { name } }", json!({})).await;
    assert!(me["data"]["me"]["name"].is_string(), "{me}");
    assert!(
        app.logs()
            .contains("deleted data past its retention period"),
        "{}",
        app.logs()
    );
}
