//! Guardrails administrators manage (GraphQL), beside those declared in configuration: each
//! is a name and a LiteLLM-shaped definition, what one `[[guardrails]]` entry holds. Whether
//! a definition can run is the server's to say ([`GuardrailRules`]), as is applying them; a
//! change bumps a version counter every replica polls, so all of them follow.

mod graphql;

use std::sync::Arc;

use chrono::Utc;
use entity::guardrail;
use sea_orm::sea_query::OnConflict;
use sea_orm::{DatabaseConnection, EntityTrait, QueryOrder, Set};
use serde_json::Value;

pub use graphql::{GuardrailMutation, GuardrailQuery};

use crate::DomainError;

/// The version counter of the stored guardrails.
pub const VERSION_KEY: &str = "guardrails_version";

/// The longest guardrail name.
const MAX_NAME: usize = 100;

/// What the server knows about guardrails that the schema does not: which definitions can
/// run, which are declared in configuration, and how to apply a change at once.
#[async_trait::async_trait]
pub trait GuardrailRules: Send + Sync {
    /// Why `definition` (its `guardrail_name` set) cannot run, if it cannot.
    fn check(&self, definition: &Value) -> Result<(), String>;
    /// The guardrails declared in configuration, as definitions (read-only here).
    fn configured(&self) -> Vec<Value>;
    /// Applies the stored guardrails on this replica now (the others follow the counter).
    async fn apply(&self);
}

/// The stored guardrails.
#[derive(Clone)]
pub struct GuardrailService {
    db: DatabaseConnection,
}

impl GuardrailService {
    pub fn new(db: DatabaseConnection) -> Self {
        Self { db }
    }

    /// Every stored guardrail, by name.
    pub async fn all(&self) -> Result<Vec<guardrail::Model>, DomainError> {
        Ok(guardrail::Entity::find()
            .order_by_asc(guardrail::Column::Name)
            .all(&self.db)
            .await?)
    }

    /// The counter that moves with every change.
    pub async fn version(&self) -> Result<i64, DomainError> {
        crate::counters::read(&self.db, VERSION_KEY).await
    }

    /// Creates or replaces guardrail `name` with `definition`, once `rules` accept it.
    pub async fn put(
        &self,
        rules: &Arc<dyn GuardrailRules>,
        name: &str,
        mut definition: Value,
    ) -> Result<guardrail::Model, DomainError> {
        let name = name.trim();
        if name.is_empty() || name.chars().count() > MAX_NAME {
            return Err(DomainError::BadInput(format!(
                "a guardrail's name is 1 to {MAX_NAME} characters"
            )));
        }
        let Some(fields) = definition.as_object_mut() else {
            return Err(DomainError::BadInput(
                "a guardrail's definition is an object, like one `[[guardrails]]` entry".into(),
            ));
        };
        fields.insert("guardrail_name".into(), Value::String(name.to_owned()));
        let configured = rules.configured();
        if configured
            .iter()
            .any(|declared| declared["guardrail_name"] == name)
        {
            return Err(DomainError::Conflict(format!(
                "guardrail `{name}` is declared in configuration; change it there"
            )));
        }
        rules.check(&definition).map_err(DomainError::BadInput)?;
        let now = Utc::now();
        let txn = crate::txn::begin_write(&self.db).await?;
        guardrail::Entity::insert(guardrail::ActiveModel {
            name: Set(name.to_owned()),
            definition: Set(definition),
            created_at: Set(now),
            updated_at: Set(now),
        })
        .on_conflict(
            OnConflict::column(guardrail::Column::Name)
                .update_columns([guardrail::Column::Definition, guardrail::Column::UpdatedAt])
                .to_owned(),
        )
        .exec_without_returning(&txn)
        .await?;
        crate::counters::bump(&txn, VERSION_KEY).await?;
        let row = guardrail::Entity::find_by_id(name.to_owned())
            .one(&txn)
            .await?
            .ok_or_else(|| DomainError::NotFound(format!("guardrail `{name}`")))?;
        txn.commit().await?;
        rules.apply().await;
        Ok(row)
    }

    /// Deletes guardrail `name`; whether it existed.
    pub async fn delete(
        &self,
        rules: &Arc<dyn GuardrailRules>,
        name: &str,
    ) -> Result<bool, DomainError> {
        let txn = crate::txn::begin_write(&self.db).await?;
        let deleted = guardrail::Entity::delete_by_id(name.trim().to_owned())
            .exec(&txn)
            .await?
            .rows_affected
            > 0;
        if deleted {
            crate::counters::bump(&txn, VERSION_KEY).await?;
        }
        txn.commit().await?;
        if deleted {
            rules.apply().await;
        }
        Ok(deleted)
    }
}
