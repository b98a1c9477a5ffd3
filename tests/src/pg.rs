//! A PostgreSQL database of its own for each test, cloned from a template that is migrated
//! once per set of migrations (by the real `switchyard migrate`).
//!
//! Test processes run in parallel (nextest runs each test in its own process), so creating
//! the template and cloning it happen under a PostgreSQL advisory lock.

use std::collections::hash_map::DefaultHasher;
use std::hash::{Hash, Hasher};

use sea_orm::{ConnectOptions, ConnectionTrait, Database, DatabaseConnection, Statement};

/// The server holding test databases (`SWITCHYARD_TEST_PG`), without a database name.
pub fn server_url() -> String {
    std::env::var("SWITCHYARD_TEST_PG")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432".into())
}

/// Prefix of every database the harness creates; `tests/ci.sh` drops leftovers.
pub const PREFIX: &str = "sy_test_";

const LOCK_KEY: i64 = 0x5377_6974_6368; // "Switch"

/// A database created for one test and dropped when the value is dropped.
pub struct TestDb {
    /// Its name.
    pub name: String,
    /// Its URL.
    pub url: String,
}

async fn admin() -> DatabaseConnection {
    let mut options = ConnectOptions::new(format!("{}/postgres", server_url()));
    // One connection: advisory locks belong to a session.
    options.max_connections(1).sqlx_logging(false);
    Database::connect(options)
        .await
        .expect("connect to the test PostgreSQL server (is it running? tests/ci.sh starts it)")
}

async fn exec(db: &DatabaseConnection, sql: &str) {
    db.execute_unprepared(sql)
        .await
        .unwrap_or_else(|e| panic!("{sql}: {e}"));
}

async fn exists(db: &DatabaseConnection, name: &str) -> bool {
    let statement = Statement::from_sql_and_values(
        db.get_database_backend(),
        "SELECT 1 FROM pg_database WHERE datname = $1",
        [name.into()],
    );
    db.query_one(statement)
        .await
        .expect("query pg_database")
        .is_some()
}

/// A fingerprint of the migration sources: a new migration means a new template.
fn migrations_fingerprint() -> u64 {
    let dir = crate::workspace_root().join("migration/src");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .expect("read migration/src")
        .filter_map(Result::ok)
        .map(|e| e.path())
        .collect();
    files.sort();
    let mut hasher = DefaultHasher::new();
    for file in files {
        std::fs::read(&file)
            .expect("read migration")
            .hash(&mut hasher);
    }
    hasher.finish()
}

impl TestDb {
    /// Creates a fresh, migrated database.
    pub async fn create() -> Self {
        let template = format!("sy_template_{:016x}", migrations_fingerprint());
        let name = format!(
            "{PREFIX}{}_{:08x}",
            std::process::id(),
            rand::random::<u32>()
        );
        let db = admin().await;
        exec(&db, &format!("SELECT pg_advisory_lock({LOCK_KEY})")).await;
        if !exists(&db, &template).await {
            exec(&db, &format!("CREATE DATABASE \"{template}\"")).await;
            let url = format!("{}/{template}", server_url());
            let output = tokio::process::Command::new(crate::switchyard_bin())
                .arg("migrate")
                .env("SWITCHYARD_DATABASE_URL", &url)
                .output()
                .await
                .expect("run switchyard migrate");
            if !output.status.success() {
                exec(&db, &format!("DROP DATABASE \"{template}\"")).await;
                exec(&db, &format!("SELECT pg_advisory_unlock({LOCK_KEY})")).await;
                panic!(
                    "migrating the template failed:\n{}",
                    String::from_utf8_lossy(&output.stderr)
                );
            }
        }
        exec(
            &db,
            &format!("CREATE DATABASE \"{name}\" TEMPLATE \"{template}\""),
        )
        .await;
        exec(&db, &format!("SELECT pg_advisory_unlock({LOCK_KEY})")).await;
        let url = format!("{}/{name}", server_url());
        Self { name, url }
    }

    /// Creates an empty database with no tables (to test migrating and its absence).
    pub async fn create_empty() -> Self {
        let name = format!(
            "{PREFIX}{}_{:08x}",
            std::process::id(),
            rand::random::<u32>()
        );
        let db = admin().await;
        exec(&db, &format!("CREATE DATABASE \"{name}\"")).await;
        let url = format!("{}/{name}", server_url());
        Self { name, url }
    }

    /// A connection to this database, for setting up and checking state directly.
    pub async fn connect(&self) -> DatabaseConnection {
        let mut options = ConnectOptions::new(self.url.clone());
        options.max_connections(2).sqlx_logging(false);
        Database::connect(options)
            .await
            .expect("connect to test database")
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        let name = self.name.clone();
        // Drop runs outside any runtime guarantee: use a thread with its own small runtime.
        let _ = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build();
            if let Ok(runtime) = runtime {
                runtime.block_on(async move {
                    let db = admin().await;
                    let _ = db
                        .execute_unprepared(&format!(
                            "DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"
                        ))
                        .await;
                });
            }
        })
        .join();
    }
}
