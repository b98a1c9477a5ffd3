//! The `[auth]`, `[auth.oidc]` and `[auth.openshift]` sections: the portal's public URL,
//! sessions, local accounts with their bootstrap administrator, and single sign-on with an
//! OpenID provider or OpenShift's own OAuth server, plus the checks that refuse an unusable
//! sign-in setup before start.

use secrecy::{ExposeSecret, SecretString};
use serde::Deserialize;

use super::ConfigError;

/// Sign-in: sessions, local accounts and single sign-on (`[auth]`, `[auth.oidc]` or
/// `[auth.openshift]`).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct AuthConfig {
    /// The portal's public URL (`https://portal.example.com`): the OIDC redirect URI, the
    /// origin mutations must come from, and `Secure` cookies plus HSTS when it is https.
    /// Without it, the origin is taken from each request's `Host` and cookies are not `Secure`.
    pub public_url: Option<String>,
    /// Local accounts (name and password). Default: on, unless single sign-on is configured.
    pub local_accounts: Option<bool>,
    /// The bootstrap administrator's sign-in name, created at first start with local accounts.
    pub bootstrap_admin: String,
    /// Their password (12 characters or more); when unset one is generated and printed once.
    pub bootstrap_password: Option<SecretString>,
    /// Minutes of inactivity after which a session ends.
    pub session_idle_minutes: u64,
    /// Hours after sign-in at which a session ends, used or not.
    pub session_max_hours: u64,
    /// Failed passwords for one account from one client before that client is refused that
    /// account for a while (others, its owner included, are not; an account failing twice
    /// this often from everywhere is slowed instead).
    pub login_max_failures: u32,
    /// Failed passwords from one client, on any accounts, before it is refused altogether.
    pub login_client_max_failures: u32,
    /// Minutes over which failures count, and a refusal lasts.
    pub login_lockout_minutes: u64,
    /// Single sign-on with an OpenID provider.
    pub oidc: Option<SsoConfig>,
    /// Single sign-on with OpenShift's OAuth server (not OpenID Connect).
    pub openshift: Option<SsoConfig>,
}

/// Which protocol a single sign-on provider speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SsoKind {
    /// OpenID Connect (`[auth.oidc]`).
    Oidc,
    /// OpenShift's OAuth server and the user API (`[auth.openshift]`).
    OpenShift,
}

impl SsoKind {
    /// The configuration section's name, for messages.
    pub fn section(self) -> &'static str {
        match self {
            Self::Oidc => "auth.oidc",
            Self::OpenShift => "auth.openshift",
        }
    }
}

impl Default for AuthConfig {
    fn default() -> Self {
        Self {
            public_url: None,
            local_accounts: None,
            bootstrap_admin: "admin".into(),
            bootstrap_password: None,
            session_idle_minutes: 8 * 60,
            session_max_hours: 7 * 24,
            login_max_failures: 5,
            login_client_max_failures: 30,
            login_lockout_minutes: 15,
            oidc: None,
            openshift: None,
        }
    }
}

impl AuthConfig {
    /// Whether local accounts are on: as configured, else on only without single sign-on.
    pub fn local_accounts_enabled(&self) -> bool {
        self.local_accounts
            .unwrap_or(self.single_sign_on().is_none())
    }

    /// The single sign-on provider, when one is configured.
    pub fn single_sign_on(&self) -> Option<(SsoKind, &SsoConfig)> {
        match (&self.oidc, &self.openshift) {
            (Some(oidc), _) => Some((SsoKind::Oidc, oidc)),
            (None, Some(openshift)) => Some((SsoKind::OpenShift, openshift)),
            (None, None) => None,
        }
    }

    /// The public URL without a trailing slash.
    pub fn public_base(&self) -> Option<&str> {
        self.public_url
            .as_deref()
            .map(|url| url.trim_end_matches('/'))
    }

    /// Whether the portal is served over https (cookies get `Secure`, responses HSTS).
    pub fn https(&self) -> bool {
        self.public_base()
            .is_some_and(|url| url.starts_with("https://"))
    }

    /// Checks the public URL, session lengths, the bootstrap account and, when configured,
    /// the OpenID provider (which needs the public URL for its redirect URI).
    pub(super) fn validate(&self) -> Result<(), ConfigError> {
        let invalid = |message: &str| Err(ConfigError::Invalid(message.to_owned()));
        if let Some(url) = self.public_base()
            && !(url.starts_with("http://") || url.starts_with("https://"))
        {
            return invalid("auth.public_url: expected an http:// or https:// URL");
        }
        if self.session_idle_minutes == 0 || self.session_max_hours == 0 {
            return invalid(
                "auth.session_idle_minutes and auth.session_max_hours: expected 1 or more",
            );
        }
        if self.bootstrap_admin.trim().is_empty() {
            return invalid("auth.bootstrap_admin: expected a sign-in name");
        }
        if let Some(password) = &self.bootstrap_password
            && password.expose_secret().chars().count() < 12
        {
            return invalid("auth.bootstrap_password: expected at least 12 characters");
        }
        if self.oidc.is_some() && self.openshift.is_some() {
            return invalid("auth: set [auth.oidc] or [auth.openshift], not both");
        }
        let Some((kind, sso)) = self.single_sign_on() else {
            return Ok(());
        };
        let section = kind.section();
        if self.public_url.is_none() {
            return Err(ConfigError::Invalid(format!(
                "auth.public_url: required with [{section}], for the redirect URI \
                 ({{public_url}}/auth/callback) registered at the provider"
            )));
        }
        let web = |url: &str| url.starts_with("http://") || url.starts_with("https://");
        if !web(&sso.issuer_url) {
            return Err(ConfigError::Invalid(format!(
                "{section}.issuer_url: expected an http:// or https:// URL"
            )));
        }
        if sso.client_id.trim().is_empty() {
            return Err(ConfigError::Invalid(format!(
                "{section}.client_id: expected the portal's client id"
            )));
        }
        match kind {
            SsoKind::Oidc if sso.api_url.is_some() => {
                invalid("auth.oidc.api_url: only [auth.openshift] reads users from a cluster API")
            }
            SsoKind::OpenShift if sso.groups_claim.is_some() => invalid(
                "auth.openshift.groups_claim: OpenShift's groups come from the user API, not a claim",
            ),
            // The access token goes to both, and the API's answer decides who signs in.
            SsoKind::OpenShift if !secure(&sso.issuer_url) => invalid(
                "auth.openshift.issuer_url: expected an https:// URL (http:// only on loopback)",
            ),
            SsoKind::OpenShift => match sso.openshift_api() {
                Some(api) if secure(&api) => Ok(()),
                Some(_) => invalid(
                    "auth.openshift.api_url: expected an https:// URL (http:// only on loopback)",
                ),
                None => invalid(
                    "auth.openshift.api_url: required when the issuer is not \
                     https://oauth-openshift.apps.<cluster domain> (in a pod, \
                     https://kubernetes.default.svc)",
                ),
            },
            SsoKind::Oidc => Ok(()),
        }
    }
}

/// An https URL, or an http one to this machine (a stand-in, a local proxy).
fn secure(url: &str) -> bool {
    if url.starts_with("https://") {
        return true;
    }
    let Some(rest) = url.strip_prefix("http://") else {
        return false;
    };
    let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
    let host = match authority.strip_prefix('[') {
        Some(v6) => v6.split(']').next().unwrap_or_default(),
        None => authority.split(':').next().unwrap_or_default(),
    };
    host == "localhost"
        || host
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

/// A single sign-on provider (`[auth.oidc]` or `[auth.openshift]`): one shape for both, as
/// both are an OAuth 2 authorization code flow whose groups map to roles the same way.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SsoConfig {
    /// The issuer URL. OpenID: discovery reads `{issuer_url}/.well-known/openid-configuration`.
    /// OpenShift: the OAuth server (`https://oauth-openshift.apps.<cluster domain>`), whose
    /// `/.well-known/oauth-authorization-server` names its endpoints.
    pub issuer_url: String,
    /// This portal's client id at the provider (on OpenShift an `OAuthClient`'s name, or
    /// `system:serviceaccount:<namespace>:<name>` for a ServiceAccount).
    pub client_id: String,
    /// Its client secret (confidential client; a ServiceAccount's token on OpenShift).
    pub client_secret: Option<SecretString>,
    /// What the sign-in button says (default "Single sign-on", or "OpenShift").
    pub display_name: Option<String>,
    /// Scopes asked for (OpenID, besides `openid`: `email profile groups`; OpenShift:
    /// `user:info user:check-access`).
    pub scopes: Option<Vec<String>>,
    /// OpenID only: the claim (in userinfo or the ID token) that lists the person's groups
    /// (default `groups`).
    pub groups_claim: Option<String>,
    /// OpenShift only: the cluster API the user and their groups are read from
    /// (`GET {api_url}/apis/user.openshift.io/v1/users/~`). Default: derived from an issuer
    /// `https://oauth-openshift.apps.<domain>` as `https://api.<domain>:6443`.
    pub api_url: Option<String>,
    /// A PEM file (or a directory of them) of certificate authorities trusted for the provider
    /// and the cluster API besides the built-in ones: a cluster's own API, ingress or service CA.
    pub ca_file: Option<std::path::PathBuf>,
    /// Members of these groups are `admin`.
    #[serde(default)]
    pub admin_groups: Vec<String>,
    /// Members of these groups are `admin-readonly`.
    #[serde(default)]
    pub readonly_groups: Vec<String>,
    /// When not empty, only members of these groups (or of an admin group) may sign in.
    #[serde(default)]
    pub allowed_groups: Vec<String>,
    /// Minutes the provider's discovery document is cached before it is fetched again.
    #[serde(default = "default_discovery_minutes")]
    pub discovery_refresh_minutes: u64,
}

impl SsoConfig {
    /// What the sign-in button names.
    pub fn display_name(&self, kind: SsoKind) -> String {
        self.display_name.clone().unwrap_or_else(|| {
            match kind {
                SsoKind::Oidc => "Single sign-on",
                SsoKind::OpenShift => "OpenShift",
            }
            .into()
        })
    }

    /// The scopes to ask for.
    pub fn scopes(&self, kind: SsoKind) -> Vec<String> {
        self.scopes.clone().unwrap_or_else(|| {
            let defaults: &[&str] = match kind {
                SsoKind::Oidc => &["email", "profile", "groups"],
                SsoKind::OpenShift => &["user:info", "user:check-access"],
            };
            defaults.iter().map(|s| (*s).to_owned()).collect()
        })
    }

    /// The OpenID claim that lists groups.
    pub fn groups_claim(&self) -> &str {
        self.groups_claim.as_deref().unwrap_or("groups")
    }

    /// OpenShift's cluster API: configured, or derived from the OAuth server's route.
    pub fn openshift_api(&self) -> Option<String> {
        if let Some(api) = &self.api_url {
            return Some(api.trim_end_matches('/').to_owned());
        }
        let host = self.issuer_url.strip_prefix("https://")?;
        let domain = host
            .trim_end_matches('/')
            .strip_prefix("oauth-openshift.apps.")?;
        (!domain.is_empty() && !domain.contains(['/', ':']))
            .then(|| format!("https://api.{domain}:6443"))
    }
}

fn default_discovery_minutes() -> u64 {
    60
}

#[cfg(test)]
mod tests {
    use super::{SsoKind, secure};
    use crate::config::tests::load_with;

    #[test]
    fn sign_in_settings_are_checked_and_secrets_stay_hidden() {
        let oidc = "[auth.oidc]\nissuer_url = \"https://sso.example\"\nclient_id = \"sy\"\n\
                    client_secret = \"hunter4\"\n";
        let error = load_with(oidc, &[]).unwrap_err().to_string();
        assert!(
            error.contains("auth.public_url"),
            "OIDC needs the public URL: {error}"
        );
        let config = load_with(
            &format!("[auth]\npublic_url = \"https://portal.example/\"\n{oidc}"),
            &[],
        )
        .unwrap();
        assert!(
            !config.auth.local_accounts_enabled(),
            "off with OIDC unless asked for"
        );
        assert!(config.auth.https());
        assert_eq!(config.auth.public_base(), Some("https://portal.example"));
        assert!(!format!("{config:?}").contains("hunter4"));
        let short = load_with("[auth]\nbootstrap_password = \"short\"\n", &[]);
        assert!(
            short
                .unwrap_err()
                .to_string()
                .contains("bootstrap_password")
        );
        assert!(load_with("", &[]).unwrap().auth.local_accounts_enabled());
    }

    #[test]
    fn openshift_sign_in_finds_its_cluster_api_or_asks_for_it() {
        let public = "[auth]\npublic_url = \"https://portal.example\"\n";
        let config = load_with(
            &format!(
                "{public}[auth.openshift]\nissuer_url = \"https://oauth-openshift.apps.ocp.example.com\"\n\
                 client_id = \"system:serviceaccount:maas:switchyard\"\n"
            ),
            &[],
        )
        .unwrap();
        let (kind, sso) = config.auth.single_sign_on().unwrap();
        assert_eq!(kind, SsoKind::OpenShift);
        assert_eq!(
            sso.openshift_api().as_deref(),
            Some("https://api.ocp.example.com:6443")
        );
        assert_eq!(sso.scopes(kind), ["user:info", "user:check-access"]);
        assert_eq!(sso.display_name(kind), "OpenShift");
        assert!(!config.auth.local_accounts_enabled());

        let elsewhere = format!(
            "{public}[auth.openshift]\nissuer_url = \"https://login.example.com\"\nclient_id = \"sy\"\n"
        );
        let error = load_with(&elsewhere, &[]).unwrap_err().to_string();
        assert!(error.contains("auth.openshift.api_url"), "{error}");
        let given = load_with(
            &format!("{elsewhere}api_url = \"https://kubernetes.default.svc/\"\n"),
            &[],
        )
        .unwrap();
        let (_, sso) = given.auth.single_sign_on().unwrap();
        assert_eq!(
            sso.openshift_api().as_deref(),
            Some("https://kubernetes.default.svc")
        );

        for (plain, field) in [
            (
                "issuer_url = \"http://oauth-openshift.apps.ocp.example.com\"\n",
                "auth.openshift.issuer_url",
            ),
            (
                "issuer_url = \"https://login.example.com\"\napi_url = \"http://api.example.com:6443\"\n",
                "auth.openshift.api_url",
            ),
        ] {
            let error = load_with(
                &format!("{public}[auth.openshift]\n{plain}client_id = \"sy\"\n"),
                &[],
            )
            .unwrap_err()
            .to_string();
            assert!(error.contains(field) && error.contains("https"), "{error}");
        }
        assert!(secure("http://127.0.0.1:8443/"));
        assert!(secure("http://localhost:1"));
        assert!(secure("http://[::1]:6443"));
        assert!(!secure("http://127.0.0.1.evil.example/"));
        assert!(!secure("http://localhost.evil.example"));
        assert!(!secure("ftp://127.0.0.1"));

        let both = format!(
            "{public}[auth.oidc]\nissuer_url = \"https://sso.example\"\nclient_id = \"sy\"\n\
             [auth.openshift]\nissuer_url = \"https://oauth-openshift.apps.x.example\"\nclient_id = \"sy\"\n"
        );
        let error = load_with(&both, &[]).unwrap_err().to_string();
        assert!(error.contains("not both"), "{error}");
        let claim = load_with(
            &format!(
                "{public}[auth.openshift]\nissuer_url = \"https://oauth-openshift.apps.x.example\"\n\
                 client_id = \"sy\"\ngroups_claim = \"roles\"\n"
            ),
            &[],
        )
        .unwrap_err()
        .to_string();
        assert!(claim.contains("groups_claim"), "{claim}");
    }
}
