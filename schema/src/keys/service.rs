//! Key storage rules. The plaintext exists only in the value returned by `generate` and
//! `regenerate`; everything else sees the hash.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Utc};
use entity::{api_key, api_key_model, model, subscription, user};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait,
    IntoActiveModel, PaginatorTrait, QueryFilter, QueryOrder, Set,
};
use serde_json::{Value, json};
use uuid::Uuid;

use super::access::ModelAccess;
use crate::DomainError;
use crate::limits::{LimitChanges, LimitValues, Limits};

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

/// What a new key should be, in ids: who owns it, which models it lists.
#[derive(Debug, Clone, Default)]
pub struct NewKey {
    /// [`ORIGIN_ADMIN_API`], [`ORIGIN_PORTAL`] or [`ORIGIN_PLAYGROUND`].
    pub origin: &'static str,
    pub owner: Option<Uuid>,
    pub model_ids: Vec<Uuid>,
    /// An admin-API key's `models` as given, stored instead of `model_ids`.
    pub model_names: Option<Vec<String>>,
    /// Reaches every model (an admin-API key made with an empty list, or `"*"`).
    pub all_models: bool,
    pub alias: Option<String>,
    pub metadata: Value,
    pub expires_at: Option<DateTime<Utc>>,
    pub limits: LimitValues,
    pub model_rpm_limit: Option<Value>,
    pub model_tpm_limit: Option<Value>,
    pub blocked: bool,
    pub team_id: Option<String>,
    pub tags: Vec<String>,
    /// Spend it starts with, and when that spend's budget window resets (a rotated key
    /// carries its predecessor's, so a rotation does not refill a budget).
    pub carried_spend: Option<(i64, Option<DateTime<Utc>>)>,
}

/// Changes to a key, in ids: `None` leaves a field alone, `Some(None)` clears it.
#[derive(Debug, Clone, Default)]
pub struct KeyChanges {
    pub model_ids: Option<Vec<Uuid>>,
    /// The models as given (an admin-API key's), replacing the links to `model_ids`.
    pub model_names: Option<Vec<String>>,
    /// With `model_ids` or `model_names`: whether the list means every model; `None` is no.
    pub all_models: Option<bool>,
    pub owner: Option<Uuid>,
    pub alias: Option<Option<String>>,
    pub metadata: Option<Value>,
    pub expires_at: Option<Option<DateTime<Utc>>>,
    pub limits: LimitChanges,
    pub model_rpm_limit: Option<Option<Value>>,
    pub model_tpm_limit: Option<Option<Value>>,
    /// `Some(Some(by))` blocks the key, `Some(None)` unblocks it.
    pub blocked: Option<Option<Blocker>>,
}

/// Who blocked a key: its owner may undo their own revocation, never an administrator's block.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Blocker {
    Owner,
    Administrator,
}

impl Blocker {
    /// As stored in `api_keys.blocked_by`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Owner => "owner",
            Self::Administrator => "administrator",
        }
    }

    /// Who blocked `key`, if it is blocked (a blocked key with no one recorded counts as an
    /// administrator's).
    pub fn of(key: &api_key::Model) -> Option<Self> {
        match (key.blocked, key.blocked_by.as_deref()) {
            (false, _) => None,
            (true, Some("owner")) => Some(Self::Owner),
            (true, _) => Some(Self::Administrator),
        }
    }
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
    /// The models it may call.
    pub models: ModelAccess,
    /// The key's own limits.
    pub limits: Limits,
    /// Requests per minute per model (`model_rpm_limit`).
    pub model_rpm: HashMap<String, i64>,
    /// Tokens per minute per model (`model_tpm_limit`).
    pub model_tpm: HashMap<String, i64>,
    /// The owner's limits (none when the key has no owner).
    pub owner_limits: Limits,
    /// Guardrails its metadata names (`"guardrails": [...]`, as LiteLLM has it), which run
    /// for it besides those on by default.
    pub guardrails: Vec<String>,
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
            models: ModelAccess::every(),
            limits: Limits::default(),
            model_rpm: HashMap::new(),
            model_tpm: HashMap::new(),
            owner_limits: Limits::default(),
            guardrails: Vec::new(),
        }
    }
}

/// A key's models as given, when it stores them that way (a JSON list of strings).
pub(crate) fn given_names(key: &api_key::Model) -> Option<Vec<String>> {
    let list = key.model_names.as_ref()?.as_array()?;
    Some(
        list.iter()
            .filter_map(|v| v.as_str().map(str::to_owned))
            .collect(),
    )
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

impl KeyService {
    /// A service over `db`.
    pub fn new(db: DatabaseConnection) -> Self {
        Self { db }
    }

    /// The current key version (moves on every key change).
    pub async fn version(&self) -> Result<i64, DomainError> {
        crate::counters::read(&self.db, KEYS_VERSION_KEY).await
    }

    /// Refuses `alias` when another key (not `except`) has it.
    pub(crate) async fn alias_free<C: ConnectionTrait>(
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

    /// Stores a new key inside `db` (a transaction the caller commits); returns the
    /// plaintext, which exists nowhere else, and the key's id.
    pub async fn insert<C: ConnectionTrait>(
        db: &C,
        new: NewKey,
    ) -> Result<(String, Uuid), DomainError> {
        let plaintext = new_secret();
        let id =
            Self::insert_hashed(db, new, hash_key(&plaintext), display_name(&plaintext)).await?;
        Ok((plaintext, id))
    }

    /// Stores a key whose plaintext is elsewhere (a key brought from LiteLLM, which keeps the
    /// same SHA-256 hex of it): `token_hash` and the `key_name` shown for it.
    pub async fn insert_hashed<C: ConnectionTrait>(
        db: &C,
        new: NewKey,
        token_hash: String,
        key_name: String,
    ) -> Result<Uuid, DomainError> {
        new.limits.check()?;
        if let Some(alias) = &new.alias {
            Self::alias_free(db, alias, None).await?;
        }
        let now = Utc::now();
        let id = Uuid::new_v4();
        let mut row = api_key::ActiveModel {
            id: Set(id),
            token_hash: Set(token_hash),
            key_name: Set(key_name),
            alias: Set(new.alias),
            user_id: Set(new.owner),
            origin: Set(new.origin.to_owned()),
            all_models: Set(new.all_models),
            model_names: Set(new.model_names.map(|names| json!(names))),
            blocked: Set(new.blocked),
            blocked_by: Set(new
                .blocked
                .then(|| Blocker::Administrator.as_str().to_owned())),
            expires_at: Set(new.expires_at),
            spend_nanos: Set(0),
            model_rpm_limit: Set(new.model_rpm_limit),
            model_tpm_limit: Set(new.model_tpm_limit),
            team_id: Set(new.team_id),
            tags: Set(json!(new.tags)),
            metadata: Set(new.metadata),
            last_used_at: Set(None),
            created_at: Set(now),
            updated_at: Set(now),
            ..Default::default()
        };
        new.limits.set_on_key(&mut row, now);
        if let Some((spend, reset_at)) = new.carried_spend {
            row.spend_nanos = Set(spend);
            row.budget_reset_at = Set(reset_at);
        }
        row.insert(db).await?;
        Self::set_models(db, id, &new.model_ids).await?;
        bump_keys_version(db).await?;
        Ok(id)
    }

    /// Makes a key. The plaintext is in the result and nowhere else.
    #[tracing::instrument(skip_all, err, fields(origin = new.origin))]
    pub async fn generate(&self, new: NewKey) -> Result<Issued, DomainError> {
        let txn = crate::txn::begin_write(&self.db).await?;
        let (plaintext, _) = Self::insert(&txn, new).await?;
        txn.commit().await?;
        self.issued(plaintext).await
    }

    /// Makes a key for `owner` unless they already hold `cap` (the playground's key not
    /// counted). The count and the insert are one step: the owner's row is written first,
    /// which makes concurrent creations for one owner wait for each other (a row lock on
    /// PostgreSQL, the write lock on SQLite), so 30 at once cannot pass a cap of 10.
    #[tracing::instrument(skip_all, err, fields(origin = new.origin))]
    pub async fn generate_within_cap(
        &self,
        owner: Uuid,
        cap: u64,
        new: NewKey,
    ) -> Result<Issued, DomainError> {
        let txn = crate::txn::begin_write(&self.db).await?;
        user::Entity::update_many()
            .col_expr(
                user::Column::UpdatedAt,
                sea_orm::sea_query::Expr::col(user::Column::UpdatedAt).into(),
            )
            .filter(user::Column::Id.eq(owner))
            .exec(&txn)
            .await?;
        let held = api_key::Entity::find()
            .filter(api_key::Column::UserId.eq(owner))
            .filter(api_key::Column::Origin.ne(ORIGIN_PLAYGROUND))
            .count(&txn)
            .await?;
        if held >= cap {
            return Err(DomainError::Conflict(format!(
                "you hold {held} keys, the most allowed here; delete one first"
            )));
        }
        let (plaintext, _) = Self::insert(&txn, new).await?;
        txn.commit().await?;
        self.issued(plaintext).await
    }

    /// The answer for a key just made.
    pub async fn issued(&self, plaintext: String) -> Result<Issued, DomainError> {
        let record = self.record_by_hash(&hash_key(&plaintext)).await?;
        Ok(Issued { plaintext, record })
    }

    /// Applies `changes` to the key whose hash is `hash` inside `db` (a transaction the
    /// caller commits).
    pub async fn apply<C: ConnectionTrait>(
        db: &C,
        hash: &str,
        changes: KeyChanges,
    ) -> Result<(), DomainError> {
        changes.limits.check()?;
        let row = api_key::Entity::find()
            .filter(api_key::Column::TokenHash.eq(hash))
            .one(db)
            .await?
            .ok_or_else(|| DomainError::NotFound("no such key".into()))?;
        let key_id = row.id;
        let mut active = row.into_active_model();
        if let Some(alias) = changes.alias {
            if let Some(alias) = &alias {
                Self::alias_free(db, alias, Some(key_id)).await?;
            }
            active.alias = Set(alias);
        }
        if let Some(ids) = &changes.model_ids {
            Self::set_models(db, key_id, ids).await?;
            active.model_names = Set(None);
            // A new list is the list, unless the change says it means every model.
            active.all_models = Set(changes.all_models.unwrap_or(false));
        }
        if let Some(names) = changes.model_names {
            Self::set_models(db, key_id, &[]).await?;
            active.model_names = Set(Some(json!(names)));
            active.all_models = Set(changes.all_models.unwrap_or(false));
        }
        if let Some(at) = changes.expires_at {
            active.expires_at = Set(at);
        }
        if let Some(owner) = changes.owner {
            active.user_id = Set(Some(owner));
        }
        if let Some(metadata) = changes.metadata {
            active.metadata = Set(metadata);
        }
        let now = Utc::now();
        changes.limits.apply_to_key(&mut active, now);
        if let Some(value) = changes.model_rpm_limit {
            active.model_rpm_limit = Set(value);
        }
        if let Some(value) = changes.model_tpm_limit {
            active.model_tpm_limit = Set(value);
        }
        if let Some(blocked) = changes.blocked {
            active.blocked = Set(blocked.is_some());
            active.blocked_by = Set(blocked.map(|by| by.as_str().to_owned()));
        }
        active.updated_at = Set(now);
        active.update(db).await?;
        bump_keys_version(db).await
    }

    /// Applies `changes` to the key whose hash is `hash`.
    #[tracing::instrument(skip_all, err)]
    pub async fn update(&self, hash: &str, changes: KeyChanges) -> Result<KeyRecord, DomainError> {
        let txn = crate::txn::begin_write(&self.db).await?;
        Self::apply(&txn, hash, changes).await?;
        txn.commit().await?;
        self.record_by_hash(hash).await
    }

    /// The ids of the models a key lists: its links, or the models named exactly in its
    /// names as given.
    pub async fn model_ids_of(&self, key: &api_key::Model) -> Result<Vec<Uuid>, DomainError> {
        if let Some(names) = given_names(key) {
            return Ok(model::Entity::find()
                .filter(model::Column::Name.is_in(names))
                .all(&self.db)
                .await?
                .into_iter()
                .map(|m| m.id)
                .collect());
        }
        Ok(api_key_model::Entity::find()
            .filter(api_key_model::Column::ApiKeyId.eq(key.id))
            .all(&self.db)
            .await?
            .into_iter()
            .map(|link| link.model_id)
            .collect())
    }

    /// Stored keys with their model names and owners' external ids (three queries).
    pub(crate) async fn records(
        &self,
        keys: Vec<api_key::Model>,
    ) -> Result<Vec<KeyRecord>, DomainError> {
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
                let models = given_names(&key).unwrap_or_else(|| {
                    let mut linked = by_key.remove(&key.id).unwrap_or_default();
                    linked.sort();
                    linked
                });
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

    /// Deletes the keys with these hashes or aliases; returns the hashes deleted.
    #[tracing::instrument(skip_all, err)]
    pub async fn delete(
        &self,
        hashes: &[String],
        aliases: &[String],
    ) -> Result<Vec<String>, DomainError> {
        let txn = crate::txn::begin_write(&self.db).await?;
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
        let txn = crate::txn::begin_write(&self.db).await?;
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
        let made = self
            .generate(NewKey {
                owner: Some(owner),
                metadata: json!({ "name": "Playground" }),
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
            LimitValues::of_user(&u).enforced(u.budget_reset_at, u.spend_nanos)
        });
        let key = record.key;
        let models = if key.origin == ORIGIN_PORTAL || key.origin == ORIGIN_PLAYGROUND {
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
                ModelAccess::named(names)
            } else {
                ModelAccess::named(record.models.into_iter().filter(|n| names.contains(n)))
            }
        } else {
            ModelAccess::litellm(&record.models).or_every(key.all_models)
        };
        let guardrails = key.metadata["guardrails"]
            .as_array()
            .map(|names| {
                names
                    .iter()
                    .filter_map(|name| name.as_str().map(str::to_owned))
                    .collect()
            })
            .unwrap_or_default();
        Ok(Some(AuthKey {
            guardrails,
            limits: LimitValues::of_key(&key).enforced(key.budget_reset_at, key.spend_nanos),
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
