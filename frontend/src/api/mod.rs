//! Typed GraphQL operations, generated at compile time from the checked-in SDL
//! (`schema/schema.graphql`) and the `.graphql` files beside this module, the one function
//! that sends them, and the error type pages read (`ApiError` keeps `extensions.code`).

pub mod chat;
pub mod live;

use graphql_client::{GraphQLQuery, QueryBody, Response};
use serde::{Serialize, de::DeserializeOwned};

/// The `DateTime` scalar: RFC 3339 text.
pub type DateTime = String;
/// The `JSON` scalar: any JSON value (the generated code names it as the schema spells it).
#[allow(clippy::upper_case_acronyms)]
pub type JSON = serde_json::Value;

/// Declares one operation: `$name` generated from `src/api/$file`.
macro_rules! operation {
    ($(#[$doc:meta])* $name:ident, $file:tt) => {
        $(#[$doc])*
        #[derive(GraphQLQuery)]
        #[graphql(
            schema_path = "../schema/schema.graphql",
            query_path = $file,
            response_derives = "Debug, Clone, PartialEq",
            variables_derives = "Debug, Clone, PartialEq"
        )]
        pub struct $name;
    };
}

operation!(
    /// Everything the shell needs once per page load: who, how to sign in, branding, banners
    /// (in the portal's language).
    Portal, "src/api/portal.graphql"
);
operation!(
    /// Local sign-in; the server sets the session cookies.
    Login, "src/api/login.graphql"
);
operation!(
    /// Ends this session; the answer says where to go next.
    Logout, "src/api/logout.graphql"
);
operation!(
    /// Hides a dismissible banner for me.
    DismissBanner, "src/api/dismiss_banner.graphql"
);
operation!(
    /// The home page: my budget, a few keys, my subscriptions.
    Home, "src/api/home.graphql"
);
operation!(
    /// The catalog, narrowed by the server-side filter.
    Catalog, "src/api/catalog.graphql"
);
operation!(
    /// One model and my subscriptions (to find mine to it).
    ModelPage, "src/api/model_page.graphql"
);
operation!(
    /// Subscribes me to a model.
    Subscribe, "src/api/subscribe.graphql"
);
operation!(
    /// Cancels one of my subscriptions.
    CancelSubscription, "src/api/cancel_subscription.graphql"
);
operation!(
    /// Asks for a denied subscription to be looked at again.
    RequestReview, "src/api/request_review.graphql"
);
operation!(
    /// My subscriptions with their histories.
    MySubscriptions, "src/api/my_subscriptions.graphql"
);
operation!(
    /// My keys, the key policy and what I may put on a key.
    Keys, "src/api/keys.graphql"
);
operation!(
    /// Makes a key; the secret is in the answer only.
    CreateKey, "src/api/create_key.graphql"
);
operation!(
    /// Changes a key's name, models or limits.
    UpdateKey, "src/api/update_key.graphql"
);
operation!(
    /// A new secret for a key, the old one working for a grace period.
    RotateKey, "src/api/rotate_key.graphql"
);
operation!(
    /// Stops a key.
    RevokeKey, "src/api/revoke_key.graphql"
);
operation!(
    /// Lets a revoked key work again.
    RestoreKey, "src/api/restore_key.graphql"
);
operation!(
    /// Deletes a key for good.
    DeleteKey, "src/api/delete_key.graphql"
);
operation!(
    /// A usage report with series.
    Usage, "src/api/usage.graphql"
);
operation!(
    /// The models I may chat with in the playground, with their prices.
    Playground, "src/api/playground.graphql"
);
operation!(
    /// My tokens and sessions.
    Account, "src/api/account.graphql"
);
operation!(
    /// Makes a personal access token; the secret is in the answer only.
    CreateToken, "src/api/create_token.graphql"
);
operation!(
    /// Revokes a personal access token.
    RevokeToken, "src/api/revoke_token.graphql"
);
operation!(
    /// Ends one of my browser sessions.
    RevokeSession, "src/api/revoke_session.graphql"
);
operation!(
    /// Every settled request of mine, live.
    SpendUpdates, "src/api/spend_updates.graphql"
);
operation!(
    /// Budget lines I cross, live.
    BudgetAlerts, "src/api/budget_alerts.graphql"
);

operation!(
    /// One page of the audit log, filtered, with the actions to filter by.
    AdminAudit, "src/api/admin_audit.graphql"
);
operation!(
    /// The admin subscription queue, filtered, with the models to filter by.
    AdminQueue, "src/api/admin_queue.graphql"
);
operation!(
    /// How many subscriptions wait for a decision (the nav's counter).
    PendingCount, "src/api/pending_count.graphql"
);
operation!(
    /// Approves waiting subscriptions, all or none.
    ApproveSubscriptions, "src/api/approve_subscriptions.graphql"
);
operation!(
    /// Denies waiting subscriptions with a reason the users read.
    DenySubscriptions, "src/api/deny_subscriptions.graphql"
);
operation!(
    /// Puts a decided subscription back to waiting.
    RevertSubscription, "src/api/revert_subscription.graphql"
);
operation!(
    /// The platform settings and the key policy.
    AdminSettings, "src/api/admin_settings.graphql"
);
operation!(
    /// Saves the platform settings and the key policy together.
    SaveSettings, "src/api/save_settings.graphql"
);
operation!(
    /// Every banner.
    AdminBanners, "src/api/admin_banners.graphql"
);
operation!(
    /// Makes a banner.
    CreateBanner, "src/api/create_banner.graphql"
);
operation!(
    /// Changes a banner.
    UpdateBanner, "src/api/update_banner.graphql"
);
operation!(
    /// Deletes a banner.
    DeleteBanner, "src/api/delete_banner.graphql"
);
operation!(
    /// Banner markdown as the server renders and sanitises it.
    PreviewBanner, "src/api/preview_banner.graphql"
);
operation!(
    /// The branding with every logo, for the branding page.
    AdminBranding, "src/api/admin_branding.graphql"
);
operation!(
    /// Saves titles, colours and texts (`null` clears an optional one).
    UpdateBranding, "src/api/update_branding.graphql"
);
operation!(
    /// Uploads a logo, base64-encoded.
    UploadLogo, "src/api/upload_logo.graphql"
);
operation!(
    /// Removes a logo.
    RemoveLogo, "src/api/remove_logo.graphql"
);

operation!(
    /// The admin overview's numbers: platform totals today and over the period, spend by
    /// model and by cluster.
    AdminOverview, "src/api/admin_overview.graphql"
);
operation!(
    /// Every deployment's health, for the admin overview.
    AdminHealth, "src/api/admin_health.graphql"
);
operation!(
    /// Every model with every deployment, as administrators see them.
    AdminModels, "src/api/admin_models.graphql"
);
operation!(
    /// Registers a deployment (and its model, when new).
    AddDeployment, "src/api/add_deployment.graphql"
);
operation!(
    /// Changes a deployment.
    UpdateDeployment, "src/api/update_deployment.graphql"
);
operation!(
    /// Changes a model and whether it is restricted.
    UpdateModel, "src/api/update_model.graphql"
);
operation!(
    /// Deletes a model with its deployments.
    DeleteModel, "src/api/delete_model.graphql"
);
operation!(
    /// Removes a deployment.
    RemoveDeployment, "src/api/remove_deployment.graphql"
);
operation!(
    /// Calls a model server from the server and says what happened.
    TestConnection, "src/api/test_connection.graphql"
);
operation!(
    /// Reads the configuration's models again.
    ReloadCatalog, "src/api/reload_catalog.graphql"
);

operation!(
    /// Users, searched and filtered.
    AdminUsers, "src/api/admin_users.graphql"
);
operation!(
    /// One user with their keys, subscriptions, sessions and tokens.
    AdminUser, "src/api/admin_user.graphql"
);
operation!(
    /// Changes a user's roles, active state or limits.
    UpdateUser, "src/api/update_user.graphql"
);
operation!(
    /// Starts a user's budget window again at zero.
    ResetUserSpend, "src/api/reset_user_spend.graphql"
);
operation!(
    /// Gives a user a model.
    GrantSubscription, "src/api/grant_subscription.graphql"
);
operation!(
    /// Ends a user's subscription.
    WithdrawSubscription, "src/api/withdraw_subscription.graphql"
);

operation!(
    /// Makes a local account and the one-time secret its owner chooses a password with.
    CreateUser, "src/api/create_user.graphql"
);
operation!(
    /// A new one-time secret for a local account's owner.
    PasswordSetup, "src/api/password_setup.graphql"
);
operation!(
    /// Ends one of a user's browser sessions (administrators).
    EndUserSession, "src/api/end_user_session.graphql"
);
operation!(
    /// Revokes one of a user's personal access tokens (administrators).
    RevokeUserToken, "src/api/revoke_user_token.graphql"
);
operation!(
    /// Chooses a password with a one-time secret.
    SetPassword, "src/api/set_password.graphql"
);

/// The GraphQL endpoint, on the same origin as the portal.
pub const ENDPOINT: &str = "/graphql";

/// What kind of failure an operation met; pages word each differently.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorKind {
    /// Not signed in, or the session ended (`UNAUTHENTICATED`).
    Unauthenticated,
    /// Signed in, but not allowed (`FORBIDDEN`).
    Forbidden,
    /// The thing asked for does not exist (`NOT_FOUND`).
    NotFound,
    /// The input was refused (`BAD_USER_INPUT`, GraphQL validation).
    BadInput,
    /// It clashes with what is there (`CONFLICT`).
    Conflict,
    /// The server could not be reached or answered something that is not GraphQL.
    Network,
    /// The server failed (`INTERNAL`, or a code this portal does not know).
    Internal,
}

impl ErrorKind {
    /// The kind for a GraphQL error's `extensions.code`.
    pub fn from_code(code: Option<&str>) -> Self {
        match code {
            Some("UNAUTHENTICATED") => Self::Unauthenticated,
            Some("FORBIDDEN") => Self::Forbidden,
            Some("NOT_FOUND") => Self::NotFound,
            Some("BAD_USER_INPUT") | Some("GRAPHQL_VALIDATION_FAILED") => Self::BadInput,
            Some("CONFLICT") => Self::Conflict,
            _ => Self::Internal,
        }
    }

    /// The message id (in the translation files) that says what happened, in words.
    pub fn message_id(self) -> &'static str {
        match self {
            Self::Unauthenticated => "error-unauthenticated",
            Self::Forbidden => "error-forbidden",
            Self::NotFound => "error-not-found",
            Self::BadInput => "error-bad-input",
            Self::Conflict => "error-conflict",
            Self::Network => "error-network",
            Self::Internal => "error-internal",
        }
    }
}

/// Why an operation produced no data.
#[derive(Debug, Clone, PartialEq)]
pub struct ApiError {
    /// What kind of failure.
    pub kind: ErrorKind,
    /// The server's message (or the transport's), for people.
    pub message: String,
}

impl ApiError {
    fn network(message: impl std::fmt::Display) -> Self {
        Self {
            kind: ErrorKind::Network,
            message: message.to_string(),
        }
    }
}

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

/// Turns a GraphQL response into its data or the first error.
pub fn into_result<T>(response: Response<T>) -> Result<T, ApiError> {
    if let Some(error) = response.errors.as_ref().and_then(|errors| errors.first()) {
        let code = error
            .extensions
            .as_ref()
            .and_then(|extensions| extensions.get("code"))
            .and_then(|code| code.as_str());
        return Err(ApiError {
            kind: ErrorKind::from_code(code),
            message: error.message.clone(),
        });
    }
    response.data.ok_or_else(|| ApiError {
        kind: ErrorKind::Internal,
        message: "the server returned no data".into(),
    })
}

/// Sends one operation body to [`ENDPOINT`] and returns its data.
pub async fn send<V, D>(body: QueryBody<V>) -> Result<D, ApiError>
where
    V: Serialize,
    D: DeserializeOwned,
{
    let mut request = gloo_net::http::Request::post(ENDPOINT);
    if let Some(token) = csrf_token() {
        request = request.header(CSRF_HEADER, &token);
    }
    let response = request
        .json(&body)
        .map_err(ApiError::network)?
        .send()
        .await
        .map_err(ApiError::network)?;
    let status = response.status();
    let response: Response<D> = response.json().await.map_err(|e| {
        ApiError::network(format!(
            "the server answered HTTP {status} without GraphQL ({e})"
        ))
    })?;
    into_result(response)
}

/// Runs operation `Q` with `variables`.
pub async fn run<Q: GraphQLQuery>(variables: Q::Variables) -> Result<Q::ResponseData, ApiError> {
    send(Q::build_query(variables)).await
}

/// The header that carries the session's CSRF token on every operation.
pub const CSRF_HEADER: &str = "x-csrf-token";
/// The readable cookie holding that token (the session cookie itself is HttpOnly): prefixed
/// `__Host-` when the portal is served over https.
const CSRF_COOKIES: [&str; 2] = ["__Host-sy_csrf", "sy_csrf"];

/// The value of cookie `name` in a `document.cookie` string.
pub fn cookie_value(cookies: &str, name: &str) -> Option<String> {
    cookies.split(';').find_map(|pair| {
        let (key, value) = pair.trim().split_once('=')?;
        (key == name && !value.is_empty()).then(|| value.to_owned())
    })
}

/// This session's CSRF token, from its readable cookie.
pub fn csrf_token() -> Option<String> {
    use wasm_bindgen::JsCast;
    let document = web_sys::window()?.document()?;
    let cookies = document
        .dyn_into::<web_sys::HtmlDocument>()
        .ok()?
        .cookie()
        .ok()?;
    CSRF_COOKIES
        .iter()
        .find_map(|name| cookie_value(&cookies, name))
}

#[cfg(test)]
mod tests {
    use super::*;
    use graphql_client::Error;

    fn error(message: &str, code: Option<&str>) -> Error {
        let mut error = serde_json::json!({ "message": message });
        if let Some(code) = code {
            error["extensions"] = serde_json::json!({ "code": code });
        }
        serde_json::from_value(error).unwrap()
    }

    #[test]
    fn the_csrf_cookie_is_found_by_exact_name() {
        let cookies = "a=1; sy_csrf_old=x; sy_csrf=tok";
        assert_eq!(cookie_value(cookies, "sy_csrf").as_deref(), Some("tok"));
        assert_eq!(cookie_value("sy_csrf=", "sy_csrf"), None);
    }

    #[test]
    fn data_without_errors_is_returned() {
        let response = Response {
            data: Some(7),
            errors: None,
            extensions: None,
        };
        assert_eq!(into_result(response), Ok(7));
    }

    #[test]
    fn the_first_error_wins_over_partial_data_and_keeps_its_code() {
        let response = Response {
            data: Some(7),
            errors: Some(vec![
                error("sign in first", Some("UNAUTHENTICATED")),
                error("second", Some("FORBIDDEN")),
            ]),
            extensions: None,
        };
        assert_eq!(
            into_result(response),
            Err(ApiError {
                kind: ErrorKind::Unauthenticated,
                message: "sign in first".into()
            })
        );
    }

    #[test]
    fn codes_map_to_kinds_and_unknown_codes_are_internal() {
        for (code, kind) in [
            ("FORBIDDEN", ErrorKind::Forbidden),
            ("NOT_FOUND", ErrorKind::NotFound),
            ("BAD_USER_INPUT", ErrorKind::BadInput),
            ("CONFLICT", ErrorKind::Conflict),
            ("SOMETHING_NEW", ErrorKind::Internal),
        ] {
            let response: Response<i32> = Response {
                data: None,
                errors: Some(vec![error("x", Some(code))]),
                extensions: None,
            };
            assert_eq!(into_result(response).unwrap_err().kind, kind, "{code}");
        }
        let response: Response<i32> = Response {
            data: None,
            errors: Some(vec![error("no code", None)]),
            extensions: None,
        };
        assert_eq!(into_result(response).unwrap_err().kind, ErrorKind::Internal);
    }

    #[test]
    fn no_data_and_no_errors_is_an_error() {
        let response: Response<i32> = Response {
            data: None,
            errors: None,
            extensions: None,
        };
        assert_eq!(into_result(response).unwrap_err().kind, ErrorKind::Internal);
    }

    #[test]
    fn the_portal_response_decodes_from_the_wire_shape() {
        let wire = serde_json::json!({
            "data": {
                "version": "0.1.0",
                "currency": "EUR",
                "me": null,
                "authSettings": { "localLogin": true, "singleSignOn": false, "providerName": null },
                "branding": {
                    "title": "Acme", "subtitle": "AI", "primaryColor": null, "accentColor": null,
                    "loginTitle": null, "loginText": null, "footerText": null, "logos": []
                },
                "banners": [{ "id": "1", "html": "<p>hi</p>", "language": "de", "variant": "WARNING", "dismissible": true }]
            }
        });
        let response: Response<portal::ResponseData> = serde_json::from_value(wire).unwrap();
        let data = into_result(response).unwrap();
        assert_eq!(data.branding.title, "Acme");
        assert_eq!(data.currency, "EUR");
        assert_eq!(data.banners[0].variant, portal::BannerVariant::WARNING);
        assert_eq!(data.banners[0].language, "de");
    }
}
