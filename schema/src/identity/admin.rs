//! GraphQL for administrators over someone else's sign-ins: end one of a user's browser
//! sessions, revoke one of their personal access tokens (a lost laptop, a leaked token).
//!
//! The services are the ones a user's own `revokeSession` and `revokeAccessToken` call, with
//! the target user in place of the caller; the audit trail records these like every mutation.

use async_graphql::{Context, ErrorExtensions, ID, Object, Result};

use super::graphql::{AccessToken, BrowserSession, browser_session, current_session, services};
use super::{Needs, Permission, caller};
use crate::DomainError;
use crate::convert::gql_id;

/// `error`, with a not-found one saying whose object was missing: the services word it for
/// the caller's own.
fn not_theirs(error: DomainError, what: &str) -> async_graphql::Error {
    match error {
        DomainError::NotFound(_) => {
            DomainError::NotFound(format!("that user has no such {what}")).extend()
        }
        other => other.extend(),
    }
}

/// Administrators' mutations on other users' sessions and tokens.
#[derive(Default)]
pub struct IdentityAdminMutation;

#[Object]
impl IdentityAdminMutation {
    /// Ends one of a user's browser sessions (`userSessions` lists them); their next request
    /// from it is signed out. Administrators.
    #[graphql(guard = "Needs(Permission::WriteAll)")]
    async fn end_user_session(
        &self,
        ctx: &Context<'_>,
        user_id: ID,
        id: ID,
    ) -> Result<BrowserSession> {
        let row = services(ctx)?
            .sessions
            .revoke(gql_id(&user_id)?, &id)
            .await
            .map_err(|e| not_theirs(e, "session"))?;
        Ok(browser_session(
            row,
            current_session(&caller(ctx).credential),
        ))
    }

    /// Revokes one of a user's personal access tokens (`userTokens` lists them); it stops
    /// working at once. Administrators.
    #[graphql(guard = "Needs(Permission::WriteAll)")]
    async fn revoke_user_token(
        &self,
        ctx: &Context<'_>,
        user_id: ID,
        id: ID,
    ) -> Result<AccessToken> {
        let row = services(ctx)?
            .tokens
            .revoke(gql_id(&user_id)?, gql_id(&id)?)
            .await
            .map_err(|e| not_theirs(e, "token"))?;
        Ok(row.into())
    }
}
