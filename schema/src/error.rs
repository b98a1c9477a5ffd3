//! The domain error type, and how it reaches GraphQL clients.
//!
//! Services return [`DomainError`]. Clients see a message meant for people and an
//! `extensions.code`; the internal cause of an `Internal` error is logged, never sent.

use async_graphql::ErrorExtensions;

/// Why a domain operation did not succeed.
#[derive(Debug, thiserror::Error)]
pub enum DomainError {
    /// The caller is not signed in.
    #[error("sign in first")]
    Unauthenticated,
    /// The caller may not do this.
    #[error("{0}")]
    Forbidden(String),
    /// The thing asked for does not exist (or is not visible to the caller).
    #[error("{0}")]
    NotFound(String),
    /// The input is wrong; the message says how.
    #[error("{0}")]
    BadInput(String),
    /// The change conflicts with what is stored (a duplicate name, a stale state).
    #[error("{0}")]
    Conflict(String),
    /// The database failed.
    #[error("database error")]
    Database(#[from] sea_orm::DbErr),
}

impl DomainError {
    /// The `extensions.code` GraphQL clients see.
    pub fn code(&self) -> &'static str {
        match self {
            Self::Unauthenticated => "UNAUTHENTICATED",
            Self::Forbidden(_) => "FORBIDDEN",
            Self::NotFound(_) => "NOT_FOUND",
            Self::BadInput(_) => "BAD_USER_INPUT",
            Self::Conflict(_) => "CONFLICT",
            Self::Database(_) => "INTERNAL",
        }
    }
}

impl ErrorExtensions for DomainError {
    /// The GraphQL error for this domain error: a message for people plus `extensions.code`.
    /// Resolvers convert with `.map_err(|e| e.extend())` so no error leaves without its code.
    fn extend(&self) -> async_graphql::Error {
        if let DomainError::Database(source) = self {
            tracing::error!(error = %source, "database error in a GraphQL operation");
        }
        let message = match self {
            DomainError::Database(_) => "internal error; the server log has the details".to_owned(),
            other => other.to_string(),
        };
        let code = self.code();
        async_graphql::Error::new(message).extend_with(|_, ext| ext.set("code", code))
    }
}
