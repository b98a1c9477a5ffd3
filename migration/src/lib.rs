//! Versioned database migrations, the same on PostgreSQL and SQLite.
//!
//! `switchyard migrate` and `switchyard serve` (unless told not to) apply these in order.
//! A migration that has landed is never edited: changes come as new migrations.

pub use sea_orm_migration::prelude::*;

mod m20261126_000001_core_tables;
mod m20261126_000002_seed_branding;
mod m20261127_000003_rollup_latency_columns;
mod m20261127_000004_daily_rollups;
mod m20261130_000005_one_playground_key;
mod m20261130_000006_requests_per_day;
mod m20261130_000007_key_blocked_by;
mod m20261201_000009_banner_translations;
mod m20261201_000010_cluster_rollups;
mod m20261201_000011_audit_action_index;
mod m20261201_000012_spend_logs_partitions;
mod m20261202_000013_key_model_names;
mod m20261202_000014_spend_guardrail;
mod m20261202_000015_guardrails;
mod m20261202_000016_model_second_price;
mod m20261203_000017_compact_spend_requests;

/// Every migration, oldest first.
pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m20261126_000001_core_tables::Migration),
            Box::new(m20261126_000002_seed_branding::Migration),
            Box::new(m20261127_000003_rollup_latency_columns::Migration),
            Box::new(m20261127_000004_daily_rollups::Migration),
            Box::new(m20261130_000005_one_playground_key::Migration),
            Box::new(m20261130_000006_requests_per_day::Migration),
            Box::new(m20261130_000007_key_blocked_by::Migration),
            Box::new(m20261201_000009_banner_translations::Migration),
            Box::new(m20261201_000010_cluster_rollups::Migration),
            Box::new(m20261201_000011_audit_action_index::Migration),
            Box::new(m20261201_000012_spend_logs_partitions::Migration),
            Box::new(m20261202_000013_key_model_names::Migration),
            Box::new(m20261202_000014_spend_guardrail::Migration),
            Box::new(m20261202_000015_guardrails::Migration),
            Box::new(m20261202_000016_model_second_price::Migration),
            Box::new(m20261203_000017_compact_spend_requests::Migration),
        ]
    }
}
