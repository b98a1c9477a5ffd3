//! GraphQL for the audit log: administrators read it, newest first, with filters.

use async_graphql::{Context, ErrorExtensions, ID, InputObject, Json, Object, SimpleObject};
use chrono::{DateTime, Utc};
use uuid::Uuid;

use super::{AuditFilter, AuditService};
use crate::DomainError;
use crate::access::{Needs, Permission};

/// The most entries one query reads.
const MAX_ENTRIES: u64 = 1_000;

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

/// Narrows the audit log.
#[derive(InputObject, Clone, Debug, Default)]
pub struct AuditLogFilter {
    pub actor_user_id: Option<ID>,
    pub action: Option<String>,
    pub target_type: Option<String>,
    pub since: Option<DateTime<Utc>>,
    pub until: Option<DateTime<Utc>>,
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
        let filter = filter.unwrap_or_default();
        let actor = filter
            .actor_user_id
            .as_ref()
            .map(|id| {
                Uuid::parse_str(id)
                    .map_err(|_| DomainError::BadInput(format!("`{}` is not an id", id.0)).extend())
            })
            .transpose()?;
        let query = AuditFilter {
            actor_user_id: actor,
            action: filter.action,
            target_type: filter.target_type,
            since: filter.since,
            until: filter.until,
        };
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
}
