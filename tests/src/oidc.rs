//! A real OpenID provider for sign-in tests: `tests/oidc/provider.mjs` (node-oidc-provider)
//! with one confidential client (`switchyard`), the users given here, and test-only knobs to
//! change a user's groups and to re-sign ID tokens with one property wrong.

use serde_json::{Value, json};
use tokio::process::Command;

use crate::process::{Spawned, listening_on, spawn_announcing};

/// The test client's id and secret at the provider.
pub const CLIENT_ID: &str = "switchyard";
/// The test client's secret.
pub const CLIENT_SECRET: &str = "switchyard-test-secret";

/// A user at the test provider.
pub struct OidcUser<'a> {
    pub id: &'a str,
    pub password: &'a str,
    pub email: &'a str,
    pub name: &'a str,
    pub groups: &'a [&'a str],
}

/// How the provider should spoil the next ID tokens (signature stays valid).
#[derive(Clone, Copy, Debug)]
pub enum Tamper {
    /// Expired an hour ago.
    Expired,
    /// Issued for another client.
    WrongAudience,
}

/// A running provider; dropping it stops it.
pub struct OidcProvider {
    spawned: Spawned,
    client: reqwest::Client,
}

impl OidcProvider {
    /// Starts the provider with the `switchyard` client registered for `redirect_uris`.
    pub async fn start(redirect_uris: &[String], users: &[OidcUser<'_>]) -> Self {
        let dir = crate::workspace_root().join("tests/oidc");
        assert!(
            dir.join("node_modules/oidc-provider").exists(),
            "the test OpenID provider is not installed: run `npm ci` in tests/oidc (tests/ci.sh does)"
        );
        let accounts: serde_json::Map<String, Value> = users
            .iter()
            .map(|u| {
                (
                    u.id.to_owned(),
                    json!({"password": u.password, "email": u.email, "name": u.name, "groups": u.groups}),
                )
            })
            .collect();
        let mut command = Command::new("node");
        command
            .arg("provider.mjs")
            .current_dir(&dir)
            .env("REDIRECT_URIS", redirect_uris.join(","))
            .env("ACCOUNTS", Value::Object(accounts).to_string());
        let spawned = spawn_announcing(command, listening_on).await;
        Self {
            spawned,
            client: reqwest::Client::new(),
        }
    }

    /// The issuer URL.
    pub fn issuer(&self) -> &str {
        &self.spawned.base
    }

    /// The `[auth.oidc]` TOML for a Switchyard using this provider.
    pub fn config_toml(&self, public_url: &str, extra: &str) -> String {
        format!(
            "[auth]\npublic_url = \"{public_url}\"\n\n[auth.oidc]\nissuer_url = \"{}\"\n\
             client_id = \"{CLIENT_ID}\"\nclient_secret = \"{CLIENT_SECRET}\"\n\
             display_name = \"Test provider\"\n{extra}\n",
            self.issuer()
        )
    }

    async fn post(&self, path: &str, body: Value) {
        let response = self
            .client
            .post(format!("{}{path}", self.issuer()))
            .json(&body)
            .send()
            .await
            .expect("test provider reachable");
        assert!(
            response.status().is_success(),
            "{path}: {}",
            response.status()
        );
    }

    /// Changes a user's groups at the provider.
    pub async fn set_groups(&self, user: &str, groups: &[&str]) {
        self.post(
            &format!("/__test/accounts/{user}"),
            json!({ "groups": groups }),
        )
        .await;
    }

    /// Spoils the next ID tokens (or stops spoiling them, with `None`).
    pub async fn tamper(&self, how: Option<Tamper>) {
        let tamper = match how {
            Some(Tamper::Expired) => json!("expired"),
            Some(Tamper::WrongAudience) => json!("wrong-audience"),
            None => Value::Null,
        };
        self.post("/__test/id-token", json!({ "tamper": tamper }))
            .await;
    }
}
