//! Single sign-on with an OpenID provider: discovery (cached and refreshed), the authorization
//! code flow with PKCE (S256), state and nonce, ID token validation (signature, issuer,
//! audience, expiry, nonce), userinfo, and the provider's end-session endpoint.
//!
//! Login state lives in the database (`login_states`, hashed state, ten minutes, single use),
//! so a login started on one replica finishes on any other (`super::sso::Relying`).

use base64::Engine;
use openidconnect::core::{CoreAuthenticationFlow, CoreClient, CoreGenderClaim};
use openidconnect::{
    AccessTokenHash, AdditionalClaims, AuthorizationCode, ClientId, ClientSecret, CsrfToken,
    EndpointMaybeSet, EndpointNotSet, EndpointSet, IssuerUrl, LogoutRequest, Nonce,
    OAuth2TokenResponse, PkceCodeChallenge, PkceCodeVerifier, PostLogoutRedirectUrl,
    ProviderMetadataWithLogout, RedirectUrl, Scope, TokenResponse,
};
use schema::identity::{EndSession, NewLoginState, OidcProfile};
use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::sso::{Cached, Relying, SsoError, Verified, local_path};
use crate::config::{SsoConfig, SsoKind};

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

/// The OpenID relying party.
pub struct Oidc {
    relying: Relying,
    issuer: IssuerUrl,
    client_id: String,
    client_secret: Option<SecretString>,
    scopes: Vec<String>,
    groups_claim: String,
    redirect: RedirectUrl,
    after_logout: String,
    discovered: Cached<ProviderMetadataWithLogout>,
}

impl Oidc {
    /// A relying party for `config`, as the portal `relying`.
    pub fn new(config: &SsoConfig, relying: Relying) -> anyhow::Result<Self> {
        let redirect = RedirectUrl::new(relying.redirect.clone())?;
        let after_logout = relying
            .redirect
            .strip_suffix("auth/callback")
            .unwrap_or("/")
            .to_owned();
        Ok(Self {
            issuer: IssuerUrl::new(config.issuer_url.clone())?,
            client_id: config.client_id.clone(),
            client_secret: config.client_secret.clone(),
            scopes: config.scopes(SsoKind::Oidc),
            groups_claim: config.groups_claim().to_owned(),
            redirect,
            after_logout,
            discovered: Cached::new(config.discovery_refresh_minutes),
            relying,
        })
    }

    /// The portal as this provider's client.
    pub fn relying(&self) -> &Relying {
        &self.relying
    }

    /// The provider's metadata, discovered once and refreshed when older than configured.
    async fn metadata(&self) -> Result<ProviderMetadataWithLogout, SsoError> {
        let found = self
            .discovered
            .get(|| async {
                ProviderMetadataWithLogout::discover_async(self.issuer.clone(), &self.relying.http)
                    .await
                    .map_err(|e| e.to_string())
            })
            .await?;
        Ok(found.value.clone())
    }

    fn client(&self, metadata: ProviderMetadataWithLogout) -> Client {
        let secret = self
            .client_secret
            .as_ref()
            .map(|s| ClientSecret::new(s.expose_secret().to_owned()));
        CoreClient::from_provider_metadata(metadata, ClientId::new(self.client_id.clone()), secret)
            .set_redirect_uri(self.redirect.clone())
    }

    /// Starts a login for the browser bound by `browser`: stores its state and returns the
    /// provider URL to send the browser to.
    #[tracing::instrument(skip_all, err)]
    pub async fn begin(
        &self,
        redirect_to: Option<&str>,
        browser: &str,
    ) -> Result<String, SsoError> {
        let client = self.client(self.metadata().await?);
        let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
        let mut request = client
            .authorize_url(
                CoreAuthenticationFlow::AuthorizationCode,
                CsrfToken::new_random,
                Nonce::new_random,
            )
            .set_pkce_challenge(challenge);
        for scope in &self.scopes {
            request = request.add_scope(Scope::new(scope.clone()));
        }
        let (url, state, nonce) = request.url();
        self.relying
            .remember(NewLoginState {
                state: state.secret(),
                browser,
                pkce_verifier: verifier.secret().clone(),
                nonce: nonce.secret().clone(),
                redirect_to: local_path(redirect_to),
            })
            .await?;
        Ok(url.to_string())
    }

    /// Finishes a login from the provider's callback, in the browser bound by `browser`,
    /// and returns the local user's profile.
    #[tracing::instrument(skip_all, err)]
    pub async fn finish(
        &self,
        code: &str,
        state: &str,
        browser: &str,
    ) -> Result<Verified, SsoError> {
        let pending = self.relying.take(state, browser).await?;
        let client = self.client(self.metadata().await?);
        let response = client
            .exchange_code(AuthorizationCode::new(code.to_owned()))
            .map_err(|e| SsoError::Exchange(e.to_string()))?
            .set_pkce_verifier(PkceCodeVerifier::new(pending.pkce_verifier.clone()))
            .request_async(&self.relying.http)
            .await
            .map_err(|e| SsoError::Exchange(e.to_string()))?;
        let id_token = response
            .id_token()
            .ok_or_else(|| SsoError::Invalid("the token response has no ID token".into()))?;
        let verifier = client.id_token_verifier();
        let claims = id_token
            .claims(&verifier, &Nonce::new(pending.nonce.clone()))
            .map_err(|e| SsoError::Invalid(e.to_string()))?;
        if let Some(expected) = claims.access_token_hash() {
            let algorithm = id_token
                .signing_alg()
                .map_err(|e| SsoError::Invalid(e.to_string()))?;
            let signing_key = id_token
                .signing_key(&verifier)
                .map_err(|e| SsoError::Invalid(e.to_string()))?;
            let actual =
                AccessTokenHash::from_token(response.access_token(), algorithm, signing_key)
                    .map_err(|e| SsoError::Invalid(e.to_string()))?;
            if actual != *expected {
                return Err(SsoError::Invalid(
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
            groups: groups_in(&id_token_payload(&raw), &self.groups_claim),
        };
        if let Ok(request) = client.user_info(
            response.access_token().clone(),
            Some(claims.subject().clone()),
        ) {
            let info = request
                .request_async::<OtherClaims, _, CoreGenderClaim>(&self.relying.http)
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
                    if claims.get(&self.groups_claim).is_some() {
                        profile.groups = groups_in(&claims, &self.groups_claim);
                    }
                }
                Err(error) => {
                    tracing::warn!(error = %error, "OIDC userinfo failed; using the ID token's claims")
                }
            }
        }
        Ok(Verified {
            profile,
            id_token: Some(raw),
            redirect_to: local_path(pending.redirect_to.as_deref()),
        })
    }
}

impl EndSession for Oidc {
    fn url(&self, id_token_hint: Option<&str>) -> Option<String> {
        let discovered = self.discovered.last()?;
        let endpoint = discovered
            .value
            .additional_metadata()
            .end_session_endpoint
            .clone()?;
        let mut request =
            LogoutRequest::from(endpoint).set_client_id(ClientId::new(self.client_id.clone()));
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
