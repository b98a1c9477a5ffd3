//! The audit log: every change made through GraphQL (and the admin REST API), with who made
//! it, what they asked for and what came of it, secrets redacted; readable by administrators
//! with filters.
//!
//! GraphQL mutations are recorded by the [`AuditTrail`] extension, around each top-level
//! mutation field, so no mutation can forget to record itself. Refused mutations are recorded
//! too (with why), when the caller is signed in.

mod graphql;

use std::sync::{Arc, Mutex};

use async_graphql::extensions::{
    Extension, ExtensionContext, ExtensionFactory, NextPrepareRequest, NextResolve, ResolveInfo,
};
use async_graphql::{Request, ServerResult, Value, Variables};
use chrono::{DateTime, Utc};
use entity::audit_log;
use sea_orm::sea_query::{Alias, Expr, SimpleExpr};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect, Set,
};
use uuid::Uuid;

pub use graphql::{AuditEntry, AuditQuery};

use crate::DomainError;
use crate::access::Caller;
use crate::search::contains_any;

/// Field names whose values never reach the log.
const SECRET_NAMES: &[&str] = &[
    "secret",
    "password",
    "token",
    "credential",
    "api_key",
    "apikey",
    "master_key",
];

/// `value` with every secret-looking field replaced by `[REDACTED]`.
pub fn redact(value: serde_json::Value) -> serde_json::Value {
    match value {
        serde_json::Value::Object(map) => serde_json::Value::Object(
            map.into_iter()
                .map(|(k, v)| {
                    let lower = k.to_lowercase();
                    if SECRET_NAMES.iter().any(|s| lower.contains(s)) {
                        (k, serde_json::Value::String("[REDACTED]".into()))
                    } else {
                        (k, redact(v))
                    }
                })
                .collect(),
        ),
        serde_json::Value::Array(items) => {
            serde_json::Value::Array(items.into_iter().map(redact).collect())
        }
        // A key or token wherever it appears (`sk-...abcd` display forms are not secrets).
        serde_json::Value::String(text)
            if (text.starts_with("sk-") && !text.contains("...")) || text.starts_with("syp_") =>
        {
            serde_json::Value::String("[REDACTED]".into())
        }
        other => other,
    }
}

/// The most of one recorded state an entry keeps (JSON bytes): a refused request may carry
/// up to the body limit, which the log, its search and its export should not.
const MAX_RECORDED_BYTES: usize = 16 * 1024;

/// `value`, or when its JSON is longer than [`MAX_RECORDED_BYTES`] a note of how long it was
/// and its beginning.
fn bounded(value: serde_json::Value) -> serde_json::Value {
    let text = value.to_string();
    if text.len() <= MAX_RECORDED_BYTES {
        return value;
    }
    let mut end = MAX_RECORDED_BYTES;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    serde_json::json!({ "truncated": true, "bytes": text.len(), "start": &text[..end] })
}

/// One change to record.
#[derive(Clone, Debug, Default)]
pub struct Change {
    pub actor_user_id: Option<Uuid>,
    pub actor: String,
    pub action: String,
    pub target_type: String,
    pub target_id: Option<String>,
    pub before: Option<serde_json::Value>,
    pub after: Option<serde_json::Value>,
    pub request_id: Option<String>,
}

/// The most entries one read returns (the newest matching): the page and the CSV export.
pub const MAX_ENTRIES: u64 = 1_000;

/// Which entries to read. Text filters match anywhere, in any case, literally.
#[derive(Clone, Debug, Default)]
pub struct AuditFilter {
    pub actor_user_id: Option<Uuid>,
    /// Part of the actor's name (`ana@`, `master key`).
    pub actor: Option<String>,
    pub action: Option<String>,
    pub target_type: Option<String>,
    /// Part of the object's type or id.
    pub target: Option<String>,
    /// Part of the actor, action, object, or the recorded before, input and result.
    pub text: Option<String>,
    /// From this instant, inclusive.
    pub since: Option<DateTime<Utc>>,
    /// Up to this instant, exclusive.
    pub until: Option<DateTime<Utc>>,
}

/// Audit rules over `audit_log`.
#[derive(Clone)]
pub struct AuditService {
    db: DatabaseConnection,
}

impl AuditService {
    /// A service over `db`.
    pub fn new(db: DatabaseConnection) -> Self {
        Self { db }
    }

    /// Records a change (redacting `before` and `after`).
    pub async fn record(&self, change: Change) -> Result<(), DomainError> {
        audit_log::ActiveModel {
            actor_user_id: Set(change.actor_user_id),
            actor: Set(change.actor),
            action: Set(change.action),
            target_type: Set(change.target_type),
            target_id: Set(change.target_id),
            before: Set(change.before.map(|v| bounded(redact(v)))),
            after: Set(change.after.map(|v| bounded(redact(v)))),
            request_id: Set(change.request_id),
            created_at: Set(Utc::now()),
            ..Default::default()
        }
        .insert(&self.db)
        .await?;
        Ok(())
    }

    /// The stored state a mutation is about to change, when it names one (by `id`, `modelId`
    /// or, for platform-wide settings, by itself). Secrets are redacted when recorded.
    pub async fn snapshot(
        &self,
        action: &str,
        arguments: &serde_json::Map<String, serde_json::Value>,
    ) -> Option<serde_json::Value> {
        use entity::{
            api_key, banner, branding, deployment, model, personal_access_token, setting,
            subscription, user,
        };
        let id = |name: &str| {
            arguments
                .get(name)
                .and_then(|v| v.as_str())
                .and_then(|v| Uuid::parse_str(v).ok())
        };
        let db = &self.db;
        let found = match action {
            "updateKey" | "rotateKey" | "revokeKey" | "restoreKey" | "deleteKey" => {
                api_key::Entity::find_by_id(id("id")?)
                    .into_json()
                    .one(db)
                    .await
            }
            "updateUser" | "resetUserSpend" => {
                user::Entity::find_by_id(id("id")?)
                    .into_json()
                    .one(db)
                    .await
            }
            "cancelSubscription" | "requestReview" | "revertSubscription" => {
                subscription::Entity::find_by_id(id("id")?)
                    .into_json()
                    .one(db)
                    .await
            }
            "setModelRestricted" => {
                model::Entity::find_by_id(id("modelId")?)
                    .into_json()
                    .one(db)
                    .await
            }
            "updateDeployment" | "removeDeployment" => {
                deployment::Entity::find_by_id(id("id")?)
                    .into_json()
                    .one(db)
                    .await
            }
            "updateBanner" | "deleteBanner" => {
                banner::Entity::find_by_id(id("id")?)
                    .into_json()
                    .one(db)
                    .await
            }
            "revokeAccessToken" | "revokeUserToken" => {
                personal_access_token::Entity::find_by_id(id("id")?)
                    .into_json()
                    .one(db)
                    .await
            }
            "updateBranding" => {
                branding::Entity::find_by_id(entity::BRANDING_ROW_ID)
                    .into_json()
                    .one(db)
                    .await
            }
            "setKeyPolicy" => {
                setting::Entity::find_by_id("keys.policy")
                    .into_json()
                    .one(db)
                    .await
            }
            "setPlatformSettings" => {
                setting::Entity::find_by_id("platform")
                    .into_json()
                    .one(db)
                    .await
            }
            _ => return None,
        };
        found.ok().flatten()
    }

    /// Entries matching `filter`, newest first, at most `limit`.
    pub async fn list(
        &self,
        filter: &AuditFilter,
        limit: u64,
    ) -> Result<Vec<audit_log::Model>, DomainError> {
        let mut query = audit_log::Entity::find().order_by_desc(audit_log::Column::Id);
        if let Some(actor) = filter.actor_user_id {
            query = query.filter(audit_log::Column::ActorUserId.eq(actor));
        }
        if let Some(action) = &filter.action {
            query = query.filter(audit_log::Column::Action.eq(action.as_str()));
        }
        if let Some(target) = &filter.target_type {
            query = query.filter(audit_log::Column::TargetType.eq(target.as_str()));
        }
        let column = |column: audit_log::Column| SimpleExpr::from(Expr::col(column));
        // The stored JSON as text, so a search finds a name or an id inside it.
        let json = |column: audit_log::Column| Expr::col(column).cast_as(Alias::new("TEXT"));
        if let Some(actor) = &filter.actor {
            query = query.filter(contains_any(actor, [column(audit_log::Column::Actor)]));
        }
        if let Some(target) = &filter.target {
            query = query.filter(contains_any(
                target,
                [
                    column(audit_log::Column::TargetType),
                    column(audit_log::Column::TargetId),
                ],
            ));
        }
        if let Some(text) = &filter.text {
            query = query.filter(contains_any(
                text,
                [
                    column(audit_log::Column::Actor),
                    column(audit_log::Column::Action),
                    column(audit_log::Column::TargetType),
                    column(audit_log::Column::TargetId),
                    json(audit_log::Column::Before),
                    json(audit_log::Column::After),
                ],
            ));
        }
        if let Some(since) = filter.since {
            query = query.filter(audit_log::Column::CreatedAt.gte(since));
        }
        if let Some(until) = filter.until {
            query = query.filter(audit_log::Column::CreatedAt.lt(until));
        }
        Ok(query.limit(limit).all(&self.db).await?)
    }

    /// Every action recorded so far (mutation names and admin routes), in order.
    pub async fn actions(&self) -> Result<Vec<String>, DomainError> {
        Ok(audit_log::Entity::find()
            .select_only()
            .column(audit_log::Column::Action)
            .distinct()
            .order_by_asc(audit_log::Column::Action)
            .into_tuple::<String>()
            .all(&self.db)
            .await?)
    }
}

/// The extension factory recording GraphQL mutations.
pub struct AuditTrail;

impl ExtensionFactory for AuditTrail {
    fn create(&self) -> Arc<dyn Extension> {
        Arc::new(AuditExtension {
            variables: Mutex::new(Variables::default()),
        })
    }
}

/// Per request: the variables, to record arguments as they were given.
struct AuditExtension {
    variables: Mutex<Variables>,
}

fn actor_of(caller: Option<&Caller>) -> (Option<Uuid>, String) {
    match caller.and_then(|c| c.principal.as_ref()) {
        Some(principal) => (principal.user_id, principal.name.clone()),
        None => (None, "anonymous".into()),
    }
}

#[async_trait::async_trait]
impl Extension for AuditExtension {
    async fn prepare_request(
        &self,
        ctx: &ExtensionContext<'_>,
        request: Request,
        next: NextPrepareRequest<'_>,
    ) -> ServerResult<Request> {
        if let Ok(mut variables) = self.variables.lock() {
            *variables = request.variables.clone();
        }
        next.run(ctx, request).await
    }

    async fn resolve(
        &self,
        ctx: &ExtensionContext<'_>,
        info: ResolveInfo<'_>,
        next: NextResolve<'_>,
    ) -> ServerResult<Option<Value>> {
        if info.parent_type != "Mutation" {
            return next.run(ctx, info).await;
        }
        let variables = self.variables.lock().map(|v| v.clone()).unwrap_or_default();
        let arguments: serde_json::Map<String, serde_json::Value> = info
            .field
            .arguments
            .iter()
            .filter_map(|(name, value)| {
                let value = value
                    .node
                    .clone()
                    .into_const_with(|var| variables.get(&var).cloned().ok_or(()))
                    .ok()?;
                Some((name.node.to_string(), value.into_json().ok()?))
            })
            .collect();
        let action = info.name.to_owned();
        let before = match ctx.data_opt::<AuditService>() {
            Some(audit) => audit.snapshot(&action, &arguments).await,
            None => None,
        };
        let target_type = info
            .return_type
            .trim_matches(|c| c == '!' || c == '[' || c == ']')
            .to_owned();
        let result = next.run(ctx, info).await;
        let caller = ctx.data_opt::<Caller>();
        // A refusal is recorded for an identified caller; an anonymous one's are not, or
        // anyone could fill the log.
        let identified = caller.is_some_and(|c| c.principal.is_some());
        let outcome = match &result {
            Ok(Some(value)) => Some((value.clone().into_json().ok(), None)),
            Ok(None) => None,
            Err(error) if identified => Some((None, Some(error.message.clone()))),
            Err(_) => None,
        };
        if let (Some((after, refused)), Some(audit)) = (outcome, ctx.data_opt::<AuditService>()) {
            // The object changed: the one the mutation names, else the one it returns (a
            // subscription to a model is the subscription), else the model it concerns.
            let target_id = arguments
                .get("id")
                .or_else(|| after.as_ref().and_then(|a| a.get("id")))
                .or_else(|| arguments.get("modelId"))
                .and_then(|v| v.as_str())
                .map(str::to_owned);
            let (actor_user_id, actor) = actor_of(caller);
            let mut recorded = serde_json::json!({
                "input": serde_json::Value::Object(arguments),
                "result": after,
            });
            if let Some(message) = refused {
                recorded["refused"] = serde_json::Value::String(message);
            }
            let change = Change {
                actor_user_id,
                actor,
                action,
                target_type,
                target_id,
                before,
                after: Some(recorded),
                request_id: ctx.data_opt::<RequestId>().map(|r| r.0.clone()),
            };
            if let Err(error) = audit.record(change).await {
                tracing::error!(%error, "cannot write the audit log");
            }
        }
        result
    }
}

/// The HTTP request id, attached by the server so entries can be matched to logs.
#[derive(Clone, Debug)]
pub struct RequestId(pub String);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_states_are_cut_to_a_bound_on_a_character_boundary() {
        let small = serde_json::json!({"name": "ci"});
        assert_eq!(bounded(small.clone()), small);
        let long = serde_json::json!({"text": "é".repeat(MAX_RECORDED_BYTES)});
        let cut = bounded(long);
        assert_eq!(cut["truncated"], true);
        assert!(cut["bytes"].as_u64().unwrap() > MAX_RECORDED_BYTES as u64);
        assert!(cut["start"].as_str().unwrap().len() <= MAX_RECORDED_BYTES);
    }

    #[test]
    fn secrets_are_redacted_at_any_depth() {
        let value = serde_json::json!({
            "name": "ci", "password": "hunter2",
            "createAccessToken": {"secret": "syp_x", "token": {"id": 1}},
            "list": [{"apiKey": "sk-1", "clientSecret": "s"}],
            "key": "sk-abcdefghijklmnop", "display": "sk-...mnop"
        });
        let redacted = redact(value).to_string();
        for secret in ["hunter2", "syp_x", "sk-1", "\"s\"", "sk-abcdefghijklmnop"] {
            assert!(!redacted.contains(secret), "{redacted}");
        }
        assert!(redacted.contains("\"name\":\"ci\""));
        assert!(redacted.contains("sk-...mnop"), "display forms stay");
    }
}
