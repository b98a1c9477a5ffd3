//! Daily rows beside the hourly ones in `usage_rollups` (`span` = `hour` or `day`), so a month
//! of analytics reads thirty rows per key and model instead of seven hundred and twenty.
//! Existing hourly rows are summed into their days.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::string;
use sea_orm_migration::sea_orm::DatabaseBackend;

#[derive(DeriveMigrationName)]
pub struct Migration;

/// Every counter of a rollup row.
const COUNTERS: [&str; 16] = [
    "requests",
    "errors",
    "prompt_tokens",
    "completion_tokens",
    "cost_nanos",
    "duration_ms_sum",
    "latency_le_50",
    "latency_le_100",
    "latency_le_250",
    "latency_le_500",
    "latency_le_1000",
    "latency_le_2500",
    "latency_le_5000",
    "latency_le_10000",
    "latency_le_30000",
    "latency_le_inf",
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table("usage_rollups")
                    .add_column(string("span").default("hour"))
                    .to_owned(),
            )
            .await?;
        manager
            .drop_index(
                Index::drop()
                    .name("ux_usage_rollups_hour_key_model")
                    .table("usage_rollups")
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ux_usage_rollups_span_hour_key_model")
                    .table("usage_rollups")
                    .col("span")
                    .col("hour")
                    .col("key_hash")
                    .col("model_name")
                    .unique()
                    .to_owned(),
            )
            .await?;
        // Stored timestamps differ by backend: PostgreSQL has timestamptz; SQLite keeps the
        // RFC 3339 text the driver writes (`2026-11-27T00:00:00+00:00`).
        let (day, user) = match manager.get_database_backend() {
            DatabaseBackend::Postgres => (
                "(date_trunc('day', hour AT TIME ZONE 'UTC') AT TIME ZONE 'UTC')",
                "(array_agg(user_id))[1]",
            ),
            _ => ("strftime('%Y-%m-%dT00:00:00+00:00', hour)", "max(user_id)"),
        };
        let sums: Vec<String> = COUNTERS.iter().map(|c| format!("sum({c})")).collect();
        let backfill = format!(
            "INSERT INTO usage_rollups (span, hour, key_hash, model_name, user_id, {columns}) \
             SELECT 'day', {day}, key_hash, model_name, {user}, {sums} FROM usage_rollups \
             WHERE span = 'hour' GROUP BY {day}, key_hash, model_name",
            columns = COUNTERS.join(", "),
            sums = sums.join(", "),
        );
        manager
            .get_connection()
            .execute_unprepared(&backfill)
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .get_connection()
            .execute_unprepared("DELETE FROM usage_rollups WHERE span = 'day'")
            .await?;
        manager
            .drop_index(
                Index::drop()
                    .name("ux_usage_rollups_span_hour_key_model")
                    .table("usage_rollups")
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ux_usage_rollups_hour_key_model")
                    .table("usage_rollups")
                    .col("hour")
                    .col("key_hash")
                    .col("model_name")
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table("usage_rollups")
                    .drop_column("span")
                    .to_owned(),
            )
            .await
    }
}
