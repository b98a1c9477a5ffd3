//! What every CSV export shares: who may ask (as for GraphQL: a session cookie from the
//! portal's origin, or a `Bearer` token), cells a spreadsheet reads as text, and the
//! download's headers (an attachment, never cached by a shared cache).

use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::{IntoResponse, Response};
use schema::identity::{Caller, Permission};

use super::graphql::authenticate;
use crate::error::ApiError;
use crate::state::AppState;

/// The caller asking for an export, when they hold `permission`.
pub async fn caller(
    state: &AppState,
    headers: &HeaderMap,
    permission: Permission,
) -> Result<Caller, ApiError> {
    let caller = authenticate(&state.identity, headers)
        .await
        .map_err(|e| ApiError::Unauthorized(e.to_string()))?;
    caller.require(permission)?;
    Ok(caller)
}

/// A text cell: quoted when it holds a separator, and neutralised when a spreadsheet would
/// read it as a formula (a key named `=HYPERLINK(…)`): such a cell starts with `'`, which
/// spreadsheets show as text (OWASP's advice for CSV injection).
pub fn escape(field: &str) -> String {
    let field = if field.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{field}")
    } else {
        field.to_owned()
    };
    // `;` too: spreadsheets in locales that separate with it would split the cell there.
    if field.contains([',', ';', '"', '\n', '\r']) {
        format!("\"{}\"", field.replace('"', "\"\""))
    } else {
        field
    }
}

/// `csv` as a download; `disposition` names the file (`attachment; filename="usage.csv"`).
pub fn attachment(csv: String, disposition: &'static str) -> Response {
    let mut response = csv.into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/csv; charset=utf-8"),
    );
    headers.insert(
        header::CONTENT_DISPOSITION,
        HeaderValue::from_static(disposition),
    );
    headers.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("private, no-store"),
    );
    response
}

#[cfg(test)]
mod tests {
    use super::escape;

    #[test]
    fn formulas_become_text_and_separators_are_quoted() {
        assert_eq!(escape("granite"), "granite");
        assert_eq!(
            escape("=HYPERLINK(\"http://x\",\"y\")"),
            "\"'=HYPERLINK(\"\"http://x\"\",\"\"y\"\")\""
        );
        for start in ["+1", "-1", "@SUM(A1)", "\tx"] {
            assert_eq!(escape(start), format!("'{start}"));
        }
        assert_eq!(escape("\rx"), "\"'\rx\"");
        assert_eq!(escape("a,b"), "\"a,b\"");
        // A `;` splits cells where spreadsheets separate with it: quoted, so `=1+1` stays text.
        assert_eq!(escape("x;=1+1"), "\"x;=1+1\"");
    }
}
