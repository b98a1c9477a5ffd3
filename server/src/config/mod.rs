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
    /// The `/v1` gateway: body limits, retries, timeouts, cooldown, health checks.
    pub gateway: GatewayConfig,
    /// Rate limits, parallel slots and budgets.
    pub quota: QuotaConfig,
    /// The spend ledger's writer.
    pub ledger: LedgerConfig,
    /// Sign-in: the public URL, sessions, local accounts, single sign-on.
    pub auth: AuthConfig,
    /// Models declared here (kept in Git), applied at start and on reload.
    pub models: Vec<ModelConfig>,
}

/// The `/v1` gateway's behaviour.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct GatewayConfig {
    /// Largest accepted request body, in bytes (413 above it).
    pub max_body_bytes: usize,
    /// How many other deployments to try after a failure before anything reached the client.
    pub max_retries: u32,
    /// Milliseconds to establish a connection to a model server.
    pub connect_timeout_ms: u64,
    /// Default milliseconds to wait for the model server's response headers.
    pub first_byte_timeout_ms: u64,
    /// Default milliseconds for a whole request, streaming included.
    pub total_timeout_ms: u64,
    /// Failures within `cooldown_window_seconds` that put a deployment in cooldown.
    pub cooldown_failures: u32,
    /// The window in which failures are counted.
    pub cooldown_window_seconds: u64,
    /// How long a failing deployment is left out of routing.
    pub cooldown_seconds: u64,
    /// Seconds between background health checks of every deployment (0 turns them off).
    pub health_check_interval_seconds: u64,
    /// Seconds between checks whether another replica changed the catalog.
    pub registry_poll_seconds: u64,
    /// Key (base64 of 32 bytes) that encrypts model-server credentials at rest. Without it
    /// the key is derived from the master key, or kept in `data_dir/credentials.key`.
    pub credentials_key: Option<SecretString>,
    /// PEM file of certificate authorities trusted for model servers besides the public web
    /// roots (a cluster's service CA, for instance).
    pub ca_file: Option<std::path::PathBuf>,
}

impl Default for GatewayConfig {
    fn default() -> Self {
        Self {
            max_body_bytes: 64 * 1024 * 1024,
            max_retries: 2,
            connect_timeout_ms: 5_000,
            first_byte_timeout_ms: 120_000,
            total_timeout_ms: 600_000,
            cooldown_failures: 3,
            cooldown_window_seconds: 60,
            cooldown_seconds: 30,
            health_check_interval_seconds: 15,
            registry_poll_seconds: 2,
            credentials_key: None,
            ca_file: None,
        }
    }
}

/// What the quota engine does when a configured Redis fails.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum RedisFailure {
    /// Keep serving with this replica's own counters until Redis answers again.
    PerReplica,
    /// Refuse limited requests with 503 until Redis answers again.
    Reject,
}

/// Rate limits, parallel slots and budgets.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct QuotaConfig {
    /// What to do while Redis is unreachable: `per-replica` (default) or `reject`.
    pub redis_failure: RedisFailure,
    /// Seconds a parallel-request slot lives without renewal (a replica that dies frees its
    /// slots after this long); live requests renew theirs.
    pub lease_seconds: u64,
    /// Completion tokens assumed for a budget reservation when a request sets no `max_tokens`.
    pub default_max_tokens: u64,
    /// Milliseconds to wait for Redis before treating it as failed.
    pub redis_timeout_ms: u64,
}

impl Default for QuotaConfig {
    fn default() -> Self {
        Self {
            redis_failure: RedisFailure::PerReplica,
            lease_seconds: 30,
            default_max_tokens: 4_096,
            redis_timeout_ms: 250,
        }
    }
}

/// The spend ledger's writer.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct LedgerConfig {
    /// Most settled requests held in memory while the database cannot be written; when
    /// full, new `/v1` requests are refused (503) rather than served without a record.
    pub max_buffered: usize,
    /// Milliseconds between writes (at most 1,000, so spend is recorded within a second).
    pub flush_ms: u64,
}

impl Default for LedgerConfig {
    fn default() -> Self {
        Self {
            max_buffered: 200_000,
            flush_ms: 250,
        }
    }
}

/// Sign-in: sessions, local accounts and single sign-on (`[auth]`, `[auth.oidc]`).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct AuthConfig {
    /// The portal's public URL (`https://portal.example.com`): the OIDC redirect URI, the
    /// origin mutations must come from, and `Secure` cookies plus HSTS when it is https.
    /// Without it, the origin is taken from each request's `Host` and cookies are not `Secure`.
    pub public_url: Option<String>,
    /// Local accounts (name and password). Default: on, unless OIDC is configured.
    pub local_accounts: Option<bool>,
    /// The bootstrap administrator's sign-in name, created at first start with local accounts.
    pub bootstrap_admin: String,
    /// Their password (12 characters or more); when unset one is generated and printed once.
    pub bootstrap_password: Option<SecretString>,
    /// Minutes of inactivity after which a session ends.
    pub session_idle_minutes: u64,
    /// Hours after sign-in at which a session ends, used or not.
    pub session_max_hours: u64,
    /// Failed passwords for one account name before sign-in is refused for a while.
    pub login_max_failures: u32,
    /// Minutes sign-in stays refused after that.
    pub login_lockout_minutes: u64,
    /// Single sign-on with an OpenID provider.
    pub oidc: Option<OidcConfig>,
}

impl Default for AuthConfig {
    fn default() -> Self {
        Self {
            public_url: None,
            local_accounts: None,
            bootstrap_admin: "admin".into(),
            bootstrap_password: None,
            session_idle_minutes: 8 * 60,
            session_max_hours: 7 * 24,
            login_max_failures: 5,
            login_lockout_minutes: 15,
            oidc: None,
        }
    }
}

impl AuthConfig {
    /// Whether local accounts are on: as configured, else on only without OIDC.
    pub fn local_accounts_enabled(&self) -> bool {
        self.local_accounts.unwrap_or(self.oidc.is_none())
    }

    /// The public URL without a trailing slash.
    pub fn public_base(&self) -> Option<&str> {
        self.public_url
            .as_deref()
            .map(|url| url.trim_end_matches('/'))
    }

    /// Whether the portal is served over https (cookies get `Secure`, responses HSTS).
    pub fn https(&self) -> bool {
        self.public_base()
            .is_some_and(|url| url.starts_with("https://"))
    }
}

/// An OpenID provider for single sign-on (`[auth.oidc]`).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OidcConfig {
    /// The issuer URL; discovery reads `{issuer_url}/.well-known/openid-configuration`.
    pub issuer_url: String,
    /// This portal's client id at the provider.
    pub client_id: String,
    /// Its client secret (confidential client).
    pub client_secret: Option<SecretString>,
    /// What the sign-in button says.
    #[serde(default = "default_provider_name")]
    pub display_name: String,
    /// Scopes asked for besides `openid`.
    #[serde(default = "default_scopes")]
    pub scopes: Vec<String>,
    /// The claim (in userinfo or the ID token) that lists the person's groups.
    #[serde(default = "default_groups_claim")]
    pub groups_claim: String,
    /// Members of these groups are `admin`.
    #[serde(default)]
    pub admin_groups: Vec<String>,
    /// Members of these groups are `admin-readonly`.
    #[serde(default)]
    pub readonly_groups: Vec<String>,
    /// When not empty, only members of these groups (or of an admin group) may sign in.
    #[serde(default)]
    pub allowed_groups: Vec<String>,
    /// Minutes the provider's discovery document is cached before it is fetched again.
    #[serde(default = "default_discovery_minutes")]
    pub discovery_refresh_minutes: u64,
}

fn default_provider_name() -> String {
    "Single sign-on".into()
}

fn default_scopes() -> Vec<String> {
    vec!["email".into(), "profile".into(), "groups".into()]
}

fn default_groups_claim() -> String {
    "groups".into()
}

fn default_discovery_minutes() -> u64 {
    60
}

/// A model declared in configuration (`[[models]]`).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ModelConfig {
    /// The public name requests use; may contain `/`.
    pub name: String,
    /// What it is, for the catalog.
    #[serde(default)]
    pub description: Option<String>,
    /// `openai`, `hosted_vllm`, `docling`, ...
    #[serde(default = "default_provider")]
    pub provider: String,
    /// `chat`, `completion`, `embeddings`, `document_conversion`, `tokenize`, `vision`, `tools`.
    #[serde(default)]
    pub capabilities: Vec<String>,
    /// Context window in tokens.
    #[serde(default)]
    pub context_length: Option<i64>,
    /// Price of one prompt token (for example 2.0e-7).
    #[serde(default)]
    pub input_cost_per_token: f64,
    /// Price of one completion token.
    #[serde(default)]
    pub output_cost_per_token: f64,
    /// Needs an admin's approval to subscribe.
    #[serde(default)]
    pub restricted: bool,
    /// Where the model is served.
    pub deployments: Vec<DeploymentConfig>,
}

/// One deployment of a declared model.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DeploymentConfig {
    /// The cluster's name, such as `aws` or `gaudi`.
    pub cluster: String,
    /// The model server's OpenAI base URL, such as `https://host/v1`.
    pub api_base: String,
    /// The name the model server knows; defaults to the public name.
    #[serde(default)]
    pub backend_model: Option<String>,
    /// The model server's API key, if it wants one.
    #[serde(default)]
    pub api_key: Option<SecretString>,
    /// Share of traffic relative to the model's other deployments.
    #[serde(default = "default_weight")]
    pub weight: u32,
    /// Milliseconds to wait for response headers (default: the gateway's).
    #[serde(default)]
    pub first_byte_timeout_ms: Option<u64>,
    /// Milliseconds for the whole request (default: the gateway's).
    #[serde(default)]
    pub timeout_ms: Option<u64>,
    /// Most requests in flight on this deployment from one replica.
    #[serde(default)]
    pub max_parallel_requests: Option<u32>,
}

fn default_provider() -> String {
    "openai".into()
}

fn default_weight() -> u32 {
    1
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
            gateway: GatewayConfig::default(),
            quota: QuotaConfig::default(),
            ledger: LedgerConfig::default(),
            auth: AuthConfig::default(),
            models: Vec::new(),
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
        self.validate_models()?;
        self.validate_auth()?;
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

impl Config {
    fn validate_auth(&self) -> Result<(), ConfigError> {
        let auth = &self.auth;
        let invalid = |message: &str| Err(ConfigError::Invalid(message.to_owned()));
        if let Some(url) = auth.public_base()
            && !(url.starts_with("http://") || url.starts_with("https://"))
        {
            return invalid("auth.public_url: expected an http:// or https:// URL");
        }
        if auth.session_idle_minutes == 0 || auth.session_max_hours == 0 {
            return invalid(
                "auth.session_idle_minutes and auth.session_max_hours: expected 1 or more",
            );
        }
        if auth.bootstrap_admin.trim().is_empty() {
            return invalid("auth.bootstrap_admin: expected a sign-in name");
        }
        if let Some(password) = &auth.bootstrap_password
            && password.expose_secret().chars().count() < 12
        {
            return invalid("auth.bootstrap_password: expected at least 12 characters");
        }
        if let Some(oidc) = &auth.oidc {
            if auth.public_url.is_none() {
                return invalid(
                    "auth.public_url: required with [auth.oidc], for the redirect URI                      ({public_url}/auth/callback) registered at the provider",
                );
            }
            if !(oidc.issuer_url.starts_with("http://") || oidc.issuer_url.starts_with("https://"))
            {
                return invalid("auth.oidc.issuer_url: expected an http:// or https:// URL");
            }
            if oidc.client_id.trim().is_empty() {
                return invalid("auth.oidc.client_id: expected the portal's client id");
            }
        }
        Ok(())
    }

    fn validate_models(&self) -> Result<(), ConfigError> {
        let invalid = |message: String| Err(ConfigError::Invalid(message));
        let mut names = std::collections::HashSet::new();
        for (i, model) in self.models.iter().enumerate() {
            let at = format!("models[{i}] ({})", model.name);
            if model.name.trim().is_empty() {
                return invalid(format!("models[{i}].name: expected a non-empty name"));
            }
            if !names.insert(model.name.as_str()) {
                return invalid(format!("{at}: the name is declared twice"));
            }
            for (field, price) in [
                ("input_cost_per_token", model.input_cost_per_token),
                ("output_cost_per_token", model.output_cost_per_token),
            ] {
                if !price.is_finite() || price < 0.0 {
                    return invalid(format!("{at}.{field}: expected a price of 0 or more"));
                }
            }
            if model.deployments.is_empty() {
                return invalid(format!(
                    "{at}.deployments: expected at least one deployment"
                ));
            }
            let mut bases = std::collections::HashSet::new();
            for (j, deployment) in model.deployments.iter().enumerate() {
                let url = deployment.api_base.as_str();
                if !bases.insert(url.trim_end_matches('/')) {
                    return invalid(format!(
                        "{at}.deployments[{j}].api_base: another deployment of this model \
                         already uses {url}"
                    ));
                }
                if !(url.starts_with("http://") || url.starts_with("https://")) {
                    return invalid(format!(
                        "{at}.deployments[{j}].api_base: expected an http:// or https:// URL"
                    ));
                }
                if deployment.cluster.trim().is_empty() {
                    return invalid(format!("{at}.deployments[{j}].cluster: expected a name"));
                }
                if deployment.weight == 0 {
                    return invalid(format!("{at}.deployments[{j}].weight: expected 1 or more"));
                }
            }
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

    #[test]
    fn two_deployments_of_a_model_on_one_url_are_refused_before_start() {
        let toml = "[[models]]\nname = \"m\"\n[[models.deployments]]\ncluster = \"a\"\n\
                    api_base = \"http://x/v1\"\n[[models.deployments]]\ncluster = \"b\"\n\
                    api_base = \"http://x/v1/\"\n";
        let error = load_with(toml, &[]).unwrap_err().to_string();
        assert!(
            error.contains("deployments[1].api_base") && error.contains("already uses"),
            "{error}"
        );
    }

    #[test]
    fn sign_in_settings_are_checked_and_secrets_stay_hidden() {
        let oidc = "[auth.oidc]\nissuer_url = \"https://sso.example\"\nclient_id = \"sy\"\n\
                    client_secret = \"hunter4\"\n";
        let error = load_with(oidc, &[]).unwrap_err().to_string();
        assert!(
            error.contains("auth.public_url"),
            "OIDC needs the public URL: {error}"
        );
        let config = load_with(
            &format!("[auth]\npublic_url = \"https://portal.example/\"\n{oidc}"),
            &[],
        )
        .unwrap();
        assert!(
            !config.auth.local_accounts_enabled(),
            "off with OIDC unless asked for"
        );
        assert!(config.auth.https());
        assert_eq!(config.auth.public_base(), Some("https://portal.example"));
        assert!(!format!("{config:?}").contains("hunter4"));
        let short = load_with("[auth]\nbootstrap_password = \"short\"\n", &[]);
        assert!(
            short
                .unwrap_err()
                .to_string()
                .contains("bootstrap_password")
        );
        assert!(load_with("", &[]).unwrap().auth.local_accounts_enabled());
    }
}
