//! Single sign-on with an OpenID provider: discovery (cached and refreshed), the authorization
//! code flow with PKCE (S256), state and nonce, ID token validation (signature, issuer,
//! audience, expiry, nonce), userinfo, and the provider's end-session endpoint.
//!
//! Login state lives in the database (`login_states`, hashed state, ten minutes, single use),
//! so a login started on one replica finishes on any other; its storage is
//! `schema::identity::LoginStateService`.

use std::sync::Arc;
use std::time::{Duration, Instant};

use arc_swap::ArcSwapOption;
use base64::Engine;
use openidconnect::core::{CoreAuthenticationFlow, CoreClient, CoreGenderClaim};
use openidconnect::{
    AccessTokenHash, AdditionalClaims, AuthorizationCode, ClientId, ClientSecret, CsrfToken,
    EndpointMaybeSet, EndpointNotSet, EndpointSet, IssuerUrl, LogoutRequest, Nonce,
    OAuth2TokenResponse, PkceCodeChallenge, PkceCodeVerifier, PostLogoutRedirectUrl,
    ProviderMetadataWithLogout, RedirectUrl, Scope, TokenResponse,
};
use schema::identity::{
    AccountService, EndSession, LoginStateService, NewLoginState, OidcProfile, PendingLogin,
    RoleMapping,
};
use secrecy::ExposeSecret;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::config::OidcConfig;

/// How long to wait for the provider.
const PROVIDER_TIMEOUT: Duration = Duration::from_secs(10);

type Client = CoreClient<
    EndpointSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointMaybeSet,
    EndpointMaybeSet,
>;

/// Every claim the provider sent, to read the configured groups claim from.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
struct OtherClaims {
    #[serde(flatten)]
    claims: serde_json::Map<String, Value>,
}

impl AdditionalClaims for OtherClaims {}

/// Why a single sign-on step failed. Messages are safe to show; they never carry tokens.
#[derive(Debug, thiserror::Error)]
pub enum OidcError {
    /// The provider's discovery document could not be read.
    #[error("the identity provider cannot be reached; try again shortly")]
    Discovery(String),
    /// The callback's `state` is unknown, expired, already used or another browser's.
    #[error(
        "this sign-in link is unknown, expired, already used or was started in another browser; \
         start again"
    )]
    UnknownState,
    /// Too many sign-ins are in flight.
    #[error("{0}")]
    Busy(String),
    /// The provider reported an error instead of a code.
    #[error("the identity provider refused the sign-in ({0})")]
    Refused(String),
    /// The code could not be exchanged (wrong, replayed or expired).
    #[error("the identity provider did not accept the sign-in code; start again")]
    Exchange(String),
    /// The ID token failed validation.
    #[error("the identity provider's answer failed validation; start again")]
    IdToken(String),
    /// Sign-in is not allowed for this person (gate, deactivated).
    #[error("{0}")]
    Denied(String),
    /// Storage failed.
    #[error("internal error; the server log has the details")]
    Internal(String),
}

impl From<schema::DomainError> for OidcError {
    fn from(error: schema::DomainError) -> Self {
        match error {
            schema::DomainError::Database(e) => Self::Internal(e.to_string()),
            schema::DomainError::Conflict(busy) => Self::Busy(busy),
            other => Self::Denied(other.to_string()),
        }
    }
}

struct Discovered {
    metadata: ProviderMetadataWithLogout,
    at: Instant,
}

/// A successful sign-in at the provider.
pub struct Verified {
    /// Who signed in.
    pub profile: OidcProfile,
    /// The raw ID token, kept as the end-session hint.
    pub id_token: String,
    /// Where the browser asked to go afterwards (a local path).
    pub redirect_to: String,
}

/// The OpenID relying party.
pub struct Oidc {
    config: OidcConfig,
    redirect: RedirectUrl,
    after_logout: String,
    http: reqwest::Client,
    discovered: ArcSwapOption<Discovered>,
    refreshing: tokio::sync::Mutex<()>,
    login_states: LoginStateService,
    accounts: AccountService,
    mapping: RoleMapping,
}

/// A local path to return to: anything else (another site, `//host`) becomes `/`.
pub fn local_path(wanted: Option<&str>) -> String {
    match wanted {
        Some(path)
            if path.starts_with('/')
                && !path.starts_with("//")
                && !path.contains('\\')
                && !path.chars().any(char::is_control) =>
        {
            path.to_owned()
        }
        _ => "/".into(),
    }
}

impl Oidc {
    /// A relying party for `config`, redirecting to `{public_base}/auth/callback`, keeping
    /// logins in flight in `login_states`.
    pub fn new(
        config: OidcConfig,
        public_base: &str,
        login_states: LoginStateService,
        accounts: AccountService,
    ) -> anyhow::Result<Self> {
        let redirect = RedirectUrl::new(format!("{public_base}/auth/callback"))?;
        // No redirects: the provider's endpoints answer directly (and SSRF stays impossible).
        let http = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .timeout(PROVIDER_TIMEOUT)
            .build()?;
        let mapping = RoleMapping {
            admin_groups: config.admin_groups.clone(),
            readonly_groups: config.readonly_groups.clone(),
            allowed_groups: config.allowed_groups.clone(),
        };
        Ok(Self {
            redirect,
            after_logout: format!("{public_base}/"),
            http,
            discovered: ArcSwapOption::empty(),
            refreshing: tokio::sync::Mutex::new(()),
            login_states,
            accounts,
            mapping,
            config,
        })
    }

    fn fresh(&self) -> Option<Arc<Discovered>> {
        let max_age = Duration::from_secs(self.config.discovery_refresh_minutes.max(1) * 60);
        self.discovered
            .load_full()
            .filter(|found| found.at.elapsed() < max_age)
    }

    /// The provider's metadata, discovered once and refreshed when older than configured.
    async fn metadata(&self) -> Result<Arc<Discovered>, OidcError> {
        if let Some(found) = self.fresh() {
            return Ok(found);
        }
        let _one_at_a_time = self.refreshing.lock().await;
        if let Some(found) = self.fresh() {
            return Ok(found);
        }
        let issuer = IssuerUrl::new(self.config.issuer_url.clone())
            .map_err(|e| OidcError::Discovery(e.to_string()))?;
        match ProviderMetadataWithLogout::discover_async(issuer, &self.http).await {
            Ok(metadata) => {
                let found = Arc::new(Discovered {
                    metadata,
                    at: Instant::now(),
                });
                self.discovered.store(Some(found.clone()));
                Ok(found)
            }
            Err(error) => {
                tracing::warn!(error = %error, "OIDC discovery failed");
                // A stale document beats none while the provider is briefly away.
                self.discovered
                    .load_full()
                    .ok_or_else(|| OidcError::Discovery(error.to_string()))
            }
        }
    }

    fn client(&self, metadata: &ProviderMetadataWithLogout) -> Client {
        let secret = self
            .config
            .client_secret
            .as_ref()
            .map(|s| ClientSecret::new(s.expose_secret().to_owned()));
        CoreClient::from_provider_metadata(
            metadata.clone(),
            ClientId::new(self.config.client_id.clone()),
            secret,
        )
        .set_redirect_uri(self.redirect.clone())
    }

    /// Starts a login for the browser bound by `browser`: stores its state and returns the
    /// provider URL to send the browser to.
    #[tracing::instrument(skip_all, err)]
    pub async fn begin(
        &self,
        redirect_to: Option<&str>,
        browser: &str,
    ) -> Result<String, OidcError> {
        let discovered = self.metadata().await?;
        let client = self.client(&discovered.metadata);
        let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
        let mut request = client
            .authorize_url(
                CoreAuthenticationFlow::AuthorizationCode,
                CsrfToken::new_random,
                Nonce::new_random,
            )
            .set_pkce_challenge(challenge);
        for scope in &self.config.scopes {
            request = request.add_scope(Scope::new(scope.clone()));
        }
        let (url, state, nonce) = request.url();
        self.login_states
            .start(NewLoginState {
                state: state.secret(),
                browser,
                pkce_verifier: verifier.secret().clone(),
                nonce: nonce.secret().clone(),
                redirect_to: local_path(redirect_to),
            })
            .await?;
        Ok(url.to_string())
    }

    /// Takes the login state for `state` of this browser, once: a second use (or another
    /// replica's, or another browser's) fails.
    async fn take_state(&self, state: &str, browser: &str) -> Result<PendingLogin, OidcError> {
        self.login_states
            .take(state, browser)
            .await?
            .ok_or(OidcError::UnknownState)
    }

    /// Finishes a login from the provider's callback, in the browser bound by `browser`,
    /// and returns the local user's profile.
    #[tracing::instrument(skip_all, err)]
    pub async fn finish(
        &self,
        code: &str,
        state: &str,
        browser: &str,
    ) -> Result<Verified, OidcError> {
        let pending = self.take_state(state, browser).await?;
        let discovered = self.metadata().await?;
        let client = self.client(&discovered.metadata);
        let response = client
            .exchange_code(AuthorizationCode::new(code.to_owned()))
            .map_err(|e| OidcError::Exchange(e.to_string()))?
            .set_pkce_verifier(PkceCodeVerifier::new(pending.pkce_verifier.clone()))
            .request_async(&self.http)
            .await
            .map_err(|e| OidcError::Exchange(e.to_string()))?;
        let id_token = response
            .id_token()
            .ok_or_else(|| OidcError::IdToken("the token response has no ID token".into()))?;
        let verifier = client.id_token_verifier();
        let claims = id_token
            .claims(&verifier, &Nonce::new(pending.nonce.clone()))
            .map_err(|e| OidcError::IdToken(e.to_string()))?;
        if let Some(expected) = claims.access_token_hash() {
            let algorithm = id_token
                .signing_alg()
                .map_err(|e| OidcError::IdToken(e.to_string()))?;
            let signing_key = id_token
                .signing_key(&verifier)
                .map_err(|e| OidcError::IdToken(e.to_string()))?;
            let actual =
                AccessTokenHash::from_token(response.access_token(), algorithm, signing_key)
                    .map_err(|e| OidcError::IdToken(e.to_string()))?;
            if actual != *expected {
                return Err(OidcError::IdToken(
                    "the access token hash does not match".into(),
                ));
            }
        }
        let raw = id_token.to_string();
        let mut profile = OidcProfile {
            issuer: claims.issuer().to_string(),
            subject: claims.subject().to_string(),
            email: claims.email().map(|e| e.to_string()),
            email_verified: claims.email_verified().unwrap_or(false),
            name: claims
                .name()
                .and_then(|n| n.get(None))
                .map(|n| n.to_string()),
            groups: groups_in(&id_token_payload(&raw), &self.config.groups_claim),
        };
        if let Ok(request) = client.user_info(
            response.access_token().clone(),
            Some(claims.subject().clone()),
        ) {
            let info = request
                .request_async::<OtherClaims, _, CoreGenderClaim>(&self.http)
                .await;
            match info {
                Ok(info) => {
                    if let Some(email) = info.email() {
                        profile.email = Some(email.to_string());
                        profile.email_verified = info.email_verified().unwrap_or(false);
                    }
                    if let Some(name) = info.name().and_then(|n| n.get(None)) {
                        profile.name = Some(name.to_string());
                    }
                    let claims = Value::Object(info.additional_claims().claims.clone());
                    if claims.get(&self.config.groups_claim).is_some() {
                        profile.groups = groups_in(&claims, &self.config.groups_claim);
                    }
                }
                Err(error) => {
                    tracing::warn!(error = %error, "OIDC userinfo failed; using the ID token's claims")
                }
            }
        }
        Ok(Verified {
            profile,
            id_token: raw,
            redirect_to: local_path(pending.redirect_to.as_deref()),
        })
    }

    /// The local user for a verified sign-in (created, linked or updated; roles recomputed).
    pub async fn user_for(&self, profile: &OidcProfile) -> Result<entity::user::Model, OidcError> {
        Ok(self.accounts.sign_in_oidc(profile, &self.mapping).await?)
    }
}

impl EndSession for Oidc {
    fn url(&self, id_token_hint: Option<&str>) -> Option<String> {
        let discovered = self.discovered.load_full()?;
        let endpoint = discovered
            .metadata
            .additional_metadata()
            .end_session_endpoint
            .clone()?;
        let mut request = LogoutRequest::from(endpoint)
            .set_client_id(ClientId::new(self.config.client_id.clone()));
        if let Ok(after) = PostLogoutRedirectUrl::new(self.after_logout.clone()) {
            request = request.set_post_logout_redirect_uri(after);
        }
        let mut url = request.http_get_url();
        if let Some(hint) = id_token_hint {
            url.query_pairs_mut().append_pair("id_token_hint", hint);
        }
        Some(url.to_string())
    }
}

/// The claims of a compact JWT, read without checking it: only for a token that has just
/// passed validation.
fn id_token_payload(jwt: &str) -> Value {
    jwt.split('.')
        .nth(1)
        .and_then(|part| {
            base64::engine::general_purpose::URL_SAFE_NO_PAD
                .decode(part)
                .ok()
        })
        .and_then(|bytes| serde_json::from_slice(&bytes).ok())
        .unwrap_or(Value::Null)
}

/// The groups under `claim`: a list of strings, or one string.
fn groups_in(claims: &Value, claim: &str) -> Vec<String> {
    match claims.get(claim) {
        Some(Value::Array(items)) => items
            .iter()
            .filter_map(|g| g.as_str().map(str::to_owned))
            .collect(),
        Some(Value::String(one)) => vec![one.clone()],
        _ => Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_local_paths_are_returned_to() {
        assert_eq!(local_path(Some("/keys?x=1")), "/keys?x=1");
        for hostile in [
            "https://evil.example",
            "//evil.example",
            "/\\evil",
            "keys",
            "",
        ] {
            assert_eq!(local_path(Some(hostile)), "/", "{hostile}");
        }
        assert_eq!(local_path(None), "/");
    }

    #[test]
    fn groups_are_read_as_a_list_or_a_single_name() {
        let claims = serde_json::json!({"groups": ["a", "b", 3], "role": "ops"});
        assert_eq!(groups_in(&claims, "groups"), ["a", "b"]);
        assert_eq!(groups_in(&claims, "role"), ["ops"]);
        assert!(groups_in(&claims, "missing").is_empty());
    }

    #[test]
    fn jwt_payloads_are_decoded() {
        let payload =
            base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(br#"{"groups":["x"]}"#);
        let token = format!("e30.{payload}.sig");
        assert_eq!(groups_in(&id_token_payload(&token), "groups"), ["x"]);
        assert_eq!(id_token_payload("garbage"), Value::Null);
    }
}
