//! `/user/*`: the owners of keys, with their own limits and budgets.

use axum::Json;
use axum::extract::{Query, State};
use bytes::Bytes;
use schema::keys::KeyFilter;
use schema::limits::LimitValues;
use schema::users::{NewUser, UserChanges, role_from_litellm};
use serde::Deserialize;
use serde_json::{Value, json};

use super::Reply;
use super::lenient::{limit_changes, limit_values, money, put_limits, string};
use crate::error::{ApiError, json_object};
use crate::state::AppState;

fn user_object(user: &entity::user::Model) -> Value {
    let mut object = json!({
        "user_id": user.external_id,
        "user_email": user.email,
        "user_alias": user.display_name,
        "user_role": user.roles.get(0),
        "budget_reset_at": user.budget_reset_at,
        "spend": user.spend_nanos as f64 / 1e9,
        "created_at": user.created_at,
    });
    put_limits(&mut object, &LimitValues::of_user(user));
    object
}

fn user_id(value: Option<&Value>) -> Result<String, ApiError> {
    string(value, "user_id")?
        .filter(|u| !u.trim().is_empty())
        .ok_or_else(|| ApiError::BadParam {
            message: "`user_id` is required".into(),
            param: "user_id",
        })
}

/// `POST /user/new`: creates a user (no key unless `auto_create_key` is true).
pub async fn create(State(state): State<AppState>, body: Bytes) -> Reply {
    let body = json_object(&body)?;
    let role = string(body.get("user_role"), "user_role")?;
    let new = NewUser {
        external_id: user_id(body.get("user_id"))?,
        email: string(body.get("user_email"), "user_email")?,
        display_name: string(body.get("user_alias"), "user_alias")?,
        role: role_from_litellm(role.as_deref()).to_owned(),
        limits: limit_values(&body)?,
    };
    let user = state.users.create(new).await.map_err(|e| match e {
        schema::DomainError::Conflict(message) => ApiError::BadParam {
            message,
            param: "user_id",
        },
        other => other.into(),
    })?;
    let mut answer = user_object(&user);
    if body.get("auto_create_key").and_then(Value::as_bool) == Some(true) {
        let issued = state
            .keys
            .generate(schema::keys::LiteLlmKey {
                user_id: Some(user.external_id.clone()),
                models: super::lenient::strings(body.get("models"), "models")?,
                ..Default::default()
            })
            .await?;
        state.gateway.auth.invalidate();
        answer["key"] = Value::from(issued.plaintext);
        answer["token"] = Value::from(issued.record.key.token_hash);
    }
    Ok(Json(answer))
}

/// Query of `/user/info`.
#[derive(Debug, Deserialize)]
pub struct InfoQuery {
    user_id: Option<String>,
}

/// `GET /user/info?user_id=`: the user and the hashes of its keys.
pub async fn info(State(state): State<AppState>, Query(query): Query<InfoQuery>) -> Reply {
    let external = user_id(query.user_id.map(Value::from).as_ref())?;
    let user = state
        .users
        .find(&external)
        .await?
        .ok_or_else(|| ApiError::NotFound(format!("no user '{external}'")))?;
    let keys = state
        .keys
        .list(&KeyFilter {
            user_id: Some(external.clone()),
            alias: None,
        })
        .await?;
    let keys: Vec<Value> = keys
        .iter()
        .map(|k| {
            json!({"token": k.key.token_hash, "key_alias": k.key.alias, "key_name": k.key.key_name,
                         "models": k.models, "spend": k.key.spend_nanos as f64 / 1e9})
        })
        .collect();
    Ok(Json(
        json!({"user_id": external, "user_info": user_object(&user), "keys": keys}),
    ))
}

/// `POST /user/update`: limits, budget and spend.
pub async fn update(State(state): State<AppState>, body: Bytes) -> Reply {
    let body = json_object(&body)?;
    let external = user_id(body.get("user_id"))?;
    let changes = UserChanges {
        limits: limit_changes(&body)?,
        spend_nanos: money(body.get("spend"), "spend")?,
    };
    let user = state.users.update(&external, changes).await?;
    Ok(Json(user_object(&user)))
}
