//! Configuration: defaults, then an optional `switchyard.toml`, then `SWITCHYARD_…` variables,
//! then command-line flags. Every setting has a default, so no file is needed.
//!
//! Unknown keys and malformed values stop start-up with a message naming the key, the source
//! and what was expected. Secrets are [`SecretString`]s: they print as `[REDACTED]`.
//!
//! This module holds the top-level [`Config`], loading and validation; each `[section]` lives
//! in its own file and is re-exported here, so callers name everything as `crate::config::…`.
//! The section files use this module's [`ConfigError`] and never each other.

mod auth;
mod database;
mod gateway;
mod guardrails;
mod http;
mod ledger;
mod log;
mod metrics;
mod models;
mod quota;
mod retention;
mod sources;
mod tracing;

use std::net::SocketAddr;
use std::path::PathBuf;

use figment::Figment;
use secrecy::{ExposeSecret, SecretString};
use serde::Deserialize;

pub use self::auth::{AuthConfig, SsoConfig, SsoKind};
pub use self::database::DatabaseConfig;
pub use self::gateway::GatewayConfig;
pub use self::guardrails::{BlockedWordConfig, GuardrailConfig, PatternConfig};
pub use self::http::HttpConfig;
pub use self::ledger::LedgerConfig;
pub use self::log::{LogConfig, LogFormat};
pub use self::metrics::MetricsConfig;
pub use self::models::{DeploymentConfig, ModelConfig};
pub use self::quota::{QuotaConfig, RedisFailure};
pub use self::retention::RetentionConfig;
pub use self::sources::Overrides;
pub use self::tracing::TracingConfig;

/// The file read when no `--config`/`SWITCHYARD_CONFIG` is given and it exists.
pub const DEFAULT_FILE: &str = "switchyard.toml";

/// The whole configuration.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Config {
    /// Address the HTTP server listens on (`SWITCHYARD_LISTEN`).
    pub listen: SocketAddr,
    /// Directory for the embedded SQLite database (`SWITCHYARD_DATA_DIR`).
    pub data_dir: PathBuf,
    /// `postgres://…` for PostgreSQL or `sqlite://…`; none means SQLite in `data_dir`.
    pub database_url: Option<SecretString>,
    /// `redis://…`; none means limits and live events stay in this process.
    pub redis_url: Option<SecretString>,
    /// The admin master key (`sk-` and 32 or more characters); `LITELLM_MASTER_KEY` is an alias.
    pub master_key: Option<SecretString>,
    /// Apply migrations when `serve` starts.
    pub migrate_on_start: bool,
    /// Directory holding the built SPA (Trunk's `dist`).
    pub static_dir: PathBuf,
    /// Seconds to let requests finish after SIGTERM or ctrl-c.
    pub shutdown_grace_seconds: u64,
    /// Seconds between SIGTERM and closing the listener, while readiness answers 503 and
    /// requests are still served, so a load balancer that polls readiness stops sending new
    /// ones first. Kubernetes needs none (its preStop pause does this); HAProxy or a similar
    /// balancer needs a little longer than its check interval times its fall count.
    pub shutdown_delay_seconds: u64,
    /// Client connections: header-read and idle timeouts, the connection cap, WebSockets.
    pub http: HttpConfig,
    /// Database pool settings.
    pub database: DatabaseConfig,
    /// Logging.
    pub log: LogConfig,
    /// The `/v1` gateway: body limits, retries, timeouts, cooldown, health checks.
    pub gateway: GatewayConfig,
    /// Rate limits, parallel slots and budgets.
    pub quota: QuotaConfig,
    /// The spend ledger's writer.
    pub ledger: LedgerConfig,
    /// How long spend rows, audit entries and spent credentials are kept.
    pub retention: RetentionConfig,
    /// Sign-in: the public URL, sessions, local accounts, single sign-on.
    pub auth: AuthConfig,
    /// The Prometheus endpoint: its own listener or a token, and its labels.
    pub metrics: MetricsConfig,
    /// OpenTelemetry traces: off unless an OTLP endpoint is set.
    pub tracing: TracingConfig,
    /// Models declared here (kept in Git), applied at start and on reload.
    pub models: Vec<ModelConfig>,
    /// Checks on requests and answers (`[[guardrails]]`), applied at start.
    pub guardrails: Vec<GuardrailConfig>,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            listen: SocketAddr::from(([0, 0, 0, 0], 4000)),
            data_dir: PathBuf::from("data"),
            database_url: None,
            redis_url: None,
            master_key: None,
            migrate_on_start: true,
            static_dir: PathBuf::from("frontend/dist"),
            shutdown_grace_seconds: 20,
            shutdown_delay_seconds: 0,
            http: HttpConfig::default(),
            database: DatabaseConfig::default(),
            log: LogConfig::default(),
            gateway: GatewayConfig::default(),
            quota: QuotaConfig::default(),
            ledger: LedgerConfig::default(),
            retention: RetentionConfig::default(),
            auth: AuthConfig::default(),
            metrics: MetricsConfig::default(),
            tracing: TracingConfig::default(),
            models: Vec::new(),
            guardrails: Vec::new(),
        }
    }
}

/// Why the configuration could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// The named configuration file does not exist or cannot be read.
    #[error("cannot read configuration file {path}: {source}")]
    File {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// A key is unknown or a value malformed; the message names them.
    #[error("invalid configuration: {0}")]
    Invalid(String),
}

impl Config {
    /// Loads defaults, the file, the environment and `overrides`, in that order.
    pub fn load(overrides: &Overrides) -> Result<Self, ConfigError> {
        if let Some(path) = &overrides.file {
            std::fs::metadata(path).map_err(|source| ConfigError::File {
                path: path.clone(),
                source,
            })?;
        }
        let file = Self::file_in_use(overrides);
        Self::from_figment(sources::figment(file.as_deref(), overrides))
    }

    /// The configuration file [`load`](Self::load) reads: the one given, else
    /// `switchyard.toml` in the working directory when there is one.
    pub fn file_in_use(overrides: &Overrides) -> Option<PathBuf> {
        match &overrides.file {
            Some(path) => Some(path.clone()),
            None => Some(PathBuf::from(DEFAULT_FILE)).filter(|p| p.exists()),
        }
    }

    /// Extracts and validates a configuration from `figment`.
    pub fn from_figment(figment: Figment) -> Result<Self, ConfigError> {
        let config: Config = figment.extract().map_err(|errors| {
            let lines: Vec<String> = errors.into_iter().map(|e| e.to_string()).collect();
            ConfigError::Invalid(lines.join("; "))
        })?;
        config.validate()?;
        Ok(config)
    }

    /// Checks the top-level settings, then each section's; the first problem is reported.
    fn validate(&self) -> Result<(), ConfigError> {
        if let Some(key) = &self.master_key {
            let key = key.expose_secret();
            if !key.starts_with("sk-") || key.len() < 35 {
                return Err(ConfigError::Invalid(
                    "master_key (SWITCHYARD_MASTER_KEY or LITELLM_MASTER_KEY): expected `sk-` \
                     followed by at least 32 characters"
                        .into(),
                ));
            }
        }
        if let Some(url) = &self.database_url {
            let url = url.expose_secret();
            if !(url.starts_with("postgres://")
                || url.starts_with("postgresql://")
                || url.starts_with("sqlite:"))
            {
                return Err(ConfigError::Invalid(
                    "database_url (SWITCHYARD_DATABASE_URL): expected a postgres://… or \
                     sqlite:… URL"
                        .into(),
                ));
            }
        }
        if let Some(url) = &self.redis_url {
            let url = url.expose_secret();
            // `redis+unix://` is a Redis on the same host, over its Unix socket.
            let schemes = ["redis://", "rediss://", "redis+unix://", "unix://"];
            if !schemes.iter().any(|scheme| url.starts_with(scheme)) {
                return Err(ConfigError::Invalid(
                    "redis_url (SWITCHYARD_REDIS_URL): expected a redis://…, rediss://… or \
                     redis+unix://… URL"
                        .into(),
                ));
            }
        }
        models::validate(&self.models)?;
        guardrails::validate(&self.guardrails)?;
        self.auth.validate()?;
        self.tracing.validate()?;
        // The numeric floors of the small sections, checked here in one place (ledger and quota
        // share a message).
        if !(1..=1_000).contains(&self.ledger.flush_ms) {
            return Err(ConfigError::Invalid(
                "ledger.flush_ms: expected 1 to 1000 (spend is recorded within a second)".into(),
            ));
        }
        if self.ledger.max_buffered == 0 || self.quota.lease_seconds == 0 {
            return Err(ConfigError::Invalid(
                "ledger.max_buffered and quota.lease_seconds: expected at least 1".into(),
            ));
        }
        if self.database.max_connections == 0 {
            return Err(ConfigError::Invalid(
                "database.max_connections: expected at least 1".into(),
            ));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Loads `toml` as `switchyard.toml` with `env` set, in a figment jail; the section
    /// files' tests use it too.
    // figment's Jail fixes the closure's error type.
    #[allow(clippy::result_large_err)]
    pub(super) fn load_with(toml: &str, env: &[(&str, &str)]) -> Result<Config, ConfigError> {
        let mut result = None;
        figment::Jail::expect_with(|jail| {
            jail.create_file("switchyard.toml", toml)?;
            for (name, value) in env {
                jail.set_env(name, value);
            }
            result = Some(Config::load(&Overrides {
                file: Some("switchyard.toml".into()),
                ..Overrides::default()
            }));
            Ok(())
        });
        result.unwrap()
    }

    #[test]
    fn the_example_file_is_valid_and_quota_settings_are_read() {
        let example = include_str!("../../../deploy/switchyard.example.toml");
        let config = load_with(example, &[]).unwrap();
        assert_eq!(config.quota.redis_failure, RedisFailure::PerReplica);
        let config = load_with(
            "[quota]\nredis_failure = \"reject\"\nlease_seconds = 5\n",
            &[("SWITCHYARD_LEDGER__FLUSH_MS", "100")],
        )
        .unwrap();
        assert_eq!(config.quota.redis_failure, RedisFailure::Reject);
        assert_eq!(config.quota.lease_seconds, 5);
        assert_eq!(config.ledger.flush_ms, 100);
        let error = load_with("[ledger]\nflush_ms = 5000\n", &[]).unwrap_err();
        assert!(error.to_string().contains("ledger.flush_ms"), "{error}");
        let error = load_with("[quota]\nredis_failure = \"maybe\"\n", &[]).unwrap_err();
        assert!(error.to_string().contains("redis_failure"), "{error}");
    }

    #[test]
    fn redis_urls_may_name_a_unix_socket() {
        for url in [
            "redis://cache:6379",
            "rediss://cache:6380",
            "redis+unix:///run/redis.sock",
        ] {
            let config = load_with(&format!("redis_url = \"{url}\"\n"), &[]).unwrap();
            assert!(config.redis_url.is_some(), "{url}");
        }
        let error = load_with("redis_url = \"http://cache:6379\"\n", &[]).unwrap_err();
        assert!(error.to_string().contains("redis+unix://"), "{error}");
    }

    #[test]
    fn no_file_and_no_environment_gives_the_defaults() {
        let config = load_with("", &[]).unwrap();
        assert_eq!(config.listen, "0.0.0.0:4000".parse().unwrap());
        assert_eq!(config.data_dir, PathBuf::from("data"));
        assert!(config.database_url.is_none() && config.redis_url.is_none());
        assert!(config.migrate_on_start);
    }

    #[test]
    fn environment_overrides_the_file() {
        let config = load_with(
            "listen = \"127.0.0.1:1\"\n[log]\nformat = \"json\"\n",
            &[
                ("SWITCHYARD_LISTEN", "127.0.0.1:9000"),
                ("SWITCHYARD_LOG__LEVEL", "debug"),
            ],
        )
        .unwrap();
        assert_eq!(config.listen, "127.0.0.1:9000".parse().unwrap());
        assert_eq!(config.log.format, LogFormat::Json);
        assert_eq!(config.log.level, "debug");
    }

    #[test]
    fn litellm_master_key_is_an_alias_and_switchyard_wins() {
        let litellm = format!("sk-{}", "a".repeat(32));
        let ours = format!("sk-{}", "b".repeat(32));
        let config = load_with("", &[("LITELLM_MASTER_KEY", &litellm)]).unwrap();
        assert_eq!(config.master_key.unwrap().expose_secret(), litellm);
        let config = load_with(
            "",
            &[
                ("LITELLM_MASTER_KEY", &litellm),
                ("SWITCHYARD_MASTER_KEY", &ours),
            ],
        )
        .unwrap();
        assert_eq!(config.master_key.unwrap().expose_secret(), ours);
    }

    #[test]
    fn an_unknown_key_is_named() {
        let error = load_with("listen_addr = \"x\"\n", &[])
            .unwrap_err()
            .to_string();
        assert!(error.contains("listen_addr"), "{error}");
    }

    #[test]
    fn a_malformed_value_names_the_key_and_what_was_expected() {
        let error = load_with("", &[("SWITCHYARD_LISTEN", "not-an-address")])
            .unwrap_err()
            .to_string();
        assert!(error.to_lowercase().contains("listen"), "{error}");
        assert!(error.contains("socket address"), "{error}");
    }

    #[test]
    fn a_short_master_key_is_rejected() {
        let error = load_with("master_key = \"sk-short\"\n", &[])
            .unwrap_err()
            .to_string();
        assert!(error.contains("master_key"), "{error}");
        assert!(
            !error.contains("sk-short"),
            "the secret must not be echoed: {error}"
        );
    }

    #[test]
    fn secrets_never_print_in_debug() {
        let key = format!("sk-{}", "s".repeat(40));
        let config = load_with(
            "",
            &[
                ("SWITCHYARD_MASTER_KEY", &key),
                ("SWITCHYARD_DATABASE_URL", "postgres://u:hunter2@db/x"),
                ("SWITCHYARD_REDIS_URL", "redis://:hunter3@cache"),
            ],
        )
        .unwrap();
        let debug = format!("{config:?}");
        assert!(!debug.contains(&key) && !debug.contains("hunter2") && !debug.contains("hunter3"));
        assert!(debug.contains("REDACTED"), "{debug}");
    }
}
