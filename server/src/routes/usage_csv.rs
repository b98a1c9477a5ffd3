//! `GET /usage.csv`: the usage report's series as CSV, with the same filters and the same
//! authorization as the GraphQL `usage` query (session cookie or `Bearer` token).

use axum::extract::{Query, State};
use axum::http::HeaderMap;
use axum::response::Response;
use chrono::{DateTime, Utc};
use schema::identity::Permission;
use schema::usage::{GranularityInput, UsageGroupBy, UsageInput, report_series, scoped_filter};
use serde::Deserialize;

use super::csv::{attachment, caller, escape};
use crate::error::ApiError;
use crate::state::AppState;

/// The most series one export carries.
const MAX_SERIES: usize = 1_000;

/// Query parameters; lists are comma-separated.
#[derive(Debug, Deserialize)]
pub struct CsvParams {
    from: DateTime<Utc>,
    to: DateTime<Utc>,
    /// `hour` or `day` (default).
    granularity: Option<String>,
    /// `none` (default), `model`, `key` or `user`.
    group_by: Option<String>,
    models: Option<String>,
    key_ids: Option<String>,
    user_id: Option<String>,
    #[serde(default)]
    all_users: bool,
    /// Only the `top` biggest spenders (1 to 1,000; default all, up to 1,000), as the
    /// report's `series(top:)` shows them.
    top: Option<usize>,
}

fn list(text: Option<&str>) -> Option<Vec<String>> {
    text.map(|t| {
        t.split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
            .collect()
    })
}

fn optional(value: Option<f64>) -> String {
    value.map(|v| format!("{v:.1}")).unwrap_or_default()
}

/// The export.
pub async fn export(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(params): Query<CsvParams>,
) -> Result<Response, ApiError> {
    let caller = caller(&state, &headers, Permission::ReadOwn).await?;
    let granularity = match params.granularity.as_deref() {
        None | Some("day") => GranularityInput::Day,
        Some("hour") => GranularityInput::Hour,
        Some(other) => {
            return Err(ApiError::BadRequest(format!(
                "granularity must be `hour` or `day`, not `{other}`"
            )));
        }
    };
    let group_by = match params.group_by.as_deref() {
        None | Some("none") => UsageGroupBy::None,
        Some("model") => UsageGroupBy::Model,
        Some("key") => UsageGroupBy::Key,
        Some("user") => UsageGroupBy::User,
        Some("provider") => UsageGroupBy::Provider,
        Some("cluster") => UsageGroupBy::Cluster,
        Some(other) => {
            return Err(ApiError::BadRequest(format!(
                "group_by must be none, model, key, user, provider or cluster, not `{other}`"
            )));
        }
    };
    let input = UsageInput {
        from: params.from,
        to: params.to,
        models: list(params.models.as_deref()),
        key_ids: list(params.key_ids.as_deref())
            .map(|ids| ids.into_iter().map(async_graphql::ID).collect()),
        user_id: params.user_id.map(async_graphql::ID),
        all_users: params.all_users,
    };
    let usage = &state.usage;
    let filter = scoped_filter(usage.db(), &caller, &input).await?;
    let top = match params.top {
        None => MAX_SERIES,
        Some(n) if (1..=MAX_SERIES).contains(&n) => n,
        Some(n) => {
            return Err(ApiError::BadRequest(format!(
                "top must be 1 to {MAX_SERIES}, not {n}"
            )));
        }
    };
    let series = report_series(usage, &filter, granularity, group_by, top).await?;
    let mut csv = String::from(
        "start,group,label,requests,errors,prompt_tokens,completion_tokens,spend,error_rate,\
         latency_p50_ms,latency_p95_ms\n",
    );
    for one in &series {
        for point in &one.points {
            let s = &point.sums;
            csv.push_str(&format!(
                "{},{},{},{},{},{},{},{:.9},{:.4},{},{}\n",
                point.start.to_rfc3339(),
                escape(one.group.as_deref().unwrap_or_default()),
                escape(one.label.as_deref().unwrap_or_default()),
                s.requests,
                s.errors,
                s.prompt_tokens,
                s.completion_tokens,
                s.spend,
                s.error_rate,
                optional(s.latency_p50_ms),
                optional(s.latency_p95_ms),
            ));
        }
    }
    Ok(attachment(csv, "attachment; filename=\"usage.csv\""))
}
