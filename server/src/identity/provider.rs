//! The single sign-on provider this server is configured with, OpenID Connect or OpenShift's
//! OAuth server, behind one face for the `/auth/*` routes.

use std::sync::Arc;

use schema::identity::{EndSession, OidcProfile};

use super::oidc::Oidc;
use super::openshift::OpenShift;
use super::sso::{Relying, SsoError, Verified};
use crate::config::{SsoConfig, SsoKind};

/// The configured single sign-on provider.
pub enum SingleSignOn {
    /// An OpenID provider.
    Oidc(Arc<Oidc>),
    /// OpenShift's OAuth server.
    OpenShift(Box<OpenShift>),
}

impl SingleSignOn {
    /// The provider `kind` configured by `config`.
    pub fn new(kind: SsoKind, config: &SsoConfig, relying: Relying) -> anyhow::Result<Self> {
        Ok(match kind {
            SsoKind::Oidc => Self::Oidc(Arc::new(Oidc::new(config, relying)?)),
            SsoKind::OpenShift => Self::OpenShift(Box::new(OpenShift::new(config, relying)?)),
        })
    }

    /// Starts a login for the browser bound by `browser`: stores its state and returns the
    /// provider URL to send the browser to.
    pub async fn begin(
        &self,
        redirect_to: Option<&str>,
        browser: &str,
    ) -> Result<String, SsoError> {
        match self {
            Self::Oidc(oidc) => oidc.begin(redirect_to, browser).await,
            Self::OpenShift(openshift) => openshift.begin(redirect_to, browser).await,
        }
    }

    /// Finishes a login from the provider's callback, in the browser bound by `browser`.
    pub async fn finish(
        &self,
        code: &str,
        state: &str,
        browser: &str,
    ) -> Result<Verified, SsoError> {
        match self {
            Self::Oidc(oidc) => oidc.finish(code, state, browser).await,
            Self::OpenShift(openshift) => openshift.finish(code, state, browser).await,
        }
    }

    /// The local user for a verified sign-in.
    pub async fn user_for(&self, profile: &OidcProfile) -> Result<entity::user::Model, SsoError> {
        self.relying().user_for(profile).await
    }

    fn relying(&self) -> &Relying {
        match self {
            Self::Oidc(oidc) => oidc.relying(),
            Self::OpenShift(openshift) => openshift.relying(),
        }
    }

    /// Where the browser goes to end its session at the provider too, when it has such a
    /// place (OpenShift's OAuth server has none).
    pub fn end_session(&self) -> Option<Arc<dyn EndSession>> {
        match self {
            Self::Oidc(oidc) => Some(oidc.clone()),
            Self::OpenShift(_) => None,
        }
    }
}
