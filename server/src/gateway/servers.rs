//! What catalog administration needs from the gateway: sealing credentials with the server's
//! key and calling a model server (its model list) to test a deployment.

use std::sync::Arc;
use std::time::{Duration, Instant};

use async_trait::async_trait;
use schema::DomainError;
use schema::catalog::{CatalogReload, ConnectionTest, ModelServers};
use secrecy::ExposeSecret;
use uuid::Uuid;

use super::registry::Registry;
use crate::config::{Config, Overrides};

/// How long a connection test waits.
const TEST_TIMEOUT: Duration = Duration::from_secs(10);

/// The most of a model list a connection test reads (a list of a thousand models is far less).
const MAX_LIST_BYTES: usize = 1024 * 1024;

/// The model list in `response`'s body, read up to [`MAX_LIST_BYTES`]; `Null` when it is not
/// JSON or longer.
async fn models_list(response: &mut reqwest::Response) -> serde_json::Value {
    let mut body = Vec::new();
    while let Ok(Some(chunk)) = response.chunk().await {
        if body.len() + chunk.len() > MAX_LIST_BYTES {
            return serde_json::Value::Null;
        }
        body.extend_from_slice(&chunk);
    }
    serde_json::from_slice(&body).unwrap_or_default()
}

/// The gateway's side of catalog administration.
pub struct GatewayModelServers {
    registry: Arc<Registry>,
    client: reqwest::Client,
    /// How the configuration was found at start, to read it again.
    overrides: Overrides,
}

impl GatewayModelServers {
    /// Over the gateway's registry and pooled client; reloads read the configuration as
    /// `overrides` say.
    pub fn new(registry: Arc<Registry>, client: reqwest::Client, overrides: Overrides) -> Self {
        Self {
            registry,
            client,
            overrides,
        }
    }
}

#[async_trait]
impl ModelServers for GatewayModelServers {
    fn seal(&self, secret: &str) -> Result<String, DomainError> {
        self.registry.seal(secret)
    }

    async fn test(&self, api_base: &str, api_key: Option<&str>) -> ConnectionTest {
        let mut request = self
            .client
            .get(format!("{}/models", api_base.trim_end_matches('/')))
            .timeout(TEST_TIMEOUT);
        if let Some(key) = api_key {
            request = request.bearer_auth(key);
        }
        let started = Instant::now();
        let answer = request.send().await;
        let latency_ms = i64::try_from(started.elapsed().as_millis()).unwrap_or(i64::MAX);
        match answer {
            Err(error) => ConnectionTest {
                ok: false,
                message: if error.is_timeout() {
                    format!("no answer within {} s", TEST_TIMEOUT.as_secs())
                } else if error.is_connect() {
                    "cannot connect (wrong host or port, or the server is down)".into()
                } else {
                    "the request failed before an answer came".into()
                },
                ..ConnectionTest::default()
            },
            Ok(mut response) => {
                let status = response.status();
                let body = models_list(&mut response).await;
                let models = body["data"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .filter_map(|m| m["id"].as_str().map(str::to_owned))
                    .collect();
                ConnectionTest {
                    ok: status.is_success(),
                    status: Some(i32::from(status.as_u16())),
                    latency_ms: Some(latency_ms),
                    message: if status.is_success() {
                        "the model server answered".into()
                    } else if status.as_u16() == 401 || status.as_u16() == 403 {
                        "the model server refused the credential".into()
                    } else if status.is_redirection() {
                        format!(
                            "the model server answered {status}, a redirect, which is not \
                             followed: give the address it redirects to"
                        )
                    } else {
                        format!("the model server answered {status}")
                    },
                    models,
                }
            }
        }
    }

    async fn reload(&self) -> Result<CatalogReload, DomainError> {
        let changed = self
            .registry
            .reload_declared(&self.overrides)
            .await
            .map_err(|error| {
                // The whole chain (parser text, paths) goes to the log, not to the caller.
                tracing::warn!(
                    error = format!("{error:#}"),
                    "reloading the configuration failed"
                );
                DomainError::BadInput(
                    "the configuration could not be read or applied; the server log says why"
                        .into(),
                )
            })?;
        let models = self.registry.snapshot().models.len();
        Ok(CatalogReload {
            changed,
            models: i32::try_from(models).unwrap_or(i32::MAX),
        })
    }

    fn declared_in(&self) -> String {
        match Config::file_in_use(&self.overrides) {
            Some(file) => file.display().to_string(),
            None => "the server's environment (SWITCHYARD_…)".into(),
        }
    }

    async fn stored(&self, deployment: Uuid) -> Result<(String, Option<String>), DomainError> {
        let snapshot = self.registry.snapshot();
        snapshot
            .models
            .values()
            .flat_map(|m| m.deployments.iter())
            .find(|d| d.id == deployment)
            .map(|d| {
                (
                    d.base.clone(),
                    d.api_key.as_ref().map(|k| k.expose_secret().to_owned()),
                )
            })
            .ok_or_else(|| DomainError::NotFound("no such deployment in service".into()))
    }
}
