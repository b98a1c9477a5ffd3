//! Typed GraphQL operations, generated at compile time from the checked-in SDL
//! (`schema/schema.graphql`) and the `.graphql` files beside this module, and the one
//! function that sends them.

use graphql_client::{GraphQLQuery, QueryBody, Response};
use serde::{Serialize, de::DeserializeOwned};

/// `query Branding`: the portal's title and subtitle, and the server version.
#[derive(GraphQLQuery)]
#[graphql(
    schema_path = "../schema/schema.graphql",
    query_path = "src/api/branding.graphql",
    response_derives = "Debug, Clone, PartialEq"
)]
pub struct Branding;

/// `query Session`: who is signed in, and how one may sign in.
#[derive(GraphQLQuery)]
#[graphql(
    schema_path = "../schema/schema.graphql",
    query_path = "src/api/session.graphql",
    response_derives = "Debug, Clone, PartialEq"
)]
pub struct Session;

/// `mutation Login`: local sign-in; the server sets the session cookies.
#[derive(GraphQLQuery)]
#[graphql(
    schema_path = "../schema/schema.graphql",
    query_path = "src/api/login.graphql",
    response_derives = "Debug, Clone, PartialEq"
)]
pub struct Login;

/// `mutation Logout`: ends this session; the answer says where to go next.
#[derive(GraphQLQuery)]
#[graphql(
    schema_path = "../schema/schema.graphql",
    query_path = "src/api/logout.graphql",
    response_derives = "Debug, Clone, PartialEq"
)]
pub struct Logout;

/// The GraphQL endpoint, on the same origin as the portal.
pub const ENDPOINT: &str = "/graphql";

/// Why an operation produced no data.
#[derive(Debug, Clone, PartialEq)]
pub enum ApiError {
    /// The request did not get a GraphQL answer (network, HTTP status, body).
    Transport(String),
    /// The server answered with GraphQL errors; the first message is kept.
    GraphQl(String),
}

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Transport(message) => write!(f, "cannot reach the server: {message}"),
            Self::GraphQl(message) => f.write_str(message),
        }
    }
}

/// Turns a GraphQL response into its data or the first error.
pub fn into_result<T>(response: Response<T>) -> Result<T, ApiError> {
    if let Some(error) = response.errors.as_ref().and_then(|errors| errors.first()) {
        return Err(ApiError::GraphQl(error.message.clone()));
    }
    response
        .data
        .ok_or_else(|| ApiError::GraphQl("the server returned no data".into()))
}

/// Sends one operation to [`ENDPOINT`] and returns its data.
pub async fn send<V, D>(body: QueryBody<V>) -> Result<D, ApiError>
where
    V: Serialize,
    D: DeserializeOwned,
{
    let transport = |e: gloo_net::Error| ApiError::Transport(e.to_string());
    let mut request = gloo_net::http::Request::post(ENDPOINT);
    if let Some(token) = csrf_token() {
        request = request.header(CSRF_HEADER, &token);
    }
    let response = request
        .json(&body)
        .map_err(transport)?
        .send()
        .await
        .map_err(transport)?;
    let response: Response<D> = response.json().await.map_err(transport)?;
    into_result(response)
}

/// The header that carries the session's CSRF token on every operation.
const CSRF_HEADER: &str = "x-csrf-token";
/// The readable cookie holding that token (the session cookie itself is HttpOnly).
const CSRF_COOKIE: &str = "sy_csrf";

/// The value of cookie `name` in a `document.cookie` string.
pub fn cookie_value(cookies: &str, name: &str) -> Option<String> {
    cookies.split(';').find_map(|pair| {
        let (key, value) = pair.trim().split_once('=')?;
        (key == name && !value.is_empty()).then(|| value.to_owned())
    })
}

fn csrf_token() -> Option<String> {
    use wasm_bindgen::JsCast;
    let document = web_sys::window()?.document()?;
    let cookies = document
        .dyn_into::<web_sys::HtmlDocument>()
        .ok()?
        .cookie()
        .ok()?;
    cookie_value(&cookies, CSRF_COOKIE)
}

/// Fetches who is signed in and the sign-in options.
pub async fn fetch_session() -> Result<session::ResponseData, ApiError> {
    send(Session::build_query(session::Variables)).await
}

/// Signs in with a local account.
pub async fn login(name: String, password: String) -> Result<login::ResponseData, ApiError> {
    send(Login::build_query(login::Variables { name, password })).await
}

/// Signs out; returns where to go next.
pub async fn logout() -> Result<String, ApiError> {
    let data: logout::ResponseData = send(Logout::build_query(logout::Variables)).await?;
    Ok(data.logout.redirect_to)
}

/// Fetches the branding.
pub async fn fetch_branding() -> Result<branding::ResponseData, ApiError> {
    send(Branding::build_query(branding::Variables)).await
}

#[cfg(test)]
mod tests {
    use super::*;
    use graphql_client::Error;

    fn error(message: &str) -> Error {
        serde_json::from_value(serde_json::json!({ "message": message })).unwrap()
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
    fn the_first_error_wins_over_partial_data() {
        let response = Response {
            data: Some(7),
            errors: Some(vec![error("sign in first"), error("second")]),
            extensions: None,
        };
        assert_eq!(
            into_result(response),
            Err(ApiError::GraphQl("sign in first".into()))
        );
    }

    #[test]
    fn no_data_and_no_errors_is_an_error() {
        let response: Response<i32> = Response {
            data: None,
            errors: None,
            extensions: None,
        };
        assert!(matches!(into_result(response), Err(ApiError::GraphQl(_))));
    }

    #[test]
    fn the_branding_response_decodes_from_the_wire_shape() {
        let wire = serde_json::json!({
            "data": { "version": "0.1.0", "branding": { "title": "Acme", "subtitle": "AI" } }
        });
        let response: Response<branding::ResponseData> = serde_json::from_value(wire).unwrap();
        let data = into_result(response).unwrap();
        assert_eq!(data.branding.title, "Acme");
        assert_eq!(data.version, "0.1.0");
    }
}
