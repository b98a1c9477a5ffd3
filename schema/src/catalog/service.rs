//! Catalog storage rules: reading models with their deployments, applying the models
//! declared in configuration, and versioning every change.

use std::collections::{HashMap, HashSet};

use chrono::Utc;
use entity::{deployment, model};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait,
    IntoActiveModel, QueryFilter, QueryOrder, Set,
};
use serde_json::{Value, json};
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

impl ModelWithDeployments {
    /// The model's capabilities as strings (stored as a JSON list).
    pub fn capabilities(&self) -> Vec<String> {
        self.model
            .capabilities
            .as_array()
            .map(|a| {
                a.iter()
                    .filter_map(|c| c.as_str().map(str::to_owned))
                    .collect()
            })
            .unwrap_or_default()
    }
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
    /// Price per second of audio (speech-to-text models), in nanodollars; 0: per token.
    pub second_price_nanos: i64,
    pub restricted: bool,
    /// LiteLLM access groups (`model_info.access_groups`): keys listing a group reach it.
    pub access_groups: Vec<String>,
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

    /// The models with these ids and their deployments (two queries), for DataLoaders.
    pub async fn models_by_ids(
        &self,
        ids: &[Uuid],
    ) -> Result<Vec<ModelWithDeployments>, DomainError> {
        let models = model::Entity::find()
            .filter(model::Column::Id.is_in(ids.to_vec()))
            .all(&self.db)
            .await?;
        let mut by_model: HashMap<Uuid, Vec<deployment::Model>> = HashMap::new();
        for row in deployment::Entity::find()
            .filter(deployment::Column::ModelId.is_in(ids.to_vec()))
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

    /// Every stored (sealed) model-server credential, by deployment.
    pub async fn sealed_credentials(&self) -> Result<Vec<(Uuid, String)>, DomainError> {
        let rows = deployment::Entity::find()
            .filter(deployment::Column::CredentialsEncrypted.is_not_null())
            .order_by_asc(deployment::Column::Id)
            .all(&self.db)
            .await?;
        Ok(rows
            .into_iter()
            .filter_map(|d| d.credentials_encrypted.map(|sealed| (d.id, sealed)))
            .collect())
    }

    /// Replaces deployments' sealed credentials (`(id, as read, re-sealed)`) at once, and
    /// tells every replica the catalog changed. Changes nothing when one of them changed since
    /// it was read (an administrator's edit is not overwritten with the old secret).
    pub async fn reseal(&self, resealed: Vec<(Uuid, String, String)>) -> Result<(), DomainError> {
        let txn = crate::txn::begin_write(&self.db).await?;
        for (id, read, sealed) in resealed {
            let updated = deployment::Entity::update_many()
                .col_expr(
                    deployment::Column::CredentialsEncrypted,
                    sea_orm::sea_query::Expr::value(sealed),
                )
                .filter(deployment::Column::Id.eq(id))
                .filter(deployment::Column::CredentialsEncrypted.eq(read))
                .exec(&txn)
                .await?;
            if updated.rows_affected != 1 {
                return Err(DomainError::Conflict(format!(
                    "the credential of deployment {id} changed while it was re-sealed; run again"
                )));
            }
        }
        bump_version(&txn).await?;
        txn.commit().await?;
        Ok(())
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
        let txn = crate::txn::begin_write(&self.db).await?;
        // Replicas starting (or reloading) together apply one after the other: the second
        // finds the first one's rows and changes nothing.
        crate::turns::wait_for_turn(&txn, crate::turns::CATALOG).await?;
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
        && row.second_price_nanos == wanted.second_price_nanos
        && row.restricted == wanted.restricted
        && access_groups(row) == wanted.access_groups
        && row.active
}

fn set_model_fields(active: &mut model::ActiveModel, wanted: &DeclaredModel) {
    active.description = Set(wanted.description.clone());
    active.provider = Set(wanted.provider.clone());
    active.capabilities = Set(json!(wanted.capabilities));
    active.context_length = Set(wanted.context_length);
    active.input_price_nanos = Set(wanted.input_price_nanos);
    active.output_price_nanos = Set(wanted.output_price_nanos);
    active.second_price_nanos = Set(wanted.second_price_nanos);
    active.restricted = Set(wanted.restricted);
    active.metadata = Set(with_access_groups(&active.metadata, &wanted.access_groups));
    active.active = Set(true);
}

/// A model's metadata with its access groups set, the rest of it kept.
fn with_access_groups(metadata: &sea_orm::ActiveValue<Value>, groups: &[String]) -> Value {
    let mut merged = match metadata {
        sea_orm::ActiveValue::Set(value) | sea_orm::ActiveValue::Unchanged(value) => value.clone(),
        sea_orm::ActiveValue::NotSet => json!({}),
    };
    match merged.as_object_mut() {
        Some(fields) => {
            fields.insert("access_groups".into(), json!(groups));
        }
        None => merged = json!({ "access_groups": groups }),
    }
    merged
}

/// The access groups a model is in (`metadata.access_groups`).
pub fn access_groups(model: &model::Model) -> Vec<String> {
    model
        .metadata
        .get("access_groups")
        .and_then(serde_json::Value::as_array)
        .map(|groups| {
            groups
                .iter()
                .filter_map(|g| g.as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
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

/// Where models registered through the LiteLLM-compatible admin API come from.
pub const SOURCE_ADMIN_API: &str = "admin-api";

/// A deployment registered through the admin API (`/model/new`), with its model's details
/// for when the model does not exist yet.
#[derive(Debug, Clone)]
pub struct Registration {
    pub model: DeclaredModel,
    pub deployment: DeclaredDeployment,
    pub rpm_limit: Option<i64>,
    pub tpm_limit: Option<i64>,
}

/// What `/model/new` did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Registered {
    /// A new deployment (and perhaps a new model).
    Created(Uuid),
    /// The same model on the same `api_base` was already there: nothing changed.
    Unchanged(Uuid),
}

impl CatalogService {
    /// Registers one deployment of a model, creating the model on first sight. Models declared
    /// in configuration are refused: configuration is their source of truth.
    #[tracing::instrument(skip_all, err, fields(model = %registration.model.name))]
    pub async fn register(&self, registration: Registration) -> Result<Registered, DomainError> {
        let Registration {
            model: wanted,
            deployment: wanted_deployment,
            rpm_limit,
            tpm_limit,
        } = registration;
        let txn = crate::txn::begin_write(&self.db).await?;
        let now = Utc::now();
        let existing = model::Entity::find()
            .filter(model::Column::Name.eq(wanted.name.clone()))
            .one(&txn)
            .await?;
        let model_id = match existing {
            Some(row) if row.source == SOURCE_CONFIG => {
                return Err(DomainError::Conflict(format!(
                    "model `{}` is declared in the server's configuration; change it there",
                    wanted.name
                )));
            }
            Some(row) => row.id,
            None => {
                let id = Uuid::new_v4();
                let mut active = model::ActiveModel {
                    id: Set(id),
                    name: Set(wanted.name.clone()),
                    source: Set(SOURCE_ADMIN_API.into()),
                    active: Set(true),
                    metadata: Set(json!({})),
                    created_at: Set(now),
                    updated_at: Set(now),
                    ..Default::default()
                };
                set_model_fields(&mut active, &wanted);
                active.insert(&txn).await?;
                id
            }
        };
        let same = deployment::Entity::find()
            .filter(deployment::Column::ModelId.eq(model_id))
            .filter(deployment::Column::ApiBase.eq(wanted_deployment.api_base.clone()))
            .one(&txn)
            .await?;
        if let Some(row) = same {
            txn.commit().await?;
            return Ok(Registered::Unchanged(row.id));
        }
        let id = Uuid::new_v4();
        let mut active = deployment::ActiveModel {
            id: Set(id),
            model_id: Set(model_id),
            api_base: Set(wanted_deployment.api_base.clone()),
            created_at: Set(now),
            updated_at: Set(now),
            ..Default::default()
        };
        set_deployment_fields(&mut active, &wanted_deployment);
        active.rpm_limit = Set(rpm_limit);
        active.tpm_limit = Set(tpm_limit);
        active.insert(&txn).await?;
        bump_version(&txn).await?;
        txn.commit().await?;
        Ok(Registered::Created(id))
    }

    /// The model with `id`, unless configuration declares it (then configuration is where it
    /// changes).
    async fn registered_model<C: ConnectionTrait>(
        db: &C,
        id: Uuid,
    ) -> Result<model::Model, DomainError> {
        let row = model::Entity::find_by_id(id)
            .one(db)
            .await?
            .ok_or_else(|| DomainError::NotFound(format!("no model with id {id}")))?;
        if row.source == SOURCE_CONFIG {
            return Err(DomainError::Conflict(format!(
                "model `{}` is declared in the server's configuration; change it there",
                row.name
            )));
        }
        Ok(row)
    }

    /// Changes a model's description, provider, capabilities, context length or prices.
    #[tracing::instrument(skip(self, changes), err)]
    pub async fn update_model(
        &self,
        id: Uuid,
        changes: ModelChanges,
    ) -> Result<model::Model, DomainError> {
        let txn = crate::txn::begin_write(&self.db).await?;
        let mut row = Self::registered_model(&txn, id).await?.into_active_model();
        if let Some(description) = changes.description {
            row.description = Set(description);
        }
        if let Some(provider) = changes.provider {
            row.provider = Set(provider);
        }
        if let Some(capabilities) = changes.capabilities {
            row.capabilities = Set(json!(capabilities));
        }
        if let Some(context_length) = changes.context_length {
            row.context_length = Set(context_length);
        }
        if let Some(price) = changes.input_price_nanos {
            row.input_price_nanos = Set(price);
        }
        if let Some(price) = changes.output_price_nanos {
            row.output_price_nanos = Set(price);
        }
        row.updated_at = Set(Utc::now());
        let row = row.update(&txn).await?;
        bump_version(&txn).await?;
        txn.commit().await?;
        Ok(row)
    }

    /// Deletes a model with all its deployments (and its subscriptions and key links, by
    /// cascade). Returns its name.
    #[tracing::instrument(skip(self), err)]
    pub async fn delete_model(&self, id: Uuid) -> Result<String, DomainError> {
        let txn = crate::txn::begin_write(&self.db).await?;
        let row = Self::registered_model(&txn, id).await?;
        model::Entity::delete_by_id(id).exec(&txn).await?;
        bump_version(&txn).await?;
        crate::counters::bump(&txn, crate::keys::KEYS_VERSION_KEY).await?;
        txn.commit().await?;
        Ok(row.name)
    }

    /// Deletes a deployment; its model goes too when no deployment is left. Returns the
    /// model's name.
    #[tracing::instrument(skip(self), err)]
    pub async fn delete_deployment(&self, id: Uuid) -> Result<String, DomainError> {
        let txn = crate::txn::begin_write(&self.db).await?;
        let (_, model) = registered_deployment(&txn, id).await?;
        deployment::Entity::delete_by_id(id).exec(&txn).await?;
        let left = deployment::Entity::find()
            .filter(deployment::Column::ModelId.eq(model.id))
            .one(&txn)
            .await?;
        if left.is_none() {
            model::Entity::delete_by_id(model.id).exec(&txn).await?;
        }
        bump_version(&txn).await?;
        txn.commit().await?;
        Ok(model.name)
    }
}

/// A deployment and its model, when they were registered through the API (models declared in
/// configuration are changed there).
async fn registered_deployment<C: ConnectionTrait>(
    db: &C,
    id: Uuid,
) -> Result<(deployment::Model, model::Model), DomainError> {
    let missing = || DomainError::NotFound(format!("no model deployment with id {id}"));
    let row = deployment::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or_else(missing)?;
    let model = model::Entity::find_by_id(row.model_id)
        .one(db)
        .await?
        .ok_or_else(missing)?;
    if model.source == SOURCE_CONFIG {
        return Err(DomainError::Conflict(format!(
            "model `{}` is declared in the server's configuration; change it there",
            model.name
        )));
    }
    Ok((row, model))
}

/// Changes to a model (not one declared in configuration): `None` leaves a field alone.
#[derive(Debug, Clone, Default)]
pub struct ModelChanges {
    pub description: Option<Option<String>>,
    pub provider: Option<String>,
    pub capabilities: Option<Vec<String>>,
    pub context_length: Option<Option<i64>>,
    pub input_price_nanos: Option<i64>,
    pub output_price_nanos: Option<i64>,
}

/// Changes to a registered deployment and its model (`/model/{id}/update`); `None` leaves a
/// field alone.
#[derive(Debug, Clone, Default)]
pub struct DeploymentChanges {
    pub api_base: Option<String>,
    pub backend_model: Option<String>,
    pub credentials_encrypted: Option<String>,
    pub weight: Option<i32>,
    pub timeout_ms: Option<i64>,
    /// `Some(None)` goes back to the gateway's default.
    pub first_byte_timeout_ms: Option<Option<i64>>,
    /// `Some(None)` removes the cap.
    pub max_parallel_requests: Option<Option<i64>>,
    pub rpm_limit: Option<Option<i64>>,
    pub tpm_limit: Option<Option<i64>>,
    pub input_price_nanos: Option<i64>,
    pub output_price_nanos: Option<i64>,
    pub second_price_nanos: Option<i64>,
    pub context_length: Option<Option<i64>>,
    /// The model's access groups, replaced.
    pub access_groups: Option<Vec<String>>,
}

impl CatalogService {
    /// Updates a deployment registered through the admin API, and its model's prices.
    #[tracing::instrument(skip(self, changes), err)]
    pub async fn update_deployment(
        &self,
        id: Uuid,
        changes: DeploymentChanges,
    ) -> Result<(), DomainError> {
        let txn = crate::txn::begin_write(&self.db).await?;
        let (row, model) = registered_deployment(&txn, id).await?;
        let now = Utc::now();
        let mut deployment = row.into_active_model();
        if let Some(base) = changes.api_base {
            deployment.api_base = Set(base);
        }
        if let Some(backend) = changes.backend_model {
            deployment.backend_model = Set(backend);
        }
        if let Some(sealed) = changes.credentials_encrypted {
            deployment.credentials_encrypted = Set(Some(sealed));
        }
        if let Some(weight) = changes.weight {
            deployment.weight = Set(weight);
        }
        if let Some(timeout) = changes.timeout_ms {
            deployment.timeout_ms = Set(timeout);
        }
        if let Some(first_byte) = changes.first_byte_timeout_ms {
            deployment.first_byte_timeout_ms = Set(first_byte);
        }
        if let Some(parallel) = changes.max_parallel_requests {
            deployment.max_parallel_requests = Set(parallel);
        }
        if let Some(rpm) = changes.rpm_limit {
            deployment.rpm_limit = Set(rpm);
        }
        if let Some(tpm) = changes.tpm_limit {
            deployment.tpm_limit = Set(tpm);
        }
        deployment.updated_at = Set(now);
        deployment.update(&txn).await?;
        let mut model = model.into_active_model();
        if let Some(price) = changes.input_price_nanos {
            model.input_price_nanos = Set(price);
        }
        if let Some(price) = changes.output_price_nanos {
            model.output_price_nanos = Set(price);
        }
        if let Some(price) = changes.second_price_nanos {
            model.second_price_nanos = Set(price);
        }
        if let Some(length) = changes.context_length {
            model.context_length = Set(length);
        }
        if let Some(groups) = changes.access_groups {
            model.metadata = Set(with_access_groups(&model.metadata, &groups));
        }
        model.updated_at = Set(now);
        model.update(&txn).await?;
        bump_version(&txn).await?;
        txn.commit().await?;
        Ok(())
    }
}
