//! `/model/*`: registering model deployments the way the model-registration role does, and
//! reading back the complete list (the role deletes portal models missing from it).

use axum::Json;
use axum::extract::State;
use bytes::Bytes;
use schema::catalog::{
    DeclaredDeployment, DeclaredModel, ModelWithDeployments, Registered, Registration,
};
use serde_json::{Map, Value, json};
use uuid::Uuid;

use super::Reply;
use super::lenient::{int, string, strings};
use crate::error::{ApiError, json_object};
use crate::gateway::registry::Registry;
use crate::state::AppState;

/// Providers a `litellm_params.model` prefix may name: model servers that speak OpenAI's API.
pub(crate) const PROVIDERS: [&str; 3] = ["openai", "hosted_vllm", "docling"];

fn required<'a>(map: &'a Map<String, Value>, field: &'static str) -> Result<&'a str, ApiError> {
    map.get(field)
        .and_then(Value::as_str)
        .filter(|s| !s.trim().is_empty())
        .ok_or_else(|| ApiError::BadParam {
            message: format!("`{field}` is required"),
            param: field,
        })
}

/// `litellm_params.api_base`, checked as every deployment's base URL is.
fn base_url(raw: &str) -> Result<String, ApiError> {
    schema::catalog::api_base(raw).map_err(|reason| ApiError::BadParam {
        message: format!("`litellm_params.api_base` {reason}"),
        param: "api_base",
    })
}

fn price(info: &Map<String, Value>, field: &'static str) -> Result<i64, ApiError> {
    match info.get(field) {
        None | Some(Value::Null) => Ok(0),
        Some(value) => {
            let price = value
                .as_f64()
                .or_else(|| value.as_str().and_then(|s| s.parse().ok()));
            match price {
                Some(p) if (0.0..1.0).contains(&p) => Ok((p * 1e9).round() as i64),
                _ => Err(ApiError::BadParam {
                    message: if field.ends_with("per_second") {
                        format!("`model_info.{field}` must be a price per second, such as 1e-4")
                    } else {
                        format!("`model_info.{field}` must be a price per token, such as 2e-7")
                    },
                    param: field,
                }),
            }
        }
    }
}

/// Capabilities from LiteLLM's `mode` and `supports_*` flags.
fn capabilities(provider: &str, info: &Map<String, Value>) -> Vec<String> {
    let mut out: Vec<&str> = match (provider, info.get("mode").and_then(Value::as_str)) {
        ("docling", _) => vec!["document_conversion"],
        (_, Some("embedding")) => vec!["embeddings"],
        (_, Some("rerank")) => vec!["rerank"],
        (_, Some("audio_transcription")) => vec!["audio_transcription"],
        (_, Some("completion")) => vec!["completion"],
        _ => vec!["chat", "completion"],
    };
    let flag = |name: &str| info.get(name).and_then(Value::as_bool) == Some(true);
    if flag("supports_vision") {
        out.push("vision");
    }
    if flag("supports_function_calling") || flag("supports_tool_choice") {
        out.push("tools");
    }
    out.into_iter().map(str::to_owned).collect()
}

fn mode(capabilities: &[String]) -> &'static str {
    if capabilities.iter().any(|c| c == "embeddings") {
        "embedding"
    } else if capabilities.iter().any(|c| c == "rerank") {
        "rerank"
    } else if capabilities.iter().any(|c| c == "audio_transcription") {
        "audio_transcription"
    } else if capabilities.iter().any(|c| c == "document_conversion") {
        "document_conversion"
    } else if capabilities.iter().any(|c| c == "chat") {
        "chat"
    } else {
        "completion"
    }
}

/// A `/model/new` body as a registration: LiteLLM's `litellm_params` and `model_info` in the
/// catalog's terms, its `api_key` sealed (also how `switchyard import litellm` reads
/// LiteLLM's own stored models).
pub(crate) fn registration(
    registry: &Registry,
    body: &Map<String, Value>,
) -> Result<Registration, ApiError> {
    let name = required(body, "model_name")?.to_owned();
    let empty = Map::new();
    let params = body
        .get("litellm_params")
        .and_then(Value::as_object)
        .ok_or_else(|| ApiError::BadParam {
            message: "`litellm_params` is required, with at least `model` and `api_base`".into(),
            param: "litellm_params",
        })?;
    let info = body
        .get("model_info")
        .and_then(Value::as_object)
        .unwrap_or(&empty);
    let target = required(params, "model")?;
    let (provider, backend) = match target.split_once('/') {
        Some((prefix, rest)) if PROVIDERS.contains(&prefix) => (prefix, rest),
        _ => ("openai", target),
    };
    let api_base = base_url(required(params, "api_base")?)?;
    let api_key = string(params.get("api_key"), "api_key")?.filter(|k| !k.is_empty());
    let timeout_ms = int(params.get("timeout"), "timeout")?
        .map(|seconds| seconds.saturating_mul(1000))
        .unwrap_or_else(|| i64::try_from(registry.defaults().total_timeout_ms).unwrap_or(i64::MAX));
    let capabilities = capabilities(provider, info);
    Ok(Registration {
        model: DeclaredModel {
            name,
            description: string(info.get("description"), "description")?,
            provider: provider.to_owned(),
            capabilities,
            context_length: int(
                info.get("max_tokens")
                    .or_else(|| info.get("max_input_tokens")),
                "max_tokens",
            )?,
            input_price_nanos: price(info, "input_cost_per_token")?,
            output_price_nanos: price(info, "output_cost_per_token")?,
            second_price_nanos: price(info, "input_cost_per_second")?,
            restricted: false,
            access_groups: strings(info.get("access_groups"), "access_groups")?,
            deployments: Vec::new(),
        },
        deployment: DeclaredDeployment {
            cluster: string(params.get("cluster"), "cluster")?
                .or_else(|| host_of(&api_base))
                .unwrap_or_else(|| "default".into()),
            api_base,
            backend_model: backend.to_owned(),
            credentials_encrypted: api_key.map(|k| registry.seal(&k)).transpose()?,
            weight: 1,
            first_byte_timeout_ms: None,
            timeout_ms,
            max_parallel_requests: None,
        },
        rpm_limit: int(params.get("rpm"), "rpm")?,
        tpm_limit: int(params.get("tpm"), "tpm")?,
    })
}

/// The host of a URL, used as the cluster name when none is given.
fn host_of(url: &str) -> Option<String> {
    let rest = url.split_once("://")?.1;
    let host = rest.split(['/', ':']).next()?;
    (!host.is_empty()).then(|| host.to_owned())
}

fn entries(models: &[ModelWithDeployments]) -> Vec<Value> {
    let mut out = Vec::new();
    for row in models {
        let model = &row.model;
        let capabilities = row.capabilities();
        for deployment in &row.deployments {
            out.push(json!({
                "model_name": model.name,
                "litellm_params": {
                    "model": format!("{}/{}", model.provider, deployment.backend_model),
                    "api_base": deployment.api_base,
                    "rpm": deployment.rpm_limit,
                    "tpm": deployment.tpm_limit,
                },
                "model_info": {
                    "id": deployment.id,
                    "rpm": deployment.rpm_limit,
                    "tpm": deployment.tpm_limit,
                    "input_cost_per_token": model.input_price_nanos as f64 / 1e9,
                    "input_cost_per_second": model.second_price_nanos as f64 / 1e9,
                    "output_cost_per_token": model.output_price_nanos as f64 / 1e9,
                    "max_tokens": model.context_length,
                    "mode": mode(&capabilities),
                    "cluster": deployment.cluster,
                    "source": model.source,
                    "supports_vision": capabilities.iter().any(|c| c == "vision"),
                    "supports_function_calling": capabilities.iter().any(|c| c == "tools"),
                    "db_model": model.source != schema::catalog::SOURCE_CONFIG,
                    "access_groups": schema::catalog::access_groups(model),
                },
            }));
        }
    }
    out
}

async fn reload(state: &AppState) -> Result<(), ApiError> {
    state.gateway.registry.reload().await.map_err(|error| {
        tracing::error!(%error, "cannot reload the model registry");
        ApiError::Internal
    })
}

/// `POST /model/new`: one deployment; the same name with another `api_base` adds a cluster.
pub async fn create(State(state): State<AppState>, body: Bytes) -> Reply {
    let body = json_object(&body)?;
    let registration = registration(&state.gateway.registry, &body)?;
    let name = registration.model.name.clone();
    let outcome = state
        .gateway
        .registry
        .catalog()
        .register(registration)
        .await?;
    reload(&state).await?;
    let (id, created) = match outcome {
        Registered::Created(id) => (id, true),
        Registered::Unchanged(id) => (id, false),
    };
    let mut params = body.get("litellm_params").cloned().unwrap_or(Value::Null);
    if let Some(params) = params.as_object_mut() {
        params.remove("api_key");
    }
    Ok(Json(
        json!({"model_id": id, "model_name": name, "created": created,
          "litellm_params": params, "model_info": {"id": id}}),
    ))
}

/// `GET /model/info` (and `/v1/model/info`): every deployment of every model, never paged.
pub async fn info(State(state): State<AppState>) -> Reply {
    let models = state
        .gateway
        .registry
        .catalog()
        .models_with_deployments()
        .await?;
    Ok(Json(json!({"data": entries(&models)})))
}

/// `POST /model/delete` `{"id": "<model_info.id>"}`.
pub async fn delete(State(state): State<AppState>, body: Bytes) -> Reply {
    let body = json_object(&body)?;
    let id = required(&body, "id")?;
    let id = Uuid::parse_str(id).map_err(|_| ApiError::BadParam {
        message: "`id` must be a model id from /model/info (`model_info.id`)".into(),
        param: "id",
    })?;
    let name = state
        .gateway
        .registry
        .catalog()
        .delete_deployment(id)
        .await?;
    reload(&state).await?;
    Ok(Json(
        json!({"message": format!("deleted a deployment of `{name}`"), "id": id}),
    ))
}

/// `POST` or `PATCH /model/{id}/update`: `litellm_params` (`api_base`, `api_key`, `model`,
/// `rpm`, `tpm`) and `model_info` prices and `max_tokens` of a registered deployment.
pub async fn update(
    State(state): State<AppState>,
    axum::extract::Path(id): axum::extract::Path<String>,
    body: Bytes,
) -> Reply {
    let id = Uuid::parse_str(&id).map_err(|_| ApiError::BadParam {
        message: "the path must hold a model id from /model/info (`model_info.id`)".into(),
        param: "id",
    })?;
    let body = json_object(&body)?;
    let empty = Map::new();
    let params = body
        .get("litellm_params")
        .and_then(Value::as_object)
        .unwrap_or(&empty);
    let info = body
        .get("model_info")
        .and_then(Value::as_object)
        .unwrap_or(&empty);
    let api_base = string(params.get("api_base"), "api_base")?
        .map(|base| base_url(&base))
        .transpose()?;
    let backend = string(params.get("model"), "model")?.map(|m| {
        m.split_once('/')
            .filter(|(p, _)| PROVIDERS.contains(p))
            .map_or(m.clone(), |(_, rest)| rest.to_owned())
    });
    let changes = schema::catalog::DeploymentChanges {
        api_base,
        backend_model: backend,
        credentials_encrypted: string(params.get("api_key"), "api_key")?
            .map(|k| state.gateway.registry.seal(&k))
            .transpose()?,
        rpm_limit: super::lenient::present(params, "rpm")
            .map(|v| int(v, "rpm"))
            .transpose()?,
        tpm_limit: super::lenient::present(params, "tpm")
            .map(|v| int(v, "tpm"))
            .transpose()?,
        input_price_nanos: info
            .get("input_cost_per_token")
            .map(|_| price(info, "input_cost_per_token"))
            .transpose()?,
        output_price_nanos: info
            .get("output_cost_per_token")
            .map(|_| price(info, "output_cost_per_token"))
            .transpose()?,
        second_price_nanos: info
            .get("input_cost_per_second")
            .map(|_| price(info, "input_cost_per_second"))
            .transpose()?,
        context_length: super::lenient::present(info, "max_tokens")
            .map(|v| int(v, "max_tokens"))
            .transpose()?,
        access_groups: info
            .get("access_groups")
            .map(|v| strings(Some(v), "access_groups"))
            .transpose()?,
        ..schema::catalog::DeploymentChanges::default()
    };
    state
        .gateway
        .registry
        .catalog()
        .update_deployment(id, changes)
        .await?;
    reload(&state).await?;
    Ok(Json(json!({"model_id": id, "updated": true})))
}

/// `POST /admin/reload`: re-read the configuration's `[[models]]` and apply them.
pub async fn reload_config(State(state): State<AppState>) -> Reply {
    let changed = state
        .reload_models()
        .await
        .map_err(|error| ApiError::BadRequest(format!("reload failed: {error}")))?;
    let models = state.gateway.registry.snapshot().models.len();
    Ok(Json(
        json!({"reloaded": true, "changed": changed, "models": models}),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn litellm_modes_and_flags_become_capabilities() {
        let info =
            json!({"mode": "chat", "supports_vision": true, "supports_function_calling": true});
        let caps = capabilities("openai", info.as_object().unwrap());
        assert_eq!(caps, ["chat", "completion", "vision", "tools"]);
        assert_eq!(mode(&caps), "chat");
        let embed = capabilities(
            "hosted_vllm",
            json!({"mode": "embedding"}).as_object().unwrap(),
        );
        assert_eq!(mode(&embed), "embedding");
        let rerank = capabilities(
            "hosted_vllm",
            json!({"mode": "rerank"}).as_object().unwrap(),
        );
        assert_eq!(
            (rerank.as_slice(), mode(&rerank)),
            (&["rerank".to_owned()][..], "rerank")
        );
        let audio = capabilities(
            "hosted_vllm",
            json!({"mode": "audio_transcription"}).as_object().unwrap(),
        );
        assert_eq!(
            (audio.as_slice(), mode(&audio)),
            (
                &["audio_transcription".to_owned()][..],
                "audio_transcription"
            )
        );
        assert_eq!(
            capabilities("docling", &Map::new()),
            ["document_conversion"]
        );
        assert_eq!(
            host_of("https://granite.apps.aws.example:443/v1").as_deref(),
            Some("granite.apps.aws.example")
        );
    }
}
