//! `TestApp`: the real `switchyard` binary on `127.0.0.1:0`, with its own database.

use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde_json::{Value, json};
use tokio::process::Command;

use crate::pg::TestDb;
use crate::process::{Spawned, listening_on, spawn_announcing, terminate};

/// Which database the server under test uses.
enum Store {
    /// A fresh PostgreSQL database cloned from the migrated template.
    Postgres,
    /// The embedded default: SQLite in the app's own data directory.
    Sqlite,
    /// An explicit URL (for failure tests: an unreachable server, say).
    Url(String),
}

/// Configures a [`TestApp`] before it starts.
pub struct TestAppBuilder {
    store: Store,
    redis: Option<String>,
    env: Vec<(String, String)>,
    static_dir: Option<PathBuf>,
    config: Option<String>,
    wait_ready: bool,
}

/// A running server under test. Dropping it kills the server and drops its database.
pub struct TestApp {
    /// `http://127.0.0.1:port`.
    pub base: String,
    /// A plain HTTP client (no cookies, no redirects followed).
    pub client: reqwest::Client,
    /// The database, when it is a PostgreSQL test database.
    pub db: Option<TestDb>,
    /// The data directory (SQLite lives here unless a URL was given).
    pub data_dir: tempfile::TempDir,
    spawned: Spawned,
}

impl TestAppBuilder {
    /// Use the embedded SQLite default instead of PostgreSQL.
    pub fn sqlite(mut self) -> Self {
        self.store = Store::Sqlite;
        self
    }

    /// Use this database URL as given.
    pub fn database_url(mut self, url: &str) -> Self {
        self.store = Store::Url(url.to_owned());
        self
    }

    /// Use the test Redis.
    pub fn redis(self) -> Self {
        self.redis_url(&crate::redis_url())
    }

    /// Use Redis at `url`.
    pub fn redis_url(mut self, url: &str) -> Self {
        self.redis = Some(url.to_owned());
        self
    }

    /// Set an environment variable for the server.
    pub fn env(mut self, name: &str, value: &str) -> Self {
        self.env.push((name.to_owned(), value.to_owned()));
        self
    }

    /// Serve the SPA from `dir`.
    pub fn static_dir(mut self, dir: PathBuf) -> Self {
        self.static_dir = Some(dir);
        self
    }

    /// Start with this `switchyard.toml` (written to the app's data directory).
    pub fn config_toml(mut self, toml: &str) -> Self {
        self.config = Some(toml.to_owned());
        self
    }

    /// Do not wait for readiness (for tests of a server that must not become ready).
    pub fn without_waiting_for_ready(mut self) -> Self {
        self.wait_ready = false;
        self
    }

    /// Starts the server and waits until it listens (and, by default, is ready).
    pub async fn start(self) -> TestApp {
        crate::init_logs();
        let data_dir = tempfile::tempdir().expect("temp data dir");
        let db = match self.store {
            Store::Postgres => Some(TestDb::create().await),
            Store::Sqlite | Store::Url(_) => None,
        };
        let mut command = Command::new(crate::switchyard_bin());
        command
            .current_dir(data_dir.path())
            .env_clear()
            .env("PATH", std::env::var("PATH").unwrap_or_default())
            .env("RUST_LOG", "info")
            .env("SWITCHYARD_LISTEN", "127.0.0.1:0")
            .env("SWITCHYARD_DATA_DIR", data_dir.path().join("data"))
            .env("SWITCHYARD_SHUTDOWN_GRACE_SECONDS", "5")
            .env("SWITCHYARD_MASTER_KEY", crate::MASTER_KEY);
        if let Some(toml) = &self.config {
            let path = data_dir.path().join("switchyard.toml");
            std::fs::write(&path, toml).expect("write switchyard.toml");
            command.env("SWITCHYARD_CONFIG", &path);
        }
        match (&db, &self.store) {
            (Some(db), _) => {
                command.env("SWITCHYARD_DATABASE_URL", &db.url);
            }
            (None, Store::Url(url)) => {
                command.env("SWITCHYARD_DATABASE_URL", url);
            }
            _ => {}
        }
        if let Some(redis) = &self.redis {
            command.env("SWITCHYARD_REDIS_URL", redis);
        }
        if let Some(dir) = &self.static_dir {
            command.env("SWITCHYARD_STATIC_DIR", dir);
        }
        for (name, value) in &self.env {
            command.env(name, value);
        }
        let spawned = spawn_announcing(command, listening_on).await;
        let app = TestApp {
            base: spawned.base.clone(),
            client: reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .expect("http client"),
            db,
            data_dir,
            spawned,
        };
        if self.wait_ready {
            app.wait_ready().await;
        }
        app
    }
}

impl TestApp {
    /// A builder with the defaults: PostgreSQL, no Redis.
    pub fn builder() -> TestAppBuilder {
        TestAppBuilder {
            store: Store::Postgres,
            redis: None,
            env: Vec::new(),
            static_dir: None,
            config: None,
            wait_ready: true,
        }
    }

    /// Starts a server on its own PostgreSQL database.
    pub async fn start() -> Self {
        Self::builder().start().await
    }

    /// `base` + `path`.
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// The WebSocket URL of `path`.
    pub fn ws_url(&self, path: &str) -> String {
        format!("{}{path}", self.base.replacen("http://", "ws://", 1))
    }

    /// `GET path`.
    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.client.get(self.url(path)).send().await.expect("GET")
    }

    /// `POST path` with a JSON body.
    pub async fn post_json(&self, path: &str, body: &Value) -> reqwest::Response {
        self.client
            .post(self.url(path))
            .json(body)
            .send()
            .await
            .expect("POST")
    }

    /// `POST path` with a JSON body and the master key.
    pub async fn post_as_master(&self, path: &str, body: &Value) -> reqwest::Response {
        self.post_with_key(path, body, crate::MASTER_KEY).await
    }

    /// `POST path` with a JSON body and `key` as the bearer token.
    pub async fn post_with_key(&self, path: &str, body: &Value, key: &str) -> reqwest::Response {
        self.client
            .post(self.url(path))
            .bearer_auth(key)
            .json(body)
            .send()
            .await
            .expect("POST")
    }

    /// The Prometheus text served at `/metrics`, read with the master key.
    pub async fn metrics_text(&self) -> String {
        self.get_as_master("/metrics")
            .await
            .text()
            .await
            .expect("the /metrics body")
    }

    /// `GET path` with the master key.
    pub async fn get_as_master(&self, path: &str) -> reqwest::Response {
        self.get_with_key(path, crate::MASTER_KEY).await
    }

    /// `GET path` with `key` as the bearer token.
    pub async fn get_with_key(&self, path: &str, key: &str) -> reqwest::Response {
        self.client
            .get(self.url(path))
            .bearer_auth(key)
            .send()
            .await
            .expect("GET")
    }

    /// The path of the configuration file the app was started with.
    pub fn config_path(&self) -> PathBuf {
        self.data_dir.path().join("switchyard.toml")
    }

    /// The server process's peak resident memory so far, in KiB (`VmHWM`).
    pub fn peak_rss_kib(&self) -> u64 {
        let pid = self.spawned.child.id().expect("the server is running");
        let status = std::fs::read_to_string(format!("/proc/{pid}/status")).expect("read status");
        status
            .lines()
            .find_map(|line| line.strip_prefix("VmHWM:"))
            .and_then(|rest| rest.trim().trim_end_matches("kB").trim().parse().ok())
            .expect("VmHWM in /proc/<pid>/status")
    }

    /// How many file descriptors the server process holds open.
    pub fn open_descriptors(&self) -> usize {
        let pid = self.spawned.child.id().expect("the server is running");
        std::fs::read_dir(format!("/proc/{pid}/fd"))
            .expect("read /proc/<pid>/fd")
            .count()
    }

    /// Sends a signal (`HUP`, `TERM`, ...) to the server.
    pub fn signal(&self, name: &str) {
        crate::process::signal(&self.spawned.child, name);
    }

    /// Runs a GraphQL operation and returns the whole response body (`data`, `errors`).
    pub async fn graphql(&self, query: &str) -> Value {
        self.graphql_with(query, json!({})).await
    }

    /// Runs a GraphQL operation with variables.
    pub async fn graphql_with(&self, query: &str, variables: Value) -> Value {
        let response = self
            .post_json("/graphql", &json!({"query": query, "variables": variables}))
            .await;
        assert!(
            response.status().is_success(),
            "GraphQL HTTP status {}",
            response.status()
        );
        response.json().await.expect("GraphQL JSON body")
    }

    /// Runs a GraphQL operation with `token` (a personal access token or the master key) as
    /// the bearer; returns the HTTP status and the whole body.
    pub async fn graphql_bearer(&self, token: &str, query: &str, variables: Value) -> (u16, Value) {
        let response = self
            .client
            .post(self.url("/graphql"))
            .bearer_auth(token)
            .json(&json!({"query": query, "variables": variables}))
            .send()
            .await
            .expect("POST /graphql");
        let status = response.status().as_u16();
        (status, response.json().await.expect("GraphQL JSON body"))
    }

    /// Everything the server printed so far.
    pub fn logs(&self) -> String {
        self.spawned.output.lock().unwrap().join("\n")
    }

    /// The shared log buffer, for waiting on lines.
    pub fn log_buffer(&self) -> Arc<Mutex<Vec<String>>> {
        self.spawned.output.clone()
    }

    /// Waits up to `timeout` for a log line containing `needle`.
    pub async fn wait_for_log(&self, needle: &str, timeout: Duration) -> bool {
        let deadline = tokio::time::Instant::now() + timeout;
        while tokio::time::Instant::now() < deadline {
            if self.logs().contains(needle) {
                return true;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        false
    }

    /// Polls `/health/readiness` until it answers 200 (30 s at most).
    pub async fn wait_ready(&self) {
        for _ in 0..300 {
            let response = self.client.get(self.url("/health/readiness")).send().await;
            if response.is_ok_and(|r| r.status().is_success()) {
                return;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!(
            "the server never became ready; it printed:\n{}",
            self.logs()
        );
    }

    /// Sends SIGTERM and waits for the process to exit (30 s at most).
    pub async fn terminate(&mut self) -> std::process::ExitStatus {
        terminate(&self.spawned.child);
        tokio::time::timeout(Duration::from_secs(30), self.spawned.child.wait())
            .await
            .expect("the server did not exit within 30 s of SIGTERM")
            .expect("wait for the server")
    }

    /// Kills the server with SIGKILL (no shutdown, no flush: a crashed replica).
    pub async fn kill(&mut self) {
        self.spawned.child.start_kill().expect("kill the server");
        let _ = self.spawned.child.wait().await;
    }

    /// The PostgreSQL URL of this app's own test database.
    pub fn database_url(&self) -> String {
        self.db
            .as_ref()
            .expect("this TestApp has no PostgreSQL test database")
            .url
            .clone()
    }

    /// A direct connection to the PostgreSQL test database.
    pub async fn database(&self) -> sea_orm::DatabaseConnection {
        self.db
            .as_ref()
            .expect("this TestApp has no PostgreSQL test database")
            .connect()
            .await
    }
}
