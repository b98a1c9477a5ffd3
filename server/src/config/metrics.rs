//! The `[metrics]` section: where Prometheus scrapes, who may, and how fine the series are.
//! `/metrics` names models, clusters and (when asked) keys and their owners, whose ids are
//! often e-mail addresses: it is not for anonymous callers.

use std::net::SocketAddr;

use secrecy::SecretString;
use serde::Deserialize;

/// The metrics endpoint.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct MetricsConfig {
    /// A separate address (the deployment's metrics port) serving `/metrics` without a
    /// credential, and the health probes, which answer there even while the main listener is
    /// at its connection cap. When set, the main listener does not serve `/metrics`.
    pub listen: Option<SocketAddr>,
    /// A bearer token that may read `/metrics` on the main listener, besides the master key.
    pub token: Option<SecretString>,
    /// Label per-request series with the key's hash and alias and its owner's id, as
    /// LiteLLM's dashboards expect, and export per-key budget gauges. Off by default: those
    /// labels are left empty.
    pub per_key_labels: bool,
}
