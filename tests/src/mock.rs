//! Running `mock-upstream` processes, the stand-ins for model servers on clusters.

use tokio::process::Command;

use crate::TestCa;
use crate::process::{Spawned, listening_on, spawn_announcing};

/// A running mock model server.
pub struct MockUpstream {
    /// `http://127.0.0.1:port`.
    pub base: String,
    /// Its name (the cluster it stands for).
    pub name: String,
    /// Talks to the mock (trusting its authority when it serves TLS).
    client: reqwest::Client,
    spawned: Spawned,
}

impl MockUpstream {
    /// Starts a mock called `name` serving `models`, with extra flags (knobs).
    pub async fn start(name: &str, models: &[&str], flags: &[&str]) -> Self {
        Self::spawn(name, models, flags, None).await
    }

    /// The same over TLS (HTTP/2 or HTTP/1.1 by ALPN), with a certificate from `ca`.
    pub async fn start_tls(name: &str, models: &[&str], flags: &[&str], ca: &TestCa) -> Self {
        Self::spawn(name, models, flags, Some(ca)).await
    }

    async fn spawn(name: &str, models: &[&str], flags: &[&str], ca: Option<&TestCa>) -> Self {
        let mut command = Command::new(crate::mock_upstream_bin());
        command
            .args(["--listen", "127.0.0.1:0", "--name", name, "--models"])
            .arg(models.join(","))
            .args(flags);
        if let Some(ca) = ca {
            command
                .arg("--tls-cert")
                .arg(&ca.cert_file)
                .arg("--tls-key")
                .arg(&ca.key_file);
        }
        let spawned = spawn_announcing(command, listening_on).await;
        Self {
            base: spawned.base.clone(),
            name: name.to_owned(),
            client: ca.map_or_else(reqwest::Client::new, TestCa::client),
            spawned,
        }
    }

    /// `base` + `path`.
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// The mock's request counters (`requests`, `cancelled`, `http2`).
    pub async fn stats(&self) -> serde_json::Value {
        self.get_json("/mock/stats").await
    }

    /// The last JSON body the mock received.
    pub async fn last_request(&self) -> serde_json::Value {
        self.get_json("/mock/last-request").await
    }

    /// The headers of the last API request the mock received (names in lower case), without
    /// `Authorization`.
    pub async fn last_headers(&self) -> serde_json::Value {
        self.get_json("/mock/last-headers").await
    }

    async fn get_json(&self, path: &str) -> serde_json::Value {
        self.client
            .get(self.url(path))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap()
    }

    /// Changes the mock's knobs at run time (fields not given take their defaults).
    pub async fn set_knobs(&self, knobs: serde_json::Value) {
        let response = self
            .client
            .post(self.url("/mock/knobs"))
            .json(&knobs)
            .send()
            .await
            .unwrap();
        assert!(response.status().is_success());
    }

    /// Stops the server at once (as a crashed node would).
    pub async fn kill(&mut self) {
        let _ = self.spawned.child.kill().await;
    }
}
