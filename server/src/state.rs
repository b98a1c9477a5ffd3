//! The one state value shared by every handler, built once at start-up.

use std::ops::Deref;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use sea_orm::DatabaseConnection;

use crate::cache::Cache;
use crate::config::{Config, Overrides};
use crate::db::Location;

/// Everything the handlers share.
pub struct App {
    /// The validated configuration.
    pub config: Config,
    /// The database pool (SQLite or PostgreSQL).
    pub db: DatabaseConnection,
    /// Where the database is, for messages.
    pub db_location: Location,
    /// Set once the schema is known to be migrated; readiness waits for it.
    pub db_ready: AtomicBool,
    /// Set at SIGTERM: readiness answers 503 while open requests finish.
    pub draining: AtomicBool,
    /// Redis, when configured.
    pub cache: Option<Cache>,
    /// The GraphQL schema with its services.
    pub schema: schema::AppSchema,
    /// The `/v1` gateway.
    pub gateway: crate::gateway::Gateway,
    /// The audit log (admin REST changes; GraphQL records its own).
    pub audit: schema::audit::AuditService,
    /// Usage analytics (the CSV export; GraphQL has its own handle).
    pub usage: schema::usage::UsageService,
    /// Keys as the LiteLLM admin API and the playground reach them.
    pub keys: schema::keys::LiteLlmKeys,
    /// Users, for the admin API.
    pub users: schema::users::UserService,
    /// Spend records, for the admin API.
    pub spend: schema::spend::SpendService,
    /// Who is calling: sessions, tokens, the master key, single sign-on.
    pub identity: Arc<crate::identity::Identity>,
    /// Per-client allowances of the anonymous surfaces.
    pub clients: Arc<crate::clients::Clients>,
    /// The command-line overrides, to re-read the configuration on reload.
    pub overrides: Overrides,
}

/// A cheap, clonable handle on [`App`], given to axum as router state.
#[derive(Clone)]
pub struct AppState(pub Arc<App>);

impl Deref for AppState {
    type Target = App;

    fn deref(&self) -> &App {
        &self.0
    }
}

impl App {
    /// True once migrations are known to be applied.
    pub fn schema_ready(&self) -> bool {
        self.db_ready.load(Ordering::Acquire)
    }

    /// Records that migrations are applied.
    pub fn mark_schema_ready(&self) {
        self.db_ready.store(true, Ordering::Release);
    }

    /// True from SIGTERM on.
    pub fn draining(&self) -> bool {
        self.draining.load(Ordering::Acquire)
    }

    /// Records that shutdown began: readiness answers 503 from now on.
    pub fn begin_draining(&self) {
        self.draining.store(true, Ordering::Release);
    }

    /// Re-reads the configuration file's `[[models]]` and applies them to the catalog;
    /// true when something changed.
    pub async fn reload_models(&self) -> anyhow::Result<bool> {
        self.gateway.registry.reload_declared(&self.overrides).await
    }
}
