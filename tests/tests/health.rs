//! Probes, request ids, readiness under failing dependencies, replicas migrating one
//! database together, and graceful shutdown, through the real binary.

use std::time::Duration;

use harness::gateway::{ModelSpec, config};
use harness::{MockUpstream, TestApp, TestDb};
use sea_orm::ConnectionTrait;
use serde_json::Value;

async fn readiness(app: &TestApp) -> (u16, Value) {
    let response = app.get("/health/readiness").await;
    let status = response.status().as_u16();
    (status, response.json().await.unwrap())
}

#[tokio::test]
async fn liveness_answers_on_all_three_paths() {
    let app = TestApp::builder().sqlite().start().await;
    for path in [
        "/health/liveliness",
        "/health/liveness",
        "/health/livenessz",
    ] {
        let response = app.get(path).await;
        assert_eq!(response.status(), 200, "{path}");
        let body: Value = response.json().await.unwrap();
        assert_eq!(body, "I'm alive!", "{path}");
    }
}

#[tokio::test]
async fn readiness_reports_the_database_and_the_version_on_postgres() {
    let app = TestApp::start().await;
    let (status, body) = readiness(&app).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["status"], "healthy");
    assert_eq!(body["db"], "connected");
    assert_eq!(body["cache"], Value::Null);
    assert_eq!(body["litellm_version"], env!("CARGO_PKG_VERSION"));
}

#[tokio::test]
async fn readiness_reports_redis_when_configured() {
    let app = TestApp::builder().redis().start().await;
    let (status, body) = readiness(&app).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["cache"], "redis");
    assert_eq!(body["cache_status"], "connected");
}

#[tokio::test]
async fn an_unreachable_redis_makes_readiness_503_and_is_logged() {
    let app = TestApp::builder()
        .redis_url("redis://127.0.0.1:1")
        .without_waiting_for_ready()
        .start()
        .await;
    let (status, body) = readiness(&app).await;
    assert_eq!(status, 503, "{body}");
    assert_eq!(body["status"], "unhealthy");
    assert_eq!(body["db"], "connected");
    assert_eq!(body["cache_status"], "disconnected");
    assert!(app.logs().contains("redis unreachable"), "{}", app.logs());
    assert_eq!(app.get("/health/liveliness").await.status(), 200);
}

#[tokio::test]
async fn an_unreachable_database_makes_readiness_503_and_is_logged_without_the_password() {
    let app = TestApp::builder()
        .database_url("postgres://switchyard:hunter2@127.0.0.1:1/switchyard")
        .env("SWITCHYARD_DATABASE__CONNECT_TIMEOUT_SECONDS", "1")
        .without_waiting_for_ready()
        .start()
        .await;
    let (status, body) = readiness(&app).await;
    assert_eq!(status, 503, "{body}");
    assert_eq!(body["db"], "disconnected");
    assert_eq!(app.get("/health/liveness").await.status(), 200);
    let logs = app.logs();
    assert!(logs.contains("database not ready"), "{logs}");
    assert!(logs.contains("postgres://127.0.0.1:1/switchyard"), "{logs}");
    assert!(
        !logs.contains("hunter2"),
        "the password leaked into the log:\n{logs}"
    );
}

#[tokio::test]
async fn no_migrate_waits_as_not_ready_until_an_operator_migrates() {
    let empty = TestDb::create_empty().await;
    let mut app = TestApp::builder()
        .database_url(&empty.url)
        .env("SWITCHYARD_MIGRATE_ON_START", "false")
        .without_waiting_for_ready()
        .start()
        .await;
    let (status, body) = readiness(&app).await;
    assert_eq!(status, 503, "{body}");
    assert_eq!(body["db"], "not migrated");
    assert!(app.logs().contains("pending migration"), "{}", app.logs());

    let migrated = tokio::process::Command::new(harness::switchyard_bin())
        .arg("migrate")
        .env("SWITCHYARD_DATABASE_URL", &empty.url)
        .output()
        .await
        .unwrap();
    assert!(
        migrated.status.success(),
        "{}",
        String::from_utf8_lossy(&migrated.stderr)
    );
    // The server retries every 5 s.
    app.wait_ready().await;
    let (status, body) = readiness(&app).await;
    assert_eq!((status, &body["db"]), (200, &Value::from("connected")));
    assert!(app.terminate().await.success());
}

#[tokio::test]
async fn three_replicas_started_together_on_an_empty_database_all_come_up_and_one_migrates() {
    let empty = TestDb::create_empty().await;
    let mock = MockUpstream::start("aws", &["granite"], &[]).await;
    // Each also applies the catalog and makes the bootstrap administrator: one at a time.
    let toml = config("", &[ModelSpec::new("granite", "granite", &[&mock])]);
    let replica = || {
        TestApp::builder()
            .database_url(&empty.url)
            .config_toml(&toml)
            .without_waiting_for_ready()
            .start()
    };
    let replicas = [replica(), replica(), replica()];
    let mut replicas = futures::future::join_all(replicas).await;
    for app in &replicas {
        app.wait_ready().await;
    }
    // Exactly one applied the migrations; the others waited for it and found none; none
    // failed and retried.
    let applied: Vec<usize> = replicas
        .iter()
        .map(|app| {
            let logs = app.logs();
            assert!(!logs.contains("not ready"), "{logs}");
            let line = logs
                .lines()
                .find(|l| l.contains("migrations applied"))
                .unwrap_or_else(|| panic!("no migration line:\n{logs}"));
            let count = line
                .split("applied=")
                .nth(1)
                .and_then(|rest| rest.split(|c: char| !c.is_ascii_digit()).next())
                .unwrap_or_else(|| panic!("{line}"));
            count.parse().unwrap()
        })
        .collect();
    let mut sorted = applied.clone();
    sorted.sort_unstable();
    assert_eq!(sorted[..2], [0, 0], "{applied:?}");
    assert!(sorted[2] > 0, "{applied:?}");
    let db = empty.connect().await;
    let rows = db
        .query_one(sea_orm::Statement::from_string(
            db.get_database_backend(),
            "SELECT count(*) AS n FROM seaql_migrations",
        ))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(rows.try_get::<i64>("", "n").unwrap(), sorted[2] as i64);
    for (table, n) in [("models", 1), ("deployments", 1), ("users", 1)] {
        let row = db
            .query_one(sea_orm::Statement::from_string(
                db.get_database_backend(),
                format!("SELECT count(*) AS n FROM {table}"),
            ))
            .await
            .unwrap()
            .unwrap();
        assert_eq!(row.try_get::<i64>("", "n").unwrap(), n, "{table}");
    }
    let passwords = replicas
        .iter()
        .filter(|app| app.logs().contains("created the bootstrap administrator"))
        .count();
    assert_eq!(passwords, 1, "one replica made the administrator");
    for app in &mut replicas {
        assert!(app.terminate().await.success());
    }
}

#[tokio::test]
async fn every_response_carries_the_servers_own_request_id() {
    let app = TestApp::builder().sqlite().start().await;
    let response = app.get("/health/liveliness").await;
    let generated = response.headers()["x-request-id"]
        .to_str()
        .unwrap()
        .to_owned();
    assert_eq!(generated.len(), 36, "a UUID: {generated}");
    let response = app
        .client
        .get(app.url("/health/liveliness"))
        .header("x-request-id", "trace-me-42")
        .send()
        .await
        .unwrap();
    // A client's id never names the request (it is logged as `client_request_id` only).
    let minted = response.headers()["x-request-id"].to_str().unwrap();
    assert_ne!(minted, "trace-me-42");
    assert_eq!(minted.len(), 36, "a UUID: {minted}");
}

#[tokio::test]
async fn sigterm_drains_and_exits_cleanly() {
    let mut app = TestApp::builder().sqlite().start().await;
    assert_eq!(app.get("/health/liveliness").await.status(), 200);
    let status = app.terminate().await;
    assert!(status.success(), "exit status {status:?}\n{}", app.logs());
    assert!(
        app.wait_for_log("stopped", Duration::from_secs(2)).await,
        "{}",
        app.logs()
    );
}

#[tokio::test]
async fn after_sigterm_readiness_answers_503_while_requests_are_served_for_the_delay() {
    let mut app = TestApp::builder()
        .sqlite()
        .env("SWITCHYARD_SHUTDOWN_DELAY_SECONDS", "5")
        .start()
        .await;
    assert_eq!(readiness(&app).await.0, 200);
    app.signal("TERM");
    let mut report = readiness(&app).await;
    for _ in 0..100 {
        if report.0 == 503 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
        report = readiness(&app).await;
    }
    assert_eq!(report.0, 503, "{}", report.1);
    assert_eq!(report.1["status"], "draining");
    assert_eq!(report.1["db"], "connected");
    // Still serving: a balancer that has not polled yet loses nothing.
    assert_eq!(app.get("/health/liveliness").await.status(), 200);
    assert_eq!(app.get_as_master("/v1/models").await.status(), 200);
    assert!(
        !app.logs().contains("draining open requests"),
        "the listener stays open for the delay:\n{}",
        app.logs()
    );
    let status = app.terminate().await;
    assert!(status.success(), "exit status {status:?}\n{}", app.logs());
}
