//! Data lifecycle through the real binary on PostgreSQL (the embedded SQLite is covered by
//! `schema/tests/retention.rs`): spend rows past the retention period are deleted by the
//! background pruner (a whole old month dropped as its partition) while usage reports
//! over the same old period return the same totals (they read the rollups, which stay);
//! recent rows, audit entries and sessions stay; old audit entries and long-expired sessions
//! go.

#![allow(clippy::unwrap_used)]

use std::time::Duration;

use chrono::Datelike;
use chrono::{DurationRound, TimeDelta, Utc};
use entity::{audit_log, cluster_rollup, session, spend_request, usage_rollup};
use harness::gateway::{ModelSpec, config};
use harness::{MockUpstream, TestApp, TestUser};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseConnection, DbBackend, EntityTrait, PaginatorTrait,
    QueryFilter, Statement, TransactionTrait,
};
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
    spend_request::Entity::find().count(db).await.unwrap()
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

    // The spend log is partitioned by month here: the server made this month and the next
    // two. A month the server ran through long ago has its own table too (made here by hand,
    // as the server would have then), so the aged rows land in it and it goes as a whole.
    let now = Utc::now();
    let month = |at: chrono::DateTime<Utc>| format!("spend_requests_p{}", at.format("%Y_%m"));
    let partitions = async || -> Vec<String> {
        let rows = db
            .query_all(Statement::from_string(
                DbBackend::Postgres,
                "SELECT c.relname AS name FROM pg_inherits i JOIN pg_class c \
                 ON c.oid = i.inhrelid WHERE i.inhparent = 'spend_requests'::regclass ORDER BY 1",
            ))
            .await
            .unwrap();
        rows.iter()
            .map(|r| r.try_get("", "name").unwrap())
            .collect()
    };
    let made = partitions().await;
    let first = now.with_day(1).unwrap();
    for ahead in 0..=2 {
        let table = month(first + chrono::Months::new(ahead));
        assert!(made.contains(&table), "{table} not in {made:?}");
    }
    assert!(
        made.contains(&"spend_requests_default".to_owned()),
        "{made:?}"
    );
    let aged = now - TimeDelta::days(AGE_DAYS);
    // The partition bounds are the months' first instants in microseconds, as the server's.
    let first_of = |at: chrono::DateTime<Utc>| {
        at.with_day(1)
            .unwrap()
            .duration_trunc(TimeDelta::days(1))
            .unwrap()
    };
    let (from, until) = (
        first_of(aged).timestamp_micros(),
        (first_of(aged) + chrono::Months::new(1)).timestamp_micros(),
    );

    let audit_before = audit_log::Entity::find().count(&db).await.unwrap();
    assert!(audit_before > 0);
    // One transaction, so the pruner never sees the old month's table empty.
    let txn = db.begin().await.unwrap();
    txn.execute_unprepared(&format!(
        "CREATE TABLE {} PARTITION OF spend_requests FOR VALUES FROM ({from}) TO ({until})",
        month(aged)
    ))
    .await
    .unwrap();
    for row in spend_request::Entity::find().all(&txn).await.unwrap() {
        spend_request::Entity::update_many()
            .col_expr(
                spend_request::Column::StartedUs,
                Expr::value(row.started_us - age.num_microseconds().unwrap()),
            )
            .filter(spend_request::Column::RequestId.eq(row.request_id))
            .exec(&txn)
            .await
            .unwrap();
    }
    txn.commit().await.unwrap();
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
        spend_request::Entity::find()
            .filter(
                spend_request::Column::StartedUs
                    .lt((Utc::now() - TimeDelta::days(30)).timestamp_micros()),
            )
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

    // The old month went as a table, not row by row; the current months stay.
    eventually("the old month's partition dropped", async || {
        !partitions().await.contains(&month(aged))
    })
    .await;
    assert!(partitions().await.contains(&month(now)));

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

#[tokio::test]
async fn a_new_embedded_database_gives_deleted_pages_back() {
    let app = TestApp::builder().sqlite().start().await;
    let file = app.data_dir.path().join("data/switchyard.sqlite");
    let db = sea_orm::Database::connect(format!("sqlite://{}?mode=ro", file.display()))
        .await
        .unwrap();
    let mode = db
        .query_one(Statement::from_string(
            DbBackend::Sqlite,
            "PRAGMA auto_vacuum",
        ))
        .await
        .unwrap()
        .unwrap();
    // 2: incremental, chosen before the first table (the pruner then runs
    // `PRAGMA incremental_vacuum`, which `schema/tests/retention.rs` shows giving pages back).
    assert_eq!(mode.try_get_by_index::<i32>(0).unwrap(), 2);
    let tables = db
        .query_one(Statement::from_string(
            DbBackend::Sqlite,
            "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'spend_requests'",
        ))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(tables.try_get_by_index::<i64>(0).unwrap(), 1, "migrated");
}
