//! The `[gateway]` section: how the `/v1` gateway talks to model servers (body limit, retries,
//! timeouts, cooldown, health checks, credentials at rest). Its own file so the gateway's knobs
//! are read in one place, apart from sign-in and quota settings.

use std::path::PathBuf;

use secrecy::SecretString;
use serde::Deserialize;

/// The `/v1` gateway's behaviour.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct GatewayConfig {
    /// Largest accepted JSON request body on `/v1`, in bytes (413 above it).
    pub max_body_bytes: usize,
    /// Largest accepted upload (Docling conversions, speech to text), in bytes (413 above it).
    pub max_upload_bytes: usize,
    /// Most upload bytes held in memory at once across all requests: an upload reserves its
    /// declared length (the whole `max_upload_bytes` when it declares none) before it is
    /// read, and waits for no one: beyond this, 503 at once.
    pub max_upload_bytes_in_flight: usize,
    /// Most streamed answers relayed at once (each holds a client connection, a model-server
    /// connection and a few KiB of buffers): beyond this, 503 at once, so a flood of streams
    /// meets a clear error before the process runs out of descriptors or memory.
    pub max_streams: usize,
    /// Most JSON values (array items and object members, nested) a `/v1` request body may
    /// hold (413 above it): each costs memory once parsed, far more than its bytes.
    pub max_json_values: usize,
    /// Most looked-up keys (and keys found to match nothing) kept in memory, at about 200
    /// bytes each; more evict the oldest.
    pub key_cache_entries: usize,
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
    /// Seconds between reads of the configuration file: when its contents change (a mounted
    /// ConfigMap updated, an edit), its models are applied as on SIGHUP. 0 turns it off.
    pub config_watch_seconds: u64,
    /// Key (base64 of 32 bytes) that encrypts model-server credentials at rest; required on
    /// a shared database once credentials are stored. Without it (embedded database only)
    /// the key is kept in `data_dir/credentials.key`.
    pub credentials_key: Option<SecretString>,
    /// PEM file of certificate authorities trusted for model servers besides the public web
    /// roots (a cluster's service CA, for instance).
    pub ca_file: Option<PathBuf>,
}

impl Default for GatewayConfig {
    fn default() -> Self {
        Self {
            max_body_bytes: 16 * 1024 * 1024,
            max_upload_bytes: 64 * 1024 * 1024,
            max_upload_bytes_in_flight: 512 * 1024 * 1024,
            max_streams: 8_000,
            max_json_values: 200_000,
            key_cache_entries: 100_000,
            max_retries: 2,
            connect_timeout_ms: 5_000,
            first_byte_timeout_ms: 120_000,
            total_timeout_ms: 600_000,
            cooldown_failures: 3,
            cooldown_window_seconds: 60,
            cooldown_seconds: 30,
            health_check_interval_seconds: 15,
            registry_poll_seconds: 2,
            config_watch_seconds: 10,
            credentials_key: None,
            ca_file: None,
        }
    }
}
