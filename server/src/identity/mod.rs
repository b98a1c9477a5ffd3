//! Identity on the server side: who is calling (session cookie, personal access token or
//! master key), where a request came from (the origin check against CSRF), single sign-on
//! (`provider`: an OpenID provider in `oidc` or OpenShift's OAuth server in `openshift`, over
//! what they share in `sso`); its `/auth/*` routes are in `crate::routes::auth`.

pub mod oidc;
pub mod openshift;
pub mod provider;
pub mod sso;

use std::sync::Arc;

use axum::http::{HeaderMap, header};
use schema::DomainError;
use schema::identity::{
    CSRF_HEADER, Caller, Credential, IdentityServices, SessionService, TOKEN_PREFIX, principal_of,
};
use secrecy::{ExposeSecret, SecretString};

use provider::SingleSignOn;
use schema::secret::sha256;

/// Why a request's credentials were not accepted.
#[derive(Debug, thiserror::Error)]
pub enum AuthError {
    /// A bearer credential was presented but is not valid.
    #[error("{0}")]
    BadCredential(&'static str),
    /// A cookie-carrying request came from another site.
    #[error("this request came from another site ({0}); it is refused")]
    CrossOrigin(String),
    /// Storage failed.
    #[error("internal error; the server log has the details")]
    Internal(#[source] DomainError),
}

/// Resolves callers and holds the sign-in machinery.
pub struct Identity {
    /// Accounts, sessions and tokens (shared with the GraphQL schema).
    pub services: IdentityServices,
    /// Single sign-on, when configured.
    pub sso: Option<Arc<SingleSignOn>>,
    master_hash: Option<[u8; 32]>,
    /// `scheme://host[:port]` of the portal, when configured.
    public_origin: Option<String>,
}

impl std::fmt::Debug for Identity {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Identity")
            .field("sso", &self.sso.is_some())
            .field("public_origin", &self.public_origin)
            .finish_non_exhaustive()
    }
}

/// The `Authorization: Bearer` value, if any.
fn bearer(headers: &HeaderMap) -> Option<&str> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    scheme.eq_ignore_ascii_case("bearer").then(|| token.trim())
}

/// `scheme://host[:port]` of a URL.
fn origin_of(url: &str) -> String {
    let (scheme, rest) = url.split_once("://").unwrap_or(("http", url));
    let host = rest.split('/').next().unwrap_or_default();
    format!(
        "{}://{}",
        scheme.to_ascii_lowercase(),
        host.to_ascii_lowercase()
    )
}

impl Identity {
    /// Identity over `services`, with the master key and optional single sign-on.
    pub fn new(
        services: IdentityServices,
        sso: Option<Arc<SingleSignOn>>,
        master_key: Option<&SecretString>,
        public_url: Option<&str>,
    ) -> Self {
        Self {
            services,
            sso,
            master_hash: master_key.map(|k| sha256(k.expose_secret())),
            public_origin: public_url.map(origin_of),
        }
    }

    /// Whether the request's `Origin` (when the browser sent one) is the portal's own.
    /// Without a configured public URL the portal's origin is the request's `Host`.
    pub fn same_origin(&self, headers: &HeaderMap) -> Result<(), AuthError> {
        let Some(origin) = headers.get(header::ORIGIN).and_then(|v| v.to_str().ok()) else {
            return Ok(());
        };
        let origin = origin_of(origin);
        let allowed = match &self.public_origin {
            Some(expected) => *expected == origin,
            None => headers
                .get(header::HOST)
                .and_then(|v| v.to_str().ok())
                .is_some_and(|host| {
                    origin.split_once("://").map(|(_, h)| h) == Some(&host.to_ascii_lowercase())
                }),
        };
        if allowed {
            Ok(())
        } else {
            Err(AuthError::CrossOrigin(origin))
        }
    }

    /// Whether the request carries a bearer credential (which a browser never sends on its
    /// own, so cross-site forgery does not apply to it).
    pub fn has_bearer(headers: &HeaderMap) -> bool {
        bearer(headers).is_some()
    }

    /// The session cookie a request carries, under this server's cookie name.
    pub fn session_cookie<'a>(&self, headers: &'a HeaderMap) -> Option<&'a str> {
        let cookies = headers
            .get_all(header::COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok());
        self.services.cookies.session_in(cookies)
    }

    /// The caller of a request: a bearer token or the master key, else the session cookie,
    /// else anonymous. A bad bearer credential is an error; a stale cookie is anonymous.
    pub async fn caller(&self, headers: &HeaderMap) -> Result<Caller, AuthError> {
        if let Some(token) = bearer(headers) {
            return self.bearer_caller(token).await;
        }
        let session_id = self.session_cookie(headers);
        let Some(session_id) = session_id else {
            return Ok(Caller::anonymous());
        };
        let found = self
            .services
            .sessions
            .resolve(session_id)
            .await
            .map_err(AuthError::Internal)?;
        let Some((session, user)) = found else {
            return Ok(Caller::anonymous());
        };
        let csrf = headers
            .get(CSRF_HEADER)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|token| SessionService::csrf_matches(&session, token));
        Ok(Caller {
            principal: Some(principal_of(&user)),
            credential: Credential::Session {
                id_hash: session.id_hash,
                csrf,
            },
        })
    }

    /// Whether `caller` still holds what it was given: its session or token is live, its
    /// user active and their roles unchanged. A connection that outlives a request (a live
    /// feed) asks this again and again; the master key and anonymous callers always hold.
    pub async fn still_holds(&self, caller: &Caller) -> Result<bool, AuthError> {
        let holder = match &caller.credential {
            Credential::Anonymous | Credential::MasterKey => return Ok(true),
            Credential::Session { id_hash, .. } => self.services.sessions.holder(id_hash).await,
            Credential::Token { id, .. } => self.services.tokens.holder(*id).await,
        }
        .map_err(AuthError::Internal)?;
        Ok(match (holder, &caller.principal) {
            (Some(user), Some(principal)) => {
                let now = principal_of(&user);
                now.user_id == principal.user_id
                    && now.roles.len() == principal.roles.len()
                    && now.roles.iter().all(|role| principal.roles.contains(role))
            }
            _ => false,
        })
    }

    /// The caller for a bearer credential: the master key or a personal access token.
    pub async fn bearer_caller(&self, token: &str) -> Result<Caller, AuthError> {
        if self
            .master_hash
            .is_some_and(|master| master == sha256(token))
        {
            return Ok(Caller::master_key());
        }
        if !token.starts_with(TOKEN_PREFIX) {
            return Err(AuthError::BadCredential(
                "GraphQL takes a personal access token (syp_…) or the master key as Bearer",
            ));
        }
        let found = self
            .services
            .tokens
            .verify(token)
            .await
            .map_err(AuthError::Internal)?;
        let (row, user) = found.ok_or(AuthError::BadCredential(
            "this access token is unknown, expired or revoked",
        ))?;
        Ok(Caller {
            principal: Some(principal_of(&user)),
            credential: Credential::Token {
                id: row.id,
                write: schema::identity::token_writes(&row),
            },
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn headers(pairs: &[(header::HeaderName, &str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.append(name.clone(), HeaderValue::from_str(value).unwrap());
        }
        map
    }

    #[test]
    fn origins_are_scheme_and_host() {
        assert_eq!(
            origin_of("https://Portal.example.com/x/y"),
            "https://portal.example.com"
        );
        assert_eq!(origin_of("http://127.0.0.1:4000"), "http://127.0.0.1:4000");
    }

    #[test]
    fn bearer_values_are_read_case_insensitively() {
        let map = headers(&[(header::AUTHORIZATION, "bearer syp_abc ")]);
        assert_eq!(bearer(&map), Some("syp_abc"));
        assert_eq!(
            bearer(&headers(&[(header::AUTHORIZATION, "Basic x")])),
            None
        );
    }
}
