//! Identity: accounts (local and single sign-on), single sign-on logins in flight, sessions,
//! personal access tokens, login throttling and the cookies they travel in. What a caller may
//! do is `crate::access`, re-exported here for the server.

mod accounts;
mod admin;
mod cookies;
mod gate;
mod graphql;
mod login_states;
mod one_login;
mod sessions;
mod throttle;
mod tokens;

pub use crate::access::{Caller, Credential, Needs, Permission, Principal, Role, caller};
pub use accounts::{AccountService, Bootstrap, OidcProfile, RoleMapping};
pub use admin::IdentityAdminMutation;
pub use cookies::{
    CSRF_COOKIE, CSRF_HEADER, CookiePolicy, LOGIN_COOKIE, SESSION_COOKIE, read_cookie,
};
pub use gate::WriteGate;
pub use graphql::{
    AuthSettings, ClientInfo, EndSession, IdentityMutation, IdentityOptions, IdentityQuery,
    IdentityServices, principal_of,
};
pub use login_states::{LOGIN_TTL, LoginStateService, NewLoginState, PendingLogin};
pub use one_login::OneLogin;
pub use sessions::{NewSession, SessionLifetime, SessionService, SignedIn};
pub use throttle::LoginThrottle;
pub use tokens::{TOKEN_PREFIX, TokenService, writes as token_writes};
