//! `switchyard import litellm` against a database built from LiteLLM's own published schema:
//! the Prisma migrations in the `litellm-proxy-extras` package (pinned in
//! `tests/clients/requirements.txt`, installed into `target/sdk-venv`), with rows inserted as
//! LiteLLM writes them (keys as the SHA-256 hex of their plaintext, model credentials sealed
//! by `tests/clients/litellm_seal.py` with NaCl and AES-GCM as LiteLLM seals them). After the
//! import the original plaintext keys call `/v1` with their models, limits, budgets and
//! expiry; a second run changes nothing; a dry run writes nothing.

use harness::pg::TestDb;
use harness::{MockUpstream, TestApp};
use sea_orm::{ConnectionTrait, DatabaseConnection, Statement};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

const SALT: &str = "sk-litellm-salt-for-the-test";
const CREDENTIALS_KEY: &str = "MTExMTExMTExMTExMTExMTExMTExMTExMTExMTExMTE=";
const UPSTREAM_KEY: &str = "sk-upstream-secret";
const ALPHA: &str = "sk-litellm-alpha-0000000000000001";
const BETA: &str = "sk-litellm-beta-00000000000000002";
const EXPIRED: &str = "sk-litellm-gone-00000000000000003";
const BLOCKED: &str = "sk-litellm-stop-00000000000000004";
const TEAM: &str = "sk-litellm-team-00000000000000005";
const FROZEN: &str = "sk-litellm-cold-00000000000000006";
const LATE: &str = "sk-litellm-late-00000000000000007";
const DASHBOARD: &str = "sk-litellm-dash-00000000000000008";
const LLM_API: &str = "sk-litellm-llma-00000000000000009";

fn python(args: &[&str]) -> String {
    let output = std::process::Command::new(harness::sdk_python())
        .args(args)
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).unwrap().trim().to_owned()
}

/// `value` sealed as LiteLLM stores it, in `format` (`nacl`, `nacl-std`, `v3`).
fn sealed(format: &str, value: &str) -> String {
    let script = harness::workspace_root().join("tests/clients/litellm_seal.py");
    python(&[script.to_str().unwrap(), format, SALT, value])
}

fn sha256_hex(text: &str) -> String {
    Sha256::digest(text.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

async fn exec(db: &DatabaseConnection, sql: &str) {
    db.execute_unprepared(sql)
        .await
        .unwrap_or_else(|e| panic!("{e}: {sql}"));
}

/// A fresh database with LiteLLM's schema: every published migration, in order.
async fn litellm_database() -> TestDb {
    let package = python(&[
        "-c",
        "import litellm_proxy_extras, os; print(os.path.dirname(litellm_proxy_extras.__file__))",
    ]);
    let mut migrations: Vec<_> =
        std::fs::read_dir(std::path::Path::new(&package).join("migrations"))
            .unwrap()
            .filter_map(Result::ok)
            .map(|entry| entry.path().join("migration.sql"))
            .filter(|path| path.is_file())
            .collect();
    migrations.sort();
    assert!(migrations.len() > 100, "{} migrations", migrations.len());
    let database = TestDb::create_empty().await;
    let db = database.connect().await;
    for migration in migrations {
        exec(&db, &std::fs::read_to_string(&migration).unwrap()).await;
    }
    database
}

/// Rows as LiteLLM's admin API writes them: a user, a shared budget, four keys and three
/// registered models (one, on OpenAI itself, has no `api_base` Switchyard could call).
async fn fill(db: &DatabaseConnection, mock: &MockUpstream) {
    let base = format!("{}/v1", mock.base);
    exec(
        db,
        "INSERT INTO \"LiteLLM_UserTable\" (user_id, user_email, user_role, max_budget, spend, \
         models, rpm_limit, budget_duration, budget_reset_at) VALUES ('alice@example.com', \
         'alice@example.com', 'internal_user', 50.0, 1.25, ARRAY[]::text[], 100, '30d', \
         now() + interval '20 days')",
    )
    .await;
    exec(
        db,
        "INSERT INTO \"LiteLLM_BudgetTable\" (budget_id, max_budget, rpm_limit, budget_duration, \
         created_by, updated_by) VALUES ('budget-small', 0.5, 5, '1mo', 'admin', 'admin')",
    )
    .await;
    let key = |plaintext: &str, alias: &str, rest: &str, values: &str| {
        format!(
            "INSERT INTO \"LiteLLM_VerificationToken\" (token, key_name, key_alias, {rest}) \
             VALUES ('{}', 'sk-...{}', '{alias}', {values})",
            sha256_hex(plaintext),
            &plaintext[plaintext.len() - 4..]
        )
    };
    exec(
        db,
        &key(
            ALPHA,
            "alpha",
            "spend, models, user_id, metadata, rpm_limit, max_budget, budget_duration, \
             budget_reset_at, expires",
            "2.5, ARRAY['granite'], 'alice@example.com', \
             '{\"tags\": [\"workshop\"], \"team\": \"rag\"}', 60, 10.0, '30d', \
             now() + interval '10 days', now() + interval '90 days'",
        ),
    )
    .await;
    exec(
        db,
        &key(
            BETA,
            "beta",
            "spend, models, budget_id",
            "1.0, ARRAY[]::text[], 'budget-small'",
        ),
    )
    .await;
    exec(
        db,
        &key(
            EXPIRED,
            "gone",
            "models, expires",
            "ARRAY['granite'], now() - interval '1 day'",
        ),
    )
    .await;
    exec(
        db,
        &key(BLOCKED, "stop", "models, blocked", "ARRAY['granite'], true"),
    )
    .await;
    // Teams: one allowed only granite, one blocked; a key of each lists no models (its team's).
    exec(
        db,
        "INSERT INTO \"LiteLLM_TeamTable\" (team_id, team_alias, admins, members, models, \
         blocked) VALUES ('rag-team', 'RAG', '{}', '{}', ARRAY['granite'], false), \
         ('frozen-team', 'Frozen', '{}', '{}', ARRAY[]::text[], true)",
    )
    .await;
    exec(
        db,
        &key(
            TEAM,
            "team",
            "models, team_id",
            "ARRAY[]::text[], 'rag-team'",
        ),
    )
    .await;
    exec(
        db,
        &key(
            FROZEN,
            "cold",
            "models, team_id",
            "ARRAY[]::text[], 'frozen-team'",
        ),
    )
    .await;
    exec(db, &key(LATE, "late", "models", "ARRAY['granite']")).await;
    // An "LLM API" key, as LiteLLM stores one: limited to the model-calling routes.
    exec(
        db,
        &key(
            LLM_API,
            "llm-api",
            "models, allowed_routes",
            "ARRAY['granite'], ARRAY['llm_api_routes']",
        ),
    )
    .await;
    // A session key of LiteLLM's admin UI.
    exec(
        db,
        &key(
            DASHBOARD,
            "dash",
            "models, team_id",
            "ARRAY[]::text[], 'litellm-dashboard'",
        ),
    )
    .await;
    let model = |id: &str, name: &str, params: Value, info: Value| {
        format!(
            "INSERT INTO \"LiteLLM_ProxyModelTable\" (model_id, model_name, litellm_params, \
             model_info, created_by, updated_by) VALUES ('{id}', '{name}', '{params}', \
             '{info}', 'admin', 'admin')"
        )
    };
    // Three requests alpha made yesterday, one with the master key (LiteLLM logs its hash as
    // an empty `api_key`).
    for (i, key) in [ALPHA, ALPHA, ALPHA, ""].iter().enumerate() {
        let hash = if key.is_empty() {
            String::new()
        } else {
            sha256_hex(key)
        };
        exec(
            db,
            &format!(
                "INSERT INTO \"LiteLLM_SpendLogs\" (request_id, call_type, api_key, spend, \
                 total_tokens, prompt_tokens, completion_tokens, \"startTime\", \"endTime\", \
                 model, model_group, status, request_duration_ms) VALUES ('chatcmpl-{i}', \
                 'acompletion', '{hash}', 0.5, 30, 10, 20, \
                 date_trunc('day', now()) - interval '1 day' + interval '{i} hours', \
                 date_trunc('day', now()) - interval '1 day' + interval '{i} hours 2 seconds', \
                 'hosted_vllm/granite-3b', 'granite', 'success', 2000)"
            ),
        )
        .await;
    }
    // Newer LiteLLM: AES-GCM (`v3:gcm:`), every string of `litellm_params` sealed.
    exec(
        db,
        &model(
            "7d1c6c0e-0000-4000-8000-000000000001",
            "granite",
            json!({"model": sealed("v3", "openai/granite-3b"), "api_base": sealed("v3", &base),
                   "api_key": sealed("v3", UPSTREAM_KEY), "rpm": 1000}),
            json!({"id": "7d1c6c0e-0000-4000-8000-000000000001", "db_model": true,
                   "input_cost_per_token": 1e-6, "output_cost_per_token": 2e-6}),
        ),
    )
    .await;
    // Older LiteLLM: NaCl's secretbox in standard base64; changed through `/model/update`,
    // which stores the JSON as a JSON string.
    let params = json!({"model": sealed("nacl-std", "hosted_vllm/llama-8b"),
                        "api_base": sealed("nacl", &base), "api_key": sealed("nacl", UPSTREAM_KEY)});
    let info = json!({"id": "7d1c6c0e-0000-4000-8000-000000000002", "db_model": true});
    exec(
        db,
        &model(
            "7d1c6c0e-0000-4000-8000-000000000002",
            "llama",
            Value::String(params.to_string()),
            Value::String(info.to_string()),
        ),
    )
    .await;
    // A deployment switched off in LiteLLM.
    exec(
        db,
        &model(
            "7d1c6c0e-0000-4000-8000-000000000004",
            "retired",
            json!({"model": sealed("v3", "openai/retired"), "api_base": sealed("v3", &base)}),
            json!({"id": "7d1c6c0e-0000-4000-8000-000000000004"}),
        ),
    )
    .await;
    exec(
        db,
        "UPDATE \"LiteLLM_ProxyModelTable\" SET blocked = true WHERE model_name = 'retired'",
    )
    .await;
    exec(
        db,
        &model(
            "7d1c6c0e-0000-4000-8000-000000000003",
            "gpt-4o",
            json!({"model": sealed("v3", "openai/gpt-4o"), "api_key": sealed("v3", "sk-openai")}),
            json!({"id": "7d1c6c0e-0000-4000-8000-000000000003"}),
        ),
    )
    .await;
}

/// Runs `switchyard import litellm` into `target`; its exit status and what it printed.
fn import(target: &str, from: &str, extra: &[&str]) -> (std::process::ExitStatus, String) {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("switchyard.toml");
    std::fs::write(
        &config,
        format!("[gateway]\ncredentials_key = \"{CREDENTIALS_KEY}\"\n"),
    )
    .unwrap();
    let mut command = std::process::Command::new(harness::switchyard_bin());
    command
        .args(["import", "litellm"])
        .args(extra)
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("SWITCHYARD_CONFIG", &config)
        .env("SWITCHYARD_DATA_DIR", dir.path().join("data"))
        .env("SWITCHYARD_DATABASE_URL", target)
        .env("LITELLM_DATABASE_URL", from)
        .env("LITELLM_SALT_KEY", SALT);
    harness::run_to_end(&mut command)
}

async fn count(db: &DatabaseConnection, table: &str) -> i64 {
    let row = db
        .query_one(Statement::from_string(
            db.get_database_backend(),
            format!("SELECT COUNT(*) AS n FROM {table}"),
        ))
        .await
        .unwrap()
        .unwrap();
    row.try_get::<i64>("", "n").unwrap()
}

#[tokio::test]
async fn litellm_keys_users_and_models_move_over_and_keep_working() {
    let mock = MockUpstream::start(
        "vllm",
        &["granite-3b", "llama-8b"],
        &["--api-key", UPSTREAM_KEY, "--completion-tokens", "4"],
    )
    .await;
    let litellm = litellm_database().await;
    fill(&litellm.connect().await, &mock).await;
    let target = TestDb::create().await;
    let target_db = target.connect().await;

    // A database that is not LiteLLM's is refused with a reason.
    let (status, printed) = import(&target.url, &target.url, &[]);
    assert!(!status.success(), "{printed}");
    assert!(printed.contains("not a LiteLLM database"), "{printed}");

    // A dry run reports, and writes nothing.
    let keys_before = count(&target_db, "api_keys").await;
    let (status, printed) = import(&target.url, &litellm.url, &["--dry-run"]);
    assert!(
        !status.success(),
        "the model without an address fails: {printed}"
    );
    assert!(
        printed.contains("users: would add 1, 0 already here"),
        "{printed}"
    );
    assert!(
        printed.contains("keys: would add 8, 0 already here, 1 not imported"),
        "{printed}"
    );
    assert!(
        printed.contains("model deployments: would add 2, 0 already here, 2 not imported"),
        "{printed}"
    );
    assert!(
        printed.contains("model `gpt-4o") && printed.contains("api_base"),
        "{printed}"
    );
    assert_eq!(count(&target_db, "api_keys").await, keys_before);
    assert_eq!(count(&target_db, "deployments").await, 0);

    let (status, printed) = import(&target.url, &litellm.url, &["--spend-logs"]);
    assert!(!status.success(), "{printed}");
    assert!(
        printed.contains("spend logs: added 4, 0 already here"),
        "{printed}"
    );
    assert!(
        printed.contains("users: added 1, 0 already here"),
        "{printed}"
    );
    assert!(
        printed.contains("keys: added 8, 0 already here, 1 not imported"),
        "{printed}"
    );
    assert!(
        printed.contains("model deployments: added 2, 0 already here, 2 not imported"),
        "{printed}"
    );
    assert!(
        !printed.contains(UPSTREAM_KEY) && !printed.contains(SALT),
        "{printed}"
    );
    assert!(
        printed.contains("key `dash`: a session key of LiteLLM's admin UI")
            && printed.contains("blocked"),
        "{printed}"
    );
    // Idempotent: a second run finds everything here.
    let (_, printed) = import(&target.url, &litellm.url, &["--spend-logs"]);
    assert!(
        printed.contains("spend logs: added 0, 4 already here"),
        "{printed}"
    );
    assert!(
        printed.contains("users: added 0, 1 already here"),
        "{printed}"
    );
    assert!(
        printed.contains("keys: added 0, 8 already here"),
        "{printed}"
    );
    assert!(
        printed.contains("model deployments: added 0, 2 already here"),
        "{printed}"
    );
    assert!(!printed.contains("made stricter"), "{printed}");
    // Since then LiteLLM blocked one key and deleted another: the next run blocks the first
    // here and names the second, which it leaves to the operator.
    let source = litellm.connect().await;
    exec(
        &source,
        &format!(
            "UPDATE \"LiteLLM_VerificationToken\" SET blocked = true WHERE token = '{}'",
            sha256_hex(LATE)
        ),
    )
    .await;
    exec(
        &source,
        &format!(
            "DELETE FROM \"LiteLLM_VerificationToken\" WHERE token = '{}'",
            sha256_hex(BLOCKED)
        ),
    )
    .await;
    let (_, printed) = import(&target.url, &litellm.url, &[]);
    assert!(
        printed.contains("keys: added 0, 7 already here")
            && printed
                .contains("made stricter as LiteLLM has them now (blocked, or expiring sooner): 1"),
        "{printed}"
    );
    assert!(
        printed.contains("keys here that LiteLLM does not have") && printed.contains("stop"),
        "{printed}"
    );

    // The history is in the usage rollups, once: yesterday's day for alpha, 1.5 in all.
    let rollup = target_db
        .query_one(Statement::from_string(
            target_db.get_database_backend(),
            format!(
                "SELECT SUM(requests)::bigint AS requests, SUM(cost_nanos)::bigint AS cost FROM usage_rollups \
                 WHERE span = 'day' AND key_hash = '{}' AND model_name = 'granite'",
                sha256_hex(ALPHA)
            ),
        ))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(rollup.try_get::<i64>("", "requests").unwrap(), 3);
    assert_eq!(rollup.try_get::<i64>("", "cost").unwrap(), 1_500_000_000);

    let app = TestApp::builder()
        .database_url(&target.url)
        .config_toml(&format!(
            "[gateway]\ncredentials_key = \"{CREDENTIALS_KEY}\"\n"
        ))
        .start()
        .await;
    let chat =
        |model: &str| json!({"model": model, "messages": [{"role": "user", "content": "hi"}]});

    // The plaintext LiteLLM issued works, with the credential LiteLLM sealed (the mock
    // refuses calls without it) and the model's prices.
    let answer = app
        .post_with_key("/v1/chat/completions", &chat("granite"), ALPHA)
        .await;
    assert_eq!(answer.status(), 200, "{}", answer.text().await.unwrap());
    assert_eq!(mock.last_request().await["model"], "granite-3b");
    let forbidden = app
        .post_with_key("/v1/chat/completions", &chat("llama"), ALPHA)
        .await;
    assert!(
        [401, 403].contains(&forbidden.status().as_u16()),
        "alpha lists only granite: {}",
        forbidden.status()
    );
    let models: Value = app
        .get_with_key("/v1/models", ALPHA)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(models["data"].as_array().unwrap().len(), 1, "{models}");

    // Beta reaches every model, under the budget it linked to, already spent (a model with
    // prices; a free one costs nothing against it).
    let spent = app
        .post_with_key("/v1/chat/completions", &chat("granite"), BETA)
        .await;
    assert_ne!(spent.status(), 200);
    let error: Value = spent.json().await.unwrap();
    assert_eq!(error["error"]["type"], "budget_exceeded", "{error}");
    let free = app
        .post_with_key("/v1/chat/completions", &chat("llama"), BETA)
        .await;
    assert_eq!(free.status(), 200);
    let llm_api = app
        .post_with_key("/v1/chat/completions", &chat("granite"), LLM_API)
        .await;
    assert_eq!(
        llm_api.status(),
        200,
        "an LLM API key is an ordinary client key"
    );
    // A team key reaches its team's models only; a blocked team's key nothing.
    let team = app
        .post_with_key("/v1/chat/completions", &chat("granite"), TEAM)
        .await;
    assert_eq!(team.status(), 200);
    let outside = app
        .post_with_key("/v1/chat/completions", &chat("llama"), TEAM)
        .await;
    assert!(
        [401, 403].contains(&outside.status().as_u16()),
        "{}",
        outside.status()
    );
    for refused in [EXPIRED, BLOCKED, FROZEN, LATE, DASHBOARD] {
        let answer = app
            .post_with_key("/v1/chat/completions", &chat("granite"), refused)
            .await;
        assert!(
            [401, 403].contains(&answer.status().as_u16()),
            "{refused}: {}",
            answer.status()
        );
    }

    // What the admin API shows: LiteLLM's values carried over.
    // Once the answer's spend is written (the ledger writes in the background).
    let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(10);
    let info = loop {
        let info: Value = app
            .get_as_master(&format!("/key/info?key={ALPHA}"))
            .await
            .json()
            .await
            .unwrap();
        if info["info"]["spend"].as_f64() > Some(2.5) || tokio::time::Instant::now() > deadline {
            break info["info"].clone();
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    };
    let info = &info;
    assert_eq!(info["key_alias"], "alpha", "{info}");
    assert_eq!(info["key_name"], "sk-...0001", "{info}");
    assert_eq!(info["user_id"], "alice@example.com", "{info}");
    assert_eq!(info["max_budget"], 10.0, "{info}");
    assert_eq!(info["budget_duration"], "30d", "{info}");
    assert_eq!(info["rpm_limit"], 60, "{info}");
    assert_eq!(info["tags"], json!(["workshop"]), "{info}");
    assert_eq!(info["metadata"]["team"], "rag", "{info}");
    let spend = info["spend"].as_f64().unwrap();
    assert!(
        spend > 2.5 && spend < 2.6,
        "2.5 carried plus one answer, the history not added again: {info}"
    );
    let logs: Value = app
        .get_as_master(&format!("/spend/logs?api_key={}", sha256_hex(ALPHA)))
        .await
        .json()
        .await
        .unwrap();
    let ids: Vec<&str> = logs
        .as_array()
        .unwrap_or_else(|| panic!("{logs}"))
        .iter()
        .filter_map(|row| row["request_id"].as_str())
        .collect();
    assert!(
        ids.contains(&"chatcmpl-0") && ids.contains(&"chatcmpl-2"),
        "{logs}"
    );
    let user: Value = app
        .get_as_master("/user/info?user_id=alice@example.com")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(user["user_info"]["max_budget"], 50.0, "{user}");
    assert_eq!(user["user_info"]["rpm_limit"], 100, "{user}");
    let user_spend = user["user_info"]["spend"].as_f64().unwrap();
    assert!(user_spend >= 1.25, "{user}");
    let deployments: Value = app.get_as_master("/model/info").await.json().await.unwrap();
    let granite = deployments["data"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["model_name"] == "granite")
        .unwrap();
    assert_eq!(
        granite["model_info"]["input_cost_per_token"], 1e-6,
        "{granite}"
    );
    assert_eq!(granite["litellm_params"]["rpm"], 1000, "{granite}");
}

/// The same into the embedded default: a fresh SQLite file, migrated by the import itself.
#[tokio::test]
async fn litellm_keys_move_into_the_embedded_database() {
    let mock = MockUpstream::start(
        "vllm",
        &["granite-3b", "llama-8b"],
        &["--api-key", UPSTREAM_KEY],
    )
    .await;
    let litellm = litellm_database().await;
    let source = litellm.connect().await;
    fill(&source, &mock).await;
    // As an older LiteLLM's schema: without key routes, budget limits or blocked deployments.
    exec(
        &source,
        "ALTER TABLE \"LiteLLM_VerificationToken\" DROP COLUMN allowed_routes, \
         DROP COLUMN budget_limits; ALTER TABLE \"LiteLLM_ProxyModelTable\" DROP COLUMN blocked",
    )
    .await;
    let dir = tempfile::tempdir().unwrap();
    let target = format!(
        "sqlite://{}?mode=rwc",
        dir.path().join("switchyard.db").display()
    );
    let (_, printed) = import(&target, &litellm.url, &[]);
    assert!(
        printed.contains("keys: added 8, 0 already here, 1 not imported"),
        "{printed}"
    );
    // Without a `blocked` column, the switched-off deployment is not known to be off.
    assert!(printed.contains("model deployments: added 3"), "{printed}");
    let app = TestApp::builder()
        .database_url(&target)
        .config_toml(&format!(
            "[gateway]\ncredentials_key = \"{CREDENTIALS_KEY}\"\n"
        ))
        .start()
        .await;
    let chat = json!({"model": "llama", "messages": [{"role": "user", "content": "hi"}]});
    let answer = app.post_with_key("/v1/chat/completions", &chat, BETA).await;
    assert_eq!(answer.status(), 200, "{}", answer.text().await.unwrap());
    assert_eq!(mock.last_request().await["model"], "llama-8b");
}
