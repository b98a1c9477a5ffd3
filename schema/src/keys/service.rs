//! Key storage rules. The plaintext exists only in the value returned by `generate` and
//! `regenerate`; everything else sees the hash.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Utc};
use entity::{api_key, api_key_model, model, subscription, user};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait,
    IntoActiveModel, QueryFilter, QueryOrder, Set, TransactionTrait,
};
use serde_json::{Value, json};
use uuid::Uuid;

use crate::DomainError;
use crate::duration;

/// Keys made through the LiteLLM-compatible admin API: an empty model list means every model.
pub const ORIGIN_ADMIN_API: &str = "admin-api";
/// Keys made by users in the portal: they reach listed models with an active subscription.
pub const ORIGIN_PORTAL: &str = "portal";
/// The one key per user the portal's playground calls `/v1` with: made on first use, never
/// shown, listed to nobody but administrators, reaching every model its owner is subscribed to.
pub const ORIGIN_PLAYGROUND: &str = "playground";
/// The settings key counting key changes.
pub const KEYS_VERSION_KEY: &str = "keys.version";

/// Characters after `sk-`: 43 alphanumerics carry about 256 bits.
const SECRET_LEN: usize = 43;

/// Lower-case hex SHA-256 of a key: its identity in storage.
pub fn hash_key(key: &str) -> String {
    crate::secret::sha256_hex(key)
}

/// The display form of a key: `sk-...` and its last four characters.
pub fn display_name(key: &str) -> String {
    let tail: String = key
        .chars()
        .rev()
        .take(4)
        .collect::<Vec<_>>()
        .into_iter()
        .rev()
        .collect();
    format!("sk-...{tail}")
}

fn new_secret() -> String {
    format!("sk-{}", crate::secret::generate(SECRET_LEN))
}

/// What a new key should be.
#[derive(Debug, Clone, Default)]
pub struct NewKey {
    pub models: Vec<String>,
    pub duration: Option<String>,
    /// An exact expiry, used when `duration` is not given.
    pub expires_at: Option<DateTime<Utc>>,
    pub user_id: Option<String>,
    pub alias: Option<String>,
    pub metadata: Option<Value>,
    pub max_budget_nanos: Option<i64>,
    pub soft_budget_nanos: Option<i64>,
    pub budget_duration: Option<String>,
    pub tpm_limit: Option<i64>,
    pub rpm_limit: Option<i64>,
    pub max_parallel_requests: Option<i64>,
    pub model_rpm_limit: Option<Value>,
    pub model_tpm_limit: Option<Value>,
    pub blocked: bool,
    pub team_id: Option<String>,
    pub tags: Vec<String>,
    /// [`ORIGIN_ADMIN_API`] or [`ORIGIN_PORTAL`].
    pub origin: &'static str,
}

/// Changes to a key: `None` leaves a field alone, `Some(None)` clears it.
#[derive(Debug, Clone, Default)]
pub struct KeyChanges {
    pub models: Option<Vec<String>>,
    pub duration: Option<Option<String>>,
    /// An exact expiry (`Some(None)`: never), applied after `duration`.
    pub expires_at: Option<Option<DateTime<Utc>>>,
    pub user_id: Option<String>,
    pub alias: Option<Option<String>>,
    pub metadata: Option<Value>,
    pub max_budget_nanos: Option<Option<i64>>,
    pub soft_budget_nanos: Option<Option<i64>>,
    pub budget_duration: Option<Option<String>>,
    pub tpm_limit: Option<Option<i64>>,
    pub rpm_limit: Option<Option<i64>>,
    pub max_parallel_requests: Option<Option<i64>>,
    pub model_rpm_limit: Option<Option<Value>>,
    pub model_tpm_limit: Option<Option<Value>>,
    pub blocked: Option<bool>,
}

/// A stored key with its models and owner.
#[derive(Debug, Clone)]
pub struct KeyRecord {
    pub key: api_key::Model,
    pub models: Vec<String>,
    pub user_id: Option<String>,
}

/// A key just made: the plaintext, shown once, and its record.
#[derive(Debug, Clone)]
pub struct Issued {
    pub plaintext: String,
    pub record: KeyRecord,
}

/// Which keys to list.
#[derive(Debug, Clone, Default)]
pub struct KeyFilter {
    pub user_id: Option<String>,
    pub alias: Option<String>,
}

/// What the gateway needs to decide whether a key may make a request.
#[derive(Debug, Clone)]
pub struct AuthKey {
    pub id: Uuid,
    pub token_hash: String,
    pub alias: Option<String>,
    pub user_id: Option<String>,
    /// The owner's row id, for accounting.
    pub owner: Option<Uuid>,
    pub blocked: bool,
    pub expires_at: Option<DateTime<Utc>>,
    /// Every model (an admin-API key made with an empty list).
    pub all_models: bool,
    /// The models it lists.
    pub models: HashSet<String>,
    /// The key's own limits.
    pub limits: Limits,
    /// Requests per minute per model (`model_rpm_limit`).
    pub model_rpm: HashMap<String, i64>,
    /// Tokens per minute per model (`model_tpm_limit`).
    pub model_tpm: HashMap<String, i64>,
    /// The owner's limits (none when the key has no owner).
    pub owner_limits: Limits,
}

impl AuthKey {
    /// A valid key with hash `token_hash`, reaching every model, with no owner and no limits.
    pub fn unlimited(token_hash: String) -> Self {
        Self {
            id: Uuid::new_v4(),
            token_hash,
            alias: None,
            user_id: None,
            owner: None,
            blocked: false,
            expires_at: None,
            all_models: true,
            models: HashSet::new(),
            limits: Limits::default(),
            model_rpm: HashMap::new(),
            model_tpm: HashMap::new(),
            owner_limits: Limits::default(),
        }
    }
}

/// The limits of a key or a user, as the quota engine needs them; `None` is no limit.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Limits {
    pub rpm: Option<i64>,
    pub tpm: Option<i64>,
    pub parallel: Option<i64>,
    pub budget: Option<Budget>,
}

/// A spending limit and what the database knows of its current window.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Budget {
    pub max_nanos: i64,
    pub soft_nanos: Option<i64>,
    /// How long a window lasts; `None` is one window forever.
    pub span: Option<duration::Span>,
    /// The end of the window `spent_nanos` belongs to.
    pub reset_at: Option<DateTime<Utc>>,
    /// Spend recorded in the database for that window.
    pub spent_nanos: i64,
}

impl Limits {
    /// Limits from the stored columns of a key or user.
    #[allow(clippy::too_many_arguments)]
    pub fn from_columns(
        rpm: Option<i64>,
        tpm: Option<i64>,
        parallel: Option<i64>,
        max_budget: Option<i64>,
        soft_budget: Option<i64>,
        budget_duration: Option<&str>,
        reset_at: Option<DateTime<Utc>>,
        spent: i64,
    ) -> Self {
        Self {
            rpm,
            tpm,
            parallel,
            budget: max_budget.map(|max_nanos| Budget {
                max_nanos,
                soft_nanos: soft_budget,
                span: budget_duration.and_then(|d| duration::parse(d).ok()),
                reset_at,
                spent_nanos: spent,
            }),
        }
    }

    /// True when nothing is limited.
    pub fn is_empty(&self) -> bool {
        self.rpm.is_none() && self.tpm.is_none() && self.parallel.is_none() && self.budget.is_none()
    }
}

/// A `{"model": n}` map of per-model limits; entries that are not whole numbers are skipped.
fn per_model(value: Option<&Value>) -> HashMap<String, i64> {
    let Some(Value::Object(map)) = value else {
        return HashMap::new();
    };
    map.iter()
        .filter_map(|(model, n)| {
            let n = n
                .as_i64()
                .or_else(|| n.as_str().and_then(|s| s.trim().parse().ok()))?;
            Some((model.clone(), n))
        })
        .collect()
}

/// Key rules over `api_keys`, `api_key_models` and `users`.
#[derive(Clone)]
pub struct KeyService {
    db: DatabaseConnection,
}

async fn bump_keys_version<C: ConnectionTrait>(db: &C) -> Result<(), DomainError> {
    crate::counters::bump(db, KEYS_VERSION_KEY).await
}

fn expiry(text: Option<&str>) -> Result<Option<DateTime<Utc>>, DomainError> {
    match text {
        None => Ok(None),
        Some(text) => {
            let span = duration::parse(text).map_err(DomainError::BadInput)?;
            span.end_after(Utc::now())
                .map(Some)
                .ok_or_else(|| DomainError::BadInput(format!("duration `{text}` is too long")))
        }
    }
}

fn check_budget_duration(text: Option<&str>) -> Result<(), DomainError> {
    text.map_or(Ok(()), |t| {
        duration::parse(t)
            .map(|_| ())
            .map_err(DomainError::BadInput)
    })
}

impl KeyService {
    /// A service over `db`.
    pub fn new(db: DatabaseConnection) -> Self {
        Self { db }
    }

    /// The current key version (moves on every key change).
    pub async fn version(&self) -> Result<i64, DomainError> {
        crate::counters::read(&self.db, KEYS_VERSION_KEY).await
    }

    async fn model_ids<C: ConnectionTrait>(
        db: &C,
        names: &[String],
    ) -> Result<Vec<Uuid>, DomainError> {
        if names.is_empty() {
            return Ok(Vec::new());
        }
        let found: HashMap<String, Uuid> = model::Entity::find()
            .filter(model::Column::Name.is_in(names.iter().cloned()))
            .all(db)
            .await?
            .into_iter()
            .map(|m| (m.name, m.id))
            .collect();
        names
            .iter()
            .map(|name| {
                found.get(name).copied().ok_or_else(|| {
                    DomainError::BadInput(format!(
                        "invalid model name `{name}`: the model does not exist (GET /v1/models lists them)"
                    ))
                })
            })
            .collect()
    }

    async fn owner<C: ConnectionTrait>(db: &C, external_id: &str) -> Result<Uuid, DomainError> {
        if let Some(row) = user::Entity::find()
            .filter(user::Column::ExternalId.eq(external_id))
            .one(db)
            .await?
        {
            return Ok(row.id);
        }
        let now = Utc::now();
        let id = Uuid::new_v4();
        let email = external_id.contains('@').then(|| external_id.to_owned());
        let mut row = user::ActiveModel {
            id: Set(id),
            external_id: Set(external_id.to_owned()),
            email: Set(email),
            roles: Set(json!(["user"])),
            active: Set(true),
            spend_nanos: Set(0),
            metadata: Set(json!({})),
            created_at: Set(now),
            updated_at: Set(now),
            ..Default::default()
        };
        crate::settings::new_user_defaults(db, &mut row).await?;
        row.insert(db).await?;
        Ok(id)
    }

    async fn alias_free<C: ConnectionTrait>(
        db: &C,
        alias: &str,
        except: Option<Uuid>,
    ) -> Result<(), DomainError> {
        let taken = api_key::Entity::find()
            .filter(api_key::Column::Alias.eq(alias))
            .one(db)
            .await?;
        match taken {
            Some(row) if Some(row.id) != except => Err(DomainError::Conflict(format!(
                "Key with alias '{alias}' already exists. Choose another alias or delete that key first."
            ))),
            _ => Ok(()),
        }
    }

    async fn set_models<C: ConnectionTrait>(
        db: &C,
        key_id: Uuid,
        ids: &[Uuid],
    ) -> Result<(), DomainError> {
        api_key_model::Entity::delete_many()
            .filter(api_key_model::Column::ApiKeyId.eq(key_id))
            .exec(db)
            .await?;
        if !ids.is_empty() {
            let rows = ids.iter().map(|id| api_key_model::ActiveModel {
                api_key_id: Set(key_id),
                model_id: Set(*id),
            });
            api_key_model::Entity::insert_many(rows).exec(db).await?;
        }
        Ok(())
    }

    /// Makes a key. The plaintext is in the result and nowhere else.
    #[tracing::instrument(skip_all, err, fields(origin = new.origin))]
    pub async fn generate(&self, new: NewKey) -> Result<Issued, DomainError> {
        check_budget_duration(new.budget_duration.as_deref())?;
        let expires_at = match new.duration.as_deref() {
            Some(text) => expiry(Some(text))?,
            None => new.expires_at,
        };
        let txn = self.db.begin().await?;
        if let Some(alias) = &new.alias {
            Self::alias_free(&txn, alias, None).await?;
        }
        let model_ids = Self::model_ids(&txn, &new.models).await?;
        let owner = match &new.user_id {
            Some(external) => Some(Self::owner(&txn, external).await?),
            None => None,
        };
        let plaintext = new_secret();
        let now = Utc::now();
        let id = Uuid::new_v4();
        let budget_reset_at = match new.budget_duration.as_deref() {
            Some(text) => duration::parse(text).ok().and_then(|s| s.end_after(now)),
            None => None,
        };
        api_key::ActiveModel {
            id: Set(id),
            token_hash: Set(hash_key(&plaintext)),
            key_name: Set(display_name(&plaintext)),
            alias: Set(new.alias.clone()),
            user_id: Set(owner),
            origin: Set(new.origin.to_owned()),
            all_models: Set(new.models.is_empty() && new.origin == ORIGIN_ADMIN_API),
            blocked: Set(new.blocked),
            expires_at: Set(expires_at),
            max_budget_nanos: Set(new.max_budget_nanos),
            soft_budget_nanos: Set(new.soft_budget_nanos),
            budget_duration: Set(new.budget_duration.clone()),
            budget_reset_at: Set(budget_reset_at),
            spend_nanos: Set(0),
            tpm_limit: Set(new.tpm_limit),
            rpm_limit: Set(new.rpm_limit),
            max_parallel_requests: Set(new.max_parallel_requests),
            model_rpm_limit: Set(new.model_rpm_limit.clone()),
            model_tpm_limit: Set(new.model_tpm_limit.clone()),
            team_id: Set(new.team_id.clone()),
            tags: Set(json!(new.tags)),
            metadata: Set(new.metadata.clone().unwrap_or_else(|| json!({}))),
            last_used_at: Set(None),
            created_at: Set(now),
            updated_at: Set(now),
        }
        .insert(&txn)
        .await?;
        Self::set_models(&txn, id, &model_ids).await?;
        bump_keys_version(&txn).await?;
        txn.commit().await?;
        let record = self.record_by_hash(&hash_key(&plaintext)).await?;
        Ok(Issued { plaintext, record })
    }

    async fn records(&self, keys: Vec<api_key::Model>) -> Result<Vec<KeyRecord>, DomainError> {
        let ids: Vec<Uuid> = keys.iter().map(|k| k.id).collect();
        let links = api_key_model::Entity::find()
            .filter(api_key_model::Column::ApiKeyId.is_in(ids))
            .all(&self.db)
            .await?;
        let model_names: HashMap<Uuid, String> = model::Entity::find()
            .all(&self.db)
            .await?
            .into_iter()
            .map(|m| (m.id, m.name))
            .collect();
        let owners: HashMap<Uuid, String> = user::Entity::find()
            .filter(user::Column::Id.is_in(keys.iter().filter_map(|k| k.user_id)))
            .all(&self.db)
            .await?
            .into_iter()
            .map(|u| (u.id, u.external_id))
            .collect();
        let mut by_key: HashMap<Uuid, Vec<String>> = HashMap::new();
        for link in links {
            if let Some(name) = model_names.get(&link.model_id) {
                by_key
                    .entry(link.api_key_id)
                    .or_default()
                    .push(name.clone());
            }
        }
        Ok(keys
            .into_iter()
            .map(|key| {
                let mut models = by_key.remove(&key.id).unwrap_or_default();
                models.sort();
                KeyRecord {
                    user_id: key.user_id.and_then(|id| owners.get(&id).cloned()),
                    models,
                    key,
                }
            })
            .collect())
    }

    /// The key whose hash is `hash`.
    pub async fn record_by_hash(&self, hash: &str) -> Result<KeyRecord, DomainError> {
        let key = api_key::Entity::find()
            .filter(api_key::Column::TokenHash.eq(hash))
            .one(&self.db)
            .await?
            .ok_or_else(|| DomainError::NotFound("no such key".into()))?;
        let mut records = self.records(vec![key]).await?;
        records
            .pop()
            .ok_or_else(|| DomainError::NotFound("no such key".into()))
    }

    /// Keys matching `filter`, oldest first.
    pub async fn list(&self, filter: &KeyFilter) -> Result<Vec<KeyRecord>, DomainError> {
        let mut query = api_key::Entity::find().order_by_asc(api_key::Column::CreatedAt);
        if let Some(alias) = &filter.alias {
            query = query.filter(api_key::Column::Alias.eq(alias.clone()));
        }
        if let Some(external) = &filter.user_id {
            let owner = user::Entity::find()
                .filter(user::Column::ExternalId.eq(external.clone()))
                .one(&self.db)
                .await?;
            match owner {
                Some(owner) => query = query.filter(api_key::Column::UserId.eq(owner.id)),
                None => return Ok(Vec::new()),
            }
        }
        let keys = query.all(&self.db).await?;
        self.records(keys).await
    }

    /// The keys owned by `owner` (every key with `None`), newest first, with their models
    /// and owners (four queries, however many keys).
    pub async fn list_owned(&self, owner: Option<Uuid>) -> Result<Vec<KeyRecord>, DomainError> {
        let mut query = api_key::Entity::find().order_by_desc(api_key::Column::CreatedAt);
        if let Some(owner) = owner {
            query = query.filter(api_key::Column::UserId.eq(owner));
        }
        let keys = query.all(&self.db).await?;
        self.records(keys).await
    }

    /// Applies `changes` to the key whose hash is `hash`.
    #[tracing::instrument(skip_all, err)]
    pub async fn update(&self, hash: &str, changes: KeyChanges) -> Result<KeyRecord, DomainError> {
        let txn = self.db.begin().await?;
        let row = api_key::Entity::find()
            .filter(api_key::Column::TokenHash.eq(hash))
            .one(&txn)
            .await?
            .ok_or_else(|| DomainError::NotFound("no such key".into()))?;
        let key_id = row.id;
        let origin = row.origin.clone();
        let mut active = row.into_active_model();
        if let Some(alias) = changes.alias {
            if let Some(alias) = &alias {
                Self::alias_free(&txn, alias, Some(key_id)).await?;
            }
            active.alias = Set(alias);
        }
        if let Some(models) = &changes.models {
            let ids = Self::model_ids(&txn, models).await?;
            Self::set_models(&txn, key_id, &ids).await?;
            active.all_models = Set(models.is_empty() && origin == ORIGIN_ADMIN_API);
        }
        if let Some(duration) = changes.duration {
            active.expires_at = Set(expiry(duration.as_deref())?);
        }
        if let Some(at) = changes.expires_at {
            active.expires_at = Set(at);
        }
        if let Some(external) = &changes.user_id {
            active.user_id = Set(Some(Self::owner(&txn, external).await?));
        }
        if let Some(metadata) = changes.metadata {
            active.metadata = Set(metadata);
        }
        if let Some(budget_duration) = changes.budget_duration {
            check_budget_duration(budget_duration.as_deref())?;
            let reset = budget_duration
                .as_deref()
                .and_then(|t| duration::parse(t).ok())
                .and_then(|s| s.end_after(Utc::now()));
            active.budget_duration = Set(budget_duration);
            active.budget_reset_at = Set(reset);
        }
        macro_rules! apply {
            ($($field:ident),*) => {$(
                if let Some(value) = changes.$field {
                    active.$field = Set(value);
                }
            )*};
        }
        apply!(
            max_budget_nanos,
            soft_budget_nanos,
            tpm_limit,
            rpm_limit,
            max_parallel_requests,
            model_rpm_limit,
            model_tpm_limit
        );
        if let Some(blocked) = changes.blocked {
            active.blocked = Set(blocked);
        }
        active.updated_at = Set(Utc::now());
        active.update(&txn).await?;
        bump_keys_version(&txn).await?;
        txn.commit().await?;
        self.record_by_hash(hash).await
    }

    /// Deletes the keys with these hashes or aliases; returns the hashes deleted.
    #[tracing::instrument(skip_all, err)]
    pub async fn delete(
        &self,
        hashes: &[String],
        aliases: &[String],
    ) -> Result<Vec<String>, DomainError> {
        let txn = self.db.begin().await?;
        let rows = api_key::Entity::find()
            .filter(
                sea_orm::Condition::any()
                    .add(api_key::Column::TokenHash.is_in(hashes.iter().cloned()))
                    .add(api_key::Column::Alias.is_in(aliases.iter().cloned())),
            )
            .all(&txn)
            .await?;
        let ids: Vec<Uuid> = rows.iter().map(|r| r.id).collect();
        if !ids.is_empty() {
            api_key::Entity::delete_many()
                .filter(api_key::Column::Id.is_in(ids))
                .exec(&txn)
                .await?;
            bump_keys_version(&txn).await?;
        }
        txn.commit().await?;
        Ok(rows.into_iter().map(|r| r.token_hash).collect())
    }

    /// Replaces the key's secret, keeping its settings; the new plaintext is returned once.
    #[tracing::instrument(skip_all, err)]
    pub async fn regenerate(&self, hash: &str) -> Result<Issued, DomainError> {
        let row = api_key::Entity::find()
            .filter(api_key::Column::TokenHash.eq(hash))
            .one(&self.db)
            .await?
            .ok_or_else(|| DomainError::NotFound("no such key".into()))?;
        let plaintext = new_secret();
        let txn = self.db.begin().await?;
        let mut active = row.into_active_model();
        active.token_hash = Set(hash_key(&plaintext));
        active.key_name = Set(display_name(&plaintext));
        active.updated_at = Set(Utc::now());
        active.update(&txn).await?;
        bump_keys_version(&txn).await?;
        txn.commit().await?;
        let record = self.record_by_hash(&hash_key(&plaintext)).await?;
        Ok(Issued { plaintext, record })
    }

    /// The hash of `owner`'s playground key, made on first use (its secret is thrown away:
    /// the playground is reached through the session, never with the key itself).
    #[tracing::instrument(skip(self), err)]
    pub async fn playground_key_hash(&self, owner: Uuid) -> Result<String, DomainError> {
        let existing = api_key::Entity::find()
            .filter(api_key::Column::UserId.eq(owner))
            .filter(api_key::Column::Origin.eq(ORIGIN_PLAYGROUND))
            .order_by_asc(api_key::Column::CreatedAt)
            .one(&self.db)
            .await?;
        if let Some(key) = existing {
            return Ok(key.token_hash);
        }
        let user = user::Entity::find_by_id(owner)
            .one(&self.db)
            .await?
            .ok_or_else(|| DomainError::NotFound("no such user".into()))?;
        let made = self
            .generate(NewKey {
                user_id: Some(user.external_id),
                metadata: Some(json!({ "name": "Playground" })),
                origin: ORIGIN_PLAYGROUND,
                ..NewKey::default()
            })
            .await;
        match made {
            Ok(issued) => Ok(hash_key(&issued.plaintext)),
            // Another request made it first (one per user: a unique index): use that one.
            Err(error) => api_key::Entity::find()
                .filter(api_key::Column::UserId.eq(owner))
                .filter(api_key::Column::Origin.eq(ORIGIN_PLAYGROUND))
                .one(&self.db)
                .await?
                .map(|key| key.token_hash)
                .ok_or(error),
        }
    }

    /// What the gateway needs about the key with this hash, if it exists.
    pub async fn for_auth(&self, hash: &str) -> Result<Option<AuthKey>, DomainError> {
        let Some(record) = self
            .record_by_hash(hash)
            .await
            .map(Some)
            .or_else(|e| match e {
                DomainError::NotFound(_) => Ok(None),
                other => Err(other),
            })?
        else {
            return Ok(None);
        };
        let owner = match record.key.user_id {
            Some(id) => user::Entity::find_by_id(id).one(&self.db).await?,
            None => None,
        };
        let owner_inactive = owner.as_ref().is_some_and(|u| !u.active);
        let owner_limits = owner.map_or_else(Limits::default, |u| {
            Limits::from_columns(
                u.rpm_limit,
                u.tpm_limit,
                u.max_parallel_requests,
                u.max_budget_nanos,
                u.soft_budget_nanos,
                u.budget_duration.as_deref(),
                u.budget_reset_at,
                u.spend_nanos,
            )
        });
        let key = record.key;
        let mut models: HashSet<String> = record.models.into_iter().collect();
        if key.origin == ORIGIN_PORTAL || key.origin == ORIGIN_PLAYGROUND {
            // A portal key reaches only what its owner is (still) subscribed to.
            let subscribed: HashSet<Uuid> = match key.user_id {
                Some(owner) => subscription::Entity::find()
                    .filter(subscription::Column::UserId.eq(owner))
                    .filter(subscription::Column::Status.eq("active"))
                    .all(&self.db)
                    .await?
                    .into_iter()
                    .map(|s| s.model_id)
                    .collect(),
                None => HashSet::new(),
            };
            let names: HashSet<String> = model::Entity::find()
                .filter(model::Column::Id.is_in(subscribed))
                .all(&self.db)
                .await?
                .into_iter()
                .map(|m| m.name)
                .collect();
            if key.origin == ORIGIN_PLAYGROUND {
                models = names;
            } else {
                models.retain(|name| names.contains(name));
            }
        }
        Ok(Some(AuthKey {
            limits: Limits::from_columns(
                key.rpm_limit,
                key.tpm_limit,
                key.max_parallel_requests,
                key.max_budget_nanos,
                key.soft_budget_nanos,
                key.budget_duration.as_deref(),
                key.budget_reset_at,
                key.spend_nanos,
            ),
            model_rpm: per_model(key.model_rpm_limit.as_ref()),
            model_tpm: per_model(key.model_tpm_limit.as_ref()),
            owner_limits,
            id: key.id,
            token_hash: key.token_hash,
            alias: key.alias,
            user_id: record.user_id,
            owner: key.user_id,
            // A deactivated owner's keys stop with them.
            blocked: key.blocked || owner_inactive,
            expires_at: key.expires_at,
            all_models: key.all_models,
            models,
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_are_long_random_and_hashed_for_storage() {
        let a = new_secret();
        let b = new_secret();
        assert!(a.starts_with("sk-") && a.len() == 3 + SECRET_LEN);
        assert_ne!(a, b);
        assert_eq!(hash_key("sk-abc").len(), 64);
        assert_eq!(
            hash_key("abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        assert_eq!(display_name("sk-0123456789wxyz"), "sk-...wxyz");
    }
}
