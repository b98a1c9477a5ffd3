//! The `[[guardrails]]` section: checks on requests and answers, declared like LiteLLM's
//! `litellm_content_filter` guardrails (a name, a mode, prebuilt or custom patterns and
//! blocked words, each with its action), or asking a moderation model served through the
//! gateway (Llama Guard on vLLM, say). The patterns are compiled by `crate::guardrail` at
//! start, which refuses an unknown prebuilt name or a bad expression before serving.

use serde::{Deserialize, Serialize};

use super::ConfigError;

/// A guardrail declared in configuration (`[[guardrails]]`).
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct GuardrailConfig {
    /// The name `/guardrails/list` shows, keys list in their `guardrails` metadata, and a
    /// blocked request's error names.
    pub guardrail_name: String,
    /// The kind: `litellm_content_filter`, or `moderation` (ask `model`, a Llama Guard-style
    /// model answering `safe` or `unsafe` and its categories).
    #[serde(default = "content_filter")]
    pub guardrail: String,
    /// `pre_call` (the request's messages, prompt or input) or `post_call` (the answer,
    /// streams included).
    pub mode: String,
    /// Runs on every request; otherwise only for the `models` listed and for keys whose
    /// metadata lists it.
    #[serde(default)]
    pub default_on: bool,
    /// Models (public names) it runs for.
    #[serde(default)]
    pub models: Vec<String>,
    /// What it looks for.
    #[serde(default)]
    pub patterns: Vec<PatternConfig>,
    /// Words or phrases it looks for (whole words, any case).
    #[serde(default)]
    pub blocked_words: Vec<BlockedWordConfig>,
    /// A moderation guardrail's model: a public model name served through this gateway.
    #[serde(default)]
    pub model: Option<String>,
}

/// One pattern of a content filter.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct PatternConfig {
    /// `prebuilt` (name one with `pattern_name`) or `regex` (give `pattern`).
    pub pattern_type: String,
    /// A prebuilt pattern: `us_ssn`, `credit_card`, `email`, `aws_access_key`,
    /// `github_token`, `private_key`.
    #[serde(default)]
    pub pattern_name: Option<String>,
    /// A custom regular expression (Rust `regex` syntax).
    #[serde(default)]
    pub pattern: Option<String>,
    /// A custom pattern's name, shown in errors and masks.
    #[serde(default)]
    pub name: Option<String>,
    /// `BLOCK` or `MASK` (any case).
    pub action: String,
    /// For a custom pattern on a stream: how many characters of the answer to hold back so a
    /// match split across chunks is still found (the longest text that can begin a match
    /// before the pattern matches at all).
    #[serde(default)]
    pub stream_hold_chars: Option<usize>,
}

/// A blocked word or phrase.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct BlockedWordConfig {
    pub keyword: String,
    /// `BLOCK` or `MASK` (any case).
    pub action: String,
    /// Why it is blocked (for the reader of the configuration).
    #[serde(default)]
    pub description: Option<String>,
}

fn content_filter() -> String {
    "litellm_content_filter".into()
}

/// Refuses two guardrails with one name.
pub(super) fn validate(guardrails: &[GuardrailConfig]) -> Result<(), ConfigError> {
    let mut seen = std::collections::HashSet::new();
    for guardrail in guardrails {
        if guardrail.guardrail_name.trim().is_empty() {
            return Err(ConfigError::Invalid(
                "guardrails: `guardrail_name` must not be empty".into(),
            ));
        }
        if !seen.insert(guardrail.guardrail_name.as_str()) {
            return Err(ConfigError::Invalid(format!(
                "guardrails: `{}` is declared twice",
                guardrail.guardrail_name
            )));
        }
    }
    Ok(())
}
