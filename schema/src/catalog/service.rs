//! Catalog storage rules: reading models with their deployments, applying the models
//! declared in configuration, and versioning every change.

use std::collections::{HashMap, HashSet};

use chrono::Utc;
use entity::{deployment, model};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait,
    IntoActiveModel, QueryFilter, QueryOrder, Set, TransactionTrait,
};
use serde_json::json;
use uuid::Uuid;

use crate::DomainError;

/// The settings key whose value counts catalog changes.
pub const REGISTRY_VERSION_KEY: &str = "registry.version";

/// Where models declared in configuration come from.
pub const SOURCE_CONFIG: &str = "config";

/// A model and every deployment of it.
#[derive(Debug, Clone)]
pub struct ModelWithDeployments {
    /// The model.
    pub model: model::Model,
    /// Its deployments, enabled or not.
    pub deployments: Vec<deployment::Model>,
}

/// A model as declared in configuration.
#[derive(Debug, Clone, PartialEq)]
pub struct DeclaredModel {
    pub name: String,
    pub description: Option<String>,
    pub provider: String,
    pub capabilities: Vec<String>,
    pub context_length: Option<i64>,
    pub input_price_nanos: i64,
    pub output_price_nanos: i64,
    pub restricted: bool,
    pub deployments: Vec<DeclaredDeployment>,
}

/// A deployment as declared in configuration.
#[derive(Debug, Clone, PartialEq)]
pub struct DeclaredDeployment {
    pub cluster: String,
    pub api_base: String,
    pub backend_model: String,
    /// Already encrypted by the caller; compared by `same_credentials` to avoid churn.
    pub credentials_encrypted: Option<String>,
    pub weight: i32,
    pub first_byte_timeout_ms: Option<i64>,
    pub timeout_ms: i64,
    pub max_parallel_requests: Option<i64>,
}

/// Catalog rules over `models`, `deployments` and the registry version.
#[derive(Clone)]
pub struct CatalogService {
    db: DatabaseConnection,
}

impl CatalogService {
    /// A service over `db`.
    pub fn new(db: DatabaseConnection) -> Self {
        Self { db }
    }

    /// Every active model with its deployments, ordered by name (two queries).
    #[tracing::instrument(skip(self), err)]
    pub async fn models_with_deployments(&self) -> Result<Vec<ModelWithDeployments>, DomainError> {
        let models = model::Entity::find()
            .filter(model::Column::Active.eq(true))
            .order_by_asc(model::Column::Name)
            .all(&self.db)
            .await?;
        let mut by_model: HashMap<Uuid, Vec<deployment::Model>> = HashMap::new();
        for row in deployment::Entity::find()
            .order_by_asc(deployment::Column::CreatedAt)
            .all(&self.db)
            .await?
        {
            by_model.entry(row.model_id).or_default().push(row);
        }
        Ok(models
            .into_iter()
            .map(|model| ModelWithDeployments {
                deployments: by_model.remove(&model.id).unwrap_or_default(),
                model,
            })
            .collect())
    }

    /// The current registry version (0 before the first change).
    pub async fn registry_version(&self) -> Result<i64, DomainError> {
        crate::counters::read(&self.db, REGISTRY_VERSION_KEY).await
    }

    /// Makes the configuration-declared models exactly `declared`: creates and updates them and
    /// their deployments, and deletes configuration models (and deployments) no longer declared.
    /// Models from other sources are never touched; a declared name that belongs to another
    /// source is a conflict. `same_credentials(stored, declared)` decides whether stored
    /// ciphertext already holds the declared secret. Returns whether anything changed.
    #[tracing::instrument(skip_all, err, fields(models = declared.len()))]
    pub async fn apply_declared(
        &self,
        declared: &[DeclaredModel],
        same_credentials: impl Fn(Option<&str>, Option<&str>) -> bool,
    ) -> Result<bool, DomainError> {
        let txn = self.db.begin().await?;
        let now = Utc::now();
        let mut changed = false;
        let existing: HashMap<String, model::Model> = model::Entity::find()
            .all(&txn)
            .await?
            .into_iter()
            .map(|m| (m.name.clone(), m))
            .collect();
        let declared_names: HashSet<&str> = declared.iter().map(|m| m.name.as_str()).collect();

        for wanted in declared {
            let model_id = match existing.get(&wanted.name) {
                Some(row) if row.source != SOURCE_CONFIG => {
                    return Err(DomainError::Conflict(format!(
                        "model `{}` is declared in configuration but was created through the {} \
                         API; rename one of them",
                        wanted.name, row.source
                    )));
                }
                Some(row) => {
                    if !model_matches(row, wanted) {
                        let mut active = row.clone().into_active_model();
                        set_model_fields(&mut active, wanted);
                        active.updated_at = Set(now);
                        active.update(&txn).await?;
                        changed = true;
                    }
                    row.id
                }
                None => {
                    let id = Uuid::new_v4();
                    let mut active = model::ActiveModel {
                        id: Set(id),
                        name: Set(wanted.name.clone()),
                        source: Set(SOURCE_CONFIG.into()),
                        active: Set(true),
                        metadata: Set(json!({})),
                        created_at: Set(now),
                        updated_at: Set(now),
                        ..Default::default()
                    };
                    set_model_fields(&mut active, wanted);
                    active.insert(&txn).await?;
                    changed = true;
                    id
                }
            };
            changed |=
                sync_deployments(&txn, model_id, &wanted.deployments, &same_credentials).await?;
        }

        for (name, row) in &existing {
            if row.source == SOURCE_CONFIG && !declared_names.contains(name.as_str()) {
                model::Entity::delete_by_id(row.id).exec(&txn).await?;
                changed = true;
            }
        }
        if changed {
            bump_version(&txn).await?;
        }
        txn.commit().await?;
        Ok(changed)
    }
}

fn model_matches(row: &model::Model, wanted: &DeclaredModel) -> bool {
    row.description == wanted.description
        && row.provider == wanted.provider
        && row.capabilities == json!(wanted.capabilities)
        && row.context_length == wanted.context_length
        && row.input_price_nanos == wanted.input_price_nanos
        && row.output_price_nanos == wanted.output_price_nanos
        && row.restricted == wanted.restricted
        && row.active
}

fn set_model_fields(active: &mut model::ActiveModel, wanted: &DeclaredModel) {
    active.description = Set(wanted.description.clone());
    active.provider = Set(wanted.provider.clone());
    active.capabilities = Set(json!(wanted.capabilities));
    active.context_length = Set(wanted.context_length);
    active.input_price_nanos = Set(wanted.input_price_nanos);
    active.output_price_nanos = Set(wanted.output_price_nanos);
    active.restricted = Set(wanted.restricted);
    active.active = Set(true);
}

async fn sync_deployments<C: ConnectionTrait>(
    db: &C,
    model_id: Uuid,
    wanted: &[DeclaredDeployment],
    same_credentials: &impl Fn(Option<&str>, Option<&str>) -> bool,
) -> Result<bool, DomainError> {
    let now = Utc::now();
    let mut changed = false;
    let existing = deployment::Entity::find()
        .filter(deployment::Column::ModelId.eq(model_id))
        .all(db)
        .await?;
    for declared in wanted {
        match existing.iter().find(|d| d.api_base == declared.api_base) {
            Some(row) => {
                let same = row.cluster == declared.cluster
                    && row.backend_model == declared.backend_model
                    && row.weight == declared.weight
                    && row.first_byte_timeout_ms == declared.first_byte_timeout_ms
                    && row.timeout_ms == declared.timeout_ms
                    && row.max_parallel_requests == declared.max_parallel_requests
                    && row.enabled
                    && same_credentials(
                        row.credentials_encrypted.as_deref(),
                        declared.credentials_encrypted.as_deref(),
                    );
                if !same {
                    let mut active = row.clone().into_active_model();
                    set_deployment_fields(&mut active, declared);
                    active.updated_at = Set(now);
                    active.update(db).await?;
                    changed = true;
                }
            }
            None => {
                let mut active = deployment::ActiveModel {
                    id: Set(Uuid::new_v4()),
                    model_id: Set(model_id),
                    api_base: Set(declared.api_base.clone()),
                    created_at: Set(now),
                    updated_at: Set(now),
                    ..Default::default()
                };
                set_deployment_fields(&mut active, declared);
                active.insert(db).await?;
                changed = true;
            }
        }
    }
    for row in &existing {
        if !wanted.iter().any(|d| d.api_base == row.api_base) {
            deployment::Entity::delete_by_id(row.id).exec(db).await?;
            changed = true;
        }
    }
    Ok(changed)
}

fn set_deployment_fields(active: &mut deployment::ActiveModel, declared: &DeclaredDeployment) {
    active.cluster = Set(declared.cluster.clone());
    active.backend_model = Set(declared.backend_model.clone());
    active.credentials_encrypted = Set(declared.credentials_encrypted.clone());
    active.api_version = Set(None);
    active.weight = Set(declared.weight);
    active.first_byte_timeout_ms = Set(declared.first_byte_timeout_ms);
    active.timeout_ms = Set(declared.timeout_ms);
    active.rpm_limit = Set(None);
    active.tpm_limit = Set(None);
    active.max_parallel_requests = Set(declared.max_parallel_requests);
    active.enabled = Set(true);
}

/// Counts one more catalog change; replicas reload when the count moves.
pub async fn bump_version<C: ConnectionTrait>(db: &C) -> Result<(), DomainError> {
    crate::counters::bump(db, REGISTRY_VERSION_KEY).await
}
