//! Personal access tokens: `Bearer` credentials for GraphQL automation, read-only or
//! read-write, optionally expiring, stored as SHA-256 hashes and shown once.

use chrono::Utc;
use entity::{personal_access_token as pat, user};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, DatabaseConnection, EntityTrait, IntoActiveModel, QueryFilter,
    QueryOrder, Set,
};
use uuid::Uuid;

use crate::DomainError;
use crate::{duration, secret};

/// Every token starts with this, so a leaked one is recognisable (and scannable).
pub const TOKEN_PREFIX: &str = "syp_";
/// Random characters after the prefix.
const SECRET_LEN: usize = 43;
/// A token's last use is recorded at most this often.
const TOUCH_EVERY: chrono::TimeDelta = chrono::TimeDelta::seconds(60);
/// The longest name a token may have.
const MAX_NAME: usize = 100;

/// Scope stored for read-only tokens.
const READ: &str = "read";
/// Scope stored for read-write tokens.
const READ_WRITE: &str = "read-write";

/// Token rules over `personal_access_tokens`.
#[derive(Clone)]
pub struct TokenService {
    db: DatabaseConnection,
}

/// Whether a stored token may make changes.
pub fn writes(token: &pat::Model) -> bool {
    token.scope == READ_WRITE
}

impl TokenService {
    /// A service over `db`.
    pub fn new(db: DatabaseConnection) -> Self {
        Self { db }
    }

    /// Creates a token for the user; the plaintext is returned here and never again.
    #[tracing::instrument(skip_all, fields(user = %user_id), err)]
    pub async fn create(
        &self,
        user_id: Uuid,
        name: &str,
        write: bool,
        expires_in: Option<&str>,
    ) -> Result<(pat::Model, String), DomainError> {
        let name = name.trim();
        if name.is_empty() || name.chars().count() > MAX_NAME {
            return Err(DomainError::BadInput(format!(
                "a token needs a name of 1 to {MAX_NAME} characters"
            )));
        }
        let now = Utc::now();
        let expires_at = match expires_in {
            Some(text) => Some(
                duration::parse(text)
                    .map_err(DomainError::BadInput)?
                    .end_after(now)
                    .ok_or_else(|| DomainError::BadInput(format!("`{text}` is too far away")))?,
            ),
            None => None,
        };
        let plaintext = format!("{TOKEN_PREFIX}{}", secret::generate(SECRET_LEN));
        let row = pat::ActiveModel {
            id: Set(Uuid::new_v4()),
            user_id: Set(user_id),
            name: Set(name.to_owned()),
            token_hash: Set(secret::sha256_hex(&plaintext)),
            scope: Set(if write { READ_WRITE } else { READ }.to_owned()),
            expires_at: Set(expires_at),
            last_used_at: Set(None),
            revoked_at: Set(None),
            created_at: Set(now),
        }
        .insert(&self.db)
        .await?;
        Ok((row, plaintext))
    }

    /// The live token with this plaintext and its (active) user; records the use.
    pub async fn verify(
        &self,
        plaintext: &str,
    ) -> Result<Option<(pat::Model, user::Model)>, DomainError> {
        let now = Utc::now();
        let found = pat::Entity::find()
            .filter(pat::Column::TokenHash.eq(secret::sha256_hex(plaintext)))
            .find_also_related(user::Entity)
            .one(&self.db)
            .await?;
        let Some((token, Some(owner))) = found else {
            return Ok(None);
        };
        let live = token.revoked_at.is_none() && token.expires_at.is_none_or(|at| at > now);
        if !live || !owner.active {
            return Ok(None);
        }
        let stale = token.last_used_at.is_none_or(|at| now - at >= TOUCH_EVERY);
        let token = if stale {
            let mut used = token.into_active_model();
            used.last_used_at = Set(Some(now));
            used.update(&self.db).await?
        } else {
            token
        };
        Ok(Some((token, owner)))
    }

    /// The active owner of live token `id`, without recording a use.
    pub async fn holder(&self, id: Uuid) -> Result<Option<user::Model>, DomainError> {
        let now = Utc::now();
        let found = pat::Entity::find_by_id(id)
            .find_also_related(user::Entity)
            .one(&self.db)
            .await?;
        Ok(found.and_then(|(token, owner)| {
            let live = token.revoked_at.is_none() && token.expires_at.is_none_or(|at| at > now);
            owner.filter(|o| live && o.active)
        }))
    }

    /// The user's tokens (revoked ones included, so the list tells what happened), newest first.
    pub async fn list(&self, user_id: Uuid) -> Result<Vec<pat::Model>, DomainError> {
        Ok(pat::Entity::find()
            .filter(pat::Column::UserId.eq(user_id))
            .order_by_desc(pat::Column::CreatedAt)
            .all(&self.db)
            .await?)
    }

    /// Revokes one of the user's tokens.
    #[tracing::instrument(skip_all, fields(user = %user_id, token = %id), err)]
    pub async fn revoke(&self, user_id: Uuid, id: Uuid) -> Result<pat::Model, DomainError> {
        let token = pat::Entity::find_by_id(id)
            .filter(pat::Column::UserId.eq(user_id))
            .one(&self.db)
            .await?
            .ok_or_else(|| DomainError::NotFound("no such token of yours".into()))?;
        if token.revoked_at.is_some() {
            return Ok(token);
        }
        let mut revoked = token.into_active_model();
        revoked.revoked_at = Set(Some(Utc::now()));
        Ok(revoked.update(&self.db).await?)
    }
}
