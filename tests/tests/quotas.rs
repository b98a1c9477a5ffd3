//! Quota semantics through the real binary, on real PostgreSQL and Redis: requests and tokens
//! per minute exact across three replicas (over TCP and over a Unix socket) and across
//! admissions decided together in one call, parallel slots that a killed replica gives back,
//! a small budget under 50 concurrent requests, Redis stopped mid-run under both failure
//! policies, and the database cut off for ten seconds under load with no spend lost.

use std::time::Duration;

use harness::gateway::{ModelSpec, config, key_info, metric};
use harness::{MockUpstream, RedisServer, TcpProxy, TestApp, TestDb};
use serde_json::{Value, json};

const CHAT: &str = "/v1/chat/completions";

fn chat_body() -> Value {
    json!({"model": "granite", "messages": [{"role": "user", "content": "hi"}]})
}

/// The config with one priced chat model on `mock`, plus `preamble`.
fn model_config(mock: &MockUpstream, preamble: &str) -> String {
    // The key budget gauges are read below: keys are named in the metrics here.
    let preamble = format!("{preamble}\n[metrics]\nper_key_labels = true\n");
    config(&preamble, &[ModelSpec::new("granite", "granite", &[mock])])
}

/// The secret of a key made through the admin API with `limits` (LiteLLM field names).
async fn key_with(app: &TestApp, limits: Value) -> String {
    harness::gateway::key_with(app, limits).await["key"]
        .as_str()
        .unwrap()
        .to_owned()
}

async fn chat(app: &TestApp, key: &str) -> reqwest::Response {
    app.post_with_key(CHAT, &chat_body(), key).await
}

/// Asserts `response` is a `status` error whose message contains `needle`; returns the body.
async fn assert_error(response: reqwest::Response, status: u16, needle: &str) -> Value {
    assert_eq!(response.status(), status);
    let body: Value = response.json().await.unwrap();
    let message = body["error"]["message"].as_str().unwrap_or_default();
    assert!(message.contains(needle), "{body}");
    body
}

fn header<'a>(response: &'a reqwest::Response, name: &str) -> &'a str {
    response
        .headers()
        .get(name)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_else(|| panic!("no {name} header"))
}

/// One server on the embedded default (SQLite, no Redis) with the model on a mock.
async fn embedded_app() -> (TestApp, MockUpstream) {
    let mock = MockUpstream::start("aws", &["granite"], &[]).await;
    let app = TestApp::builder()
        .sqlite()
        .config_toml(&model_config(&mock, ""))
        .start()
        .await;
    (app, mock)
}

/// One server on PostgreSQL with its own Redis, the model on a mock.
async fn redis_app() -> (TestApp, MockUpstream) {
    let mock = MockUpstream::start("aws", &["granite"], &[]).await;
    let app = TestApp::builder()
        .redis()
        .config_toml(&model_config(&mock, ""))
        .start()
        .await;
    (app, mock)
}

/// Three replicas sharing one PostgreSQL database and one Redis, with `env` set on each.
async fn replicas(mock: &MockUpstream, redis: &str, env: &[(&str, &str)]) -> Vec<TestApp> {
    let toml = model_config(mock, "");
    let mut first = TestApp::builder().redis_url(redis).config_toml(&toml);
    for (name, value) in env {
        first = first.env(name, value);
    }
    let first = first.start().await;
    let url = first.database_url();
    let mut apps = vec![first];
    for _ in 0..2 {
        let mut builder = TestApp::builder()
            .database_url(&url)
            .redis_url(redis)
            .config_toml(&toml);
        for (name, value) in env {
            builder = builder.env(name, value);
        }
        apps.push(builder.start().await);
    }
    apps
}

#[tokio::test]
async fn requests_per_minute_are_exact_across_three_replicas() {
    let mock = MockUpstream::start("aws", &["granite"], &[]).await;
    let apps = replicas(&mock, &harness::redis_url(), &[]).await;
    let key = key_with(&apps[0], json!({"rpm_limit": 7})).await;
    for i in 0..7 {
        let response = chat(&apps[i % 3], &key).await;
        assert_eq!(response.status(), 200, "request {i}");
        assert_eq!(header(&response, "x-ratelimit-limit-requests"), "7");
        assert_eq!(
            header(&response, "x-ratelimit-remaining-requests"),
            (6 - i).to_string()
        );
    }
    for app in &apps {
        let response = chat(app, &key).await;
        let retry: u64 = header(&response, "retry-after").parse().unwrap();
        assert!((1..=61).contains(&retry), "retry-after {retry}");
        assert_eq!(header(&response, "x-ratelimit-remaining-requests"), "0");
        assert!(header(&response, "x-ratelimit-reset-requests").ends_with('s'));
        let body = assert_error(response, 429, "7 requests per minute").await;
        assert_eq!(body["error"]["type"], "throttling_error");
        assert_eq!(body["error"]["code"], "429");
    }
    // The refusals never reached the model server, and they are counted.
    assert_eq!(mock.stats().await["requests"], 7);
    let text = metrics_of(&apps[0]).await;
    assert!(
        metric(&text, "switchyard_key_cache_hit_ratio") > 0.0,
        "{text}"
    );
    assert!(metric(&text, "litellm_overhead_latency_metric_count") >= 3.0);
    assert!(metric(&text, "litellm_llm_api_latency_metric_count") >= 3.0);
    assert_eq!(
        metric(&text, "switchyard_quota_refusals_total"),
        1.0,
        "{text}"
    );
    // A key without limits is untouched by another key's limit.
    let free = key_with(&apps[0], json!({})).await;
    assert_eq!(chat(&apps[1], &free).await.status(), 200);
}

#[tokio::test]
async fn admissions_that_queue_together_are_decided_in_one_call_each_in_turn() {
    // Sixty requests at once against a limit of thirty, through one replica: its admissions
    // queue while its call to Redis is out and go together in the next, where each is
    // decided after the one before it: exactly thirty pass, and each sees one request fewer
    // left than the one before it saw.
    let (app, mock) = redis_app().await;
    let key = key_with(&app, json!({"rpm_limit": 30})).await;
    let answers = futures::future::join_all((0..60).map(|_| chat(&app, &key))).await;
    let mut remaining: Vec<u64> = Vec::new();
    let mut refused = 0;
    for answer in &answers {
        let left = header(answer, "x-ratelimit-remaining-requests")
            .parse()
            .unwrap();
        match answer.status().as_u16() {
            200 => remaining.push(left),
            429 => {
                assert_eq!(left, 0);
                refused += 1;
            }
            status => panic!("status {status}"),
        }
    }
    remaining.sort_unstable();
    assert_eq!(remaining, (0..30).collect::<Vec<u64>>());
    assert_eq!(refused, 30);
    assert_eq!(mock.stats().await["requests"], 30);
    // Fewer calls than admissions: some call carried more than one.
    let text = metrics_of(&app).await;
    let admissions = metric(&text, "switchyard_quota_admissions_per_call_sum");
    let calls = metric(&text, "switchyard_quota_admissions_per_call_count");
    assert_eq!(admissions, 60.0, "{text}");
    assert!(calls < 60.0, "{calls} calls for 60 admissions");
}

#[tokio::test]
async fn tokens_per_minute_count_what_each_request_used() {
    let mock = MockUpstream::start("aws", &["granite"], &[]).await;
    let apps = replicas(&mock, &harness::redis_url(), &[]).await;
    // Each answer is 1 prompt + 16 completion tokens: 17, 34, 51 ≥ 40 after the third.
    let key = key_with(&apps[0], json!({"tpm_limit": 40})).await;
    for (i, app) in apps.iter().enumerate() {
        let response = chat(app, &key).await;
        assert_eq!(response.status(), 200, "request {i}");
        // Settlement follows the answer; give it a moment to land in Redis.
        tokio::time::sleep(Duration::from_millis(300)).await;
    }
    let refused = chat(&apps[1], &key).await;
    assert_eq!(header(&refused, "x-ratelimit-limit-tokens"), "40");
    assert_error(refused, 429, "40 tokens per minute").await;
    // Per-model limits apply to their model only.
    let per_model = key_with(&apps[0], json!({"model_tpm_limit": {"granite": 10}})).await;
    assert_eq!(chat(&apps[0], &per_model).await.status(), 200);
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_error(chat(&apps[2], &per_model).await, 429, "model `granite`").await;
}

/// The rolling minute counters as Redis holds them after requests from three replicas:
/// `sum` is the sum of the per-second counts, `oldest` the earliest second held, and the hash
/// expires within 62 s. The scripts move `oldest` and the expiry only when a second is new to
/// the hash, so this is what shows they still do. Halfway, Redis forgets its scripts.
#[tokio::test]
async fn rolling_counters_in_redis_keep_their_sum_oldest_second_and_expiry() {
    use sha2::Digest;
    let mock = MockUpstream::start("aws", &["granite"], &[]).await;
    let apps = replicas(&mock, &harness::redis_url(), &[]).await;
    let key = key_with(&apps[0], json!({"rpm_limit": 1000, "tpm_limit": 1000000})).await;
    let hash: String = sha2::Sha256::digest(key.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    let client = redis::Client::open(harness::redis_url()).unwrap();
    let mut redis = client.get_multiplexed_async_connection().await.unwrap();
    // Spread over more than one second, so the hashes hold several seconds.
    for i in 0..12 {
        if i == 6 {
            // Redis forgets its scripts (as when it restarts empty): the replicas load them
            // again and nothing is refused or lost.
            redis::cmd("SCRIPT")
                .arg("FLUSH")
                .query_async::<()>(&mut redis)
                .await
                .unwrap();
        }
        assert_eq!(chat(&apps[i % 3], &key).await.status(), 200, "request {i}");
        tokio::time::sleep(Duration::from_millis(150)).await;
    }
    // Each answer is 17 tokens; settlements land in Redis shortly after the answers.
    for (counter, total) in [("rpm", 12), ("tpm", 12 * 17)] {
        let name = format!("sy:q:k:{hash}:{counter}");
        let mut fields = std::collections::HashMap::new();
        for _ in 0..100 {
            fields = redis::cmd("HGETALL")
                .arg(&name)
                .query_async::<std::collections::HashMap<String, i64>>(&mut redis)
                .await
                .unwrap();
            if fields.get("sum") == Some(&total) {
                break;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        let seconds: Vec<(i64, i64)> = fields
            .iter()
            .filter_map(|(field, count)| Some((field.parse().ok()?, *count)))
            .collect();
        assert!(seconds.len() >= 2, "{name}: {fields:?}");
        assert_eq!(fields["sum"], total, "{name}: {fields:?}");
        assert_eq!(seconds.iter().map(|(_, n)| n).sum::<i64>(), total);
        assert_eq!(
            Some(fields["oldest"]),
            seconds.iter().map(|(s, _)| *s).min(),
            "{name}: {fields:?}"
        );
        let ttl: i64 = redis::cmd("PTTL")
            .arg(&name)
            .query_async(&mut redis)
            .await
            .unwrap();
        assert!((1..=62_000).contains(&ttl), "{name} expires in {ttl} ms");
    }
}

/// Waits until the mock has received `n` requests (10 s at most).
async fn wait_for_requests(mock: &MockUpstream, n: u64) {
    for _ in 0..200 {
        if mock.stats().await["requests"].as_u64().unwrap() >= n {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("the mock never saw {n} requests");
}

/// A Redis on the same host, reached over its Unix socket (`redis+unix://`): requests per
/// minute are shared by three replicas exactly as over TCP.
#[tokio::test]
async fn limits_are_shared_through_a_redis_unix_socket() {
    let dir = tempfile::tempdir().unwrap();
    let socket = dir.path().join("redis.sock");
    let _redis = tokio::process::Command::new("redis-server")
        .args(["--port", "0", "--unixsocket", socket.to_str().unwrap()])
        .args(["--save", "", "--appendonly", "no"])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .unwrap();
    for _ in 0..100 {
        if tokio::net::UnixStream::connect(&socket).await.is_ok() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let mock = MockUpstream::start("aws", &["granite"], &[]).await;
    let apps = replicas(&mock, &format!("redis+unix://{}", socket.display()), &[]).await;
    let key = key_with(&apps[0], json!({"rpm_limit": 3})).await;
    for i in 0..3 {
        assert_eq!(chat(&apps[i % 3], &key).await.status(), 200, "request {i}");
    }
    for app in &apps {
        assert_error(chat(app, &key).await, 429, "3 requests per minute").await;
    }
    assert_eq!(mock.stats().await["requests"], 3);
}

#[tokio::test]
async fn parallel_slots_are_leases_that_a_killed_replica_gives_back() {
    let mock = MockUpstream::start("aws", &["granite"], &[]).await;
    let mut apps = replicas(
        &mock,
        &harness::redis_url(),
        &[("SWITCHYARD_QUOTA__LEASE_SECONDS", "2")],
    )
    .await;
    let key = key_with(&apps[0], json!({"max_parallel_requests": 1})).await;

    // A slow request holds the only slot on replica 0.
    mock.set_knobs(json!({"latency_ms": 60_000})).await;
    let (base, client, held_key) = (apps[0].base.clone(), apps[0].client.clone(), key.clone());
    let holder = tokio::spawn(async move {
        let _ = client
            .post(format!("{base}{CHAT}"))
            .bearer_auth(held_key)
            .json(&chat_body())
            .send()
            .await;
    });
    wait_for_requests(&mock, 1).await;
    mock.set_knobs(json!({"latency_ms": 0})).await;
    assert_error(chat(&apps[1], &key).await, 429, "1 at a time").await;
    // Longer than a lease: the live holder renews its slot, so it is still taken.
    tokio::time::sleep(Duration::from_secs(3)).await;
    assert_eq!(chat(&apps[2], &key).await.status(), 429);

    // The replica dies holding the slot; once its lease runs out the slot is free again.
    apps[0].kill().await;
    holder.abort();
    assert!(
        admitted_within(&apps[1], &key, 50, Duration::from_millis(200)).await,
        "the dead replica's slot was never given back"
    );
    // A request that finished gave its slot back as soon as its settlement reached Redis
    // (sent right after the answer, not awaited by it): within moments, on another replica.
    assert!(
        admitted_within(&apps[2], &key, 20, Duration::from_millis(50)).await,
        "a finished request's slot was not given back"
    );
}

/// Whether one of `tries` requests, `pause` apart, is admitted (200).
async fn admitted_within(app: &TestApp, key: &str, tries: u32, pause: Duration) -> bool {
    for _ in 0..tries {
        if chat(app, key).await.status() == 200 {
            return true;
        }
        tokio::time::sleep(pause).await;
    }
    false
}

#[tokio::test]
async fn a_sequential_client_is_never_refused_a_parallel_slot_by_its_own_last_request() {
    // One replica with Redis: each request's settlement (which frees the slot) reaches Redis
    // before the next request's admission, even when the next request is checked before the
    // settling task has run, or while it is sending. (Before this was so, the test failed in
    // most runs: the next admission overtook the settlement and found the slot taken.)
    let (app, mock) = redis_app().await;
    let key = key_with(&app, json!({"max_parallel_requests": 1})).await;
    let streamed = json!({"stream": true, "model": "granite",
                          "messages": [{"role": "user", "content": "hi"}]});
    for i in 0..200 {
        // Whole answers and streams in turn: a stream frees its slot when it ends.
        let response = if i % 2 == 0 {
            chat(&app, &key).await
        } else {
            app.post_with_key(CHAT, &streamed, &key).await
        };
        assert_eq!(response.status(), 200, "request {i}");
        let body = response.text().await.unwrap();
        assert!(body.contains("granite"), "request {i}: {body}");
    }
    assert_eq!(mock.stats().await["requests"], 200);
}

/// 50 concurrent requests against a budget worth a handful: the spend recorded never exceeds
/// the budget by more than one request's reservation.
async fn fifty_against_a_small_budget(app: &TestApp) {
    // Prices: 200 nanos per prompt token, 600 per completion token. Each answer costs
    // 1 × 200 + 16 × 600 = 9,800; each request reserves 1 × 200 + 16 × 600 (max_tokens 16).
    let max_budget = 0.00005; // 50,000 nanos: five answers fit, the sixth overspends.
    let key = key_with(app, json!({"max_budget": max_budget})).await;
    let body = json!({"model": "granite", "max_tokens": 16,
                      "messages": [{"role": "user", "content": "hi"}]});
    let requests = (0..50).map(|_| {
        let (client, url, key, body) =
            (app.client.clone(), app.url(CHAT), key.clone(), body.clone());
        async move {
            let response = client
                .post(url)
                .bearer_auth(key)
                .json(&body)
                .send()
                .await
                .unwrap();
            let status = response.status().as_u16();
            let body: Value = response.json().await.unwrap();
            (status, body)
        }
    });
    let answers = futures::future::join_all(requests).await;
    let served = answers.iter().filter(|(s, _)| *s == 200).count();
    let refused: Vec<_> = answers.iter().filter(|(s, _)| *s == 429).collect();
    assert_eq!(served + refused.len(), 50, "{answers:?}");
    assert!(served >= 1 && !refused.is_empty(), "served {served}");
    for (_, body) in &refused {
        assert_eq!(body["error"]["type"], "budget_exceeded", "{body}");
    }
    let reservation = 200 + 16 * 600;
    let spent = {
        let mut spent = 0;
        // The ledger writes in batches; a loaded machine takes seconds.
        for _ in 0..200 {
            spent = key_spend(app, &key).await;
            if spent == i64::try_from(served).unwrap() * 9_800 {
                break;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        spent
    };
    assert_eq!(
        spent,
        i64::try_from(served).unwrap() * 9_800,
        "every answer is recorded"
    );
    assert!(spent <= 50_000 + reservation, "spent {spent} of 50,000");
    // Once spent, every further request is refused.
    let response = app.post_with_key(CHAT, &body, &key).await;
    assert_eq!(response.status(), 429);
    // The key's budget gauges follow its counter.
    let text = metrics_of(app).await;
    assert_eq!(
        metric(&text, "litellm_api_key_max_budget_metric"),
        max_budget,
        "{text}"
    );
    let remaining = metric(&text, "litellm_remaining_api_key_budget_metric");
    assert!(
        remaining < max_budget && remaining > -(reservation as f64) / 1e9,
        "remaining {remaining}"
    );
}

#[tokio::test]
async fn fifty_concurrent_requests_never_overspend_a_budget_shared_in_redis() {
    let mock = MockUpstream::start("aws", &["granite"], &[]).await;
    let apps = replicas(&mock, &harness::redis_url(), &[]).await;
    fifty_against_a_small_budget(&apps[0]).await;
}

#[tokio::test]
async fn fifty_concurrent_requests_never_overspend_a_budget_in_process_on_sqlite() {
    let (app, _mock) = embedded_app().await;
    fifty_against_a_small_budget(&app).await;
}

/// The key's recorded spend in nano-units, as `/key/info` reports it.
async fn key_spend(app: &TestApp, key: &str) -> i64 {
    (key_info(app, key).await["spend"].as_f64().unwrap() * 1e9).round() as i64
}

async fn count(db: &sea_orm::DatabaseConnection, sql: &str) -> i64 {
    use sea_orm::{ConnectionTrait, Statement};
    let row = db
        .query_one(Statement::from_string(db.get_database_backend(), sql))
        .await
        .unwrap()
        .unwrap();
    row.try_get_by_index::<i64>(0).unwrap()
}

async fn metrics_of(app: &TestApp) -> String {
    app.metrics_text().await
}

#[tokio::test]
async fn redis_stopped_mid_run_falls_back_by_policy_and_recovers() {
    let mut redis = RedisServer::start().await;
    let mock = MockUpstream::start("aws", &["granite"], &[]).await;
    let toml = model_config(&mock, "");
    let per_replica = TestApp::builder()
        .redis_url(&redis.url())
        .config_toml(&toml)
        .start()
        .await;
    let url = per_replica.database_url();
    let reject = TestApp::builder()
        .database_url(&url)
        .redis_url(&redis.url())
        .config_toml(&toml)
        .env("SWITCHYARD_QUOTA__REDIS_FAILURE", "reject")
        .start()
        .await;
    let key = key_with(&per_replica, json!({"rpm_limit": 1000})).await;
    assert_eq!(chat(&per_replica, &key).await.status(), 200);
    assert_eq!(chat(&reject, &key).await.status(), 200);

    redis.stop().await;
    // Per-replica (the default): served on this replica's own counters.
    for _ in 0..5 {
        assert_eq!(chat(&per_replica, &key).await.status(), 200);
    }
    // Reject: refused with a clear 503 while the limits cannot be checked.
    assert_error(
        chat(&reject, &key).await,
        503,
        "rate limits cannot be checked",
    )
    .await;
    assert!(
        metric(
            &metrics_of(&per_replica).await,
            "switchyard_redis_errors_total"
        ) >= 1.0
    );
    // Unlimited keys never needed Redis.
    let free = key_with(&per_replica, json!({})).await;
    assert_eq!(chat(&reject, &free).await.status(), 200);

    redis.restart().await;
    let mut recovered = false;
    for _ in 0..50 {
        if chat(&reject, &key).await.status() == 200 {
            recovered = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    assert!(
        recovered,
        "the reject replica never recovered:\n{}",
        reject.logs()
    );
    // The per-replica instance notices on its next limited request once its connection to
    // the restarted Redis is back (which takes longer on a busy machine): keep asking.
    let mut noticed = false;
    for _ in 0..20 {
        if per_replica
            .wait_for_log("redis answers again", Duration::from_millis(500))
            .await
        {
            noticed = true;
            break;
        }
        chat(&per_replica, &key).await;
    }
    assert!(
        noticed,
        "the per-replica instance never used Redis again:\n{}",
        per_replica.logs()
    );
    // Counting is shared in Redis again.
    let client = redis::Client::open(redis.url()).unwrap();
    let mut connection = client.get_multiplexed_async_connection().await.unwrap();
    let keys: Vec<String> = redis::cmd("KEYS")
        .arg("sy:q:*")
        .query_async(&mut connection)
        .await
        .unwrap();
    assert!(keys.iter().any(|k| k.ends_with(":rpm")), "{keys:?}");
}

#[tokio::test]
async fn the_database_cut_off_for_ten_seconds_under_load_loses_no_spend() {
    let db = TestDb::create().await;
    let target = "127.0.0.1:5432".parse().unwrap();
    let proxy = TcpProxy::start(target).await;
    let proxied = db.url.replace("127.0.0.1:5432", &proxy.addr.to_string());
    let mock = MockUpstream::start("aws", &["granite"], &[]).await;
    let app = TestApp::builder()
        .database_url(&proxied)
        .config_toml(&model_config(&mock, ""))
        .start()
        .await;
    let key = key_with(&app, json!({"rpm_limit": 100000})).await;
    // Warm the key cache: the outage must not need the database to authenticate.
    assert_eq!(chat(&app, &key).await.status(), 200);

    let load = {
        let (client, url, key) = (app.client.clone(), app.url(CHAT), key.clone());
        tokio::spawn(async move {
            let (mut served, mut other) = (0_i64, Vec::new());
            let started = tokio::time::Instant::now();
            while started.elapsed() < Duration::from_secs(14) {
                let response = client
                    .post(&url)
                    .bearer_auth(&key)
                    .json(&chat_body())
                    .send()
                    .await
                    .unwrap();
                match response.status().as_u16() {
                    200 => served += 1,
                    status => other.push(status),
                }
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
            (served, other)
        })
    };
    tokio::time::sleep(Duration::from_secs(2)).await;
    proxy.cut();
    tokio::time::sleep(Duration::from_secs(5)).await;
    let during = metrics_of(&app).await;
    tokio::time::sleep(Duration::from_secs(5)).await;
    proxy.resume();
    let (served, other) = load.await.unwrap();
    assert!(
        other.is_empty(),
        "requests failed during the outage: {other:?}"
    );
    assert!(served > 100, "only {served} requests served");
    assert!(
        metric(&during, "switchyard_ledger_buffered_events") > 0.0,
        "{during}"
    );
    assert!(metric(&during, "switchyard_ledger_write_failures_total") > 0.0);

    // Every served request (and the warm-up) has its row once the database is back.
    let direct = db.connect().await;
    let expected = served + 1;
    let mut rows = 0;
    for _ in 0..100 {
        rows = count(&direct, "SELECT COUNT(*) FROM spend_requests").await;
        if rows >= expected {
            break;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    assert_eq!(rows, expected, "spend rows after the outage");
    let rolled = count(
        &direct,
        "SELECT CAST(SUM(requests) AS BIGINT) FROM usage_rollups WHERE span = 'hour'",
    )
    .await;
    assert_eq!(rolled, expected, "hourly rollups count every request");
    let daily = count(
        &direct,
        "SELECT CAST(SUM(requests) AS BIGINT) FROM usage_rollups WHERE span = 'day'",
    )
    .await;
    assert_eq!(daily, expected, "daily rollups count every request");
    let text = metrics_of(&app).await;
    assert_eq!(metric(&text, "switchyard_ledger_buffered_events"), 0.0);
}

#[tokio::test]
async fn a_users_limit_covers_all_of_their_keys() {
    let (app, _mock) = embedded_app().await;
    let response = app
        .post_as_master(
            "/user/new",
            &json!({"user_id": "dana@example.com", "rpm_limit": "3"}),
        )
        .await;
    assert_eq!(response.status(), 200);
    let owned = json!({"user_id": "dana@example.com"});
    let (first, second) = (
        key_with(&app, owned.clone()).await,
        key_with(&app, owned).await,
    );
    for key in [&first, &second, &first] {
        assert_eq!(chat(&app, key).await.status(), 200);
    }
    assert_error(
        chat(&app, &second).await,
        429,
        "the user allows 3 requests per minute",
    )
    .await;
    // Someone else's keys are not affected.
    let other = key_with(&app, json!({})).await;
    assert_eq!(chat(&app, &other).await.status(), 200);
}

#[tokio::test]
async fn requests_per_day_stop_a_key_until_midnight_utc_and_show_everywhere() {
    let (app, _mock) = embedded_app().await;
    let key = key_with(&app, json!({"rpd_limit": "2"})).await;
    for _ in 0..2 {
        assert_eq!(chat(&app, &key).await.status(), 200);
    }
    let response = chat(&app, &key).await;
    let retry: u64 = header(&response, "retry-after").parse().unwrap();
    assert!((1..=86_400).contains(&retry), "retry-after {retry}");
    let body = assert_error(response, 429, "the API key allows 2 requests per day").await;
    assert_eq!(body["error"]["type"], "throttling_error");
    // The admin API shows it under its LiteLLM name and changes it like any other limit.
    let info = key_info(&app, &key).await;
    assert_eq!(info["rpd_limit"], 2, "{info}");
    let raised = app
        .post_as_master("/key/update", &json!({"key": key, "rpd_limit": 3}))
        .await;
    assert_eq!(raised.status(), 200, "{}", app.logs());
    assert_eq!(chat(&app, &key).await.status(), 200);
    // A user's daily limit covers their keys; GraphQL shows it on the user.
    let made = app
        .post_as_master(
            "/user/new",
            &json!({"user_id": "erin@example.com", "rpd_limit": 1}),
        )
        .await;
    assert_eq!(made.status(), 200);
    let user: Value = made.json().await.unwrap();
    assert_eq!(user["rpd_limit"], 1, "{user}");
    let owned = key_with(&app, json!({"user_id": "erin@example.com"})).await;
    assert_eq!(chat(&app, &owned).await.status(), 200);
    assert_error(
        chat(&app, &owned).await,
        429,
        "the user allows 1 requests per day",
    )
    .await;
}

#[tokio::test]
async fn a_budget_window_resets_at_its_boundary_and_unpriced_models_are_never_refused() {
    let mock = MockUpstream::start("aws", &["granite", "free"], &[]).await;
    let mut toml = model_config(&mock, "");
    toml.push_str(&format!(
        "[[models]]\nname = \"free\"\n[[models.deployments]]\ncluster = \"aws\"\n\
         api_base = \"{}/v1\"\n",
        mock.base
    ));
    let app = TestApp::builder().config_toml(&toml).start().await;
    // 2 s windows; one answer (9,800 nanos) spends the whole 5,000-nano budget.
    let key = key_with(
        &app,
        json!({"models": ["granite", "free"], "max_budget": 0.000005, "budget_duration": "2s"}),
    )
    .await;
    let window_end = key_info(&app, &key).await["budget_reset_at"]
        .as_str()
        .unwrap()
        .to_owned();
    let mut refused = false;
    for _ in 0..3 {
        let status = chat(&app, &key).await.status();
        if status == 429 {
            refused = true;
            break;
        }
        assert_eq!(status, 200);
    }
    assert!(refused, "the budget never refused");
    // A model without prices costs nothing and is never refused for budget.
    let free = json!({"model": "free", "messages": [{"role": "user", "content": "hi"}]});
    assert_eq!(app.post_with_key(CHAT, &free, &key).await.status(), 200);
    // In the next window the key is admitted again, and the ledger starts the window at zero.
    let mut admitted = false;
    for _ in 0..40 {
        tokio::time::sleep(Duration::from_millis(100)).await;
        if chat(&app, &key).await.status() == 200 {
            admitted = true;
            break;
        }
    }
    assert!(admitted, "the budget never reset");
    let mut moved = false;
    for _ in 0..40 {
        let now = key_info(&app, &key).await;
        if now["budget_reset_at"].as_str() != Some(window_end.as_str()) {
            assert!(now["spend"].as_f64().unwrap() <= 0.0000098 + 1e-12, "{now}");
            moved = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(moved, "budget_reset_at never moved past {window_end}");
}
