//! `/spend/logs` and `/global/spend`: what requests cost, for reports and cleanup jobs.

use axum::Json;
use axum::extract::{Query, State};
use chrono::{DateTime, NaiveDate, Utc};
use schema::spend::SpendFilter;
use serde::Deserialize;
use serde_json::{Value, json};

use super::Reply;
use crate::error::ApiError;
use crate::state::AppState;

/// Most rows one `/spend/logs` answer holds (ask for a narrower range for more).
const MAX_ROWS: u64 = 10_000;

/// Query of `/spend/logs`.
#[derive(Debug, Deserialize)]
pub struct LogsQuery {
    api_key: Option<String>,
    user_id: Option<String>,
    start_date: Option<String>,
    end_date: Option<String>,
}

fn date(
    text: Option<&str>,
    field: &'static str,
    end: bool,
) -> Result<Option<DateTime<Utc>>, ApiError> {
    let Some(text) = text.filter(|t| !t.is_empty()) else {
        return Ok(None);
    };
    if let Ok(at) = DateTime::parse_from_rfc3339(text) {
        return Ok(Some(at.with_timezone(&Utc)));
    }
    let day = NaiveDate::parse_from_str(text, "%Y-%m-%d").map_err(|_| ApiError::BadParam {
        message: format!("`{field}` must be a date such as 2026-11-26"),
        param: field,
    })?;
    // An end date includes its whole day.
    let day = if end {
        day.succ_opt().unwrap_or(day)
    } else {
        day
    };
    Ok(day.and_hms_opt(0, 0, 0).map(|t| t.and_utc()))
}

/// `GET /spend/logs?api_key=&user_id=&start_date=&end_date=`.
pub async fn logs(State(state): State<AppState>, Query(query): Query<LogsQuery>) -> Reply {
    let user = match query.user_id.as_deref() {
        Some(external) => match state.users.find(external).await? {
            Some(user) => Some(user.id),
            None => return Ok(Json(json!([]))),
        },
        None => None,
    };
    let filter = SpendFilter {
        // An empty `api_key=` filters nothing, as an empty date does.
        key_hash: query.api_key.as_deref().filter(|k| !k.is_empty()).map(|k| {
            if k.starts_with("sk-") {
                schema::keys::hash_key(k)
            } else {
                k.to_ascii_lowercase()
            }
        }),
        user_id: user,
        from: date(query.start_date.as_deref(), "start_date", false)?,
        until: date(query.end_date.as_deref(), "end_date", true)?,
        limit: MAX_ROWS,
    };
    let rows = state.spend.logs(&filter).await?;
    let rows: Vec<Value> = rows
        .iter()
        .map(|r| {
            json!({
                "request_id": r.request_id, "api_key": r.key_hash, "user": query.user_id,
                "model": r.model_name, "spend": r.cost_nanos as f64 / 1e9,
                "prompt_tokens": r.prompt_tokens, "completion_tokens": r.completion_tokens,
                "total_tokens": r.prompt_tokens + r.completion_tokens,
                "startTime": r.started_at, "endTime": r.ended_at, "status": r.status,
                "call_type": r.call_type, "cluster": r.cluster, "guardrail": r.guardrail,
            })
        })
        .collect();
    Ok(Json(Value::from(rows)))
}

/// `GET /global/spend`: the total of every request.
pub async fn global(State(state): State<AppState>) -> Reply {
    let total = state.spend.total().await?;
    Ok(Json(
        json!({"spend": total as f64 / 1e9, "max_budget": null}),
    ))
}
