//! `cluster_rollups`: the hourly and daily totals of `usage_rollups`, split also by the
//! cluster whose deployment served, for spend and latency by cluster. A table of its own
//! rather than a column in `usage_rollups`: that table's unique key is what every replica's
//! ledger upserts on, and changing it would fail the upserts of pods still running the
//! previous release during a rolling upgrade. Only this release's ledger writes here; what
//! older pods settle while the upgrade runs is in `usage_rollups` but not split by cluster.
//! Existing requests are summed in from `spend_logs`.

use sea_orm_migration::sea_orm::DatabaseBackend;
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

/// The counters beside the latency buckets, in the order of `usage_rollups`.
const COUNTERS: [&str; 6] = [
    "requests",
    "errors",
    "prompt_tokens",
    "completion_tokens",
    "cost_nanos",
    "duration_ms_sum",
];

/// Latency bucket columns and their upper bounds in ms (`None`: everything slower).
const BUCKETS: [(&str, Option<u32>); 10] = [
    ("latency_le_50", Some(50)),
    ("latency_le_100", Some(100)),
    ("latency_le_250", Some(250)),
    ("latency_le_500", Some(500)),
    ("latency_le_1000", Some(1_000)),
    ("latency_le_2500", Some(2_500)),
    ("latency_le_5000", Some(5_000)),
    ("latency_le_10000", Some(10_000)),
    ("latency_le_30000", Some(30_000)),
    ("latency_le_inf", None),
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let mut table = Table::create();
        table
            .table("cluster_rollups")
            .if_not_exists()
            .col(big_integer("id").auto_increment().primary_key())
            .col(string("span"))
            .col(timestamp_with_time_zone("hour"))
            .col(string("cluster"))
            .col(string("key_hash"))
            .col(string("model_name"))
            .col(uuid_null("user_id"));
        for column in COUNTERS.into_iter().chain(BUCKETS.map(|(c, _)| c)) {
            table.col(big_integer(column).default(0));
        }
        manager.create_table(table).await?;
        manager
            .create_index(
                Index::create()
                    .name("ux_cluster_rollups_span_hour_cluster_key_model")
                    .table("cluster_rollups")
                    .col("span")
                    .col("hour")
                    .col("cluster")
                    .col("key_hash")
                    .col("model_name")
                    .unique()
                    .to_owned(),
            )
            .await?;
        backfill(manager).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table("cluster_rollups").to_owned())
            .await
    }
}

/// Sums the requests already in `spend_logs` into hours and days, as the ledger would have.
async fn backfill(manager: &SchemaManager<'_>) -> Result<(), DbErr> {
    // Stored timestamps differ by backend: PostgreSQL has timestamptz; SQLite keeps the
    // RFC 3339 text the driver writes (`2026-11-27T13:00:00+00:00`).
    let postgres = manager.get_database_backend() == DatabaseBackend::Postgres;
    let (hour, day, user) = if postgres {
        (
            "(date_trunc('hour', started_at AT TIME ZONE 'UTC') AT TIME ZONE 'UTC')",
            "(date_trunc('day', started_at AT TIME ZONE 'UTC') AT TIME ZONE 'UTC')",
            "(array_agg(user_id))[1]",
        )
    } else {
        (
            "strftime('%Y-%m-%dT%H:00:00+00:00', started_at)",
            "strftime('%Y-%m-%dT00:00:00+00:00', started_at)",
            "max(user_id)",
        )
    };
    let buckets: Vec<String> = BUCKETS
        .iter()
        .enumerate()
        .map(|(i, (_, upper))| {
            let above = i
                .checked_sub(1)
                .and_then(|before| BUCKETS.get(before))
                .and_then(|(_, bound)| *bound)
                .map(|lower| format!("duration_ms > {lower}"));
            let within = upper.map(|upper| format!("duration_ms <= {upper}"));
            let condition = match (above, within) {
                (Some(above), Some(within)) => format!("{above} AND {within}"),
                (one, other) => one.or(other).unwrap_or_else(|| "TRUE".to_owned()),
            };
            format!("sum(CASE WHEN {condition} THEN 1 ELSE 0 END)")
        })
        .collect();
    let columns = COUNTERS
        .into_iter()
        .chain(BUCKETS.map(|(c, _)| c))
        .collect::<Vec<_>>()
        .join(", ");
    for (span, start) in [("hour", hour), ("day", day)] {
        let insert = format!(
            "INSERT INTO cluster_rollups (span, hour, cluster, key_hash, model_name, user_id, \
             {columns}) \
             SELECT '{span}', {start}, coalesce(cluster, ''), coalesce(key_hash, ''), \
             model_name, {user}, count(*), \
             sum(CASE WHEN status = 'success' THEN 0 ELSE 1 END), sum(prompt_tokens), \
             sum(completion_tokens), sum(cost_nanos), sum(duration_ms), {buckets} \
             FROM spend_logs \
             GROUP BY {start}, coalesce(cluster, ''), coalesce(key_hash, ''), model_name",
            buckets = buckets.join(", "),
        );
        manager.get_connection().execute_unprepared(&insert).await?;
    }
    Ok(())
}
