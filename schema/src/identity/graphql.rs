//! GraphQL for identity: who am I, local sign-in and sign-out, my tokens and my sessions.
//!
//! Sign-in sets the session cookies through the HTTP response (`login` over HTTP only); the
//! server's single sign-on routes (`/auth/login`, `/auth/callback`) set the same cookies.

use std::sync::Arc;
use std::time::Duration;

use async_graphql::{
    Context, Enum, ErrorExtensions, ID, InputObject, Object, Result, SimpleObject,
};
use chrono::{DateTime, Utc};
use entity::{personal_access_token as pat, session};
use sea_orm::DatabaseConnection;

use super::{
    AccountService, CookiePolicy, Credential, LoginThrottle, Needs, NewSession, Permission,
    Principal, Role, SessionLifetime, SessionService, TokenService, caller, tokens,
};
use crate::DomainError;

/// Where a signed-out browser goes next, given the ID token its session kept: the provider's
/// end-session endpoint when single sign-on is configured. Implemented by the server.
pub trait EndSession: Send + Sync {
    /// The URL to send the browser to, if the provider has one.
    fn url(&self, id_token_hint: Option<&str>) -> Option<String>;
}

/// How people may sign in here, for the sign-in page.
#[derive(SimpleObject, Clone, Debug, Default)]
pub struct AuthSettings {
    /// Local accounts (name and password) are on.
    pub local_login: bool,
    /// Single sign-on is configured; start it at `/auth/login`.
    pub single_sign_on: bool,
    /// What the single sign-on button says.
    pub provider_name: Option<String>,
}

/// The identity services the schema needs, attached as data.
#[derive(Clone)]
pub struct IdentityServices {
    pub accounts: AccountService,
    pub sessions: SessionService,
    pub tokens: TokenService,
    pub cookies: CookiePolicy,
    pub settings: AuthSettings,
    pub end_session: Option<Arc<dyn EndSession>>,
}

/// How the identity services are set up.
pub struct IdentityOptions {
    /// How long sessions last.
    pub lifetime: SessionLifetime,
    /// How cookies are written.
    pub cookies: CookiePolicy,
    /// How people may sign in.
    pub settings: AuthSettings,
    /// The provider's end-session endpoint, with single sign-on.
    pub end_session: Option<Arc<dyn EndSession>>,
    /// Failed-password throttling.
    pub throttle: LoginThrottle,
}

impl Default for IdentityOptions {
    /// Eight idle hours, seven days at most, five failed passwords per quarter hour, local
    /// accounts on.
    fn default() -> Self {
        Self {
            lifetime: SessionLifetime {
                idle: Duration::from_secs(8 * 3600),
                absolute: Duration::from_secs(7 * 24 * 3600),
            },
            cookies: CookiePolicy::default(),
            settings: AuthSettings {
                local_login: true,
                ..AuthSettings::default()
            },
            end_session: None,
            throttle: LoginThrottle::new(5, 30, Duration::from_secs(15 * 60)),
        }
    }
}

impl IdentityServices {
    /// The services over `db`.
    pub fn new(db: DatabaseConnection, options: IdentityOptions) -> Result<Self, DomainError> {
        Ok(Self {
            accounts: AccountService::new(db.clone(), Arc::new(options.throttle))?,
            sessions: SessionService::new(db.clone(), options.lifetime),
            tokens: TokenService::new(db),
            cookies: options.cookies,
            settings: options.settings,
            end_session: options.end_session,
        })
    }
}

/// What the browser sent along with a request, recorded on sessions it starts.
#[derive(Clone, Debug, Default)]
pub struct ClientInfo {
    pub user_agent: Option<String>,
    pub ip: Option<String>,
}

/// How the caller authenticated.
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
pub enum AuthMethod {
    /// A browser session.
    Session,
    /// A personal access token.
    Token,
    /// The master key.
    MasterKey,
}

/// The signed-in caller.
#[derive(SimpleObject, Clone, Debug)]
pub struct Me {
    /// The user's id; null for the master key, which is no user.
    pub user_id: Option<ID>,
    /// What to call them.
    pub name: String,
    /// Their roles.
    pub roles: Vec<Role>,
    /// What this credential lets them do.
    pub permissions: Vec<Permission>,
    /// How they authenticated.
    pub auth_method: AuthMethod,
}

/// A personal access token, without its secret.
#[derive(SimpleObject, Clone, Debug)]
pub struct AccessToken {
    pub id: ID,
    pub name: String,
    /// False: the token can only read.
    pub can_write: bool,
    pub created_at: DateTime<Utc>,
    pub expires_at: Option<DateTime<Utc>>,
    pub last_used_at: Option<DateTime<Utc>>,
    pub revoked_at: Option<DateTime<Utc>>,
}

impl From<pat::Model> for AccessToken {
    fn from(row: pat::Model) -> Self {
        Self {
            id: ID(row.id.to_string()),
            can_write: tokens::writes(&row),
            name: row.name,
            created_at: row.created_at,
            expires_at: row.expires_at,
            last_used_at: row.last_used_at,
            revoked_at: row.revoked_at,
        }
    }
}

/// A token just created: its secret appears here once and never again.
#[derive(SimpleObject, Clone, Debug)]
pub struct CreatedAccessToken {
    pub token: AccessToken,
    /// The token itself (`syp_…`): store it now.
    pub secret: String,
}

/// A browser session of mine.
#[derive(SimpleObject, Clone, Debug)]
pub struct BrowserSession {
    /// An opaque id, for `revokeSession` (or an administrator's `endUserSession`).
    pub id: ID,
    /// The session making this request.
    pub current: bool,
    pub user_agent: Option<String>,
    pub ip: Option<String>,
    pub created_at: DateTime<Utc>,
    pub last_seen_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
}

pub(super) fn browser_session(row: session::Model, current: Option<&str>) -> BrowserSession {
    BrowserSession {
        current: current == Some(row.id_hash.as_str()),
        id: ID(row.id_hash),
        user_agent: row.user_agent,
        ip: row.ip,
        created_at: row.created_at,
        last_seen_at: row.last_seen_at,
        expires_at: row.expires_at.min(row.idle_expires_at),
    }
}

/// Where to go after signing out.
#[derive(SimpleObject, Clone, Debug)]
pub struct SignedOut {
    /// The provider's end-session URL, or the portal's root.
    pub redirect_to: String,
}

pub(super) fn services<'a>(ctx: &'a Context<'_>) -> Result<&'a IdentityServices> {
    ctx.data::<IdentityServices>()
}

fn me(principal: &Principal, credential: &Credential, permissions: Vec<Permission>) -> Me {
    Me {
        user_id: principal.user_id.map(|id| ID(id.to_string())),
        name: principal.name.clone(),
        roles: principal.roles.clone(),
        permissions,
        auth_method: match credential {
            Credential::Token { .. } => AuthMethod::Token,
            Credential::MasterKey => AuthMethod::MasterKey,
            Credential::Session { .. } | Credential::Anonymous => AuthMethod::Session,
        },
    }
}

pub(super) fn current_session(credential: &Credential) -> Option<&str> {
    match credential {
        Credential::Session { id_hash, .. } => Some(id_hash),
        _ => None,
    }
}

use crate::convert::gql_id as parse_id;

/// Identity queries.
#[derive(Default)]
pub struct IdentityQuery;

#[Object]
impl IdentityQuery {
    /// How people may sign in here. Public.
    async fn auth_settings(&self, ctx: &Context<'_>) -> Result<AuthSettings> {
        Ok(services(ctx)?.settings.clone())
    }

    /// The caller, or null when not signed in.
    async fn me(&self, ctx: &Context<'_>) -> Option<Me> {
        let caller = caller(ctx);
        let principal = caller.principal.as_ref()?;
        Some(me(principal, &caller.credential, caller.permissions()))
    }

    /// My personal access tokens, newest first.
    #[graphql(guard = "Needs(Permission::ReadOwn)")]
    async fn my_tokens(&self, ctx: &Context<'_>) -> Result<Vec<AccessToken>> {
        let user = caller(ctx)
            .require_user(Permission::ReadOwn)
            .map_err(|e| e.extend())?;
        let rows = services(ctx)?
            .tokens
            .list(user)
            .await
            .map_err(|e| e.extend())?;
        Ok(rows.into_iter().map(AccessToken::from).collect())
    }

    /// A user's personal access tokens, newest first (administrators).
    #[graphql(guard = "Needs(Permission::ReadAll)")]
    async fn user_tokens(&self, ctx: &Context<'_>, user_id: ID) -> Result<Vec<AccessToken>> {
        let rows = services(ctx)?
            .tokens
            .list(parse_id(&user_id)?)
            .await
            .map_err(|e| e.extend())?;
        Ok(rows.into_iter().map(AccessToken::from).collect())
    }

    /// A user's signed-in browser sessions, newest first (administrators).
    #[graphql(guard = "Needs(Permission::ReadAll)")]
    async fn user_sessions(&self, ctx: &Context<'_>, user_id: ID) -> Result<Vec<BrowserSession>> {
        let caller = caller(ctx);
        let rows = services(ctx)?
            .sessions
            .list(parse_id(&user_id)?)
            .await
            .map_err(|e| e.extend())?;
        let current = current_session(&caller.credential);
        Ok(rows
            .into_iter()
            .map(|row| browser_session(row, current))
            .collect())
    }

    /// My signed-in browser sessions, newest first.
    #[graphql(guard = "Needs(Permission::ReadOwn)")]
    async fn my_sessions(&self, ctx: &Context<'_>) -> Result<Vec<BrowserSession>> {
        let caller = caller(ctx);
        let user = caller
            .require_user(Permission::ReadOwn)
            .map_err(|e| e.extend())?;
        let rows = services(ctx)?
            .sessions
            .list(user)
            .await
            .map_err(|e| e.extend())?;
        let current = current_session(&caller.credential);
        Ok(rows
            .into_iter()
            .map(|row| browser_session(row, current))
            .collect())
    }
}

/// A local account just made, and the one-time secret with which its owner chooses a
/// password.
#[derive(SimpleObject)]
pub struct CreatedUser {
    pub user: crate::users::User,
    #[graphql(flatten)]
    pub setup: PasswordSetup,
}

/// A one-time way for a local account's owner to choose a password: they open
/// `/set-password#<setupSecret>` before `expiresAt`. Shown once; a new one replaces it.
#[derive(SimpleObject)]
pub struct PasswordSetup {
    pub setup_secret: String,
    pub expires_at: DateTime<Utc>,
}

/// A local account to make.
#[derive(InputObject)]
pub struct CreateUserInput {
    /// Their e-mail address, which is also the name they sign in with.
    pub email: String,
    pub display_name: Option<String>,
    pub roles: Vec<Role>,
    /// Left out: the platform's new-user limits.
    pub limits: Option<crate::limits::LimitsInput>,
}

/// Local accounts are on, or a refusal saying they are not.
fn local_accounts(identity: &IdentityServices) -> Result<()> {
    if identity.settings.local_login {
        Ok(())
    } else {
        Err(DomainError::Forbidden(
            "local accounts are off here; people sign in with single sign-on".into(),
        )
        .extend())
    }
}

/// Identity mutations.
#[derive(Default)]
pub struct IdentityMutation;

#[Object]
impl IdentityMutation {
    /// Makes a local account with no password yet, and the one-time secret with which its
    /// owner chooses one (administrators; local accounts on).
    #[graphql(guard = "Needs(Permission::WriteAll)")]
    async fn create_user(&self, ctx: &Context<'_>, input: CreateUserInput) -> Result<CreatedUser> {
        let identity = services(ctx)?;
        local_accounts(identity)?;
        let limits = input
            .limits
            .map(|l| l.into_changes())
            .transpose()
            .map_err(|e| e.extend())?;
        let mut row = identity
            .accounts
            .create_local(&input.email, input.display_name, &input.roles)
            .await
            .map_err(|e| e.extend())?;
        if let Some(limits) = limits {
            let actor = caller(ctx).principal.as_ref().and_then(|p| p.user_id);
            let update = crate::users::UserUpdate {
                limits,
                ..Default::default()
            };
            row = ctx
                .data::<crate::users::UserAdmin>()?
                .update(actor, row.id, update)
                .await
                .map_err(|e| e.extend())?;
        }
        let (setup_secret, expires_at) = identity
            .accounts
            .issue_setup(row.id)
            .await
            .map_err(|e| e.extend())?;
        Ok(CreatedUser {
            user: row.into(),
            setup: PasswordSetup {
                setup_secret,
                expires_at,
            },
        })
    }

    /// A new one-time secret for a local account's owner to choose a password (a lost or
    /// expired one; the earlier secret stops working). Administrators.
    #[graphql(guard = "Needs(Permission::WriteAll)")]
    async fn password_setup(&self, ctx: &Context<'_>, user_id: ID) -> Result<PasswordSetup> {
        let identity = services(ctx)?;
        local_accounts(identity)?;
        let (setup_secret, expires_at) = identity
            .accounts
            .issue_setup(parse_id(&user_id)?)
            .await
            .map_err(|e| e.extend())?;
        Ok(PasswordSetup {
            setup_secret,
            expires_at,
        })
    }

    /// Chooses the password of a local account with the one-time secret an administrator
    /// gave its owner; the secret then stops working. Public: the secret is the credential.
    async fn set_password(
        &self,
        ctx: &Context<'_>,
        setup_secret: String,
        password: String,
    ) -> Result<bool> {
        let identity = services(ctx)?;
        local_accounts(identity)?;
        identity
            .accounts
            .complete_setup(&setup_secret, &password)
            .await
            .map_err(|e| e.extend())?;
        Ok(true)
    }

    /// Signs in with a local account (user id or e-mail, and password) and sets the session
    /// cookies. Over HTTP only.
    async fn login(&self, ctx: &Context<'_>, name: String, password: String) -> Result<Me> {
        let identity = services(ctx)?;
        if !identity.settings.local_login {
            return Err(DomainError::Forbidden(
                "local accounts are off here; sign in with single sign-on".into(),
            )
            .extend());
        }
        let client = ctx.data_opt::<ClientInfo>().cloned().unwrap_or_default();
        let account = identity
            .accounts
            .login(&name, &password, client.ip.as_deref())
            .await
            .map_err(|e| match e {
                DomainError::Unauthenticated => {
                    DomainError::BadInput("wrong user name or password".into()).extend()
                }
                other => other.extend(),
            })?;
        let signed_in = identity
            .sessions
            .create(NewSession {
                user_id: account.id,
                user_agent: client.user_agent,
                ip: client.ip,
                id_token_hint: None,
            })
            .await
            .map_err(|e| e.extend())?;
        for cookie in
            identity
                .cookies
                .sign_in(&signed_in.session_id, &signed_in.csrf, signed_in.max_age)
        {
            ctx.append_http_header("set-cookie", cookie);
        }
        let principal = principal_of(&signed_in.user);
        let credential = Credential::Session {
            id_hash: String::new(),
            csrf: true,
        };
        let caller = super::Caller {
            principal: Some(principal.clone()),
            credential: credential.clone(),
        };
        Ok(me(&principal, &credential, caller.permissions()))
    }

    /// Ends this browser session (on every replica) and clears its cookies; `redirectTo` is
    /// where the browser goes next (the provider's end-session endpoint after single sign-on).
    async fn logout(&self, ctx: &Context<'_>) -> Result<SignedOut> {
        let caller = caller(ctx);
        let Some(id_hash) = current_session(&caller.credential) else {
            return Err(DomainError::BadInput(
                "logout ends browser sessions; revoke tokens with revokeAccessToken".into(),
            )
            .extend());
        };
        let user = caller
            .require_user(Permission::WriteOwn)
            .map_err(|e| e.extend())?;
        let identity = services(ctx)?;
        let ended = identity
            .sessions
            .revoke(user, id_hash)
            .await
            .map_err(|e| e.extend())?;
        for cookie in identity.cookies.sign_out() {
            ctx.append_http_header("set-cookie", cookie);
        }
        let redirect_to = identity
            .end_session
            .as_ref()
            .and_then(|end| end.url(ended.id_token_hint.as_deref()))
            .unwrap_or_else(|| "/".into());
        Ok(SignedOut { redirect_to })
    }

    /// Creates a personal access token; its secret is in the result and nowhere else, ever.
    /// `expiresIn` uses the duration grammar (`30d`, `12h`, `1mo`); without it the token does
    /// not expire. Only from a signed-in session: a token cannot make tokens.
    #[graphql(guard = "Needs(Permission::WriteOwn)")]
    async fn create_access_token(
        &self,
        ctx: &Context<'_>,
        name: String,
        #[graphql(default = false)] can_write: bool,
        expires_in: Option<String>,
    ) -> Result<CreatedAccessToken> {
        let caller = caller(ctx);
        let user = caller
            .require_user(Permission::WriteOwn)
            .map_err(|e| e.extend())?;
        // A token cannot mint tokens: a leaked one-hour token would otherwise make itself
        // permanent. Tokens are made from a signed-in browser session.
        if !matches!(caller.credential, Credential::Session { .. }) {
            return Err(DomainError::Forbidden(
                "personal access tokens are made from a signed-in session in the portal, not \
                 with another token"
                    .into(),
            )
            .extend());
        }
        let (row, secret) = services(ctx)?
            .tokens
            .create(user, &name, can_write, expires_in.as_deref())
            .await
            .map_err(|e| e.extend())?;
        Ok(CreatedAccessToken {
            token: row.into(),
            secret,
        })
    }

    /// Revokes one of my personal access tokens.
    #[graphql(guard = "Needs(Permission::WriteOwn)")]
    async fn revoke_access_token(&self, ctx: &Context<'_>, id: ID) -> Result<AccessToken> {
        let user = caller(ctx)
            .require_user(Permission::WriteOwn)
            .map_err(|e| e.extend())?;
        let row = services(ctx)?
            .tokens
            .revoke(user, parse_id(&id)?)
            .await
            .map_err(|e| e.extend())?;
        Ok(row.into())
    }

    /// Ends one of my browser sessions (another device, say).
    #[graphql(guard = "Needs(Permission::WriteOwn)")]
    async fn revoke_session(&self, ctx: &Context<'_>, id: ID) -> Result<BrowserSession> {
        let caller = caller(ctx);
        let user = caller
            .require_user(Permission::WriteOwn)
            .map_err(|e| e.extend())?;
        let row = services(ctx)?
            .sessions
            .revoke(user, &id)
            .await
            .map_err(|e| e.extend())?;
        Ok(browser_session(row, current_session(&caller.credential)))
    }
}

/// The principal a user row signs in as.
pub fn principal_of(user: &entity::user::Model) -> Principal {
    Principal {
        user_id: Some(user.id),
        name: user
            .display_name
            .clone()
            .unwrap_or_else(|| user.external_id.clone()),
        roles: Role::from_json(&user.roles),
    }
}
