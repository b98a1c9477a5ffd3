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
    let response = gloo_net::http::Request::post(ENDPOINT)
        .json(&body)
        .map_err(transport)?
        .send()
        .await
        .map_err(transport)?;
    let response: Response<D> = response.json().await.map_err(transport)?;
    into_result(response)
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
