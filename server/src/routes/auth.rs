//! `/auth/login` and `/auth/callback`: the browser's round trip through the single sign-on
//! provider (an OpenID provider or OpenShift's OAuth server).
//! Sign-out is the GraphQL `logout` mutation, which answers with the provider's end-session URL.

use axum::extract::{Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use schema::identity::NewSession;
use serde::Deserialize;

use crate::identity::sso::SsoError;
use crate::routes::Client;
use crate::state::AppState;

/// `GET /auth/login?redirect=/path`.
#[derive(Debug, Deserialize)]
pub struct LoginParams {
    /// A local path to land on after signing in.
    redirect: Option<String>,
}

/// `GET /auth/callback?code=…&state=…` (or `error=…`).
#[derive(Deserialize)]
pub struct CallbackParams {
    code: Option<String>,
    state: Option<String>,
    error: Option<String>,
    error_description: Option<String>,
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// A page saying why sign-in failed, with a way to try again.
fn failure(status: StatusCode, message: &str) -> Response {
    let body = format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Sign-in failed</title>\
         </head><body><h1>Sign-in failed</h1><p>{}</p><p><a href=\"/auth/login\">Try again</a> or \
         go <a href=\"/\">home</a>.</p></body></html>",
        escape(message)
    );
    (status, Html(body)).into_response()
}

fn status_of(error: &SsoError) -> StatusCode {
    match error {
        SsoError::Unreachable(_) => StatusCode::SERVICE_UNAVAILABLE,
        SsoError::UnknownState => StatusCode::BAD_REQUEST,
        SsoError::Refused(_) | SsoError::Exchange(_) | SsoError::Invalid(_) => {
            StatusCode::UNAUTHORIZED
        }
        SsoError::Denied(_) => StatusCode::FORBIDDEN,
        SsoError::Busy(_) => StatusCode::SERVICE_UNAVAILABLE,
        SsoError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
    }
}

fn sso_failure(error: &SsoError) -> Response {
    match error {
        SsoError::Unreachable(detail)
        | SsoError::Exchange(detail)
        | SsoError::Invalid(detail)
        | SsoError::Internal(detail) => {
            tracing::warn!(reason = %error, %detail, "single sign-on failed");
        }
        SsoError::UnknownState | SsoError::Refused(_) | SsoError::Denied(_) | SsoError::Busy(_) => {
            tracing::info!(reason = %error, "single sign-on refused");
        }
    }
    failure(status_of(error), &error.to_string())
}

/// Starts single sign-on: redirects to the provider. Each start stores a login in flight, so
/// a client may start only so many a minute.
pub async fn login(
    State(state): State<AppState>,
    Client(client): Client,
    Query(params): Query<LoginParams>,
) -> Response {
    let Some(sso) = &state.identity.sso else {
        return failure(
            StatusCode::NOT_FOUND,
            "single sign-on is not configured here; sign in with your user name and password",
        );
    };
    if let Err(wait) = state.clients.sign_in_starts.take(client) {
        let seconds = wait.as_secs().max(1);
        let mut response = failure(
            StatusCode::TOO_MANY_REQUESTS,
            &format!("too many sign-ins started from here; try again in {seconds} s"),
        );
        if let Ok(value) = HeaderValue::from_str(&seconds.to_string()) {
            response.headers_mut().insert(header::RETRY_AFTER, value);
        }
        return response;
    }
    // The login is bound to this browser by a cookie only it sends back to the callback.
    let browser = schema::secret::generate(32);
    match sso.begin(params.redirect.as_deref(), &browser).await {
        Ok(url) => {
            let mut response = Redirect::to(&url).into_response();
            let ttl = schema::identity::LOGIN_TTL.to_std().unwrap_or_default();
            let cookie = state.identity.services.cookies.login_binding(&browser, ttl);
            if let Ok(value) = HeaderValue::from_str(&cookie) {
                response.headers_mut().append(header::SET_COOKIE, value);
            }
            response
        }
        Err(error) => sso_failure(&error),
    }
}

/// The binding cookie of the login this browser started, if it sends one.
fn browser_binding<'a>(state: &AppState, headers: &'a HeaderMap) -> Option<&'a str> {
    let cookies = headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok());
    state.identity.services.cookies.login_in(cookies)
}

/// Finishes single sign-on: validates, signs the user in, sets the cookies, redirects.
pub async fn callback(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(params): Query<CallbackParams>,
) -> Response {
    let Some(sso) = &state.identity.sso else {
        return failure(
            StatusCode::NOT_FOUND,
            "single sign-on is not configured here",
        );
    };
    if let Some(error) = params.error {
        let detail = params.error_description.unwrap_or(error);
        return sso_failure(&SsoError::Refused(detail.chars().take(200).collect()));
    }
    let (Some(code), Some(login_state)) = (params.code, params.state) else {
        return failure(
            StatusCode::BAD_REQUEST,
            "the provider's answer lacks `code` or `state`; start again",
        );
    };
    let Some(browser) = browser_binding(&state, &headers) else {
        return sso_failure(&SsoError::UnknownState);
    };
    let verified = match sso.finish(&code, &login_state, browser).await {
        Ok(verified) => verified,
        Err(error) => return sso_failure(&error),
    };
    let user = match sso.user_for(&verified.profile).await {
        Ok(user) => user,
        Err(error) => return sso_failure(&error),
    };
    let services = &state.identity.services;
    let user_agent = headers
        .get(header::USER_AGENT)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let signed_in = services
        .sessions
        .create(NewSession {
            user_id: user.id,
            user_agent,
            ip: None,
            id_token_hint: verified.id_token,
        })
        .await;
    let signed_in = match signed_in {
        Ok(signed_in) => signed_in,
        Err(error) => return sso_failure(&SsoError::from(error)),
    };
    tracing::info!(user = %signed_in.user.id, "signed in by single sign-on");
    let mut response = Redirect::to(&verified.redirect_to).into_response();
    let cookies =
        services
            .cookies
            .sign_in(&signed_in.session_id, &signed_in.csrf, signed_in.max_age);
    for cookie in cookies
        .iter()
        .chain(std::iter::once(&services.cookies.login_finished()))
    {
        if let Ok(value) = HeaderValue::from_str(cookie) {
            response.headers_mut().append(header::SET_COOKIE, value);
        }
    }
    response
}
