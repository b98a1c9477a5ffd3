//! Running `mock-upstream` processes, the stand-ins for model servers on clusters.

use tokio::process::Command;

use crate::process::{Spawned, listening_on, spawn_announcing};

/// A running mock model server.
pub struct MockUpstream {
    /// `http://127.0.0.1:port`.
    pub base: String,
    /// Its name (the cluster it stands for).
    pub name: String,
    spawned: Spawned,
}

impl MockUpstream {
    /// Starts a mock called `name` serving `models`, with extra flags (knobs).
    pub async fn start(name: &str, models: &[&str], flags: &[&str]) -> Self {
        let mut command = Command::new(crate::mock_upstream_bin());
        command
            .args(["--listen", "127.0.0.1:0", "--name", name, "--models"])
            .arg(models.join(","))
            .args(flags);
        let spawned = spawn_announcing(command, listening_on).await;
        Self {
            base: spawned.base.clone(),
            name: name.to_owned(),
            spawned,
        }
    }

    /// `base` + `path`.
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// The mock's request counters (`requests`, `cancelled`).
    pub async fn stats(&self) -> serde_json::Value {
        reqwest::get(self.url("/mock/stats"))
            .await
            .unwrap()
            .json()
            .await
            .unwrap()
    }

    /// The last JSON body the mock received.
    pub async fn last_request(&self) -> serde_json::Value {
        reqwest::get(self.url("/mock/last-request"))
            .await
            .unwrap()
            .json()
            .await
            .unwrap()
    }

    /// Changes the mock's knobs at run time (fields not given take their defaults).
    pub async fn set_knobs(&self, knobs: serde_json::Value) {
        let response = reqwest::Client::new()
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
