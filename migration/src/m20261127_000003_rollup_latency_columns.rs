//! Latency histograms of `usage_rollups` as one counter column per bucket instead of a JSON
//! array, so every replica's ledger can add to a rollup with a single atomic upsert.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

/// Upper bounds (ms) of the latency buckets; the last column counts everything slower.
const BUCKETS: [&str; 10] = [
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
        // One column per statement: SQLite alters one thing at a time.
        for column in BUCKETS {
            manager
                .alter_table(
                    Table::alter()
                        .table("usage_rollups")
                        .add_column(big_integer(column).default(0))
                        .to_owned(),
                )
                .await?;
        }
        manager
            .alter_table(
                Table::alter()
                    .table("usage_rollups")
                    .drop_column("latency_buckets")
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table("usage_rollups")
                    .add_column(json("latency_buckets").default("[]"))
                    .to_owned(),
            )
            .await?;
        for column in BUCKETS {
            manager
                .alter_table(
                    Table::alter()
                        .table("usage_rollups")
                        .drop_column(column)
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }
}
