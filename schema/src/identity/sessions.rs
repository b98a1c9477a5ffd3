//! Browser sessions: created at sign-in, stored as the hash of their id, expiring after a
//! spell of idleness and at an absolute limit, revocable by their owner from any replica.

use std::fmt;
use std::time::Duration;

use chrono::{DateTime, Utc};
use entity::{session, user};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, DatabaseConnection, EntityTrait, IntoActiveModel, QueryFilter,
    QueryOrder, Set,
};
use uuid::Uuid;

use crate::DomainError;
use crate::secret;

/// Characters of a session id and of a CSRF token.
const SECRET_LEN: usize = 43;
/// A session's idle expiry is pushed forward at most this often (one write a minute, not one
/// per request).
const TOUCH_EVERY: chrono::TimeDelta = chrono::TimeDelta::seconds(60);

/// How long sessions last.
#[derive(Clone, Copy, Debug)]
pub struct SessionLifetime {
    /// A session unused this long ends.
    pub idle: Duration,
    /// A session ends this long after sign-in, used or not.
    pub absolute: Duration,
}

/// A session to start.
#[derive(Debug, Default)]
pub struct NewSession {
    /// Who signed in.
    pub user_id: Uuid,
    /// The browser's `User-Agent`, to tell sessions apart in "my sessions".
    pub user_agent: Option<String>,
    /// The client address.
    pub ip: Option<String>,
    /// The provider's ID token, kept as the hint for its end-session endpoint.
    pub id_token_hint: Option<String>,
}

/// A started session: the secrets for the two cookies, shown to the browser once.
pub struct SignedIn {
    /// The session id (the `sy_session` cookie).
    pub session_id: String,
    /// The CSRF token (the `sy_csrf` cookie and `x-csrf-token` header).
    pub csrf: String,
    /// How long the cookies may live.
    pub max_age: Duration,
    /// Who signed in.
    pub user: user::Model,
}

impl fmt::Debug for SignedIn {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SignedIn")
            .field("user", &self.user.external_id)
            .finish_non_exhaustive()
    }
}

fn after(now: DateTime<Utc>, span: Duration) -> DateTime<Utc> {
    chrono::TimeDelta::from_std(span)
        .ok()
        .and_then(|d| now.checked_add_signed(d))
        .unwrap_or(DateTime::<Utc>::MAX_UTC)
}

/// Session rules over `sessions`.
#[derive(Clone)]
pub struct SessionService {
    db: DatabaseConnection,
    lifetime: SessionLifetime,
}

impl SessionService {
    /// A service over `db` whose sessions last `lifetime`.
    pub fn new(db: DatabaseConnection, lifetime: SessionLifetime) -> Self {
        Self { db, lifetime }
    }

    /// Starts a session with fresh secrets (a new id at every sign-in) and records the login.
    #[tracing::instrument(skip_all, fields(user = %new.user_id), err)]
    pub async fn create(&self, new: NewSession) -> Result<SignedIn, DomainError> {
        let account = user::Entity::find_by_id(new.user_id)
            .one(&self.db)
            .await?
            .ok_or_else(|| DomainError::NotFound("no such user".into()))?;
        if !account.active {
            return Err(DomainError::Forbidden(
                "this account is deactivated; ask an administrator".into(),
            ));
        }
        let (session_id, csrf) = (secret::generate(SECRET_LEN), secret::generate(SECRET_LEN));
        let now = Utc::now();
        session::ActiveModel {
            id_hash: Set(secret::sha256_hex(&session_id)),
            user_id: Set(new.user_id),
            csrf_hash: Set(secret::sha256_hex(&csrf)),
            user_agent: Set(new.user_agent.map(|ua| ua.chars().take(300).collect())),
            ip: Set(new.ip),
            created_at: Set(now),
            last_seen_at: Set(now),
            idle_expires_at: Set(after(now, self.lifetime.idle)),
            expires_at: Set(after(now, self.lifetime.absolute)),
            revoked_at: Set(None),
            id_token_hint: Set(new.id_token_hint),
        }
        .insert(&self.db)
        .await?;
        let mut login = account.into_active_model();
        login.last_login_at = Set(Some(now));
        let user = login.update(&self.db).await?;
        Ok(SignedIn {
            session_id,
            csrf,
            max_age: self.lifetime.absolute,
            user,
        })
    }

    /// The live session with this id and its (active) user; pushes the idle expiry forward.
    pub async fn resolve(
        &self,
        session_id: &str,
    ) -> Result<Option<(session::Model, user::Model)>, DomainError> {
        let now = Utc::now();
        let found = session::Entity::find_by_id(secret::sha256_hex(session_id))
            .find_also_related(user::Entity)
            .one(&self.db)
            .await?;
        let Some((row, Some(account))) = found else {
            return Ok(None);
        };
        let live = row.revoked_at.is_none() && row.idle_expires_at > now && row.expires_at > now;
        if !live || !account.active {
            return Ok(None);
        }
        let row = if now - row.last_seen_at >= TOUCH_EVERY {
            let mut touched = row.into_active_model();
            touched.last_seen_at = Set(now);
            touched.idle_expires_at = Set(after(now, self.lifetime.idle));
            touched.update(&self.db).await?
        } else {
            row
        };
        Ok(Some((row, account)))
    }

    /// The active user holding the live session whose id hashes to `id_hash`, without
    /// pushing its idle expiry (an open socket re-checking its session is not activity).
    pub async fn holder(&self, id_hash: &str) -> Result<Option<user::Model>, DomainError> {
        let now = Utc::now();
        let found = session::Entity::find_by_id(id_hash.to_owned())
            .find_also_related(user::Entity)
            .one(&self.db)
            .await?;
        Ok(found.and_then(|(row, account)| {
            let live =
                row.revoked_at.is_none() && row.idle_expires_at > now && row.expires_at > now;
            account.filter(|a| live && a.active)
        }))
    }

    /// Whether `token` is the CSRF token of `session`.
    pub fn csrf_matches(session: &session::Model, token: &str) -> bool {
        secret::sha256_hex(token) == session.csrf_hash
    }

    /// The user's live sessions, newest first.
    pub async fn list(&self, user_id: Uuid) -> Result<Vec<session::Model>, DomainError> {
        let now = Utc::now();
        Ok(session::Entity::find()
            .filter(session::Column::UserId.eq(user_id))
            .filter(session::Column::RevokedAt.is_null())
            .filter(session::Column::ExpiresAt.gt(now))
            .filter(session::Column::IdleExpiresAt.gt(now))
            .order_by_desc(session::Column::CreatedAt)
            .all(&self.db)
            .await?)
    }

    /// Revokes one of the user's sessions; returns it (its ID token hint ends the provider's
    /// session too).
    #[tracing::instrument(skip_all, fields(user = %user_id), err)]
    pub async fn revoke(
        &self,
        user_id: Uuid,
        id_hash: &str,
    ) -> Result<session::Model, DomainError> {
        let row = session::Entity::find_by_id(id_hash.to_owned())
            .filter(session::Column::UserId.eq(user_id))
            .one(&self.db)
            .await?
            .ok_or_else(|| DomainError::NotFound("no such session of yours".into()))?;
        if row.revoked_at.is_some() {
            return Ok(row);
        }
        let mut revoked = row.into_active_model();
        revoked.revoked_at = Set(Some(Utc::now()));
        Ok(revoked.update(&self.db).await?)
    }

    /// Revokes every session of the user but `keep`; returns how many ended.
    pub async fn revoke_others(&self, user_id: Uuid, keep: &str) -> Result<u64, DomainError> {
        let result = session::Entity::update_many()
            .col_expr(session::Column::RevokedAt, Expr::value(Utc::now()))
            .filter(session::Column::UserId.eq(user_id))
            .filter(session::Column::IdHash.ne(keep))
            .filter(session::Column::RevokedAt.is_null())
            .exec(&self.db)
            .await?;
        Ok(result.rows_affected)
    }
}
