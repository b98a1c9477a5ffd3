//! Which guardrails acted on a request (blocked or masked it), by name, on its spend row:
//! the matched text is never stored. Null for the requests no guardrail touched, so it costs
//! next to nothing per row. Expand-only: old replicas ignore the column.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table("spend_logs")
                    .add_column(string_null("guardrail"))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table("spend_logs")
                    .drop_column("guardrail")
                    .to_owned(),
            )
            .await
    }
}
