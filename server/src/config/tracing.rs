//! The `[tracing]` section: where OpenTelemetry traces go (OTLP over HTTP), under which
//! service name, and how many are kept. Off unless an endpoint is set; read by telemetry at
//! start-up and by the router and gateway to decide whether to read and pass on `traceparent`.

use serde::Deserialize;

use super::ConfigError;

/// The path OTLP/HTTP receivers take spans on.
const TRACES_PATH: &str = "/v1/traces";

/// OpenTelemetry traces.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct TracingConfig {
    /// The OTLP/HTTP receiver (an OpenTelemetry Collector, Tempo, Jaeger), such as
    /// `http://otel-collector:4318`; `/v1/traces` is added unless the URL ends with it. None
    /// (the default) turns tracing off: no exporter, no `traceparent` read or sent.
    pub endpoint: Option<String>,
    /// The `service.name` of the exported spans.
    pub service_name: String,
    /// The share of new traces kept, 0.0 to 1.0. A request whose client sent a `traceparent`
    /// follows that trace's decision instead.
    pub sample_ratio: f64,
}

impl Default for TracingConfig {
    fn default() -> Self {
        Self {
            endpoint: None,
            service_name: "switchyard".into(),
            sample_ratio: 1.0,
        }
    }
}

impl TracingConfig {
    /// Whether traces are exported (and the trace context read and passed on).
    pub fn enabled(&self) -> bool {
        self.endpoint.is_some()
    }

    /// The URL spans are posted to, when tracing is on.
    pub fn traces_url(&self) -> Option<String> {
        let endpoint = self.endpoint.as_deref()?.trim_end_matches('/');
        Some(if endpoint.ends_with(TRACES_PATH) {
            endpoint.to_owned()
        } else {
            format!("{endpoint}{TRACES_PATH}")
        })
    }

    pub(super) fn validate(&self) -> Result<(), ConfigError> {
        if let Some(endpoint) = &self.endpoint
            && !(endpoint.starts_with("http://") || endpoint.starts_with("https://"))
        {
            return Err(ConfigError::Invalid(
                "tracing.endpoint: expected an http://… or https://… URL of an OTLP/HTTP \
                 receiver (port 4318 on an OpenTelemetry Collector)"
                    .into(),
            ));
        }
        if !(0.0..=1.0).contains(&self.sample_ratio) {
            return Err(ConfigError::Invalid(
                "tracing.sample_ratio: expected 0.0 to 1.0".into(),
            ));
        }
        if self.service_name.trim().is_empty() {
            return Err(ConfigError::Invalid(
                "tracing.service_name: expected a name".into(),
            ));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::super::tests::load_with;

    #[test]
    fn tracing_is_off_by_default_and_the_traces_path_is_added_once() {
        let config = load_with("", &[]).unwrap();
        assert!(!config.tracing.enabled());
        assert_eq!(config.tracing.traces_url(), None);
        for (endpoint, url) in [
            ("http://collector:4318", "http://collector:4318/v1/traces"),
            ("http://collector:4318/", "http://collector:4318/v1/traces"),
            (
                "https://tempo/otlp/v1/traces",
                "https://tempo/otlp/v1/traces",
            ),
        ] {
            let config =
                load_with(&format!("[tracing]\nendpoint = \"{endpoint}\"\n"), &[]).unwrap();
            assert!(config.tracing.enabled());
            assert_eq!(config.tracing.traces_url().as_deref(), Some(url));
        }
        let config = load_with(
            "",
            &[
                ("SWITCHYARD_TRACING__ENDPOINT", "http://collector:4318"),
                ("SWITCHYARD_TRACING__SAMPLE_RATIO", "0.25"),
            ],
        )
        .unwrap();
        assert_eq!(config.tracing.sample_ratio, 0.25);
        assert_eq!(config.tracing.service_name, "switchyard");
    }

    #[test]
    fn a_bad_endpoint_or_ratio_is_named() {
        for (toml, named) in [
            (
                "[tracing]\nendpoint = \"collector:4317\"\n",
                "tracing.endpoint",
            ),
            ("[tracing]\nsample_ratio = 1.5\n", "tracing.sample_ratio"),
            ("[tracing]\nservice_name = \" \"\n", "tracing.service_name"),
            ("[tracing]\nprotocol = \"grpc\"\n", "protocol"),
        ] {
            let error = load_with(toml, &[]).unwrap_err().to_string();
            assert!(error.contains(named), "{error}");
        }
    }
}
