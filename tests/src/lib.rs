//! The test harness: start the real `switchyard` binary on a free port with its own freshly
//! migrated database, optional Redis and mock model servers, and talk to it over HTTP,
//! GraphQL, WebSocket and a real browser.
//!
//! ```ignore
//! let app = TestApp::start().await;            // PostgreSQL, a database of its own
//! let app = TestApp::builder().sqlite().start().await;
//! let body = app.graphql("{ version }").await;
//! ```

pub mod app;
pub mod browser;
pub mod gateway;
pub mod manifests;
pub mod mock;
pub mod oidc;
pub mod openshift;
pub mod pg;
pub mod process;
pub mod proxy;
pub mod redis_server;
pub mod session;
pub mod tls;
pub mod users;
pub mod ws;

pub use app::{TestApp, TestAppBuilder};
pub use mock::MockUpstream;
pub use oidc::{OidcProvider, OidcUser, Tamper};
pub use openshift::{ClusterUser, OpenShiftStandIn};
pub use pg::TestDb;
pub use proxy::TcpProxy;
pub use redis_server::RedisServer;
pub use session::SessionClient;
pub use tls::TestCa;
pub use users::TestUser;
pub use ws::GraphqlSocket;

use std::path::PathBuf;

/// The master key every `TestApp` is started with.
pub const MASTER_KEY: &str = "sk-test-master-0123456789abcdefghijklmnopqrstuv";

/// The built SPA (`frontend/dist`); fails the test with what to run when it is not built.
pub fn spa_dist() -> PathBuf {
    let dist = workspace_root().join("frontend/dist");
    assert!(
        dist.join("index.html").is_file(),
        "the SPA is not built: run `trunk build --release` at the workspace root (tests/ci.sh does)"
    );
    dist
}

/// The workspace root (where `Cargo.toml`, `Trunk.toml` and `frontend/` are).
pub fn workspace_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map(PathBuf::from)
        .unwrap_or_default()
}

/// The directory holding the workspace's built binaries (`target/debug`).
pub fn bin_dir() -> PathBuf {
    let exe = std::env::current_exe().expect("current exe");
    // Test binaries live in target/<profile>/deps; binaries one level up.
    let dir = exe.parent().expect("exe dir");
    if dir.ends_with("deps") {
        dir.parent().expect("profile dir").to_path_buf()
    } else {
        dir.to_path_buf()
    }
}

/// The value of the query parameter `name` in `url`.
pub fn query_param(url: &str, name: &str) -> Option<String> {
    reqwest::Url::parse(url)
        .ok()?
        .query_pairs()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.into_owned())
}

/// A port on 127.0.0.1 that was free a moment ago (for servers that must be told theirs).
pub fn free_port() -> u16 {
    let socket = std::net::TcpListener::bind("127.0.0.1:0").expect("find a free port");
    socket.local_addr().expect("port").port()
}

/// The `switchyard` binary under test (`SWITCHYARD_BIN` overrides).
pub fn switchyard_bin() -> PathBuf {
    std::env::var_os("SWITCHYARD_BIN")
        .map(PathBuf::from)
        .unwrap_or_else(|| bin_dir().join("switchyard"))
}

/// Waits out the last two minutes of a UTC day, if it is in them: a test that makes requests
/// or changes and then reads back "today's" would otherwise find them on the day before (the
/// admin overview's test once failed so, run at midnight).
pub async fn away_from_midnight() {
    use chrono::Timelike;
    let left = 86_400 - chrono::Utc::now().num_seconds_from_midnight();
    if left <= 120 {
        tokio::time::sleep(std::time::Duration::from_secs(u64::from(left) + 1)).await;
    }
}

/// The Python of `target/sdk-venv`, where `tests/ci.sh` installs the official SDKs and the
/// other Python packages tests use (pinned in `tests/clients/requirements.txt`).
pub fn sdk_python() -> PathBuf {
    let python = workspace_root().join("target/sdk-venv/bin/python");
    assert!(
        python.is_file(),
        "the SDK virtualenv is missing: run tests/ci.sh (or `python3 -m venv target/sdk-venv \
         && target/sdk-venv/bin/pip install -r tests/clients/requirements.txt`)"
    );
    python
}

/// Runs `command` (output captured) until it exits, or stops it after 30 seconds; its exit
/// status and everything it printed.
pub fn run_to_end(command: &mut std::process::Command) -> (std::process::ExitStatus, String) {
    let mut child = command
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("the command starts");
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    while child.try_wait().ok().flatten().is_none() && std::time::Instant::now() < deadline {
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    let _ = child.kill();
    let output = child.wait_with_output().expect("its output");
    let printed = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    (output.status, printed)
}

/// The `mock-upstream` binary.
pub fn mock_upstream_bin() -> PathBuf {
    bin_dir().join("mock-upstream")
}

/// Redis for tests (`SWITCHYARD_TEST_REDIS`, default the local server).
pub fn redis_url() -> String {
    std::env::var("SWITCHYARD_TEST_REDIS").unwrap_or_else(|_| "redis://127.0.0.1:6379".into())
}

/// Installs a log subscriber for the test process once (harmless when repeated).
pub fn init_logs() {
    let _ = tracing_subscriber::fmt()
        .with_env_filter("info")
        .with_test_writer()
        .try_init();
}
