//! What one request cost, recorded once however it ends: the ledger event, the quota permit
//! settled with the actual tokens and spend, the guardrails that acted on it, and the
//! request's metrics.

use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::Utc;

use super::auth::Caller;
use super::deployment::{Deployment, ModelRoute};
use super::sse::Usage;
use super::usage::{audio_cost_nanos, cost_nanos};
use crate::guardrail::Action;
use crate::metrics::{Metrics, ProxyLabels, RequestLabels};
use crate::quota::Permit;
use crate::spend::{Ledger, LiveFeed, Outcome, SpendEvent};

/// What the ledger needs to know about a request before it ends.
pub struct Accounting {
    pub ledger: Ledger,
    pub live: Arc<LiveFeed>,
    pub metrics: Arc<Metrics>,
    /// Who made the request.
    pub caller: Caller,
    pub request_id: String,
    pub model: Arc<ModelRoute>,
    pub call_type: &'static str,
    pub started: Instant,
    pub started_at: chrono::DateTime<Utc>,
    /// Estimated prompt tokens, used when the model server reports no usage.
    pub prompt_estimate: u64,
    /// The request's hold on its quotas, settled with the actual usage when recorded.
    pub permit: std::sync::Mutex<Option<Permit>>,
    /// When the request went to the deployment that answered.
    pub sent: std::sync::OnceLock<Instant>,
    /// The guardrails that blocked or masked it, comma-separated.
    pub guardrails: std::sync::Mutex<Option<String>>,
    /// A post-call guardrail refused an answer the model server had made: the failure is
    /// charged (its estimate when no usage came), since the work was done.
    pub answer_refused: std::sync::atomic::AtomicBool,
    /// How much audio a speech-to-text answer says it heard, in milliseconds.
    pub audio_ms: std::sync::OnceLock<u64>,
    /// How much audio the upload holds by its size or header, for answers that do not say
    /// (plain text, subtitles, servers that report no duration).
    pub audio_estimate_ms: Option<u64>,
}

impl Accounting {
    /// Notes that guardrail `name` blocked or masked the request (recorded with it, each name
    /// once) and counts it.
    pub fn guardrail(&self, name: &str, action: Action) {
        self.metrics.guardrail(name, action.as_str());
        if let Ok(mut noted) = self.guardrails.lock() {
            match noted.as_mut() {
                Some(names) if names.split(',').any(|noted| noted == name) => {}
                Some(names) => {
                    names.push(',');
                    names.push_str(name);
                }
                None => *noted = Some(name.to_owned()),
            }
        }
    }

    /// Records the request's spend.
    pub fn record(
        &self,
        deployment: Option<&Deployment>,
        usage: Option<Usage>,
        completion_estimate: u64,
        outcome: Outcome,
        http_status: u16,
        ttft: Option<Duration>,
    ) {
        let (prompt, completion, mut estimated) = match usage {
            Some(usage) => (usage.prompt_tokens, usage.completion_tokens, false),
            None if outcome == Outcome::Failure
                && !self
                    .answer_refused
                    .load(std::sync::atomic::Ordering::Relaxed) =>
            {
                (0, 0, false)
            }
            None => (self.prompt_estimate, completion_estimate, true),
        };
        let millis = |d: Duration| u64::try_from(d.as_millis()).unwrap_or(u64::MAX);
        // A model priced per second of audio is billed for what it heard: what the answer
        // says, else what the upload holds by its size.
        // The bill of a per-second model is exact when the answer says how long the audio
        // was, whatever its token counts were.
        let per_second = self.model.second_price_nanos > 0;
        let heard = match (self.audio_ms.get(), self.audio_estimate_ms) {
            (Some(&ms), _) => {
                estimated &= !per_second;
                Some(ms)
            }
            (None, Some(ms)) if outcome != Outcome::Failure && per_second => {
                estimated = true;
                Some(ms)
            }
            (None, _) => None,
        };
        let cost = match heard {
            Some(ms) if per_second => audio_cost_nanos(ms, self.model.second_price_nanos),
            _ => cost_nanos(
                prompt,
                completion,
                self.model.input_price_nanos,
                self.model.output_price_nanos,
            ),
        };
        self.count(prompt, completion, cost, http_status, ttft, deployment);
        if let Some(mut permit) = self.permit.lock().ok().and_then(|mut p| p.take()) {
            permit.record(prompt.saturating_add(completion), cost);
        }
        let event = SpendEvent {
            request_id: self.request_id.clone(),
            key_id: self.caller.key().map(|k| k.id),
            key_hash: self.caller.key().map(|k| k.token_hash.clone()),
            user_id: self.caller.key().and_then(|k| k.owner),
            model: self.model.name.clone(),
            deployment_id: deployment.map(|d| d.id),
            cluster: deployment.map(|d| d.cluster.clone()),
            call_type: std::borrow::Cow::Borrowed(self.call_type),
            prompt_tokens: prompt,
            completion_tokens: completion,
            estimated,
            cost_nanos: cost,
            outcome,
            http_status,
            started_at: self.started_at,
            ended_at: Utc::now(),
            ttft_ms: ttft.map(millis),
            duration_ms: millis(self.started.elapsed()),
            guardrail: self
                .guardrails
                .lock()
                .ok()
                .and_then(|mut noted| noted.take()),
        };
        self.live.publish(&event);
        self.ledger.record(event);
    }
}

impl Accounting {
    /// Moves the request, token, spend and latency metrics: through the series the model
    /// and the deployment keep, unless keys are named in labels or the status is unusual.
    fn count(
        &self,
        prompt: u64,
        completion: u64,
        cost: i64,
        http_status: u16,
        ttft: Option<Duration>,
        deployment: Option<&Deployment>,
    ) {
        let metrics = &self.metrics;
        let model = &self.model.name;
        let status = || ProxyLabels {
            model: model.clone(),
            status_code: http_status.to_string(),
        };
        if http_status == 200 {
            self.model.series(metrics).succeeded.inc();
        } else {
            metrics.proxy_total_requests.get_or_create(&status()).inc();
        }
        if http_status >= 400 {
            metrics.proxy_failed_requests.get_or_create(&status()).inc();
        }
        // Nano-units to currency units; the metric is a float by convention, the ledger exact.
        let spend = cost as f64 / 1e9;
        match self.caller.key().filter(|_| metrics.per_key_labels) {
            None => {
                let series = self.model.series(metrics);
                series.requests.inc();
                series.input_tokens.inc_by(prompt);
                series.output_tokens.inc_by(completion);
                series.total_tokens.inc_by(prompt + completion);
                series.spend.inc_by(spend);
            }
            Some(key) => {
                let labels = RequestLabels {
                    hashed_api_key: key.token_hash.clone(),
                    api_key_alias: key.alias.clone().unwrap_or_default(),
                    model: model.clone(),
                    user: key.user_id.clone().unwrap_or_default(),
                };
                metrics.requests.get_or_create(&labels).inc();
                metrics.input_tokens.get_or_create(&labels).inc_by(prompt);
                metrics
                    .output_tokens
                    .get_or_create(&labels)
                    .inc_by(completion);
                metrics
                    .total_tokens
                    .get_or_create(&labels)
                    .inc_by(prompt + completion);
                metrics.spend.get_or_create(&labels).inc_by(spend);
            }
        }
        // Without a deployment that answered, the latency counts under an empty cluster.
        let unrouted;
        let latency = match deployment {
            Some(deployment) => &deployment.series(model, metrics).latency,
            None => {
                unrouted = metrics.latency_series(model, "");
                &unrouted
            }
        };
        let total = self.started.elapsed();
        latency.total.observe(total.as_secs_f64());
        if let Some(sent) = self.sent.get() {
            let api = sent.elapsed();
            latency.api.observe(api.as_secs_f64());
            latency
                .overhead
                .observe(total.saturating_sub(api).as_secs_f64());
        }
        if let Some(ttft) = ttft {
            latency.time_to_first_token.observe(ttft.as_secs_f64());
        }
    }
}
