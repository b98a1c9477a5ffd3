//! The spend journal through the real binary on PostgreSQL: a server killed with SIGKILL while
//! its ledger could not write loses no spend, because its next start writes what the journal
//! holds; and a journal that still holds requests already written adds none of them twice.
//! The spend log is held with a table lock from the test, so the ledger's writes wait for as
//! long as the test needs, whatever the machine's speed.

use std::path::Path;
use std::time::Duration;

use harness::gateway::{ModelSpec, config, key_with, spend_rows};
use harness::{MockUpstream, TestApp, TestDb};
use sea_orm::{
    ConnectionTrait, DatabaseConnection, DatabaseTransaction, Statement, TransactionTrait,
};
use serde_json::json;

async fn number(db: &DatabaseConnection, sql: &str) -> i64 {
    let row = db
        .query_one(Statement::from_string(db.get_database_backend(), sql))
        .await
        .unwrap()
        .unwrap();
    row.try_get_by_index::<Option<i64>>(0).unwrap().unwrap_or(0)
}

/// Holds `spend_requests` so nothing can be inserted until the transaction ends; reads go on.
async fn hold_spend_log(db: &DatabaseConnection) -> DatabaseTransaction {
    let txn = db.begin().await.unwrap();
    txn.execute_unprepared("LOCK TABLE spend_requests IN EXCLUSIVE MODE")
        .await
        .unwrap();
    txn
}

async fn chats(app: &TestApp, key: &str, n: usize) {
    for _ in 0..n {
        let body = json!({"model": "granite", "messages": [{"role": "user", "content": "hi"}]});
        let response = app.post_with_key("/v1/chat/completions", &body, key).await;
        assert_eq!(response.status(), 200);
    }
}

/// Copies every journal segment in `from` to `to`.
fn copy_segments(from: &Path, to: &Path) -> usize {
    std::fs::create_dir_all(to).unwrap();
    let mut copied = 0;
    for entry in std::fs::read_dir(from).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "jsonl") {
            std::fs::copy(&path, to.join(path.file_name().unwrap())).unwrap();
            copied += std::fs::read_to_string(&path).unwrap().lines().count();
        }
    }
    copied
}

#[tokio::test]
async fn a_killed_server_writes_its_unrecorded_spend_once_when_it_starts_again() {
    let mock = MockUpstream::start("aws", &["granite"], &[]).await;
    let db = TestDb::create().await;
    let conn = db.connect().await;
    let home = tempfile::tempdir().unwrap();
    let data_dir = home.path().join("data");
    let journal = data_dir.join("spend-journal");
    let snapshot = home.path().join("snapshot");
    let toml = config(
        "[ledger]\nflush_ms = 50\n",
        &[ModelSpec::new("granite", "granite", &[&mock])],
    );
    let start = || {
        TestApp::builder()
            .database_url(&db.url)
            .env("SWITCHYARD_DATA_DIR", data_dir.to_str().unwrap())
            .config_toml(&toml)
            .start()
    };
    let mut first = start().await;
    let key = key_with(&first, json!({"max_budget": 10.0})).await["key"]
        .as_str()
        .unwrap()
        .to_owned();

    // Three requests answered while the ledger cannot write: they are in the journal only.
    let held = hold_spend_log(&conn).await;
    chats(&first, &key, 3).await;
    assert_eq!(
        copy_segments(&journal, &snapshot),
        3,
        "the journal holds the three answered requests"
    );
    held.commit().await.unwrap();
    assert_eq!(spend_rows(&conn, 3).await.len(), 3);

    // Two more, then the server is killed before it could write them.
    let held = hold_spend_log(&conn).await;
    chats(&first, &key, 2).await;
    first.kill().await;
    held.commit().await.unwrap();
    assert_eq!(
        number(&conn, "SELECT count(*) FROM spend_requests").await,
        3
    );

    // As if it had died after writing the first three but before deleting their segment.
    copy_segments(&snapshot, &journal);
    let _second = start().await;
    let rows = spend_rows(&conn, 5).await;
    assert_eq!(rows.len(), 5, "every answered request is recorded");
    // The replay is one batch; give a wrongly doubled one time to show.
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(
        number(
            &conn,
            "SELECT count(DISTINCT request_id) FROM spend_requests"
        )
        .await,
        5
    );
    assert_eq!(
        number(&conn, "SELECT count(*) FROM spend_requests").await,
        5
    );
    let logged = number(&conn, "SELECT sum(cost_nanos)::bigint FROM spend_requests").await;
    assert!(logged > 0);
    assert_eq!(
        number(&conn, "SELECT sum(spend_nanos)::bigint FROM api_keys").await,
        logged,
        "the key's spend counts each request once"
    );
    assert_eq!(
        number(&conn, "SELECT sum(spend_nanos)::bigint FROM users").await,
        logged,
        "so does its owner's"
    );
    assert_eq!(
        number(
            &conn,
            "SELECT sum(requests)::bigint FROM usage_rollups WHERE span = 'hour'"
        )
        .await,
        5,
        "and the hourly rollup"
    );
    let left: usize = std::fs::read_dir(&journal)
        .unwrap()
        .filter_map(Result::ok)
        .filter(|e| e.path().extension().is_some_and(|x| x == "jsonl"))
        .map(|e| std::fs::read_to_string(e.path()).unwrap().lines().count())
        .sum();
    assert_eq!(left, 0, "what is written leaves the journal");
}
