//! Single sign-on logins in flight (`login_states`): the state, nonce and PKCE verifier of a
//! login started at the identity provider, kept in the database so a login started on one
//! replica finishes on any other. Stored by the hash of the state, for ten minutes, and taken
//! at most once. The provider dialogue itself is the server's (`identity/oidc.rs`).

use std::fmt;

use chrono::Utc;
use entity::login_state;
use sea_orm::{ActiveModelTrait, ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, Set};

use crate::DomainError;
use crate::secret;

/// How long a started login may take.
const LOGIN_TTL: chrono::TimeDelta = chrono::TimeDelta::minutes(10);

/// A login to remember until the provider sends the browser back.
pub struct NewLoginState<'a> {
    /// The `state` parameter sent to the provider; only its hash is stored.
    pub state: &'a str,
    /// The PKCE verifier of the challenge sent to the provider.
    pub pkce_verifier: String,
    /// The nonce the ID token must carry.
    pub nonce: String,
    /// Where to send the browser after signing in (a local path).
    pub redirect_to: String,
}

/// A login taken back at the provider's callback.
pub struct PendingLogin {
    /// The PKCE verifier to send with the code.
    pub pkce_verifier: String,
    /// The nonce the ID token must carry.
    pub nonce: String,
    /// Where the browser asked to go afterwards, as stored.
    pub redirect_to: Option<String>,
}

impl fmt::Debug for PendingLogin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PendingLogin")
            .field("redirect_to", &self.redirect_to)
            .finish_non_exhaustive()
    }
}

/// Login state rules over `login_states`.
#[derive(Clone)]
pub struct LoginStateService {
    db: DatabaseConnection,
}

impl LoginStateService {
    /// A service over `db`.
    pub fn new(db: DatabaseConnection) -> Self {
        Self { db }
    }

    /// Remembers a started login for ten minutes, first dropping the logins that expired.
    pub async fn start(&self, new: NewLoginState<'_>) -> Result<(), DomainError> {
        let now = Utc::now();
        login_state::Entity::delete_many()
            .filter(login_state::Column::ExpiresAt.lt(now))
            .exec(&self.db)
            .await?;
        login_state::ActiveModel {
            state_hash: Set(secret::sha256_hex(new.state)),
            pkce_verifier: Set(new.pkce_verifier),
            nonce: Set(new.nonce),
            redirect_to: Set(Some(new.redirect_to)),
            created_at: Set(now),
            expires_at: Set(now + LOGIN_TTL),
        }
        .insert(&self.db)
        .await?;
        Ok(())
    }

    /// Takes the login started with `state`, once: `None` when it is unknown, expired, or
    /// already taken (here or on another replica).
    pub async fn take(&self, state: &str) -> Result<Option<PendingLogin>, DomainError> {
        let hash = secret::sha256_hex(state);
        let Some(row) = login_state::Entity::find_by_id(hash.clone())
            .one(&self.db)
            .await?
        else {
            return Ok(None);
        };
        let taken = login_state::Entity::delete_many()
            .filter(login_state::Column::StateHash.eq(hash))
            .exec(&self.db)
            .await?;
        if taken.rows_affected != 1 || row.expires_at <= Utc::now() {
            return Ok(None);
        }
        Ok(Some(PendingLogin {
            pkce_verifier: row.pkce_verifier,
            nonce: row.nonce,
            redirect_to: row.redirect_to,
        }))
    }
}
