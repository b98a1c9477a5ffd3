//! The `[auth]` and `[auth.oidc]` sections: the portal's public URL, sessions, local accounts
//! with their bootstrap administrator, and single sign-on with an OpenID provider, plus the
//! checks that refuse an unusable sign-in setup before start.

use secrecy::{ExposeSecret, SecretString};
use serde::Deserialize;

use super::ConfigError;

/// Sign-in: sessions, local accounts and single sign-on (`[auth]`, `[auth.oidc]`).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct AuthConfig {
    /// The portal's public URL (`https://portal.example.com`): the OIDC redirect URI, the
    /// origin mutations must come from, and `Secure` cookies plus HSTS when it is https.
    /// Without it, the origin is taken from each request's `Host` and cookies are not `Secure`.
    pub public_url: Option<String>,
    /// Local accounts (name and password). Default: on, unless OIDC is configured.
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
    pub oidc: Option<OidcConfig>,
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
        }
    }
}

impl AuthConfig {
    /// Whether local accounts are on: as configured, else on only without OIDC.
    pub fn local_accounts_enabled(&self) -> bool {
        self.local_accounts.unwrap_or(self.oidc.is_none())
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
        if let Some(oidc) = &self.oidc {
            if self.public_url.is_none() {
                return invalid(
                    "auth.public_url: required with [auth.oidc], for the redirect URI                      ({public_url}/auth/callback) registered at the provider",
                );
            }
            if !(oidc.issuer_url.starts_with("http://") || oidc.issuer_url.starts_with("https://"))
            {
                return invalid("auth.oidc.issuer_url: expected an http:// or https:// URL");
            }
            if oidc.client_id.trim().is_empty() {
                return invalid("auth.oidc.client_id: expected the portal's client id");
            }
        }
        Ok(())
    }
}

/// An OpenID provider for single sign-on (`[auth.oidc]`).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OidcConfig {
    /// The issuer URL; discovery reads `{issuer_url}/.well-known/openid-configuration`.
    pub issuer_url: String,
    /// This portal's client id at the provider.
    pub client_id: String,
    /// Its client secret (confidential client).
    pub client_secret: Option<SecretString>,
    /// What the sign-in button says.
    #[serde(default = "default_provider_name")]
    pub display_name: String,
    /// Scopes asked for besides `openid`.
    #[serde(default = "default_scopes")]
    pub scopes: Vec<String>,
    /// The claim (in userinfo or the ID token) that lists the person's groups.
    #[serde(default = "default_groups_claim")]
    pub groups_claim: String,
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

fn default_provider_name() -> String {
    "Single sign-on".into()
}

fn default_scopes() -> Vec<String> {
    vec!["email".into(), "profile".into(), "groups".into()]
}

fn default_groups_claim() -> String {
    "groups".into()
}

fn default_discovery_minutes() -> u64 {
    60
}

#[cfg(test)]
mod tests {
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
}
