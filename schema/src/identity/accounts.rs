//! Accounts: local passwords (argon2id), the bootstrap administrator, and the users that
//! single sign-on brings, with their roles recomputed from the provider's groups at every
//! login.

use std::sync::Arc;

use argon2::Argon2;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use chrono::Utc;
use entity::user;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, DatabaseConnection, EntityTrait, IntoActiveModel, QueryFilter,
    Set,
};
use serde_json::json;
use uuid::Uuid;

use super::throttle::Refused;
use super::{LoginThrottle, Role};
use crate::{DomainError, secret};

/// Length of a generated bootstrap password.
const GENERATED_PASSWORD_LEN: usize = 24;
/// The shortest password accepted.
pub const MIN_PASSWORD_LEN: usize = 12;
/// How long a password set-up link works.
pub const SETUP_HOURS: i64 = 72;
/// Where a user's outstanding set-up secret is kept (its hash and expiry), in `metadata`.
const SETUP_KEY: &str = "password_setup";
/// Length of the random part of a set-up secret.
const SETUP_SECRET_LEN: usize = 40;
/// Every refusal of a set-up secret says the same, so none tells which part was wrong.
const SETUP_REFUSED: &str =
    "this link is not valid or has expired; ask an administrator for a new one";

/// The bootstrap administrator to create at first start.
#[derive(Clone)]
pub struct Bootstrap {
    /// Their sign-in name (`users.external_id`).
    pub name: String,
    /// Their password; generated (and returned once) when `None`.
    pub password: Option<String>,
}

/// What a provider said about the person who signed in.
#[derive(Clone, Debug, Default)]
pub struct OidcProfile {
    /// The provider's issuer URL.
    pub issuer: String,
    /// The provider's stable id for the person.
    pub subject: String,
    /// Their e-mail address.
    pub email: Option<String>,
    /// Whether the provider verified that address.
    pub email_verified: bool,
    /// Their name.
    pub name: Option<String>,
    /// Their groups, from the configured claim.
    pub groups: Vec<String>,
}

/// Which provider groups grant which roles, and who may sign in at all.
#[derive(Clone, Debug, Default)]
pub struct RoleMapping {
    /// Members become `admin`.
    pub admin_groups: Vec<String>,
    /// Members become `admin-readonly`.
    pub readonly_groups: Vec<String>,
    /// When not empty, only members of these (or of an admin group) may sign in.
    pub allowed_groups: Vec<String>,
}

impl RoleMapping {
    /// The roles for someone in `groups`, or `None` when the allowed-groups gate keeps them out.
    pub fn roles_for(&self, groups: &[String]) -> Option<Vec<Role>> {
        let member = |list: &[String]| list.iter().any(|g| groups.contains(g));
        let mut roles = Vec::new();
        if member(&self.admin_groups) {
            roles.push(Role::Admin);
        }
        if member(&self.readonly_groups) {
            roles.push(Role::AdminReadonly);
        }
        let allowed = self.allowed_groups.is_empty() || member(&self.allowed_groups);
        if !allowed && roles.is_empty() {
            return None;
        }
        roles.push(Role::User);
        Some(roles)
    }
}

/// Hashes a password with argon2id and a random salt (PHC string format).
pub fn hash_password(password: &str) -> Result<String, DomainError> {
    let salt = SaltString::encode_b64(secret::generate(16).as_bytes())
        .map_err(|e| DomainError::BadInput(format!("cannot salt the password: {e}")))?;
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|hash| hash.to_string())
        .map_err(|e| DomainError::BadInput(format!("cannot hash the password: {e}")))
}

/// Whether `password` matches the stored PHC hash. CPU-bound (tens of milliseconds): request
/// paths call [`PasswordChecks::verify`], which runs it off the async workers.
fn verify_password(password: &str, stored: &str) -> bool {
    PasswordHash::new(stored).is_ok_and(|hash| {
        Argon2::default()
            .verify_password(password.as_bytes(), &hash)
            .is_ok()
    })
}

/// Password verification on the blocking pool, a few at a time: argon2 on the async workers
/// stalled every other request (four clients looping failed logins raised `/health` p50 from
/// 1.8 to 50 ms), and an unbounded number at once would take every core.
#[derive(Clone)]
struct PasswordChecks {
    permits: Arc<tokio::sync::Semaphore>,
}

impl PasswordChecks {
    /// At most half the cores (at least one) verify at once; the rest of the attempts wait.
    fn new() -> Self {
        let cores = std::thread::available_parallelism().map_or(1, usize::from);
        Self {
            permits: Arc::new(tokio::sync::Semaphore::new((cores / 2).max(1))),
        }
    }

    /// Whether `password` matches `stored`; a check that could not run is a mismatch.
    async fn verify(&self, password: &str, stored: &str) -> bool {
        // The semaphore is never closed; were it, the check would fail closed.
        let Ok(_permit) = self.permits.acquire().await else {
            return false;
        };
        let (password, stored) = (password.to_owned(), stored.to_owned());
        tokio::task::spawn_blocking(move || verify_password(&password, &stored))
            .await
            .unwrap_or(false)
    }
}

/// The longest sign-in name looked up (user ids and e-mail addresses are far shorter).
const MAX_NAME_LEN: usize = 320;

/// The answer to a sign-in the throttle refused.
fn refusal(refused: Refused) -> DomainError {
    let minutes = |wait: std::time::Duration| wait.as_secs().div_ceil(60).max(1);
    DomainError::Forbidden(match refused {
        Refused::Account(wait) => format!(
            "too many failed sign-ins for this account from here; try again in {} minute(s)",
            minutes(wait)
        ),
        Refused::Client(wait) => format!(
            "too many failed sign-ins from this address; try again in {} minute(s)",
            minutes(wait)
        ),
    })
}

/// Account rules over `users`.
#[derive(Clone)]
pub struct AccountService {
    db: DatabaseConnection,
    throttle: Arc<LoginThrottle>,
    checks: PasswordChecks,
    /// Verified against when the name is unknown, so a miss costs what a hit costs.
    decoy: Arc<str>,
}

impl AccountService {
    /// A service over `db`, throttling failed passwords with `throttle`.
    pub fn new(db: DatabaseConnection, throttle: Arc<LoginThrottle>) -> Result<Self, DomainError> {
        let decoy = hash_password(&secret::generate(GENERATED_PASSWORD_LEN))?;
        Ok(Self {
            db,
            throttle,
            checks: PasswordChecks::new(),
            decoy: decoy.into(),
        })
    }

    /// The user signing in with `name` (their user id or e-mail) and `password`, from
    /// `client` (its address, when known), within the login throttle's limits.
    #[tracing::instrument(skip_all, err)]
    pub async fn login(
        &self,
        name: &str,
        password: &str,
        client: Option<&str>,
    ) -> Result<user::Model, DomainError> {
        let name = name.trim();
        self.throttle.check_client(client).map_err(refusal)?;
        if name.len() > MAX_NAME_LEN {
            return Err(DomainError::Unauthenticated);
        }
        let found = user::Entity::find()
            .filter(
                user::Column::ExternalId
                    .eq(name)
                    .or(user::Column::Email.eq(name.to_lowercase())),
            )
            .one(&self.db)
            .await?;
        // Failures count against the account, whichever of its names was typed.
        let account = found.as_ref().map_or_else(
            || format!("name:{}", secret::sha256_hex(&name.to_lowercase())),
            |u| u.id.to_string(),
        );
        let delay = self.throttle.attempt(&account, client).map_err(refusal)?;
        if !delay.is_zero() {
            tokio::time::sleep(delay).await;
        }
        let stored = found.as_ref().and_then(|u| u.password_hash.clone());
        let matches = self
            .checks
            .verify(password, stored.as_deref().unwrap_or(&self.decoy))
            .await;
        match found {
            Some(account_row) if matches && stored.is_some() => {
                if !account_row.active {
                    return Err(DomainError::Forbidden(
                        "this account is deactivated; ask an administrator".into(),
                    ));
                }
                self.throttle.succeeded(&account, client);
                Ok(account_row)
            }
            // Counted as a failure when it was attempted.
            _ => Err(DomainError::Unauthenticated),
        }
    }

    /// Creates a local account named by `email` (its sign-in name), with `roles` and the
    /// platform's new-user limits, and no password yet: [`issue_setup`](Self::issue_setup)
    /// gives the secret that sets one. An e-mail already in use is a conflict.
    #[tracing::instrument(skip_all, err)]
    pub async fn create_local(
        &self,
        email: &str,
        display_name: Option<String>,
        roles: &[Role],
    ) -> Result<user::Model, DomainError> {
        let email = email.trim().to_lowercase();
        let plausible = email.len() <= MAX_NAME_LEN
            && email
                .split_once('@')
                .is_some_and(|(local, domain)| !local.is_empty() && domain.contains('.'))
            && !email.chars().any(|c| c.is_whitespace() || c.is_control());
        if !plausible {
            return Err(DomainError::BadInput(format!(
                "`{email}` is not an e-mail address"
            )));
        }
        if roles.is_empty() {
            return Err(DomainError::BadInput(
                "a user needs at least one role".into(),
            ));
        }
        let taken = user::Entity::find()
            .filter(
                user::Column::ExternalId
                    .eq(email.as_str())
                    .or(user::Column::Email.eq(email.as_str())),
            )
            .one(&self.db)
            .await?;
        if taken.is_some() {
            return Err(DomainError::Conflict(format!(
                "a user with {email} already exists"
            )));
        }
        let now = Utc::now();
        let mut fresh = user::ActiveModel {
            id: Set(Uuid::new_v4()),
            external_id: Set(email.clone()),
            email: Set(Some(email)),
            display_name: Set(display_name
                .map(|n| n.trim().to_owned())
                .filter(|n| !n.is_empty())),
            roles: Set(Role::to_json(roles)),
            active: Set(true),
            spend_nanos: Set(0),
            metadata: Set(json!({})),
            created_at: Set(now),
            updated_at: Set(now),
            ..Default::default()
        };
        crate::settings::new_user_defaults(&self.db, &mut fresh).await?;
        Ok(fresh.insert(&self.db).await?)
    }

    /// A one-time secret with which `user` (a local account) sets their password, working
    /// for [`SETUP_HOURS`]; it replaces any earlier one. Only its hash is stored.
    #[tracing::instrument(skip(self), err)]
    pub async fn issue_setup(
        &self,
        user: Uuid,
    ) -> Result<(String, chrono::DateTime<Utc>), DomainError> {
        let row = user::Entity::find_by_id(user)
            .one(&self.db)
            .await?
            .ok_or_else(|| DomainError::NotFound("no such user".into()))?;
        if row.oidc_subject.is_some() {
            return Err(DomainError::BadInput(
                "this user signs in through single sign-on and has no password here".into(),
            ));
        }
        let random = secret::generate(SETUP_SECRET_LEN);
        let expires = Utc::now() + chrono::Duration::hours(SETUP_HOURS);
        let mut metadata = row.metadata.clone();
        if !metadata.is_object() {
            metadata = json!({});
        }
        metadata[SETUP_KEY] = json!({
            "hash": secret::sha256_hex(&random),
            "expires_at": expires.to_rfc3339(),
        });
        let mut active = row.into_active_model();
        active.metadata = Set(metadata);
        active.updated_at = Set(Utc::now());
        active.update(&self.db).await?;
        Ok((format!("{user}.{random}"), expires))
    }

    /// Sets the password of the local account a set-up secret (from [`issue_setup`]) belongs
    /// to; the secret stops working. Refused alike when the secret is unknown, used, expired
    /// or its account deactivated.
    ///
    /// [`issue_setup`]: Self::issue_setup
    #[tracing::instrument(skip_all, err)]
    pub async fn complete_setup(
        &self,
        setup: &str,
        password: &str,
    ) -> Result<user::Model, DomainError> {
        if password.chars().count() < MIN_PASSWORD_LEN {
            return Err(DomainError::BadInput(format!(
                "a password needs at least {MIN_PASSWORD_LEN} characters"
            )));
        }
        let refused = || DomainError::BadInput(SETUP_REFUSED.into());
        let (id, random) = setup.trim().split_once('.').ok_or_else(refused)?;
        let id = Uuid::parse_str(id).map_err(|_| refused())?;
        let row = user::Entity::find_by_id(id)
            .one(&self.db)
            .await?
            .ok_or_else(refused)?;
        let stored = &row.metadata[SETUP_KEY];
        let expires = stored["expires_at"]
            .as_str()
            .and_then(|t| chrono::DateTime::parse_from_rfc3339(t).ok());
        let valid = row.active
            && row.oidc_subject.is_none()
            && stored["hash"].as_str() == Some(secret::sha256_hex(random).as_str())
            && expires.is_some_and(|at| at > Utc::now());
        if !valid {
            return Err(refused());
        }
        let hash = hash_password(password)?;
        let mut metadata = row.metadata.clone();
        if let Some(map) = metadata.as_object_mut() {
            map.remove(SETUP_KEY);
        }
        let mut active = row.into_active_model();
        active.password_hash = Set(Some(hash));
        active.metadata = Set(metadata);
        active.updated_at = Set(Utc::now());
        Ok(active.update(&self.db).await?)
    }

    /// Creates the bootstrap administrator unless an administrator with a password exists.
    /// Returns the generated password, which the caller prints once.
    #[tracing::instrument(skip_all, err)]
    pub async fn bootstrap(&self, admin: Bootstrap) -> Result<Option<String>, DomainError> {
        // Replicas starting together take turns: only the first creates the administrator.
        let txn = crate::txn::begin_write(&self.db).await?;
        crate::turns::wait_for_turn(&txn, crate::turns::BOOTSTRAP).await?;
        let with_passwords = user::Entity::find()
            .filter(user::Column::PasswordHash.is_not_null())
            .all(&txn)
            .await?;
        if with_passwords
            .iter()
            .any(|u| Role::from_json(&u.roles).contains(&Role::Admin))
        {
            return Ok(None);
        }
        let (password, generated) = match admin.password {
            Some(given) if given.chars().count() >= MIN_PASSWORD_LEN => (given, false),
            Some(_) => {
                return Err(DomainError::BadInput(format!(
                    "the bootstrap admin password needs at least {MIN_PASSWORD_LEN} characters"
                )));
            }
            None => (secret::generate(GENERATED_PASSWORD_LEN), true),
        };
        let hash = hash_password(&password)?;
        let now = Utc::now();
        let existing = user::Entity::find()
            .filter(user::Column::ExternalId.eq(admin.name.as_str()))
            .one(&txn)
            .await?;
        match existing {
            Some(row) => {
                let mut roles = Role::from_json(&row.roles);
                roles.push(Role::Admin);
                let mut active = row.into_active_model();
                active.password_hash = Set(Some(hash));
                active.roles = Set(Role::to_json(&roles));
                active.updated_at = Set(now);
                active.update(&txn).await?;
            }
            None => {
                user::ActiveModel {
                    id: Set(Uuid::new_v4()),
                    external_id: Set(admin.name.clone()),
                    email: Set(admin.name.contains('@').then(|| admin.name.to_lowercase())),
                    display_name: Set(Some("Administrator".into())),
                    password_hash: Set(Some(hash)),
                    roles: Set(Role::to_json(&[Role::Admin, Role::User])),
                    active: Set(true),
                    spend_nanos: Set(0),
                    metadata: Set(json!({})),
                    created_at: Set(now),
                    updated_at: Set(now),
                    ..Default::default()
                }
                .insert(&txn)
                .await?;
            }
        }
        txn.commit().await?;
        Ok(generated.then_some(password))
    }

    /// The user a provider sign-in belongs to, created on first sight; their roles are
    /// recomputed from `profile.groups`, so a group removed at the provider removes the role.
    #[tracing::instrument(skip_all, fields(issuer = %profile.issuer), err)]
    pub async fn sign_in_oidc(
        &self,
        profile: &OidcProfile,
        mapping: &RoleMapping,
    ) -> Result<user::Model, DomainError> {
        let roles = mapping.roles_for(&profile.groups).ok_or_else(|| {
            DomainError::Forbidden(
                "your account is not in a group allowed to use this portal".into(),
            )
        })?;
        let email = profile.email.as_deref().map(str::to_lowercase);
        let by_subject = user::Entity::find()
            .filter(user::Column::OidcIssuer.eq(profile.issuer.as_str()))
            .filter(user::Column::OidcSubject.eq(profile.subject.as_str()))
            .one(&self.db)
            .await?;
        // A verified e-mail links an account no provider has signed in before: a user
        // provisioned by e-mail through the admin API.
        let found = match (by_subject, &email) {
            (Some(row), _) => Some(row),
            (None, Some(address)) if profile.email_verified => {
                user::Entity::find()
                    .filter(
                        user::Column::Email
                            .eq(address.as_str())
                            .or(user::Column::ExternalId.eq(address.as_str())),
                    )
                    .one(&self.db)
                    .await?
            }
            (None, _) => None,
        };
        // An account already linked to another person at a provider is never re-bound by an
        // e-mail address: whoever controls that address elsewhere would take it over.
        if let Some(existing) = &found
            && existing.oidc_subject.is_some()
            && (existing.oidc_subject.as_deref() != Some(profile.subject.as_str())
                || existing.oidc_issuer.as_deref() != Some(profile.issuer.as_str()))
        {
            return Err(DomainError::Forbidden(
                "this e-mail address belongs to an account linked to another sign-in; ask an \
                 administrator"
                    .into(),
            ));
        }
        let now = Utc::now();
        let is_new = found.is_none();
        let mut row = match found {
            Some(existing) => {
                if !existing.active {
                    return Err(DomainError::Forbidden(
                        "this account is deactivated; ask an administrator".into(),
                    ));
                }
                existing.into_active_model()
            }
            None => {
                let mut fresh = user::ActiveModel {
                    id: Set(Uuid::new_v4()),
                    external_id: Set(self.new_external_id(profile, email.as_deref()).await?),
                    active: Set(true),
                    spend_nanos: Set(0),
                    metadata: Set(json!({})),
                    created_at: Set(now),
                    ..Default::default()
                };
                crate::settings::new_user_defaults(&self.db, &mut fresh).await?;
                fresh
            }
        };
        row.oidc_issuer = Set(Some(profile.issuer.clone()));
        row.oidc_subject = Set(Some(profile.subject.clone()));
        if email.is_some() {
            row.email = Set(email);
        }
        if profile.name.is_some() {
            row.display_name = Set(profile.name.clone());
        }
        row.roles = Set(Role::to_json(&roles));
        row.updated_at = Set(now);
        Ok(if is_new {
            row.insert(&self.db).await?
        } else {
            row.update(&self.db).await?
        })
    }

    /// The `external_id` of a new SSO user: their e-mail when free, else issuer-scoped subject.
    async fn new_external_id(
        &self,
        profile: &OidcProfile,
        email: Option<&str>,
    ) -> Result<String, DomainError> {
        if let Some(address) = email {
            let taken = user::Entity::find()
                .filter(user::Column::ExternalId.eq(address))
                .one(&self.db)
                .await?
                .is_some();
            if !taken {
                return Ok(address.to_owned());
            }
        }
        Ok(format!("{}#{}", profile.issuer, profile.subject))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn groups(names: &[&str]) -> Vec<String> {
        names.iter().map(|s| (*s).to_owned()).collect()
    }

    #[test]
    fn groups_map_to_roles_and_the_gate_keeps_others_out() {
        let mapping = RoleMapping {
            admin_groups: groups(&["ops"]),
            readonly_groups: groups(&["audit"]),
            allowed_groups: groups(&["staff"]),
        };
        assert_eq!(
            mapping.roles_for(&groups(&["staff"])),
            Some(vec![Role::User])
        );
        assert_eq!(
            mapping.roles_for(&groups(&["ops", "audit"])),
            Some(vec![Role::Admin, Role::AdminReadonly, Role::User])
        );
        assert_eq!(mapping.roles_for(&groups(&["visitors"])), None);
        assert_eq!(
            RoleMapping::default().roles_for(&[]),
            Some(vec![Role::User]),
            "no gate: everyone is a user"
        );
    }

    #[test]
    fn passwords_hash_with_argon2id_and_verify() {
        let hash = hash_password("correct horse battery").unwrap();
        assert!(hash.starts_with("$argon2id$"));
        assert!(verify_password("correct horse battery", &hash));
        assert!(!verify_password("wrong", &hash));
        assert!(!verify_password("x", "not a hash"));
    }
}
