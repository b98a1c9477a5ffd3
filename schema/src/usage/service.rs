//! Usage analytics from the hourly and daily rollups: time series by hour or day, broken down
//! by model, key, user, provider or cluster, with totals, top-N, the change against the previous
//! period, and how many users and keys were active. Sums and counts run in the database (one
//! grouped query per question, and one more first to rank keys or users); only buckets come
//! back, and only those of the groups shown.

use std::cmp::Ordering;
use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, DurationRound, TimeDelta, Utc};
use entity::cluster_rollup;
use entity::usage_rollup::{self as rollup, LATENCY_BOUNDS_MS, LATENCY_COLUMNS};
use sea_orm::sea_query::{
    Alias, DynIden, Expr, Func, IntoIden, Query, SelectStatement, SimpleExpr,
};
use sea_orm::{
    Condition, ConnectionTrait, DatabaseConnection, DbErr, EntityName, EntityTrait,
    FromQueryResult, QueryResult,
};
use uuid::Uuid;

use crate::DomainError;

/// The longest span one question may cover.
pub const MAX_SPAN_DAYS: i64 = 400;

/// Bucket width.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Granularity {
    Hour,
    Day,
}

/// What the series are split by.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum GroupBy {
    Nothing,
    Model,
    Key,
    User,
    /// Who serves the model (`hosted_vllm`, `openai`, …), from the catalog; usage of
    /// models since deleted counts as `unknown`.
    Provider,
    /// The cluster of the deployment that served (the empty string when none did), from
    /// `cluster_rollups`.
    Cluster,
}

/// Which rollups a question covers.
#[derive(Clone, Debug, Default)]
pub struct UsageFilter {
    pub from: DateTime<Utc>,
    pub to: DateTime<Utc>,
    /// Only this user's usage (every user's when `None`: administrators).
    pub user: Option<Uuid>,
    pub models: Vec<String>,
    /// Key hashes.
    pub keys: Vec<String>,
}

impl UsageFilter {
    /// Whether the period starts and ends at UTC midnight (daily rows answer it exactly).
    pub fn whole_days(&self) -> bool {
        let midnight = |at: DateTime<Utc>| at.duration_trunc(TimeDelta::days(1)).ok() == Some(at);
        midnight(self.from) && midnight(self.to)
    }
}

/// Sums over some rollups.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Sums {
    pub requests: i64,
    pub errors: i64,
    pub prompt_tokens: i64,
    pub completion_tokens: i64,
    pub cost_nanos: i64,
    /// Requests per latency bucket (`LATENCY_BOUNDS_MS`, then the rest).
    pub latency: [i64; 10],
}

impl Sums {
    fn add(&mut self, other: &Sums) {
        self.requests += other.requests;
        self.errors += other.errors;
        self.prompt_tokens += other.prompt_tokens;
        self.completion_tokens += other.completion_tokens;
        self.cost_nanos += other.cost_nanos;
        for (mine, theirs) in self.latency.iter_mut().zip(other.latency) {
            *mine += theirs;
        }
    }

    /// Errors per request (0 without requests).
    pub fn error_rate(&self) -> f64 {
        if self.requests == 0 {
            0.0
        } else {
            self.errors as f64 / self.requests as f64
        }
    }

    /// The `q` quantile of latency in ms, interpolated within its bucket (`None` without
    /// requests; the last bucket reports its lower bound).
    pub fn latency_quantile(&self, q: f64) -> Option<f64> {
        let total: i64 = self.latency.iter().sum();
        if total == 0 {
            return None;
        }
        let target = q * total as f64;
        let mut seen = 0.0;
        let mut lower = 0.0;
        for (i, count) in self.latency.iter().enumerate() {
            let upper = LATENCY_BOUNDS_MS.get(i).map(|b| *b as f64);
            let next = seen + *count as f64;
            if next >= target && *count > 0 {
                return Some(match upper {
                    Some(upper) => lower + (upper - lower) * ((target - seen) / *count as f64),
                    None => lower,
                });
            }
            seen = next;
            if let Some(upper) = upper {
                lower = upper;
            }
        }
        Some(lower)
    }
}

/// Who was active over a period: distinct users and keys with requests.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Active {
    pub users: i64,
    pub keys: i64,
}

/// One group's series.
#[derive(Clone, Debug, PartialEq)]
pub struct Series {
    /// The model name, key hash, user id or provider (`None` for ungrouped, or usage
    /// without one).
    pub group: Option<String>,
    /// Buckets in time order (only those with usage).
    pub points: Vec<(DateTime<Utc>, Sums)>,
    pub totals: Sums,
}

/// One grouped row from the database.
struct Row {
    hour: DateTime<Utc>,
    group: Option<String>,
    sums: Sums,
}

impl FromQueryResult for Row {
    fn from_query_result(res: &QueryResult, pre: &str) -> Result<Self, DbErr> {
        let int = |name: &str| {
            res.try_get::<Option<i64>>(pre, name)
                .map(|v| v.unwrap_or(0))
        };
        let group = group_of(res, pre);
        let mut latency = [0; 10];
        for (i, slot) in latency.iter_mut().enumerate() {
            *slot = int(&format!("l{i}"))?;
        }
        Ok(Self {
            hour: res.try_get(pre, "hour")?,
            group,
            sums: Sums {
                requests: int("requests")?,
                errors: int("errors")?,
                prompt_tokens: int("prompt_tokens")?,
                completion_tokens: int("completion_tokens")?,
                cost_nanos: int("cost_nanos")?,
                latency,
            },
        })
    }
}

/// The `grp` column as text: user ids come back as UUIDs, everything else as text.
fn group_of(res: &QueryResult, pre: &str) -> Option<String> {
    match res.try_get::<Option<String>>(pre, "grp") {
        Ok(text) => text,
        Err(_) => res
            .try_get::<Option<Uuid>>(pre, "grp")
            .unwrap_or_default()
            .map(|id| id.to_string()),
    }
}

/// One group's spend over the whole question, to rank groups before reading their buckets.
struct Ranked {
    group: Option<String>,
    cost_nanos: i64,
    requests: i64,
}

impl FromQueryResult for Ranked {
    fn from_query_result(res: &QueryResult, pre: &str) -> Result<Self, DbErr> {
        let int = |name: &str| {
            res.try_get::<Option<i64>>(pre, name)
                .map(|v| v.unwrap_or(0))
        };
        Ok(Self {
            group: group_of(res, pre),
            cost_nanos: int("cost_nanos")?,
            requests: int("requests")?,
        })
    }
}

/// The order series are shown in: biggest spenders first, then most requests, then by group
/// so that ties always come out alike.
fn biggest_first(
    (a_group, a_cost, a_requests): (&Option<String>, i64, i64),
    (b_group, b_cost, b_requests): (&Option<String>, i64, i64),
) -> Ordering {
    b_cost
        .cmp(&a_cost)
        .then(b_requests.cmp(&a_requests))
        .then(a_group.cmp(b_group))
}

/// The column `by` groups on, if any (a provider is its model's).
fn group_column(by: GroupBy) -> Option<DynIden> {
    match by {
        GroupBy::Nothing => None,
        GroupBy::Model | GroupBy::Provider => Some(rollup::Column::ModelName.into_iden()),
        GroupBy::Key => Some(rollup::Column::KeyHash.into_iden()),
        GroupBy::User => Some(rollup::Column::UserId.into_iden()),
        GroupBy::Cluster => Some(cluster_rollup::Column::Cluster.into_iden()),
    }
}

/// Only the rows of `groups` (values of `column`, grouped `by`): one `IN` list, which both
/// databases take flat however long it is (a chain of `OR`s nests one level per group, and
/// SQLite refuses a thousand), plus `IS NULL` when usage without a group is among them.
fn only_groups(
    by: GroupBy,
    column: &DynIden,
    groups: &[Option<String>],
) -> Result<Condition, DbErr> {
    let present = groups.iter().flatten();
    let listed = if by == GroupBy::User {
        let ids = present
            .map(|id| {
                Uuid::parse_str(id).map_err(|e| {
                    DbErr::Custom(format!("the user id {id} read back is not a UUID: {e}"))
                })
            })
            .collect::<Result<Vec<_>, _>>()?;
        Expr::col(column.clone()).is_in(ids)
    } else {
        Expr::col(column.clone()).is_in(present.map(String::as_str))
    };
    let mut any = Condition::any().add(listed);
    if groups.contains(&None) {
        any = any.add(Expr::col(column.clone()).is_null());
    }
    Ok(any)
}

fn sum(column: rollup::Column) -> SimpleExpr {
    Expr::expr(Func::sum(Expr::col(column))).cast_as(Alias::new("BIGINT"))
}

/// Usage rules over `usage_rollups`.
#[derive(Clone)]
pub struct UsageService {
    db: DatabaseConnection,
}

impl UsageService {
    /// A service over `db`.
    pub fn new(db: DatabaseConnection) -> Self {
        Self { db }
    }

    /// The database, for the lookups that label groups and resolve key ids.
    pub fn db(&self) -> &DatabaseConnection {
        &self.db
    }

    fn check(filter: &UsageFilter) -> Result<(), DomainError> {
        if filter.to <= filter.from {
            return Err(DomainError::BadInput("`to` must be after `from`".into()));
        }
        if filter.to - filter.from > TimeDelta::days(MAX_SPAN_DAYS) {
            return Err(DomainError::BadInput(format!(
                "a question may cover at most {MAX_SPAN_DAYS} days"
            )));
        }
        Ok(())
    }

    /// Sums per (bucket, group) for `filter`, grouped by `by`, from the hourly rows or (with
    /// `daily`) the daily ones; with `only`, of those groups alone.
    async fn rows(
        &self,
        filter: &UsageFilter,
        by: GroupBy,
        daily: bool,
        only: Option<&[Option<String>]>,
    ) -> Result<Vec<Row>, DomainError> {
        let mut query = Self::matching(filter, daily, by == GroupBy::Cluster)?;
        query
            .column(rollup::Column::Hour)
            .group_by_col(rollup::Column::Hour);
        match group_column(by) {
            Some(column) => {
                if let Some(groups) = only {
                    query.cond_where(only_groups(by, &column, groups)?);
                }
                query
                    .expr_as(Expr::col(column.clone()), Alias::new("grp"))
                    .group_by_col(column)
            }
            None => query.expr_as(Expr::value(Option::<String>::None), Alias::new("grp")),
        };
        for (alias, column) in [
            ("requests", rollup::Column::Requests),
            ("errors", rollup::Column::Errors),
            ("prompt_tokens", rollup::Column::PromptTokens),
            ("completion_tokens", rollup::Column::CompletionTokens),
            ("cost_nanos", rollup::Column::CostNanos),
        ] {
            query.expr_as(sum(column), Alias::new(alias));
        }
        for (i, column) in LATENCY_COLUMNS.iter().enumerate() {
            query.expr_as(sum(*column), Alias::new(format!("l{i}")));
        }
        let statement = self.db.get_database_backend().build(&query);
        Ok(Row::find_by_statement(statement).all(&self.db).await?)
    }

    /// The `top` biggest groups of `filter` grouped `by` a key or a user, in order, or `None`
    /// when there are no more than `top`. One grouped query without buckets: thousands of
    /// users times thirty days need not come back to show ten of them.
    async fn top_groups(
        &self,
        filter: &UsageFilter,
        by: GroupBy,
        daily: bool,
        top: usize,
    ) -> Result<Option<Vec<Option<String>>>, DomainError> {
        let Some(column) = group_column(by) else {
            return Ok(None);
        };
        let mut query = Self::matching(filter, daily, by == GroupBy::Cluster)?;
        query
            .expr_as(Expr::col(column.clone()), Alias::new("grp"))
            .group_by_col(column)
            .expr_as(sum(rollup::Column::CostNanos), Alias::new("cost_nanos"))
            .expr_as(sum(rollup::Column::Requests), Alias::new("requests"));
        let statement = self.db.get_database_backend().build(&query);
        let mut ranked = Ranked::find_by_statement(statement).all(&self.db).await?;
        if ranked.len() <= top {
            return Ok(None);
        }
        ranked.sort_by(|a, b| {
            biggest_first(
                (&a.group, a.cost_nanos, a.requests),
                (&b.group, b.cost_nanos, b.requests),
            )
        });
        ranked.truncate(top);
        Ok(Some(ranked.into_iter().map(|r| r.group).collect()))
    }

    /// The rollups `filter` covers, hourly or (with `daily`) daily ones, of `usage_rollups`
    /// or (with `by_cluster`) `cluster_rollups`, selecting nothing yet. The two tables name
    /// their shared columns alike.
    fn matching(
        filter: &UsageFilter,
        daily: bool,
        by_cluster: bool,
    ) -> Result<SelectStatement, DomainError> {
        Self::check(filter)?;
        let span = if daily {
            rollup::SPAN_DAY
        } else {
            rollup::SPAN_HOUR
        };
        let table = if by_cluster {
            Alias::new(cluster_rollup::Entity.table_name())
        } else {
            Alias::new(rollup::Entity.table_name())
        };
        let mut query = Query::select();
        query
            .from(table)
            .and_where(Expr::col(rollup::Column::Span).eq(span))
            .and_where(Expr::col(rollup::Column::Hour).gte(filter.from))
            .and_where(Expr::col(rollup::Column::Hour).lt(filter.to));
        if let Some(user) = filter.user {
            query.and_where(Expr::col(rollup::Column::UserId).eq(user));
        }
        if !filter.models.is_empty() {
            query.and_where(Expr::col(rollup::Column::ModelName).is_in(filter.models.clone()));
        }
        if !filter.keys.is_empty() {
            query.and_where(Expr::col(rollup::Column::KeyHash).is_in(filter.keys.clone()));
        }
        Ok(query)
    }

    /// How many distinct users and keys made requests in `filter` (one query; master-key
    /// traffic, which has neither, is not counted).
    #[tracing::instrument(skip(self, filter), err)]
    pub async fn active(&self, filter: &UsageFilter) -> Result<Active, DomainError> {
        let distinct = |column: SimpleExpr| {
            Expr::expr(Func::count_distinct(column)).cast_as(Alias::new("BIGINT"))
        };
        let no_key = Expr::cust("NULL");
        let keys = Expr::case(Expr::col(rollup::Column::KeyHash).eq(""), no_key)
            .finally(Expr::col(rollup::Column::KeyHash));
        let mut query = Self::matching(filter, filter.whole_days(), false)?;
        query
            .expr_as(
                distinct(Expr::col(rollup::Column::UserId).into()),
                Alias::new("users"),
            )
            .expr_as(distinct(keys.into()), Alias::new("keys"));
        let statement = self.db.get_database_backend().build(&query);
        let counts = self
            .db
            .query_one(statement)
            .await?
            .map(|row| {
                Ok::<_, DbErr>((
                    row.try_get::<Option<i64>>("", "users")?,
                    row.try_get::<Option<i64>>("", "keys")?,
                ))
            })
            .transpose()?;
        let (users, keys) = counts.unwrap_or_default();
        Ok(Active {
            users: users.unwrap_or(0),
            keys: keys.unwrap_or(0),
        })
    }

    /// Each model's provider, by model name.
    async fn providers(&self) -> Result<HashMap<String, String>, DomainError> {
        Ok(entity::model::Entity::find()
            .all(&self.db)
            .await?
            .into_iter()
            .map(|m| (m.name, m.provider))
            .collect())
    }

    /// The series of `filter` split by `by`, in buckets of `granularity`: the `top` biggest
    /// spenders, biggest first.
    #[tracing::instrument(skip(self, filter), err)]
    pub async fn series(
        &self,
        filter: &UsageFilter,
        granularity: Granularity,
        by: GroupBy,
        top: usize,
    ) -> Result<Vec<Series>, DomainError> {
        // Whole days read the daily rows: a twenty-fourth of the hourly ones.
        let daily = granularity == Granularity::Day && filter.whole_days();
        // Keys and users can be thousands: rank them first and read only the top ones'
        // buckets. Models, providers and clusters are a catalog's few.
        let only = match by {
            GroupBy::Key | GroupBy::User => self.top_groups(filter, by, daily, top).await?,
            _ => None,
        };
        let rows = self.rows(filter, by, daily, only.as_deref()).await?;
        let providers = match by {
            GroupBy::Provider => Some(self.providers().await?),
            _ => None,
        };
        let mut groups: HashMap<Option<String>, BTreeMap<DateTime<Utc>, Sums>> = HashMap::new();
        for mut row in rows {
            if let Some(providers) = &providers {
                let provider = row.group.as_ref().and_then(|model| providers.get(model));
                row.group = Some(provider.map_or("unknown", String::as_str).to_owned());
            }
            let bucket = match granularity {
                Granularity::Hour => row.hour,
                Granularity::Day => row
                    .hour
                    .duration_trunc(TimeDelta::days(1))
                    .unwrap_or(row.hour),
            };
            groups
                .entry(row.group)
                .or_default()
                .entry(bucket)
                .or_default()
                .add(&row.sums);
        }
        let mut series: Vec<Series> = groups
            .into_iter()
            .map(|(group, points)| {
                let mut totals = Sums::default();
                for sums in points.values() {
                    totals.add(sums);
                }
                Series {
                    group,
                    points: points.into_iter().collect(),
                    totals,
                }
            })
            .collect();
        series.sort_by(|a, b| {
            biggest_first(
                (&a.group, a.totals.cost_nanos, a.totals.requests),
                (&b.group, b.totals.cost_nanos, b.totals.requests),
            )
        });
        series.truncate(top);
        Ok(series)
    }

    /// Totals of `filter` (one grouped query).
    pub async fn totals(&self, filter: &UsageFilter) -> Result<Sums, DomainError> {
        let mut totals = Sums::default();
        for row in self
            .rows(filter, GroupBy::Nothing, filter.whole_days(), None)
            .await?
        {
            totals.add(&row.sums);
        }
        Ok(totals)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantiles_interpolate_within_buckets() {
        let mut sums = Sums::default();
        assert_eq!(sums.latency_quantile(0.5), None);
        // 10 requests ≤ 50 ms, 10 in 50–100 ms.
        sums.latency[0] = 10;
        sums.latency[1] = 10;
        assert_eq!(sums.latency_quantile(0.5), Some(50.0));
        assert_eq!(sums.latency_quantile(0.75), Some(75.0));
        sums.latency[9] = 80;
        assert_eq!(
            sums.latency_quantile(0.95),
            Some(30_000.0),
            "the open bucket's lower bound"
        );
        sums.requests = 4;
        sums.errors = 1;
        assert_eq!(sums.error_rate(), 0.25);
    }
}
