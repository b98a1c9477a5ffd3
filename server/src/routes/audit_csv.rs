//! `GET /audit.csv`: the audit log as CSV for administrators (read-only ones too), with the
//! filters of the GraphQL `auditLog` query and its authorization (session cookie or `Bearer`
//! token; the master key). Newest first, the latest 1,000 matching; `before` and `after` are
//! the stored JSON, secrets already redacted.

use axum::extract::{Query, State};
use axum::http::HeaderMap;
use axum::response::Response;
use chrono::{DateTime, Utc};
use schema::audit::{AuditFilter, MAX_ENTRIES};
use schema::identity::Permission;
use serde::Deserialize;
use uuid::Uuid;

use super::csv::{attachment, caller, escape};
use crate::error::ApiError;
use crate::state::AppState;

/// Query parameters, each optional; an empty one is no filter.
#[derive(Debug, Deserialize)]
pub struct CsvParams {
    actor_user_id: Option<String>,
    /// Part of the actor's name.
    actor: Option<String>,
    /// One action exactly.
    action: Option<String>,
    target_type: Option<String>,
    /// Part of the object's type or id.
    target: Option<String>,
    /// Part of anything recorded.
    text: Option<String>,
    /// From this instant, inclusive (RFC 3339).
    since: Option<DateTime<Utc>>,
    /// Up to this instant, exclusive.
    until: Option<DateTime<Utc>>,
}

/// `Some` text that is not blank.
fn given(text: Option<String>) -> Option<String> {
    text.filter(|t| !t.trim().is_empty())
}

impl TryFrom<CsvParams> for AuditFilter {
    type Error = ApiError;

    fn try_from(params: CsvParams) -> Result<Self, ApiError> {
        let actor_user_id = given(params.actor_user_id)
            .map(|id| {
                Uuid::parse_str(&id)
                    .map_err(|_| ApiError::BadRequest(format!("`{id}` is not a user id")))
            })
            .transpose()?;
        Ok(Self {
            actor_user_id,
            actor: given(params.actor),
            action: given(params.action),
            target_type: given(params.target_type),
            target: given(params.target),
            text: given(params.text),
            since: params.since,
            until: params.until,
        })
    }
}

/// JSON as one cell, or an empty one.
fn json_cell(value: Option<&serde_json::Value>) -> String {
    value.map(|v| escape(&v.to_string())).unwrap_or_default()
}

/// The export.
pub async fn export(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(params): Query<CsvParams>,
) -> Result<Response, ApiError> {
    caller(&state, &headers, Permission::ReadAll).await?;
    let filter = AuditFilter::try_from(params)?;
    let rows = state.audit.list(&filter, MAX_ENTRIES).await?;
    let mut csv = String::from(
        "id,at,actor,actor_user_id,action,target_type,target_id,request_id,before,after\n",
    );
    for row in &rows {
        csv.push_str(&format!(
            "{},{},{},{},{},{},{},{},{},{}\n",
            row.id,
            row.created_at.to_rfc3339(),
            escape(&row.actor),
            row.actor_user_id
                .map(|id| id.to_string())
                .unwrap_or_default(),
            escape(&row.action),
            escape(&row.target_type),
            escape(row.target_id.as_deref().unwrap_or_default()),
            escape(row.request_id.as_deref().unwrap_or_default()),
            json_cell(row.before.as_ref()),
            json_cell(row.after.as_ref()),
        ));
    }
    Ok(attachment(csv, "attachment; filename=\"audit.csv\""))
}
