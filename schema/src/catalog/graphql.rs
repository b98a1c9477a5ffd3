//! GraphQL for the catalog: models with their capabilities, prices, clusters and deployment
//! health, searchable and filterable; public, but internal URLs only for administrators.

use std::collections::HashMap;
use std::sync::Arc;

use async_graphql::{ComplexObject, Context, Enum, ErrorExtensions, ID, Object, SimpleObject};
use chrono::{DateTime, Utc};
use uuid::Uuid;

use super::{CatalogService, ModelWithDeployments};
use crate::access::{Permission, caller};

/// A subscription's state.
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
pub enum SubscriptionStatus {
    Active,
    Pending,
    Denied,
    Cancelled,
}

/// The caller's subscription status of each model, for `Model.mySubscriptionStatus`. The
/// subscriptions domain provides it as schema data, so the catalog does not depend on it.
#[async_trait::async_trait]
pub trait SubscriptionStatuses: Send + Sync {
    /// The status of every model `user` has a subscription to, by model id.
    async fn statuses(
        &self,
        user: Uuid,
    ) -> Result<HashMap<Uuid, SubscriptionStatus>, crate::DomainError>;
}

/// Whether each deployment passes its health checks, as the serving replica sees it.
pub trait DeploymentHealth: Send + Sync {
    /// `None` when this replica has not checked the deployment (yet).
    fn healthy(&self, deployment: Uuid) -> Option<bool>;
    /// Until when the deployment is left out of routing after failures, if it is now.
    fn cooling_until(&self, deployment: Uuid) -> Option<DateTime<Utc>>;
}

/// Where a model's entry comes from.
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
pub enum ModelSource {
    /// Declared in the server's configuration: it changes there, not through the API.
    Configuration,
    /// Registered through an API (GraphQL, the portal, or the LiteLLM-compatible admin API).
    Api,
}

impl ModelSource {
    fn parse(text: &str) -> Self {
        if text == super::SOURCE_CONFIG {
            Self::Configuration
        } else {
            Self::Api
        }
    }
}

/// What a model can do.
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
pub enum Capability {
    Chat,
    Completion,
    Embeddings,
    DocumentConversion,
    Tokenize,
    Vision,
    Tools,
    /// Ranks documents and scores text pairs (`/v1/rerank`, `/v1/score`).
    Rerank,
    /// Turns speech into text (`/v1/audio/transcriptions`, `/v1/audio/translations`).
    AudioTranscription,
    /// Its servers speak the Anthropic Messages API themselves (`/v1/messages` passes
    /// through untranslated; every chat model answers it translated).
    Messages,
}

impl Capability {
    fn parse(text: &str) -> Option<Self> {
        Some(match text {
            "chat" => Self::Chat,
            "completion" => Self::Completion,
            "embeddings" => Self::Embeddings,
            "document_conversion" => Self::DocumentConversion,
            "tokenize" => Self::Tokenize,
            "vision" => Self::Vision,
            "tools" => Self::Tools,
            "rerank" => Self::Rerank,
            "audio_transcription" => Self::AudioTranscription,
            "messages" => Self::Messages,
            _ => return None,
        })
    }
}

/// A model in the catalog.
#[derive(SimpleObject, Clone, Debug)]
#[graphql(complex, name = "Model")]
pub struct CatalogModel {
    pub id: ID,
    /// The name requests use; it may contain `/`.
    pub name: String,
    pub description: Option<String>,
    /// Who serves it (`hosted_vllm`, `openai`, `docling`, …).
    pub provider: String,
    pub capabilities: Vec<Capability>,
    /// Tokens of context, when known.
    pub context_length: Option<i64>,
    /// Price per million prompt tokens (0 when unpriced).
    pub input_price_per_million: f64,
    /// Price per million completion tokens.
    pub output_price_per_million: f64,
    /// Price per minute of audio heard, for speech-to-text models billed by duration (0
    /// when priced per token).
    pub price_per_audio_minute: f64,
    /// Access needs an administrator's approval.
    pub restricted: bool,
    /// The clusters it runs on.
    pub clusters: Vec<String>,
    /// The caller's subscription status (null when not subscribed, not signed in, or when the
    /// model is reached from another object such as a subscription).
    pub my_subscription_status: Option<SubscriptionStatus>,
    /// Where its entry comes from.
    pub source: ModelSource,
    #[graphql(skip)]
    pub deployments: Vec<entity::deployment::Model>,
}

/// One deployment of a model on a cluster.
#[derive(SimpleObject, Clone, Debug)]
pub struct Deployment {
    pub id: ID,
    pub cluster: String,
    /// Whether it passes health checks (null before the first check).
    pub healthy: Option<bool>,
    pub enabled: bool,
    /// The model server's URL: null unless the caller may read everything, as are the
    /// fields below.
    pub api_base: Option<String>,
    /// The name the model server knows the model by.
    pub backend_model: Option<String>,
    /// Its share of the model's traffic against the other deployments' weights.
    pub weight: Option<i32>,
    /// Longest time for a whole request, in milliseconds.
    pub timeout_ms: Option<i64>,
    /// Longest wait for the response headers (null: the gateway's default).
    pub first_byte_timeout_ms: Option<i64>,
    /// Requests in flight at once on this deployment (null: no cap).
    pub max_parallel_requests: Option<i64>,
    /// Left out of routing after failures until then (null: not cooling down), as the
    /// serving replica sees it.
    pub cooling_down_until: Option<DateTime<Utc>>,
}

/// Nanos per token → currency per million tokens.
fn per_million(nanos: i64) -> f64 {
    nanos as f64 / 1_000.0
}

impl CatalogModel {
    /// The GraphQL view of a stored model, with the caller's subscription status.
    pub fn new(found: ModelWithDeployments, mine: Option<SubscriptionStatus>) -> Self {
        let capabilities = found
            .capabilities()
            .iter()
            .filter_map(|c| Capability::parse(c))
            .collect();
        let mut clusters: Vec<String> = found
            .deployments
            .iter()
            .filter(|d| d.enabled)
            .map(|d| d.cluster.clone())
            .collect();
        clusters.sort();
        clusters.dedup();
        let model = found.model;
        Self {
            id: ID(model.id.to_string()),
            name: model.name,
            description: model.description,
            provider: model.provider,
            capabilities,
            context_length: model.context_length,
            input_price_per_million: per_million(model.input_price_nanos),
            output_price_per_million: per_million(model.output_price_nanos),
            price_per_audio_minute: model.second_price_nanos as f64 * 60.0 / 1e9,
            restricted: model.restricted,
            clusters,
            my_subscription_status: mine,
            source: ModelSource::parse(&model.source),
            deployments: found.deployments,
        }
    }
}

#[ComplexObject]
impl CatalogModel {
    /// Its deployments and their health.
    async fn deployments(&self, ctx: &Context<'_>) -> Vec<Deployment> {
        let admin = caller(ctx).permissions().contains(&Permission::ReadAll);
        let health = ctx.data_opt::<Arc<dyn DeploymentHealth>>();
        self.deployments
            .iter()
            .map(|d| Deployment {
                id: ID(d.id.to_string()),
                cluster: d.cluster.clone(),
                healthy: health.and_then(|h| h.healthy(d.id)),
                enabled: d.enabled,
                api_base: admin.then(|| d.api_base.clone()),
                backend_model: admin.then(|| d.backend_model.clone()),
                weight: admin.then_some(d.weight),
                timeout_ms: admin.then_some(d.timeout_ms),
                first_byte_timeout_ms: d.first_byte_timeout_ms.filter(|_| admin),
                max_parallel_requests: d.max_parallel_requests.filter(|_| admin),
                cooling_down_until: health.filter(|_| admin).and_then(|h| h.cooling_until(d.id)),
            })
            .collect()
    }

    /// For a model declared in configuration: where (the file, or the environment);
    /// administrators only, null otherwise.
    async fn declared_in(&self, ctx: &Context<'_>) -> Option<String> {
        let admin = caller(ctx).permissions().contains(&Permission::ReadAll);
        if !admin || self.source != ModelSource::Configuration {
            return None;
        }
        ctx.data_opt::<Arc<dyn super::ModelServers>>()
            .map(|servers| servers.declared_in())
    }
}

/// How to narrow the catalog.
#[derive(async_graphql::InputObject, Clone, Debug, Default)]
pub struct ModelFilter {
    /// Words that must all appear in the name, description or provider (any case).
    pub search: Option<String>,
    pub capability: Option<Capability>,
    pub cluster: Option<String>,
    pub provider: Option<String>,
}

impl ModelFilter {
    fn matches(&self, model: &CatalogModel) -> bool {
        if let Some(search) = &self.search {
            let haystack = format!(
                "{} {} {}",
                model.name,
                model.description.as_deref().unwrap_or_default(),
                model.provider
            )
            .to_lowercase();
            if !search
                .to_lowercase()
                .split_whitespace()
                .all(|word| haystack.contains(word))
            {
                return false;
            }
        }
        self.capability
            .is_none_or(|c| model.capabilities.contains(&c))
            && self
                .cluster
                .as_ref()
                .is_none_or(|c| model.clusters.contains(c))
            && self.provider.as_ref().is_none_or(|p| model.provider == *p)
    }
}

/// Loads models by id in one batch per request tick: the edge from anything that names a
/// model (a subscription, a key) to the model.
pub struct ModelLoader(pub CatalogService);

impl async_graphql::dataloader::Loader<Uuid> for ModelLoader {
    type Value = CatalogModel;
    type Error = Arc<crate::DomainError>;

    async fn load(&self, keys: &[Uuid]) -> Result<HashMap<Uuid, CatalogModel>, Self::Error> {
        let found = self.0.models_by_ids(keys).await.map_err(Arc::new)?;
        Ok(found
            .into_iter()
            .map(|m| (m.model.id, CatalogModel::new(m, None)))
            .collect())
    }
}

/// The model with this id, through the request's [`ModelLoader`].
pub async fn model_by_id(
    ctx: &Context<'_>,
    id: Uuid,
) -> async_graphql::Result<Option<CatalogModel>> {
    let loader = ctx.data::<async_graphql::dataloader::DataLoader<ModelLoader>>()?;
    loader
        .load_one(id)
        .await
        .map_err(|e| async_graphql::Error::new(e.to_string()))
}

/// Loads the catalog with the caller's subscription statuses (three queries, whatever the size).
pub async fn load_catalog(ctx: &Context<'_>) -> async_graphql::Result<Vec<CatalogModel>> {
    let found = ctx
        .data::<CatalogService>()?
        .models_with_deployments()
        .await
        .map_err(|e| e.extend())?;
    let mine = match caller(ctx).principal.as_ref().and_then(|p| p.user_id) {
        Some(user) => ctx
            .data::<Arc<dyn SubscriptionStatuses>>()?
            .statuses(user)
            .await
            .map_err(|e| e.extend())?,
        None => HashMap::new(),
    };
    Ok(found
        .into_iter()
        .map(|m| {
            let status = mine.get(&m.model.id).copied();
            CatalogModel::new(m, status)
        })
        .collect())
}

/// Catalog queries.
#[derive(Default)]
pub struct CatalogQuery;

#[Object]
impl CatalogQuery {
    /// The models, by name, narrowed by `filter`. Public.
    async fn models(
        &self,
        ctx: &Context<'_>,
        filter: Option<ModelFilter>,
        first: Option<i32>,
        after: Option<String>,
    ) -> async_graphql::Result<crate::pagination::Page<CatalogModel>> {
        let filter = filter.unwrap_or_default();
        let models = load_catalog(ctx)
            .await?
            .into_iter()
            .filter(|m| filter.matches(m))
            .collect();
        crate::pagination::page(models, first, after)
    }

    /// One model by its name (names may contain `/`). Public.
    async fn model(
        &self,
        ctx: &Context<'_>,
        name: String,
    ) -> async_graphql::Result<Option<CatalogModel>> {
        Ok(load_catalog(ctx)
            .await?
            .into_iter()
            .find(|m| m.name == name))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn model(
        name: &str,
        description: &str,
        capabilities: &[Capability],
        clusters: &[&str],
    ) -> CatalogModel {
        CatalogModel {
            id: ID("x".into()),
            name: name.into(),
            description: Some(description.into()),
            provider: "hosted_vllm".into(),
            capabilities: capabilities.to_vec(),
            context_length: None,
            input_price_per_million: 0.0,
            price_per_audio_minute: 0.0,
            output_price_per_million: 0.0,
            restricted: false,
            clusters: clusters.iter().map(|c| (*c).to_owned()).collect(),
            my_subscription_status: None,
            source: ModelSource::Api,
            deployments: Vec::new(),
        }
    }

    #[test]
    fn filters_combine_and_search_needs_every_word() {
        let granite = model(
            "ibm/granite-3",
            "IBM Granite instruct",
            &[Capability::Chat],
            &["aws"],
        );
        let nomic = model(
            "nomic-embed",
            "text embeddings",
            &[Capability::Embeddings],
            &["gaudi"],
        );
        let search = |s: &str| ModelFilter {
            search: Some(s.into()),
            ..ModelFilter::default()
        };
        assert!(search("GRANITE instruct").matches(&granite));
        assert!(!search("granite embeddings").matches(&granite));
        let chat_on_gaudi = ModelFilter {
            capability: Some(Capability::Chat),
            cluster: Some("gaudi".into()),
            ..ModelFilter::default()
        };
        assert!(!chat_on_gaudi.matches(&granite) && !chat_on_gaudi.matches(&nomic));
        assert!(ModelFilter::default().matches(&nomic));
        assert_eq!(per_million(200), 0.2, "2e-7 per token is 0.2 per million");
    }
}
