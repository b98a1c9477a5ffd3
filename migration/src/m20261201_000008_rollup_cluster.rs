//! The cluster in `usage_rollups`, so spend by cluster is read from the rollups like every
//! other split rather than by scanning a period of `spend_logs` (a week of a busy platform is
//! millions of rows, and the admin overview asks again each time a request settles). A rollup
//! row becomes per (span, hour, key, model, cluster); rows written before, and requests no
//! deployment served, have the empty cluster.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::string;
use sea_orm_migration::sea_orm::DatabaseBackend;

use crate::m20261127_000004_daily_rollups::COUNTERS;

#[derive(DeriveMigrationName)]
pub struct Migration;

const OLD_INDEX: &str = "ux_usage_rollups_span_hour_key_model";
const NEW_INDEX: &str = "ux_usage_rollups_span_hour_key_model_cluster";

fn unique(name: &str, columns: &[&'static str]) -> IndexCreateStatement {
    let mut index = Index::create();
    index.name(name).table("usage_rollups").unique();
    for column in columns {
        index.col(*column);
    }
    index.to_owned()
}

fn drop(name: &str) -> IndexDropStatement {
    Index::drop().name(name).table("usage_rollups").to_owned()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table("usage_rollups")
                    .add_column(string("cluster").default(""))
                    .to_owned(),
            )
            .await?;
        manager.drop_index(drop(OLD_INDEX)).await?;
        manager
            .create_index(unique(
                NEW_INDEX,
                &["span", "hour", "key_hash", "model_name", "cluster"],
            ))
            .await
    }

    /// Sums each (span, hour, key, model)'s clusters into one row again.
    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let user = match manager.get_database_backend() {
            DatabaseBackend::Postgres => "(array_agg(user_id))[1]",
            _ => "max(user_id)",
        };
        let sums: Vec<String> = COUNTERS.iter().map(|c| format!("sum({c})")).collect();
        let db = manager.get_connection();
        db.execute_unprepared(&format!(
            "INSERT INTO usage_rollups (span, hour, key_hash, model_name, cluster, user_id, \
             {columns}) SELECT span, hour, key_hash, model_name, '*merged*', {user}, {sums} \
             FROM usage_rollups GROUP BY span, hour, key_hash, model_name",
            columns = COUNTERS.join(", "),
            sums = sums.join(", "),
        ))
        .await?;
        db.execute_unprepared("DELETE FROM usage_rollups WHERE cluster <> '*merged*'")
            .await?;
        manager.drop_index(drop(NEW_INDEX)).await?;
        manager
            .alter_table(
                Table::alter()
                    .table("usage_rollups")
                    .drop_column("cluster")
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(unique(
                OLD_INDEX,
                &["span", "hour", "key_hash", "model_name"],
            ))
            .await
    }
}
