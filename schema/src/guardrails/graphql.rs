//! GraphQL for guardrails: every guardrail with where it is defined (administrators, read-only
//! ones included), and putting or deleting a managed one (administrators). Definitions are
//! JSON in LiteLLM's shape, as in `[[guardrails]]`, so automation writes what it reads.

use std::sync::Arc;

use async_graphql::{Context, Enum, ErrorExtensions, Json, Object, SimpleObject};
use chrono::{DateTime, Utc};
use serde_json::Value;

use super::{GuardrailRules, GuardrailService};
use crate::DomainError;
use crate::access::{Needs, Permission};

/// Where a guardrail is defined.
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
pub enum GuardrailSource {
    /// In the configuration file: changed there, read-only here.
    Config,
    /// Managed here.
    Database,
}

/// A guardrail.
#[derive(SimpleObject, Clone, Debug)]
pub struct Guardrail {
    pub name: String,
    pub source: GuardrailSource,
    /// What one `[[guardrails]]` entry holds: `mode`, `guardrail`, `default_on`, `models`,
    /// `patterns`, `blocked_words`, `model`.
    pub definition: Json<Value>,
    /// When it was last changed (managed ones).
    pub updated_at: Option<DateTime<Utc>>,
}

impl From<entity::guardrail::Model> for Guardrail {
    fn from(row: entity::guardrail::Model) -> Self {
        Self {
            name: row.name,
            source: GuardrailSource::Database,
            definition: Json(row.definition),
            updated_at: Some(row.updated_at),
        }
    }
}

fn parts<'a>(
    ctx: &'a Context<'_>,
) -> async_graphql::Result<(&'a GuardrailService, &'a Arc<dyn GuardrailRules>)> {
    let rules = ctx
        .data::<Arc<dyn GuardrailRules>>()
        .map_err(|_| DomainError::BadInput("guardrails are not served here".into()).extend())?;
    Ok((ctx.data::<GuardrailService>()?, rules))
}

/// Guardrail queries.
#[derive(Default)]
pub struct GuardrailQuery;

#[Object]
impl GuardrailQuery {
    /// Every guardrail: those declared in configuration, then the managed ones
    /// (administrators).
    #[graphql(guard = "Needs(Permission::ReadAll)")]
    async fn guardrails(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<Guardrail>> {
        let (service, rules) = parts(ctx)?;
        let mut all: Vec<Guardrail> = rules
            .configured()
            .into_iter()
            .map(|definition| Guardrail {
                name: definition["guardrail_name"]
                    .as_str()
                    .unwrap_or_default()
                    .to_owned(),
                source: GuardrailSource::Config,
                definition: Json(definition),
                updated_at: None,
            })
            .collect();
        let stored = service.all().await.map_err(|e| e.extend())?;
        all.extend(stored.into_iter().map(Guardrail::from));
        Ok(all)
    }
}

/// Guardrail changes.
#[derive(Default)]
pub struct GuardrailMutation;

#[Object]
impl GuardrailMutation {
    /// Creates or replaces a managed guardrail; refused, naming the problem, when the
    /// definition cannot run or the name is declared in configuration (administrators).
    /// Every replica applies it within a poll interval, this one at once.
    #[graphql(guard = "Needs(Permission::WriteAll)")]
    async fn put_guardrail(
        &self,
        ctx: &Context<'_>,
        name: String,
        definition: Json<Value>,
    ) -> async_graphql::Result<Guardrail> {
        let (service, rules) = parts(ctx)?;
        let row = service
            .put(rules, &name, definition.0)
            .await
            .map_err(|e| e.extend())?;
        Ok(row.into())
    }

    /// Deletes a managed guardrail; false when there was none (administrators).
    #[graphql(guard = "Needs(Permission::WriteAll)")]
    async fn delete_guardrail(
        &self,
        ctx: &Context<'_>,
        name: String,
    ) -> async_graphql::Result<bool> {
        let (service, rules) = parts(ctx)?;
        service.delete(rules, &name).await.map_err(|e| e.extend())
    }
}
