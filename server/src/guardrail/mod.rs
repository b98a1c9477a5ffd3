//! Guardrails: checks on a request before it reaches a model server (`pre_call`) and on the
//! answer (`post_call`, streams included), declared like LiteLLM's `litellm_content_filter`.
//! A guardrail is a set of patterns (prebuilt or custom regular expressions, blocked words),
//! each of which blocks the request or masks what it matched. The gateway asks which
//! guardrails run for a request ([`Guardrails::active`]), scans the request's text
//! ([`Scanner::request`]) and the answer's ([`Scanner::answer`], or a [`StreamMasker`] chunk by
//! chunk). This module knows nothing of HTTP; a [`Blocked`] becomes a 403 in the gateway.

mod moderation;
mod patterns;
mod set;
mod stream;

use std::sync::Arc;

use regex::{Regex, RegexBuilder};
use serde_json::Value;

use crate::config::GuardrailConfig;
pub use moderation::{Verdict, conversation};
pub use set::GuardrailSet;
pub use stream::StreamMasker;

/// When a guardrail runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// On the request, before anything is sent.
    PreCall,
    /// On the answer.
    PostCall,
}

impl Mode {
    /// LiteLLM's name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::PreCall => "pre_call",
            Self::PostCall => "post_call",
        }
    }
}

/// What a match does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    Block,
    Mask,
}

impl Action {
    /// The lower-case name, as counted in metrics.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Block => "block",
            Self::Mask => "mask",
        }
    }
}

/// One thing a guardrail looks for.
struct Pattern {
    name: String,
    regex: Regex,
    /// A check the expression cannot make (Luhn, unassigned SSN ranges).
    valid: fn(&str) -> bool,
    action: Action,
    /// How much of a stream to hold back for this pattern.
    hold: usize,
    /// What a masked match becomes.
    mask: String,
}

/// A guardrail, compiled.
pub struct Guardrail {
    pub name: String,
    /// Its kind (`litellm_content_filter`).
    pub kind: String,
    pub mode: Mode,
    pub default_on: bool,
    /// Models it runs for besides `default_on` and keys that list it.
    pub models: Vec<String>,
    patterns: Vec<Pattern>,
    /// A moderation guardrail's model (it has no patterns).
    pub moderation_model: Option<String>,
    /// Managed by administrators (stored), not declared in configuration.
    pub stored: bool,
}

impl std::fmt::Debug for Guardrail {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Guardrail")
            .field("name", &self.name)
            .field("mode", &self.mode)
            .finish_non_exhaustive()
    }
}

impl Guardrail {
    /// The names of its patterns, for `/guardrails/list`.
    pub fn pattern_names(&self) -> impl Iterator<Item = &str> {
        self.patterns.iter().map(|p| p.name.as_str())
    }
}

/// A request or answer a guardrail refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Blocked {
    /// The guardrail's name.
    pub guardrail: String,
    /// The pattern that matched (never the matched text).
    pub pattern: String,
}

impl Blocked {
    /// The sentence a client reads.
    pub fn message(&self) -> String {
        format!(
            "blocked by guardrail `{}`: {} detected",
            self.guardrail, self.pattern
        )
    }
}

/// What a guardrail did to a request or answer that went on.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Masked {
    /// The guardrails that masked something, each once.
    pub guardrails: Vec<String>,
}

impl Masked {
    fn note(&mut self, guardrail: &str) {
        if !self.guardrails.iter().any(|g| g == guardrail) {
            self.guardrails.push(guardrail.to_owned());
        }
    }

    /// Whether anything was masked.
    pub fn any(&self) -> bool {
        !self.guardrails.is_empty()
    }
}

/// Every configured guardrail.
#[derive(Debug, Default)]
pub struct Guardrails {
    list: Vec<Arc<Guardrail>>,
}

/// A bad guardrail declaration.
#[derive(Debug, thiserror::Error)]
#[error("guardrail `{guardrail}`: {problem}")]
pub struct BuildError {
    guardrail: String,
    problem: String,
}

/// Largest compiled size of a custom expression (the `regex` crate's own default is 10 MB).
const CUSTOM_REGEX_BYTES: usize = 1 << 20;

/// How much of a stream a custom pattern holds back unless it says.
const CUSTOM_HOLD: usize = 64;

fn action(given: &str) -> Option<Action> {
    match given.to_ascii_lowercase().as_str() {
        "block" => Some(Action::Block),
        "mask" => Some(Action::Mask),
        _ => None,
    }
}

fn compile(expression: &str) -> Result<Regex, String> {
    RegexBuilder::new(expression)
        .size_limit(CUSTOM_REGEX_BYTES)
        .build()
        .map_err(|error| format!("cannot compile `{expression}`: {error}"))
}

fn mask_of(name: &str) -> String {
    format!("[{}_REDACTED]", name.to_ascii_uppercase())
}

fn always(_: &str) -> bool {
    true
}

fn build_one(config: &GuardrailConfig) -> Result<Guardrail, String> {
    let mode = match config.mode.as_str() {
        "pre_call" => Mode::PreCall,
        "post_call" => Mode::PostCall,
        other => return Err(format!("mode `{other}` is not `pre_call` or `post_call`")),
    };
    let moderation_model = match (config.guardrail.as_str(), &config.model) {
        ("litellm_content_filter", None) => None,
        ("litellm_content_filter", Some(_)) => {
            return Err("a content filter has no `model`; `guardrail = \"moderation\"` has".into());
        }
        ("moderation", None) => return Err("a moderation guardrail needs `model`".into()),
        ("moderation", Some(_)) if mode != Mode::PreCall => {
            return Err("a moderation guardrail runs `pre_call`".into());
        }
        ("moderation", Some(_))
            if !config.patterns.is_empty() || !config.blocked_words.is_empty() =>
        {
            return Err("a moderation guardrail has no `patterns` or `blocked_words`".into());
        }
        ("moderation", Some(model)) => Some(model.clone()),
        (other, _) => {
            return Err(format!(
                "unknown kind `{other}`; the kinds are `litellm_content_filter` and `moderation`"
            ));
        }
    };
    let mut patterns = Vec::new();
    for given in &config.patterns {
        let action = action(&given.action)
            .ok_or_else(|| format!("action `{}` is not BLOCK or MASK", given.action))?;
        let pattern = match (
            given.pattern_type.as_str(),
            &given.pattern_name,
            &given.pattern,
        ) {
            ("prebuilt", Some(name), None) => {
                let prebuilt = patterns::prebuilt(name).ok_or_else(|| {
                    let known: Vec<&str> = patterns::PREBUILT.iter().map(|p| p.name).collect();
                    format!(
                        "no prebuilt pattern `{name}`; there are {}",
                        known.join(", ")
                    )
                })?;
                Pattern {
                    name: prebuilt.name.to_owned(),
                    regex: compile(prebuilt.regex)?,
                    valid: prebuilt.valid,
                    action,
                    hold: prebuilt.hold,
                    mask: mask_of(prebuilt.name),
                }
            }
            ("regex", None, Some(expression)) => {
                let name = given
                    .name
                    .clone()
                    .unwrap_or_else(|| "custom_pattern".into());
                let regex = compile(expression)?;
                if regex.is_match("") {
                    return Err(format!(
                        "`{expression}` matches empty text: it would match everywhere"
                    ));
                }
                Pattern {
                    mask: mask_of(&name),
                    name,
                    regex,
                    valid: always,
                    action,
                    hold: given.stream_hold_chars.unwrap_or(CUSTOM_HOLD),
                }
            }
            _ => {
                return Err(
                    "a pattern is `pattern_type = \"prebuilt\"` with `pattern_name`, or \
                     `pattern_type = \"regex\"` with `pattern`"
                        .into(),
                );
            }
        };
        patterns.push(pattern);
    }
    for word in &config.blocked_words {
        let action = action(&word.action)
            .ok_or_else(|| format!("action `{}` is not BLOCK or MASK", word.action))?;
        let keyword = word.keyword.trim();
        if keyword.is_empty() {
            return Err("a blocked word is empty".into());
        }
        let word_char = |c: Option<char>| c.is_some_and(|c| c.is_alphanumeric() || c == '_');
        let edge = |c| if word_char(c) { r"\b" } else { "" };
        let expression = format!(
            "(?i){}{}{}",
            edge(keyword.chars().next()),
            regex::escape(keyword),
            edge(keyword.chars().last())
        );
        patterns.push(Pattern {
            name: "blocked_word".into(),
            regex: compile(&expression)?,
            valid: always,
            action,
            hold: keyword.chars().count(),
            mask: mask_of("blocked_word"),
        });
    }
    if patterns.is_empty() && moderation_model.is_none() {
        return Err("it has no `patterns` and no `blocked_words`".into());
    }
    Ok(Guardrail {
        name: config.guardrail_name.clone(),
        kind: config.guardrail.clone(),
        mode,
        default_on: config.default_on,
        models: config.models.clone(),
        patterns,
        moderation_model,
        stored: false,
    })
}

impl Guardrails {
    /// Compiles the configured guardrails, refusing an unknown kind, mode, action or
    /// prebuilt pattern and an expression that does not compile.
    pub fn build(configs: &[GuardrailConfig]) -> Result<Self, BuildError> {
        let list = configs
            .iter()
            .map(|config| {
                build_one(config)
                    .map(Arc::new)
                    .map_err(|problem| BuildError {
                        guardrail: config.guardrail_name.clone(),
                        problem,
                    })
            })
            .collect::<Result<_, _>>()?;
        Ok(Self { list })
    }

    /// Every guardrail, in configuration order.
    pub fn all(&self) -> &[Arc<Guardrail>] {
        &self.list
    }

    /// The guardrails of `mode` that run for a request on `model` by a key whose metadata
    /// lists `named`: those on by default, those for the model, and those the key names.
    pub fn active(&self, mode: Mode, model: &str, named: &[String]) -> Scanner {
        Scanner {
            rails: self
                .list
                .iter()
                .filter(|rail| rail.mode == mode)
                .filter(|rail| {
                    rail.default_on
                        || rail.models.iter().any(|m| m == model)
                        || named.iter().any(|n| *n == rail.name)
                })
                .cloned()
                .collect(),
        }
    }
}

/// One match in a text.
#[derive(Debug, Clone, Copy)]
struct Hit {
    start: usize,
    end: usize,
    rail: usize,
    pattern: usize,
}

/// The guardrails that run for one request, in one mode.
#[derive(Debug, Clone, Default)]
pub struct Scanner {
    rails: Vec<Arc<Guardrail>>,
}

impl Scanner {
    /// Whether no guardrail runs (the request pays nothing for guardrails).
    pub fn is_empty(&self) -> bool {
        self.rails.is_empty()
    }

    /// The moderation guardrails among them: (guardrail, model) pairs.
    pub fn moderators(&self) -> impl Iterator<Item = (&str, &str)> {
        self.rails.iter().filter_map(|rail| {
            rail.moderation_model
                .as_deref()
                .map(|model| (rail.name.as_str(), model))
        })
    }

    fn pattern(&self, hit: &Hit) -> (&Guardrail, &Pattern) {
        let rail = &self.rails[hit.rail];
        (rail, &rail.patterns[hit.pattern])
    }

    /// Every match in `text`, earliest first (overlapping ones included: a blocking match
    /// blocks even where a masking one overlaps it).
    fn all_hits(&self, text: &str) -> Vec<Hit> {
        let mut all = Vec::new();
        for (rail_index, rail) in self.rails.iter().enumerate() {
            for (pattern_index, pattern) in rail.patterns.iter().enumerate() {
                for found in pattern.regex.find_iter(text) {
                    if (pattern.valid)(found.as_str()) {
                        all.push(Hit {
                            start: found.start(),
                            end: found.end(),
                            rail: rail_index,
                            pattern: pattern_index,
                        });
                    }
                }
            }
        }
        all.sort_by(|a, b| a.start.cmp(&b.start).then(b.end.cmp(&a.end)));
        all
    }

    /// The matches to mask among `all` (sorted), never overlapping: of two that overlap, the
    /// one that starts first, or the longer one when both start together.
    fn resolve(all: &[Hit]) -> Vec<Hit> {
        let mut kept: Vec<Hit> = Vec::with_capacity(all.len());
        for hit in all {
            if kept.last().is_none_or(|last| hit.start >= last.end) {
                kept.push(*hit);
            }
        }
        kept
    }

    /// The first blocking match among `hits`, as a refusal.
    fn blocked(&self, hits: &[Hit]) -> Option<Blocked> {
        hits.iter().find_map(|hit| {
            let (rail, pattern) = self.pattern(hit);
            (pattern.action == Action::Block).then(|| Blocked {
                guardrail: rail.name.clone(),
                pattern: pattern.name.clone(),
            })
        })
    }

    /// `text` with the masking matches among `hits` (all within it) replaced.
    fn masked(&self, text: &str, hits: &[Hit], masked: &mut Masked) -> String {
        let mut out = String::with_capacity(text.len());
        let mut at = 0;
        for hit in hits {
            let (rail, pattern) = self.pattern(hit);
            if pattern.action == Action::Mask {
                out.push_str(&text[at..hit.start]);
                out.push_str(&pattern.mask);
                at = hit.end;
                masked.note(&rail.name);
            }
        }
        out.push_str(&text[at..]);
        out
    }

    /// Checks one text in place: a blocking match refuses it, masking matches are replaced.
    fn text(&self, text: &mut String, masked: &mut Masked) -> Result<(), Blocked> {
        let all = self.all_hits(text);
        if all.is_empty() {
            return Ok(());
        }
        if let Some(blocked) = self.blocked(&all) {
            return Err(blocked);
        }
        *text = self.masked(text, &Self::resolve(&all), masked);
        Ok(())
    }

    /// Checks a request's text (chat messages, a completion's prompt, embeddings' input) in
    /// place; the request must be re-serialised when the result says something was masked.
    pub fn request(&self, request: &mut serde_json::Map<String, Value>) -> Result<Masked, Blocked> {
        let mut masked = Masked::default();
        if self.is_empty() {
            return Ok(masked);
        }
        // Every text is checked for blocking matches before any is masked, so a request is
        // refused whatever order its texts come in.
        let mut texts = Vec::new();
        let mut token_ids = false;
        for (field, value) in request.iter_mut() {
            if REQUEST_TEXT.contains(&field.as_str()) {
                request_texts(value, &mut texts, &mut token_ids);
            }
        }
        if token_ids {
            // Token ids cannot be read as text: a guardrail that runs refuses them.
            return Err(Blocked {
                guardrail: self.rails[0].name.clone(),
                pattern: "a prompt given as token ids".into(),
            });
        }
        for text in &texts {
            if let Some(blocked) = self.blocked(&self.all_hits(text)) {
                return Err(blocked);
            }
        }
        for text in texts {
            self.text(text, &mut masked)?;
        }
        Ok(masked)
    }

    /// Checks a whole answer (chat or completion choices, a Responses API response's output,
    /// a transcription's text); gives the body to send instead when something was masked.
    pub fn answer(&self, body: &[u8]) -> Result<Option<(Vec<u8>, Masked)>, Blocked> {
        if self.is_empty() {
            return Ok(None);
        }
        // An answer that cannot be read cannot be checked: it is refused, not let through.
        let Ok(mut answer @ Value::Object(_)) = serde_json::from_slice::<Value>(body) else {
            return Err(Blocked {
                guardrail: self.rails[0].name.clone(),
                pattern: "an answer it cannot read".into(),
            });
        };
        let mut masked = Masked::default();
        if let Some(choices) = answer.get_mut("choices").and_then(Value::as_array_mut) {
            for choice in choices {
                let mut texts = Vec::new();
                if choice.get("message").is_some() {
                    if let Some(message) = choice.get_mut("message").and_then(Value::as_object_mut)
                    {
                        for (field, value) in message.iter_mut() {
                            match (field.as_str(), value) {
                                (
                                    "content" | "reasoning_content" | "reasoning" | "refusal",
                                    Value::String(text),
                                ) => texts.push(text),
                                ("tool_calls", calls) => {
                                    text_fields_named(calls, &["arguments"], &mut texts);
                                }
                                _ => {}
                            }
                        }
                    }
                } else if let Some(Value::String(text)) = choice.get_mut("text") {
                    texts.push(text);
                }
                for text in texts {
                    self.text(text, &mut masked)?;
                }
            }
        }
        if let Some(output) = answer.get_mut("output") {
            self.text_fields(output, &mut masked)?;
        }
        // A transcription: its text and its segments' texts.
        if let Some(Value::String(text)) = answer.get_mut("text") {
            self.text(text, &mut masked)?;
        }
        if let Some(segments) = answer.get_mut("segments") {
            self.text_fields(segments, &mut masked)?;
        }
        if let Some(words) = answer.get_mut("words") {
            let mut texts = Vec::new();
            text_fields_named(words, &["word"], &mut texts);
            for text in texts {
                self.text(text, &mut masked)?;
            }
        }
        if !masked.any() {
            return Ok(None);
        }
        Ok(serde_json::to_vec(&answer).ok().map(|body| (body, masked)))
    }

    /// Checks every `text` field in `value` in place.
    fn text_fields(&self, value: &mut Value, masked: &mut Masked) -> Result<(), Blocked> {
        let mut texts = Vec::new();
        text_fields(value, &mut texts);
        for text in texts {
            self.text(text, masked)?;
        }
        Ok(())
    }

    /// The longest hold any pattern asks of a stream.
    fn hold(&self) -> usize {
        self.rails
            .iter()
            .flat_map(|rail| rail.patterns.iter().map(|p| p.hold))
            .max()
            .unwrap_or(0)
    }
}

/// The request fields whose text reaches the model: chat messages (content, tool calls'
/// arguments, names), a completion's prompt and suffix, embeddings' and the Responses API's
/// input (items with their content and tool output) and instructions, tool descriptions, a
/// rerank's query and documents, a score's texts.
const REQUEST_TEXT: [&str; 11] = [
    "messages",
    "prompt",
    "suffix",
    "input",
    "instructions",
    "tools",
    "functions",
    "query",
    "documents",
    "text_1",
    "text_2",
];

/// Keys inside those fields that hold identifiers, settings or binary data, not text.
const NOT_TEXT: [&str; 14] = [
    "role",
    "type",
    "id",
    "tool_call_id",
    "call_id",
    "image_url",
    "url",
    "input_audio",
    "file",
    "file_data",
    "file_id",
    "detail",
    "status",
    "cache_control",
];

/// Every string in `value` (a request field), skipping [`NOT_TEXT`] keys; `token_ids` is set
/// when an array holds numbers (a prompt given as token ids).
fn request_texts<'a>(value: &'a mut Value, texts: &mut Vec<&'a mut String>, token_ids: &mut bool) {
    match value {
        Value::String(text) => texts.push(text),
        Value::Array(items) => {
            for item in items {
                if item.is_number() {
                    *token_ids = true;
                } else {
                    request_texts(item, texts, token_ids);
                }
            }
        }
        Value::Object(fields) => {
            for (key, field) in fields.iter_mut() {
                if !NOT_TEXT.contains(&key.as_str()) {
                    request_texts(field, texts, token_ids);
                }
            }
        }
        _ => {}
    }
}

/// The text a request gives the model, joined (what a moderation model is asked about when
/// the request has no chat messages).
pub fn request_text(request: &serde_json::Map<String, Value>) -> String {
    let mut parts = Vec::new();
    for field in REQUEST_TEXT {
        if let Some(value) = request.get(field) {
            let mut value = value.clone();
            let mut texts = Vec::new();
            request_texts(&mut value, &mut texts, &mut false);
            parts.extend(texts.into_iter().map(|text| text.clone()));
        }
    }
    parts.join("\n")
}

/// The keys under which a Responses API answer or event carries text the model wrote:
/// output parts, reasoning, refusals, tool calls' arguments.
const ANSWER_TEXT: [&str; 3] = ["text", "refusal", "arguments"];

/// Every string under one of the [`ANSWER_TEXT`] keys, anywhere in `value`.
fn text_fields<'a>(value: &'a mut Value, texts: &mut Vec<&'a mut String>) {
    text_fields_named(value, &ANSWER_TEXT, texts);
}

/// Every string under one of the keys `names`, anywhere in `value`.
fn text_fields_named<'a>(value: &'a mut Value, names: &[&str], texts: &mut Vec<&'a mut String>) {
    match value {
        Value::Object(fields) => {
            for (key, field) in fields.iter_mut() {
                if names.contains(&key.as_str()) && field.is_string() {
                    if let Value::String(text) = field {
                        texts.push(text);
                    }
                } else {
                    text_fields_named(field, names, texts);
                }
            }
        }
        Value::Array(items) => {
            for item in items {
                text_fields_named(item, names, texts);
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests;
