//! GraphQL for administering the catalog: register a deployment of a model (the model is
//! created on first sight), change or remove a deployment, and test a model server before
//! (or after) registering it. Credentials go in sealed and never come back out.

use std::sync::Arc;

use async_graphql::{Context, ErrorExtensions, ID, InputObject, Object, SimpleObject};
use uuid::Uuid;

use super::{
    Capability, CatalogModel, CatalogService, DeclaredDeployment, DeclaredModel, DeploymentChanges,
    ModelChanges, Registered, Registration, load_catalog,
};
use crate::DomainError;
use crate::access::{Needs, Permission};

/// What the server does for catalog administration that the schema cannot: seal credentials
/// with its key, and call model servers.
#[async_trait::async_trait]
pub trait ModelServers: Send + Sync {
    /// The sealed (encrypted) form of a model server credential, or why it cannot be stored.
    fn seal(&self, secret: &str) -> Result<String, DomainError>;
    /// Calls the model server at `api_base` (its model list) and reports what happened.
    async fn test(&self, api_base: &str, api_key: Option<&str>) -> ConnectionTest;
    /// The stored deployment's base URL and unsealed credential, for a test.
    async fn stored(&self, deployment: Uuid) -> Result<(String, Option<String>), DomainError>;
    /// Reads the configuration again and applies its models (as `POST /admin/reload`).
    async fn reload(&self) -> Result<CatalogReload, DomainError>;
    /// Where models declared in configuration come from, for people: the file, or the
    /// environment when no file is read.
    fn declared_in(&self) -> String;
}

/// What a reload of the configured models did.
#[derive(SimpleObject, Clone, Debug)]
pub struct CatalogReload {
    /// Whether any configured model or deployment changed.
    pub changed: bool,
    /// Models in service after the reload.
    pub models: i32,
}

/// The outcome of a connection test.
#[derive(SimpleObject, Clone, Debug, Default)]
pub struct ConnectionTest {
    pub ok: bool,
    /// The HTTP status the model server answered, if it answered.
    pub status: Option<i32>,
    pub latency_ms: Option<i64>,
    /// What went wrong, for people (never the credential).
    pub message: String,
    /// The models the server says it serves.
    pub models: Vec<String>,
}

/// The model a deployment belongs to (used when the model is new).
#[derive(InputObject, Clone, Debug)]
pub struct ModelInput {
    pub name: String,
    pub description: Option<String>,
    #[graphql(default_with = "\"openai\".to_owned()")]
    pub provider: String,
    #[graphql(default)]
    pub capabilities: Vec<Capability>,
    pub context_length: Option<i64>,
    #[graphql(default)]
    pub input_price_per_million: f64,
    #[graphql(default)]
    pub output_price_per_million: f64,
    #[graphql(default)]
    pub restricted: bool,
}

/// Where a model runs.
#[derive(InputObject, Clone, Debug)]
pub struct DeploymentInput {
    pub cluster: String,
    /// The OpenAI-compatible base URL (`https://host/v1`).
    pub api_base: String,
    /// The name the model server knows the model by (default: the public name).
    pub backend_model: Option<String>,
    /// The model server's credential; stored sealed, never returned.
    pub api_key: Option<String>,
    /// Its share of the model's traffic against the other deployments' weights (1–10,000).
    #[graphql(default = 1)]
    pub weight: i32,
    /// How long a request may take in all (1 ms to a day).
    #[graphql(default = 600_000)]
    pub timeout_ms: i64,
    /// How long the first byte may take (1 ms to a day; the gateway's default when absent).
    pub first_byte_timeout_ms: Option<i64>,
    /// The most requests it serves at once (1 to 1,000,000; no cap when absent).
    pub max_parallel_requests: Option<i64>,
}

/// Changes to a model; what is left out stays (`null` clears description or context length).
#[derive(InputObject, Clone, Debug, Default)]
pub struct ModelChangesInput {
    pub description: async_graphql::MaybeUndefined<String>,
    pub provider: Option<String>,
    pub capabilities: Option<Vec<Capability>>,
    pub context_length: async_graphql::MaybeUndefined<i64>,
    pub input_price_per_million: Option<f64>,
    pub output_price_per_million: Option<f64>,
}

use crate::convert::change as maybe;

/// Changes to a deployment; what is left out stays (`null` puts the first-byte timeout back
/// to the gateway's default, or removes the parallel cap).
#[derive(InputObject, Clone, Debug, Default)]
pub struct DeploymentChangesInput {
    pub api_base: Option<String>,
    pub backend_model: Option<String>,
    pub api_key: Option<String>,
    pub input_price_per_million: Option<f64>,
    pub output_price_per_million: Option<f64>,
    /// Its share of the model's traffic against the other deployments' weights (1–10,000).
    pub weight: Option<i32>,
    /// 1 ms to a day.
    pub timeout_ms: Option<i64>,
    /// 1 ms to a day.
    pub first_byte_timeout_ms: async_graphql::MaybeUndefined<i64>,
    /// 1 to 1,000,000.
    pub max_parallel_requests: async_graphql::MaybeUndefined<i64>,
}

/// `value` is at least 1, or a clear error naming `field`.
/// The largest weight a deployment may have (weights are relative: 1 to 10,000 is plenty).
const MAX_WEIGHT: i32 = 10_000;
/// The longest a timeout may be: a day.
const MAX_TIMEOUT_MS: i64 = 86_400_000;
/// The most requests a deployment's parallel cap may allow.
const MAX_PARALLEL: i64 = 1_000_000;

/// `value`, when given, lies between 1 and `max`.
fn within<T: PartialOrd + From<u8> + std::fmt::Display>(
    field: &str,
    value: Option<&T>,
    max: T,
) -> Result<(), DomainError> {
    match value {
        Some(v) if *v < T::from(1) || *v > max => Err(DomainError::BadInput(format!(
            "{field} must be between 1 and {max}"
        ))),
        _ => Ok(()),
    }
}

/// A deployment's weight, timeouts and parallel cap, each within its bounds.
fn check_numbers(
    weight: Option<&i32>,
    timeout_ms: Option<&i64>,
    first_byte_timeout_ms: Option<&i64>,
    max_parallel_requests: Option<&i64>,
) -> Result<(), DomainError> {
    within("weight", weight, MAX_WEIGHT)?;
    within("timeoutMs", timeout_ms, MAX_TIMEOUT_MS)?;
    within("firstByteTimeoutMs", first_byte_timeout_ms, MAX_TIMEOUT_MS)?;
    within("maxParallelRequests", max_parallel_requests, MAX_PARALLEL)
}

fn capability_name(c: Capability) -> &'static str {
    match c {
        Capability::Chat => "chat",
        Capability::Completion => "completion",
        Capability::Embeddings => "embeddings",
        Capability::DocumentConversion => "document_conversion",
        Capability::Tokenize => "tokenize",
        Capability::Vision => "vision",
        Capability::Tools => "tools",
        Capability::Rerank => "rerank",
        Capability::AudioTranscription => "audio_transcription",
        Capability::Messages => "messages",
    }
}

/// Currency per million tokens → nanos per token.
fn price(name: &str, per_million: f64) -> Result<i64, DomainError> {
    if !per_million.is_finite() || !(0.0..=1e6).contains(&per_million) {
        return Err(DomainError::BadInput(format!(
            "{name} must be between 0 and 1,000,000"
        )));
    }
    Ok((per_million * 1_000.0).round() as i64)
}

/// A base URL typed into the portal: spaces around it are dropped, then it is checked.
fn url(api_base: &str) -> Result<String, DomainError> {
    super::api_base(api_base.trim())
        .map_err(|reason| DomainError::BadInput(format!("apiBase {reason}")))
}

fn servers<'a>(ctx: &'a Context<'_>) -> async_graphql::Result<&'a Arc<dyn ModelServers>> {
    ctx.data::<Arc<dyn ModelServers>>()
}

use crate::convert::gql_id as uuid;

async fn model_named(ctx: &Context<'_>, name: &str) -> async_graphql::Result<Option<CatalogModel>> {
    Ok(load_catalog(ctx)
        .await?
        .into_iter()
        .find(|m| m.name == name))
}

/// Catalog administration.
#[derive(Default)]
pub struct CatalogAdminMutation;

#[Object]
impl CatalogAdminMutation {
    /// Registers a deployment of a model on a cluster; the model is created with `model`'s
    /// settings when it does not exist yet (administrators).
    #[graphql(guard = "Needs(Permission::WriteAll)")]
    async fn add_deployment(
        &self,
        ctx: &Context<'_>,
        model: ModelInput,
        deployment: DeploymentInput,
    ) -> async_graphql::Result<Option<CatalogModel>> {
        let name = model.name.trim().to_owned();
        if name.is_empty() || deployment.cluster.trim().is_empty() {
            return Err(
                DomainError::BadInput("a model name and a cluster are needed".into()).extend(),
            );
        }
        check_numbers(
            Some(&deployment.weight),
            Some(&deployment.timeout_ms),
            deployment.first_byte_timeout_ms.as_ref(),
            deployment.max_parallel_requests.as_ref(),
        )
        .map_err(|e| e.extend())?;
        let sealed = deployment
            .api_key
            .as_deref()
            .map(|k| servers(ctx).and_then(|s| s.seal(k).map_err(|e| e.extend())))
            .transpose()?;
        let registration = Registration {
            model: DeclaredModel {
                name: name.clone(),
                description: model.description,
                provider: model.provider,
                capabilities: model
                    .capabilities
                    .into_iter()
                    .map(|c| capability_name(c).to_owned())
                    .collect(),
                context_length: model.context_length,
                input_price_nanos: price("inputPricePerMillion", model.input_price_per_million)
                    .map_err(|e| e.extend())?,
                output_price_nanos: price("outputPricePerMillion", model.output_price_per_million)
                    .map_err(|e| e.extend())?,
                second_price_nanos: 0,
                restricted: model.restricted,
                access_groups: Vec::new(),
                deployments: Vec::new(),
            },
            deployment: DeclaredDeployment {
                cluster: deployment.cluster.trim().to_owned(),
                api_base: url(&deployment.api_base).map_err(|e| e.extend())?,
                backend_model: deployment.backend_model.unwrap_or_else(|| name.clone()),
                credentials_encrypted: sealed,
                weight: deployment.weight,
                first_byte_timeout_ms: deployment.first_byte_timeout_ms,
                timeout_ms: deployment.timeout_ms,
                max_parallel_requests: deployment.max_parallel_requests,
            },
            rpm_limit: None,
            tpm_limit: None,
        };
        let done = ctx
            .data::<CatalogService>()?
            .register(registration)
            .await
            .map_err(|e| e.extend())?;
        if let Registered::Unchanged(_) = done {
            return Err(DomainError::Conflict(format!(
                "{name} already has a deployment at that apiBase"
            ))
            .extend());
        }
        model_named(ctx, &name).await
    }

    /// Changes a deployment's URL, backend name, credential, weight, timeouts, parallel cap,
    /// or its model's prices (administrators; configured deployments change there).
    #[graphql(guard = "Needs(Permission::WriteAll)")]
    async fn update_deployment(
        &self,
        ctx: &Context<'_>,
        id: ID,
        changes: DeploymentChangesInput,
    ) -> async_graphql::Result<bool> {
        check_numbers(
            changes.weight.as_ref(),
            changes.timeout_ms.as_ref(),
            changes.first_byte_timeout_ms.value(),
            changes.max_parallel_requests.value(),
        )
        .map_err(|e| e.extend())?;
        let sealed = changes
            .api_key
            .as_deref()
            .map(|k| servers(ctx).and_then(|s| s.seal(k).map_err(|e| e.extend())))
            .transpose()?;
        let changes = DeploymentChanges {
            weight: changes.weight,
            timeout_ms: changes.timeout_ms,
            first_byte_timeout_ms: maybe(changes.first_byte_timeout_ms),
            max_parallel_requests: maybe(changes.max_parallel_requests),
            api_base: changes
                .api_base
                .as_deref()
                .map(url)
                .transpose()
                .map_err(|e| e.extend())?,
            backend_model: changes.backend_model,
            credentials_encrypted: sealed,
            input_price_nanos: changes
                .input_price_per_million
                .map(|p| price("inputPricePerMillion", p))
                .transpose()
                .map_err(|e| e.extend())?,
            output_price_nanos: changes
                .output_price_per_million
                .map(|p| price("outputPricePerMillion", p))
                .transpose()
                .map_err(|e| e.extend())?,
            ..DeploymentChanges::default()
        };
        ctx.data::<CatalogService>()?
            .update_deployment(uuid(&id)?, changes)
            .await
            .map_err(|e| e.extend())?;
        Ok(true)
    }

    /// Changes a model's description, provider, capabilities, context length or prices
    /// (administrators; models declared in configuration change there).
    #[graphql(guard = "Needs(Permission::WriteAll)")]
    async fn update_model(
        &self,
        ctx: &Context<'_>,
        id: ID,
        changes: ModelChangesInput,
    ) -> async_graphql::Result<Option<CatalogModel>> {
        if changes.context_length.value().is_some_and(|c| *c < 1) {
            return Err(DomainError::BadInput("contextLength must be at least 1".into()).extend());
        }
        let changes = ModelChanges {
            description: maybe(changes.description),
            provider: changes.provider,
            capabilities: changes.capabilities.map(|c| {
                c.into_iter()
                    .map(|c| capability_name(c).to_owned())
                    .collect()
            }),
            context_length: maybe(changes.context_length),
            input_price_nanos: changes
                .input_price_per_million
                .map(|p| price("inputPricePerMillion", p))
                .transpose()
                .map_err(|e| e.extend())?,
            output_price_nanos: changes
                .output_price_per_million
                .map(|p| price("outputPricePerMillion", p))
                .transpose()
                .map_err(|e| e.extend())?,
        };
        let row = ctx
            .data::<CatalogService>()?
            .update_model(uuid(&id)?, changes)
            .await
            .map_err(|e| e.extend())?;
        model_named(ctx, &row.name).await
    }

    /// Deletes a model with its deployments; keys lose it, subscriptions to it end
    /// (administrators). Returns its name.
    #[graphql(guard = "Needs(Permission::WriteAll)")]
    async fn delete_model(&self, ctx: &Context<'_>, id: ID) -> async_graphql::Result<String> {
        ctx.data::<CatalogService>()?
            .delete_model(uuid(&id)?)
            .await
            .map_err(|e| e.extend())
    }

    /// Removes a deployment; the model goes too when it was its last (administrators).
    #[graphql(guard = "Needs(Permission::WriteAll)")]
    async fn remove_deployment(&self, ctx: &Context<'_>, id: ID) -> async_graphql::Result<String> {
        ctx.data::<CatalogService>()?
            .delete_deployment(uuid(&id)?)
            .await
            .map_err(|e| e.extend())
    }

    /// Reads the server's configuration again and applies its models, as `POST /admin/reload`
    /// does; every replica follows within its registry poll (administrators).
    #[graphql(guard = "Needs(Permission::WriteAll)")]
    async fn reload_catalog(&self, ctx: &Context<'_>) -> async_graphql::Result<CatalogReload> {
        servers(ctx)?.reload().await.map_err(|e| e.extend())
    }

    /// Calls a model server from this server: a stored deployment (`deploymentId`), or one
    /// about to be registered (`apiBase`, `apiKey`). Administrators.
    #[graphql(guard = "Needs(Permission::WriteAll)")]
    async fn test_connection(
        &self,
        ctx: &Context<'_>,
        deployment_id: Option<ID>,
        api_base: Option<String>,
        api_key: Option<String>,
    ) -> async_graphql::Result<ConnectionTest> {
        let servers = servers(ctx)?;
        let (base, key) = match (deployment_id, api_base) {
            (Some(id), None) => servers.stored(uuid(&id)?).await.map_err(|e| e.extend())?,
            (None, Some(base)) => (url(&base).map_err(|e| e.extend())?, api_key),
            _ => {
                return Err(
                    DomainError::BadInput("give either deploymentId or apiBase".into()).extend(),
                );
            }
        };
        Ok(servers.test(&base, key.as_deref()).await)
    }
}
