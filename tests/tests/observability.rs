//! The alerts and dashboards in `deploy/kubernetes/monitoring` query metrics by name, and a
//! misspelt or renamed one fails silently: the panel shows "No data", the alert never fires.
//! So a real server gets traffic through a mock model server (a keyed chat, a stream, a budget
//! refusal, server errors that cool a deployment down, health checks), its `/metrics` is
//! scraped, and every metric named by an expression of the PrometheusRule or of Switchyard's
//! dashboards must have a sample there. Names are compared as Prometheus sees them (a
//! counter's `_total`, a histogram's `_bucket`), so querying a histogram without `_bucket` fails
//! too. The one exception is `up`, which Prometheus writes itself for every scrape. The vLLM
//! dashboard queries the model servers, not Switchyard: its names are checked against the
//! list read from vLLM's source. The dashboards' JSON model is checked where Grafana is strict
//! or silent: the schema version, unique panel ids, every query on the `datasource` variable.

use std::collections::BTreeSet;
use std::path::PathBuf;
use std::time::Duration;

use harness::gateway::{ModelSpec, config, key_with};
use harness::{MockUpstream, TestApp};
use serde_json::{Value, json};

const CHAT: &str = "/v1/chat/completions";

/// The JSON model version the dashboards are written in (Grafana 10.4 and later; newer
/// Grafanas migrate it on load). The README states it.
const SCHEMA_VERSION: u64 = 39;

/// Written by Prometheus for every target it scrapes, never by the target.
const SYNTHETIC: [&str; 1] = ["up"];

/// The dashboard of vLLM's own metrics; the others query Switchyard.
const VLLM_DASHBOARD: &str = "vllm.json";

/// vLLM's metrics as its Prometheus client exposes them (counters with `_total`, histograms
/// with `_bucket`, `_sum` and `_count`), from `vllm/v1/metrics/loggers.py` of vllm-project/vllm
/// at commit 005a810bc40faa25b8870fbc8559c3462581eee3. `vllm:gpu_cache_usage_perc` is deprecated
/// there in favour of `vllm:kv_cache_usage_perc`; the dashboard reads either.
const VLLM_GAUGES: [&str; 4] = [
    "vllm:num_requests_running",
    "vllm:num_requests_waiting",
    "vllm:gpu_cache_usage_perc",
    "vllm:kv_cache_usage_perc",
];
const VLLM_COUNTERS: [&str; 8] = [
    "vllm:gpu_prefix_cache_queries",
    "vllm:gpu_prefix_cache_hits",
    "vllm:prefix_cache_queries",
    "vllm:prefix_cache_hits",
    "vllm:num_preemptions",
    "vllm:prompt_tokens",
    "vllm:generation_tokens",
    "vllm:request_success",
];
const VLLM_HISTOGRAMS: [&str; 14] = [
    "vllm:request_prompt_tokens",
    "vllm:request_generation_tokens",
    "vllm:iteration_tokens_total",
    "vllm:request_max_num_generation_tokens",
    "vllm:request_params_n",
    "vllm:request_params_max_tokens",
    "vllm:time_to_first_token_seconds",
    "vllm:time_per_output_token_seconds",
    "vllm:time_per_prefill_token_request_seconds",
    "vllm:e2e_request_latency_seconds",
    "vllm:request_queue_time_seconds",
    "vllm:request_inference_time_seconds",
    "vllm:request_prefill_time_seconds",
    "vllm:request_decode_time_seconds",
];

/// Words of PromQL that are not metric names when they stand without a `(` after them (with
/// [`LABEL_LISTS`]).
const KEYWORDS: [&str; 8] = [
    "and", "or", "unless", "bool", "offset", "inf", "nan", "atan2",
];

/// Words followed by a parenthesised list of label names, not of expressions.
const LABEL_LISTS: [&str; 6] = [
    "by",
    "without",
    "on",
    "ignoring",
    "group_left",
    "group_right",
];

fn dashboards_dir() -> PathBuf {
    harness::workspace_root().join("deploy/kubernetes/monitoring/grafana/dashboards")
}

/// Every dashboard file: (file name, JSON model).
fn dashboards() -> Vec<(String, Value)> {
    let mut files: Vec<(String, Value)> = std::fs::read_dir(dashboards_dir())
        .unwrap()
        .map(|entry| {
            let path = entry.unwrap().path();
            let name = path.file_name().unwrap().to_string_lossy().into_owned();
            let text = std::fs::read_to_string(&path).unwrap();
            let model = serde_json::from_str(&text).unwrap_or_else(|e| panic!("{name}: {e}"));
            (name, model)
        })
        .collect();
    files.sort_by(|a, b| a.0.cmp(&b.0));
    assert_eq!(files.len(), 3, "overview, per model and vLLM");
    files
}

/// The PromQL of a dashboard: every panel's targets and every query variable (the selector
/// inside `label_values(selector, label)`, the label being no metric).
fn dashboard_queries(model: &Value) -> Vec<String> {
    let mut queries: Vec<String> = panels(model)
        .flat_map(|p| p["targets"].as_array().into_iter().flatten())
        .map(|t| t["expr"].as_str().unwrap().to_owned())
        .collect();
    for variable in variables(model).filter(|v| v["type"] == "query") {
        let query = variable["query"]["query"].as_str().unwrap();
        let inner = query
            .strip_prefix("label_values(")
            .and_then(|q| q.strip_suffix(')'))
            .unwrap_or_else(|| panic!("a variable query that is not label_values: {query}"));
        queries.push(inner[..inner.rfind(',').unwrap()].to_owned());
    }
    queries
}

fn panels(model: &Value) -> impl Iterator<Item = &Value> {
    model["panels"].as_array().unwrap().iter()
}

fn variables(model: &Value) -> impl Iterator<Item = &Value> {
    model["templating"]["list"].as_array().unwrap().iter()
}

/// Every alert rule of the rendered PrometheusRule.
fn alert_rules() -> Vec<Value> {
    let objects = harness::manifests::objects("monitoring/prometheus");
    let rule = objects
        .iter()
        .find(|o| o["kind"] == "PrometheusRule")
        .expect("a PrometheusRule");
    rule["spec"]["groups"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|g| g["rules"].as_array().unwrap().iter().cloned())
        .collect()
}

/// The metric names a PromQL expression selects: identifiers not followed by `(` or by a
/// grouping (functions and aggregations), not keywords, not label names (inside `{}` or after `by`, `on`, …),
/// not durations or numbers; strings, label matchers and ranges are skipped whole.
fn metric_names(expr: &str) -> BTreeSet<String> {
    let chars: Vec<char> = expr.chars().collect();
    let mut names = BTreeSet::new();
    let mut i = 0;
    // Skips a bracketed run (strings inside may hold the closing bracket), from its opener.
    let skip_group = |mut i: usize, close: char| {
        let mut quote = None;
        while i < chars.len() {
            match (quote, chars[i]) {
                (Some(q), c) if c == q => quote = None,
                (Some(_), '\\') => i += 1,
                (Some(_), _) => {}
                (None, '"' | '\'' | '`') => quote = Some(chars[i]),
                (None, c) if c == close => return i + 1,
                _ => {}
            }
            i += 1;
        }
        panic!("unclosed `{close}` in {expr}")
    };
    while i < chars.len() {
        let c = chars[i];
        if c == '{' {
            i = skip_group(i, '}');
        } else if c == '[' {
            i = skip_group(i, ']');
        } else if matches!(c, '"' | '\'' | '`') {
            i = skip_group(i + 1, c);
        } else if c.is_ascii_digit() || c == '.' || c == '$' {
            // Numbers, durations (`5m`, `1e9`) and Grafana variables.
            i += 1;
            while i < chars.len() && (chars[i].is_ascii_alphanumeric() || "._".contains(chars[i])) {
                i += 1;
            }
        } else if c.is_ascii_alphabetic() || c == '_' || c == ':' {
            let start = i;
            while i < chars.len() && (chars[i].is_ascii_alphanumeric() || "_:".contains(chars[i])) {
                i += 1;
            }
            let word: String = chars[start..i].iter().collect();
            let mut next = i;
            while next < chars.len() && chars[next].is_whitespace() {
                next += 1;
            }
            // `sum by (x) (...)`: an aggregation with its grouping first is called too.
            let rest: String = chars[next..].iter().take(8).collect();
            let grouped = ["by", "without"].iter().any(|g| {
                rest.strip_prefix(g)
                    .is_some_and(|r| r.starts_with([' ', '(']))
            });
            let called = chars.get(next) == Some(&'(') || grouped;
            if called && LABEL_LISTS.contains(&word.as_str()) {
                i = skip_group(next, ')');
            } else if !called
                && !KEYWORDS.contains(&word.as_str())
                && !LABEL_LISTS.contains(&word.as_str())
            {
                names.insert(word);
            }
        } else {
            i += 1;
        }
    }
    names
}

/// The sample names of a text exposition (comments skipped, labels and values cut off).
fn exposed(text: &str) -> BTreeSet<String> {
    text.lines()
        .filter(|line| !line.starts_with('#') && !line.is_empty())
        .map(|line| line.split(['{', ' ']).next().unwrap().to_owned())
        .collect()
}

#[test]
fn the_tokenizer_finds_metrics_and_only_metrics() {
    let names = metric_names(
        "histogram_quantile(0.99, sum by (namespace, le) (rate(a_bucket{job=\"x\", \
         code=~\"5..|}\"}[$__rate_interval]))) > 0.05 and on (pod) b_total offset 5m \
         / ignoring(x) sum without (y) (vllm:c) or max(d{model=\"$model\"}) > bool 1e3",
    );
    let names: Vec<&str> = names.iter().map(String::as_str).collect();
    assert_eq!(names, ["a_bucket", "b_total", "d", "vllm:c"]);
}

#[test]
fn every_alert_is_complete_and_points_at_its_runbook() {
    let rules = alert_rules();
    assert!(rules.len() >= 8, "{rules:?}");
    let operations =
        std::fs::read_to_string(harness::workspace_root().join("OPERATIONS.md")).unwrap();
    for rule in &rules {
        let alert = rule["alert"].as_str().expect("alerting rules only");
        assert!(rule["for"].is_string(), "{alert}: no `for`");
        assert!(
            ["critical", "warning", "info"].contains(&rule["labels"]["severity"].as_str().unwrap()),
            "{alert}: severity"
        );
        for annotation in ["summary", "description"] {
            assert!(
                rule["annotations"][annotation].is_string(),
                "{alert}: no {annotation}"
            );
        }
        assert_eq!(
            rule["annotations"]["runbook_url"],
            format!("OPERATIONS.md#{}", alert.to_lowercase()),
            "{alert}"
        );
        // The anchor exists: a section headed with the alert's name.
        assert!(
            operations.lines().any(|l| l == format!("### {alert}")),
            "OPERATIONS.md has no section `### {alert}`"
        );
    }
}

#[test]
fn dashboards_are_grafana_json_models_on_the_datasource_variable() {
    let mut uids = BTreeSet::new();
    for (name, model) in dashboards() {
        assert_eq!(model["schemaVersion"], SCHEMA_VERSION, "{name}");
        assert!(model["title"].is_string(), "{name}");
        assert!(
            uids.insert(model["uid"].as_str().unwrap().to_owned()),
            "{name}: uid used twice"
        );
        let datasource = variables(&model)
            .find(|v| v["name"] == "datasource")
            .unwrap_or_else(|| panic!("{name}: no `datasource` variable"));
        assert_eq!(datasource["type"], "datasource", "{name}");
        assert_eq!(datasource["query"], "prometheus", "{name}");
        let on_variable = |what: &str, value: &Value| {
            assert_eq!(value["uid"], "${datasource}", "{name}: {what}");
            assert_eq!(value["type"], "prometheus", "{name}: {what}");
        };
        for variable in variables(&model).filter(|v| v["type"] == "query") {
            on_variable(
                &format!("variable {}", variable["name"]),
                &variable["datasource"],
            );
        }
        let mut ids = BTreeSet::new();
        for panel in panels(&model) {
            let title = panel["title"].as_str().unwrap();
            assert!(
                ids.insert(panel["id"].as_u64().unwrap()),
                "{name}: panel id {} used twice",
                panel["id"]
            );
            on_variable(title, &panel["datasource"]);
            let targets = panel["targets"].as_array().unwrap();
            assert!(!targets.is_empty(), "{name}: {title} queries nothing");
            for target in targets {
                on_variable(title, &target["datasource"]);
            }
            let grid = &panel["gridPos"];
            assert!(
                grid["x"].as_u64().unwrap() + grid["w"].as_u64().unwrap() <= 24,
                "{name}: {title} is wider than the grid"
            );
        }
    }
}

#[test]
fn the_vllm_dashboard_uses_vllms_own_names() {
    let allowed: BTreeSet<String> = VLLM_GAUGES
        .iter()
        .map(|g| (*g).to_owned())
        .chain(VLLM_COUNTERS.iter().map(|c| format!("{c}_total")))
        .chain(
            VLLM_HISTOGRAMS
                .iter()
                .flat_map(|h| ["_bucket", "_sum", "_count"].map(|suffix| format!("{h}{suffix}"))),
        )
        .collect();
    let (_, model) = dashboards()
        .into_iter()
        .find(|(name, _)| name == VLLM_DASHBOARD)
        .unwrap();
    let used: BTreeSet<String> = dashboard_queries(&model)
        .iter()
        .flat_map(|q| metric_names(q))
        .collect();
    let unknown: Vec<&String> = used.difference(&allowed).collect();
    assert!(unknown.is_empty(), "not vLLM metrics: {unknown:?}");
    for name in [
        "vllm:num_requests_running",
        "vllm:time_to_first_token_seconds_bucket",
        "vllm:e2e_request_latency_seconds_bucket",
        "vllm:generation_tokens_total",
    ] {
        assert!(used.contains(name), "the vLLM dashboard lacks {name}");
    }
}

/// A server with one priced model on `mock`, health checks every second and keys named in
/// the metrics (the per-key panels are then not empty).
async fn served(mock: &MockUpstream) -> TestApp {
    let preamble = "[gateway]\nhealth_check_interval_seconds = 1\n\
                    [metrics]\nper_key_labels = true\n";
    let toml = config(preamble, &[ModelSpec::new("granite", "granite", &[mock])]);
    TestApp::builder().config_toml(&toml).start().await
}

/// `/metrics` once it has a sample of every name in `wanted` (5 s at most: the ledger and the
/// health checks run on their own tickers), or as it is then.
async fn scrape_until(app: &TestApp, wanted: &BTreeSet<String>) -> BTreeSet<String> {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(5);
    loop {
        let names = exposed(&app.metrics_text().await);
        if wanted.is_subset(&names) || tokio::time::Instant::now() > deadline {
            return names;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

#[tokio::test]
async fn every_metric_the_alerts_and_dashboards_query_is_exported() {
    let mut queried: Vec<(String, String)> = alert_rules()
        .iter()
        .map(|r| {
            let expr = r["expr"].as_str().unwrap().to_owned();
            (format!("alert {}", r["alert"].as_str().unwrap()), expr)
        })
        .collect();
    for (name, model) in dashboards() {
        if name != VLLM_DASHBOARD {
            queried.extend(
                dashboard_queries(&model)
                    .into_iter()
                    .map(|q| (name.clone(), q)),
            );
        }
    }
    let wanted: BTreeSet<String> = queried
        .iter()
        .flat_map(|(_, expr)| metric_names(expr))
        .filter(|name| !SYNTHETIC.contains(&name.as_str()))
        .collect();
    assert!(
        wanted.contains("litellm_overhead_latency_metric_bucket") && wanted.len() > 20,
        "too few metrics found in the queries: {wanted:?}"
    );

    let mock = MockUpstream::start("aws", &["granite"], &[]).await;
    let app = served(&mock).await;
    // One answer (9,800 nanos) spends this key's 5,000-nano budget: the next is refused.
    let key = key_with(&app, json!({"max_budget": 0.000005})).await;
    let key = key["key"].as_str().unwrap();
    let chat = json!({"model": "granite", "messages": [{"role": "user", "content": "hi"}]});
    let response = app.post_with_key(CHAT, &chat, key).await;
    assert_eq!(response.status(), 200);
    let refused = app.post_with_key(CHAT, &chat, key).await;
    assert_eq!(refused.status(), 429);
    // A stream, for the time to first token.
    let mut stream = chat.clone();
    stream["stream"] = json!(true);
    let response = app.post_as_master(CHAT, &stream).await;
    assert_eq!(response.status(), 200);
    assert!(response.text().await.unwrap().contains("[DONE]"));
    // Server errors: the model server fails, the deployment fails over to nothing and cools.
    mock.set_knobs(json!({"failure_rate": 1.0})).await;
    let failed = app.post_as_master(CHAT, &chat).await;
    assert!(failed.status().is_server_error(), "{}", failed.status());

    let names = scrape_until(&app, &wanted).await;
    let missing: Vec<String> = queried
        .iter()
        .flat_map(|(place, expr)| {
            metric_names(expr)
                .into_iter()
                .filter(|n| !SYNTHETIC.contains(&n.as_str()) && !names.contains(n))
                .map(move |n| format!("{n} (in {place})"))
        })
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    assert!(
        missing.is_empty(),
        "queried but not exported by /metrics after traffic:\n{}",
        missing.join("\n")
    );
}
