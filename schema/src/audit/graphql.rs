//! GraphQL for the audit log: administrators read it, newest first, with filters.

use async_graphql::{Context, ErrorExtensions, ID, InputObject, Json, Object, SimpleObject};
use chrono::{DateTime, Utc};
use uuid::Uuid;

use super::{AuditFilter, AuditService, MAX_ENTRIES};
use crate::DomainError;
use crate::access::{Needs, Permission};

/// One recorded change.
#[derive(SimpleObject, Clone, Debug)]
pub struct AuditEntry {
    pub id: ID,
    pub at: DateTime<Utc>,
    /// Who (a user's name, `master key`, or `anonymous` for sign-in).
    pub actor: String,
    pub actor_user_id: Option<ID>,
    /// The mutation or admin route.
    pub action: String,
    pub target_type: String,
    pub target_id: Option<String>,
    /// The stored state before the change, for changes to one named object (secrets
    /// redacted).
    pub before: Option<Json<serde_json::Value>>,
    /// What was asked (`input`) and what came of it (`result`), secrets redacted.
    pub after: Option<Json<serde_json::Value>>,
    pub request_id: Option<String>,
}

impl From<entity::audit_log::Model> for AuditEntry {
    fn from(row: entity::audit_log::Model) -> Self {
        Self {
            id: ID(row.id.to_string()),
            at: row.created_at,
            actor: row.actor,
            actor_user_id: row.actor_user_id.map(|id| ID(id.to_string())),
            action: row.action,
            target_type: row.target_type,
            target_id: row.target_id,
            before: row.before.map(Json),
            after: row.after.map(Json),
            request_id: row.request_id,
        }
    }
}

/// Narrows the audit log. Text filters match anywhere, in any case; `%` and `_` are plain
/// characters.
#[derive(InputObject, Clone, Debug, Default)]
pub struct AuditLogFilter {
    pub actor_user_id: Option<ID>,
    /// Part of the actor's name (`ana@`, `master key`).
    pub actor: Option<String>,
    /// One action exactly (`auditActions` lists them).
    pub action: Option<String>,
    pub target_type: Option<String>,
    /// Part of the object's type or id.
    pub target: Option<String>,
    /// Part of the actor, action, object, or the recorded before, input and result.
    pub text: Option<String>,
    /// From this instant, inclusive.
    pub since: Option<DateTime<Utc>>,
    /// Up to this instant, exclusive.
    pub until: Option<DateTime<Utc>>,
}

impl TryFrom<AuditLogFilter> for AuditFilter {
    type Error = DomainError;

    fn try_from(filter: AuditLogFilter) -> Result<Self, DomainError> {
        let actor_user_id = filter
            .actor_user_id
            .map(|id| {
                Uuid::parse_str(&id)
                    .map_err(|_| DomainError::BadInput(format!("`{}` is not an id", id.0)))
            })
            .transpose()?;
        Ok(Self {
            actor_user_id,
            actor: filter.actor,
            action: filter.action,
            target_type: filter.target_type,
            target: filter.target,
            text: filter.text,
            since: filter.since,
            until: filter.until,
        })
    }
}

/// Audit queries.
#[derive(Default)]
pub struct AuditQuery;

#[Object]
impl AuditQuery {
    /// Recorded changes, newest first (administrators; the latest 1,000 matching).
    #[graphql(guard = "Needs(Permission::ReadAll)")]
    async fn audit_log(
        &self,
        ctx: &Context<'_>,
        filter: Option<AuditLogFilter>,
        first: Option<i32>,
        after: Option<String>,
    ) -> async_graphql::Result<crate::pagination::Page<AuditEntry>> {
        let query = AuditFilter::try_from(filter.unwrap_or_default()).map_err(|e| e.extend())?;
        let rows = ctx
            .data::<AuditService>()?
            .list(&query, MAX_ENTRIES)
            .await
            .map_err(|e| e.extend())?;
        crate::pagination::page(
            rows.into_iter().map(AuditEntry::from).collect(),
            first,
            after,
        )
    }

    /// Every action the log has recorded (mutation names and admin routes), in order: what
    /// `auditLog(filter: {action})` can ask for (administrators).
    #[graphql(guard = "Needs(Permission::ReadAll)")]
    async fn audit_actions(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<String>> {
        ctx.data::<AuditService>()?
            .actions()
            .await
            .map_err(|e| e.extend())
    }
}
