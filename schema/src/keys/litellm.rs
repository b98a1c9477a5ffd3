//! Keys as the LiteLLM admin API speaks of them: models by name, owners by external user id
//! (a user is created on first mention, as LiteLLM does), expiry as a duration from now.
//! This module translates that wire shape into the id-based key store and nothing else.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use entity::{api_key, model, user};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter,
    QueryOrder, Set,
};
use serde_json::{Value, json};
use uuid::Uuid;

use super::access::ModelAccess;
use super::service::{Blocker, Issued, KeyChanges, KeyRecord, KeyService, NewKey};
use crate::DomainError;
use crate::duration;
use crate::limits::{LimitChanges, LimitValues};

/// A key as `/key/generate` describes it.
#[derive(Debug, Clone, Default)]
pub struct LiteLlmKey {
    /// Models as given, unvalidated: names, `"*"`, `"prefix/*"` patterns, access groups;
    /// empty means every model.
    pub models: Vec<String>,
    /// How long the key lives from now (`30d`), in the duration grammar.
    pub duration: Option<String>,
    /// The owner's external id; the user is created when unknown.
    pub user_id: Option<String>,
    pub alias: Option<String>,
    pub metadata: Option<Value>,
    pub limits: LimitValues,
    pub model_rpm_limit: Option<Value>,
    pub model_tpm_limit: Option<Value>,
    pub blocked: bool,
    pub team_id: Option<String>,
    pub tags: Vec<String>,
}

/// A key as LiteLLM's database holds it, brought over under the same hash so that its
/// plaintext keeps working.
#[derive(Debug, Clone, Default)]
pub struct ImportedKey {
    /// The SHA-256 hex of the key, as both LiteLLM and Switchyard store it.
    pub token_hash: String,
    /// What lists show for the key (LiteLLM's `key_name`, `sk-...abcd`).
    pub key_name: String,
    /// Everything `/key/generate` could also say (`duration` is not read: the expiry is).
    pub key: LiteLlmKey,
    pub expires_at: Option<DateTime<Utc>>,
    /// Spend so far, and when its budget window resets.
    pub spend_nanos: i64,
    pub budget_reset_at: Option<DateTime<Utc>>,
}

/// What an import did with a key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Imported {
    Added,
    /// Here already, and as strict as LiteLLM has it.
    Unchanged,
    /// Here already: blocked, or its expiry brought forward, as LiteLLM has since done.
    Tightened,
}

/// A change as `/key/update` describes it: `None` leaves a field alone, `Some(None)` clears.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct LiteLlmKeyChanges {
    pub models: Option<Vec<String>>,
    /// Recomputes the expiry from now (`Some(None)`: never expires).
    pub duration: Option<Option<String>>,
    pub user_id: Option<String>,
    pub alias: Option<Option<String>>,
    pub metadata: Option<Value>,
    pub limits: LimitChanges,
    pub model_rpm_limit: Option<Option<Value>>,
    pub model_tpm_limit: Option<Option<Value>>,
    pub blocked: Option<bool>,
}

/// Which keys `/key/list` and `/user/info` list.
#[derive(Debug, Clone, Default)]
pub struct KeyFilter {
    /// The owner's external id.
    pub user_id: Option<String>,
    pub alias: Option<String>,
}

/// The expiry `duration` gives a key made now.
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

/// The ids of the models `names`, for keys whose models are links (portal keys changed
/// through the admin API); an unknown name is refused.
async fn model_ids<C: ConnectionTrait>(db: &C, names: &[String]) -> Result<Vec<Uuid>, DomainError> {
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

/// The row id of the user with `external_id`, created (with the platform's defaults for new
/// users) when there is none.
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

/// An admin-API key to store: its models as given, its owner found or created.
async fn new_key<C: ConnectionTrait>(
    db: &C,
    key: LiteLlmKey,
    expires_at: Option<DateTime<Utc>>,
) -> Result<NewKey, DomainError> {
    let owner = match &key.user_id {
        Some(external) => Some(owner(db, external).await?),
        None => None,
    };
    Ok(NewKey {
        origin: super::ORIGIN_ADMIN_API,
        owner,
        all_models: key.models.is_empty()
            || ModelAccess::litellm(&key.models).reaches_every_model(),
        model_names: Some(key.models),
        model_ids: Vec::new(),
        alias: key.alias,
        metadata: key.metadata.unwrap_or_else(|| json!({})),
        expires_at,
        limits: key.limits,
        model_rpm_limit: key.model_rpm_limit,
        model_tpm_limit: key.model_tpm_limit,
        blocked: key.blocked,
        team_id: key.team_id,
        tags: key.tags,
        carried_spend: None,
    })
}

/// The LiteLLM-shaped key operations over the key store.
#[derive(Clone)]
pub struct LiteLlmKeys {
    db: DatabaseConnection,
    keys: KeyService,
}

impl LiteLlmKeys {
    /// The operations over `db`.
    pub fn new(db: DatabaseConnection) -> Self {
        Self {
            keys: KeyService::new(db.clone()),
            db,
        }
    }

    /// The id-based store underneath.
    pub fn store(&self) -> &KeyService {
        &self.keys
    }

    /// `/key/generate`: models by name, the owner by external id (created when unknown).
    #[tracing::instrument(skip_all, err)]
    pub async fn generate(&self, key: LiteLlmKey) -> Result<Issued, DomainError> {
        key.limits.check()?;
        let expires_at = expiry(key.duration.as_deref())?;
        let txn = crate::txn::begin_write(&self.db).await?;
        if let Some(alias) = &key.alias {
            KeyService::alias_free(&txn, alias, None).await?;
        }
        let new = new_key(&txn, key, expires_at).await?;
        let (plaintext, _) = KeyService::insert(&txn, new).await?;
        txn.commit().await?;
        self.keys.issued(plaintext).await
    }

    /// Whether a key with this hash is stored.
    pub async fn has_hash(&self, hash: &str) -> Result<bool, DomainError> {
        Ok(api_key::Entity::find()
            .filter(api_key::Column::TokenHash.eq(hash))
            .one(&self.db)
            .await?
            .is_some())
    }

    /// Stores a key brought from LiteLLM. One with its hash stored already (an earlier
    /// import) is only made stricter where LiteLLM has since made it so: blocked, or expiring
    /// sooner; anything else changed here since is left as it is.
    #[tracing::instrument(skip_all, err)]
    pub async fn import(&self, imported: ImportedKey) -> Result<Imported, DomainError> {
        let ImportedKey {
            token_hash,
            key_name,
            key,
            expires_at,
            spend_nanos,
            budget_reset_at,
        } = imported;
        key.limits.check()?;
        let txn = crate::txn::begin_write(&self.db).await?;
        let present = api_key::Entity::find()
            .filter(api_key::Column::TokenHash.eq(token_hash.clone()))
            .one(&txn)
            .await?;
        if let Some(row) = present {
            // Blocked by an administrator, as LiteLLM's block was (an owner's block here
            // could be lifted by the owner).
            let by_administrator =
                row.blocked && row.blocked_by.as_deref() == Some(Blocker::Administrator.as_str());
            let block = key.blocked && !by_administrator;
            let sooner = expires_at.filter(|at| row.expires_at.is_none_or(|now| *at < now));
            if !block && sooner.is_none() {
                return Ok(Imported::Unchanged);
            }
            let changes = KeyChanges {
                blocked: block.then_some(Some(Blocker::Administrator)),
                expires_at: sooner.map(Some),
                ..KeyChanges::default()
            };
            KeyService::apply(&txn, &token_hash, changes).await?;
            txn.commit().await?;
            return Ok(Imported::Tightened);
        }
        let mut new = new_key(&txn, key, expires_at).await?;
        new.carried_spend = Some((spend_nanos, budget_reset_at));
        KeyService::insert_hashed(&txn, new, token_hash, key_name).await?;
        txn.commit().await?;
        Ok(Imported::Added)
    }

    /// The hashes of the keys made through the admin API (or imported), with their aliases.
    pub async fn admin_api_keys(&self) -> Result<Vec<(String, Option<String>)>, DomainError> {
        Ok(api_key::Entity::find()
            .filter(api_key::Column::Origin.eq(super::ORIGIN_ADMIN_API))
            .all(&self.db)
            .await?
            .into_iter()
            .map(|row| (row.token_hash, row.alias))
            .collect())
    }

    /// `/key/update` on the key whose hash is `hash`.
    #[tracing::instrument(skip_all, err)]
    pub async fn update(
        &self,
        hash: &str,
        changes: LiteLlmKeyChanges,
    ) -> Result<KeyRecord, DomainError> {
        let txn = crate::txn::begin_write(&self.db).await?;
        let row = api_key::Entity::find()
            .filter(api_key::Column::TokenHash.eq(hash))
            .one(&txn)
            .await?
            .ok_or_else(|| DomainError::NotFound("no such key".into()))?;
        if let Some(Some(alias)) = &changes.alias {
            KeyService::alias_free(&txn, alias, Some(row.id)).await?;
        }
        // Admin-API keys keep their models as given; other keys' are links to known models.
        let admin_key = row.origin == super::ORIGIN_ADMIN_API;
        let (model_ids, model_names, all_models) = match changes.models {
            Some(names) if admin_key => {
                let every = names.is_empty() || ModelAccess::litellm(&names).reaches_every_model();
                (None, Some(names), Some(every))
            }
            Some(names) => (Some(model_ids(&txn, &names).await?), None, Some(false)),
            None => (None, None, None),
        };
        let expires_at = match changes.duration {
            Some(text) => Some(expiry(text.as_deref())?),
            None => None,
        };
        let owner = match &changes.user_id {
            Some(external) => Some(owner(&txn, external).await?),
            None => None,
        };
        changes.limits.check()?;
        KeyService::apply(
            &txn,
            hash,
            KeyChanges {
                model_ids,
                model_names,
                all_models,
                owner,
                alias: changes.alias,
                metadata: changes.metadata,
                expires_at,
                limits: changes.limits,
                model_rpm_limit: changes.model_rpm_limit,
                model_tpm_limit: changes.model_tpm_limit,
                // The admin API is the administrators'.
                blocked: changes
                    .blocked
                    .map(|blocked| blocked.then_some(Blocker::Administrator)),
            },
        )
        .await?;
        txn.commit().await?;
        self.keys.record_by_hash(hash).await
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
        self.keys.records(keys).await
    }
}
