//! `/key/*`: virtual keys for provisioning automation, in LiteLLM's request and answer shapes.

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::HeaderMap;
use bytes::Bytes;
use chrono::{DateTime, SecondsFormat, Utc};
use schema::keys::{KeyFilter, KeyRecord, LiteLlmKey, LiteLlmKeyChanges, hash_key};
use schema::limits::LimitValues;
use serde::Deserialize;
use serde_json::{Map, Value, json};

use super::Reply;
use super::lenient::{
    limit_changes, limit_values, limits_map, present, put_limits, string, strings,
};
use crate::error::{ApiError, json_object};
use crate::gateway::auth::Caller;
use crate::routes::Client;
use crate::state::AppState;

fn iso(at: Option<DateTime<Utc>>) -> Value {
    at.map_or(Value::Null, |at| {
        Value::from(at.to_rfc3339_opts(SecondsFormat::Micros, true))
    })
}

/// A key as the admin API shows it; never its plaintext.
fn key_object(record: &KeyRecord) -> Value {
    let key = &record.key;
    let mut object = json!({
        "token": key.token_hash,
        "key_name": key.key_name,
        "key_alias": key.alias,
        "expires": iso(key.expires_at),
        "user_id": record.user_id,
        "models": record.models,
        "spend": key.spend_nanos as f64 / 1e9,
        "budget_reset_at": iso(key.budget_reset_at),
        "model_rpm_limit": key.model_rpm_limit,
        "model_tpm_limit": key.model_tpm_limit,
        "metadata": key.metadata,
        "blocked": key.blocked,
        "team_id": key.team_id,
        "tags": key.tags,
        "created_at": iso(Some(key.created_at)),
        "updated_at": iso(Some(key.updated_at)),
    });
    put_limits(&mut object, &LimitValues::of_key(key));
    object
}

/// A key given as `sk-…` or as its hash, as the hash.
fn resolve(given: &str) -> String {
    if given.starts_with("sk-") {
        hash_key(given)
    } else {
        given.trim().to_ascii_lowercase()
    }
}

fn alias_conflict(error: schema::DomainError) -> ApiError {
    match error {
        schema::DomainError::Conflict(message) => ApiError::BadParam {
            message,
            param: "key_alias",
        },
        other => other.into(),
    }
}

fn new_key(body: &Map<String, Value>) -> Result<LiteLlmKey, ApiError> {
    Ok(LiteLlmKey {
        models: strings(body.get("models"), "models")?,
        duration: string(body.get("duration"), "duration")?,
        user_id: string(body.get("user_id"), "user_id")?,
        alias: string(body.get("key_alias"), "key_alias")?,
        metadata: body.get("metadata").filter(|m| !m.is_null()).cloned(),
        limits: limit_values(body)?,
        model_rpm_limit: limits_map(body.get("model_rpm_limit"), "model_rpm_limit")?,
        model_tpm_limit: limits_map(body.get("model_tpm_limit"), "model_tpm_limit")?,
        blocked: body
            .get("blocked")
            .and_then(Value::as_bool)
            .unwrap_or(false),
        team_id: string(body.get("team_id"), "team_id")?,
        tags: strings(body.get("tags"), "tags")?,
    })
}

/// `POST /key/generate`: a new key; the plaintext is in this answer only.
pub async fn generate(State(state): State<AppState>, body: Bytes) -> Reply {
    let body = json_object(&body)?;
    let new = new_key(&body)?;
    let issued = state.keys.generate(new).await.map_err(alias_conflict)?;
    state.gateway.auth.invalidate();
    let mut answer = key_object(&issued.record);
    answer["key"] = Value::from(issued.plaintext);
    answer["duration"] = body.get("duration").cloned().unwrap_or(Value::Null);
    Ok(Json(answer))
}

/// Query of `/key/list`.
#[derive(Debug, Deserialize)]
pub struct ListQuery {
    page: Option<usize>,
    size: Option<usize>,
    user_id: Option<String>,
    key_alias: Option<String>,
    #[serde(default)]
    return_full_object: Option<String>,
}

/// `GET /key/list`: every key (hash ids) unless `size` pages them.
pub async fn list(State(state): State<AppState>, Query(query): Query<ListQuery>) -> Reply {
    let filter = KeyFilter {
        user_id: query.user_id,
        alias: query.key_alias,
    };
    let records = state.keys.list(&filter).await?;
    let total = records.len();
    let size = query.size.filter(|s| *s > 0).unwrap_or(total.max(1));
    let page = query.page.filter(|p| *p > 0).unwrap_or(1);
    let pages = total.div_ceil(size).max(1);
    let full = query.return_full_object.as_deref() == Some("true");
    let keys: Vec<Value> = records
        .iter()
        .skip((page - 1).saturating_mul(size))
        .take(size)
        .map(|r| {
            if full {
                key_object(r)
            } else {
                Value::from(r.key.token_hash.clone())
            }
        })
        .collect();
    Ok(Json(
        json!({"keys": keys, "total_count": total, "current_page": page, "total_pages": pages}),
    ))
}

/// Query of `/key/info`.
#[derive(Debug, Deserialize)]
pub struct InfoQuery {
    key: Option<String>,
}

/// `GET /key/info?key=`: one key; without `key`, the calling key's own.
pub async fn info(
    State(state): State<AppState>,
    Client(client): Client,
    headers: HeaderMap,
    Query(query): Query<InfoQuery>,
) -> Reply {
    let caller = state.gateway.auth.authenticate(&headers, client).await?;
    let (asked, hash) = match (&query.key, &caller) {
        (Some(given), _) => (given.clone(), resolve(given)),
        (None, Caller::Key(own)) => (own.token_hash.clone(), own.token_hash.clone()),
        (None, Caller::Master) => {
            return Err(ApiError::BadParam {
                message: "pass the key to look up as `?key=` (its hash or sk-…)".into(),
                param: "key",
            });
        }
    };
    if let Caller::Key(own) = &caller
        && own.token_hash != hash
    {
        return Err(ApiError::Forbidden(
            "a key may only read its own information".into(),
        ));
    }
    let record = state.keys.store().record_by_hash(&hash).await?;
    Ok(Json(json!({"key": asked, "info": key_object(&record)})))
}

fn changes(body: &Map<String, Value>) -> Result<LiteLlmKeyChanges, ApiError> {
    let opt_string =
        |field: &'static str| present(body, field).map(|v| string(v, field)).transpose();
    Ok(LiteLlmKeyChanges {
        models: present(body, "models")
            .map(|v| strings(v, "models"))
            .transpose()?,
        duration: opt_string("duration")?,
        user_id: opt_string("user_id")?.flatten(),
        alias: opt_string("key_alias")?,
        metadata: body.get("metadata").filter(|m| !m.is_null()).cloned(),
        limits: limit_changes(body)?,
        model_rpm_limit: present(body, "model_rpm_limit")
            .map(|v| limits_map(v, "model_rpm_limit"))
            .transpose()?,
        model_tpm_limit: present(body, "model_tpm_limit")
            .map(|v| limits_map(v, "model_tpm_limit"))
            .transpose()?,
        blocked: body.get("blocked").and_then(Value::as_bool),
    })
}

fn key_field(body: &Map<String, Value>) -> Result<String, ApiError> {
    body.get("key")
        .and_then(Value::as_str)
        .map(resolve)
        .ok_or_else(|| ApiError::BadParam {
            message: "`key` is required: the key's hash (token) or sk-…".into(),
            param: "key",
        })
}

/// `POST /key/update`: any generate field; `duration` recomputes `expires` from now.
pub async fn update(State(state): State<AppState>, body: Bytes) -> Reply {
    let body = json_object(&body)?;
    let hash = key_field(&body)?;
    let record = state
        .keys
        .update(&hash, changes(&body)?)
        .await
        .map_err(alias_conflict)?;
    state.gateway.auth.invalidate();
    Ok(Json(key_object(&record)))
}

async fn set_blocked(state: &AppState, body: &[u8], blocked: bool) -> Reply {
    let body = json_object(body)?;
    let hash = key_field(&body)?;
    let change = LiteLlmKeyChanges {
        blocked: Some(blocked),
        ..LiteLlmKeyChanges::default()
    };
    let record = state.keys.update(&hash, change).await?;
    state.gateway.auth.invalidate();
    Ok(Json(key_object(&record)))
}

/// `POST /key/block`.
pub async fn block(State(state): State<AppState>, body: Bytes) -> Reply {
    set_blocked(&state, &body, true).await
}

/// `POST /key/unblock`.
pub async fn unblock(State(state): State<AppState>, body: Bytes) -> Reply {
    set_blocked(&state, &body, false).await
}

/// `POST /key/delete` (and `DELETE`): `{"keys": [...]}`, `{"key_aliases": [...]}` or `{"key": ...}`.
pub async fn delete(State(state): State<AppState>, body: Bytes) -> Reply {
    let body = json_object(&body)?;
    let mut given = strings(body.get("keys"), "keys")?;
    if let Some(one) = string(body.get("key"), "key")? {
        given.push(one);
    }
    let aliases = strings(body.get("key_aliases"), "key_aliases")?;
    if given.is_empty() && aliases.is_empty() {
        return Err(ApiError::BadParam {
            message: "name the keys to delete in `keys` or `key_aliases`".into(),
            param: "keys",
        });
    }
    let hashes: Vec<String> = given.iter().map(|k| resolve(k)).collect();
    let deleted = state.keys.store().delete(&hashes, &aliases).await?;
    state.gateway.auth.invalidate();
    if deleted.is_empty() {
        return Err(ApiError::NotFound("none of the named keys exist".into()));
    }
    Ok(Json(json!({"deleted_keys": deleted})))
}

/// A new secret for the key with `hash`, after applying any generate fields in `body`
/// (LiteLLM's regenerate takes the same fields as update).
async fn regenerate_hash(state: &AppState, hash: &str, body: &Map<String, Value>) -> Reply {
    let changes = changes(body)?;
    if changes != LiteLlmKeyChanges::default() {
        state
            .keys
            .update(hash, changes)
            .await
            .map_err(alias_conflict)?;
    }
    let issued = state.keys.store().regenerate(hash).await?;
    state.gateway.auth.invalidate();
    let mut answer = key_object(&issued.record);
    answer["key"] = Value::from(issued.plaintext);
    Ok(Json(answer))
}

/// `POST /key/regenerate` `{"key": ...}`: a new secret, the same settings unless the body
/// changes some.
pub async fn regenerate(State(state): State<AppState>, body: Bytes) -> Reply {
    let body = json_object(&body)?;
    regenerate_hash(&state, &key_field(&body)?, &body).await
}

/// `POST /key/{key}/regenerate`, with an optional body of changes.
pub async fn regenerate_path(
    State(state): State<AppState>,
    Path(key): Path<String>,
    body: Bytes,
) -> Reply {
    let body = if body.iter().all(u8::is_ascii_whitespace) {
        Map::new()
    } else {
        json_object(&body)?
    };
    regenerate_hash(&state, &resolve(&key), &body).await
}
