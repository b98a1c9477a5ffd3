//! Keys people make for themselves in the portal: multi-model keys over their active
//! subscriptions, with expiry and limits held within the administrators' key policy, and
//! rotation with an optional grace period for the old secret.

use chrono::{DateTime, TimeDelta, Utc};
use entity::{api_key, model, subscription};
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter};
use serde_json::json;
use uuid::Uuid;

use super::{
    Blocker, Issued, KeyChanges, KeyRecord, KeyService, NewKey, ORIGIN_PLAYGROUND, ORIGIN_PORTAL,
};
use crate::limits::{LimitChanges, LimitRequest, LimitValues};
use crate::settings::{KeyPolicy, SettingsService};
use crate::{DomainError, duration};

/// When a key should expire.
#[derive(Clone, Debug, Default)]
pub enum Expiry {
    /// The policy's default.
    #[default]
    Default,
    /// Never (only when the policy has no maximum).
    Never,
    /// After a span in the duration grammar (`30d`, `1mo`).
    In(String),
    /// At this moment.
    At(DateTime<Utc>),
}

/// A key to make.
#[derive(Clone, Debug, Default)]
pub struct KeyRequest {
    pub name: String,
    pub model_ids: Vec<Uuid>,
    pub expiry: Expiry,
    pub limits: LimitRequest,
}

/// Changes to a key; `None` leaves a part alone.
#[derive(Clone, Debug, Default)]
pub struct KeyEdit {
    pub name: Option<String>,
    pub model_ids: Option<Vec<Uuid>>,
    pub expiry: Option<Expiry>,
    pub limits: Option<LimitRequest>,
}

/// Whose keys an operation may touch: one user's, or (administrators) anyone's.
#[derive(Clone, Copy, Debug)]
pub enum Scope {
    Owner(Uuid),
    Anyone,
}

const MAX_NAME: usize = 100;

/// The most keys one user may hold under `policy`.
fn cap_of(policy: &KeyPolicy) -> u64 {
    u64::try_from(policy.max_keys_per_user).unwrap_or(0)
}

fn days(n: i32) -> TimeDelta {
    TimeDelta::days(i64::from(n))
}

/// The expiry a request resolves to under `policy`.
pub fn resolve_expiry(
    policy: &KeyPolicy,
    expiry: &Expiry,
    now: DateTime<Utc>,
) -> Result<Option<DateTime<Utc>>, DomainError> {
    let at = match expiry {
        Expiry::Default => policy.default_expiry_days.map(|d| now + days(d)),
        Expiry::Never => None,
        Expiry::In(text) => Some(
            duration::parse(text)
                .map_err(DomainError::BadInput)?
                .end_after(now)
                .ok_or_else(|| DomainError::BadInput(format!("`{text}` is too far away")))?,
        ),
        Expiry::At(at) if *at <= now => {
            return Err(DomainError::BadInput(
                "the expiry date is in the past".into(),
            ));
        }
        Expiry::At(at) => Some(*at),
    };
    if let Some(max) = policy.max_expiry_days {
        // A minute of slack so "the maximum" picked in a form a moment ago still fits.
        let latest = now + days(max) + TimeDelta::minutes(1);
        match at {
            None => {
                return Err(DomainError::BadInput(format!(
                    "keys must expire within {max} days here"
                )));
            }
            Some(at) if at > latest => {
                return Err(DomainError::BadInput(format!(
                    "keys may live at most {max} days here"
                )));
            }
            _ => {}
        }
    }
    Ok(at)
}

fn check_name(name: &str) -> Result<String, DomainError> {
    let name = name.trim();
    if name.is_empty() || name.chars().count() > MAX_NAME {
        return Err(DomainError::BadInput(format!(
            "a key needs a name of 1 to {MAX_NAME} characters"
        )));
    }
    Ok(name.to_owned())
}

/// The portal's key rules over [`KeyService`].
#[derive(Clone)]
pub struct PortalKeys {
    db: DatabaseConnection,
    keys: KeyService,
    settings: SettingsService,
}

impl PortalKeys {
    /// The rules over `db`.
    pub fn new(db: DatabaseConnection) -> Self {
        Self {
            keys: KeyService::new(db.clone()),
            settings: SettingsService::new(db.clone()),
            db,
        }
    }

    /// `ids` without repeats, each of which `owner` must hold an active subscription to.
    async fn subscribed(&self, owner: Uuid, ids: &[Uuid]) -> Result<Vec<Uuid>, DomainError> {
        if ids.is_empty() {
            return Err(DomainError::BadInput("pick at least one model".into()));
        }
        let models = model::Entity::find()
            .filter(model::Column::Id.is_in(ids.to_vec()))
            .all(&self.db)
            .await?;
        let active: Vec<Uuid> = subscription::Entity::find()
            .filter(subscription::Column::UserId.eq(owner))
            .filter(subscription::Column::Status.eq("active"))
            .filter(subscription::Column::ModelId.is_in(ids.to_vec()))
            .all(&self.db)
            .await?
            .into_iter()
            .map(|s| s.model_id)
            .collect();
        let mut subscribed = Vec::with_capacity(ids.len());
        for id in ids {
            let model = models
                .iter()
                .find(|m| m.id == *id)
                .ok_or_else(|| DomainError::NotFound(format!("no model with id {id}")))?;
            if !active.contains(id) {
                return Err(DomainError::Forbidden(format!(
                    "{} needs an active subscription first (subscribe, or wait for approval)",
                    model.name
                )));
            }
            if !subscribed.contains(id) {
                subscribed.push(*id);
            }
        }
        Ok(subscribed)
    }

    /// The key with `id` within `scope`. Never the playground's key: it is the system's to
    /// manage, and rotating, editing or restoring it would hand its owner a key outside the
    /// key policy (found by id through usage reports and live feeds, which name it).
    async fn find(&self, scope: Scope, id: Uuid) -> Result<api_key::Model, DomainError> {
        let mut query =
            api_key::Entity::find_by_id(id).filter(api_key::Column::Origin.ne(ORIGIN_PLAYGROUND));
        if let Scope::Owner(owner) = scope {
            query = query.filter(api_key::Column::UserId.eq(owner));
        }
        query
            .one(&self.db)
            .await?
            .ok_or_else(|| DomainError::NotFound("no such key of yours".into()))
    }

    /// Makes a key for `owner`; the plaintext is in the result and nowhere else.
    #[tracing::instrument(skip(self, request), err)]
    pub async fn create(&self, owner: Uuid, request: KeyRequest) -> Result<Issued, DomainError> {
        let policy = self.settings.key_policy().await?;
        let name = check_name(&request.name)?;
        let model_ids = self.subscribed(owner, &request.model_ids).await?;
        let expires_at = resolve_expiry(&policy, &request.expiry, Utc::now())?;
        let limits = policy.limits.resolve(&request.limits)?;
        self.keys
            .generate_within_cap(
                owner,
                cap_of(&policy),
                NewKey {
                    origin: ORIGIN_PORTAL,
                    owner: Some(owner),
                    model_ids,
                    metadata: json!({ "name": name }),
                    expires_at,
                    limits,
                    ..NewKey::default()
                },
            )
            .await
    }

    /// The keys of `owner` (or everyone's), newest first. One owner's list leaves out the
    /// playground's key, which its owner never holds in hand; everyone's list shows it.
    pub async fn list(&self, owner: Option<Uuid>) -> Result<Vec<KeyRecord>, DomainError> {
        let mut keys = self.keys.list_owned(owner).await?;
        if owner.is_some() {
            keys.retain(|record| record.key.origin != ORIGIN_PLAYGROUND);
        }
        Ok(keys)
    }

    /// Changes a key's name, models, expiry or limits, within the policy.
    #[tracing::instrument(skip(self, edit), err)]
    pub async fn update(
        &self,
        scope: Scope,
        id: Uuid,
        edit: KeyEdit,
    ) -> Result<KeyRecord, DomainError> {
        let row = self.find(scope, id).await?;
        let issued_by_admin = matches!(scope, Scope::Owner(_)) && row.origin != ORIGIN_PORTAL;
        if issued_by_admin {
            // Narrowing the models is the owner's to do; widening them, or changing the
            // limits or expiry, is not.
            let widens = match &edit.model_ids {
                Some(ids) if !row.all_models => {
                    let held = self.keys.model_ids_of(&row).await?;
                    ids.iter().any(|id| !held.contains(id))
                }
                _ => false,
            };
            if widens || edit.limits.is_some() || edit.expiry.is_some() {
                return Err(DomainError::Forbidden(
                    "an administrator issued this key with its models, limits and expiry; you \
                     may rename it or narrow its models, and only an administrator may change \
                     the rest"
                        .into(),
                ));
            }
        }
        let policy = self.settings.key_policy().await?;
        let mut changes = KeyChanges {
            limits: match &edit.limits {
                Some(limits) => LimitChanges::from(policy.limits.resolve(limits)?),
                None => LimitChanges::default(),
            },
            ..KeyChanges::default()
        };
        if let Some(name) = &edit.name {
            let mut metadata = row.metadata.clone();
            if let Some(map) = metadata.as_object_mut() {
                map.insert("name".into(), json!(check_name(name)?));
            }
            changes.metadata = Some(metadata);
        }
        if let Some(ids) = &edit.model_ids {
            let owner = row.user_id.ok_or_else(|| {
                DomainError::BadInput("this key has no owner to hold subscriptions".into())
            })?;
            changes.model_ids = Some(self.subscribed(owner, ids).await?);
        }
        if let Some(expiry) = &edit.expiry {
            changes.expires_at = Some(resolve_expiry(&policy, expiry, Utc::now())?);
        }
        self.keys.update(&row.token_hash, changes).await
    }

    /// A new secret for the key, same settings. With a grace period the old secret keeps
    /// working that long (as a separate key that then expires); without, it stops at once.
    #[tracing::instrument(skip(self), err)]
    pub async fn rotate(
        &self,
        scope: Scope,
        id: Uuid,
        grace: Option<&str>,
    ) -> Result<Issued, DomainError> {
        let row = self.find(scope, id).await?;
        if matches!(scope, Scope::Owner(_)) && Blocker::of(&row) == Some(Blocker::Administrator) {
            return Err(DomainError::Forbidden(
                "an administrator blocked this key; it cannot be rotated until they unblock it"
                    .into(),
            ));
        }
        let Some(grace) = grace else {
            return self.keys.regenerate(&row.token_hash).await;
        };
        let until = duration::parse(grace)
            .map_err(DomainError::BadInput)?
            .end_after(Utc::now())
            .ok_or_else(|| DomainError::BadInput("the grace period is too long".into()))?;
        let new = NewKey {
            owner: row.user_id,
            model_names: super::service::given_names(&row),
            model_ids: match super::service::given_names(&row) {
                Some(_) => Vec::new(),
                None => self.keys.model_ids_of(&row).await?,
            },
            all_models: row.all_models,
            expires_at: row.expires_at,
            metadata: row.metadata.clone(),
            limits: LimitValues::of_key(&row),
            model_rpm_limit: row.model_rpm_limit.clone(),
            model_tpm_limit: row.model_tpm_limit.clone(),
            alias: None,
            origin: match row.origin.as_str() {
                ORIGIN_PORTAL => ORIGIN_PORTAL,
                super::ORIGIN_ADMIN_API => super::ORIGIN_ADMIN_API,
                other => {
                    return Err(DomainError::BadInput(format!(
                        "a key made by `{other}` cannot be rotated"
                    )));
                }
            },
            carried_spend: Some((row.spend_nanos, row.budget_reset_at)),
            ..NewKey::default()
        };
        // The old secret is still a key while its grace lasts: the new one counts against
        // the owner's cap like any other.
        let issued = match row.user_id {
            Some(owner) => {
                let policy = self.settings.key_policy().await?;
                self.keys
                    .generate_within_cap(owner, cap_of(&policy), new)
                    .await?
            }
            None => self.keys.generate(new).await?,
        };
        let ends = row.expires_at.map_or(until, |at| at.min(until));
        let mut metadata = row.metadata.clone();
        if let Some(map) = metadata.as_object_mut() {
            map.insert("rotated_to".into(), json!(issued.record.key.id.to_string()));
        }
        self.keys
            .update(
                &row.token_hash,
                KeyChanges {
                    expires_at: Some(Some(ends)),
                    metadata: Some(metadata),
                    ..KeyChanges::default()
                },
            )
            .await?;
        Ok(issued)
    }

    /// Revokes (blocks) or restores a key. An owner's revocation is theirs to undo; an
    /// administrator's block only an administrator lifts.
    pub async fn set_blocked(
        &self,
        scope: Scope,
        id: Uuid,
        blocked: bool,
    ) -> Result<KeyRecord, DomainError> {
        let row = self.find(scope, id).await?;
        let by = match scope {
            // Revoking a key an administrator blocked leaves it theirs.
            Scope::Owner(_) if Blocker::of(&row) != Some(Blocker::Administrator) => Blocker::Owner,
            _ => Blocker::Administrator,
        };
        if !blocked && matches!(scope, Scope::Owner(_)) && by == Blocker::Administrator {
            return Err(DomainError::Forbidden(
                "an administrator blocked this key; only an administrator can unblock it".into(),
            ));
        }
        let changes = KeyChanges {
            blocked: Some(blocked.then_some(by)),
            ..KeyChanges::default()
        };
        self.keys.update(&row.token_hash, changes).await
    }

    /// Deletes a key for good.
    pub async fn delete(&self, scope: Scope, id: Uuid) -> Result<(), DomainError> {
        let row = self.find(scope, id).await?;
        self.keys.delete(&[row.token_hash], &[]).await?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn expiry_follows_the_policy() {
        let now = Utc::now();
        let policy = KeyPolicy::default();
        let default = resolve_expiry(&policy, &Expiry::Default, now)
            .unwrap()
            .unwrap();
        assert_eq!(default - now, TimeDelta::days(90));
        assert!(
            resolve_expiry(&policy, &Expiry::Never, now).is_err(),
            "max 365 days"
        );
        assert!(resolve_expiry(&policy, &Expiry::In("400d".into()), now).is_err());
        assert!(resolve_expiry(&policy, &Expiry::At(now - TimeDelta::days(1)), now).is_err());
        let open = KeyPolicy {
            max_expiry_days: None,
            ..KeyPolicy::default()
        };
        assert_eq!(resolve_expiry(&open, &Expiry::Never, now).unwrap(), None);
    }
}
