//! The in-memory routing table: every model and its deployments, read on the hot path without
//! locks (an `ArcSwap` snapshot), rebuilt from the database when the catalog changes here or
//! on any other replica (a version counter polled every few seconds).

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex, Weak};
use std::time::Duration;

use arc_swap::ArcSwap;
use schema::catalog::{CatalogService, DeclaredDeployment, DeclaredModel};
use uuid::Uuid;

use super::deployment::{Deployment, DeploymentState, ModelRoute, now_ms, split_base};
use super::http1::Http1Pool;
use crate::config::{Config, GatewayConfig, ModelConfig, Overrides};
use crate::secrets::CredentialCipher;

/// One consistent view of the catalog.
#[derive(Debug, Default)]
pub struct Snapshot {
    /// The catalog version this view was built from.
    pub version: i64,
    /// Models by public name.
    pub models: BTreeMap<String, Arc<ModelRoute>>,
}

/// Why the registry could not load or apply the catalog.
#[derive(Debug, thiserror::Error)]
pub enum RegistryError {
    #[error(transparent)]
    Domain(#[from] schema::DomainError),
    /// Declared or stored credentials cannot be kept with this server's key.
    #[error("{0}")]
    Credentials(String),
}

/// The routing table and how to refresh it.
pub struct Registry {
    snapshot: ArcSwap<Snapshot>,
    states: Mutex<HashMap<Uuid, Arc<DeploymentState>>>,
    /// The connection pools of plain-HTTP model servers by origin, kept while a deployment
    /// uses them, so that a reload keeps the connections.
    pools: Mutex<HashMap<String, Weak<Http1Pool>>>,
    catalog: CatalogService,
    cipher: CredentialCipher,
    /// Whether credentials may be sealed here: with a configured key, or on the embedded
    /// database (whose key file no other replica needs).
    may_seal: bool,
    defaults: GatewayConfig,
}

impl schema::catalog::DeploymentHealth for Registry {
    /// Healthy when the last check passed and the deployment is not cooling down.
    fn healthy(&self, deployment: Uuid) -> Option<bool> {
        let states = self.states.lock().ok()?;
        let state = states.get(&deployment)?;
        Some(state.is_healthy() && !state.cooling(now_ms()))
    }

    fn cooling_until(&self, deployment: Uuid) -> Option<chrono::DateTime<chrono::Utc>> {
        let states = self.states.lock().ok()?;
        let left_ms = states.get(&deployment)?.cooling_left_ms(now_ms())?;
        let left = chrono::Duration::milliseconds(i64::try_from(left_ms).unwrap_or(i64::MAX));
        chrono::Utc::now().checked_add_signed(left)
    }
}

fn millis(ms: i64) -> Duration {
    Duration::from_millis(u64::try_from(ms).unwrap_or(0))
}

impl Registry {
    /// An empty registry; call [`reload`](Self::reload) to fill it. `may_seal`: see
    /// [`seal`](Self::seal).
    pub fn new(
        catalog: CatalogService,
        cipher: CredentialCipher,
        may_seal: bool,
        defaults: GatewayConfig,
    ) -> Self {
        Self {
            snapshot: ArcSwap::from_pointee(Snapshot::default()),
            states: Mutex::new(HashMap::new()),
            pools: Mutex::new(HashMap::new()),
            catalog,
            cipher,
            may_seal,
            defaults,
        }
    }

    /// The current view (cheap: one atomic load).
    pub fn snapshot(&self) -> Arc<Snapshot> {
        self.snapshot.load_full()
    }

    /// The model called `name`.
    pub fn get(&self, name: &str) -> Option<Arc<ModelRoute>> {
        self.snapshot.load().models.get(name).cloned()
    }

    fn state_for(&self, id: Uuid) -> Arc<DeploymentState> {
        match self.states.lock() {
            Ok(mut states) => states.entry(id).or_default().clone(),
            Err(_) => Arc::default(),
        }
    }

    /// The connection pool for the plain-HTTP server of `base`, shared with the deployments
    /// on the same server (none for TLS).
    fn pool_for(&self, base: &str) -> Option<Arc<Http1Pool>> {
        let origin = Http1Pool::origin(base)?;
        let connect_timeout = Duration::from_millis(self.defaults.connect_timeout_ms);
        let Ok(mut pools) = self.pools.lock() else {
            return Http1Pool::for_url(base, connect_timeout).map(Arc::new);
        };
        pools.retain(|_, pool| pool.strong_count() > 0);
        if let Some(pool) = pools.get(origin).and_then(Weak::upgrade) {
            return Some(pool);
        }
        let pool = Arc::new(Http1Pool::for_url(base, connect_timeout)?);
        pools.insert(origin.to_owned(), Arc::downgrade(&pool));
        Some(pool)
    }

    /// Closes the plain-HTTP connections that have been idle too long, on every server.
    pub fn close_idle_connections(&self) {
        let pools: Vec<Arc<Http1Pool>> = match self.pools.lock() {
            Ok(pools) => pools.values().filter_map(Weak::upgrade).collect(),
            Err(_) => return,
        };
        for pool in pools {
            pool.close_idle();
        }
    }

    /// Rebuilds the view from the database.
    pub async fn reload(&self) -> Result<(), RegistryError> {
        let version = self.catalog.registry_version().await?;
        let rows = self.catalog.models_with_deployments().await?;
        let mut models = BTreeMap::new();
        for row in rows {
            let capabilities = row.capabilities();
            let deployments = row
                .deployments
                .into_iter()
                .filter(|d| d.enabled)
                .filter_map(|d| {
                    let (base, origin) = split_base(&d.api_base);
                    // A credential that does not open leaves its deployment out of routing:
                    // sent without it, the request would fail or reach the wrong account.
                    let api_key = match d.credentials_encrypted.as_deref().map(|sealed| self.cipher.open(sealed)) {
                        None => None,
                        Some(Ok(key)) => Some(key),
                        Some(Err(error)) => {
                            tracing::error!(deployment = %d.id, %error, "cannot decrypt credentials; deployment left out of routing");
                            return None;
                        }
                    };
                    Some(Arc::new(Deployment {
                        id: d.id,
                        cluster: d.cluster,
                        host: super::http1::host_header(&base),
                        pool: self.pool_for(&base),
                        base,
                        origin,
                        backend_model: d.backend_model,
                        api_key,
                        weight: u32::try_from(d.weight).unwrap_or(1).max(1),
                        first_byte_timeout: d
                            .first_byte_timeout_ms
                            .map_or(Duration::from_millis(self.defaults.first_byte_timeout_ms), millis),
                        total_timeout: millis(d.timeout_ms),
                        max_parallel: d.max_parallel_requests.and_then(|n| u32::try_from(n).ok()),
                        state: self.state_for(d.id),
                        series: std::sync::OnceLock::new(),
                    }))
                })
                .collect();
            let access_groups = schema::catalog::access_groups(&row.model);
            let route = ModelRoute {
                id: row.model.id,
                name: row.model.name.clone(),
                provider: row.model.provider,
                capabilities,
                access_groups,
                context_length: row.model.context_length,
                input_price_nanos: row.model.input_price_nanos,
                output_price_nanos: row.model.output_price_nanos,
                second_price_nanos: row.model.second_price_nanos,
                created: row.model.created_at.timestamp(),
                deployments,
                series: std::sync::OnceLock::new(),
            };
            models.insert(row.model.name, Arc::new(route));
        }
        let count = models.len();
        self.snapshot.store(Arc::new(Snapshot { version, models }));
        tracing::info!(version, models = count, "model registry loaded");
        Ok(())
    }

    /// Encrypts a model server's credential for storage; refused on a shared database
    /// without `gateway.credentials_key` (each replica would seal with a key of its own).
    pub fn seal(&self, secret: &str) -> Result<String, schema::DomainError> {
        if !self.may_seal {
            return Err(schema::DomainError::BadInput(
                "storing a model-server credential on a shared database needs \
                 gateway.credentials_key, the same on every replica"
                    .into(),
            ));
        }
        Ok(self.cipher.seal(secret))
    }

    /// The gateway settings deployments get where they say nothing.
    pub fn defaults(&self) -> &GatewayConfig {
        &self.defaults
    }

    /// The cipher stored credentials are sealed with.
    pub fn cipher(&self) -> &CredentialCipher {
        &self.cipher
    }

    /// The catalog service this registry reads.
    pub fn catalog(&self) -> &CatalogService {
        &self.catalog
    }

    /// Reads the configuration again (`overrides` as at start) and applies its `[[models]]`;
    /// true when something changed. What `POST /admin/reload`, `reloadCatalog` and `SIGHUP` do.
    pub async fn reload_declared(&self, overrides: &Overrides) -> anyhow::Result<bool> {
        let config = Config::load(overrides)?;
        let changed = self.apply_config(&config.models).await?;
        tracing::info!(
            changed,
            models = config.models.len(),
            "configuration models reloaded"
        );
        Ok(changed)
    }

    /// Applies the models declared in configuration, then reloads. Refused, changing nothing,
    /// when a stored credential does not open with this server's key (it was sealed with
    /// another: overwriting it would take it from the replicas that hold that key), or when
    /// credentials are declared where this server may not seal them.
    pub async fn apply_config(&self, models: &[ModelConfig]) -> Result<bool, RegistryError> {
        let unopened = self
            .catalog
            .sealed_credentials()
            .await?
            .into_iter()
            .filter(|(_, sealed)| self.cipher.open(sealed).is_err())
            .count();
        if unopened > 0 {
            return Err(RegistryError::Credentials(format!(
                "{unopened} stored model-server credential(s) do not open with this server's \
                 credentials key; the configured models were not applied (see \
                 `switchyard reseal-credentials --help`)"
            )));
        }
        let declared = models
            .iter()
            .map(|m| self.declare(m))
            .collect::<Result<Vec<DeclaredModel>, _>>()?;
        let cipher = self.cipher.clone();
        let changed = self
            .catalog
            .apply_declared(&declared, move |stored, wanted| cipher.same(stored, wanted))
            .await?;
        self.reload().await?;
        Ok(changed)
    }

    fn declare(&self, model: &ModelConfig) -> Result<DeclaredModel, RegistryError> {
        let nanos = |price: f64| {
            // Prices are validated finite and non-negative; rounding to whole nano-units.
            let value = (price * 1e9).round();
            if value >= i64::MAX as f64 {
                i64::MAX
            } else {
                value as i64
            }
        };
        let mut sealed = Vec::with_capacity(model.deployments.len());
        for deployment in &model.deployments {
            let key = deployment.api_key.as_ref();
            sealed.push(
                key.map(|key| self.seal(secrecy::ExposeSecret::expose_secret(key)))
                    .transpose()
                    .map_err(|e| {
                        RegistryError::Credentials(format!("model `{}`: {e}", model.name))
                    })?,
            );
        }
        Ok(DeclaredModel {
            name: model.name.clone(),
            description: model.description.clone(),
            provider: model.provider.clone(),
            capabilities: model.capabilities.clone(),
            context_length: model.context_length,
            input_price_nanos: nanos(model.input_cost_per_token),
            output_price_nanos: nanos(model.output_cost_per_token),
            second_price_nanos: nanos(model.input_cost_per_second),
            restricted: model.restricted,
            access_groups: model.access_groups.clone(),
            deployments: model
                .deployments
                .iter()
                .zip(sealed)
                .map(|(d, credentials_encrypted)| DeclaredDeployment {
                    cluster: d.cluster.clone(),
                    api_base: d.api_base.trim_end_matches('/').to_owned(),
                    backend_model: d
                        .backend_model
                        .clone()
                        .unwrap_or_else(|| model.name.clone()),
                    credentials_encrypted,
                    weight: i32::try_from(d.weight).unwrap_or(i32::MAX),
                    first_byte_timeout_ms: d
                        .first_byte_timeout_ms
                        .and_then(|ms| i64::try_from(ms).ok()),
                    timeout_ms: i64::try_from(
                        d.timeout_ms.unwrap_or(self.defaults.total_timeout_ms),
                    )
                    .unwrap_or(i64::MAX),
                    max_parallel_requests: d.max_parallel_requests.map(i64::from),
                })
                .collect(),
        })
    }

    /// Reloads when the catalog version moved (another replica changed the catalog).
    pub async fn refresh_if_changed(&self) {
        match self.catalog.registry_version().await {
            Ok(version) if version != self.snapshot.load().version => {
                if let Err(error) = self.reload().await {
                    tracing::warn!(%error, "cannot reload the model registry");
                }
            }
            Ok(_) => {}
            Err(error) => tracing::debug!(%error, "cannot read the registry version"),
        }
    }
}
