//! Prometheus metrics, in one typed struct. Names follow LiteLLM's where one exists, so the
//! dashboards teams already have keep working; Switchyard's own are `switchyard_*`.
//! (Counters are exported with the `_total` suffix, as LiteLLM's Python client does.)

use std::sync::atomic::AtomicU64;

use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{Histogram, exponential_buckets};
use prometheus_client::registry::Registry;

/// Labels of per-request counters.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct RequestLabels {
    /// SHA-256 of the key (empty for the master key).
    pub hashed_api_key: String,
    /// The key's alias, if any.
    pub api_key_alias: String,
    /// The public model name.
    pub model: String,
    /// The key's owner, if any.
    pub user: String,
}

/// Labels of the proxy-level request counters.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct ProxyLabels {
    pub model: String,
    pub status_code: String,
}

/// Labels of per-key gauges.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct KeyLabels {
    pub hashed_api_key: String,
    pub api_key_alias: String,
}

/// Labels of quota refusals.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct RefusalLabels {
    /// `rpm`, `tpm`, `parallel` or `budget`.
    pub limit: String,
}

/// Labels of guardrail actions.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct GuardrailLabels {
    /// The guardrail's name.
    pub guardrail: String,
    /// `block` or `mask`.
    pub action: String,
}

/// Labels of latency histograms: the public model and the cluster whose deployment answered
/// (empty when none did), so a slow cluster shows beside the others serving the same model.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct LatencyLabels {
    pub model: String,
    pub cluster: String,
}

/// Labels of per-deployment metrics.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct DeploymentLabels {
    pub model: String,
    pub cluster: String,
    pub model_id: String,
}

type Latency = Family<LatencyLabels, Histogram, fn() -> Histogram>;

/// The series every request on one model moves when keys are not named in labels: found
/// once per model (and kept with it) rather than looked up by label set on every request.
/// Each handle shares its value with the series `/metrics` reports.
#[derive(Clone, Debug)]
pub struct ModelSeries {
    pub requests: Counter,
    pub input_tokens: Counter,
    pub output_tokens: Counter,
    pub total_tokens: Counter,
    pub spend: Counter<f64, AtomicU64>,
    /// `litellm_proxy_total_requests_metric` with status 200, the status nearly all have.
    pub succeeded: Counter,
}

/// The series of one deployment, found once and kept with it.
#[derive(Clone, Debug)]
pub struct DeploymentSeries {
    pub success: Counter,
    pub failure: Counter,
    pub latency: LatencySeries,
}

/// The latency histograms of one model on one cluster.
#[derive(Clone, Debug)]
pub struct LatencySeries {
    pub total: Histogram,
    pub api: Histogram,
    pub overhead: Histogram,
    pub time_to_first_token: Histogram,
}

fn latency_histogram() -> Histogram {
    // 5 ms to ~160 s.
    Histogram::new(exponential_buckets(0.005, 2.0, 16))
}

fn overhead_histogram() -> Histogram {
    // 50 µs to ~1.6 s: the gateway's own time is small.
    Histogram::new(exponential_buckets(0.000_05, 2.0, 16))
}

/// Every metric Switchyard exports.
pub struct Metrics {
    registry: Registry,
    /// `litellm_requests_metric`: requests, by key and model.
    pub requests: Family<RequestLabels, Counter>,
    /// `litellm_proxy_total_requests_metric`: requests, by model and HTTP status.
    pub proxy_total_requests: Family<ProxyLabels, Counter>,
    /// `litellm_proxy_failed_requests_metric`: failed requests, by model and HTTP status.
    pub proxy_failed_requests: Family<ProxyLabels, Counter>,
    /// `litellm_spend_metric`: spend in currency units.
    pub spend: Family<RequestLabels, Counter<f64, AtomicU64>>,
    /// `litellm_total_tokens_metric`.
    pub total_tokens: Family<RequestLabels, Counter>,
    /// `litellm_input_tokens_metric`.
    pub input_tokens: Family<RequestLabels, Counter>,
    /// `litellm_output_tokens_metric`.
    pub output_tokens: Family<RequestLabels, Counter>,
    /// `litellm_request_total_latency_metric`: seconds from request to last byte.
    pub request_total_latency: Latency,
    /// `litellm_llm_api_time_to_first_token_metric`: seconds to the first streamed byte.
    pub time_to_first_token: Latency,
    /// `litellm_llm_api_latency_metric`: seconds the model server took (sent to last byte).
    pub llm_api_latency: Latency,
    /// `litellm_overhead_latency_metric`: seconds the gateway added around the model server.
    pub overhead_latency: Latency,
    /// `litellm_api_key_max_budget_metric`: a key's budget, in currency units.
    pub key_max_budget: Family<KeyLabels, Gauge<f64, AtomicU64>>,
    /// `litellm_remaining_api_key_budget_metric`: what is left of it in the current window.
    pub key_remaining_budget: Family<KeyLabels, Gauge<f64, AtomicU64>>,
    /// `litellm_deployment_state`: 0 healthy, 1 partial (cooling down), 2 down.
    pub deployment_state: Family<DeploymentLabels, Gauge>,
    /// `litellm_deployment_success_responses`.
    pub deployment_success: Family<DeploymentLabels, Counter>,
    /// `litellm_deployment_failure_responses`.
    pub deployment_failure: Family<DeploymentLabels, Counter>,
    /// `switchyard_ledger_queue_depth`: spend events waiting to be written.
    pub ledger_queue_depth: Gauge,
    /// `switchyard_ledger_written`: spend events written to the database.
    pub ledger_written: Counter,
    /// `switchyard_key_cache_hits`: key lookups answered from memory.
    pub key_cache_hits: Counter,
    /// `switchyard_key_cache_misses`: key lookups that read the database.
    pub key_cache_misses: Counter,
    /// `switchyard_connections_refused`: client connections closed on arrival at the cap.
    pub connections_refused: Counter,
    /// `switchyard_key_cache_hit_ratio`: hits over lookups, computed when scraped.
    pub key_cache_hit_ratio: Gauge<f64, AtomicU64>,
    /// `switchyard_key_cache_entries`: keys (and keys found to match nothing) in the cache.
    pub key_cache_entries: Gauge,
    /// `switchyard_ledger_buffered_events`: events held in memory after a failed write.
    pub ledger_buffered: Gauge,
    /// `switchyard_ledger_write_failures`: database writes of spend that failed (and were retried).
    pub ledger_write_failures: Counter,
    /// `switchyard_redis_errors`: quota calls to Redis that failed or timed out.
    pub redis_errors: Counter,
    /// `switchyard_quota_check_seconds`: time of one admission check in Redis.
    pub quota_check: Histogram,
    /// `switchyard_quota_admissions_per_call`: admissions decided in one call to Redis (those
    /// that queued while the call before was out).
    pub quota_batch: Histogram,
    /// `switchyard_quota_refusals`: requests refused by a limit, by limit.
    pub quota_refusals: Family<RefusalLabels, Counter>,
    /// `switchyard_guardrail_actions`: requests a guardrail blocked or masked, by guardrail
    /// and action.
    pub guardrail_actions: Family<GuardrailLabels, Counter>,
    /// `switchyard_requests_in_flight`: requests this replica is forwarding to model servers
    /// (a stream until its last byte): the load a HorizontalPodAutoscaler follows.
    pub requests_in_flight: Gauge,
    /// Whether series name keys and their owners (`metrics.per_key_labels`); else those
    /// labels are empty and per-key gauges are not kept.
    pub per_key_labels: bool,
}

impl Default for Metrics {
    fn default() -> Self {
        Self::new()
    }
}

impl Metrics {
    /// Every metric, with keys and owners named in labels when `per_key_labels`.
    pub fn with_per_key_labels(per_key_labels: bool) -> Self {
        Self {
            per_key_labels,
            ..Self::new()
        }
    }

    /// Creates and registers every metric (no per-key labels).
    pub fn new() -> Self {
        let mut registry = Registry::default();
        let metrics = Self {
            requests: Family::default(),
            proxy_total_requests: Family::default(),
            proxy_failed_requests: Family::default(),
            spend: Family::default(),
            total_tokens: Family::default(),
            input_tokens: Family::default(),
            output_tokens: Family::default(),
            request_total_latency: Family::new_with_constructor(latency_histogram),
            time_to_first_token: Family::new_with_constructor(latency_histogram),
            llm_api_latency: Family::new_with_constructor(latency_histogram),
            overhead_latency: Family::new_with_constructor(overhead_histogram),
            key_max_budget: Family::default(),
            key_remaining_budget: Family::default(),
            deployment_state: Family::default(),
            deployment_success: Family::default(),
            deployment_failure: Family::default(),
            ledger_queue_depth: Gauge::default(),
            ledger_written: Counter::default(),
            key_cache_hits: Counter::default(),
            key_cache_misses: Counter::default(),
            connections_refused: Counter::default(),
            key_cache_hit_ratio: Gauge::default(),
            key_cache_entries: Gauge::default(),
            ledger_buffered: Gauge::default(),
            ledger_write_failures: Counter::default(),
            redis_errors: Counter::default(),
            quota_refusals: Family::default(),
            guardrail_actions: Family::default(),
            requests_in_flight: Gauge::default(),
            per_key_labels: false,
            quota_check: overhead_histogram(),
            quota_batch: Histogram::new(exponential_buckets(1.0, 2.0, 8)),
            registry: Registry::default(),
        };
        let r = &mut registry;
        r.register(
            "litellm_requests_metric",
            "Requests by key and model",
            metrics.requests.clone(),
        );
        r.register(
            "litellm_proxy_total_requests_metric",
            "Requests by model and status",
            metrics.proxy_total_requests.clone(),
        );
        r.register(
            "litellm_proxy_failed_requests_metric",
            "Failed requests by model and status",
            metrics.proxy_failed_requests.clone(),
        );
        r.register(
            "litellm_spend_metric",
            "Spend in currency units",
            metrics.spend.clone(),
        );
        r.register(
            "litellm_total_tokens_metric",
            "Prompt plus completion tokens",
            metrics.total_tokens.clone(),
        );
        r.register(
            "litellm_input_tokens_metric",
            "Prompt tokens",
            metrics.input_tokens.clone(),
        );
        r.register(
            "litellm_output_tokens_metric",
            "Completion tokens",
            metrics.output_tokens.clone(),
        );
        r.register(
            "litellm_request_total_latency_metric",
            "Seconds from request to last byte",
            metrics.request_total_latency.clone(),
        );
        r.register(
            "litellm_llm_api_time_to_first_token_metric",
            "Seconds to the first streamed byte",
            metrics.time_to_first_token.clone(),
        );
        r.register(
            "litellm_llm_api_latency_metric",
            "Seconds the model server took, from sending to the last byte",
            metrics.llm_api_latency.clone(),
        );
        r.register(
            "litellm_overhead_latency_metric",
            "Seconds the gateway added around the model server",
            metrics.overhead_latency.clone(),
        );
        r.register(
            "litellm_api_key_max_budget_metric",
            "A key's budget, in currency units",
            metrics.key_max_budget.clone(),
        );
        r.register(
            "litellm_remaining_api_key_budget_metric",
            "What is left of a key's budget in its current window, in currency units",
            metrics.key_remaining_budget.clone(),
        );
        r.register(
            "litellm_deployment_state",
            "0 healthy, 1 cooling down, 2 down",
            metrics.deployment_state.clone(),
        );
        r.register(
            "litellm_deployment_success_responses",
            "Successful answers by deployment",
            metrics.deployment_success.clone(),
        );
        r.register(
            "litellm_deployment_failure_responses",
            "Failed attempts by deployment",
            metrics.deployment_failure.clone(),
        );
        r.register(
            "switchyard_ledger_queue_depth",
            "Spend events waiting to be written",
            metrics.ledger_queue_depth.clone(),
        );
        r.register(
            "switchyard_ledger_written",
            "Spend events written to the database",
            metrics.ledger_written.clone(),
        );
        r.register(
            "switchyard_key_cache_hits",
            "Key lookups answered from memory",
            metrics.key_cache_hits.clone(),
        );
        r.register(
            "switchyard_key_cache_misses",
            "Key lookups that read the database",
            metrics.key_cache_misses.clone(),
        );
        r.register(
            "switchyard_connections_refused",
            "Client connections closed on arrival because `http.max_connections` were open",
            metrics.connections_refused.clone(),
        );
        r.register(
            "switchyard_key_cache_entries",
            "Looked-up keys (and keys that matched nothing) held in the key cache",
            metrics.key_cache_entries.clone(),
        );
        r.register(
            "switchyard_key_cache_hit_ratio",
            "Key lookups answered from memory, over all lookups",
            metrics.key_cache_hit_ratio.clone(),
        );
        r.register(
            "switchyard_ledger_buffered_events",
            "Spend events held in memory while the database cannot be written",
            metrics.ledger_buffered.clone(),
        );
        r.register(
            "switchyard_ledger_write_failures",
            "Failed (and retried) writes of spend to the database",
            metrics.ledger_write_failures.clone(),
        );
        r.register(
            "switchyard_redis_errors",
            "Quota calls to Redis that failed or timed out",
            metrics.redis_errors.clone(),
        );
        r.register(
            "switchyard_quota_check_seconds",
            "Seconds one admission check took in Redis, its wait for the call included",
            metrics.quota_check.clone(),
        );
        r.register(
            "switchyard_quota_admissions_per_call",
            "Admissions decided in one call to Redis",
            metrics.quota_batch.clone(),
        );
        r.register(
            "switchyard_quota_refusals",
            "Requests refused by a rate, parallel or budget limit",
            metrics.quota_refusals.clone(),
        );
        r.register(
            "switchyard_guardrail_actions",
            "Requests a guardrail blocked or masked, by guardrail and action",
            metrics.guardrail_actions.clone(),
        );
        r.register(
            "switchyard_requests_in_flight",
            "Requests being forwarded to model servers (a stream until its last byte)",
            metrics.requests_in_flight.clone(),
        );
        Self {
            registry,
            ..metrics
        }
    }

    /// The series of requests on `model` whose keys are not named in labels.
    pub fn model_series(&self, model: &str) -> ModelSeries {
        let unnamed = RequestLabels {
            hashed_api_key: String::new(),
            api_key_alias: String::new(),
            model: model.to_owned(),
            user: String::new(),
        };
        ModelSeries {
            requests: self.requests.get_or_create(&unnamed).clone(),
            input_tokens: self.input_tokens.get_or_create(&unnamed).clone(),
            output_tokens: self.output_tokens.get_or_create(&unnamed).clone(),
            total_tokens: self.total_tokens.get_or_create(&unnamed).clone(),
            spend: self.spend.get_or_create(&unnamed).clone(),
            succeeded: self
                .proxy_total_requests
                .get_or_create(&ProxyLabels {
                    model: model.to_owned(),
                    status_code: "200".to_owned(),
                })
                .clone(),
        }
    }

    /// The series of deployment `id` of `model` on `cluster`.
    pub fn deployment_series(&self, model: &str, cluster: &str, id: &str) -> DeploymentSeries {
        let deployment = DeploymentLabels {
            model: model.to_owned(),
            cluster: cluster.to_owned(),
            model_id: id.to_owned(),
        };
        DeploymentSeries {
            success: self.deployment_success.get_or_create(&deployment).clone(),
            failure: self.deployment_failure.get_or_create(&deployment).clone(),
            latency: self.latency_series(model, cluster),
        }
    }

    /// The latency histograms of `model` on `cluster` (empty when no deployment answered).
    pub fn latency_series(&self, model: &str, cluster: &str) -> LatencySeries {
        let labels = LatencyLabels {
            model: model.to_owned(),
            cluster: cluster.to_owned(),
        };
        LatencySeries {
            total: self.request_total_latency.get_or_create(&labels).clone(),
            api: self.llm_api_latency.get_or_create(&labels).clone(),
            overhead: self.overhead_latency.get_or_create(&labels).clone(),
            time_to_first_token: self.time_to_first_token.get_or_create(&labels).clone(),
        }
    }

    /// Counts one request guardrail `guardrail` acted on (`action`: `block` or `mask`).
    pub fn guardrail(&self, guardrail: &str, action: &str) {
        self.guardrail_actions
            .get_or_create(&GuardrailLabels {
                guardrail: guardrail.to_owned(),
                action: action.to_owned(),
            })
            .inc();
    }

    /// The text exposition format served at `/metrics`.
    pub fn render(&self) -> String {
        let hits = self.key_cache_hits.get();
        let lookups = hits + self.key_cache_misses.get();
        if lookups > 0 {
            self.key_cache_hit_ratio.set(hits as f64 / lookups as f64);
        }
        let mut out = String::new();
        if prometheus_client::encoding::text::encode(&mut out, &self.registry).is_err() {
            tracing::error!("cannot encode metrics");
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn litellm_names_are_exported() {
        let metrics = Metrics::new();
        let labels = RequestLabels {
            hashed_api_key: "abc".into(),
            api_key_alias: String::new(),
            model: "granite".into(),
            user: String::new(),
        };
        metrics.requests.get_or_create(&labels).inc();
        metrics.spend.get_or_create(&labels).inc_by(0.25);
        let text = metrics.render();
        assert!(
            text.contains("litellm_requests_metric_total{hashed_api_key=\"abc\""),
            "{text}"
        );
        assert!(text.contains("litellm_spend_metric_total"), "{text}");
        assert!(
            text.contains("# TYPE switchyard_ledger_queue_depth gauge"),
            "{text}"
        );
    }
}
