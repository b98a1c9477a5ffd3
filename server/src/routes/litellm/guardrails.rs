//! `GET /guardrails/list` (master key): the configured guardrails in LiteLLM's shape, which
//! the model-management automation reads (`guardrails[].guardrail_name`).

use axum::Json;
use axum::extract::State;
use serde_json::json;

use super::Reply;
use crate::state::AppState;

/// `GET /guardrails/list` and `/v1/guardrails/list`.
pub async fn list(State(state): State<AppState>) -> Reply {
    let guardrails: Vec<_> = state
        .gateway
        .guardrails
        .all()
        .iter()
        .map(|rail| {
            let location = if rail.stored { "db" } else { "config" };
            json!({
                "guardrail_name": rail.name,
                "litellm_params": {
                    "guardrail": rail.kind,
                    "mode": rail.mode.as_str(),
                    "default_on": rail.default_on,
                },
                "guardrail_info": {
                    "patterns": rail.pattern_names().collect::<Vec<_>>(),
                    "models": rail.models,
                    "moderation_model": rail.moderation_model,
                },
                "guardrail_definition_location": location,
            })
        })
        .collect();
    Ok(Json(json!({ "guardrails": guardrails })))
}
