//! The `[database]` section: the connection pool. The database URL itself is a top-level
//! setting (`database_url`, a secret) and stays with [`Config`](super::Config).

use serde::{Deserialize, Serialize};

/// Database pool settings.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct DatabaseConfig {
    /// Largest number of pooled connections.
    pub max_connections: u32,
    /// Seconds to wait for a connection before reporting the database unreachable.
    pub connect_timeout_seconds: u64,
}

impl Default for DatabaseConfig {
    fn default() -> Self {
        Self {
            max_connections: 20,
            connect_timeout_seconds: 5,
        }
    }
}
