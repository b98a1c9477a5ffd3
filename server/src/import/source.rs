//! Reading a LiteLLM database (PostgreSQL, the schema LiteLLM's Prisma migrations make):
//! its users, virtual keys with their budgets, the models registered through its admin API
//! and its spend logs, as plain rows. Only reads; arrays and JSON are read as JSON text and timestamps as
//! UTC, so the rows do not depend on how the driver maps PostgreSQL's types.

use anyhow::Context;
use chrono::{DateTime, NaiveDateTime, Utc};
use sea_orm::{
    ConnectOptions, ConnectionTrait, Database, DatabaseConnection, QueryResult, Statement,
};
use serde_json::Value;

/// A LiteLLM user (`LiteLLM_UserTable`).
#[derive(Debug, Clone)]
pub struct SourceUser {
    pub user_id: String,
    pub alias: Option<String>,
    pub email: Option<String>,
    pub role: Option<String>,
    pub max_budget: Option<f64>,
    pub spend: f64,
    pub tpm_limit: Option<i64>,
    pub rpm_limit: Option<i64>,
    pub max_parallel_requests: Option<i64>,
    pub budget_duration: Option<String>,
    pub budget_reset_at: Option<DateTime<Utc>>,
}

/// A LiteLLM virtual key (`LiteLLM_VerificationToken`), its limits filled in from the budget
/// it links to (`LiteLLM_BudgetTable`) where it has none of its own.
#[derive(Debug, Clone)]
pub struct SourceKey {
    /// The SHA-256 hex of the key.
    pub token: String,
    pub key_name: Option<String>,
    pub alias: Option<String>,
    pub spend: f64,
    pub expires: Option<DateTime<Utc>>,
    pub models: Vec<String>,
    pub user_id: Option<String>,
    pub team_id: Option<String>,
    pub metadata: Value,
    pub blocked: bool,
    pub tpm_limit: Option<i64>,
    pub rpm_limit: Option<i64>,
    pub max_parallel_requests: Option<i64>,
    pub max_budget: Option<f64>,
    pub soft_budget: Option<f64>,
    pub budget_duration: Option<String>,
    pub budget_reset_at: Option<DateTime<Utc>>,
}

/// A model deployment registered through LiteLLM's admin API (`LiteLLM_ProxyModelTable`);
/// its `litellm_params` strings are sealed.
#[derive(Debug, Clone)]
pub struct SourceModel {
    pub model_id: String,
    pub model_name: String,
    pub litellm_params: Value,
    pub model_info: Value,
}

/// One request LiteLLM recorded (`LiteLLM_SpendLogs`).
#[derive(Debug, Clone)]
pub struct SourceSpend {
    pub request_id: String,
    pub call_type: String,
    /// The key's SHA-256 hex, or empty for the master key.
    pub api_key: String,
    pub spend: f64,
    pub prompt_tokens: i64,
    pub completion_tokens: i64,
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
    pub first_token: Option<DateTime<Utc>>,
    pub duration_ms: Option<i64>,
    /// The deployment's model, and the public name it was called by.
    pub model: String,
    pub model_group: Option<String>,
    pub status: Option<String>,
}

/// Where a page of spend logs ends: the next page starts after it.
pub type SpendCursor = (DateTime<Utc>, String);

/// An open LiteLLM database.
pub struct Source {
    db: DatabaseConnection,
}

/// The tables an import reads; a database without them is not LiteLLM's.
const TABLES: [&str; 4] = [
    "LiteLLM_UserTable",
    "LiteLLM_VerificationToken",
    "LiteLLM_BudgetTable",
    "LiteLLM_ProxyModelTable",
];

impl Source {
    /// Connects to the LiteLLM database at `url` and checks that it is one.
    pub async fn open(url: &str) -> anyhow::Result<Self> {
        if !(url.starts_with("postgres://") || url.starts_with("postgresql://")) {
            anyhow::bail!(
                "--from must be the postgres:// URL of LiteLLM's database (its DATABASE_URL)"
            );
        }
        let mut options = ConnectOptions::new(url.to_owned());
        options
            .max_connections(2)
            .connect_timeout(std::time::Duration::from_secs(10))
            .sqlx_logging(false);
        let db = Database::connect(options)
            .await
            .context("cannot connect to the LiteLLM database")?;
        let source = Self { db };
        for table in TABLES {
            let found = source
                .rows(&format!(
                    "SELECT to_regclass('public.\"{table}\"') IS NOT NULL AS found"
                ))
                .await?;
            let present = found
                .first()
                .and_then(|row| row.try_get::<bool>("", "found").ok())
                .unwrap_or(false);
            if !present {
                anyhow::bail!(
                    "this is not a LiteLLM database: it has no {table} table (point --from at the \
                     database LiteLLM's DATABASE_URL names)"
                );
            }
        }
        Ok(source)
    }

    async fn rows(&self, sql: &str) -> anyhow::Result<Vec<QueryResult>> {
        self.db
            .query_all(Statement::from_string(self.db.get_database_backend(), sql))
            .await
            .with_context(|| format!("cannot read the LiteLLM database ({sql})"))
    }

    /// Every user.
    pub async fn users(&self) -> anyhow::Result<Vec<SourceUser>> {
        let rows = self
            .rows(
                "SELECT user_id, user_alias, user_email, user_role, max_budget, spend, \
                 tpm_limit, rpm_limit, max_parallel_requests::bigint AS max_parallel_requests, \
                 budget_duration, budget_reset_at \
                 FROM \"LiteLLM_UserTable\" ORDER BY user_id",
            )
            .await?;
        rows.iter()
            .map(|row| {
                Ok(SourceUser {
                    user_id: get(row, "user_id")?,
                    alias: get(row, "user_alias")?,
                    email: get(row, "user_email")?,
                    role: get(row, "user_role")?,
                    max_budget: get(row, "max_budget")?,
                    spend: get(row, "spend")?,
                    tpm_limit: get(row, "tpm_limit")?,
                    rpm_limit: get(row, "rpm_limit")?,
                    max_parallel_requests: get(row, "max_parallel_requests")?,
                    budget_duration: get(row, "budget_duration")?,
                    budget_reset_at: time(row, "budget_reset_at")?,
                })
            })
            .collect()
    }

    /// Every virtual key, oldest first.
    pub async fn keys(&self) -> anyhow::Result<Vec<SourceKey>> {
        let rows = self
            .rows(
                "SELECT k.token, k.key_name, k.key_alias, k.spend, k.expires, \
                 array_to_json(k.models)::text AS models, k.user_id, k.team_id, \
                 k.metadata::text AS metadata, COALESCE(k.blocked, false) AS blocked, \
                 COALESCE(k.tpm_limit, b.tpm_limit) AS tpm_limit, \
                 COALESCE(k.rpm_limit, b.rpm_limit) AS rpm_limit, \
                 COALESCE(k.max_parallel_requests, b.max_parallel_requests)::bigint \
                   AS max_parallel_requests, \
                 COALESCE(k.max_budget, b.max_budget) AS max_budget, \
                 b.soft_budget AS soft_budget, \
                 COALESCE(k.budget_duration, b.budget_duration) AS budget_duration, \
                 COALESCE(k.budget_reset_at, b.budget_reset_at) AS budget_reset_at \
                 FROM \"LiteLLM_VerificationToken\" k \
                 LEFT JOIN \"LiteLLM_BudgetTable\" b ON b.budget_id = k.budget_id \
                 ORDER BY k.created_at NULLS FIRST, k.token",
            )
            .await?;
        rows.iter()
            .map(|row| {
                let models: Option<String> = get(row, "models")?;
                let metadata: Option<String> = get(row, "metadata")?;
                Ok(SourceKey {
                    token: get(row, "token")?,
                    key_name: get(row, "key_name")?,
                    alias: get(row, "key_alias")?,
                    spend: get(row, "spend")?,
                    expires: time(row, "expires")?,
                    models: json_text(models.as_deref())?,
                    user_id: get(row, "user_id")?,
                    team_id: get(row, "team_id")?,
                    metadata: json_text(metadata.as_deref())?,
                    blocked: get(row, "blocked")?,
                    tpm_limit: get(row, "tpm_limit")?,
                    rpm_limit: get(row, "rpm_limit")?,
                    max_parallel_requests: get(row, "max_parallel_requests")?,
                    max_budget: get(row, "max_budget")?,
                    soft_budget: get(row, "soft_budget")?,
                    budget_duration: get(row, "budget_duration")?,
                    budget_reset_at: time(row, "budget_reset_at")?,
                })
            })
            .collect()
    }

    /// Every model deployment registered through the admin API, oldest first.
    pub async fn models(&self) -> anyhow::Result<Vec<SourceModel>> {
        let rows = self
            .rows(
                "SELECT model_id, model_name, litellm_params::text AS litellm_params, \
                 model_info::text AS model_info \
                 FROM \"LiteLLM_ProxyModelTable\" ORDER BY created_at, model_id",
            )
            .await?;
        rows.iter()
            .map(|row| {
                let params: Option<String> = get(row, "litellm_params")?;
                let info: Option<String> = get(row, "model_info")?;
                Ok(SourceModel {
                    model_id: get(row, "model_id")?,
                    model_name: get(row, "model_name")?,
                    litellm_params: json_text(params.as_deref())?,
                    model_info: json_text(info.as_deref())?,
                })
            })
            .collect()
    }

    /// Up to `limit` spend logs after `after`, in the order they started.
    pub async fn spend_logs(
        &self,
        after: Option<&SpendCursor>,
        limit: u64,
    ) -> anyhow::Result<Vec<SourceSpend>> {
        let columns = "SELECT request_id, call_type, api_key, spend, \
             prompt_tokens::bigint AS prompt_tokens, completion_tokens::bigint AS completion_tokens, \
             \"startTime\" AS start_time, \"endTime\" AS end_time, \
             \"completionStartTime\" AS first_token, request_duration_ms::bigint AS duration_ms, \
             model, model_group, status FROM \"LiteLLM_SpendLogs\"";
        let order = "ORDER BY \"startTime\", request_id LIMIT";
        let backend = self.db.get_database_backend();
        let statement = match after {
            None => Statement::from_string(backend, format!("{columns} {order} {limit}")),
            Some((start, id)) => Statement::from_sql_and_values(
                backend,
                format!("{columns} WHERE (\"startTime\", request_id) > ($1, $2) {order} {limit}"),
                [start.naive_utc().into(), id.clone().into()],
            ),
        };
        let rows = self
            .db
            .query_all(statement)
            .await
            .context("cannot read LiteLLM's spend logs")?;
        rows.iter()
            .map(|row| {
                Ok(SourceSpend {
                    request_id: get(row, "request_id")?,
                    call_type: get(row, "call_type")?,
                    api_key: get(row, "api_key")?,
                    spend: get(row, "spend")?,
                    prompt_tokens: get(row, "prompt_tokens")?,
                    completion_tokens: get(row, "completion_tokens")?,
                    start: get::<NaiveDateTime>(row, "start_time")?.and_utc(),
                    end: get::<NaiveDateTime>(row, "end_time")?.and_utc(),
                    first_token: time(row, "first_token")?,
                    duration_ms: get(row, "duration_ms")?,
                    model: get(row, "model")?,
                    model_group: get(row, "model_group")?,
                    status: get(row, "status")?,
                })
            })
            .collect()
    }
}

fn get<T: sea_orm::TryGetable>(row: &QueryResult, column: &str) -> anyhow::Result<T> {
    row.try_get("", column)
        .map_err(|e| anyhow::anyhow!("LiteLLM column `{column}` cannot be read: {e}"))
}

/// A Prisma `DateTime` (`timestamp(3)` without a zone, written in UTC).
fn time(row: &QueryResult, column: &str) -> anyhow::Result<Option<DateTime<Utc>>> {
    Ok(get::<Option<NaiveDateTime>>(row, column)?.map(|t| t.and_utc()))
}

/// JSON read as text; none is the type's default (an empty list, `null`).
fn json_text<T: serde::de::DeserializeOwned + Default>(text: Option<&str>) -> anyhow::Result<T> {
    match text {
        None => Ok(T::default()),
        Some(text) => serde_json::from_str(text).context("LiteLLM stored JSON that cannot be read"),
    }
}
