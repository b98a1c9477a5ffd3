//! The attacks of the security review (issue 15), each reproduced as an attacker would run it
//! against the real binary, and shown to do no harm: a client-chosen request id, a key in a
//! URL path, admin bodies read before the master key is checked, refusals left unaudited.

#![allow(clippy::unwrap_used)]

use std::collections::HashSet;

use harness::gateway::{ModelSpec, config, key_with, spend_rows};
use harness::{MockUpstream, TestApp};
use sea_orm::ConnectionTrait;
use serde_json::{Value, json};

const CHAT: &str = "/v1/chat/completions";

fn chat_body() -> Value {
    json!({"model": "granite", "messages": [{"role": "user", "content": "hi"}]})
}

async fn app_on(mock: &MockUpstream, redis: bool) -> TestApp {
    let mut builder = TestApp::builder().config_toml(&config(
        "",
        &[ModelSpec::new("granite", "granite", &[mock])],
    ));
    if redis {
        builder = builder.redis();
    }
    builder.start().await
}

/// `n` chat requests with `key` at once (each with `request_id` as its `x-request-id`, when
/// given); their statuses, every one of them 200 or 429.
async fn concurrent_chats(
    app: &TestApp,
    key: &str,
    n: usize,
    request_id: Option<&str>,
) -> Vec<u16> {
    let sends = (0..n).map(|_| {
        let mut request = app.client.post(app.url(CHAT)).bearer_auth(key);
        if let Some(id) = request_id {
            request = request.header("x-request-id", id);
        }
        request.json(&chat_body()).send()
    });
    let statuses: Vec<u16> = futures::future::join_all(sends)
        .await
        .into_iter()
        .map(|r| r.unwrap().status().as_u16())
        .collect();
    assert!(
        statuses.iter().all(|s| *s == 200 || *s == 429),
        "{statuses:?}"
    );
    statuses
}

/// Ten concurrent requests sharing one `x-request-id` under `max_parallel_requests: 2`, while
/// the model server takes a second to answer: how many were admitted.
async fn admitted_with_one_shared_id(app: &TestApp, key: &str) -> usize {
    let statuses = concurrent_chats(app, key, 10, Some("same-id")).await;
    statuses.iter().filter(|s| **s == 200).count()
}

#[tokio::test]
async fn a_client_chosen_request_id_neither_shares_parallel_slots_nor_drops_ledger_rows() {
    let mock = MockUpstream::start("aws", &["granite"], &[]).await;
    for redis in [false, true] {
        let app = app_on(&mock, redis).await;
        let key = key_with(&app, json!({"max_parallel_requests": 2})).await;
        let secret = key["key"].as_str().unwrap();

        mock.set_knobs(json!({"latency_ms": 1_000})).await;
        assert_eq!(
            admitted_with_one_shared_id(&app, secret).await,
            2,
            "redis: {redis}"
        );
        mock.set_knobs(json!({"latency_ms": 0})).await;

        // Twelve requests reusing one id: twelve answers with twelve server ids, twelve rows.
        let mut ids = HashSet::new();
        for _ in 0..12 {
            let response = app
                .client
                .post(app.url(CHAT))
                .bearer_auth(secret)
                .header("x-request-id", "same-id")
                .json(&chat_body())
                .send()
                .await
                .unwrap();
            assert_eq!(response.status(), 200);
            let id = response.headers()["x-request-id"].to_str().unwrap();
            assert_eq!(
                id,
                response.headers()["x-litellm-call-id"].to_str().unwrap()
            );
            ids.insert(id.to_owned());
        }
        assert_eq!(ids.len(), 12, "{ids:?}");
        assert!(!ids.contains("same-id"));
        // Two admitted before, twelve now.
        let rows = spend_rows(&app.database().await, 14).await;
        let logged: HashSet<&str> = rows
            .iter()
            .filter_map(|row| row["request_id"].as_str())
            .collect();
        assert!(
            ids.iter().all(|id| logged.contains(id.as_str())),
            "{rows:?}"
        );
    }
}

/// The audit log's entries, oldest first: action, actor and the recorded `after`.
async fn audit_rows(app: &TestApp) -> Vec<(String, String, Value)> {
    let rows = app
        .database()
        .await
        .query_all(sea_orm::Statement::from_string(
            sea_orm::DatabaseBackend::Postgres,
            "SELECT action, actor, after::text AS after FROM audit_log ORDER BY id",
        ))
        .await
        .unwrap();
    rows.iter()
        .map(|row| {
            (
                row.try_get("", "action").unwrap(),
                row.try_get("", "actor").unwrap(),
                serde_json::from_str(&row.try_get::<String>("", "after").unwrap()).unwrap(),
            )
        })
        .collect()
}

#[tokio::test]
async fn a_key_in_a_url_path_never_reaches_the_log_or_the_audit_log() {
    let mock = MockUpstream::start("aws", &["granite"], &[]).await;
    let app = TestApp::builder()
        .env("RUST_LOG", "debug")
        .config_toml(&config(
            "",
            &[ModelSpec::new("granite", "granite", &[&mock])],
        ))
        .start()
        .await;
    let key = key_with(&app, json!({})).await;
    let secret = key["key"].as_str().unwrap();
    let response = app
        .post_as_master(&format!("/key/{secret}/regenerate"), &json!({}))
        .await;
    assert_eq!(response.status(), 200);
    let fresh: Value = response.json().await.unwrap();
    let fresh = fresh["key"].as_str().unwrap();

    let logs = app.logs();
    assert!(
        logs.contains("/key/{key}/regenerate"),
        "the route is logged"
    );
    assert!(
        !logs.contains(secret) && !logs.contains(fresh),
        "a key reached the log"
    );
    let text: Vec<String> = audit_rows(&app)
        .await
        .iter()
        .map(|(action, _, after)| format!("{action} {after}"))
        .collect();
    assert!(
        text.iter()
            .any(|t| t.starts_with("POST /key/{key}/regenerate")),
        "{text:?}"
    );
    assert!(
        text.iter()
            .all(|t| !t.contains(secret) && !t.contains(fresh)),
        "{text:?}"
    );
}

#[tokio::test]
async fn the_admin_api_reads_no_body_before_the_master_key_and_audits_refusals() {
    let app = TestApp::start().await;
    // A stranger's 8 MiB body is refused for its credential, not read into memory first.
    let big = vec![b'x'; 8 << 20];
    let response = app
        .client
        .post(app.url("/key/generate"))
        .bearer_auth("sk-not-the-master-key")
        .header("content-type", "application/json")
        .body(big)
        .send()
        .await;
    // The server may answer before reading the body and close the connection under the
    // upload; either way it never answers anything but the refusal.
    if let Ok(response) = response {
        assert_eq!(response.status(), 401);
    }
    // The master key's oversized body (2 MiB, over the 1 MiB limit) is refused with a clear
    // error. The server answers once it has read 1 MiB and may close the connection while
    // the rest is still being sent; the answers that arrive are all 413.
    let mut answered = 0;
    for _ in 0..5 {
        let response = app
            .client
            .post(app.url("/key/generate"))
            .bearer_auth(harness::MASTER_KEY)
            .header("content-type", "application/json")
            .body(vec![b'x'; 2 << 20])
            .send()
            .await;
        if let Ok(response) = response {
            assert_eq!(response.status(), 413);
            answered += 1;
        }
    }
    assert!(answered > 0, "no answer to an oversized admin body");

    // A refused change is audited with its status; a stranger's attempt and an unread body
    // are not.
    let response = app
        .post_as_master(
            "/key/update",
            &json!({"key": "sk-no-such-key", "max_budget": 1}),
        )
        .await;
    assert_eq!(response.status(), 404);
    let rows = audit_rows(&app).await;
    assert_eq!(rows.len(), 1, "{rows:?}");
    assert_eq!(rows[0].0, "POST /key/update");
    assert_eq!(rows[0].1, "master key");
    assert_eq!(rows[0].2["status"], 404);
    assert_eq!(rows[0].2["input"]["max_budget"], 1);
}

/// A stream of `total` bytes in 1 MiB chunks.
fn flood(total: usize) -> reqwest::Body {
    let chunks = (0..total >> 20).map(|_| Ok::<_, std::io::Error>(vec![b' '; 1 << 20]));
    reqwest::Body::wrap_stream(futures::stream::iter(chunks))
}

#[tokio::test]
async fn a_400_mib_graphql_body_is_refused_as_it_arrives() {
    let app = TestApp::start().await;
    let before = app.peak_rss_kib();
    // Declared up front: refused before a byte of it is read.
    let response = app
        .client
        .post(app.url("/graphql"))
        .header("content-type", "application/json")
        .header("content-length", (400usize << 20).to_string())
        .body(flood(400 << 20))
        .send()
        .await;
    if let Ok(response) = response {
        assert_eq!(response.status(), 413);
    }
    // Streamed without a length: cut off once past the limit.
    let response = app
        .client
        .post(app.url("/graphql"))
        .header("content-type", "application/json")
        .body(flood(400 << 20))
        .send()
        .await;
    if let Ok(response) = response {
        assert!(response.status().is_client_error(), "{}", response.status());
    }
    let after = app.peak_rss_kib();
    // Without the limit the server held the whole body (peak 957 MiB); with it, a few MiB of
    // buffers at most.
    assert!(
        after < before + 64 * 1024,
        "peak memory went from {before} KiB to {after} KiB"
    );
    assert_eq!(app.get("/health/liveness").await.status(), 200);
    // An ordinary operation still runs.
    assert!(app.graphql("{ __typename }").await["data"]["__typename"].is_string());
}

/// A chat body carrying `values` zeros in a field the gateway passes through.
fn chat_with_values(values: usize) -> Vec<u8> {
    let mut body =
        br#"{"model":"granite","messages":[{"role":"user","content":"hi"}],"extra":["#.to_vec();
    for i in 0..values {
        body.extend_from_slice(if i == 0 { b"0" } else { b",0" });
    }
    body.extend_from_slice(b"]}");
    body
}

#[tokio::test]
async fn a_v1_body_is_bounded_in_bytes_and_in_values_before_it_is_parsed() {
    let mock = MockUpstream::start("aws", &["granite"], &[]).await;
    let app = app_on(&mock, false).await;
    let post = |body: reqwest::Body, key: Option<&str>| {
        let mut request = app
            .client
            .post(app.url(CHAT))
            .header("content-type", "application/json")
            .body(body);
        if let Some(key) = key {
            request = request.bearer_auth(key);
        }
        request.send()
    };
    let before = app.peak_rss_kib();
    // Anonymous: refused before a byte is read.
    if let Ok(response) = post(flood(60 << 20), None).await {
        assert_eq!(response.status(), 401);
    }
    // With a key, 60 MiB (the attack took the server from 329 to 1,419 MiB): cut off at the
    // 16 MiB default.
    if let Ok(response) = post(flood(60 << 20), Some(harness::MASTER_KEY)).await {
        assert_eq!(response.status(), 413);
    }
    // 8 MiB within the byte limit, but four million values: refused before parsing.
    let response = post(
        chat_with_values(4_000_000).into(),
        Some(harness::MASTER_KEY),
    )
    .await
    .unwrap();
    assert_eq!(response.status(), 413);
    let refusal: Value = response.json().await.unwrap();
    assert!(
        refusal["error"]["message"]
            .as_str()
            .unwrap()
            .contains("JSON values"),
        "{refusal}"
    );
    let after = app.peak_rss_kib();
    assert!(
        after < before + 64 * 1024,
        "peak memory went from {before} KiB to {after} KiB"
    );
    // A large ordinary request (100,000 values, an embeddings batch's size) still passes.
    let response = post(chat_with_values(100_000).into(), Some(harness::MASTER_KEY))
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
}

/// A server that answers every request with a redirect to `location`.
async fn redirector(location: String) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    tokio::spawn(async move {
        while let Ok((mut stream, _)) = listener.accept().await {
            let location = location.clone();
            tokio::spawn(async move {
                use tokio::io::{AsyncReadExt, AsyncWriteExt};
                let mut head = [0u8; 4096];
                let _ = stream.read(&mut head).await;
                let answer = format!(
                    "HTTP/1.1 302 Found\r\nLocation: {location}\r\nContent-Length: 0\r\n\r\n"
                );
                let _ = stream.write_all(answer.as_bytes()).await;
            });
        }
    });
    format!("http://{address}/v1")
}

#[tokio::test]
async fn a_connection_test_calls_like_the_gateway_no_redirects_no_proxy_the_same_authority() {
    let ca = harness::TestCa::new();
    let secure = MockUpstream::start_tls("secure", &["granite"], &[], &ca).await;
    let dead_proxy = "http://127.0.0.1:9";
    let mut builder = TestApp::builder().config_toml(&format!(
        "[gateway]\nca_file = \"{}\"\n",
        ca.ca_file.display()
    ));
    for name in [
        "HTTP_PROXY",
        "HTTPS_PROXY",
        "ALL_PROXY",
        "http_proxy",
        "https_proxy",
    ] {
        builder = builder.env(name, dead_proxy);
    }
    let app = builder.start().await;
    let admin = app.sign_in_as("root@example.com", &["admin", "user"]).await;
    let test = |base: String| {
        let admin = &admin;
        async move {
            let answer = admin
                .graphql(
                    "mutation($b: String!) { testConnection(apiBase: $b) { ok status message models } }",
                    json!({ "b": base }),
                )
                .await;
            answer["data"]["testConnection"].clone()
        }
    };

    // Straight to the https model server, trusting `gateway.ca_file`, past the proxy the
    // environment names.
    let direct = test(format!("{}/v1", secure.base)).await;
    assert_eq!(direct["ok"], true, "{direct}\n{}", app.logs());
    assert_eq!(direct["models"], json!(["granite"]));

    // A redirect is reported, not followed (it could lead anywhere the server can reach).
    let redirected = test(redirector(format!("{}/v1/models", secure.base)).await).await;
    assert_eq!(
        (redirected["ok"].clone(), redirected["status"].clone()),
        (json!(false), json!(302)),
        "{redirected}"
    );
    assert!(
        redirected["message"]
            .as_str()
            .unwrap()
            .contains("not followed"),
        "{redirected}"
    );
    assert_eq!(redirected["models"], json!([]));
}

/// `/metrics` used to answer anyone, with series labelled by user ids (often e-mail
/// addresses), key hashes and aliases. Now it answers the master key or `metrics.token` only,
/// and names keys and owners only when `metrics.per_key_labels` asks for it.
#[tokio::test]
async fn metrics_answer_the_master_key_or_their_token_and_name_no_one_by_default() {
    let mock = MockUpstream::start("aws", &["granite"], &[]).await;
    let token = "metrics-scrape-token-0123456789";
    let start = |preamble: String| {
        TestApp::builder()
            .config_toml(&config(
                &preamble,
                &[ModelSpec::new("granite", "granite", &[&mock])],
            ))
            .start()
    };
    let app = start(format!("[metrics]\ntoken = \"{token}\"\n")).await;
    let labelled = start("[metrics]\nper_key_labels = true\n".into()).await;
    for app in [&app, &labelled] {
        let key = key_with(
            app,
            json!({"user_id": "ana@example.com", "key_alias": "ana-laptop"}),
        )
        .await["key"]
            .as_str()
            .unwrap()
            .to_owned();
        assert_eq!(
            app.post_with_key(CHAT, &chat_body(), &key).await.status(),
            200
        );
        let scrape = |credential: Option<&str>| {
            let mut request = app.client.get(app.url("/metrics"));
            if let Some(credential) = credential {
                request = request.bearer_auth(credential);
            }
            request.send()
        };
        assert_eq!(scrape(None).await.unwrap().status(), 401, "anonymous");
        assert_eq!(
            scrape(Some(&key)).await.unwrap().status(),
            403,
            "a user's key"
        );
        assert_eq!(
            scrape(Some(harness::MASTER_KEY)).await.unwrap().status(),
            200
        );
    }
    let scraped = app
        .client
        .get(app.url("/metrics"))
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    assert_eq!(scraped.status(), 200, "the metrics token");
    let text = scraped.text().await.unwrap();
    assert!(text.contains("litellm_requests_metric_total{"), "{text}");
    assert!(
        !text.contains("ana@example.com") && !text.contains("ana-laptop"),
        "no owner or alias by default: {text}"
    );
    let text = labelled.metrics_text().await;
    assert!(
        text.contains("user=\"ana@example.com\"") && text.contains("ana-laptop"),
        "named when asked: {text}"
    );
}

/// A `max_tokens` of u64::MAX used to reserve i64::MAX nano-units: on a budget counter that
/// already held spend, Redis refused the overflowing `INCRBY` halfway through the admission
/// script (its earlier counts kept) and the request fell back to the in-process store.
#[tokio::test]
async fn an_absurd_max_tokens_reserves_only_what_a_counter_can_hold() {
    let mock = MockUpstream::start("aws", &["granite"], &[]).await;
    let app = app_on(&mock, true).await;
    let key = key_with(&app, json!({"max_budget": 10, "tpm_limit": 1_000_000})).await["key"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(
        app.post_with_key(CHAT, &chat_body(), &key).await.status(),
        200
    );
    // Its spend is settled into the counter before the next request.
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    let mut absurd = chat_body();
    absurd["max_tokens"] = json!(u64::MAX);
    assert_eq!(app.post_with_key(CHAT, &absurd, &key).await.status(), 200);
    // Once settled, the reservation is replaced by what the answer cost.
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    assert_eq!(
        app.post_with_key(CHAT, &chat_body(), &key).await.status(),
        200
    );
    let text = app.metrics_text().await;
    assert_eq!(
        harness::gateway::metric(&text, "switchyard_redis_errors_total"),
        0.0,
        "{text}"
    );
}

#[tokio::test]
async fn a_key_named_like_a_formula_lands_in_the_csv_export_as_text() {
    let mock = MockUpstream::start("aws", &["granite"], &[]).await;
    let app = app_on(&mock, false).await;
    let ana = app.sign_in_as("ana@example.com", &["user"]).await;
    let formula = "=HYPERLINK(\"http://evil.example\",\"open\")";
    let key = ana.key_for("granite", formula).await;
    assert_eq!(
        app.post_with_key(CHAT, &chat_body(), &key).await.status(),
        200
    );
    let now = chrono::Utc::now();
    let query = format!(
        "/usage.csv?from={}&to={}&group_by=key",
        (now - chrono::TimeDelta::days(1)).format("%Y-%m-%dT%H:%M:%SZ"),
        (now + chrono::TimeDelta::hours(1)).format("%Y-%m-%dT%H:%M:%SZ")
    );
    let mut text = String::new();
    for _ in 0..50 {
        let csv = ana
            .browser
            .client
            .get(app.url(&query))
            .send()
            .await
            .unwrap();
        assert_eq!(csv.status(), 200);
        text = csv.text().await.unwrap();
        if text.lines().count() > 1 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    let row = text.lines().nth(1).unwrap_or_else(|| panic!("{text}"));
    assert!(
        row.contains("\"'=HYPERLINK(\"\"http://evil.example\"\",\"\"open\"\")\""),
        "{row}"
    );
    // No cell a spreadsheet would evaluate: none starts with a formula character.
    for cell in row.split(',') {
        assert!(!cell.trim_start_matches('"').starts_with('='), "{row}");
    }
}

#[tokio::test]
async fn aliased_logins_buy_one_password_check_and_health_stays_quick() {
    let app = TestApp::builder()
        .sqlite()
        .config_toml("[auth]\nbootstrap_password = \"correct-horse-battery\"\n")
        .start()
        .await;
    // A hundred `login`s in one document, as aliases: one is checked, 99 refused unchecked.
    let aliases: String = (0..100)
        .map(|i| {
            format!("a{i}: login(name: \"stranger{i}\", password: \"guess-{i}-guess\") {{ name }} ")
        })
        .collect();
    let document = format!("mutation {{ {aliases} }}");
    let (status, body) = harness::SessionClient::new()
        .graphql(&app.url(""), &document, json!({}))
        .await;
    assert_eq!(status, 200);
    let errors = body["errors"].as_array().unwrap();
    assert_eq!(errors.len(), 100, "{body}");
    let once = errors
        .iter()
        .filter(|e| {
            e["message"]
                .as_str()
                .is_some_and(|m| m.contains("one `login` per request"))
        })
        .count();
    assert_eq!(once, 99, "{body}");

    // Four clients looping failed logins while the health probe keeps answering.
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let attackers: Vec<_> = (0..4)
        .map(|i| {
            let (stop, url) = (stop.clone(), app.url(""));
            tokio::spawn(async move {
                let browser = harness::SessionClient::new();
                while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                    browser
                        .graphql(
                            &url,
                            "mutation($n: String!) { login(name: $n, password: \"wrong-password\") { name } }",
                            json!({"n": format!("stranger{i}")}),
                        )
                        .await;
                }
            })
        })
        .collect();
    for _ in 0..20 {
        let probe = app
            .client
            .get(app.url("/health/liveness"))
            .timeout(std::time::Duration::from_secs(2))
            .send()
            .await
            .unwrap();
        assert_eq!(probe.status(), 200);
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    for attacker in attackers {
        attacker.await.unwrap();
    }
}

/// The key's recorded spend in nano-units, once the ledger has written `expected` (or after
/// 20 s, whatever it is then).
async fn key_spend_once(app: &TestApp, key: &str, expected: i64) -> i64 {
    let mut spent = -1;
    for _ in 0..200 {
        let info: Value = app
            .get_as_master(&format!("/key/info?key={key}"))
            .await
            .json()
            .await
            .unwrap();
        spent = (info["info"]["spend"].as_f64().unwrap() * 1e9).round() as i64;
        if spent == expected {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    spent
}

#[tokio::test]
async fn a_model_server_generating_to_its_context_length_cannot_overspend_a_budget() {
    // Like vLLM: without `max_tokens` an answer runs to 20,000 tokens (12,000,000 nanos at
    // 600 a token, more than the whole budget); with it, no more than asked.
    let mock = MockUpstream::start("aws", &["granite"], &["--context-length", "20000"]).await;
    for redis in [false, true] {
        let app = app_on(&mock, redis).await;
        let budget = 10_000_000; // 0.01
        let key = key_with(&app, json!({"max_budget": 0.01})).await;
        let secret = key["key"].as_str().unwrap().to_owned();
        let statuses = concurrent_chats(&app, &secret, 50, None).await;
        let served = statuses.iter().filter(|s| **s == 200).count() as i64;
        // Each request reserved 1 prompt token and quota.default_max_tokens (4,096)
        // completion tokens, and was sent with that `max_tokens`.
        let reservation = 200 + 4_096 * 600;
        assert_eq!(mock.last_request().await["max_tokens"], 4_096);
        let spent = key_spend_once(&app, &secret, served * reservation).await;
        assert_eq!(
            spent,
            served * reservation,
            "redis: {redis}, served {served}"
        );
        assert!(
            spent <= budget + reservation,
            "redis: {redis}: spent {spent} of {budget}"
        );
        assert!(served >= 4, "the budget fits four answers; served {served}");
        // Without a budget nothing is added: the master key's request goes as sent.
        assert_eq!(app.post_as_master(CHAT, &chat_body()).await.status(), 200);
        assert!(mock.last_request().await.get("max_tokens").is_none());
    }
}

/// The only key `user` holds: its GraphQL id, blocked state and who blocked it.
async fn only_key(user: &harness::TestUser) -> Value {
    let listed = user
        .graphql(
            "{ myKeys { edges { node { id blocked blockedBy origin rpmLimit expiresAt } } } }",
            json!({}),
        )
        .await;
    let edges = listed["data"]["myKeys"]["edges"].as_array().unwrap();
    assert_eq!(edges.len(), 1, "{listed}");
    edges[0]["node"].clone()
}

fn code(body: &Value) -> &str {
    body["errors"][0]["extensions"]["code"]
        .as_str()
        .unwrap_or("")
}

#[tokio::test]
async fn a_user_can_neither_lift_an_administrators_limits_nor_unblock_their_block() {
    let mock = MockUpstream::start("aws", &["granite"], &[]).await;
    let app = app_on(&mock, false).await;
    // The workshop flow: an administrator issues ana a small key.
    let generated = app
        .post_as_master(
            "/key/generate",
            &json!({"models": ["granite"], "user_id": "ana@example.com", "max_budget": 0.001,
                    "rpm_limit": 1, "tpm_limit": 10, "max_parallel_requests": 1,
                    "duration": "1h"}),
        )
        .await;
    assert_eq!(generated.status(), 200);
    let generated: Value = generated.json().await.unwrap();
    let secret = generated["key"].as_str().unwrap().to_owned();
    let ana = app.sign_in_as("ana@example.com", &["user"]).await;
    let key = only_key(&ana).await;
    let id = key["id"].clone();

    let lifted = ana
        .graphql(
            "mutation($id: ID!) { updateKey(id: $id, input: {limits: {}, expiry: {expiresIn: \"365d\"}}) { id } }",
            json!({ "id": id }),
        )
        .await;
    assert_eq!(code(&lifted), "FORBIDDEN", "{lifted}");
    let info: Value = app
        .get_as_master(&format!("/key/info?key={secret}"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(info["info"]["rpm_limit"], 1, "{info}");
    assert_eq!(info["info"]["max_budget"], 0.001, "{info}");
    assert_eq!(only_key(&ana).await["expiresAt"], key["expiresAt"]);
    // A new name is hers to give.
    let renamed = ana
        .graphql(
            "mutation($id: ID!) { updateKey(id: $id, input: {name: \"workshop\"}) { id } }",
            json!({ "id": id }),
        )
        .await;
    assert!(renamed["errors"].is_null(), "{renamed}");

    // Blocked by an administrator: not hers to lift, by restoring, re-revoking or rotating.
    let token = generated["token"].as_str().unwrap();
    assert_eq!(
        app.post_as_master("/key/block", &json!({"key": token}))
            .await
            .status(),
        200
    );
    assert_eq!(only_key(&ana).await["blockedBy"], "administrator");
    let restore = "mutation($id: ID!) { restoreKey(id: $id) { blocked } }";
    let revoke = "mutation($id: ID!) { revokeKey(id: $id) { blocked blockedBy } }";
    assert_eq!(
        code(&ana.graphql(restore, json!({ "id": id })).await),
        "FORBIDDEN"
    );
    let revoked = ana.graphql(revoke, json!({ "id": id })).await;
    assert_eq!(revoked["data"]["revokeKey"]["blockedBy"], "administrator");
    assert_eq!(
        code(&ana.graphql(restore, json!({ "id": id })).await),
        "FORBIDDEN"
    );
    let rotated = ana
        .graphql(
            "mutation($id: ID!) { rotateKey(id: $id, gracePeriod: \"1h\") { secret } }",
            json!({ "id": id }),
        )
        .await;
    assert_eq!(code(&rotated), "FORBIDDEN", "{rotated}");
    assert_eq!(
        app.post_with_key(CHAT, &chat_body(), &secret)
            .await
            .status(),
        401
    );
    // The administrator lifts it.
    assert_eq!(
        app.post_as_master("/key/unblock", &json!({"key": token}))
            .await
            .status(),
        200
    );
    assert_eq!(
        app.post_with_key(CHAT, &chat_body(), &secret)
            .await
            .status(),
        200
    );

    // Her own revocation of her own portal key stays hers to undo.
    let bob = app.sign_in_as("bob@example.com", &["user"]).await;
    let own = bob.key_for("granite", "mine").await;
    let own_id = only_key(&bob).await["id"].clone();
    let revoked = bob.graphql(revoke, json!({ "id": own_id })).await;
    assert_eq!(revoked["data"]["revokeKey"]["blockedBy"], "owner");
    assert_eq!(
        app.post_with_key(CHAT, &chat_body(), &own).await.status(),
        401
    );
    let restored = bob.graphql(restore, json!({ "id": own_id })).await;
    assert_eq!(
        restored["data"]["restoreKey"]["blocked"], false,
        "{restored}"
    );
    // Portal changes reach the gateway's key cache through the key version, within moments.
    let mut status = 0;
    for _ in 0..100 {
        status = app
            .post_with_key(CHAT, &chat_body(), &own)
            .await
            .status()
            .as_u16();
        if status == 200 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert_eq!(status, 200);
}

#[tokio::test]
async fn a_leaked_token_cannot_make_itself_permanent() {
    let app = TestApp::start().await;
    let ana = app.sign_in_as("ana@example.com", &["user"]).await;
    let (_, token) = ana.access_token(true, Some("1h")).await;
    let (_, minted) = app
        .graphql_bearer(
            &token,
            "mutation { createAccessToken(name: \"forever\", canWrite: true) { secret } }",
            json!({}),
        )
        .await;
    assert_eq!(code(&minted), "FORBIDDEN", "{minted}");
    let listed = ana.graphql("{ myTokens { name } }", json!({})).await;
    assert_eq!(
        listed["data"]["myTokens"],
        json!([{"name": "test"}]),
        "{listed}"
    );
    // The token still does what it is for.
    let (_, me) = app
        .graphql_bearer(&token, "{ me { name } }", json!({}))
        .await;
    assert_eq!(me["data"]["me"]["name"], "ana@example.com", "{me}");
}

#[tokio::test]
async fn the_key_cap_holds_under_concurrent_creation_and_rotation_carries_spend() {
    let mock = MockUpstream::start("aws", &["granite"], &[]).await;
    let app = app_on(&mock, false).await;
    let ana = app.sign_in_as("ana@example.com", &["user"]).await;
    let first = ana.key_for("granite", "first").await;
    let model = ana
        .graphql("{ model(name: \"granite\") { id } }", json!({}))
        .await["data"]["model"]["id"]
        .clone();
    // 29 more at once under the default cap of 10 (30 at once made 11 before).
    let create = "mutation($m: ID!, $n: String!) { createKey(input: {name: $n, modelIds: [$m]}) { secret } }";
    let made = futures::future::join_all(
        (0..29).map(|i| ana.graphql(create, json!({"m": model, "n": format!("k{i}")}))),
    )
    .await;
    let created = made
        .iter()
        .filter(|body| body["data"]["createKey"]["secret"].is_string())
        .count();
    assert_eq!(created, 9, "{made:?}");
    assert!(made.iter().all(|body| body["data"]["createKey"]["secret"].is_string()
        || code(body) == "CONFLICT"));

    // A rotation with a grace period makes a tenth-plus-one key: refused at the cap.
    assert_eq!(
        app.post_with_key(CHAT, &chat_body(), &first).await.status(),
        200
    );
    let keys = ana
        .graphql("{ myKeys { edges { node { id name spend } } } }", json!({}))
        .await;
    let nodes: Vec<Value> = keys["data"]["myKeys"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["node"].clone())
        .collect();
    let first_id = nodes.iter().find(|n| n["name"] == "first").unwrap()["id"].clone();
    let rotate = "mutation($id: ID!) { rotateKey(id: $id, gracePeriod: \"1h\") { key { spend } } }";
    let refused = ana.graphql(rotate, json!({ "id": first_id })).await;
    assert_eq!(code(&refused), "CONFLICT", "{refused}");
    let other = nodes.iter().find(|n| n["name"] != "first").unwrap()["id"].clone();
    let deleted = ana
        .graphql(
            "mutation($id: ID!) { deleteKey(id: $id) }",
            json!({ "id": other }),
        )
        .await;
    assert!(deleted["errors"].is_null(), "{deleted}");
    // Its spend, once recorded, goes with it to the new secret.
    let mut spent = 0.0;
    for _ in 0..100 {
        let listed = ana
            .graphql("{ myKeys { edges { node { name spend } } } }", json!({}))
            .await;
        spent = listed["data"]["myKeys"]["edges"]
            .as_array()
            .unwrap()
            .iter()
            .find(|e| e["node"]["name"] == "first")
            .map_or(0.0, |e| e["node"]["spend"].as_f64().unwrap());
        if spent > 0.0 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert!(spent > 0.0);
    let rotated = ana.graphql(rotate, json!({ "id": first_id })).await;
    assert_eq!(
        rotated["data"]["rotateKey"]["key"]["spend"], spent,
        "{rotated}"
    );
}
