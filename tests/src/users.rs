//! Signed-in test users: a user row with the given roles and a live browser session written
//! straight into the test database, so tests of what people may do need no sign-in round trip
//! (sign-in itself is tested in `identity_local.rs` and `identity_oidc.rs`).

use sea_orm::{ConnectionTrait, DbBackend, Statement, Value as SqlValue};
use sha2::{Digest, Sha256};

use crate::{SessionClient, TestApp};

fn sha256_hex(text: &str) -> String {
    Sha256::digest(text.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// A signed-in test user.
pub struct TestUser {
    /// The user's id (`users.id`).
    pub id: String,
    /// A browser signed in as them (cookies and CSRF token in place).
    pub browser: SessionClient,
    base: String,
}

impl TestUser {
    /// Runs a GraphQL operation as this user; returns the whole body.
    pub async fn graphql(&self, query: &str, variables: serde_json::Value) -> serde_json::Value {
        self.browser.graphql(&self.base, query, variables).await.1
    }

    /// The id GraphQL gives this browser's session (`mySessions`, `userSessions`).
    pub fn session_id(&self) -> String {
        let cookie = self
            .browser
            .cookie(&self.base, "sy_session")
            .expect("a session cookie");
        sha256_hex(&cookie)
    }

    /// Replaces the key policy with `policy` (a `KeyPolicyInput`), as an administrator.
    pub async fn set_key_policy(&self, policy: serde_json::Value) {
        let set = self
            .graphql(
                "mutation($p: KeyPolicyInput!) { setKeyPolicy(policy: $p) { maxKeysPerUser } }",
                serde_json::json!({ "p": policy }),
            )
            .await;
        assert!(set["errors"].is_null(), "the key policy was refused: {set}");
    }

    /// Subscribes to `model` and creates a key named `name` for it; returns the secret.
    pub async fn key_for(&self, model: &str, name: &str) -> String {
        let found = self
            .graphql(
                "query($n: String!) { model(name: $n) { id } }",
                serde_json::json!({ "n": model }),
            )
            .await;
        let model = found["data"]["model"]["id"].clone();
        self.graphql(
            "mutation($m: ID!) { subscribe(modelId: $m) { id } }",
            serde_json::json!({ "m": model }),
        )
        .await;
        let made = self
            .graphql(
                "mutation($m: ID!, $n: String!) { createKey(input: {name: $n, modelIds: [$m]}) { secret } }",
                serde_json::json!({ "m": model, "n": name }),
            )
            .await;
        made["data"]["createKey"]["secret"]
            .as_str()
            .unwrap_or_else(|| panic!("no key made: {made}"))
            .to_owned()
    }

    /// Makes a personal access token (read-write when `write`, expiring after `expires_in`
    /// when given) from this user's session; returns its id and its secret.
    pub async fn access_token(&self, write: bool, expires_in: Option<&str>) -> (String, String) {
        let made = self
            .graphql(
                "mutation($w: Boolean!, $e: String) { createAccessToken(name: \"test\", canWrite: $w, expiresIn: $e) { secret token { id } } }",
                serde_json::json!({ "w": write, "e": expires_in }),
            )
            .await;
        let created = &made["data"]["createAccessToken"];
        match (created["token"]["id"].as_str(), created["secret"].as_str()) {
            (Some(id), Some(secret)) => (id.to_owned(), secret.to_owned()),
            _ => panic!("no token made: {made}"),
        }
    }
}

impl TestApp {
    /// Signs in `name` (created with `roles`, or updated to them) in a fresh browser.
    /// PostgreSQL apps only.
    pub async fn sign_in_as(&self, name: &str, roles: &[&str]) -> TestUser {
        let db = self.database().await;
        let roles = serde_json::json!(roles);
        let row = db
            .query_one(Statement::from_sql_and_values(
                DbBackend::Postgres,
                "INSERT INTO users (id, external_id, email, display_name, roles, active, spend_nanos,
                                    metadata, created_at, updated_at)
                 VALUES (gen_random_uuid(), $1, $1, $1, $2, true, 0, '{}', now(), now())
                 ON CONFLICT (external_id) DO UPDATE SET roles = excluded.roles
                 RETURNING id::text",
                [SqlValue::from(name), SqlValue::Json(Some(Box::new(roles)))],
            ))
            .await
            .expect("insert the test user")
            .expect("the user row");
        let id: String = row.try_get("", "id").expect("user id");
        let session = format!("test-session-{}", uuid_like(name));
        let csrf = format!("test-csrf-{}", uuid_like(name));
        db.execute(Statement::from_sql_and_values(
            DbBackend::Postgres,
            "INSERT INTO sessions (id_hash, user_id, csrf_hash, created_at, last_seen_at,
                                   idle_expires_at, expires_at)
             VALUES ($1, $2::uuid, $3, now(), now(), now() + interval '1 hour',
                     now() + interval '1 hour')",
            [
                SqlValue::from(sha256_hex(&session)),
                SqlValue::from(id.clone()),
                SqlValue::from(sha256_hex(&csrf)),
            ],
        ))
        .await
        .expect("insert the test session");
        let browser = SessionClient::new();
        let base = self.url("");
        browser.set_cookie(&base, &format!("sy_session={session}"));
        browser.set_cookie(&base, &format!("sy_csrf={csrf}"));
        TestUser { id, browser, base }
    }
}

/// A unique suffix per call.
fn uuid_like(name: &str) -> String {
    use std::sync::atomic::{AtomicU64, Ordering};
    static NEXT: AtomicU64 = AtomicU64::new(0);
    let n = NEXT.fetch_add(1, Ordering::Relaxed);
    sha256_hex(&format!("{name}-{n}-{:?}", std::time::SystemTime::now()))[..32].to_owned()
}
