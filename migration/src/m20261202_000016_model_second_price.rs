//! A model's price per second of audio (LiteLLM's `input_cost_per_second`), in nanodollars:
//! speech-to-text models are billed for what they heard, not for the words they wrote. Zero
//! means the model is priced per token. Expand-only: old replicas ignore the column.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table("models")
                    .add_column(big_integer("second_price_nanos").default(0))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table("models")
                    .drop_column("second_price_nanos")
                    .to_owned(),
            )
            .await
    }
}
