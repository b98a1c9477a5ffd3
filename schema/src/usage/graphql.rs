//! GraphQL for usage analytics: my usage, or (administrators) everyone's or one user's, as
//! totals, the change against the previous period of the same length, and series by hour or
//! day split by model, key, user or provider, and how many users and keys were
//! active.

use std::collections::HashMap;
use std::sync::Arc;

use async_graphql::{
    ComplexObject, Context, Enum, ErrorExtensions, ID, InputObject, Object, SimpleObject,
};
use chrono::{DateTime, Utc};
use entity::{api_key, user};
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter};
use uuid::Uuid;

use tokio::sync::OnceCell;

use super::service::{Active, Granularity, GroupBy, Series, Sums, UsageFilter, UsageService};
use crate::DomainError;
use crate::access::{Caller, Needs, Permission, caller};

/// Bucket width.
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
#[graphql(name = "Granularity")]
pub enum GranularityInput {
    Hour,
    Day,
}

/// What series are split by.
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
pub enum UsageGroupBy {
    None,
    Model,
    Key,
    User,
    /// Who serves the model (`hosted_vllm`, `openai`, …).
    Provider,
    /// The cluster of the deployment that served; the empty group (no label) is requests no
    /// deployment served. Counted from this release on: during a rolling upgrade, pods of
    /// the previous one settle requests without their cluster.
    Cluster,
}

/// Whose usage, over which period.
#[derive(InputObject, Clone, Debug)]
pub struct UsageInput {
    pub from: DateTime<Utc>,
    pub to: DateTime<Utc>,
    /// Only these models.
    pub models: Option<Vec<String>>,
    /// Only these keys.
    pub key_ids: Option<Vec<ID>>,
    /// Administrators: one user's usage.
    pub user_id: Option<ID>,
    /// Administrators: everyone's usage (otherwise: mine).
    #[graphql(default = false)]
    pub all_users: bool,
}

/// Sums over a period or a bucket.
#[derive(SimpleObject, Clone, Debug)]
pub struct UsageSums {
    pub requests: i64,
    pub errors: i64,
    pub prompt_tokens: i64,
    pub completion_tokens: i64,
    pub spend: f64,
    pub error_rate: f64,
    pub latency_p50_ms: Option<f64>,
    pub latency_p95_ms: Option<f64>,
}

impl From<&Sums> for UsageSums {
    fn from(sums: &Sums) -> Self {
        Self {
            requests: sums.requests,
            errors: sums.errors,
            prompt_tokens: sums.prompt_tokens,
            completion_tokens: sums.completion_tokens,
            spend: sums.cost_nanos as f64 / 1e9,
            error_rate: sums.error_rate(),
            latency_p50_ms: sums.latency_quantile(0.5),
            latency_p95_ms: sums.latency_quantile(0.95),
        }
    }
}

/// One bucket of a series.
#[derive(SimpleObject, Clone, Debug)]
pub struct UsagePoint {
    /// The bucket's start (UTC).
    pub start: DateTime<Utc>,
    #[graphql(flatten)]
    pub sums: UsageSums,
}

/// One group's series.
#[derive(SimpleObject, Clone, Debug)]
pub struct UsageSeries {
    /// The model name, key id, user id, provider or cluster (null for an ungrouped series).
    pub group: Option<String>,
    /// What people call the group: the model, the key's name, the user.
    pub label: Option<String>,
    pub totals: UsageSums,
    pub points: Vec<UsagePoint>,
}

/// Relative change against the previous period (0.25 = +25%); null when it had none.
#[derive(SimpleObject, Clone, Debug)]
pub struct UsageChange {
    pub requests: Option<f64>,
    pub tokens: Option<f64>,
    pub spend: Option<f64>,
}

fn change(now: i64, before: i64) -> Option<f64> {
    (before != 0).then(|| (now - before) as f64 / before as f64)
}

/// A usage report: totals now and before, and series on demand.
#[derive(SimpleObject, Clone, Debug)]
#[graphql(complex)]
pub struct UsageReport {
    pub from: DateTime<Utc>,
    pub to: DateTime<Utc>,
    pub totals: UsageSums,
    /// The same length of time just before `from`.
    pub previous_totals: UsageSums,
    pub change: UsageChange,
    #[graphql(skip)]
    pub filter: UsageFilter,
    /// Who was active, counted once for both fields that ask.
    #[graphql(skip)]
    pub active: Arc<OnceCell<Active>>,
}

/// The filter a caller may ask for: their own usage, or anyone's for administrators.
pub async fn scoped_filter(
    db: &DatabaseConnection,
    caller: &Caller,
    input: &UsageInput,
) -> Result<UsageFilter, DomainError> {
    let admin = caller.permissions().contains(&Permission::ReadAll);
    let user = match (&input.user_id, input.all_users) {
        (Some(_), true) => {
            return Err(DomainError::BadInput(
                "give either userId or allUsers".into(),
            ));
        }
        (Some(id), false) => {
            let id = Uuid::parse_str(id)
                .map_err(|_| DomainError::BadInput(format!("`{}` is not an id", id.0)))?;
            if !admin && caller.principal.as_ref().and_then(|p| p.user_id) != Some(id) {
                return Err(DomainError::Forbidden(
                    "only administrators may read other people's usage".into(),
                ));
            }
            Some(id)
        }
        (None, true) if admin => None,
        (None, true) => {
            return Err(DomainError::Forbidden(
                "only administrators may read everyone's usage".into(),
            ));
        }
        (None, false) => Some(caller.require_user(Permission::ReadOwn)?),
    };
    let key_ids: Vec<Uuid> = input
        .key_ids
        .iter()
        .flatten()
        .map(|id| {
            Uuid::parse_str(id)
                .map_err(|_| DomainError::BadInput(format!("`{}` is not a key id", id.0)))
        })
        .collect::<Result<_, _>>()?;
    let keys = if key_ids.is_empty() {
        Vec::new()
    } else {
        let found = api_key::Entity::find()
            .filter(api_key::Column::Id.is_in(key_ids.clone()))
            .all(db)
            .await?;
        if found.len() != key_ids.len() {
            return Err(DomainError::NotFound(
                "some of these keys do not exist".into(),
            ));
        }
        found.into_iter().map(|k| k.token_hash).collect()
    };
    Ok(UsageFilter {
        from: input.from,
        to: input.to,
        user,
        models: input.models.clone().unwrap_or_default(),
        keys,
    })
}

/// Names for the groups of `series`: key hashes become key ids and names, user ids names.
async fn labelled(
    db: &DatabaseConnection,
    by: GroupBy,
    series: Vec<Series>,
) -> Result<Vec<UsageSeries>, DomainError> {
    let groups: Vec<String> = series.iter().filter_map(|s| s.group.clone()).collect();
    let mut names: HashMap<String, (String, String)> = HashMap::new();
    match by {
        GroupBy::Key => {
            for key in api_key::Entity::find()
                .filter(api_key::Column::TokenHash.is_in(groups))
                .all(db)
                .await?
            {
                let label = key
                    .metadata
                    .get("name")
                    .and_then(|n| n.as_str())
                    .map_or_else(|| key.key_name.clone(), str::to_owned);
                names.insert(key.token_hash, (key.id.to_string(), label));
            }
        }
        GroupBy::User => {
            let ids: Vec<Uuid> = groups
                .iter()
                .filter_map(|g| Uuid::parse_str(g).ok())
                .collect();
            for person in user::Entity::find()
                .filter(user::Column::Id.is_in(ids))
                .all(db)
                .await?
            {
                let label = person.display_name.clone().unwrap_or(person.external_id);
                names.insert(person.id.to_string(), (person.id.to_string(), label));
            }
        }
        GroupBy::Model | GroupBy::Provider | GroupBy::Cluster | GroupBy::Nothing => {}
    }
    Ok(series
        .into_iter()
        .map(|s| {
            let (group, label) = match (&s.group, by) {
                (Some(g), GroupBy::Key | GroupBy::User) => match names.get(g) {
                    Some((id, label)) => (Some(id.clone()), Some(label.clone())),
                    None => (None, Some("deleted".to_owned())),
                },
                (Some(g), GroupBy::Cluster) if g.is_empty() => (Some(String::new()), None),
                (group, _) => (group.clone(), group.clone()),
            };
            UsageSeries {
                group,
                label,
                totals: (&s.totals).into(),
                points: s
                    .points
                    .iter()
                    .map(|(start, sums)| UsagePoint {
                        start: *start,
                        sums: sums.into(),
                    })
                    .collect(),
            }
        })
        .collect())
}

/// The series of a report: shared by GraphQL and the CSV export.
pub async fn report_series(
    usage: &UsageService,
    filter: &UsageFilter,
    granularity: GranularityInput,
    group_by: UsageGroupBy,
    top: usize,
) -> Result<Vec<UsageSeries>, DomainError> {
    let by = match group_by {
        UsageGroupBy::None => GroupBy::Nothing,
        UsageGroupBy::Model => GroupBy::Model,
        UsageGroupBy::Key => GroupBy::Key,
        UsageGroupBy::User => GroupBy::User,
        UsageGroupBy::Provider => GroupBy::Provider,
        UsageGroupBy::Cluster => GroupBy::Cluster,
    };
    let granularity = match granularity {
        GranularityInput::Hour => Granularity::Hour,
        GranularityInput::Day => Granularity::Day,
    };
    let series = usage.series(filter, granularity, by, top).await?;
    labelled(usage.db(), by, series).await
}

impl UsageReport {
    /// Who was active in the period: one query however many fields ask.
    async fn active(&self, ctx: &Context<'_>) -> async_graphql::Result<Active> {
        let usage = ctx.data::<UsageService>()?;
        self.active
            .get_or_try_init(|| usage.active(&self.filter))
            .await
            .copied()
            .map_err(|e| e.extend())
    }
}

#[ComplexObject]
impl UsageReport {
    /// How many users made requests in the period (master-key traffic has none).
    async fn active_users(&self, ctx: &Context<'_>) -> async_graphql::Result<i64> {
        Ok(self.active(ctx).await?.users)
    }

    /// How many keys made requests in the period (master-key traffic has none).
    async fn active_keys(&self, ctx: &Context<'_>) -> async_graphql::Result<i64> {
        Ok(self.active(ctx).await?.keys)
    }

    /// Series by `granularity`, split by `groupBy`, the `top` biggest spenders (1 to 100).
    async fn series(
        &self,
        ctx: &Context<'_>,
        #[graphql(default_with = "GranularityInput::Day")] granularity: GranularityInput,
        #[graphql(default_with = "UsageGroupBy::None")] group_by: UsageGroupBy,
        #[graphql(default = 10, validator(minimum = 1, maximum = 100))] top: i32,
    ) -> async_graphql::Result<Vec<UsageSeries>> {
        let usage = ctx.data::<UsageService>()?;
        report_series(
            usage,
            &self.filter,
            granularity,
            group_by,
            usize::try_from(top).unwrap_or(10),
        )
        .await
        .map_err(|e| e.extend())
    }
}

/// Usage queries.
#[derive(Default)]
pub struct UsageQuery;

#[Object]
impl UsageQuery {
    /// A usage report: mine, or (administrators) one user's or everyone's.
    #[graphql(guard = "Needs(Permission::ReadOwn)")]
    async fn usage(
        &self,
        ctx: &Context<'_>,
        input: UsageInput,
    ) -> async_graphql::Result<UsageReport> {
        let usage = ctx.data::<UsageService>()?;
        let filter = scoped_filter(usage.db(), &caller(ctx), &input)
            .await
            .map_err(|e| e.extend())?;
        let totals = usage.totals(&filter).await.map_err(|e| e.extend())?;
        let span = filter.to - filter.from;
        let before = UsageFilter {
            from: filter.from - span,
            to: filter.from,
            ..filter.clone()
        };
        let previous = usage.totals(&before).await.map_err(|e| e.extend())?;
        Ok(UsageReport {
            from: filter.from,
            to: filter.to,
            change: UsageChange {
                requests: change(totals.requests, previous.requests),
                tokens: change(
                    totals.prompt_tokens + totals.completion_tokens,
                    previous.prompt_tokens + previous.completion_tokens,
                ),
                spend: change(totals.cost_nanos, previous.cost_nanos),
            },
            totals: (&totals).into(),
            previous_totals: (&previous).into(),
            filter,
            active: Arc::default(),
        })
    }
}
