//! The `[[models]]` section: models declared in configuration (kept in Git) with their
//! deployments, and the checks that refuse a bad declaration before start rather than at the
//! first request.

use std::collections::HashSet;

use secrecy::SecretString;
use serde::Deserialize;

use super::ConfigError;

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
    /// `chat`, `completion`, `embeddings`, `document_conversion`, `tokenize`, `vision`, `tools`,
    /// `rerank`, `audio_transcription`, `messages` (its servers speak the Anthropic Messages
    /// API themselves).
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
    /// Price of one second of audio heard, for speech-to-text models (LiteLLM's name); when
    /// set, transcriptions that report their duration are billed by it instead of by token.
    #[serde(default)]
    pub input_cost_per_second: f64,
    /// Needs an admin's approval to subscribe.
    #[serde(default)]
    pub restricted: bool,
    /// LiteLLM access groups: an admin-API key listing one of them reaches this model.
    #[serde(default)]
    pub access_groups: Vec<String>,
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

/// Checks the declared models: unique non-empty names, prices of 0 or more, and at least one
/// deployment each, on distinct http(s) URLs with a cluster name and a weight of 1 or more.
pub(super) fn validate(models: &[ModelConfig]) -> Result<(), ConfigError> {
    let invalid = |message: String| Err(ConfigError::Invalid(message));
    let mut names = HashSet::new();
    for (i, model) in models.iter().enumerate() {
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
            ("input_cost_per_second", model.input_cost_per_second),
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
        let mut bases = HashSet::new();
        for (j, deployment) in model.deployments.iter().enumerate() {
            let url = deployment.api_base.as_str();
            if !bases.insert(url.trim_end_matches('/')) {
                return invalid(format!(
                    "{at}.deployments[{j}].api_base: another deployment of this model \
                     already uses {url}"
                ));
            }
            if let Err(reason) = schema::catalog::api_base(url) {
                return invalid(format!("{at}.deployments[{j}].api_base {reason}"));
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

#[cfg(test)]
mod tests {
    use crate::config::tests::load_with;

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
    fn a_base_url_with_a_bad_port_is_refused_before_start() {
        let toml = "[[models]]\nname = \"m\"\n[[models.deployments]]\ncluster = \"a\"\n\
                    api_base = \"http://x:80a/v1\"\n";
        let error = load_with(toml, &[]).unwrap_err().to_string();
        assert!(
            error.contains("deployments[0].api_base has a port that is not a number"),
            "{error}"
        );
        // Spaces around it would be sent: refused too, not trimmed here and there.
        let toml = toml.replace("http://x:80a/v1", " http://x:80/v1");
        let error = load_with(&toml, &[]).unwrap_err().to_string();
        assert!(
            error.contains("deployments[0].api_base must not start or end with spaces"),
            "{error}"
        );
    }
}
