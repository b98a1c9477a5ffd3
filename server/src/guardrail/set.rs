//! The guardrails this replica runs: those declared in configuration and those administrators
//! manage (stored in the database, changed through GraphQL), compiled into one set that is
//! swapped whole when the stored ones change: at once on the replica that made the change,
//! within a poll on the others (they watch the version counter).

use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};

use arc_swap::ArcSwap;
use schema::guardrails::{GuardrailRules, GuardrailService};
use serde_json::Value;

use super::{BuildError, Guardrail, Guardrails, Mode, Scanner, build_one};
use crate::config::GuardrailConfig;

/// The guardrails in force, and where they come from.
pub struct GuardrailSet {
    configured: Vec<GuardrailConfig>,
    current: ArcSwap<Guardrails>,
    service: GuardrailService,
    /// The stored guardrails' version the current set was built from.
    version: AtomicI64,
}

impl GuardrailSet {
    /// The configured guardrails (a bad one refused), none stored ones yet: [`Self::reload`]
    /// reads those.
    pub fn new(
        configured: Vec<GuardrailConfig>,
        service: GuardrailService,
    ) -> Result<Self, BuildError> {
        let current = Guardrails::build(&configured)?;
        Ok(Self {
            configured,
            current: ArcSwap::from_pointee(current),
            service,
            version: AtomicI64::new(-1),
        })
    }

    /// The guardrails of `mode` that run for a request on `model` by a key naming `named`.
    pub fn active(&self, mode: Mode, model: &str, named: &[String]) -> Scanner {
        self.current.load().active(mode, model, named)
    }

    /// Every guardrail in force: the configured ones, then the stored ones.
    pub fn all(&self) -> Vec<Arc<Guardrail>> {
        self.current.load().all().to_vec()
    }

    /// Rebuilds the set from configuration and the database. A stored guardrail that no
    /// longer compiles (written by a newer binary, say) is left out with an error logged;
    /// when the database cannot be read, the set in force stays.
    pub async fn reload(&self) {
        let (version, rows) = match (self.service.version().await, self.service.all().await) {
            (Ok(version), Ok(rows)) => (version, rows),
            (Err(error), _) | (_, Err(error)) => {
                tracing::warn!(%error, "cannot read the stored guardrails");
                return;
            }
        };
        let mut list: Vec<Arc<Guardrail>> = self.current.load().all().to_vec();
        list.retain(|rail| !rail.stored);
        for row in rows {
            let built = serde_json::from_value::<GuardrailConfig>(row.definition)
                .map_err(|error| error.to_string())
                .and_then(|config| build_one(&config));
            match built {
                Ok(mut rail) => {
                    rail.stored = true;
                    list.push(Arc::new(rail));
                }
                Err(problem) => {
                    tracing::error!(guardrail = %row.name, %problem, "stored guardrail left out");
                }
            }
        }
        self.current.store(Arc::new(Guardrails { list }));
        self.version.store(version, Ordering::Release);
    }

    /// Reloads when another replica changed the stored guardrails.
    pub async fn refresh_if_changed(&self) {
        match self.service.version().await {
            Ok(version) if version != self.version.load(Ordering::Acquire) => self.reload().await,
            Ok(_) => {}
            Err(error) => tracing::debug!(%error, "cannot read the guardrails' version"),
        }
    }
}

#[async_trait::async_trait]
impl GuardrailRules for GuardrailSet {
    fn check(&self, definition: &Value) -> Result<(), String> {
        let config: GuardrailConfig = serde_json::from_value(definition.clone())
            .map_err(|error| format!("the definition does not read: {error}"))?;
        build_one(&config).map(|_| ())
    }

    fn configured(&self) -> Vec<Value> {
        self.configured
            .iter()
            .filter_map(|config| serde_json::to_value(config).ok())
            .collect()
    }

    async fn apply(&self) {
        self.reload().await;
    }
}
