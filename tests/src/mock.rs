//! Running `mock-upstream` processes, the stand-ins for model servers on clusters.

use tokio::process::Command;

use crate::process::{Spawned, listening_on, spawn_announcing};

/// A running mock model server.
pub struct MockUpstream {
    /// `http://127.0.0.1:port`.
    pub base: String,
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
            spawned,
        }
    }

    /// `base` + `path`.
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// Stops the server at once (as a crashed node would).
    pub async fn kill(&mut self) {
        let _ = self.spawned.child.kill().await;
    }
}
