//! Sign-in with OpenShift's own OAuth server: the default provider of the platform Switchyard
//! replaces on OpenShift. It is OAuth 2 but not OpenID Connect (no ID token, no userinfo): the
//! authorization code (with PKCE) buys an access token, and the person and their groups are
//! read with that token from the cluster API, `GET {api}/apis/user.openshift.io/v1/users/~`.
//!
//! The endpoints come from the cluster's OAuth metadata
//! (`{api}/.well-known/oauth-authorization-server`, cached like OpenID discovery); a cluster
//! that does not serve it gets the OAuth server's fixed paths, `{issuer}/oauth/authorize` and
//! `{issuer}/oauth/token`.

use oauth2::basic::BasicClient;
use oauth2::{
    AuthUrl, AuthorizationCode, ClientId, ClientSecret, CsrfToken, PkceCodeChallenge,
    PkceCodeVerifier, RedirectUrl, Scope, TokenResponse, TokenUrl,
};
use reqwest::StatusCode;
use schema::identity::{NewLoginState, OidcProfile};
use secrecy::{ExposeSecret, SecretString};
use serde::Deserialize;

use super::sso::{Cached, Relying, SsoError, Verified, local_path, read_capped};
use crate::config::{SsoConfig, SsoKind};

/// The two endpoints of the OAuth server the flow uses.
#[derive(Clone, Debug, Deserialize)]
struct Endpoints {
    authorization_endpoint: String,
    token_endpoint: String,
}

/// The parts of an OpenShift `User` (`user.openshift.io/v1`) a sign-in reads.
#[derive(Debug, Deserialize)]
struct User {
    metadata: UserMetadata,
    #[serde(rename = "fullName")]
    full_name: Option<String>,
    #[serde(default)]
    groups: Vec<String>,
}

#[derive(Debug, Deserialize)]
struct UserMetadata {
    name: String,
    /// Unique for the life of the `User` object: a user deleted and made again under the
    /// same name (another identity provider claiming it, say) gets a new one. Virtual users
    /// such as `kube:admin` have none.
    #[serde(default)]
    uid: String,
}

/// The most of a user document read (they are a few hundred bytes).
const USER_LIMIT: usize = 256 * 1024;

/// The most of the OAuth metadata read (a cluster's is about 1 KB).
const METADATA_LIMIT: usize = 64 * 1024;

/// The OAuth client of OpenShift's OAuth server.
pub struct OpenShift {
    relying: Relying,
    issuer: String,
    api: String,
    client_id: String,
    client_secret: Option<SecretString>,
    scopes: Vec<String>,
    endpoints: Cached<Endpoints>,
}

impl OpenShift {
    /// A client for `config` (validated: the API URL is configured or derivable), as the
    /// portal `relying`.
    pub fn new(config: &SsoConfig, relying: Relying) -> anyhow::Result<Self> {
        let api = config
            .openshift_api()
            .ok_or_else(|| anyhow::anyhow!("auth.openshift.api_url is required"))?;
        Ok(Self {
            issuer: config.issuer_url.trim_end_matches('/').to_owned(),
            api,
            client_id: config.client_id.clone(),
            client_secret: config.client_secret.clone(),
            scopes: config.scopes(SsoKind::OpenShift),
            endpoints: Cached::new(config.discovery_refresh_minutes),
            relying,
        })
    }

    /// The portal as this provider's client.
    pub fn relying(&self) -> &Relying {
        &self.relying
    }

    /// The OAuth server's endpoints: from the cluster's metadata, else its fixed paths.
    async fn endpoints(&self) -> Endpoints {
        let discovered = self
            .endpoints
            .get(|| async {
                let url = format!("{}/.well-known/oauth-authorization-server", self.api);
                let response = self
                    .relying
                    .http
                    .get(&url)
                    .send()
                    .await
                    .map_err(|e| format!("{url}: {e}"))?;
                if !response.status().is_success() {
                    return Err(format!("{url}: {}", response.status()));
                }
                let body = read_capped(response, METADATA_LIMIT)
                    .await
                    .map_err(|e| format!("{url}: {e}"))?;
                serde_json::from_slice(&body).map_err(|e| format!("{url}: {e}"))
            })
            .await;
        match discovered {
            Ok(found) => found.value.clone(),
            Err(_) => Endpoints {
                authorization_endpoint: format!("{}/oauth/authorize", self.issuer),
                token_endpoint: format!("{}/oauth/token", self.issuer),
            },
        }
    }

    async fn client(
        &self,
    ) -> Result<
        BasicClient<
            oauth2::EndpointSet,
            oauth2::EndpointNotSet,
            oauth2::EndpointNotSet,
            oauth2::EndpointNotSet,
            oauth2::EndpointSet,
        >,
        SsoError,
    > {
        let endpoints = self.endpoints().await;
        let invalid = |e: oauth2::url::ParseError| SsoError::Unreachable(e.to_string());
        let mut client = BasicClient::new(ClientId::new(self.client_id.clone()))
            .set_auth_uri(AuthUrl::new(endpoints.authorization_endpoint).map_err(invalid)?)
            .set_token_uri(TokenUrl::new(endpoints.token_endpoint).map_err(invalid)?)
            .set_redirect_uri(RedirectUrl::new(self.relying.redirect.clone()).map_err(invalid)?);
        if let Some(secret) = &self.client_secret {
            client = client.set_client_secret(ClientSecret::new(secret.expose_secret().to_owned()));
        }
        Ok(client)
    }

    /// Starts a login for the browser bound by `browser`: stores its state and PKCE verifier
    /// and returns the OAuth server URL to send the browser to.
    #[tracing::instrument(skip_all, err)]
    pub async fn begin(
        &self,
        redirect_to: Option<&str>,
        browser: &str,
    ) -> Result<String, SsoError> {
        let client = self.client().await?;
        let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
        let (url, state) = client
            .authorize_url(CsrfToken::new_random)
            .add_scopes(self.scopes.iter().cloned().map(Scope::new))
            .set_pkce_challenge(challenge)
            .url();
        self.relying
            .remember(NewLoginState {
                state: state.secret(),
                browser,
                pkce_verifier: verifier.secret().clone(),
                nonce: String::new(),
                redirect_to: local_path(redirect_to),
            })
            .await?;
        Ok(url.to_string())
    }

    /// Finishes a login: exchanges the code, then reads the person and their groups from the
    /// cluster API with the access token (which is not kept).
    #[tracing::instrument(skip_all, err)]
    pub async fn finish(
        &self,
        code: &str,
        state: &str,
        browser: &str,
    ) -> Result<Verified, SsoError> {
        let pending = self.relying.take(state, browser).await?;
        let client = self.client().await?;
        let token = client
            .exchange_code(AuthorizationCode::new(code.to_owned()))
            .set_pkce_verifier(PkceCodeVerifier::new(pending.pkce_verifier.clone()))
            .request_async(&self.relying.http)
            .await
            .map_err(|e| match e {
                // Not an answer from the OAuth server: it could not be reached (or trusted).
                oauth2::RequestTokenError::Request(e) => SsoError::Unreachable(e.to_string()),
                other => SsoError::Exchange(other.to_string()),
            })?;
        let user = self.user(token.access_token().secret()).await?;
        Ok(Verified {
            profile: self.profile(user),
            id_token: None,
            redirect_to: local_path(pending.redirect_to.as_deref()),
        })
    }

    /// The user the access token belongs to, from the cluster API.
    async fn user(&self, access_token: &str) -> Result<User, SsoError> {
        let url = format!("{}/apis/user.openshift.io/v1/users/~", self.api);
        let response = self
            .relying
            .http
            .get(&url)
            .bearer_auth(access_token)
            .send()
            .await
            .map_err(|e| SsoError::Unreachable(format!("{url}: {e}")))?;
        let status = response.status();
        if status == StatusCode::UNAUTHORIZED || status == StatusCode::FORBIDDEN {
            return Err(SsoError::Invalid(format!(
                "the cluster API refused the access token ({status})"
            )));
        }
        if !status.is_success() {
            return Err(SsoError::Unreachable(format!("{url}: {status}")));
        }
        let body = read_capped(response, USER_LIMIT)
            .await
            .map_err(|e| SsoError::Invalid(format!("the cluster API's user document: {e}")))?;
        serde_json::from_slice(&body)
            .map_err(|e| SsoError::Invalid(format!("the cluster API's user document: {e}")))
    }

    /// The person an OpenShift user is. The subject is the `User` object's uid, so someone
    /// who later gets a deleted user's name does not inherit their account (the name, for
    /// the virtual users that have no uid). No e-mail: OpenShift has none to verify, and an
    /// address-shaped name is only a name.
    fn profile(&self, user: User) -> OidcProfile {
        let UserMetadata { name, uid } = user.metadata;
        OidcProfile {
            issuer: self.issuer.clone(),
            email: None,
            email_verified: false,
            name: Some(
                user.full_name
                    .filter(|n| !n.trim().is_empty())
                    .unwrap_or_else(|| name.clone()),
            ),
            subject: if uid.is_empty() { name } else { uid },
            groups: user.groups,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn user_documents_are_read_as_the_cluster_api_writes_them() {
        let user: User = serde_json::from_str(
            r#"{"kind":"User","apiVersion":"user.openshift.io/v1",
                "metadata":{"name":"alice","uid":"5b1c","resourceVersion":"42"},
                "fullName":"Alice Example","identities":["htpasswd:alice"],
                "groups":["system:authenticated","sy-admins"]}"#,
        )
        .unwrap();
        assert_eq!(user.metadata.name, "alice");
        assert_eq!(user.metadata.uid, "5b1c");
        assert_eq!(user.full_name.as_deref(), Some("Alice Example"));
        assert_eq!(user.groups, ["system:authenticated", "sy-admins"]);
        let bare: User = serde_json::from_str(r#"{"metadata":{"name":"kube:admin"}}"#).unwrap();
        assert!(bare.groups.is_empty());
        assert!(bare.full_name.is_none());
    }
}
