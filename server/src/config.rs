//! Configuration: defaults, then an optional `switchyard.toml`, then `SWITCHYARD_…` variables,
//! then command-line flags. Every setting has a default, so no file is needed.
//!
//! Unknown keys and malformed values stop start-up with a message naming the key, the source
//! and what was expected. Secrets are [`SecretString`]s: they print as `[REDACTED]`.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use figment::Figment;
use figment::providers::{Env, Format, Serialized, Toml};
use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Serialize};

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
    /// Database pool settings.
    pub database: DatabaseConfig,
    /// Logging.
    pub log: LogConfig,
}

/// Database pool settings.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct DatabaseConfig {
    /// Largest number of pooled connections.
    pub max_connections: u32,
    /// Seconds to wait for a connection before reporting the database unreachable.
    pub connect_timeout_seconds: u64,
}

/// Log output.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct LogConfig {
    /// A tracing filter such as `info` or `switchyard_server=debug,info`; `RUST_LOG` wins.
    pub level: String,
    /// `text` for people, `json` for log collectors.
    pub format: LogFormat,
}

/// How log lines are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    /// Human-readable lines.
    Text,
    /// One JSON object per line.
    Json,
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
            database: DatabaseConfig::default(),
            log: LogConfig::default(),
        }
    }
}

impl Default for DatabaseConfig {
    fn default() -> Self {
        Self {
            max_connections: 20,
            connect_timeout_seconds: 5,
        }
    }
}

impl Default for LogConfig {
    fn default() -> Self {
        Self {
            level: "info".into(),
            format: LogFormat::Text,
        }
    }
}

/// Settings given on the command line, which win over every other source.
#[derive(Debug, Default, Clone)]
pub struct Overrides {
    /// The configuration file to read.
    pub file: Option<PathBuf>,
    /// `--data-dir`.
    pub data_dir: Option<PathBuf>,
    /// `--listen`.
    pub listen: Option<SocketAddr>,
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
        let file = match &overrides.file {
            Some(path) => {
                std::fs::metadata(path).map_err(|source| ConfigError::File {
                    path: path.clone(),
                    source,
                })?;
                Some(path.clone())
            }
            None => Some(PathBuf::from(DEFAULT_FILE)).filter(|p| p.exists()),
        };
        Self::from_figment(figment(file.as_deref(), overrides))
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
            if !(url.starts_with("redis://") || url.starts_with("rediss://")) {
                return Err(ConfigError::Invalid(
                    "redis_url (SWITCHYARD_REDIS_URL): expected a redis://… or rediss://… URL"
                        .into(),
                ));
            }
        }
        if self.database.max_connections == 0 {
            return Err(ConfigError::Invalid(
                "database.max_connections: expected at least 1".into(),
            ));
        }
        Ok(())
    }
}

/// The layered sources: defaults < file < `LITELLM_MASTER_KEY` < `SWITCHYARD_…` < flags.
fn figment(file: Option<&Path>, overrides: &Overrides) -> Figment {
    let mut figment = Figment::new();
    if let Some(file) = file {
        figment = figment.merge(Toml::file_exact(file));
    }
    figment = figment
        .merge(
            Env::raw()
                .only(&["LITELLM_MASTER_KEY"])
                .map(|_| "master_key".into()),
        )
        .merge(Env::prefixed("SWITCHYARD_").ignore(&["CONFIG"]).split("__"));
    if let Some(dir) = &overrides.data_dir {
        figment = figment.merge(Serialized::default("data_dir", dir));
    }
    if let Some(listen) = &overrides.listen {
        figment = figment.merge(Serialized::default("listen", listen));
    }
    figment
}

#[cfg(test)]
mod tests {
    use super::*;

    // figment's Jail fixes the closure's error type.
    #[allow(clippy::result_large_err)]
    fn load_with(toml: &str, env: &[(&str, &str)]) -> Result<Config, ConfigError> {
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
