//! Guardrails administrators manage through GraphQL, beside those declared in configuration:
//! one row per guardrail, its LiteLLM-shaped definition as JSON (what `[[guardrails]]` holds),
//! so a new kind of guardrail needs no new column. A new table: binaries from before ignore it.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let mut table = Table::create();
        table
            .table("guardrails")
            .if_not_exists()
            .col(string("name").primary_key())
            .col(json("definition"))
            .col(timestamp_with_time_zone("created_at"))
            .col(timestamp_with_time_zone("updated_at"));
        manager.create_table(table).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table("guardrails").to_owned())
            .await
    }
}
