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
    /// The key's team, when it has one LiteLLM knows.
    pub team: Option<SourceTeam>,
    /// The models its owner may call (`LiteLLM_UserTable.models`; empty: every model).
    pub user_models: Vec<String>,
    /// `llm_api`, `management`, `read_only`, … (versions before key types have none).
    pub key_type: Option<String>,
    /// LiteLLM routes it is restricted to (empty: not restricted).
    pub allowed_routes: Vec<String>,
    /// What Switchyard keys cannot hold: per-model budgets, budget limits, model aliases.
    pub model_max_budget: Value,
    pub budget_limits: Value,
    pub aliases: Value,
}

/// A LiteLLM team, as far as its keys depend on it.
#[derive(Debug, Clone)]
pub struct SourceTeam {
    /// The models its keys may call (empty: every model).
    pub models: Vec<String>,
    pub blocked: bool,
    /// A budget its keys share, which Switchyard does not model.
    pub max_budget: Option<f64>,
}

/// A model deployment registered through LiteLLM's admin API (`LiteLLM_ProxyModelTable`);
/// its `litellm_params` strings are sealed.
#[derive(Debug, Clone)]
pub struct SourceModel {
    pub model_id: String,
    pub model_name: String,
    pub litellm_params: Value,
    pub model_info: Value,
    /// Switched off in LiteLLM.
    pub blocked: bool,
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
    /// `table.column` of every column its LiteLLM tables have: older versions lack some.
    columns: std::collections::HashSet<String>,
}

/// The tables an import reads; a database without them is not LiteLLM's.
const TABLES: [&str; 4] = [
    "LiteLLM_UserTable",
    "LiteLLM_VerificationToken",
    "LiteLLM_BudgetTable",
    "LiteLLM_ProxyModelTable",
];

impl Source {
    /// Connects to the LiteLLM database at `url` and checks that it is one. A Prisma-style
    /// `?schema=` in the URL (LiteLLM's DATABASE_URL may carry one) names the schema read.
    pub async fn open(url: &str) -> anyhow::Result<Self> {
        if !(url.starts_with("postgres://") || url.starts_with("postgresql://")) {
            anyhow::bail!(
                "--from must be the postgres:// URL of LiteLLM's database (its DATABASE_URL)"
            );
        }
        let (url, schema) = without_schema(url);
        let mut options = ConnectOptions::new(url);
        options
            .max_connections(2)
            .connect_timeout(std::time::Duration::from_secs(10))
            .sqlx_logging(false);
        if let Some(schema) = &schema {
            options.set_schema_search_path(schema.clone());
        }
        let db = Database::connect(options)
            .await
            .context("cannot connect to the LiteLLM database")?;
        let mut source = Self {
            db,
            columns: Default::default(),
        };
        let rows = source
            .rows(
                "SELECT table_name::text AS t, column_name::text AS c FROM information_schema.columns \
                 WHERE table_schema = ANY(current_schemas(false)) AND table_name LIKE 'LiteLLM\\_%'",
            )
            .await?;
        for row in &rows {
            let (table, column): (String, String) = (get(row, "t")?, get(row, "c")?);
            source.columns.insert(format!("{table}.{column}"));
        }
        for table in TABLES {
            if !source
                .columns
                .iter()
                .any(|c| c.starts_with(&format!("{table}.")))
            {
                anyhow::bail!(
                    "this is not a LiteLLM database: it has no {table} table (point --from at the \
                     database LiteLLM's DATABASE_URL names)"
                );
            }
        }
        Ok(source)
    }

    /// `alias.column` when `table` has the column, else a `NULL` of the column's type.
    fn column(&self, table: &str, alias: &str, column: &str, kind: &str) -> String {
        if self.columns.contains(&format!("{table}.{column}")) {
            format!("{alias}.{column}")
        } else {
            format!("NULL::{kind}")
        }
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

    /// Every virtual key, oldest first, with what it depends on: the budget it links to
    /// (whose limits apply where it has none of its own), its team and its owner's models.
    pub async fn keys(&self) -> anyhow::Result<Vec<SourceKey>> {
        const KEYS: &str = "LiteLLM_VerificationToken";
        let key = |column: &str, kind: &str| self.column(KEYS, "k", column, kind);
        let sql = format!(
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
             COALESCE(k.budget_reset_at, b.budget_reset_at) AS budget_reset_at, \
             t.team_id IS NOT NULL AS team_found, array_to_json(t.models)::text AS team_models, \
             COALESCE(t.blocked, false) AS team_blocked, t.max_budget AS team_max_budget, \
             array_to_json(u.models)::text AS user_models, \
             {key_type}::text AS key_type, array_to_json({routes})::text AS allowed_routes, \
             {per_model}::text AS model_max_budget, {limits}::text AS budget_limits, \
             k.aliases::text AS aliases \
             FROM \"{KEYS}\" k \
             LEFT JOIN \"LiteLLM_BudgetTable\" b ON b.budget_id = k.budget_id \
             LEFT JOIN \"LiteLLM_TeamTable\" t ON t.team_id = k.team_id \
             LEFT JOIN \"LiteLLM_UserTable\" u ON u.user_id = k.user_id \
             ORDER BY k.created_at NULLS FIRST, k.token",
            key_type = key("key_type", "text"),
            routes = key("allowed_routes", "text[]"),
            per_model = key("model_max_budget", "jsonb"),
            limits = key("budget_limits", "jsonb"),
        );
        let rows = self.rows(&sql).await?;
        rows.iter()
            .map(|row| {
                let text = |column: &str| get::<Option<String>>(row, column);
                let team_found: bool = get(row, "team_found")?;
                Ok(SourceKey {
                    token: get(row, "token")?,
                    key_name: get(row, "key_name")?,
                    alias: get(row, "key_alias")?,
                    spend: get(row, "spend")?,
                    expires: time(row, "expires")?,
                    models: json_text(text("models")?.as_deref())?,
                    user_id: get(row, "user_id")?,
                    team_id: get(row, "team_id")?,
                    metadata: json_text(text("metadata")?.as_deref())?,
                    blocked: get(row, "blocked")?,
                    tpm_limit: get(row, "tpm_limit")?,
                    rpm_limit: get(row, "rpm_limit")?,
                    max_parallel_requests: get(row, "max_parallel_requests")?,
                    max_budget: get(row, "max_budget")?,
                    soft_budget: get(row, "soft_budget")?,
                    budget_duration: get(row, "budget_duration")?,
                    budget_reset_at: time(row, "budget_reset_at")?,
                    team: if team_found {
                        Some(SourceTeam {
                            models: json_text(text("team_models")?.as_deref())?,
                            blocked: get(row, "team_blocked")?,
                            max_budget: get(row, "team_max_budget")?,
                        })
                    } else {
                        None
                    },
                    user_models: json_text(text("user_models")?.as_deref())?,
                    key_type: text("key_type")?,
                    allowed_routes: json_text(text("allowed_routes")?.as_deref())?,
                    model_max_budget: json_text(text("model_max_budget")?.as_deref())?,
                    budget_limits: json_text(text("budget_limits")?.as_deref())?,
                    aliases: json_text(text("aliases")?.as_deref())?,
                })
            })
            .collect()
    }

    /// Every model deployment registered through the admin API, oldest first.
    pub async fn models(&self) -> anyhow::Result<Vec<SourceModel>> {
        let rows = self
            .rows(
                // `/model/update` stores its JSON as a JSON string: read either.
                &format!(
                    "SELECT model_id, model_name, \
                     CASE jsonb_typeof(litellm_params) WHEN 'string' THEN litellm_params #>> '{{}}' \
                       ELSE litellm_params::text END AS litellm_params, \
                     CASE jsonb_typeof(model_info) WHEN 'string' THEN model_info #>> '{{}}' \
                       ELSE model_info::text END AS model_info, \
                     COALESCE({blocked}, false) AS blocked \
                     FROM \"LiteLLM_ProxyModelTable\" m ORDER BY created_at, model_id",
                    blocked = self.column("LiteLLM_ProxyModelTable", "m", "blocked", "boolean"),
                ),
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
                    blocked: get(row, "blocked")?,
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

/// `url` without a Prisma-style `schema` query parameter, and that schema.
fn without_schema(url: &str) -> (String, Option<String>) {
    let Some((base, query)) = url.split_once('?') else {
        return (url.to_owned(), None);
    };
    let mut schema = None;
    let rest: Vec<&str> = query
        .split('&')
        .filter(|pair| match pair.strip_prefix("schema=") {
            Some(name) => {
                schema = Some(name.to_owned());
                false
            }
            None => !pair.is_empty(),
        })
        .collect();
    let url = if rest.is_empty() {
        base.to_owned()
    } else {
        format!("{base}?{}", rest.join("&"))
    };
    (url, schema)
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_prisma_schema_parameter_is_taken_out_of_the_url() {
        assert_eq!(
            without_schema("postgres://u@h/db?schema=litellm&sslmode=require"),
            (
                "postgres://u@h/db?sslmode=require".into(),
                Some("litellm".into())
            )
        );
        assert_eq!(
            without_schema("postgres://u@h/db?schema=litellm"),
            ("postgres://u@h/db".into(), Some("litellm".into()))
        );
        assert_eq!(
            without_schema("postgres://u@h/db"),
            ("postgres://u@h/db".into(), None)
        );
    }
}
