//! Single sign-on logins in flight (`login_states`): the state, nonce and PKCE verifier of a
//! login started at the identity provider, kept in the database so a login started on one
//! replica finishes on any other. Stored by the hash of the state together with the binding
//! of the browser that started it (its `sy_login` cookie), so only that browser finishes it;
//! for ten minutes, taken at most once, and no more than [`MAX_IN_FLIGHT`] at a time. The
//! provider dialogue itself is the server's (`identity/oidc.rs`).

use std::fmt;

use chrono::Utc;
use entity::login_state;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, DatabaseConnection, EntityTrait, PaginatorTrait, QueryFilter,
    Set,
};

use crate::DomainError;
use crate::secret;

/// How long a started login may take.
pub const LOGIN_TTL: chrono::TimeDelta = chrono::TimeDelta::minutes(10);

/// The most logins in flight at once: each anonymous `GET /auth/login` starts one, so
/// without a bound anyone could fill the table.
pub const MAX_IN_FLIGHT: u64 = 10_000;

/// The longest path a login returns to; a longer one returns to `/`.
pub const MAX_REDIRECT: usize = 2_048;

/// The stored key of a login: the state and the browser's binding, hashed together.
fn key(state: &str, browser: &str) -> String {
    secret::sha256_hex(&format!("{state}\n{browser}"))
}

/// A login to remember until the provider sends the browser back.
pub struct NewLoginState<'a> {
    /// The `state` parameter sent to the provider; only its hash is stored.
    pub state: &'a str,
    /// The binding of the browser that starts it (the `sy_login` cookie's value).
    pub browser: &'a str,
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

    /// Remembers a started login for ten minutes, first dropping the logins that expired;
    /// refused while [`MAX_IN_FLIGHT`] are.
    pub async fn start(&self, new: NewLoginState<'_>) -> Result<(), DomainError> {
        let now = Utc::now();
        login_state::Entity::delete_many()
            .filter(login_state::Column::ExpiresAt.lt(now))
            .exec(&self.db)
            .await?;
        if login_state::Entity::find().count(&self.db).await? >= MAX_IN_FLIGHT {
            return Err(DomainError::Conflict(
                "too many sign-ins are in progress; try again in a few minutes".into(),
            ));
        }
        let redirect_to = if new.redirect_to.len() <= MAX_REDIRECT {
            new.redirect_to
        } else {
            "/".into()
        };
        login_state::ActiveModel {
            state_hash: Set(key(new.state, new.browser)),
            pkce_verifier: Set(new.pkce_verifier),
            nonce: Set(new.nonce),
            redirect_to: Set(Some(redirect_to)),
            created_at: Set(now),
            expires_at: Set(now + LOGIN_TTL),
        }
        .insert(&self.db)
        .await?;
        Ok(())
    }

    /// Takes the login started with `state` by the browser bound by `browser`, once: `None`
    /// when it is unknown, another browser's, expired, or already taken (here or on another
    /// replica).
    pub async fn take(
        &self,
        state: &str,
        browser: &str,
    ) -> Result<Option<PendingLogin>, DomainError> {
        let hash = key(state, browser);
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
